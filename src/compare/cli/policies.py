"""``compare policies``: a plan's policy hierarchy (基本理念 > 基本目標 > 基本方針 > 施策 …)."""

from __future__ import annotations

import argparse
import warnings

import pandas as pd

from compare.cli._options import add_catalog_option, add_json_option
from compare.cli._output import print_json
from compare.cli.outline import load_segments
from compare.structure.plan import plan_model


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "policies",
        help="print the policy hierarchy of a plan (基本理念, 基本目標, 基本方針, 施策, 指標 …)",
    )
    parser.add_argument(
        "plan",
        metavar="FILE_OR_PLAN_ID",
        help="a plan file, or a plan_id of the catalogue",
    )
    add_catalog_option(parser)
    add_json_option(
        parser,
        help='print JSON: [{"level", "number", "title", "parent", "line"}], parent = index or null',
    )
    parser.set_defaults(func=run_policies)


def run_policies(args: argparse.Namespace) -> int:
    segments = load_segments(args.plan, args.catalog)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = plan_model(segments)
    if args.json:
        print_json(policy_records(model))
    else:
        print_tree(model)
    for warning in caught:
        warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)
    return 0


def policy_records(model: pd.DataFrame) -> list[dict]:
    """The rows of one plan's model as JSON records; ``parent`` is an index into the list."""
    records = []
    for row in model.itertuples(index=False):
        records.append(
            {
                "level": row.level,
                "label": row.label,
                "number": row.number,
                "title": row.title,
                "parent": None if pd.isna(row.parent) else int(row.parent),
                "line": int(row.line_start),
                "source": row.source,
            }
        )
    return records


def print_tree(model: pd.DataFrame) -> None:
    """Indented tree: line number, level (and the plan's own label when it differs), title."""
    if model.empty:
        print("(no policy elements found)")
        return
    depth: dict[int, int] = {}
    width = len(str(int(model["line_start"].max())))
    for row in model.itertuples(index=False):
        parent = None if pd.isna(row.parent) else int(row.parent)
        depth[int(row.row)] = 0 if parent is None else depth.get(parent, 0) + 1
        label = row.level
        if row.label and row.label != row.level:
            label = f"{row.level}（{row.label}）"
        number = f" {row.number}" if row.number else ""
        indent = "  " * depth[int(row.row)]
        print(f"{int(row.line_start):>{width}}  {indent}{label}{number}  {row.title}")
