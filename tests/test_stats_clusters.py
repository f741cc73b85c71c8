"""stat_clusters and stat_topics: separable inputs are separated, results are stable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import dendrogram

from compare import stat_clusters, stat_topics
from compare.errors import AnalysisError
from tests.synthetic import make_tokens

DISASTER = ["防災 避難 訓練 要配慮者", "防災 避難 訓練", "避難 訓練 要配慮者 防災"]
CONSULT = ["相談 支援 伴走 窓口", "相談 支援 窓口", "支援 伴走 窓口 相談"]


@pytest.fixture
def tokens() -> pd.DataFrame:
    # plan a talks about disasters, plan b about consultation, plan c about both
    return make_tokens({"a": DISASTER, "b": CONSULT, "c": [DISASTER[0], CONSULT[0]]})


def groups(frame: pd.DataFrame) -> dict[int, frozenset[str]]:
    return {c: frozenset(g["label"]) for c, g in frame.groupby("cluster")}


@pytest.mark.parametrize("algorithm", ["hierarchical", "kmeans"])
def test_documents_split_by_vocabulary(tokens: pd.DataFrame, algorithm: str) -> None:
    result = stat_clusters(tokens, "segment", n_clusters=2, algorithm=algorithm)
    clusters = set(groups(result.assignments).values())
    assert clusters == {
        frozenset({"a:0", "a:1", "a:2", "c:0"}),
        frozenset({"b:0", "b:1", "b:2", "c:1"}),
    }
    assert result.assignments["cluster"].iloc[0] == 1  # numbered by first appearance
    top = result.clusters.set_index("cluster")["top_words"]
    assert "防災" in top[1] and "相談" in top[2]


@pytest.mark.parametrize("method", ["ward", "average", "complete"])
def test_linkage_is_dendrogram_ready(tokens: pd.DataFrame, method: str) -> None:
    result = stat_clusters(tokens, "segment", n_clusters=2, method=method)
    n = len(result.assignments)
    assert result.linkage.shape == (n - 1, 4)
    tree = dendrogram(result.linkage, labels=result.assignments["label"].tolist(), no_plot=True)
    assert sorted(tree["ivl"]) == sorted(result.assignments["label"])


def test_words_cluster_with_their_companions(tokens: pd.DataFrame) -> None:
    result = stat_clusters(tokens, "segment", items="words", n_clusters=2)
    clusters = set(groups(result.assignments).values())
    assert clusters == {
        frozenset({"要配慮者", "訓練", "避難", "防災"}),
        frozenset({"伴走", "支援", "相談", "窓口"}),
    }
    assert result.clusters["size"].tolist() == [4, 4]
    kmeans = stat_clusters(tokens, items="words", n_clusters=2, algorithm="kmeans")
    assert kmeans.linkage is None
    assert set(groups(kmeans.assignments).values()) == clusters


def test_shares_per_municipality(tokens: pd.DataFrame) -> None:
    result = stat_clusters(tokens, "segment", n_clusters=2)
    shares = result.shares
    totals = shares.groupby("municipality")["share"].sum()
    np.testing.assert_allclose(totals, 1.0)
    by = shares.set_index(["cluster", "municipality"])["share"]
    assert by[(1, "a市")] == pytest.approx(1.0)
    assert by[(1, "b市")] == pytest.approx(0.0)
    assert by[(1, "c市")] == pytest.approx(4 / 8)  # c's disaster segment holds 4 of its 8 tokens


def test_topics_recover_planted_themes(tokens: pd.DataFrame) -> None:
    model = stat_topics(tokens, "segment", n_topics=2, min_df=1, max_df=1.0)
    docs = model.documents.set_index("label")
    assert docs.loc["a:0", "topic"] == docs.loc["a:1", "topic"] == docs.loc["c:0", "topic"]
    assert docs.loc["b:0", "topic"] == docs.loc["b:1", "topic"] == docs.loc["c:1", "topic"]
    assert docs.loc["a:0", "topic"] != docs.loc["b:0", "topic"]
    disaster_topic = docs.loc["a:0", "topic"]
    words = set(model.terms.loc[model.terms["topic"] == disaster_topic, "word"].head(4))
    assert words == {"防災", "避難", "訓練", "要配慮者"}
    np.testing.assert_allclose(docs[["topic_1", "topic_2"]].sum(axis=1), 1.0)
    shares = model.shares.set_index(["topic", "municipality"])["share"]
    assert shares[(disaster_topic, "a市")] > 0.9
    assert shares[(disaster_topic, "b市")] < 0.1
    assert model.topics["weight"].sum() == pytest.approx(1.0)
    assert model.topics["weight"].is_monotonic_decreasing


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: stat_clusters(t, "plan", n_clusters=5), "Cannot make 5 clusters of 3"),
        (lambda t: stat_clusters(t, method="centroids"), "Unknown method"),
        (lambda t: stat_clusters(t, items="sections"), "Unknown items"),
        (lambda t: stat_clusters(t, share_by="ward"), "Unknown grouping column 'ward'"),
        (lambda t: stat_topics(t, "plan", n_topics=4, min_df=1), "Cannot fit 4 topics"),
        (lambda t: stat_topics(t, min_df=10), "min_df"),
    ],
)
def test_bad_input(tokens: pd.DataFrame, call, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        call(tokens)


def test_deterministic(tokens: pd.DataFrame) -> None:
    for algorithm in ("hierarchical", "kmeans"):
        first = stat_clusters(tokens, n_clusters=3, algorithm=algorithm, random_state=7)
        second = stat_clusters(tokens, n_clusters=3, algorithm=algorithm, random_state=7)
        pd.testing.assert_frame_equal(first.assignments, second.assignments)
        pd.testing.assert_frame_equal(first.clusters, second.clusters)
        pd.testing.assert_frame_equal(first.shares, second.shares)
    one = stat_topics(tokens, n_topics=2, min_df=1, random_state=7)
    two = stat_topics(tokens, n_topics=2, min_df=1, random_state=7)
    for name in ("topics", "terms", "documents", "shares"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))


def test_bundled_corpus(corpus_tokens: pd.DataFrame) -> None:
    result = stat_clusters(corpus_tokens, "segment", n_clusters=5)
    assert sorted(result.assignments["cluster"].unique()) == [1, 2, 3, 4, 5]
    assert result.clusters["size"].sum() == len(result.assignments)
    assert set(result.shares["municipality"]) >= {"墨田区", "下関市"}
    words = stat_clusters(corpus_tokens, items="words", n_clusters=6, max_words=40)
    assert len(words.assignments) == 40
    model = stat_topics(corpus_tokens, "segment", n_topics=4)
    assert len(model.topics) == 4
    assert model.shares.groupby("municipality")["share"].sum().round(9).eq(1).all()


@pytest.fixture(scope="module")
def corpus_tokens() -> pd.DataFrame:
    segment = pytest.importorskip("compare.structure.segment")
    tokenize = pytest.importorskip("compare.text.tokenizer")
    return tokenize.tokenize(segment.read_corpus())
