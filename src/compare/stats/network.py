"""Word co-occurrence networks (as KH Coder draws them), returned as tables.

Two words co-occur when they appear in the same unit (a segment by default).
Edges are weighted by the Jaccard coefficient of the two words' sets of units
(units with both / units with either); the strongest ``top_n`` edges, or all
edges above a threshold, are kept.  Communities come from networkx's Louvain
method with a fixed seed, centralities from networkx.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from compare.errors import AnalysisError
from compare.stats._common import count_matrix, group_documents, resolve_by, select_tokens


@dataclass(frozen=True)
class CooccurrenceNetwork:
    """Node and edge tables of a co-occurrence network.

    Attributes
    ----------
    nodes : pandas.DataFrame
        Columns: ``word``, ``frequency`` (token count), ``doc_freq`` (units
        containing the word), ``degree``, ``strength`` (sum of edge Jaccard),
        ``degree_centrality``, ``betweenness`` (normalised, unweighted),
        ``community`` (1 = largest).  Sorted by community, then descending
        frequency, then word.
    edges : pandas.DataFrame
        Columns: ``word_a``, ``word_b`` (``word_a`` < ``word_b``), ``jaccard``,
        ``cooccurrences`` (units with both), ``doc_freq_a``, ``doc_freq_b``,
        ``rank`` (1 = strongest), ``same_community``.  Sorted by rank.
    params : dict
        The settings used.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    params: dict = field(default_factory=dict)

    def to_networkx(self) -> nx.Graph:
        """Return an undirected networkx graph; table columns become attributes."""
        graph = nx.Graph()
        for row in self.nodes.to_dict("records"):
            graph.add_node(row["word"], **{k: v for k, v in row.items() if k != "word"})
        for row in self.edges.to_dict("records"):
            attrs = {k: v for k, v in row.items() if k not in ("word_a", "word_b")}
            graph.add_edge(row["word_a"], row["word_b"], weight=row["jaccard"], **attrs)
        return graph


def stat_cooccurrence(
    tokens: pd.DataFrame,
    by: str | Sequence[str] = "segment",
    *,
    top_n: int | None = 60,
    threshold: float | None = None,
    min_freq: int = 3,
    min_cooccurrence: int = 2,
    resolution: float = 1.0,
    seed: int = 0,
    content_only: bool = True,
    include_meta: bool = False,
    min_chars: int = 2,
    function_words: bool = False,
) -> CooccurrenceNetwork:
    """Jaccard-weighted word co-occurrence network with communities and centrality.

    Parameters
    ----------
    tokens : pandas.DataFrame
        A TOKENS table.
    by : str or list of str
        The co-occurrence unit: ``"segment"`` (default), ``"section"``, or
        columns such as ``["plan_id", "seg_id", "sent_id"]`` for sentences.
    top_n : int or None
        Keep the ``top_n`` strongest edges (default 60).  Ties are broken by
        co-occurrence count, then by the two words.
    threshold : float, optional
        Keep edges whose Jaccard coefficient is at least this value (combined
        with ``top_n`` when both are given; pass ``top_n=None`` for threshold only).
    min_freq : int
        Minimum token count of a word to enter the network.
    min_cooccurrence : int
        Minimum number of units two words must share to be linked.
    resolution : float
        Louvain resolution (higher: more, smaller communities).
    seed : int
        Random seed of the Louvain method; same seed, same communities.
    content_only, include_meta : bool
        Which tokens are counted (default: content tokens of non-meta segments).
    min_chars : int
        Shortest word that becomes a node (default 2).  A single character is
        mostly a piece of a compound the dictionary split (場 of 居場所, 共 of
        共生) or a generic noun (時, 人, 方); it links to everything and names
        no topic.
    function_words : bool
        Keep words that UniDic classes as function-like (default False: left
        out): nouns usable as counters or adverbs (助数詞可能: 時, 年;
        副詞可能: ため, 今, みんな) and words that cannot stand alone
        (非自立可能: こと, もの, する, なる, いる).  The rule reads the ``pos``
        column, so it holds for any plan's wording.

    Returns
    -------
    CooccurrenceNetwork
        ``nodes`` (columns: word, frequency, doc_freq, degree, strength,
        degree_centrality, betweenness, community), ``edges`` (columns:
        word_a, word_b, jaccard, cooccurrences, doc_freq_a, doc_freq_b, rank,
        same_community), ``params`` and ``to_networkx()``.

    Raises
    ------
    AnalysisError
        When no word reaches ``min_freq`` or no pair meets the edge criteria.
    """
    if top_n is None and threshold is None:
        raise AnalysisError("Give top_n or threshold (or both) to choose the edges.")
    if top_n is not None and top_n < 1:
        raise AnalysisError(f"top_n must be at least 1, got {top_n}.")
    selected = select_tokens(tokens, content_only=content_only, include_meta=include_meta)
    selected = _topic_words(selected, min_chars=min_chars, function_words=function_words)
    keys = resolve_by(by, selected)
    docs = group_documents(selected, keys)
    counts, terms = count_matrix(docs)
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    keep = np.flatnonzero(frequency >= min_freq)
    if keep.size < 2:
        raise AnalysisError(
            f"Only {keep.size} word(s) occur at least min_freq={min_freq} times; lower min_freq."
        )
    presence = sp.csc_matrix((counts[:, keep] > 0).astype(np.int64))
    terms, frequency = terms[keep], frequency[keep]
    doc_freq = np.asarray(presence.sum(axis=0)).ravel()

    edges = _edges(presence, terms, doc_freq, min_cooccurrence, threshold, top_n)
    if edges.empty:
        raise AnalysisError(
            f"No pair of words co-occurs in at least min_cooccurrence={min_cooccurrence} units"
            + (f" with Jaccard >= {threshold}" if threshold is not None else "")
            + "; lower min_cooccurrence, threshold or min_freq."
        )
    nodes = _nodes(edges, terms, frequency, doc_freq, resolution, seed)
    community = dict(zip(nodes["word"], nodes["community"], strict=True))
    edges["same_community"] = [
        community[a] == community[b] for a, b in zip(edges["word_a"], edges["word_b"], strict=True)
    ]
    params = {
        "by": keys,
        "top_n": top_n,
        "threshold": threshold,
        "min_freq": min_freq,
        "min_cooccurrence": min_cooccurrence,
        "resolution": resolution,
        "seed": seed,
        "min_chars": min_chars,
        "function_words": function_words,
        "n_units": len(docs.frame),
    }
    return CooccurrenceNetwork(nodes=nodes, edges=edges, params=params)


#: UniDic part-of-speech classes of function-like words (see ``function_words``).
FUNCTION_CLASSES = ("助数詞可能", "副詞可能", "非自立可能")


def _topic_words(tokens: pd.DataFrame, *, min_chars: int, function_words: bool) -> pd.DataFrame:
    """The tokens that can name a topic: long enough, and not function-like by their POS."""
    keep = tokens["word"].astype(str).str.len().to_numpy() >= min_chars
    if not function_words and "pos" in tokens.columns:
        pattern = "|".join(FUNCTION_CLASSES)
        keep &= ~tokens["pos"].astype(str).str.contains(pattern, regex=True).to_numpy()
    kept = tokens.loc[keep]
    if kept.empty:
        raise AnalysisError(
            f"No word of at least min_chars={min_chars} characters is left for the network; "
            "lower min_chars or pass function_words=True."
        )
    return kept


def _edges(
    presence: sp.csc_matrix,
    terms: np.ndarray,
    doc_freq: np.ndarray,
    min_cooccurrence: int,
    threshold: float | None,
    top_n: int | None,
) -> pd.DataFrame:
    """All word pairs meeting the criteria, strongest first."""
    shared = sp.triu(presence.T @ presence, k=1).tocoo()
    i, j, both = shared.row, shared.col, shared.data.astype(np.int64)
    mask = both >= max(min_cooccurrence, 1)
    i, j, both = i[mask], j[mask], both[mask]
    jaccard = both / (doc_freq[i] + doc_freq[j] - both)
    if threshold is not None:
        mask = jaccard >= threshold
        i, j, both, jaccard = i[mask], j[mask], both[mask], jaccard[mask]
    # terms are sorted by code point, so i < j means terms[i] < terms[j].
    order = np.lexsort((j, i, -both, -jaccard))
    if top_n is not None:
        order = order[:top_n]
    i, j, both, jaccard = i[order], j[order], both[order], jaccard[order]
    return pd.DataFrame(
        {
            "word_a": terms[i].astype(object),
            "word_b": terms[j].astype(object),
            "jaccard": jaccard.astype(float),
            "cooccurrences": both,
            "doc_freq_a": doc_freq[i].astype(np.int64),
            "doc_freq_b": doc_freq[j].astype(np.int64),
            "rank": np.arange(1, len(order) + 1, dtype=np.int64),
        }
    )


def _nodes(
    edges: pd.DataFrame,
    terms: np.ndarray,
    frequency: np.ndarray,
    doc_freq: np.ndarray,
    resolution: float,
    seed: int,
) -> pd.DataFrame:
    """Node table: the words on the kept edges, with centrality and community."""
    index = {t: k for k, t in enumerate(terms)}
    words = sorted(set(edges["word_a"]) | set(edges["word_b"]))
    graph = nx.Graph()
    graph.add_nodes_from(words)
    ordered = edges.sort_values(["word_a", "word_b"], kind="stable")
    graph.add_weighted_edges_from(
        zip(ordered["word_a"], ordered["word_b"], ordered["jaccard"], strict=True)
    )
    communities = nx.community.louvain_communities(
        graph, weight="weight", resolution=resolution, seed=seed
    )
    # Number communities by size (largest first), ties by their first word.
    ranked = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c[0]))
    community = {w: n for n, members in enumerate(ranked, start=1) for w in members}
    degree_centrality = nx.degree_centrality(graph)
    betweenness = nx.betweenness_centrality(graph, normalized=True)
    strength = dict(graph.degree(weight="weight"))
    nodes = pd.DataFrame(
        {
            "word": pd.Series(words, dtype=object),
            "frequency": [int(frequency[index[w]]) for w in words],
            "doc_freq": [int(doc_freq[index[w]]) for w in words],
            "degree": [int(graph.degree(w)) for w in words],
            "strength": [float(strength[w]) for w in words],
            "degree_centrality": [float(degree_centrality[w]) for w in words],
            "betweenness": [float(betweenness[w]) for w in words],
            "community": pd.Series([community[w] for w in words], dtype=np.int64),
        }
    )
    nodes = nodes.sort_values(
        ["community", "frequency", "word"], ascending=[True, False, True], kind="stable"
    )
    return nodes.reset_index(drop=True)
