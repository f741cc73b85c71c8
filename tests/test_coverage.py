"""Coverage: what each document covers, flags on pairs, comparable parts."""

from __future__ import annotations

import pandas as pd
import pytest

from compare import read_corpus
from compare.errors import AnalysisError
from compare.structure.coverage import (
    flag_coverage,
    plan_coverage,
    section_kind,
    section_kinds,
    select_section,
)
from tests.synthetic import make_segments, tokens_from_segments


@pytest.fixture(scope="module")
def segments() -> pd.DataFrame:
    return read_corpus()


def test_bundled_coverage(segments: pd.DataFrame) -> None:
    table = plan_coverage(segments).set_index("plan_id")
    assert table.loc["shimonoseki", "doc_kind"] == "excerpt"
    assert table.loc["shimonoseki", "kinds"] == ("promotion", "indicators")
    assert (
        table.loc["tokorozawa-2", "coverage"] == "概要版: 基本理念・基本目標・施策・推進体制・指標"
    )
    assert table.loc["tama-6", "kinds"] == ("goals", "measures")
    assert "vision" in table.loc["sumida", "kinds"]
    assert table.loc["sumida", "n_vision"] > 0 and table.loc["sumida", "n_promotion"] == 0


def test_paraphrases_of_a_section_kind() -> None:
    plans = {
        name: [("h", 1, heading), ("paragraph", "地域 福祉")]
        for name, heading in {
            "a": "第3章 基本目標",
            "b": "2. 計画の基本方針",
            "c": "施策の体系",
            "d": "第6章 計画の推進",
            "e": "成果指標",
        }.items()
    }
    table = plan_coverage(make_segments(plans)).set_index("plan_id")
    assert [("goals" in k) for k in table["kinds"]] == [True, True, True, False, False]
    assert table.loc["d", "kinds"] == ("promotion",)
    assert table.loc["e", "kinds"] == ("indicators",)


def test_flags_pairs_whose_coverage_differs() -> None:
    segments = make_segments(
        {
            "a": [("h", 1, "基本目標1"), ("paragraph", "防災")],
            "b": [("h", 1, "基本目標1"), ("paragraph", "防災")],
            "c": [("h", 1, "計画の推進"), ("paragraph", "防災")],
        },
        {"b": {"doc_kind": "summary"}},
    )
    coverage = plan_coverage(segments)
    pairs = pd.DataFrame({"plan_id_a": ["a", "a", "b"], "plan_id_b": ["b", "c", "c"]})
    flagged = flag_coverage(pairs, coverage)
    assert flagged["coverage_differs"].tolist() == [True, True, True]
    assert flagged["shared_sections"].tolist() == ["基本目標", "", ""]
    assert "section=" in flagged["coverage_note"].iloc[0]
    same = flag_coverage(pd.DataFrame({"plan_id_a": ["a"], "plan_id_b": ["a"]}), coverage)
    assert not same["coverage_differs"].iloc[0] and same["coverage_note"].iloc[0] == ""


def test_select_section_for_segments_and_tokens(segments: pd.DataFrame) -> None:
    goals = select_section(segments, "goals")
    assert "shimonoseki" not in set(goals["plan_id"])
    assert (
        goals["heading_path"].str.contains("基本目標|基本方針|体系").all()
        or (goals["kind"] == "heading").all()
    )
    synthetic = make_segments(
        {
            "a": [
                ("h", 1, "基本理念"),
                ("paragraph", "尊厳"),
                ("h", 1, "基本目標"),
                ("paragraph", "防災 交流"),
            ]
        }
    )
    tokens = tokens_from_segments(synthetic)
    chosen = select_section(tokens, "基本目標", segments=synthetic)
    assert list(chosen["word"]) == ["基本目標", "防災", "交流"]
    with pytest.raises(AnalysisError, match="needs the SEGMENTS table"):
        select_section(tokens, "goals")
    with pytest.raises(AnalysisError, match="Unknown section kind '序文'"):
        section_kind("序文")
    with pytest.raises(AnalysisError, match="No part of any plan lies under a 指標 heading"):
        select_section(synthetic, "indicators")


def test_section_restricts_every_comparison(segments: pd.DataFrame) -> None:
    from compare import (
        stat_ca,
        stat_keyness,
        stat_similarity,
        stat_theme_test,
        themes_wide,
        tokenize,
    )

    tokens = tokenize(segments, cache=False)
    keyness = stat_keyness(tokens, top=5, section="goals", segments=segments)
    assert "shimonoseki" not in set(keyness["plan_id"])
    goals = select_section(tokens, "goals", segments=segments)
    pd.testing.assert_frame_equal(
        keyness.reset_index(drop=True),
        stat_keyness(goals, top=5).reset_index(drop=True),
    )
    pairs = stat_similarity(tokens, pairs="unique", segments=segments, section="基本目標")
    assert set(pairs["plan_id_a"]) | set(pairs["plan_id_b"]) == {
        "sumida",
        "tama-6",
        "tokorozawa-2",
        "odawara-shakyo-4",
    }
    ca = stat_ca(tokens, by="plan", section="promotion", segments=segments, min_count=2)
    assert set(ca.columns["label"]) == {"tokorozawa-2", "shimonoseki"}
    wide = themes_wide(segments, tokens=tokens)
    test = stat_theme_test(wide, by="plan_id", section="promotion")
    assert set(test["plan_id"]) == {"tokorozawa-2", "shimonoseki"}
    with pytest.raises(AnalysisError, match="needs the SEGMENTS table"):
        stat_keyness(tokens, section="goals")


def test_the_pipeline_reports_each_plans_coverage(tmp_path) -> None:
    from compare.pipeline import run_pipeline

    result = run_pipeline(n_jobs=1, cache_dir=tmp_path, progress=False)
    expected = plan_coverage(read_corpus()).set_index("plan_id")["coverage"]
    assert dict(zip(result.plans["plan_id"], result.plans["coverage"], strict=True)) == dict(
        expected
    )


def test_section_kinds_match_within_one_heading_path() -> None:
    # 施策 split over two headings (…施 / 策…) is no 施策 heading; within one it is.
    split = make_segments({"a": [("h", 1, "第1章 実施"), ("h", 1, "策定の経過"), ("p", "本文")]})
    whole = make_segments({"a": [("h", 1, "第1章 計画"), ("h", 2, "主な施策"), ("p", "本文")]})
    assert section_kinds(split) == ()
    assert "measures" in section_kinds(whole)
    assert section_kinds(make_segments({"a": [("p", "施策")]})) == ()
