"""stat_cooccurrence: Jaccard-weighted edges, communities, centrality."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from compare import stat_cooccurrence
from compare.errors import AnalysisError
from tests.synthetic import make_tokens

# 見守り and 声かけ always appear together; the filler words are spread around.
PLANTED = [
    "見守り 声かけ 地域",
    "見守り 声かけ 福祉",
    "見守り 声かけ 相談",
    "見守り 声かけ 支援",
    "地域 福祉 相談",
    "地域 支援 福祉",
    "相談 支援 地域",
    "福祉 相談 支援",
]


@pytest.fixture
def planted() -> pd.DataFrame:
    return make_tokens({"a": PLANTED[:4], "b": PLANTED[4:]})


def test_planted_pair_is_the_strongest_edge(planted: pd.DataFrame) -> None:
    network = stat_cooccurrence(planted, min_freq=2, min_cooccurrence=2)
    top = network.edges.iloc[0]
    assert (top["word_a"], top["word_b"]) == tuple(sorted(["見守り", "声かけ"]))
    assert top["jaccard"] == pytest.approx(1.0)
    assert top["cooccurrences"] == 4
    assert top["rank"] == 1
    assert (network.edges["word_a"] < network.edges["word_b"]).all()
    assert network.edges["jaccard"].is_monotonic_decreasing


def test_jaccard_is_shared_over_either(planted: pd.DataFrame) -> None:
    edges = stat_cooccurrence(planted, min_freq=1, min_cooccurrence=1, top_n=None, threshold=0.0)
    row = edges.edges.set_index(["word_a", "word_b"]).loc[("地域", "福祉")]
    # 地域 in segments 0,4,5,6; 福祉 in 1,4,5,7 -> both in 4,5; either in 6 segments
    assert row["cooccurrences"] == 2
    assert row["jaccard"] == pytest.approx(2 / 6)


@pytest.mark.parametrize("top_n", [1, 3, 5])
def test_top_n_limits_edges(planted: pd.DataFrame, top_n: int) -> None:
    network = stat_cooccurrence(planted, top_n=top_n, min_freq=1, min_cooccurrence=1)
    assert len(network.edges) == top_n
    words = set(network.edges["word_a"]) | set(network.edges["word_b"])
    assert set(network.nodes["word"]) == words


def test_threshold_keeps_strong_edges(planted: pd.DataFrame) -> None:
    network = stat_cooccurrence(planted, top_n=None, threshold=0.5, min_freq=1, min_cooccurrence=1)
    assert (network.edges["jaccard"] >= 0.5).all()
    weak = stat_cooccurrence(planted, top_n=None, threshold=0.0, min_freq=1, min_cooccurrence=1)
    assert len(weak.edges) > len(network.edges)


def test_min_freq_drops_rare_words() -> None:
    tokens = make_tokens({"a": ["防災 避難", "防災 避難", "防災 避難 訓練"]})
    network = stat_cooccurrence(tokens, min_freq=2, min_cooccurrence=1)
    assert "訓練" not in set(network.nodes["word"])
    assert network.nodes.set_index("word").loc["防災", "frequency"] == 3


def test_two_cliques_form_two_communities() -> None:
    left = ["防災 避難 訓練"] * 3
    right = ["相談 支援 伴走"] * 3
    tokens = make_tokens({"a": left + right + ["防災 相談"]})
    network = stat_cooccurrence(tokens, min_freq=1, min_cooccurrence=1, top_n=None, threshold=0.1)
    community = network.nodes.set_index("word")["community"]
    assert community["防災"] == community["避難"] == community["訓練"]
    assert community["相談"] == community["支援"] == community["伴走"]
    assert community["防災"] != community["相談"]
    assert set(community) == {1, 2}
    # the bridge words carry all shortest paths between the cliques
    betweenness = network.nodes.set_index("word")["betweenness"]
    assert betweenness.idxmax() in {"防災", "相談"}
    assert betweenness["避難"] == pytest.approx(0.0)
    bridge = network.edges.set_index(["word_a", "word_b"]).loc[("相談", "防災")]
    assert not bridge["same_community"]


def test_to_networkx_round_trip(planted: pd.DataFrame) -> None:
    network = stat_cooccurrence(planted, min_freq=1, min_cooccurrence=1, top_n=6)
    graph = network.to_networkx()
    assert isinstance(graph, nx.Graph)
    assert graph.number_of_edges() == len(network.edges)
    assert graph.number_of_nodes() == len(network.nodes)
    assert graph["見守り"]["声かけ"]["weight"] == pytest.approx(1.0)
    assert "community" in graph.nodes["見守り"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_freq": 50}, "lower min_freq"),
        ({"min_cooccurrence": 50}, "lower min_cooccurrence"),
        ({"top_n": None, "threshold": None}, "Give top_n or threshold"),
        ({"top_n": 0}, "top_n must be at least 1"),
        ({"by": "paragraph"}, "Unknown grouping column 'paragraph'"),
    ],
)
def test_bad_input(planted: pd.DataFrame, kwargs: dict, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        stat_cooccurrence(planted, **kwargs)


def test_deterministic(planted: pd.DataFrame) -> None:
    first = stat_cooccurrence(planted, min_freq=1, min_cooccurrence=1, seed=3)
    second = stat_cooccurrence(planted, min_freq=1, min_cooccurrence=1, seed=3)
    pd.testing.assert_frame_equal(first.nodes, second.nodes)
    pd.testing.assert_frame_equal(first.edges, second.edges)


def test_bundled_corpus(corpus_tokens: pd.DataFrame) -> None:
    network = stat_cooccurrence(corpus_tokens)
    assert 0 < len(network.edges) <= 60
    assert (network.nodes["frequency"] >= 3).all()
    assert (network.edges["cooccurrences"] >= 2).all()
    assert network.nodes["community"].min() == 1
    assert network.nodes["betweenness"].between(0, 1).all()
    sentences = stat_cooccurrence(corpus_tokens, by=["plan_id", "seg_id", "sent_id"], top_n=30)
    assert len(sentences.edges) <= 30


@pytest.fixture(scope="module")
def corpus_tokens() -> pd.DataFrame:
    segment = pytest.importorskip("compare.structure.segment")
    tokenize = pytest.importorskip("compare.text.tokenizer")
    return tokenize.tokenize(segment.read_corpus())


def test_single_characters_and_function_words_are_not_nodes() -> None:
    tokens = make_tokens({"a": ["防災 避難 時 場", "防災 避難 時 場", "防災 避難 ため 場"] * 2})
    classes = {"時": "名詞,普通名詞,助数詞可能,*", "ため": "名詞,普通名詞,副詞可能,*"}
    tokens["pos"] = [classes.get(w, "名詞,普通名詞,一般,*") for w in tokens["word"]]
    network = stat_cooccurrence(tokens, min_freq=1, min_cooccurrence=1)
    assert set(network.nodes["word"]) == {"防災", "避難"}
    everything = stat_cooccurrence(
        tokens, min_freq=1, min_cooccurrence=1, min_chars=1, function_words=True
    )
    assert set(everything.nodes["word"]) == {"防災", "避難", "時", "場", "ため"}


def test_bundled_corpus_network_has_no_noise_words(corpus_tokens: pd.DataFrame) -> None:
    # The tokens as tokenized (verbs counted): the rule itself keeps out 時, する, なる …
    network = stat_cooccurrence(corpus_tokens)
    words = set(network.nodes["word"])
    assert all(len(w) >= 2 for w in words), sorted(w for w in words if len(w) < 2)
    assert not words & {"時", "こと", "ため", "する", "なる", "ある", "いる", "もの"}
    pos = corpus_tokens.drop_duplicates("word").set_index("word")["pos"]
    assert not any(
        any(c in pos[w] for c in ("助数詞可能", "副詞可能", "非自立可能")) for w in words
    )
