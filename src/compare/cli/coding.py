"""``compare coding-sheet`` and ``compare validate``: check the theme coding against a human coder."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd

from compare.cli._options import add_catalog_option, add_json_option, add_themes_option
from compare.cli._output import print_json, print_table


def register(subparsers: argparse._SubParsersAction) -> None:
    sheet = subparsers.add_parser(
        "coding-sheet",
        help="write a sample of passages to code by hand (Excel), to validate the theme coding",
        description=(
            "Draw a stratified random sample of passages (by plan and by predicted theme, fixed "
            "seed) and write an Excel sheet with one empty column per theme for a human coder, "
            "and a hidden sheet with the predictions. Read it back with compare validate."
        ),
    )
    add_catalog_option(sheet)
    add_themes_option(sheet)
    sheet.add_argument("--n", type=int, default=120, help="passages to sample (default 120)")
    sheet.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    sheet.add_argument("--out", required=True, metavar="XLSX", help="the sheet to write")
    sheet.add_argument(
        "--force", action="store_true", help="replace an existing coding sheet written by compare"
    )
    sheet.set_defaults(func=run_sheet)

    validate = subparsers.add_parser(
        "validate",
        help="agreement of the theme coding with a filled coding sheet (P/R/F1, kappa, alpha)",
    )
    validate.add_argument("sheet", metavar="XLSX", help="a coding sheet filled by a human coder")
    validate.add_argument(
        "--catalog", metavar="CSV", help="catalogue of plans (default: the one the sheet records)"
    )
    add_themes_option(validate, help="theme catalogue (default: the one the sheet records)")
    validate.add_argument(
        "--boot", type=int, default=1000, help="bootstrap resamples for the intervals (1000)"
    )
    add_json_option(validate, help="print the table as JSON")
    validate.set_defaults(func=run_validate)


def run_sheet(args: argparse.Namespace) -> int:
    from compare.structure.segment import read_corpus
    from compare.themes.coding import load_themes, themes_wide
    from compare.themes.sheet import write_coding_sheet

    theme_list = load_themes(args.themes)
    wide = themes_wide(read_corpus(args.catalog), theme_list, warn_unmatched=False)
    path = write_coding_sheet(
        wide,
        args.out,
        n=args.n,
        random_state=args.seed,
        catalog=str(Path(args.catalog).resolve()) if args.catalog else "",
        themes_source=str(Path(args.themes).resolve()) if args.themes else "",
        descriptions={t.id: t.description for t in theme_list},
        force=args.force,
    )
    n = min(args.n, len(wide))
    print(f"coding sheet with {n} passages written to {path}")
    print("  fill the theme columns (1/○ applies, 0/×/blank does not), then: compare validate")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from compare.stats.agreement import STATISTICS, validate_coding_sheet

    table = validate_coding_sheet(
        args.sheet, catalog=args.catalog, themes=args.themes, n_boot=args.boot
    )
    if args.json:
        print_json(
            {
                "sheet": table.attrs["sheet"],
                "n_passages": table.attrs["n_passages"],
                "n_changed": table.attrs["n_changed"],
                "n_boot": table.attrs["n_boot"],
                "confidence": table.attrs["confidence"],
                "random_state": table.attrs["random_state"],
                "agreement": [
                    {k: _json_value(v) for k, v in record.items()}
                    for record in table.to_dict(orient="records")
                ],
            }
        )
        return 0
    shown = pd.DataFrame(
        {
            "theme": table["theme_id"],
            "gold": table["n_gold"],
            "coded": table["n_coded"],
            **{
                name: [
                    _interval(v, lo, hi)
                    for v, lo, hi in zip(
                        table[name], table[f"{name}_low"], table[f"{name}_high"], strict=True
                    )
                ]
                for name in STATISTICS
            },
        }
    )
    print(
        f"{table.attrs['sheet']}: {table.attrs['n_passages']} passages coded by hand; "
        f"95% bootstrap intervals ({table.attrs['n_boot']} resamples, seed "
        f"{table.attrs['random_state']})"
    )
    print_table(shown)
    if table.attrs["n_changed"]:
        print(
            f"note: the coding of {table.attrs['n_changed']} passage(s) changed since the sheet "
            "was written (the rules or the plans changed); the figures describe the coding now"
        )
    return 0


def _interval(value: float, low: float, high: float) -> str:
    if value is None or math.isnan(value):
        return "–"
    if low is None or math.isnan(low):
        return f"{value:.2f}"
    return f"{value:.2f} [{low:.2f}, {high:.2f}]"


def _json_value(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
