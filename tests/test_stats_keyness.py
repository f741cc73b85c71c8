"""stat_keyness: G², χ², log ratio, one-vs-rest and two groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency

from compare import stat_keyness
from compare.errors import AnalysisError
from tests.synthetic import make_tokens

COMMON = "地域 福祉 支え合い 相談 見守り "


@pytest.fixture
def tokens() -> pd.DataFrame:
    return make_tokens(
        {
            "a": [COMMON * 3 + "協治 " * 6, COMMON + "防災"],
            "b": [COMMON * 4 + "防災 防災", "相談 相談"],
            "c": [COMMON * 2 + "居場所 居場所 居場所"],
        },
        {"c": {"municipality": "b市"}},
    )


def test_word_only_in_one_plan_tops_its_keyness(tokens: pd.DataFrame) -> None:
    table = stat_keyness(tokens)
    top = table[table["target"] == "a"].iloc[0]
    assert top["word"] == "協治"
    assert top["rank"] == 1
    assert top["count_target"] == 6 and top["count_reference"] == 0
    assert top["direction"] == "target"
    assert table[table["target"] == "c"].iloc[0]["word"] == "居場所"


def test_one_vs_rest_covers_each_group_in_order(tokens: pd.DataFrame) -> None:
    table = stat_keyness(tokens)
    assert list(dict.fromkeys(table["target"])) == ["a", "b", "c"]
    assert set(table["reference"]) == {"(rest)"}
    assert set(table.loc[table["target"] == "b", "municipality"]) == {"b市"}
    rank = table.groupby("target")["rank"].apply(lambda r: r.tolist() == list(range(1, len(r) + 1)))
    assert rank.all()


def test_statistics_match_scipy(tokens: pd.DataFrame) -> None:
    table = stat_keyness(tokens, target="a", reference="b")
    for row in table.itertuples():
        observed = np.array(
            [
                [row.count_target, row.total_target - row.count_target],
                [row.count_reference, row.total_reference - row.count_reference],
            ]
        )
        g2, *_ = chi2_contingency(observed, correction=False, lambda_="log-likelihood")
        chi2, *_ = chi2_contingency(observed, correction=False)
        assert abs(row.g2) == pytest.approx(g2)
        assert abs(row.chi2) == pytest.approx(chi2)
        assert np.sign(row.g2) == (1 if row.direction == "target" else -1)


def test_yates_correction_matches_scipy(tokens: pd.DataFrame) -> None:
    row = stat_keyness(tokens, target="a", reference="b", yates=True).iloc[0]
    observed = np.array(
        [
            [row.count_target, row.total_target - row.count_target],
            [row.count_reference, row.total_reference - row.count_reference],
        ]
    )
    chi2, *_ = chi2_contingency(observed, correction=True)
    assert abs(row.chi2) == pytest.approx(chi2)


def test_rates_and_log_ratio(tokens: pd.DataFrame) -> None:
    table = stat_keyness(tokens, target="a", reference="b").set_index("word")
    total_a, total_b = table["total_target"].iloc[0], table["total_reference"].iloc[0]
    assert total_a == 5 * 4 + 6 + 1 and total_b == 5 * 4 + 2 + 2
    assert table.loc["防災", "per1000_target"] == pytest.approx(1000 / total_a)
    assert table.loc["防災", "per1000_reference"] == pytest.approx(2000 / total_b)
    # zero counts are replaced by 0.5 in the log ratio
    expected = np.log2((6 / total_a) / (0.5 / total_b))
    assert table.loc["協治", "log_ratio"] == pytest.approx(expected)


def test_two_groups_are_antisymmetric(tokens: pd.DataFrame) -> None:
    ab = stat_keyness(tokens, target="a", reference="b").set_index("word")
    ba = stat_keyness(tokens, target="b", reference="a").set_index("word")
    assert set(ab.index) == set(ba.index)
    for word in ab.index:
        assert ab.loc[word, "g2"] == pytest.approx(-ba.loc[word, "g2"])
    assert ab["reference"].iloc[0] == "b"


def test_group_lists_and_other_columns(tokens: pd.DataFrame) -> None:
    table = stat_keyness(tokens, by="municipality", target="b市")
    assert table["target"].iloc[0] == "b市" and table["reference"].iloc[0] == "(rest)"
    merged = stat_keyness(tokens, target=["b", "c"], reference="a")
    assert merged["target"].iloc[0] == "b+c"
    assert merged["word"].iloc[0] == "居場所"


def test_top_and_min_count(tokens: pd.DataFrame) -> None:
    assert stat_keyness(tokens, top=2).groupby("target").size().tolist() == [2, 2, 2]
    table = stat_keyness(tokens, min_count=10)
    assert (table["count_target"] + table["count_reference"] >= 10).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "author"}, "at least two groups"),
        ({"target": "zz"}, "target='zz' is not a group"),
        ({"target": "a", "reference": "a"}, "both target and reference"),
        ({"reference": "a"}, "reference= needs target="),
        ({"target": ["a", "b", "c"]}, "reference corpus is empty"),
        ({"by": "city"}, "Unknown grouping column 'city'"),
        ({"sort_by": "pmi"}, "Unknown sort_by"),
    ],
)
def test_bad_input(tokens: pd.DataFrame, kwargs: dict, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        stat_keyness(tokens, **kwargs)


def test_deterministic(tokens: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(stat_keyness(tokens), stat_keyness(tokens))


def test_sparse_counts_in_blocks_of_rows_give_the_same_over_used_words() -> None:
    """Keyness of a count matrix (non-zero cells, blocks of 64 rows) is that of the tokens."""
    from compare import stat_dtm

    rng = np.random.default_rng(0)
    words = ["地域", "福祉", "防災", "相談", "見守り", "居場所", "協治", "交流"]
    weights = np.array([8, 6, 3, 3, 2, 1, 1, 1]) / 25
    plans = {f"p{i:02d}": [" ".join(rng.choice(words, 15, p=weights))] for i in range(70)}
    tokens = make_tokens(plans)
    dtm = stat_dtm(tokens, "plan")
    sparse = stat_keyness(dtm, "plan", min_count=2)
    dense = stat_keyness(tokens, "plan", min_count=2)
    sparse = sparse[(sparse["direction"] == "target") & (sparse["rank"] <= 3)]
    dense = dense[(dense["direction"] == "target") & (dense["rank"] <= 3)]
    assert sparse["target"].nunique() > 64  # more than one block
    sparse.attrs, dense.attrs = {}, {}
    pd.testing.assert_frame_equal(sparse.reset_index(drop=True), dense.reset_index(drop=True))


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.sampled_from(["地域", "福祉", "防災", "協治"]), min_size=1, max_size=30),
    st.lists(st.sampled_from(["地域", "福祉", "相談", "協治"]), min_size=1, max_size=30),
)
def test_invariants(words_a: list[str], words_b: list[str]) -> None:
    table = stat_keyness(make_tokens({"a": [" ".join(words_a)], "b": [" ".join(words_b)]}))
    assert table["p_value"].between(0, 1).all()
    over = table["per1000_target"] >= table["per1000_reference"]
    assert (table.loc[over, "g2"] >= 0).all() and (table.loc[~over, "g2"] <= 0).all()
    assert (table["direction"].eq("target") == over).all()
    for _, group in table.groupby("target"):
        assert group["keyness"].is_monotonic_decreasing


def test_bundled_corpus(corpus_tokens: pd.DataFrame) -> None:
    table = stat_keyness(corpus_tokens, top=10)
    assert list(dict.fromkeys(table["plan_id"])) == [
        "sumida",
        "tama-6",
        "tokorozawa-2",
        "odawara-shakyo-4",
        "shimonoseki",
    ]
    assert (table["direction"] == "target").all()
    assert (table["g2"] > 0).all()
    assert set(table["municipality"]) >= {"墨田区", "下関市"}
    by_type = stat_keyness(corpus_tokens, by="plan_type", target="地域福祉活動計画")
    assert set(by_type["target"]) == {"地域福祉活動計画"}
    assert set(by_type["reference"]) == {"(rest)"}
    assert by_type["plan_id"].iloc[0] == "odawara-shakyo-4"  # the only 社協 plan


@pytest.fixture(scope="module")
def corpus_tokens() -> pd.DataFrame:
    segment = pytest.importorskip("compare.structure.segment")
    tokenize = pytest.importorskip("compare.text.tokenizer")
    return tokenize.tokenize(segment.read_corpus())
