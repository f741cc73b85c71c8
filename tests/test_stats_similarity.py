"""stat_similarity: cosine on TF-IDF and Jaccard on word sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from compare import stat_similarity
from compare.errors import AnalysisError
from compare.stats.similarity import similarity_matrix
from tests.synthetic import make_segments, make_tokens, tokens_from_segments


@pytest.fixture
def tokens() -> pd.DataFrame:
    return make_tokens(
        {
            "a": ["地域 福祉 防災"],
            "b": ["地域 福祉 防災"],  # the same words as a
            "c": ["福祉 防災 相談"],  # shares two of four distinct words with a
            "d": ["居場所 交流"],  # nothing in common with the others
        }
    )


def pair(table: pd.DataFrame, a: str, b: str) -> pd.Series:
    rows = table[(table["plan_id_a"] == a) & (table["plan_id_b"] == b)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("a", "b", "jaccard"),
    [("a", "b", 1.0), ("a", "c", 0.5), ("a", "d", 0.0), ("c", "d", 0.0), ("d", "d", 1.0)],
)
def test_known_jaccard(tokens: pd.DataFrame, a: str, b: str, jaccard: float) -> None:
    assert pair(stat_similarity(tokens), a, b)["jaccard"] == pytest.approx(jaccard)


def test_cosine_extremes(tokens: pd.DataFrame) -> None:
    table = stat_similarity(tokens)
    assert pair(table, "a", "b")["cosine"] == pytest.approx(1.0)
    assert pair(table, "a", "d")["cosine"] == pytest.approx(0.0)
    assert 0.0 < pair(table, "a", "c")["cosine"] < 1.0
    assert pair(table, "a", "c")["n_shared"] == 2


def test_square_matrix_is_symmetric(tokens: pd.DataFrame) -> None:
    table = stat_similarity(tokens)
    assert len(table) == 16
    square = similarity_matrix(table, "cosine", label="municipality")
    assert list(square.index) == ["a市", "b市", "c市", "d市"]
    np.testing.assert_allclose(square.to_numpy(), square.to_numpy().T)
    np.testing.assert_allclose(np.diag(square.to_numpy()), 1.0)
    unique = stat_similarity(tokens, pairs="unique")
    assert len(unique) == 6
    pd.testing.assert_frame_equal(
        similarity_matrix(unique, "jaccard"), similarity_matrix(table, "jaccard")
    )


def test_labels_are_carried(tokens: pd.DataFrame) -> None:
    table = stat_similarity(tokens)
    for column in ("municipality_a", "municipality_b", "plan_type_a", "plan_type_b"):
        assert column in table.columns
    assert pair(table, "a", "c")["municipality_b"] == "c市"


SEGMENTS = {
    "x": [("h", 1, "1 基本理念"), ("paragraph", "共生 尊厳 支え合い"), ("h", 1, "2 施策"),
          ("paragraph", "防災 避難 訓練")],
    "y": [("h", 1, "1 基本理念"), ("paragraph", "共生 尊厳 支え合い"), ("h", 1, "2 施策"),
          ("paragraph", "相談 支援 権利擁護")],
}  # fmt: skip


def test_heading_restricts_to_matching_sections() -> None:
    segments = make_segments(SEGMENTS)
    tokens = tokens_from_segments(segments)
    whole = pair(stat_similarity(tokens, segments=segments), "x", "y")
    vision = pair(stat_similarity(tokens, segments=segments, heading="基本理念"), "x", "y")
    assert vision["cosine"] == pytest.approx(1.0)
    assert whole["cosine"] < 1.0


def test_sections_across_plans() -> None:
    segments = make_segments(SEGMENTS)
    tokens = tokens_from_segments(segments)
    table = stat_similarity(tokens, "section", segments=segments, pairs="across")
    assert (table["plan_id_a"] != table["plan_id_b"]).all()
    assert len(table) == 4  # two sections in x times two in y
    same = table[(table["heading_a"] == "1 基本理念") & (table["heading_b"] == "1 基本理念")]
    assert same["cosine"].tolist() == pytest.approx([1.0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "author"}, "at least two documents"),
        ({"by": "nope"}, "Unknown grouping column 'nope'"),
        ({"heading": "基本理念"}, "needs the SEGMENTS table"),
        ({"min_df": 5}, "min_df"),
        ({"pairs": "some"}, "Unknown pairs"),
    ],
)
def test_bad_input(tokens: pd.DataFrame, kwargs: dict, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        stat_similarity(tokens, **kwargs)


def test_heading_that_matches_nothing() -> None:
    segments = make_segments(SEGMENTS)
    with pytest.raises(AnalysisError, match="No segment lies under a heading matching"):
        stat_similarity(tokens_from_segments(segments), segments=segments, heading="重点施策")


def test_deterministic(tokens: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(stat_similarity(tokens), stat_similarity(tokens))


def test_bundled_corpus(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    segments, tokens = corpus
    table = stat_similarity(tokens, segments=segments)
    assert len(table) == 25
    assert table["cosine"].between(0, 1).all() and table["jaccard"].between(0, 1).all()
    off = table[table["doc_a"] != table["doc_b"]]
    assert (off["cosine"] > 0).all()  # all five plans share welfare vocabulary
    assert (off["cosine"] < 0.99).all()  # but no two plans are the same text
    vision = stat_similarity(tokens, segments=segments, heading="基本理念", pairs="unique")
    assert len(vision) >= 1
    assert set(vision["plan_id_a"]) | set(vision["plan_id_b"]) >= {"sumida", "odawara-shakyo-4"}


@pytest.fixture(scope="module")
def corpus() -> tuple[pd.DataFrame, pd.DataFrame]:
    segment = pytest.importorskip("compare.structure.segment")
    tokenize = pytest.importorskip("compare.text.tokenizer")
    segments = segment.read_corpus()
    return segments, tokenize.tokenize(segments)
