"""Helpers shared by the sub-commands: plan lookup and output formatting."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from compare.errors import CompareError


def add_catalog_option(parser: Any) -> None:
    """Add the common ``--catalog`` option (bundled corpus by default)."""
    parser.add_argument(
        "--catalog",
        metavar="CSV",
        help="catalogue of plans (default: the bundled five-plan corpus)",
    )


def print_json(value: Any) -> None:
    """Print JSON with Japanese kept readable (no \\u escapes)."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=_json_default)
    sys.stdout.write("\n")


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_table(frame: pd.DataFrame) -> None:
    """Print a DataFrame as an aligned text table that respects East Asian widths."""
    with pd.option_context(
        "display.unicode.east_asian_width",
        True,
        "display.max_rows",
        None,
        "display.max_columns",
        None,
        "display.width",
        200,
        "display.max_colwidth",
        40,
    ):
        print(frame.to_string(index=False))


def select_plans(catalog: pd.DataFrame, plan_ids: list[str] | None) -> pd.DataFrame:
    """The catalogue rows of ``plan_ids`` (all rows when none are given).

    An unknown id is a user mistake: the error lists the ids the catalogue has.
    """
    if not plan_ids:
        return catalog
    unknown = [p for p in plan_ids if p not in set(catalog["plan_id"])]
    if unknown:
        raise CompareError(
            f"unknown plan id(s) {', '.join(unknown)}; plan ids: {', '.join(catalog['plan_id'])}"
        )
    return catalog[catalog["plan_id"].isin(plan_ids)].reset_index(drop=True)
