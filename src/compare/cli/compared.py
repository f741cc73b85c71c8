"""``compare keyness`` and ``compare similarity``: comparisons for scripts and checks.

Both read the plans of a catalogue, count them in the comparison vocabulary
(:class:`compare.Vocabulary`; options in :mod:`compare.cli._vocabulary`) and
print a table, or JSON with ``--json``:

``compare keyness [--catalog C] [--section KIND] [--top N] --json``
    ``[{"plan_id", "word", "g2", "log_ratio", "count_target",
    "count_reference"}]``: each plan's most over-used words against all the
    other plans, most distinctive first.
``compare similarity [--catalog C] [--section KIND] --json``
    ``[{"plan_a", "plan_b", "cosine", ...}]``: every pair of plans, most
    similar first, with whether their coverage differs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from compare.cli._options import add_catalog_option, add_json_option, add_plans_option, select_plans
from compare.cli._output import print_json, print_table
from compare.cli._vocabulary import add_vocabulary_options, vocabulary_from_args
from compare.errors import CompareError


def register(subparsers: argparse._SubParsersAction) -> None:
    keyness = subparsers.add_parser(
        "keyness",
        help="print each plan's distinctive words (G², log ratio) against the others",
        description="Each plan's most over-used words against all the other plans of the "
        "catalogue (G² and log ratio), counted in the comparison vocabulary.",
    )
    keyness.add_argument("--top", type=int, default=20, help="words per plan (default 20)")
    keyness.add_argument(
        "--min-count", type=int, default=2, help="fewest occurrences of a word (default 2)"
    )
    _add_common(keyness)
    keyness.set_defaults(func=run_keyness)

    similarity = subparsers.add_parser(
        "similarity",
        help="print the cosine similarity (TF-IDF) of every pair of plans",
        description="Cosine similarity of the TF-IDF vectors of every pair of plans, counted in "
        "the comparison vocabulary, most similar first, with a flag when the two documents "
        "cover different parts of a plan.",
    )
    _add_common(similarity)
    similarity.set_defaults(func=run_similarity)


def _add_common(parser: argparse.ArgumentParser) -> None:
    from compare.structure.coverage import SECTION_KINDS

    add_catalog_option(parser)
    kinds = ", ".join(f"{k} ({label})" for k, (label, _) in SECTION_KINDS.items())
    parser.add_argument(
        "--section",
        metavar="KIND",
        help=f"compare only the parts under headings of this kind: {kinds}",
    )
    add_plans_option(parser)
    add_json_option(parser)
    add_vocabulary_options(parser)


def _load(args: argparse.Namespace) -> tuple[Any, Any, Any, Any]:
    """(segments, compared tokens, coverage, vocabulary) of the chosen plans."""
    import warnings

    from compare.errors import CompareWarning
    from compare.io.catalog import read_catalog
    from compare.stats.matrix import apply_vocabulary
    from compare.structure.coverage import plan_coverage, section_kind, select_section
    from compare.structure.segment import read_corpus
    from compare.text.tokenizer import Tokenizer, tokenize

    vocabulary = vocabulary_from_args(args)
    if args.section is not None:
        section_kind(args.section)  # a bad kind fails before any plan is read
    catalog = read_catalog(args.catalog)
    catalog = select_plans(catalog, args.plans)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        segments = read_corpus(catalog)
    tokens = tokenize(segments, Tokenizer(user_terms=vocabulary.terms), progress=False)
    coverage = plan_coverage(segments, catalog)
    compared = apply_vocabulary(tokens, vocabulary)
    if args.section is not None:
        compared = select_section(compared, args.section, segments=segments)
    return segments, compared, coverage, vocabulary


def run_keyness(args: argparse.Namespace) -> int:
    from compare.stats.keyness import stat_keyness

    if args.top < 1:
        raise CompareError("--top must be a positive number")
    _, compared, _, _ = _load(args)
    table = stat_keyness(compared, top=args.top, min_count=args.min_count, vocabulary=None)
    table = table[table["direction"] == "target"]
    columns = ["plan_id", "word", "g2", "log_ratio", "count_target", "count_reference"]
    out = table[columns].reset_index(drop=True)
    if args.json:
        print_json(out.to_dict(orient="records"))
    else:
        print_table(out.assign(g2=out["g2"].round(2), log_ratio=out["log_ratio"].round(2)))
    return 0


def run_similarity(args: argparse.Namespace) -> int:
    from compare.stats.similarity import stat_similarity
    from compare.structure.coverage import flag_coverage

    _, compared, coverage, _ = _load(args)
    table = stat_similarity(compared, pairs="unique", vocabulary=None)
    table = flag_coverage(table, coverage)
    table = table.sort_values(
        ["cosine", "doc_a", "doc_b"], ascending=[False, True, True], kind="stable"
    )
    out = table.rename(columns={"plan_id_a": "plan_a", "plan_id_b": "plan_b"})[
        ["plan_a", "plan_b", "cosine", "jaccard", "coverage_differs", "shared_sections"]
    ].reset_index(drop=True)
    if args.json:
        print_json(out.to_dict(orient="records"))
    else:
        print_table(out.assign(cosine=out["cosine"].round(3), jaccard=out["jaccard"].round(3)))
    if out["coverage_differs"].any() and not args.json:
        print(
            "note: coverage_differs marks pairs whose documents cover different parts of a plan "
            "(summary, excerpt, chapters); compare like parts with --section",
            file=sys.stderr,
        )
    return 0
