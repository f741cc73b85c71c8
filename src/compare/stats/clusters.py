"""Clusters of documents or words, and NMF topics.

Documents (segments, sections, plans …) are clustered on their L2-normalised
TF-IDF vectors; words on their L2-normalised distribution over documents, so
Euclidean distances (and Ward's method) follow cosine similarity.  Every
cluster and topic is labelled by its top words and by its share of each
municipality's tokens, so that "which city talks about what" can be read off
one table.  All randomness goes through ``random_state``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.cluster import KMeans
from sklearn.decomposition import NMF
from sklearn.preprocessing import normalize

from compare.errors import AnalysisError
from compare.stats._common import (
    Documents,
    count_matrix,
    group_documents,
    join_words,
    resolve_by,
    select_tokens,
    tfidf,
    top_indices,
)

#: Above this many items a condensed distance matrix no longer fits comfortably in memory.
MAX_HIERARCHICAL_ITEMS = 10_000

LINKAGE_METHODS = ("ward", "average", "complete", "single", "centroid", "median", "weighted")


@dataclass(frozen=True)
class Clustering:
    """Result of :func:`stat_clusters`.

    Attributes
    ----------
    assignments : pandas.DataFrame
        One row per clustered item in input order.  Documents: ``doc``, the
        grouping columns, constant catalogue labels, ``label``, ``n_tokens``,
        ``cluster``.  Words: ``word``, ``label`` (= word), ``frequency``,
        ``doc_freq``, ``cluster``.  Clusters are numbered 1.. in order of
        their first item.
    clusters : pandas.DataFrame
        One row per cluster: ``cluster``, ``size`` (items), ``n_tokens``
        (tokens covered) and ``top_words`` (comma-separated).
    shares : pandas.DataFrame
        One row per (cluster, ``share_by`` value): ``cluster``, the
        ``share_by`` column, ``count`` (tokens of that group in the cluster),
        ``total`` (tokens of the group over all clusters) and ``share``.
    linkage : numpy.ndarray or None
        SciPy linkage matrix (hierarchical only); draw with
        ``scipy.cluster.hierarchy.dendrogram(result.linkage,
        labels=result.assignments["label"].tolist())``.
    """

    assignments: pd.DataFrame
    clusters: pd.DataFrame
    shares: pd.DataFrame
    linkage: np.ndarray | None = None
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TopicModel:
    """Result of :func:`stat_topics`.

    Attributes
    ----------
    topics : pandas.DataFrame
        ``topic`` (1 = largest), ``weight`` (share of all document-topic
        weight), ``top_words``.
    terms : pandas.DataFrame
        ``topic``, ``rank``, ``word``, ``weight`` (NMF component loading) for
        the top words of each topic.
    documents : pandas.DataFrame
        Document table (``doc``, grouping columns, labels, ``label``,
        ``n_tokens``) plus ``topic`` (dominant topic, 0 for an empty
        document) and ``topic_1`` … ``topic_K`` (weights normalised to sum 1).
    shares : pandas.DataFrame
        ``topic``, the ``share_by`` column, ``weight`` (token-weighted topic
        mass of the group) and ``share`` (of the group's total mass).
    """

    topics: pd.DataFrame
    terms: pd.DataFrame
    documents: pd.DataFrame
    shares: pd.DataFrame
    params: dict = field(default_factory=dict)


def stat_clusters(
    tokens: pd.DataFrame,
    by: str | Sequence[str] = "segment",
    *,
    items: Literal["documents", "words"] = "documents",
    algorithm: Literal["hierarchical", "kmeans"] = "hierarchical",
    n_clusters: int = 5,
    method: str = "ward",
    max_words: int = 60,
    min_df: float | int = 1,
    max_df: float | int = 1.0,
    n_top_words: int = 8,
    share_by: str = "municipality",
    random_state: int = 0,
    content_only: bool = True,
    include_meta: bool = False,
) -> Clustering:
    """Cluster documents or words hierarchically (SciPy) or with KMeans (scikit-learn).

    Parameters
    ----------
    tokens : pandas.DataFrame
        A TOKENS table.
    by : str or list of str
        What a document is (``"segment"`` default, ``"section"``, ``"plan"`` …).
    items : {"documents", "words"}
        Cluster the documents (on TF-IDF) or the ``max_words`` most frequent
        words (on their distribution over documents).
    algorithm : {"hierarchical", "kmeans"}
        Agglomerative clustering with a dendrogram-ready linkage, or KMeans.
    n_clusters : int
        Number of clusters (the hierarchical tree is cut at this many).
    method : str
        Linkage method for hierarchical clustering: ``"ward"`` (default),
        ``"average"``, ``"complete"``, ``"single"`` …
    max_words : int
        Words clustered when ``items="words"`` (most frequent, ties by word).
    min_df, max_df : int or float
        Vocabulary trimming (as scikit-learn).
    n_top_words : int
        Words listed in ``top_words``.
    share_by : str
        Column whose values get a share per cluster (default municipality).
    random_state : int
        Seed of KMeans.
    content_only, include_meta : bool
        Which tokens are counted (default: content tokens of non-meta segments).

    Returns
    -------
    Clustering
        ``assignments`` (documents: doc, grouping columns, catalogue labels,
        label, n_tokens, cluster; words: word, label, frequency, doc_freq,
        cluster), ``clusters`` (cluster, size, n_tokens, top_words),
        ``shares`` (cluster, the ``share_by`` column, count, total, share) and
        ``linkage`` (SciPy linkage matrix, hierarchical only).

    Raises
    ------
    AnalysisError
        Fewer items than clusters, unknown options or columns, too many items
        for hierarchical clustering.
    """
    if items not in ("documents", "words"):
        raise AnalysisError(f"Unknown items={items!r}; use 'documents' or 'words'.")
    if algorithm not in ("hierarchical", "kmeans"):
        raise AnalysisError(f"Unknown algorithm={algorithm!r}; use 'hierarchical' or 'kmeans'.")
    if method not in LINKAGE_METHODS:
        raise AnalysisError(f"Unknown method={method!r}; use one of {', '.join(LINKAGE_METHODS)}.")
    if n_clusters < 1:
        raise AnalysisError(f"n_clusters must be at least 1, got {n_clusters}.")
    selected = select_tokens(tokens, content_only=content_only, include_meta=include_meta)
    keys = resolve_by(by, selected)
    resolve_by(share_by, selected)
    docs = group_documents(selected, keys)
    counts, terms = count_matrix(docs, min_df=min_df, max_df=max_df)

    if items == "documents":
        vectors, _ = tfidf(counts)
        table = docs.frame.copy()
    else:
        vectors, table = _word_vectors(counts, terms, max_words)
    n_items = vectors.shape[0]
    if n_items < n_clusters:
        raise AnalysisError(
            f"Cannot make {n_clusters} clusters of {n_items} {items}; lower n_clusters or use "
            "a finer grouping."
        )
    tree = None
    if algorithm == "hierarchical":
        if n_items > MAX_HIERARCHICAL_ITEMS:
            raise AnalysisError(
                f"{n_items} {items} are too many for hierarchical clustering (limit "
                f"{MAX_HIERARCHICAL_ITEMS}); use algorithm='kmeans' or a coarser grouping."
            )
        tree = linkage(vectors.toarray(), method=method, metric="euclidean")
        raw = fcluster(tree, t=n_clusters, criterion="maxclust")
    else:
        model = KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state)
        raw = model.fit_predict(vectors)
    table["cluster"] = _renumber(raw)

    if items == "documents":
        summary = _document_clusters(table, vectors, terms, n_top_words)
        token_cluster = table["cluster"].to_numpy()[docs.codes]
    else:
        summary = _word_clusters(table, n_top_words)
        cluster_of = dict(zip(table["word"], table["cluster"], strict=True))
        token_cluster = selected["word"].astype(object).map(cluster_of).to_numpy()
    shares = _shares(selected[share_by], token_cluster, "cluster", share_by)
    params = {
        "by": keys,
        "items": items,
        "algorithm": algorithm,
        "n_clusters": n_clusters,
        "method": method,
        "random_state": random_state,
    }
    return Clustering(table, summary, shares, tree, params)


def ward_clusters(cosine: np.ndarray, n_clusters: int) -> tuple[np.ndarray | None, np.ndarray]:
    """Ward clusters of documents from the cosine similarity of their unit TF-IDF vectors.

    For unit vectors the Euclidean distance is sqrt(2 (1 − cosine)), so
    Ward's method applies to it exactly, from a square matrix alone (e.g.
    :func:`compare.stats.similarity.cosine_matrix` of thousands of plans);
    unlike average linkage it does not chain a homogeneous corpus one
    document at a time into a single cluster.

    Returns
    -------
    (linkage, clusters)
        SciPy's linkage matrix (None for fewer than three documents) and the
        cluster of each document, numbered 1… in order of first document.
    """
    n = len(cosine)
    if n < 3:
        return None, np.ones(n, dtype=np.int64)
    square = np.asarray(cosine, dtype=float)
    distance = np.sqrt(np.clip(2.0 * (1.0 - (square + square.T) / 2.0), 0.0, None))
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="ward")
    raw = fcluster(tree, t=min(max(n_clusters, 1), n), criterion="maxclust")
    return tree, _renumber(raw)


def _word_vectors(
    counts: sp.csr_matrix, terms: np.ndarray, max_words: int
) -> tuple[sp.csr_matrix, pd.DataFrame]:
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    doc_freq = np.asarray((counts > 0).sum(axis=0)).ravel()
    order = np.lexsort((terms.astype(str), -frequency))
    keep = np.sort(order[:max_words])
    vectors = normalize(sp.csr_matrix(counts[:, keep].T.astype(float)))
    table = pd.DataFrame(
        {
            "word": terms[keep].astype(object),
            "label": terms[keep].astype(object),
            "frequency": frequency[keep].astype(np.int64),
            "doc_freq": doc_freq[keep].astype(np.int64),
        }
    )
    return vectors, table


def _renumber(raw: np.ndarray) -> np.ndarray:
    """Number clusters 1.. in order of their first item (independent of library labels)."""
    mapping: dict[int, int] = {}
    for value in raw:
        mapping.setdefault(int(value), len(mapping) + 1)
    return np.array([mapping[int(v)] for v in raw], dtype=np.int64)


def _document_clusters(
    table: pd.DataFrame, vectors: sp.csr_matrix, terms: np.ndarray, n_top_words: int
) -> pd.DataFrame:
    rows = []
    clusters = table["cluster"].to_numpy()
    for cluster in range(1, int(clusters.max()) + 1):
        members = np.flatnonzero(clusters == cluster)
        mean = np.asarray(vectors[members].mean(axis=0)).ravel()
        rows.append(
            {
                "cluster": cluster,
                "size": len(members),
                "n_tokens": int(table["n_tokens"].to_numpy()[members].sum()),
                "top_words": join_words(terms[top_indices(mean, n_top_words, terms)]),
            }
        )
    return _typed(pd.DataFrame(rows))


def _word_clusters(table: pd.DataFrame, n_top_words: int) -> pd.DataFrame:
    rows = []
    for cluster, members in table.groupby("cluster", sort=True):
        ranked = members.sort_values(["frequency", "word"], ascending=[False, True], kind="stable")
        rows.append(
            {
                "cluster": int(cluster),
                "size": len(members),
                "n_tokens": int(members["frequency"].sum()),
                "top_words": join_words(ranked["word"].head(n_top_words).tolist()),
            }
        )
    return _typed(pd.DataFrame(rows))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("cluster", "size", "n_tokens"):
        frame[column] = frame[column].astype(np.int64)
    frame["top_words"] = frame["top_words"].astype(object)
    return frame


def _shares(groups: pd.Series, assigned: np.ndarray, unit: str, share_by: str) -> pd.DataFrame:
    """Token-weighted share of each cluster/topic within each group."""
    frame = pd.DataFrame(
        {
            share_by: groups.astype(object).to_numpy(),
            unit: assigned,
            "count": 1,
        }
    )
    frame = frame[pd.notna(frame[unit])]
    frame[unit] = frame[unit].astype(np.int64)
    order = list(dict.fromkeys(groups.astype(object)))
    counts = frame.groupby([unit, share_by], sort=False)["count"].sum()
    units = sorted(set(frame[unit]))
    grid = pd.MultiIndex.from_product([units, order], names=[unit, share_by])
    table = counts.reindex(grid, fill_value=0).reset_index()
    totals = table.groupby(share_by, sort=False)["count"].transform("sum")
    table["count"] = table["count"].astype(np.int64)
    table["total"] = totals.astype(np.int64)
    table["share"] = np.where(totals > 0, table["count"] / totals.where(totals > 0, 1), 0.0)
    return table


def stat_topics(
    tokens: pd.DataFrame,
    by: str | Sequence[str] = "segment",
    *,
    n_topics: int = 5,
    n_top_words: int = 10,
    min_df: float | int = 2,
    max_df: float | int = 0.95,
    share_by: str = "municipality",
    random_state: int = 0,
    max_iter: int = 1000,
    content_only: bool = True,
    include_meta: bool = False,
) -> TopicModel:
    """NMF topics on TF-IDF (scikit-learn), each labelled by its top words.

    Parameters
    ----------
    tokens : pandas.DataFrame
        A TOKENS table.
    by : str or list of str
        What a document is (``"segment"`` default, ``"section"`` …).
    n_topics : int
        Number of topics.
    n_top_words : int
        Words per topic in ``terms`` and ``top_words``.
    min_df, max_df : int or float
        Vocabulary trimming (as scikit-learn); defaults drop words of one
        document and words in more than 95% of documents.
    share_by : str
        Column whose values get a topic share (default municipality).
    random_state : int
        Seed of NMF's initialisation.
    max_iter : int
        NMF iterations.
    content_only, include_meta : bool
        Which tokens are counted (default: content tokens of non-meta segments).

    Returns
    -------
    TopicModel
        ``topics`` (topic, weight, top_words), ``terms`` (topic, rank, word,
        weight), ``documents`` (doc, grouping columns, catalogue labels,
        label, n_tokens, topic, topic_1 … topic_K) and ``shares`` (topic, the
        ``share_by`` column, weight, share).

    Raises
    ------
    AnalysisError
        Fewer documents or terms than topics, an empty matrix after trimming.
    """
    if n_topics < 1:
        raise AnalysisError(f"n_topics must be at least 1, got {n_topics}.")
    selected = select_tokens(tokens, content_only=content_only, include_meta=include_meta)
    keys = resolve_by(by, selected)
    resolve_by(share_by, selected)
    docs = group_documents(selected, keys)
    counts, terms = count_matrix(docs, min_df=min_df, max_df=max_df)
    if min(counts.shape) < n_topics:
        raise AnalysisError(
            f"Cannot fit {n_topics} topics to {counts.shape[0]} documents × {counts.shape[1]} "
            "terms; lower n_topics, min_df, or use a finer grouping."
        )
    vectors, _ = tfidf(counts)
    model = NMF(n_components=n_topics, init="nndsvda", random_state=random_state, max_iter=max_iter)
    weights = model.fit_transform(vectors)
    components = model.components_
    # Order topics by total weight (largest first); ties by model index.
    mass = weights.sum(axis=0)
    order = np.lexsort((np.arange(n_topics), -mass))
    weights, components, mass = weights[:, order], components[order], mass[order]

    topics, term_rows = [], []
    for t in range(n_topics):
        top = top_indices(components[t], n_top_words, terms)
        for rank, index in enumerate(top, start=1):
            term_rows.append(
                {"topic": t + 1, "rank": rank, "word": terms[index], "weight": components[t, index]}
            )
        topics.append({"topic": t + 1, "top_words": join_words(terms[top])})
    topic_table = pd.DataFrame(topics)
    topic_table.insert(1, "weight", mass / mass.sum() if mass.sum() > 0 else 0.0)
    topic_table["topic"] = topic_table["topic"].astype(np.int64)
    topic_table["top_words"] = topic_table["top_words"].astype(object)
    terms_table = pd.DataFrame(term_rows, columns=["topic", "rank", "word", "weight"])
    terms_table = terms_table.astype({"topic": np.int64, "rank": np.int64, "word": object})

    documents = _topic_documents(docs, weights)
    shares = _topic_shares(docs, selected[share_by], weights, share_by)
    params = {
        "by": keys,
        "n_topics": n_topics,
        "min_df": min_df,
        "max_df": max_df,
        "random_state": random_state,
        "reconstruction_err": float(model.reconstruction_err_),
    }
    return TopicModel(topic_table, terms_table, documents, shares, params)


def _topic_documents(docs: Documents, weights: np.ndarray) -> pd.DataFrame:
    totals = weights.sum(axis=1, keepdims=True)
    normalised = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    documents = docs.frame.copy()
    dominant = np.where(totals.ravel() > 0, normalised.argmax(axis=1) + 1, 0)
    documents["topic"] = dominant.astype(np.int64)
    for t in range(weights.shape[1]):
        documents[f"topic_{t + 1}"] = normalised[:, t]
    return documents


def _topic_shares(
    docs: Documents, groups: pd.Series, weights: np.ndarray, share_by: str
) -> pd.DataFrame:
    """Spread each document's tokens over its topics, then sum per group."""
    totals = weights.sum(axis=1, keepdims=True)
    normalised = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    n_topics = weights.shape[1]
    token_topics = normalised[docs.codes]  # tokens × topics
    frame = pd.DataFrame(token_topics, columns=np.arange(1, n_topics + 1))
    frame[share_by] = groups.astype(object).to_numpy()
    summed = frame.groupby(share_by, sort=False).sum()
    long = summed.reset_index().melt(id_vars=share_by, var_name="topic", value_name="weight")
    long["topic"] = long["topic"].astype(np.int64)
    group_total = long.groupby(share_by, sort=False)["weight"].transform("sum")
    long["share"] = np.where(
        group_total > 0, long["weight"] / group_total.where(group_total > 0, 1), 0.0
    )
    order = {g: i for i, g in enumerate(dict.fromkeys(groups.astype(object)))}
    long["_g"] = long[share_by].map(order)
    long = long.sort_values(["topic", "_g"], kind="stable").drop(columns="_g")
    return long[["topic", share_by, "weight", "share"]].reset_index(drop=True)
