"""``compare report``: write the briefing report (HTML, Markdown, Excel, figures)."""

from __future__ import annotations

import argparse
import sys

from compare.cli._util import add_catalog_option


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
    parser.set_defaults(func=run)


def add_report_options(parser: argparse.ArgumentParser, *, out: str | None = None) -> None:
    """Options shared by ``compare report`` and ``compare demo``."""
    from compare.report import DEFAULT_OUT

    add_catalog_option(parser)
    parser.add_argument(
        "--themes", metavar="YAML", help="theme catalogue (default: the bundled themes)"
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        default=out or DEFAULT_OUT,
        help=f"output directory (default: {out or DEFAULT_OUT})",
    )
    parser.add_argument(
        "--plans", nargs="+", metavar="ID", help="only these plan ids (default: every plan)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace --out even if it is a non-empty directory not written by compare report",
    )
    parser.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="date printed in the report (default: SOURCE_DATE_EPOCH or today)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def run(args: argparse.Namespace) -> int:
    from compare.report import write_report

    path = write_report(
        args.catalog,
        out=args.out,
        themes=args.themes,
        plans=args.plans,
        force=args.force,
        date=args.date,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    print(f"report written to {path / 'index.html'}")
    print(f"  also: {path / 'briefing.md'}, {path / 'tables.xlsx'}, {path / 'figures'}/")
    return 0
