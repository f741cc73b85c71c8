"""stat_ca: correspondence analysis checked against a textbook example and CA's identities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import chi2_contingency

from compare import stat_ca
from compare.errors import AnalysisError
from tests.synthetic import make_tokens

# Greenacre's smoking data (staff group × smoking), Correspondence Analysis in Practice.
SMOKING = pd.DataFrame(
    [[4, 2, 3, 2], [4, 3, 7, 4], [25, 10, 12, 4], [18, 24, 33, 13], [10, 6, 7, 2]],
    index=["SM", "JM", "SE", "JE", "SC"],
    columns=["none", "light", "medium", "heavy"],
)


def test_textbook_principal_inertias() -> None:
    result = stat_ca(SMOKING)
    # published: 0.07476, 0.01002, 0.00041; total 0.08519 (87.8% and 11.8%)
    np.testing.assert_allclose(result.inertia["eigenvalue"], [0.07476, 0.01002, 0.00041], atol=5e-5)
    assert result.total_inertia == pytest.approx(0.08519, abs=5e-5)
    assert result.inertia["share"].iloc[0] == pytest.approx(0.878, abs=1e-3)
    assert result.inertia["cumulative"].iloc[-1] == pytest.approx(1.0)


def test_textbook_coordinates() -> None:
    rows = stat_ca(SMOKING).rows.set_index("label")
    # published row principal coordinates (signs are arbitrary in CA)
    expected = {"SM": (-0.066, 0.194), "JM": (0.259, 0.243), "SE": (-0.381, 0.011),
                "JE": (0.233, -0.058), "SC": (-0.201, -0.079)}  # fmt: skip
    for label, (dim1, dim2) in expected.items():
        assert abs(rows.loc[label, "dim1"]) == pytest.approx(abs(dim1), abs=1e-3)
        assert abs(rows.loc[label, "dim2"]) == pytest.approx(abs(dim2), abs=1e-3)


def test_total_inertia_is_chi2_over_n() -> None:
    chi2, *_ = chi2_contingency(SMOKING.to_numpy(), correction=False)
    result = stat_ca(SMOKING)
    assert result.total_inertia == pytest.approx(chi2 / SMOKING.to_numpy().sum())
    assert result.inertia["eigenvalue"].sum() == pytest.approx(result.total_inertia)


@settings(max_examples=30, deadline=None)
@given(arrays(np.int64, (4, 3), elements=st.integers(1, 40)))
def test_identities(table: np.ndarray) -> None:
    frame = pd.DataFrame(table, index=list("pqrs"), columns=list("xyz"))
    result = stat_ca(frame, n_components=2)
    assume(result.total_inertia > 1e-9)  # an independent table has no structure to show
    rows, cols = result.rows, result.columns
    eigen = result.inertia["eigenvalue"].to_numpy()
    for side in (rows, cols):
        assert side["mass"].sum() == pytest.approx(1.0)
        assert side["inertia"].sum() == pytest.approx(1.0)
        for d in (1, 2):
            if eigen[d - 1] > 1e-12:
                assert side[f"ctr{d}"].sum() == pytest.approx(1.0)
                # principal coordinates are centred at the weighted origin
                assert (side["mass"] * side[f"dim{d}"]).sum() == pytest.approx(0.0, abs=1e-9)
    # transition formula: rows are weighted averages of column standard coordinates
    profiles = table / table.sum(axis=1, keepdims=True)
    for d in (1, 2):
        if eigen[d - 1] > 1e-10:
            standard = cols[f"dim{d}"].to_numpy() / np.sqrt(eigen[d - 1])
            np.testing.assert_allclose(profiles @ standard, rows[f"dim{d}"], atol=1e-8)


def test_words_by_municipality_carry_labels() -> None:
    tokens = make_tokens(
        {
            "a": ["防災 避難 訓練 防災 地域"],
            "b": ["相談 支援 権利擁護 相談 地域"],
            "c": ["交流 居場所 サロン 交流 地域"],
        }
    )
    result = stat_ca(tokens, "municipality", min_count=1)
    assert result.columns["label"].tolist() == ["a市", "b市", "c市"]
    assert "municipality" in result.columns.columns
    assert "地域" in set(result.rows["label"])
    assert len(result.inertia) == 2
    both = result.coordinates
    assert set(both["side"]) == {"row", "column"}
    # 防災 sits with plan a, far from plan b
    rows, cols = result.rows.set_index("label"), result.columns.set_index("label")
    point = rows.loc["防災", ["dim1", "dim2"]].to_numpy(dtype=float)
    distance = {c: np.linalg.norm(point - cols.loc[c, ["dim1", "dim2"]].to_numpy(dtype=float))
                for c in cols.index}  # fmt: skip
    assert min(distance, key=distance.get) == "a市"


def test_max_words_and_min_count() -> None:
    tokens = make_tokens({"a": ["防災 防災 防災 地域 訓練"], "b": ["相談 相談 地域 地域 訓練"]})
    result = stat_ca(tokens, "plan", min_count=2, max_words=2)
    assert result.rows["label"].tolist() == ["地域", "防災"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pd.DataFrame({"x": [1, 2]}, index=["p", "q"]), "at least two non-empty rows and columns"),
        (pd.DataFrame({"x": [1, -2], "y": [3, 4]}), "negative counts"),
        (pd.DataFrame({"x": ["a", "b"], "y": [3, 4]}), "numbers only"),
        (pd.DataFrame({"x": [1.0, np.nan], "y": [3, 4]}), "missing or infinite"),
    ],
)
def test_bad_tables(table: pd.DataFrame, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        stat_ca(table)


def test_bad_token_input() -> None:
    tokens = make_tokens({"a": ["防災 地域"], "b": ["相談 地域"]})
    with pytest.raises(AnalysisError, match="at least two groups"):
        stat_ca(tokens, "author", min_count=1)
    with pytest.raises(AnalysisError, match="Unknown grouping column 'city'"):
        stat_ca(tokens, "city")
    with pytest.raises(AnalysisError, match="lower min_count"):
        stat_ca(tokens, "plan", min_count=10)


def test_deterministic() -> None:
    first, second = stat_ca(SMOKING, n_components=3), stat_ca(SMOKING, n_components=3)
    pd.testing.assert_frame_equal(first.rows, second.rows)
    pd.testing.assert_frame_equal(first.columns, second.columns)
    pd.testing.assert_frame_equal(first.inertia, second.inertia)


def test_cross_check_with_prince() -> None:
    prince = pytest.importorskip("prince")
    ours = stat_ca(SMOKING, n_components=2)
    theirs = prince.CA(n_components=2, random_state=0).fit(SMOKING)
    np.testing.assert_allclose(theirs.eigenvalues_, ours.inertia["eigenvalue"][:2], rtol=1e-6)
    coords = theirs.row_coordinates(SMOKING).to_numpy()
    np.testing.assert_allclose(np.abs(coords), np.abs(ours.rows[["dim1", "dim2"]]), atol=1e-8)


def test_bundled_corpus(corpus_tokens: pd.DataFrame) -> None:
    result = stat_ca(corpus_tokens, "municipality")
    assert len(result.columns) == 5 and len(result.inertia) == 4
    assert len(result.rows) == 100
    assert result.inertia["share"].is_monotonic_decreasing
    assert set(result.columns["label"]) >= {"墨田区", "所沢市", "小田原市", "下関市"}
    assert result.columns["plan_type"].tolist().count("地域福祉活動計画") == 1


@pytest.fixture(scope="module")
def corpus_tokens() -> pd.DataFrame:
    segment = pytest.importorskip("compare.structure.segment")
    tokenize = pytest.importorskip("compare.text.tokenizer")
    return tokenize.tokenize(segment.read_corpus())
