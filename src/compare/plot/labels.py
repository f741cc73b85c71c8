"""Readable names for plans and documents in figures."""

from __future__ import annotations

import pandas as pd

from compare.plot._style import shorten

_SHAKYO = "社会福祉協議会"


def plan_names(frame: pd.DataFrame, width: int = 16) -> list[str]:
    """A short, unique display name for each row of a table of plans or documents.

    Uses the municipality (with "（社協）" for a 社会福祉協議会 plan) when the table
    has it, so figures speak of places rather than ids; when two rows would
    share a name (two editions of one city's plan), the edition or the
    ``label``/``plan_id`` is added.
    """
    base = (
        _column(frame, "label") or _column(frame, "plan_id") or [str(i) for i in range(len(frame))]
    )
    municipality = _column(frame, "municipality")
    author = _column(frame, "author")
    if municipality is None or any(not m for m in municipality):
        return [shorten(b, width) for b in base]
    names = [
        m + ("（社協）" if author is not None and author[i] == _SHAKYO else "")
        for i, m in enumerate(municipality)
    ]
    for extra in (_column(frame, "edition"), base):
        if extra is None or len(set(names)) == len(names):
            continue
        counts = pd.Series(names).value_counts()
        names = [
            f"{n} {e}".strip() if counts[n] > 1 and e else n
            for n, e in zip(names, extra, strict=True)
        ]
    return [shorten(n, width) for n in names]


def _column(frame: pd.DataFrame, column: str) -> list[str] | None:
    if column not in frame.columns:
        return None
    return ["" if pd.isna(v) else str(v) for v in frame[column].astype(object)]
