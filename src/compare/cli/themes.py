"""``compare themes`` and ``compare kwic``: theme coding of a plan, and a concordance."""

from __future__ import annotations

import argparse

import pandas as pd

from compare.cli._options import (
    add_catalog_option,
    add_json_option,
    add_plans_option,
    add_themes_option,
)
from compare.cli._output import print_json, print_table
from compare.cli.outline import load_segments
from compare.stats.themes import stat_kwic
from compare.structure.segment import read_corpus
from compare.themes.coding import code_themes, resolve_themes

#: Characters of segment text shown in the readable table.
TEXT_WIDTH = 40


def register(subparsers: argparse._SubParsersAction) -> None:
    themes = subparsers.add_parser(
        "themes", help="code the segments of a plan with themes (プラットフォーム, 防災 …)"
    )
    themes.add_argument(
        "plan", metavar="FILE_OR_PLAN_ID", help="a plan text file, or a plan_id of the catalogue"
    )
    add_catalog_option(themes)
    add_themes_option(themes)
    add_json_option(themes, help="print every segment as JSON: line_start, line_end, text, themes")
    themes.set_defaults(func=run_themes)

    kwic = subparsers.add_parser(
        "kwic", help="print a concordance (keyword in context) of a term or a theme"
    )
    kwic.add_argument(
        "query",
        metavar="TERM_OR_THEME",
        help="a term, a rule such as near(防災-訓練), or a theme id",
    )
    add_catalog_option(kwic)
    add_themes_option(kwic)
    add_plans_option(kwic)
    kwic.add_argument("--width", type=int, default=20, help="characters of context (default 20)")
    add_json_option(kwic, help="print JSON records")
    kwic.set_defaults(func=run_kwic)


def run_themes(args: argparse.Namespace) -> int:
    theme_list, _ = resolve_themes(args.themes)
    segments = load_segments(args.plan, args.catalog)
    coded = code_themes(segments, theme_list, warn_unmatched=False)
    order = {t.id: i for i, t in enumerate(theme_list)}
    by_segment: dict[int, list[str]] = {}
    for seg_id, theme_id in zip(coded["seg_id"], coded["theme_id"], strict=True):
        by_segment.setdefault(int(seg_id), []).append(str(theme_id))
    records = [
        {
            "line_start": int(row.line_start),
            "line_end": int(row.line_end),
            "text": str(row.text),
            "themes": sorted(by_segment.get(int(row.seg_id), []), key=order.__getitem__),
        }
        for row in segments.itertuples(index=False)
    ]
    if args.json:
        print_json(records)
        return 0
    table = pd.DataFrame(
        {
            "lines": [_lines(r["line_start"], r["line_end"]) for r in records],
            "kind": segments["kind"].astype(str).tolist(),
            "themes": [" ".join(r["themes"]) for r in records],
            "text": [_short(r["text"]) for r in records],
        }
    )
    print_table(table)
    return 0


def run_kwic(args: argparse.Namespace) -> int:
    theme_list, _ = resolve_themes(args.themes)
    segments = read_corpus(args.catalog)
    lines = stat_kwic(segments, args.query, theme_list, width=args.width, plans=args.plans)
    if args.json:
        print_json(lines.to_dict(orient="records"))
        return 0
    if lines.empty:
        print(f"no occurrence of {args.query}")
        return 0
    table = pd.DataFrame(
        {
            "plan_id": lines["plan_id"],
            "lines": [
                _lines(a, b) for a, b in zip(lines["line_start"], lines["line_end"], strict=True)
            ],
            "page": [f"p. {label}" if label else "" for label in lines["page_label"]],
            "left": lines["left"],
            "match": lines["match"],
            "right": lines["right"],
            "word": lines["word"],
        }
    )
    if not table["page"].astype(bool).any():
        table = table.drop(columns="page")  # no PDF source: no page to cite
    print_table(table)
    return 0


def _lines(start: object, end: object) -> str:
    if pd.isna(start):
        return ""
    return f"{int(start)}" if start == end else f"{int(start)}-{int(end)}"


def _short(text: str) -> str:
    flat = text.replace("\n", " ").replace("\t", " | ")
    return flat if len(flat) <= TEXT_WIDTH else flat[: TEXT_WIDTH - 1] + "…"
