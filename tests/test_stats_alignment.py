"""stat_goal_alignment and stat_plan_diff on constructed plans and on the bundled corpus."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare import stat_goal_alignment, stat_plan_diff
from compare.errors import AnalysisError, CompareWarning
from tests.synthetic import make_segments, tokens_from_segments

GOALS = {
    "見守り": "見守り 支え合い 声かけ 近所 孤立",
    "防災": "防災 避難 訓練 要配慮者 減災",
    "相談": "相談 支援 アウトリーチ 伴走 窓口",
    "交流": "居場所 サロン 交流 多世代 参加",
}


def plan(goals: list[tuple[str, str]], *, style: str = "numbered") -> list[tuple]:
    """A plan: an intro chapter, a goal chapter in one of several heading styles, a closing chapter."""
    segments: list[tuple] = [("h", 1, "第1章 計画の概要"), ("paragraph", "計画 地域 福祉 推進")]
    segments.append(("h", 1, "第2章 計画の基本方針" if style == "bare" else "第2章 計画の基本目標"))
    for number, (title, body) in enumerate(goals, start=1):
        heading = {
            "numbered": f"基本目標{number} {title}",
            "container": f"{number} {title}",
            "bare": f"基本方針{'ⅠⅡⅢⅣⅤ'[number - 1]}",
        }[style]
        segments.append(("h", 2, heading))
        if style == "bare":
            segments.append(("paragraph", f"{title} づくり"))
        segments.append(("paragraph", body))
    segments += [("h", 1, "第3章 計画の推進"), ("paragraph", "評価 進捗 管理")]
    return segments


@pytest.fixture
def twins() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plan y is plan x with its goals in another order and one word changed in each."""
    x = [(k, v) for k, v in GOALS.items()]
    y = [(k, v.replace(v.split()[-1], "新規")) for k, v in reversed(list(GOALS.items()))]
    segments = make_segments({"x": plan(x), "y": plan(y, style="container")})
    return segments, tokens_from_segments(segments)


def test_near_identical_plans_align_perfectly(twins: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    segments, tokens = twins
    table = stat_goal_alignment(segments, tokens)
    assert table["status"].tolist() == ["matched"] * 4
    titles = list(zip(table["title_a"], table["title_b"], strict=True))
    # titles come from the plan model: without the label and number
    assert titles == [
        ("見守り", "見守り"),
        ("防災", "防災"),
        ("相談", "相談"),
        ("交流", "交流"),
    ]
    assert (table["similarity"] > 0.5).all()
    assert table["goal_b"].tolist() == [4, 3, 2, 1]
    shared = table.set_index("goal_a")["shared_words"]
    assert "避難" in shared[2] and "新規" not in shared[2].split(", ")[:1]
    assert (
        table["municipality_a"].iloc[0] == "x市" and table["plan_type_b"].iloc[0] == "地域福祉計画"
    )


@settings(max_examples=10, deadline=None)
@given(st.permutations(list(GOALS)))
def test_identical_goals_in_any_order_match_their_twins(order: list[str]) -> None:
    segments = make_segments(
        {
            "x": plan(list(GOALS.items())),
            "y": plan([(k, GOALS[k]) for k in order], style="container"),
        }
    )
    table = stat_goal_alignment(segments, tokens_from_segments(segments))
    assert (table["status"] == "matched").all()
    for title_a, title_b, similarity in zip(
        table["title_a"], table["title_b"], table["similarity"], strict=True
    ):
        assert title_a.split()[-1] == title_b.split()[-1]
        assert similarity > 0.8  # only the heading numbers differ


def test_goals_one_plan_lacks_are_reported() -> None:
    x = list(GOALS.items())
    y = [(k, v) for k, v in GOALS.items() if k != "防災"]
    segments = make_segments({"x": plan(x), "y": plan(y)})
    table = stat_goal_alignment(segments, tokens_from_segments(segments))
    assert table["status"].tolist() == ["matched", "matched", "matched", "only_a"]
    lost = table[table["status"] == "only_a"].iloc[0]
    assert lost["title_a"] == "防災"
    assert pd.isna(lost["goal_b"])
    assert lost["similarity"] < 0.1


@pytest.mark.parametrize(
    ("style", "rule", "title"),
    [
        ("numbered", "headings starting with 基本目標", "基本目標1 見守り"),
        ("container", "sub-headings of「第2章 計画の基本目標」", "1 見守り"),
        ("bare", "headings starting with 基本方針", "基本方針Ⅰ 見守り づくり"),
    ],
)
def test_goal_level_is_found_per_plan(style: str, rule: str, title: str) -> None:
    segments = make_segments({"x": plan(list(GOALS.items()), style=style), "y": plan([])})
    from compare.stats.alignment import find_goals

    goals = find_goals(segments, "x")
    assert len(goals) == 4
    assert goals["rule"].iloc[0] == rule
    assert goals["title"].iloc[0] == title
    assert (goals["level"] == 2).all()
    # a goal's subtree ends at the next goal or at the closing chapter
    assert goals["n_segments"].tolist() == [3 if style == "bare" else 2] * 4


def test_level_can_be_overridden() -> None:
    segments = make_segments({"x": plan(list(GOALS.items())), "y": plan(list(GOALS.items()))})
    tokens = tokens_from_segments(segments)
    chapters = stat_goal_alignment(segments, tokens, level={"x": 1, "y": 1})
    assert len(chapters) == 3
    assert chapters["title_a"].tolist() == [
        "第1章 計画の概要",
        "第2章 計画の基本目標",
        "第3章 計画の推進",
    ]
    custom = stat_goal_alignment(segments, tokens, goal_pattern="第[0-9]章")
    assert custom["title_a"].tolist() == chapters["title_a"].tolist()


def test_all_pairs_of_three_plans() -> None:
    items = list(GOALS.items())
    segments = make_segments({"x": plan(items), "y": plan(items[:3]), "z": plan(items[1:])})
    table = stat_goal_alignment(segments, tokens_from_segments(segments))
    pairs = list(dict.fromkeys(zip(table["plan_a"], table["plan_b"], strict=True)))
    assert pairs == [("x", "y"), ("x", "z"), ("y", "z")]
    assert len(table.attrs["goals"]) == 4 + 3 + 3


def test_bad_input() -> None:
    no_goals = [
        ("h", 1, "第6章 計画の推進"),
        ("paragraph", "市民 役割"),
        ("h", 2, "(1) 市民の役割"),
    ]
    segments = make_segments({"x": plan(list(GOALS.items())), "w": no_goals})
    tokens = tokens_from_segments(segments)
    # a plan without goals is left out; with one plan left there is nothing to align
    with pytest.raises(AnalysisError, match=r"left out: w: no 基本目標 .*level="):
        stat_goal_alignment(segments, tokens)
    with pytest.raises(AnalysisError, match=r"left out: .*w: Plan 'w' has no goal-level headings"):
        stat_goal_alignment(segments, tokens, goal_pattern="基本目標")
    with pytest.raises(AnalysisError, match="at least two plans"):
        stat_goal_alignment(segments, tokens, plans=["x"])
    with pytest.raises(AnalysisError, match="Plan 'q' is not in the SEGMENTS table"):
        stat_goal_alignment(segments, tokens, plans=["x", "q"])
    with pytest.raises(AnalysisError, match=r"no heading at level 5.*\[1, 2\]"):
        stat_goal_alignment(segments, tokens, level=5)
    # the override rescues the plan without goal headings
    rescued = stat_goal_alignment(segments, tokens, level={"w": 2})
    assert set(rescued["status"]) <= {"matched", "only_a", "only_b"}


def test_deterministic(twins: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    segments, tokens = twins
    pd.testing.assert_frame_equal(
        stat_goal_alignment(segments, tokens), stat_goal_alignment(segments, tokens)
    )
    hits = pd.DataFrame({"plan_id": ["x"], "seg_id": [3], "theme_id": ["watching"]})
    first = stat_plan_diff(segments, "x", "y", tokens=tokens, hits=hits)
    second = stat_plan_diff(segments, "x", "y", tokens=tokens, hits=hits)
    for name in ("themes", "words", "goals"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))


EDITION_1 = [("見守り", GOALS["見守り"]), ("防災", GOALS["防災"])]
EDITION_2 = [("見守り", GOALS["見守り"] + " 見守り 見守り"), ("相談", GOALS["相談"])]


def test_plan_diff_words_themes_goals() -> None:
    segments = make_segments({"old": plan(EDITION_1), "new": plan(EDITION_2)})
    tokens = tokens_from_segments(segments)
    hits = pd.DataFrame(
        {
            "plan_id": ["old", "old", "new", "new"],
            "seg_id": [6, 4, 4, 6],
            "theme_id": ["disaster", "watching", "watching", "consultation"],
            "label": ["防災・減災", "見守り・支え合い", "見守り・支え合い", "相談支援"],
        }
    )
    diff = stat_plan_diff(segments, "old", "new", tokens=tokens, hits=hits, min_count=1)
    words = diff.words.set_index("word")
    assert words.loc["相談", "status"] == "new" and words.loc["相談", "count_a"] == 0
    assert words.loc["避難", "status"] == "dropped" and words.loc["避難", "count_b"] == 0
    assert words.loc["見守り", "status"] == "increased"
    assert words.loc["見守り", "change"] > 0 and words.loc["見守り", "g2"] > 0
    total_b = diff.words["count_b"].sum()
    assert words.loc["見守り", "per1000_b"] == pytest.approx(
        words.loc["見守り", "count_b"] * 1000 / total_b
    )
    order = diff.words["status"].tolist()
    assert order == sorted(order, key=["new", "dropped", "increased", "decreased", "same"].index)

    themes = diff.themes.set_index("theme_id")
    assert themes.loc["consultation", "status"] == "gained"
    assert themes.loc["disaster", "status"] == "lost"
    assert themes.loc["consultation", "label"] == "相談支援"
    assert themes.loc["watching", "share_a"] == pytest.approx(
        1 / len(segments[segments.plan_id == "old"])
    )
    assert diff.themes["change"].is_monotonic_decreasing

    goals = diff.goals
    assert goals["status"].tolist() == ["matched", "only_a", "only_b"]
    assert goals.iloc[0]["title_a"] == "見守り"
    assert goals.iloc[0]["change"] == pytest.approx(1 - goals.iloc[0]["similarity"])


def test_plan_diff_bad_input_and_missing_goals() -> None:
    no_goals = [("h", 1, "第6章 計画の推進"), ("paragraph", "市民 役割 見守り")]
    segments = make_segments({"old": plan(EDITION_1), "w": no_goals})
    tokens = tokens_from_segments(segments)
    hits = pd.DataFrame({"plan_id": ["old"], "seg_id": [4], "theme_id": ["watching"]})
    with pytest.raises(AnalysisError, match="two different plans"):
        stat_plan_diff(segments, "old", "old", tokens=tokens, hits=hits)
    with pytest.raises(AnalysisError, match="Plan 'zz' is not in the SEGMENTS table"):
        stat_plan_diff(segments, "old", "zz", tokens=tokens, hits=hits)
    with pytest.warns(CompareWarning, match="no 基本目標 in its plan model"):
        diff = stat_plan_diff(segments, "old", "w", tokens=tokens, hits=hits)
    assert diff.goals.empty and not diff.words.empty
    assert "w: no 基本目標" in diff.params["skipped"]


@pytest.fixture(scope="module")
def corpus() -> tuple[pd.DataFrame, pd.DataFrame]:
    segment = pytest.importorskip("compare.structure.segment")
    tokenize = pytest.importorskip("compare.text.tokenizer")
    segments = segment.read_corpus()
    return segments, tokenize.tokenize(segments)


@pytest.mark.parametrize(
    ("plan_id", "n_goals"),
    [("sumida", 4), ("tama-6", 3), ("tokorozawa-2", 3), ("odawara-shakyo-4", 4)],
)
def test_bundled_goals(
    corpus: tuple[pd.DataFrame, pd.DataFrame], plan_id: str, n_goals: int
) -> None:
    from compare.stats.alignment import find_goals

    goals = find_goals(corpus[0], plan_id)
    assert len(goals) == n_goals


def test_bundled_alignment(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    segments, tokens = corpus
    plans = ["sumida", "tama-6", "tokorozawa-2", "odawara-shakyo-4"]
    table = stat_goal_alignment(segments, tokens, plans=plans)
    assert len(set(zip(table["plan_a"], table["plan_b"], strict=True))) == 6
    matched = table[table["status"] == "matched"]
    assert matched["similarity"].between(0.1, 1).all()
    assert (matched["shared_words"] != "").all()
    # 小田原's goal 4 (災害を軽減する…) and 墨田's goal 1 (…防犯・防災対策…) both address disasters
    # the default call aligns every bundled plan (下関市's goals come from its indicator table)
    every = stat_goal_alignment(segments, tokens)
    assert every.attrs["skipped"] == {} and every.attrs["notice"] == ""
    assert len(set(zip(every["plan_a"], every["plan_b"], strict=True))) == 10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        diff = stat_plan_diff(segments, "sumida", "odawara-shakyo-4", tokens=tokens)
    assert {"new", "dropped"} <= set(diff.words["status"])
    assert len(diff.goals) >= 4


def test_a_plan_without_goals_is_skipped_with_a_notice() -> None:
    no_goals = [("h", 1, "第6章 計画の推進"), ("paragraph", "市民 役割 見守り")]
    items = list(GOALS.items())
    segments = make_segments({"x": plan(items), "w": no_goals, "y": plan(items[:3])})
    table = stat_goal_alignment(segments, tokens_from_segments(segments), theme_weight=0)
    assert list(dict.fromkeys(zip(table["plan_a"], table["plan_b"], strict=True))) == [("x", "y")]
    assert list(table.attrs["skipped"]) == ["w"]
    assert "no 基本目標" in table.attrs["skipped"]["w"]
    assert table.attrs["notice"].startswith("Left out of the 基本目標 alignment: w (")


def test_theme_profiles_decide_between_goals_with_no_shared_words() -> None:
    # Goal words never overlap across the two plans; only the theme profiles tell them apart.
    x = [("見守り", "見守り 声かけ"), ("防災", "避難 訓練")]
    y = [("つながり", "近所 挨拶"), ("備え", "減災 要配慮者")]
    segments = make_segments({"x": plan(x), "y": plan(y)})
    tokens = tokens_from_segments(segments)
    body = segments.loc[segments["kind"] == "paragraph"]
    theme_of = {"見守り 声かけ": "watching", "近所 挨拶": "watching"}
    hits = pd.DataFrame(
        [
            {"plan_id": p, "seg_id": s, "theme_id": theme_of.get(t, "disaster")}
            for p, s, t in zip(body["plan_id"], body["seg_id"], body["text"], strict=True)
            if t in theme_of or t in ("避難 訓練", "減災 要配慮者")
        ]
    )
    table = stat_goal_alignment(segments, tokens, hits=hits, theme_weight=0.5, min_similarity=0.2)
    matched = table.loc[table["status"] == "matched"]
    pairs = set(zip(matched["title_a"], matched["title_b"], strict=True))
    assert pairs == {("見守り", "つながり"), ("防災", "備え")}
    assert (matched["text_similarity"] < 0.2).all()
    assert matched["theme_similarity"].tolist() == pytest.approx([1.0, 1.0])
    assert set(matched["shared_themes"]) == {"watching", "disaster"}
    with pytest.raises(AnalysisError, match="theme_weight must be between 0 and 1"):
        stat_goal_alignment(segments, tokens, hits=hits, theme_weight=2)
    with pytest.raises(AnalysisError, match="Unknown level '目的'"):
        stat_goal_alignment(segments, tokens, level="目的")


def test_policies_are_aligned_within_matched_goals() -> None:
    text_a = (
        "基本目標1 地域の見守り\n\n基本方針 1 見守り活動の推進\n\n2 防災訓練の充実\n\n"
        "基本目標2 相談体制\n\n基本方針 1 総合相談の充実\n"
    )
    text_b = (
        "基本目標1 相談の充実\n\n基本方針 1 総合相談の体制整備\n\n"
        "基本目標2 地域の支え合い\n\n基本方針 1 災害時の避難支援と防災訓練\n\n2 支えあいと見守り活動\n"
    )
    from compare import segment_text

    segments = pd.concat(
        [segment_text(text_a, plan_id="a"), segment_text(text_b, plan_id="b")], ignore_index=True
    )
    table = stat_goal_alignment(segments, theme_weight=0)
    policies = table.attrs["policies"]
    matched = policies.loc[policies["status"] == "matched"]
    pairs = set(zip(matched["title_a"], matched["title_b"], strict=True))
    assert ("見守り活動の推進", "支えあいと見守り活動") in pairs
    assert ("防災訓練の充実", "災害時の避難支援と防災訓練") in pairs
    assert ("総合相談の充実", "総合相談の体制整備") in pairs
    row = matched.loc[matched["title_a"] == "総合相談の充実"].iloc[0]
    assert (row["within_a"], row["within_b"]) == (2, 1)
    assert set(policies["level"]) == {"基本方針"}


def test_spelling_variants_count_as_one_word() -> None:
    from compare import segment_text

    a = segment_text("基本目標1 支えあいの地域\n\n本文\n\n基本目標2 防犯\n\n本文\n", plan_id="a")
    b = segment_text("基本目標1 支え合いの地域\n\n本文\n\n基本目標2 避難\n\n本文\n", plan_id="b")
    table = stat_goal_alignment(pd.concat([a, b], ignore_index=True), theme_weight=0)
    first = table.loc[table["title_a"] == "支えあいの地域"].iloc[0]
    assert first["title_b"] == "支え合いの地域"
    assert "支え合い" in first["shared_words"]


def test_policy_matrix_names_the_goals_about_each_theme(
    corpus: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    from compare import stat_policy_matrix

    matrix = stat_policy_matrix(corpus[0])
    assert len(matrix) == 5 * matrix["theme_id"].nunique()
    assert matrix["theme_id"].iloc[:3].tolist() == ["platform", "multilayer_support", "disaster"]
    cell = matrix.set_index(["plan_id", "theme_id"])["titles"]
    # read from the texts: each of these goals is about the theme
    assert cell[("odawara-shakyo-4", "disaster")] == "大規模災害への対応"
    assert "重層的支援・権利擁護の推進" in cell[("odawara-shakyo-4", "multilayer_support")]
    assert "重層的支援・権利擁護の推進" in cell[("odawara-shakyo-4", "rights")]
    assert cell[("tokorozawa-2", "disaster")].startswith("安心・安全に地域で生活できる環境づくり")
    assert "区民が安心して暮らせる福祉のまちをつくる" in cell[("sumida", "disaster")]
    assert "見守り・支え合いのネットワークづくり" in cell[("tama-6", "multilayer_support")]
    # 多摩区 has no goal about 防災 (its 防災 is one example of information to share)
    assert cell[("tama-6", "disaster")] == ""
    assert matrix.attrs["skipped"] == {}


def test_policy_matrix_counts_policies_under_other_goals() -> None:
    from compare import segment_text, stat_policy_matrix

    text = (
        "基本目標1 地域のつながり\n\n基本方針 1 災害時の避難支援\n\n2 交流の場づくり\n\n"
        "基本目標2 防災の推進\n\n本文です。\n"
    )
    segments = segment_text(text, plan_id="a")
    hits = pd.DataFrame({"plan_id": [], "seg_id": [], "theme_id": []})
    matrix = stat_policy_matrix(segments, hits=hits).set_index("theme_id")
    disaster = matrix.loc["disaster"]
    # goal 2's own title is about 防災; goal 1 only through its policy
    assert disaster["n_goals"] == 1 and disaster["n_policies"] == 1
    assert disaster["titles"] == "地域のつながり（災害時の避難支援）／防災の推進"
