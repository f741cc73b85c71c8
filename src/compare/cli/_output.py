"""How the sub-commands print their results: JSON for scripts, aligned tables for people."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd


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
