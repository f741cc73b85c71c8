"""The declarative table of a report section: sheet, title and description by key."""

from __future__ import annotations

import pandas as pd
import pytest

from compare.report.columns import TABLES
from compare.report.parts import report_table

FRAME = pd.DataFrame({"plan_id": ["a", "b"], "dim1": [0.5, -0.5]})


@pytest.mark.parametrize(
    ("key", "unit_word", "sheet", "title", "unit", "source"),
    [
        (
            "ca_columns",
            "計画",
            "対応分析_計画",
            "計画の座標",
            "1 行 = 1 計画",
            "計画 × 語の頻度表の対応分析",
        ),
        (
            "ca_columns",
            "自治体",
            "対応分析_自治体",
            "自治体の座標",
            "1 行 = 1 自治体",
            "自治体 × 語の頻度表の対応分析",
        ),
        (
            "similarity_neighbours",
            "自治体",
            "類似度_近い順",
            "各自治体に最も似た自治体",
            "1 行 = 自治体ごとの似ている相手 1 件",
            "自治体本文の語の頻度（TF-IDF のコサイン類似度の上位）",
        ),
        # Rows are plans whatever is compared: 計画 stays.
        (
            "theme_shares",
            "自治体",
            "テーマ割合",
            "テーマ別の割合（全体）",
            "1 行 = 計画ごとの 1 テーマ",
            "テーマ定義の規則による段落の判定",
        ),
    ],
)
def test_a_table_is_described_by_its_key_in_the_compared_unit(
    key, unit_word, sheet, title, unit, source
):
    table = report_table(key, FRAME, unit_word, shown=False)
    assert (table.key, table.sheet, table.title, table.unit, table.source) == (
        key,
        sheet,
        title,
        unit,
        source,
    )
    assert table.frame is FRAME
    assert table.shown is False


def test_options_override_the_catalogue_and_keep_the_table_defaults():
    table = report_table("theme_segments", FRAME, title="段落ごとのテーマ判定（本文を読んだ計画）")
    assert table.title == "段落ごとのテーマ判定（本文を読んだ計画）"
    assert table.sheet == "テーマ判定_段落"
    assert (table.shown, table.preview, table.preview_rows) == (True, None, 12)


def test_an_unknown_table_key_fails_by_name():
    with pytest.raises(KeyError, match="no_such_table"):
        report_table("no_such_table", FRAME)


def test_every_sheet_name_is_unique_and_fits_a_workbook():
    sheets = [spec.sheet for spec in TABLES.values()]
    assert len(set(sheets)) == len(sheets)
    assert all(0 < len(sheet) <= 31 for sheet in sheets)
