"""``compare outline`` and ``compare segments``: a plan's heading tree and its segments."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from compare.cli._options import add_catalog_option, add_json_option
from compare.cli._output import print_json
from compare.errors import InputFileError
from compare.io.catalog import plan_file, read_catalog
from compare.structure.segment import SEGMENT_COLUMNS, outline, read_plan


def register(subparsers: argparse._SubParsersAction) -> None:
    for name, helptext, func in (
        ("outline", "print the heading tree of a plan", run_outline),
        ("segments", "print the segments of a plan", run_segments),
    ):
        parser = subparsers.add_parser(name, help=helptext)
        parser.add_argument(
            "plan",
            metavar="FILE_OR_PLAN_ID",
            help="a plan text file, or a plan_id of the catalogue",
        )
        add_catalog_option(parser)
        add_json_option(parser)
        parser.set_defaults(func=func)


def load_segments(plan: str, catalog: str | None) -> pd.DataFrame:
    """Segments of a plan given as a file path or as a plan_id of the catalogue."""
    path = Path(plan)
    if path.is_file():
        return read_plan(path)
    cat = read_catalog(catalog)
    if plan in set(cat["plan_id"]):
        record = cat.loc[cat["plan_id"] == plan].iloc[0].to_dict()
        return read_plan(plan_file(cat, plan), **record)
    known = ", ".join(cat["plan_id"])
    raise InputFileError(
        f"{plan}: neither a file nor a plan_id of the catalogue (plan_ids: {known})"
    )


def run_outline(args: argparse.Namespace) -> int:
    heads = outline(load_segments(args.plan, args.catalog))
    if args.json:
        rows = zip(heads["line"], heads["depth"], heads["text"], heads["page_label"], strict=True)
        # "page" (the printed page label) only for documents with pages (PDF).
        print_json(
            [
                {"line": int(line), "depth": int(depth), "text": str(text)}
                | ({"page": str(label)} if label else {})
                for line, depth, text, label in rows
            ]
        )
        return 0
    width = len(str(int(heads["line"].max()))) if len(heads) else 1
    # PDF sources: the printed page of each heading in a column of its own (p. 23).
    pages = [f"p. {label}" if label else "" for label in heads["page_label"]]
    page_width = max(map(len, pages), default=0)
    for line, depth, text, page in zip(
        heads["line"], heads["depth"], heads["text"], pages, strict=True
    ):
        where = f"{page:<{page_width}}  " if page_width else ""
        print(f"{int(line):>{width}}  {where}{'  ' * (int(depth) - 1)}{text}")
    return 0


def run_segments(args: argparse.Namespace) -> int:
    segments = load_segments(args.plan, args.catalog)
    if args.json:
        records = segments[list(SEGMENT_COLUMNS)].to_dict(orient="records")
        print_json(records)
        return 0
    for row in segments.itertuples(index=False):
        lines = (
            f"{row.line_start}"
            if row.line_start == row.line_end
            else f"{row.line_start}-{row.line_end}"
        )
        text = row.text if len(row.text) <= 60 else row.text[:59] + "…"
        print(f"{row.seg_id:>4}  {lines:>9}  {row.kind:<9}  L{row.level}  {text}")
    return 0
