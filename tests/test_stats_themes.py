"""Theme statistics: shares, independence tests, KWIC and word association."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.stats.contingency import expected_freq

from compare import (
    read_corpus,
    segment_text,
    stat_kwic,
    stat_theme_shares,
    stat_theme_test,
    stat_word_association,
    themes_wide,
    tokenize,
)
from compare.errors import AnalysisError
from compare.stats.themes import adjusted_residuals, independence_test


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    cache = tmp_path_factory.getbasetemp() / "theme-token-cache"
    return tokenize(read_corpus(), cache_dir=cache)


@pytest.fixture(scope="module")
def segments() -> pd.DataFrame:
    return read_corpus()


@pytest.fixture(scope="module")
def wide(segments: pd.DataFrame, tokens: pd.DataFrame) -> pd.DataFrame:
    return themes_wide(segments, tokens=tokens)


def _coded_table(groups: dict[str, tuple[int, int]], n_tokens: int = 10) -> pd.DataFrame:
    """A themes_wide-shaped table: per group (segments, of which coded with 'a')."""
    rows = []
    for group, (n, coded) in groups.items():
        for i in range(n):
            rows.append(
                {
                    "plan_id": group,
                    "municipality": group,
                    "seg_id": i,
                    "level": 1 + i % 2,
                    "n_tokens": n_tokens,
                    "a": i < coded,
                }
            )
    wide = pd.DataFrame(rows)
    wide.attrs = {"themes": ["a"], "labels": {"a": "A"}}
    return wide


# --------------------------------------------------------------------------- tests vs scipy


@pytest.mark.parametrize(
    "table",
    [
        [[30, 70], [45, 55]],
        [[120, 80], [90, 110], [60, 140]],
        [[25, 25, 50], [40, 30, 30]],
    ],
)
def test_chi2_agrees_with_scipy(table: list[list[int]]) -> None:
    result = independence_test(np.array(table))
    reference = stats.chi2_contingency(np.array(table), correction=False)
    assert result["test"] == "chi2"
    assert result["chi2"] == pytest.approx(reference.statistic)
    assert result["p_value"] == pytest.approx(reference.pvalue)
    assert result["dof"] == reference.dof


def test_fisher_for_small_two_by_two() -> None:
    table = np.array([[1, 9], [6, 4]])
    result = independence_test(table)
    assert result["test"] == "fisher_exact"
    assert result["p_value"] == pytest.approx(stats.fisher_exact(table).pvalue)
    assert result["min_expected"] < 5


def test_fisher_monte_carlo_for_small_larger_tables() -> None:
    table = np.array([[3, 10], [1, 20], [0, 15], [5, 5]])
    first = independence_test(table, random_state=7)
    again = independence_test(table, random_state=7)
    assert first["test"] == "fisher_exact_monte_carlo"
    assert first["p_value"] == again["p_value"]
    method = stats.MonteCarloMethod(n_resamples=9999, rng=np.random.default_rng(7))
    assert first["p_value"] == pytest.approx(stats.fisher_exact(table, method=method).pvalue)


def test_yates_correction_is_optional() -> None:
    table = np.array([[30, 70], [45, 55]])
    corrected = independence_test(table, correction=True)
    assert corrected["chi2"] == pytest.approx(stats.chi2_contingency(table).statistic)


@pytest.mark.parametrize("table", [[[10, 20], [30, 40]], [[3, 17], [12, 8]], [[50, 5], [7, 60]]])
def test_adjusted_residuals_two_by_two_square_to_chi2(table: list[list[int]]) -> None:
    residuals = adjusted_residuals(np.array(table))
    chi2 = stats.chi2_contingency(np.array(table), correction=False).statistic
    assert np.allclose(residuals**2, chi2)
    assert residuals[0, 0] == pytest.approx(-residuals[0, 1])


def test_adjusted_residuals_by_hand() -> None:
    table = np.array([[20, 30, 50], [30, 30, 40]], dtype=float)
    expected = expected_freq(table)
    n = table.sum()
    row = table.sum(axis=1) / n
    col = table.sum(axis=0) / n
    residuals = adjusted_residuals(table)
    for i in range(2):
        for j in range(3):
            hand = (table[i, j] - expected[i, j]) / math.sqrt(
                expected[i, j] * (1 - row[i]) * (1 - col[j])
            )
            assert residuals[i, j] == pytest.approx(hand)


# --------------------------------------------------------------------------- stat_theme_test


def test_stat_theme_test_on_constructed_counts() -> None:
    wide = _coded_table({"X市": (40, 30), "Y市": (60, 15), "Z町": (50, 20)})
    result = stat_theme_test(wide)
    table = np.array([[30, 10], [15, 45], [20, 30]])
    reference = stats.chi2_contingency(table, correction=False)
    assert list(result["municipality"]) == ["X市", "Y市", "Z町"]
    assert list(result["segments"]) == [30, 15, 20]
    assert result["expected"].to_numpy() == pytest.approx(reference.expected_freq[:, 0])
    assert result["adj_residual"].to_numpy() == pytest.approx(adjusted_residuals(table)[:, 0])
    assert (result["test"] == "chi2").all()
    assert result["p_value"].iloc[0] == pytest.approx(reference.pvalue)
    assert result["chi2"].iloc[0] == pytest.approx(reference.statistic)
    assert result["adj_residual"].iloc[0] > 1.96  # X市 talks about it more than expected


def test_stat_theme_test_without_hits_says_none() -> None:
    result = stat_theme_test(_coded_table({"X市": (10, 0), "Y市": (10, 0)}))
    assert (result["test"] == "none").all()
    assert result["p_value"].isna().all()


def test_stat_theme_test_needs_two_groups() -> None:
    with pytest.raises(AnalysisError, match="at least two groups"):
        stat_theme_test(_coded_table({"X市": (10, 3)}))


def test_stat_theme_test_unknown_column() -> None:
    with pytest.raises(AnalysisError, match="cannot group by prefecture"):
        stat_theme_test(_coded_table({"X市": (10, 3), "Y市": (5, 1)}), by="prefecture")


def test_stat_theme_test_on_seeds(wide: pd.DataFrame) -> None:
    result = stat_theme_test(wide, n_resamples=999)
    assert len(result) == 15 * 5
    assert set(result["test"]) <= {"chi2", "fisher_exact", "fisher_exact_monte_carlo", "none"}
    platform = result[result["theme_id"] == "platform"].set_index("municipality")
    # the プラットフォーム chapter is 墨田区's own
    assert platform["adj_residual"].idxmax() == "墨田区"
    assert platform["p_value"].iloc[0] < 0.01
    finite = result["p_value"].dropna()
    assert ((finite >= 0) & (finite <= 1)).all()
    assert (
        result["p_adjusted"].dropna() >= result.loc[result["p_adjusted"].notna(), "p_value"]
    ).all()


# --------------------------------------------------------------------------- shares


def test_stat_theme_shares_constructed() -> None:
    wide = _coded_table({"X市": (40, 30), "Y市": (10, 1)}, n_tokens=20)
    shares = stat_theme_shares(wide).set_index("plan_id")
    assert shares.loc["X市", "segments"] == 30
    assert shares.loc["X市", "share"] == pytest.approx(0.75)
    assert shares.loc["X市", "n_tokens"] == 800
    assert shares.loc["X市", "per_1000_tokens"] == pytest.approx(30 * 1000 / 800)
    assert shares.loc["Y市", "share"] == pytest.approx(0.1)


def test_stat_theme_shares_by_level() -> None:
    wide = _coded_table({"X市": (4, 2)})
    shares = stat_theme_shares(wide, by="level").set_index("level")
    assert shares.loc[1, "segments"] == 1 and shares.loc[2, "segments"] == 1
    assert shares.loc[1, "n_segments"] == 2


def test_stat_theme_shares_on_seeds(wide: pd.DataFrame) -> None:
    shares = stat_theme_shares(wide, by=["plan_type"])
    assert set(shares["plan_type"]) == {"地域福祉計画", "地域福祉活動計画"}
    assert ((shares["share"] >= 0) & (shares["share"] <= 1)).all()
    assert shares.groupby("plan_type")["n_segments"].nunique().eq(1).all()
    total = stat_theme_shares(wide, themes=["disaster"])
    passages = wide[wide["kind"] != "heading"]
    assert total["segments"].sum() == int(passages["disaster"].sum())
    with_headings = stat_theme_shares(wide, themes=["disaster"], headings=True)
    assert with_headings["segments"].sum() == int(wide["disaster"].sum())


def test_headings_are_not_passages_unless_asked() -> None:
    """Shares and tests count paragraphs, list items and table rows; headings only on request."""
    wide = _coded_table({"X市": (6, 3), "Y市": (4, 1)}, n_tokens=5)
    # Rows 0 and 4 of X市 (rows 0-2 coded) become headings: 4 passages remain, 2 coded.
    wide["kind"] = "paragraph"
    wide.loc[[0, 4], "kind"] = "heading"
    shares = stat_theme_shares(wide).set_index("plan_id")
    assert shares.loc["X市", ["segments", "n_segments", "n_tokens"]].tolist() == [2, 4, 20]
    assert shares.loc["X市", "share"] == pytest.approx(2 / 4)
    assert shares.attrs["unit"] == "段落・箇条・表の行（見出しを除く）"
    every = stat_theme_shares(wide, headings=True).set_index("plan_id")
    assert every.loc["X市", ["segments", "n_segments", "n_tokens"]].tolist() == [3, 6, 30]
    assert every.attrs["unit"] == "段落・箇条・表の行（見出しを含む）"
    test = stat_theme_test(wide, by="plan_id").set_index("plan_id")
    assert test.loc["X市", ["segments", "n_segments"]].tolist() == [2, 4]
    assert test.loc["Y市", ["segments", "n_segments"]].tolist() == [1, 4]
    for table in (shares, every, test):
        assert (table["share"] * table["n_segments"]).round(9).eq(table["segments"]).all()


# --------------------------------------------------------------------------- KWIC


def test_kwic_for_a_term(segments: pd.DataFrame, tokens: pd.DataFrame) -> None:
    lines = stat_kwic(segments, "成年後見", width=6, tokens=tokens)
    assert list(lines["line_start"]) == [28, 63, 68]
    assert set(lines["plan_id"]) == {"odawara-shakyo-4"}
    texts = segments.set_index(["plan_id", "seg_id"])["text"]
    for row in lines.itertuples():
        assert row.match.startswith("成年後見")
        assert len(row.left) <= 6 and len(row.right) <= 6
        flat = texts.loc[(row.plan_id, row.seg_id)].replace("\n", " ").replace("\t", " ")
        assert row.left + row.match + row.right in flat


def test_kwic_for_a_theme_shows_only_evidence(segments: pd.DataFrame, tokens: pd.DataFrame) -> None:
    lines = stat_kwic(segments, "rights", plans=["sumida", "odawara-shakyo-4"], tokens=tokens)
    assert set(lines["plan_id"]) <= {"sumida", "odawara-shakyo-4"}
    words = {w for joined in lines["word"] for w in joined.split(", ")}
    assert "権利擁護" in words
    assert {"成年後見制度"} <= words
    assert not lines["match"].str.contains("連携").any()


def test_kwic_for_a_theme_gives_one_row_per_passage(
    segments: pd.DataFrame, tokens: pd.DataFrame
) -> None:
    lines = stat_kwic(segments, "rights", tokens=tokens)
    coded = themes_wide(segments, ["rights"], tokens=tokens)
    assert len(lines) == int(coded["rights"].sum())
    assert not lines.duplicated(["plan_id", "seg_id"]).any()
    # a passage with several triggering terms highlights each in one row
    many = lines[lines["word"].str.contains(", ")].iloc[0]
    for word in many["word"].split(", "):
        assert f"【{word}" in many["match"]
    texts = segments.set_index(["plan_id", "seg_id"])["text"]
    for row in lines.itertuples():
        flat = texts.loc[(row.plan_id, row.seg_id)].replace("\n", " ").replace("\t", " ")
        plain = row.match.replace("【", "").replace("】", "")
        assert row.left + plain + row.right in flat


def test_kwic_shows_text_conditions_by_their_span() -> None:
    segments = segment_text(
        "1 取組\n\n関係機関が連携して支え、地域の団体と連携して取り組みます。\n\n"
        "２ みんながつなぐおたがいさまのまち\n",
        plan_id="k",
    )
    lines = stat_kwic(segments, "collaboration").set_index("line_start")
    assert lines.loc[3, "match"] == "【連携して】支え、地域の団体と【連携して】"
    assert "text:連携して" in lines.loc[3, "word"].split(", ")
    assert lines.loc[3, "left"] == "関係機関が" and lines.loc[3, "right"] == "取り組みます。"
    slogan = stat_kwic(segments, "watching").set_index("line_start").loc[5]
    assert slogan["match"] == "【おたがいさま】" and slogan["word"] == "text:おたがいさま"


def test_kwic_unknown_plan(segments: pd.DataFrame, tokens: pd.DataFrame) -> None:
    with pytest.raises(AnalysisError, match="unknown plan_id"):
        stat_kwic(segments, "防災", plans=["nowhere"], tokens=tokens)


# --------------------------------------------------------------------------- association


def test_word_association(segments: pd.DataFrame, tokens: pd.DataFrame) -> None:
    table = stat_word_association(segments, "watching", top=None, min_count=2, tokens=tokens)
    assert not table.empty
    assert table["jaccard"].is_monotonic_decreasing
    assert ((table["jaccard"] > 0) & (table["jaccard"] <= 1)).all()
    assert table["lift"].to_numpy() == pytest.approx(
        (table["p_word_given_target"] / table["p_word"]).to_numpy()
    )
    expected_jaccard = table["co_occurrence"] / (
        table["n_target"] + table["n_word"] - table["co_occurrence"]
    )
    assert table["jaccard"].to_numpy() == pytest.approx(expected_jaccard.to_numpy())
    assert not table["word"].str.contains("見守り").any()
    assert (table["co_occurrence"] >= 2).all()


def test_word_association_for_a_term_without_hits(
    segments: pd.DataFrame, tokens: pd.DataFrame
) -> None:
    with pytest.raises(AnalysisError, match="matches no segment"):
        stat_word_association(segments, "存在しない語", tokens=tokens)
