"""Readable names for plans and documents in figures and tables.

:func:`plan_names` is the one place that names a plan for a reader: figures,
table columns and the report's text all use it, so a plan reads the same
everywhere and two plans of one municipality (two editions, or the city's
plan and its 社協's) are never shown under one name.
"""

from __future__ import annotations

import pandas as pd

from compare.plot._style import shorten

_SHAKYO = "社会福祉協議会"

#: Catalogue columns that tell apart plans sharing a name, in order of preference.
DISTINGUISHERS = ("edition", "fiscal_year_start", "published", "plan_id")


def plan_names(frame: pd.DataFrame, width: int | None = None) -> list[str]:
    """A short, unique display name for each row of a table of plans or documents.

    The name is the municipality (with "（社協）" for a 社会福祉協議会 plan)
    when the table has it, so figures speak of places rather than ids.  When
    two rows would share a name, the first catalogue column whose values
    tell them apart is added: the edition (第2期), else the first fiscal year
    (2020年度), the publication date, and at last the ``plan_id``, which the
    catalogue keeps unique.  Only the municipality is ever shortened (to
    ``width`` characters); what tells plans apart is never cut.
    """
    base = (
        _column(frame, "label") or _column(frame, "plan_id") or [str(i) for i in range(len(frame))]
    )
    municipality = _column(frame, "municipality")
    author = _column(frame, "author")
    if municipality is None or any(not m for m in municipality):
        names = [_cut(b, width) for b in base]
        return _distinguish(frame, names, base)
    names = [
        _cut(m, width) + ("（社協）" if author is not None and author[i] == _SHAKYO else "")
        for i, m in enumerate(municipality)
    ]
    return _distinguish(frame, names, base)


def table_names(frame: pd.DataFrame, suffix: str = "") -> list[str]:
    """The display name of each row: the table's own ``name<suffix>`` column, else :func:`plan_names`.

    A report adds a ``name`` column (``name_a``/``name_b`` for pairs) with
    names made from the whole catalogue, so a figure showing part of the
    corpus still calls each plan what the rest of the report calls it.
    Otherwise the names come from the table's catalogue columns (with
    ``suffix`` removed: ``municipality_a`` …).
    """
    column = f"name{suffix}"
    if column in frame.columns and frame[column].notna().all():
        return [str(v) for v in frame[column]]
    if suffix:
        own = [c for c in frame.columns if str(c).endswith(suffix)]
        frame = frame[own].rename(columns=lambda c: str(c)[: -len(suffix)])
        if "plan" in frame.columns and "plan_id" not in frame.columns:
            frame = frame.rename(columns={"plan": "plan_id"})
    return plan_names(frame)


def _distinguish(frame: pd.DataFrame, names: list[str], base: list[str]) -> list[str]:
    """Add a distinguishing value to every name that two or more rows share."""
    out = list(names)
    groups: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        groups.setdefault(name, []).append(index)
    for name, rows in groups.items():
        if len(rows) < 2:
            continue
        for column in DISTINGUISHERS:
            values = _column(frame, column) if column != "plan_id" else base
            if values is None:
                continue
            chosen = [_format(column, values[i]) for i in rows]
            if all(chosen) and len(set(chosen)) == len(chosen):
                for i, value in zip(rows, chosen, strict=True):
                    out[i] = f"{name} {value}"
                break
        else:
            for i in rows:
                out[i] = f"{name} {base[i]}"
    return out


def _format(column: str, value: str) -> str:
    value = value.strip()
    if column == "fiscal_year_start" and value:
        try:
            return f"{int(float(value))}年度"
        except ValueError:
            return value
    return value


def _cut(text: str, width: int | None) -> str:
    return shorten(text, width) if width else " ".join(str(text).split())


def _column(frame: pd.DataFrame, column: str) -> list[str] | None:
    if column not in frame.columns:
        return None
    return ["" if pd.isna(v) else str(v) for v in frame[column].astype(object)]
