"""Similarity heatmap and dendrogram of plans or sections."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from compare.errors import AnalysisError
from compare.plot._style import SEQUENTIAL, grid_labels, japanese_rc, new_axes, require
from compare.plot.labels import plan_names, table_names
from compare.stats.similarity import similarity_matrix

#: Above this many documents the heatmap drops per-cell numbers.
ANNOTATE_MAX = 15
#: Above this many documents tick labels are left out (the table has them).
LABEL_MAX = 60


def similarity_square(
    similarity: pd.DataFrame, measure: str = "cosine"
) -> tuple[np.ndarray, pd.DataFrame]:
    """Square matrix and document table (``doc`` order) from a ``stat_similarity`` table.

    Missing pairs are NaN; the diagonal is 1.  The document table has ``doc``,
    ``label`` and the catalogue labels found with ``_a``/``_b`` suffixes, and a
    ``name`` column with the display name used in figures.
    """
    require(similarity, ["doc_a", "doc_b", measure], "a similarity plot")
    suffixed = [c[:-2] for c in similarity.columns if c.endswith("_a")]
    suffixed = [c for c in suffixed if f"{c}_b" in similarity.columns and c != "doc"]
    halves = []
    for side in ("a", "b"):
        part = similarity[[f"doc_{side}", *(f"{c}_{side}" for c in suffixed)]].copy()
        # attrs may hold DataFrames, which pandas cannot compare when concatenating.
        part.attrs = {}
        halves.append(part.set_axis(["doc", *suffixed], axis=1))
    docs = (
        pd.concat(halves, ignore_index=True)
        .drop_duplicates("doc")
        .sort_values("doc", kind="stable")
        .reset_index(drop=True)
    )
    # Labelled by doc number, so any table with doc_a / doc_b can be drawn.
    matrix = similarity_matrix(similarity, measure, label="doc")
    square = matrix.to_numpy(dtype=float, copy=True)
    np.fill_diagonal(square, 1.0)
    docs["name"] = _names(docs)
    return square, docs


def cluster_order(square: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Leaf order of average-linkage clustering on 1 - similarity (and the linkage)."""
    n = len(square)
    if n < 3:
        return np.arange(n), None
    linkage = _similarity_linkage(square, "average")
    return np.asarray(hierarchy.leaves_list(linkage)), linkage


def _similarity_linkage(square: np.ndarray, method: str) -> np.ndarray:
    """SciPy linkage of ``1 - similarity`` (missing pairs count as 0 similarity).

    The distance is symmetrised and clipped at 0; with three or more items
    the leaves are put in optimal order, so similar documents sit together.
    """
    distance = 1.0 - np.nan_to_num(square, nan=0.0)
    distance = np.clip((distance + distance.T) / 2.0, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    condensed = squareform(distance, checks=False)
    linkage = hierarchy.linkage(condensed, method=method)
    if len(square) > 2:
        linkage = hierarchy.optimal_leaf_ordering(linkage, condensed)
    return linkage


def plot_similarity(
    similarity: pd.DataFrame,
    *,
    measure: str = "cosine",
    order: str = "cluster",
    annotate: bool | None = None,
    ax: Any = None,
) -> Any:
    """Heatmap of pairwise similarity between plans (or sections).

    Parameters
    ----------
    similarity : pandas.DataFrame
        The table returned by :func:`compare.stat_similarity` (any ``pairs``).
    measure : {"cosine", "jaccard"}
        Which column colours the cells.
    order : {"cluster", "table"}
        ``"cluster"`` puts similar documents next to each other (average
        linkage on 1 - similarity, optimal leaf order); ``"table"`` keeps the
        table's order.
    annotate : bool, optional
        Write the value in each cell (default: when there are at most 15
        documents).  Above 60 documents tick labels are dropped and the
        heatmap shows block structure only; the table holds the numbers.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if order not in ("cluster", "table"):
        raise AnalysisError(f"Unknown order={order!r}; use 'cluster' or 'table'.")
    square, docs = similarity_square(similarity, measure)
    n = len(docs)
    if n < 2:
        raise AnalysisError("A similarity heatmap needs at least two documents.")
    index = cluster_order(square)[0] if order == "cluster" else np.arange(n)
    square = square[np.ix_(index, index)]
    names = docs["name"].to_numpy()[index]
    annotate = n <= ANNOTATE_MAX if annotate is None else annotate
    off = square[~np.eye(n, dtype=bool)]
    off = off[np.isfinite(off)]
    ticks = _colour_ticks(off)
    vmin, vmax = float(ticks[0]), float(ticks[-1])
    shown = square.copy()
    np.fill_diagonal(shown, np.nan)
    with japanese_rc():
        side = min(max(3.2, 0.42 * n + 1.8), 9.0)
        ax = new_axes(ax, (side + 1.0, side))
        cmap = _cmap()
        image = ax.imshow(shown, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        if n <= LABEL_MAX:
            grid_labels(ax, names, names, angle=45, slanted_above=2)
            if n > 25:
                ax.tick_params(labelsize=max(9 - n // 12, 5))
        else:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel(f"{n} 文書（並びはクラスタリング順、値は表を参照）")
        if annotate:
            for i in range(n):
                for j in range(n):
                    if i == j:
                        continue
                    value = square[i, j]
                    if not np.isfinite(value):
                        continue
                    dark = (value - vmin) / max(vmax - vmin, 1e-9) > 0.6
                    ax.text(
                        j,
                        i,
                        f"{value:.2f}",
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        color="white" if dark else "#222222",
                    )
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.75, pad=0.02, ticks=ticks)
        colorbar.set_label(_MEASURE_LABELS.get(measure, measure))
        colorbar.ax.tick_params(labelsize=7)
    return ax


def _colour_ticks(values: np.ndarray) -> np.ndarray:
    """Round tick values whose first and last enclose every value shown.

    The colour scale runs from the first tick to the last, so the bar starts at
    a labelled value at or below the smallest similarity in the cells (a bar
    starting above it would suggest that no pair is that dissimilar).
    """
    from matplotlib.ticker import MaxNLocator

    low = float(values.min()) if values.size else 0.0
    high = float(values.max()) if values.size else 1.0
    if high - low < 0.05:
        low = max(high - 0.05, 0.0)
    ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
    ticks = np.round(ticks, 10)
    first = ticks[ticks <= low + 1e-12].max()
    last = ticks[ticks >= high - 1e-12].min()
    return ticks[(ticks >= first) & (ticks <= last)]


def plot_dendrogram(
    data: Any,
    *,
    measure: str = "cosine",
    method: str = "average",
    max_leaves: int = 40,
    ax: Any = None,
) -> Any:
    """Dendrogram of hierarchically clustered plans, sections or words.

    Parameters
    ----------
    data : Clustering or pandas.DataFrame
        The result of :func:`compare.stat_clusters` with
        ``algorithm="hierarchical"`` (its linkage is drawn, branches coloured
        by cluster), or a :func:`compare.stat_similarity` table (clustered
        here on ``1 - similarity`` with ``method``).
    measure : {"cosine", "jaccard"}
        Similarity table only: which similarity.
    method : str
        Similarity table only: scipy linkage method for a distance matrix
        (``"average"``, ``"complete"``, ``"single"``, ``"weighted"``).
    max_leaves : int
        With more items, the tree is cut to its last ``max_leaves`` merges
        (such a leaf reads "(k)": a branch of k items).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if hasattr(data, "linkage") and hasattr(data, "assignments"):
        linkage, names, threshold, xlabel = _from_clustering(data)
    else:
        linkage, names = _from_similarity(data, measure, method)
        threshold = 0.0
        xlabel = f"距離（1 − {_MEASURE_LABELS.get(measure, measure)}）"
    n = len(names)
    leaves = min(n, max_leaves)
    with japanese_rc():
        ax = new_axes(ax, (7.0, min(max(2.2, 0.3 * leaves + 0.9), 10.0)))
        hierarchy.dendrogram(
            linkage,
            labels=names,
            orientation="left",
            ax=ax,
            color_threshold=threshold,
            above_threshold_color="#4a6fa5" if threshold == 0.0 else "#999999",
            truncate_mode="lastp" if n > max_leaves else None,
            p=max_leaves,
            leaf_font_size=9 if leaves <= 25 else 7,
        )
        ax.set_xlabel(xlabel)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
    return ax


def _from_similarity(
    similarity: pd.DataFrame, measure: str, method: str
) -> tuple[np.ndarray, list[str]]:
    if method not in ("average", "complete", "single", "weighted"):
        raise AnalysisError(
            f"Unknown method={method!r}; a similarity table supports 'average', 'complete', "
            "'single' or 'weighted' linkage."
        )
    square, docs = similarity_square(similarity, measure)
    if len(docs) < 2:
        raise AnalysisError("A dendrogram needs at least two documents.")
    return _similarity_linkage(square, method), list(docs["name"])


def _from_clustering(clustering: Any) -> tuple[np.ndarray, list[str], float, str]:
    linkage = clustering.linkage
    if linkage is None:
        raise AnalysisError(
            "This clustering has no linkage (KMeans); run stat_clusters with "
            "algorithm='hierarchical' to draw a dendrogram."
        )
    items = clustering.assignments
    if "municipality" in items.columns and "word" not in items.columns:
        names = _names(items)
    else:
        names = [str(v) for v in items["label"]]
    k = int(items["cluster"].nunique()) if "cluster" in items else 1
    heights = np.sort(np.asarray(linkage)[:, 2])
    # Colour the k clusters: cut between the k-th and (k-1)-th highest merges.
    threshold = 0.0
    if 1 < k <= len(heights):
        threshold = float((heights[-k] + heights[-(k - 1)]) / 2.0)
    elif k > len(heights) >= 1:
        threshold = float(heights[0] / 2.0)
    method = clustering.params.get("method", "") if isinstance(clustering.params, dict) else ""
    return linkage, names, threshold, f"結合距離（{method}法）" if method else "結合距離"


_MEASURE_LABELS = {"cosine": "コサイン類似度 (TF-IDF)", "jaccard": "Jaccard 係数（語の集合）"}


def _cmap() -> Any:
    import matplotlib as mpl

    return mpl.colormaps[SEQUENTIAL].with_extremes(bad="#eeeeee")


def _names(docs: pd.DataFrame) -> list[str]:
    if "heading" in docs.columns:
        names = plan_names(docs, width=10)
        return [
            f"{n}: {h}" if h else n
            for n, h in zip(names, docs["heading"].fillna("").astype(str).str[:14], strict=True)
        ]
    return table_names(docs)
