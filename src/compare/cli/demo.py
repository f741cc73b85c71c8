"""``compare demo``: turn the bundled corpus into a briefing and say where it is."""

from __future__ import annotations

import argparse
import sys

from compare.cli._output import print_table

#: Catalogue columns printed by the demo.
CATALOG_COLUMNS = ["plan_id", "municipality", "author", "plan_type", "edition", "doc_kind"]
#: Columns of the per-plan summary printed by the demo.
SUMMARY_COLUMNS = ["plan_id", "municipality", "doc_kind", "n_segments", "n_tokens", "top_themes"]


def register(subparsers: argparse._SubParsersAction) -> None:
    from compare.cli.report import add_report_options

    parser = subparsers.add_parser(
        "demo",
        help="write the briefing report of the bundled corpus to out/briefing",
        description=(
            "Run `compare report` on a corpus (the bundled five plans by default), then print "
            "the catalogue, a summary of each plan and where the report is.  An existing "
            "out/briefing is replaced only if compare wrote it (or with --force)."
        ),
    )
    add_report_options(parser, scale_options=False)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from compare.report import build_briefing, check_destination, write_briefing

    progress = not args.quiet and sys.stderr.isatty()
    check_destination(args.out, force=args.force)
    briefing = build_briefing(
        args.catalog, themes=args.themes, plans=args.plans, date=args.date, progress=progress
    )
    path = write_briefing(
        briefing, out=args.out, force=args.force, progress=progress, pptx=args.pptx
    )
    if args.quiet:
        return 0
    summary = briefing.summary
    print("== catalogue")
    print_table(summary[[c for c in CATALOG_COLUMNS if c in summary.columns]])
    print()
    print("== plans (segments and content words; themes by share of passages)")
    print_table(summary[[c for c in SUMMARY_COLUMNS if c in summary.columns]])
    print()
    print(f"report: {path / 'index.html'}")
    print(f"        {path / 'briefing.md'}")
    print(f"        {path / 'tables.xlsx'}  ({len(briefing.tables)} tables)")
    print(f"        {path / 'figures'}/  ({len(briefing.figures)} figures as PNG and SVG)")
    return 0
