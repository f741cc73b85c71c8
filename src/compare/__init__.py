"""compare: read, structure and compare Japanese municipal welfare plans.

The package follows one pipeline, a subpackage per stage::

    io -> structure -> text -> themes -> stats -> (pipeline, plot) -> report -> cli

(read -> segment -> tokenize -> code themes -> compare -> plot -> report).

Every stage takes and returns plain pandas objects.  Public names are
imported lazily, so ``import compare`` stays fast and the command line
does not load scikit-learn to print a catalogue.
"""

from __future__ import annotations

import importlib
from typing import Any

from compare._version import __version__

#: Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    # read
    "read_text": "compare.io",
    "SourceText": "compare.io",
    "read_document": "compare.io",
    "read_catalog": "compare.io",
    # segment
    "read_plan": "compare.structure",
    "read_corpus": "compare.structure",
    "segment_text": "compare.structure",
    "outline": "compare.structure",
    "plan_model": "compare.structure",
    "stat_indicators": "compare.structure",
    "stat_policy_table": "compare.structure",
    # tokenize
    "Tokenizer": "compare.text",
    "Vocabulary": "compare.text",
    "tokenize": "compare.text",
    "load_terms": "compare.text",
    "stat_term_candidates": "compare.text",
    # themes
    "load_themes": "compare.themes",
    "code_themes": "compare.themes",
    "themes_wide": "compare.themes",
    "stat_theme_shares": "compare.stats.themes",
    "stat_theme_test": "compare.stats.themes",
    "stat_kwic": "compare.stats.themes",
    "stat_word_association": "compare.stats.themes",
    "stat_coding_agreement": "compare.stats.agreement",
    "stat_theme_candidates": "compare.stats.candidates",
    "validate_coding_sheet": "compare.stats.agreement",
    "write_coding_sheet": "compare.themes.sheet",
    "read_coding_sheet": "compare.themes.sheet",
    # compare
    "stat_dtm": "compare.stats.matrix",
    "stat_similarity": "compare.stats.similarity",
    "stat_keyness": "compare.stats.keyness",
    "stat_cooccurrence": "compare.stats.network",
    "stat_ca": "compare.stats.ca",
    "stat_clusters": "compare.stats.clusters",
    "stat_topics": "compare.stats.clusters",
    "stat_goal_alignment": "compare.stats.alignment",
    "stat_plan_diff": "compare.stats.alignment",
    "stat_policy_matrix": "compare.stats.alignment",
    # whole pipeline, streamed plan by plan
    "run_pipeline": "compare.pipeline",
    "PipelineResult": "compare.pipeline",
    # plot
    "plot_theme_heatmap": "compare.plot",
    "plot_theme_shares": "compare.plot",
    "plot_similarity": "compare.plot",
    "plot_dendrogram": "compare.plot",
    "plot_keyness": "compare.plot",
    "plot_network": "compare.plot",
    "plot_ca": "compare.plot",
    "plot_goal_alignment": "compare.plot",
    "plot_outline": "compare.plot",
    "plot_policy_matrix": "compare.plot",
    "setup_fonts": "compare.plot",
    # report
    "write_report": "compare.report",
    "build_briefing": "compare.report",
    "write_briefing": "compare.report",
    "ReportSettings": "compare.report",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'compare' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
