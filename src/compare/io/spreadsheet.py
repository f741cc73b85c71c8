"""Text that a spreadsheet never evaluates (CSV formula injection).

Plan texts and catalogues come from third parties: a field such as
``=HYPERLINK("http://…")`` written raw into a CSV becomes a live formula when
the file is opened in Excel.  Every CSV the package writes passes its text
through :func:`neutralise`, which prefixes formula-like text with a single
quote, as the OWASP guidance on CSV injection recommends.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

#: First characters that make a spreadsheet read a CSV field as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def neutralise(value: Any) -> Any:
    """A CSV field that no spreadsheet evaluates: formula-like text gets a leading quote.

    Text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return is prefixed with ``'`` unless it is a plain number (``-3.5``,
    ``+1e3``); other values are returned unchanged.  Text that already
    begins with a quote before such a character gets one more, so
    :func:`restore` can undo the change exactly.
    """
    if (
        isinstance(value, str)
        and _formula_like(value.lstrip("'"))
        and (value.startswith("'") or not _NUMBER.fullmatch(value))
    ):
        return "'" + value
    return value


def restore(value: Any) -> Any:
    """The original of a value that :func:`neutralise` changed (for reading tables back)."""
    if isinstance(value, str) and value.startswith("'") and neutralise(value[1:]) == value:
        return value[1:]
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names went through :func:`neutralise`.

    Numeric columns are left as they are; use it just before ``to_csv``.
    """
    out = frame.copy()
    out.attrs = {}
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    return out


def _formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)
