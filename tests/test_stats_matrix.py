"""stat_dtm: document-term matrices at any grouping, with trimming and readable errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from compare import stat_dtm
from compare.errors import AnalysisError
from tests.synthetic import make_tokens

PLANS = {
    "a": ["福祉 地域 防災", "防災 避難 防災"],
    "b": ["福祉 相談 支援", "交流 居場所"],
    "c": ["福祉 地域 見守り"],
}
LABELS = {"c": {"municipality": "a市"}}  # plans a and c belong to one municipality


@pytest.fixture
def tokens() -> pd.DataFrame:
    return make_tokens(PLANS, LABELS)


def test_counts_per_plan(tokens: pd.DataFrame) -> None:
    dtm = stat_dtm(tokens, "plan")
    frame = dtm.to_frame("plan_id")
    assert list(frame.index) == ["a", "b", "c"]
    assert frame.loc["a", "防災"] == 3
    assert frame.loc["a", "避難"] == 1
    assert frame.loc["b", "防災"] == 0
    assert list(dtm.documents["n_tokens"]) == [6, 5, 3]
    terms = dtm.terms.set_index("term")
    assert terms.loc["福祉", "doc_freq"] == 3
    assert terms.loc["防災", "count"] == 3


@pytest.mark.parametrize(
    ("by", "n_docs", "keys"),
    [
        ("segment", 5, ["plan_id", "seg_id"]),
        ("section", 3, ["plan_id", "section_id"]),
        ("plan", 3, ["plan_id"]),
        ("municipality", 2, ["municipality"]),
        (["plan_type"], 1, ["plan_type"]),
        ("author", 1, ["author"]),
    ],
)
def test_groupings(tokens: pd.DataFrame, by: object, n_docs: int, keys: list[str]) -> None:
    dtm = stat_dtm(tokens, by)
    assert dtm.shape[0] == n_docs
    assert list(dtm.by) == keys
    assert list(dtm.documents.columns[1 : 1 + len(keys)]) == keys
    # every counted token lands in exactly one document
    assert dtm.counts.sum() == len(tokens)


def test_labels_travel_with_documents(tokens: pd.DataFrame) -> None:
    docs = stat_dtm(tokens, "segment").documents
    assert {"municipality", "plan_type", "author"} <= set(docs.columns)
    assert docs.loc[docs["plan_id"] == "c", "municipality"].tolist() == ["a市"]
    by_city = stat_dtm(tokens, "municipality").documents
    assert "plan_id" not in by_city.columns  # not constant within 'a市'
    assert by_city["label"].tolist() == ["a市", "b市"]


def test_min_df_and_max_df_trim(tokens: pd.DataFrame) -> None:
    assert set(stat_dtm(tokens, min_df=3).terms["term"]) == {"福祉"}
    assert set(stat_dtm(tokens, min_df=2).terms["term"]) == {"福祉", "地域"}
    kept = set(stat_dtm(tokens, max_df=0.5).terms["term"])
    assert "福祉" not in kept and "地域" not in kept and "防災" in kept


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_df": 4}, "min_df"),
        ({"min_df": 3, "max_df": 0.5}, "max_df"),
        ({"by": "ward"}, "Unknown grouping column 'ward'"),
        ({"by": ["plan_id", "nope"]}, "Unknown grouping column 'nope'"),
        ({"weighting": "bm25"}, "Unknown weighting"),
    ],
)
def test_bad_input_says_what_to_change(tokens: pd.DataFrame, kwargs: dict, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        stat_dtm(tokens, **kwargs)


def test_content_and_meta_selection(tokens: pd.DataFrame) -> None:
    tokens = tokens.copy()
    tokens.loc[tokens["word"] == "避難", "is_content"] = False
    tokens.loc[(tokens["plan_id"] == "b") & (tokens["seg_id"] == 1), "kind"] = "meta"
    default = set(stat_dtm(tokens).terms["term"])
    assert "避難" not in default and "交流" not in default
    everything = set(stat_dtm(tokens, content_only=False, include_meta=True).terms["term"])
    assert {"避難", "交流"} <= everything
    tokens["is_content"] = False
    with pytest.raises(AnalysisError, match="content_only=False"):
        stat_dtm(tokens)


def test_tfidf_matches_scikit_learn(tokens: pd.DataFrame) -> None:
    dtm = stat_dtm(tokens, "plan", weighting="tfidf")
    texts = [" ".join(t) for t in PLANS.values()]
    reference = TfidfVectorizer(token_pattern=r"\S+").fit(texts)
    expected = reference.transform(texts).toarray()
    order = [list(reference.get_feature_names_out()).index(t) for t in dtm.terms["term"]]
    np.testing.assert_allclose(dtm.matrix.toarray(), expected[:, order])
    np.testing.assert_allclose(np.linalg.norm(dtm.matrix.toarray(), axis=1), 1.0)
    assert "idf" in dtm.terms.columns


def test_binary_weighting(tokens: pd.DataFrame) -> None:
    dtm = stat_dtm(tokens, "plan", weighting="binary")
    assert set(np.unique(dtm.matrix.toarray())) == {0, 1}
    assert dtm.counts.max() == 3


def test_deterministic(tokens: pd.DataFrame) -> None:
    first, second = stat_dtm(tokens, "segment"), stat_dtm(tokens, "segment")
    pd.testing.assert_frame_equal(first.documents, second.documents)
    pd.testing.assert_frame_equal(first.terms, second.terms)
    assert (first.matrix != second.matrix).nnz == 0


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["地域", "福祉", "防災", "見守り", "相談"]), min_size=1),
        min_size=1,
        max_size=6,
    )
)
def test_counts_add_up(paragraphs: list[list[str]]) -> None:
    tokens = make_tokens({"p": [" ".join(words) for words in paragraphs]})
    dtm = stat_dtm(tokens, "segment")
    assert dtm.counts.sum() == sum(len(w) for w in paragraphs)
    assert np.array_equal(np.asarray(dtm.counts.sum(axis=1)).ravel(), dtm.documents["n_tokens"])


def test_bundled_corpus(corpus_tokens: pd.DataFrame) -> None:
    dtm = stat_dtm(corpus_tokens, "plan", weighting="tfidf", min_df=2)
    assert dtm.documents["plan_id"].tolist() == [
        "sumida",
        "tama-6",
        "tokorozawa-2",
        "odawara-shakyo-4",
        "shimonoseki",
    ]
    assert dtm.documents["municipality"].tolist()[:2] == ["墨田区", "川崎市多摩区"]
    assert (dtm.terms["doc_freq"] >= 2).all()
    assert "地域" in set(dtm.terms["term"])
    segments = stat_dtm(corpus_tokens, "segment")
    assert segments.counts.sum() == segments.documents["n_tokens"].sum()


@pytest.fixture(scope="module")
def corpus_tokens() -> pd.DataFrame:
    segment = pytest.importorskip("compare.structure.segment")
    tokenize = pytest.importorskip("compare.text.tokenizer")
    return tokenize.tokenize(segment.read_corpus())
