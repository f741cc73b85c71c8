"""Tests of compare.structure.tables: 成果指標 and 施策体系 tables read back into tidy form."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from compare import read_corpus, segment_text, stat_indicators, stat_policy_table
from compare.errors import SegmentationWarning


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return read_corpus()


def segments(text: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SegmentationWarning)
        return segment_text(text, plan_id="t", municipality="テスト市")


def test_shimonoseki_indicators(corpus):
    table = stat_indicators(corpus)
    assert set(table["plan_id"]) == {"shimonoseki"}
    assert table["line"].tolist() == [69, 70, 71, 72]
    assert table["current_value"].tolist() == [27.5, 37.8, 51.7, 29.2]
    assert set(table["current_unit"]) == {"%"}
    assert set(table["direction"]) == {"increase"}
    assert set(table["survey"]) == {
        "平成29年度市民アンケート"
    }  # the footnote marked * in the header
    assert table["goal_no"].tolist() == [1, 1, 2, 3]  # the merged goal cell is carried down
    assert table.loc[1, "indicator"].startswith("地域の暮らしや福祉に関する情報")
    assert set(table["municipality"]) == {"下関市"}


def test_indicators_with_year_in_header_and_numeric_target():
    text = (
        "1 成果指標\n\n"
        "基本目標\t指標\t現状値（令和４年度）\t目標値（令和10年度）\n"
        "１ つながる地域\t近所付き合いがある人の割合\t52.3％\t60.0％\n"
        "\t孤立を感じる人の割合\t18.0％\t15.0％\n"
        "２ 支える人\tボランティア登録者数\t1,200人\t1,200人\n"
    )
    table = stat_indicators(segments(text))
    assert table["indicator"].tolist() == [
        "近所付き合いがある人の割合",
        "孤立を感じる人の割合",
        "ボランティア登録者数",
    ]
    assert table["survey"].tolist() == ["令和４年度"] * 3
    assert table["target_value"].tolist() == [60.0, 15.0, 1200.0]
    assert table["direction"].tolist() == ["increase", "decrease", "maintain"]
    assert table["goal_no"].tolist() == [1, 1, 2]
    assert table["current_unit"].tolist() == ["%", "%", "人"]


def test_tables_without_indicator_header_are_ignored(corpus):
    assert stat_indicators(corpus[corpus["plan_id"] != "shimonoseki"]).empty


def test_tokorozawa_policy_structure(corpus):
    table = stat_policy_table(corpus[corpus["plan_id"] == "tokorozawa-2"])
    assert table["measure_no"].tolist() == list(range(1, 12))
    assert table["measure"].iloc[0] == "相互理解・共生の推進"
    assert table["measure"].iloc[-1] == "災害時の安心・安全の仕組みづくり"
    assert table.groupby("goal_no")["measure_no"].apply(list).to_dict() == {
        1: [1, 2, 3, 4],
        2: [5, 6, 7, 8],
        3: [9, 10, 11],
    }
    assert set(table["goal_label"]) == {"基本方針"}
    assert set(table["measure_label"]) == {"基本施策"}
    assert set(table["vision"]) == {"互いの顔が見える、 地域でみまもり 支え合えるまち"}


def test_odawara_action_plans_belong_to_goals(corpus):
    table = stat_policy_table(corpus[corpus["plan_id"] == "odawara-shakyo-4"])
    assert table["measure_no"].tolist() == list(range(1, 10))
    goals = table.set_index("measure_no")["goal"]
    assert goals[2] == "重層的支援・権利擁護の推進"  # empty (merged) cell filled from above
    assert goals[8] == "相互理解と社会参加の推進"
    assert goals[9] == "大規模災害への対応"
    assert table.set_index("measure_no").loc[1, "details"].startswith("○多機関協働")
    assert set(table["measure_label"]) == {"行動計画"}


def test_three_level_policy_table():
    text = (
        "施策体系\n\n"
        "基本目標\t施策の方向\t主な取組\n"
        "1 つながる\t(1) 見守り\t見守り協定\n"
        "\t\tサロン支援\n"
        "\t(2) 交流\t多世代交流\n"
    )
    table = stat_policy_table(segments(text))
    assert table["measure"].tolist() == ["見守り協定", "サロン支援", "多世代交流"]
    assert table["policy"].tolist() == ["(1) 見守り", "(1) 見守り", "(2) 交流"]
    assert set(table["goal"]) == {"1 つながる"}
    assert set(table["policy_label"]) == {"施策の方向"}


def test_empty_input_gives_empty_tables_with_columns(corpus):
    empty = corpus.iloc[0:0]
    assert "direction" in stat_indicators(empty).columns
    assert "measure" in stat_policy_table(empty).columns
