"""``compare catalog``: print the catalogue of a corpus."""

from __future__ import annotations

import argparse

from compare.cli._options import add_catalog_option, add_json_option
from compare.cli._output import print_json, print_table
from compare.io.catalog import read_catalog

#: Columns shown in the readable table (all columns go to --json).
TABLE_COLUMNS = [
    "plan_id",
    "municipality",
    "prefecture",
    "author",
    "plan_type",
    "edition",
    "doc_kind",
]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("catalog", help="print the catalogue of plans")
    add_catalog_option(parser)
    add_json_option(parser, help="print JSON records (all columns)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    catalog = read_catalog(args.catalog)
    if args.json:
        print_json(catalog.to_dict(orient="records"))
    else:
        print_table(catalog[TABLE_COLUMNS])
    return 0
