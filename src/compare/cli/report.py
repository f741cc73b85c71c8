"""``compare report``: write the briefing report (HTML, Markdown, Excel, figures)."""

from __future__ import annotations

import argparse
import sys

from compare.cli._options import (
    add_cache_options,
    add_catalog_option,
    add_plans_option,
    add_themes_option,
)
from compare.cli._scheduler import add_scheduler_options, dask_client
from compare.cli._vocabulary import add_vocabulary_options, vocabulary_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write the briefing report (index.html, briefing.md, tables.xlsx, figures)",
        description=(
            "Analyse the plans of a catalogue and write a briefing report: a self-contained "
            "index.html, briefing.md, tables.xlsx (one sheet per table), CSV tables and every "
            "figure as PNG and SVG."
        ),
    )
    add_report_options(parser)
    add_vocabulary_options(parser)
    add_cache_options(parser)
    add_scheduler_options(parser, also="(the report itself is built here)")
    parser.set_defaults(func=run)


def add_report_options(
    parser: argparse.ArgumentParser, *, out: str | None = None, scale_options: bool = True
) -> None:
    """Options shared by ``compare report`` and ``compare demo`` (which has no
    --group-by/--text-plans)."""
    from compare.report import DEFAULT_OUT

    add_catalog_option(parser)
    add_themes_option(parser)
    parser.add_argument(
        "--out",
        metavar="DIR",
        default=out or DEFAULT_OUT,
        help=f"output directory (default: {out or DEFAULT_OUT})",
    )
    add_plans_option(parser)
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace --out even if it holds files that compare report did not write "
        "(files added or changed since the last run are lost)",
    )
    parser.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="date printed in the report (default: SOURCE_DATE_EPOCH or today)",
    )
    parser.add_argument(
        "--validation",
        metavar="XLSX",
        help="a coding sheet filled by hand (compare coding-sheet): the report shows how far "
        "the theme coding agrees with it (section コーディングの信頼性)",
    )
    parser.add_argument(
        "--pptx",
        action="store_true",
        help="also write briefing.pptx: slides with a title, the findings, one slide per "
        "analysis (figure and takeaway) and the plans with their sources",
    )
    if scale_options:
        _add_scale_options(parser)
    parser.add_argument(
        "--quiet", action="store_true", help="print nothing but warnings and errors"
    )


def _add_scale_options(parser: argparse.ArgumentParser) -> None:
    from compare.report import ReportSettings

    defaults = ReportSettings()
    parser.add_argument(
        "--group-by",
        choices=("auto", "plan", "municipality"),
        default=defaults.group_by,
        help="what the comparisons compare: plans, or municipalities (the plans of each summed); "
        f"'auto' (default) compares plans up to {defaults.max_plans_compared} plans, else "
        "municipalities",
    )
    parser.add_argument(
        "--text-plans",
        type=int,
        default=defaults.text_plans,
        metavar="N",
        help="plans read in full for the co-occurrence network, goal alignment, policy matrix "
        f"and outlines: every plan when there are at most N (default {defaults.text_plans}), "
        "else a deterministic sample of N that those sections name",
    )
    parser.add_argument(
        "--text-chars",
        type=int,
        default=defaults.text_chars,
        metavar="N",
        help="characters of plan text read in full at most (default "
        f"{defaults.text_chars:,}): above them the same deterministic sample, smaller; bounds the "
        "report's memory on a national corpus",
    )
    # Options of the former large-corpus route: refused with what replaces them.
    parser.add_argument("--scale", help=argparse.SUPPRESS)
    parser.add_argument("--sample", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from compare.report import ReportSettings, write_report

    if args.validation:
        from compare.themes.sheet import read_coding_sheet

        read_coding_sheet(args.validation)  # a bad sheet fails before the long analysis
    from compare.errors import ReportError

    if args.scale is not None:
        raise ReportError(
            "--scale is no longer needed: every report is built the same way; use --group-by "
            "plan|municipality to choose what is compared and --text-plans N for the plans read "
            "in full."
        )
    if args.sample is not None:
        raise ReportError("--sample is now --text-plans N (plans read in full).")
    settings = ReportSettings(
        group_by=args.group_by,
        text_plans=args.text_plans,
        text_chars=args.text_chars,
        vocabulary=vocabulary_from_args(args),
        validation=args.validation,
    )
    with dask_client(args.scheduler, args.scheduler_timeout) as client:
        path = write_report(
            args.catalog,
            out=args.out,
            themes=args.themes,
            plans=args.plans,
            force=args.force,
            date=args.date,
            progress=not args.quiet and sys.stderr.isatty(),
            settings=settings,
            pptx=args.pptx,
            client=client,
            cache=not args.no_cache,
            cache_dir=args.cache_dir,
        )
    if not args.quiet:
        print(f"report written to {path / 'index.html'}")
        print(f"  also: {path / 'briefing.md'}, {path / 'tables.xlsx'}, {path / 'figures'}/")
    return 0
