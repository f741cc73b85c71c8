"""Small pieces every section of the briefing uses: declared tables, notices and plan names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from compare.report.columns import TABLES
from compare.report.model import ReportTable, Section

NEED_TWO = (
    "比較には 2 つ以上の計画が必要です（この報告書の対象は {n} 件）。計画を追加してください。"
)


def report_table(
    key: str, frame: pd.DataFrame, unit_word: str = "計画", **options: Any
) -> ReportTable:
    """Table ``key`` of the report holding ``frame``, with the sheet, title, unit and
    source that :data:`compare.report.columns.TABLES` gives it.

    ``unit_word`` is what the report compares (``Corpus.unit_word``: 計画 or
    自治体), which a table of compared units names; ``options`` are the other
    fields of :class:`~compare.report.model.ReportTable` (``shown``,
    ``preview``, ``preview_rows``, or a ``title`` that says more).
    """
    spec = TABLES[key].as_compared(unit_word)
    described = {"sheet": spec.sheet, "title": spec.title, "unit": spec.unit, "source": spec.source}
    return ReportTable(key=key, frame=frame, **(described | options))


def need_two(corpus: Any, key: str, title: str) -> Section | None:
    """A notice section when ``corpus`` (anything with ``plan_ids``) has fewer than two plans."""
    if len(corpus.plan_ids) >= 2:
        return None
    return Section(key=key, title=title, notice=NEED_TWO.format(n=len(corpus.plan_ids)))


def name_plans(frame: pd.DataFrame, corpus: Any, columns: Sequence[str]) -> pd.DataFrame:
    """Add a display-name column next to each plan-id column in ``columns``
    (``corpus`` is anything with ``names``, a plan id → name mapping)."""
    out = frame.copy()
    out.attrs = {}
    for column in columns:
        if column in out.columns:
            position = out.columns.get_loc(column) + 1
            suffix = column[len("plan_id") :] if column.startswith("plan_id") else column[4:]
            out.insert(
                position,
                f"name{suffix}",
                out[column].astype(str).map(lambda p: corpus.names.get(p, p)),
            )
    return out
