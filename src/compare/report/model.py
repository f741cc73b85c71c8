"""The parts a briefing report is made of, independent of its output formats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class ReportTable:
    """A table of the report: written to ``tables.xlsx`` (sheet) and ``tables/<key>.csv``.

    ``preview`` lists the columns shown in the page (all when None) and
    ``preview_rows`` how many rows; the files always hold the whole table.
    """

    key: str
    sheet: str
    title: str
    frame: pd.DataFrame
    preview: list[str] | None = None
    preview_rows: int = 12
    shown: bool = True
    #: What one row is and where the table comes from (the workbook's 説明 sheet);
    #: when empty, :data:`compare.report.columns.TABLES` describes the table by its key.
    unit: str = ""
    source: str = ""


@dataclass
class ReportFigure:
    """A figure with the keys of the tables it was drawn from."""

    key: str
    title: str
    caption: str
    figure: Any
    tables: list[str] = field(default_factory=list)
    png: bytes = b""
    svg: bytes = b""
    width_px: int = 0
    height_px: int = 0


@dataclass
class Quote:
    """A passage quoted from a plan as evidence, with where it comes from."""

    label: str
    plan: str
    heading_path: str
    lines: str
    text: str


@dataclass
class Section:
    """One section of the report.

    ``paragraphs`` and ``bullets`` are plain text (escaped when rendered);
    ``notice`` replaces the content when the analysis could not run (e.g. a
    comparison with a single plan).  ``kind`` names the templates that
    render it (``templates/<kind>.html.j2`` and ``<kind>.md.j2``); most
    sections are the generic ``section``.
    """

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    figures: list[ReportFigure] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    notice: str | None = None
    collapsed_figures: bool = False
    kind: str = "section"


@dataclass
class Briefing:
    """Everything a report holds, ready to be written in any format."""

    title: str
    subtitle: str
    sections: list[Section]
    provenance: dict[str, Any]
    date: Any = None
    summary: pd.DataFrame | None = None

    @property
    def tables(self) -> list[ReportTable]:
        """Every table of every section, each key once, in section order."""
        seen: dict[str, ReportTable] = {}
        for section in self.sections:
            for table in section.tables:
                seen.setdefault(table.key, table)
        return list(seen.values())

    @property
    def figures(self) -> list[ReportFigure]:
        return [figure for section in self.sections for figure in section.figures]


@dataclass
class ReportSettings:
    """Settings of one report run (recorded in the provenance block).

    The limits keep figures readable for large corpora: figures show the
    first or most distinctive items, the tables always hold everything.

    Above ``large_plans`` plans or about ``large_chars`` characters (file
    sizes / 2.5, so nothing is read to decide) the report is built from the
    streaming pipeline (:func:`compare.pipeline.run_pipeline`) with bounded
    memory: statistics from per-plan counts aggregated to municipalities,
    clusters of municipalities instead of long lists, and the co-occurrence
    network, goal alignment and outlines on a sample of ``sample_plans``
    plans.  ``large=True`` or ``False`` forces either route.
    """

    max_outlines: int = 12
    max_keyness_panels: int = 12
    keyness_words: int = 10
    heatmap_groups: int = 30
    network_edges: int = 60
    network_words: int = 120
    ca_words: int = 30
    goal_pairs_shown: int = 3
    goal_pairs_max: int = 10
    quotes_per_theme: int = 6
    quote_chars: int = 180
    core_themes: tuple[str, ...] = ("platform", "multilayer_support", "disaster")
    large: bool | None = None
    large_plans: int = 60
    large_chars: int = 20_000_000
    sample_plans: int = 8
    n_clusters: int = 8
    n_jobs: int | None = None
    #: The comparison vocabulary (:class:`compare.Vocabulary`, ``"default"``
    #: or a mapping of its settings); printed in the provenance on its own.
    vocabulary: Any = "default"
    #: A filled coding sheet (compare coding-sheet) for the section コーディングの信頼性.
    validation: str | None = None

    def as_dict(self, *, large: bool = True) -> dict[str, Any]:
        """The settings; without the large-corpus ones when ``large`` is False."""
        values = dict(self.__dict__)
        values.pop("vocabulary", None)
        if not large:
            for name in _LARGE_SETTINGS:
                values.pop(name, None)
        return values


#: Settings that only the large-corpus route reads.
_LARGE_SETTINGS = ("large", "large_plans", "large_chars", "sample_plans", "n_clusters", "n_jobs")


@dataclass
class Corpus:
    """The analysed corpus that every section reads."""

    catalog: pd.DataFrame
    segments: pd.DataFrame
    tokens: pd.DataFrame
    themes: Any
    wide: pd.DataFrame
    names: dict[str, str]
    themes_source: str
    findings: list[str] = field(default_factory=list)
    quote_themes: list[str] = field(default_factory=list)
    theme_shares: pd.DataFrame | None = None
    summary: pd.DataFrame | None = None
    #: The compared view of ``tokens`` (:meth:`compare.Vocabulary.compared`):
    #: what keyness, similarity and CA count; ``tokens`` keeps the written words.
    compared: pd.DataFrame | None = None
    vocabulary: Any = None
    #: What each plan covers (:func:`compare.structure.coverage.plan_coverage`).
    coverage: pd.DataFrame | None = None

    @property
    def plan_ids(self) -> list[str]:
        return list(self.catalog["plan_id"])
