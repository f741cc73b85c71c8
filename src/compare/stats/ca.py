"""Correspondence analysis (CA) of a contingency table by a plain SVD.

CA places the rows and the columns of a table of counts (words ×
municipalities, words × plans, themes × plans …) in a few dimensions so that
rows near a column are over-represented in it.  Computation follows
Greenacre, *Correspondence Analysis in Practice*: the SVD of the matrix of
standardised residuals S = D_r^(-1/2) (P - r c^T) D_c^(-1/2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from compare.errors import AnalysisError
from compare.stats._common import (
    GROUPINGS,
    count_matrix,
    group_documents,
    resolve_by,
    select_tokens,
)
from compare.stats.matrix import (
    DocumentTermMatrix,
    VocabularySetting,
    apply_vocabulary,
    compare_dtm,
    group_dtm,
)
from compare.structure.coverage import select_section


@dataclass(frozen=True)
class CorrespondenceAnalysis:
    """Result of :func:`stat_ca`.

    Attributes
    ----------
    rows, columns : pandas.DataFrame
        One row per table row (column).  Columns: ``label``, any carried
        labels (e.g. ``municipality``, ``plan_type`` for groups), ``count``
        (marginal total), ``mass``, ``inertia`` (share of the total inertia
        this point accounts for), ``dim1`` … ``dimK`` (principal coordinates),
        ``ctr1`` … ``ctrK`` (contribution to each dimension, summing to 1 per
        dimension) and ``cos2_1`` … ``cos2_K`` (quality of representation).
    inertia : pandas.DataFrame
        One row per dimension: ``dim``, ``eigenvalue`` (principal inertia),
        ``singular_value``, ``share`` (of total inertia) and ``cumulative``.
    total_inertia : float
        Total inertia (χ² / n of the table).
    """

    rows: pd.DataFrame
    columns: pd.DataFrame
    inertia: pd.DataFrame
    total_inertia: float
    params: dict = field(default_factory=dict)

    @property
    def coordinates(self) -> pd.DataFrame:
        """Rows and columns stacked, with ``side`` = "row" or "column" (for a biplot)."""
        rows = self.rows.assign(side="row")
        columns = self.columns.assign(side="column")
        return pd.concat([rows, columns], ignore_index=True)


def stat_ca(
    data: pd.DataFrame | DocumentTermMatrix,
    by: str | Sequence[str] = "municipality",
    *,
    n_components: int = 2,
    min_count: int = 5,
    max_words: int | None = 100,
    content_only: bool = True,
    include_meta: bool = False,
    vocabulary: VocabularySetting = "default",
    section: str | None = None,
    segments: pd.DataFrame | None = None,
) -> CorrespondenceAnalysis:
    """Correspondence analysis of words × groups, or of any contingency table.

    Parameters
    ----------
    data : pandas.DataFrame or DocumentTermMatrix
        A TOKENS table or a count matrix (e.g. ``run_pipeline(...).dtm``,
        summed to the groups given by ``by``): rows become words and columns
        the groups; or a contingency table of non-negative counts (index: row
        labels, columns: column labels; e.g. ``pd.crosstab(hits.theme_id,
        hits.plan_id)`` for themes × plans).
    by : str or list of str
        Grouping of a TOKENS table: ``"municipality"`` (default), ``"plan"``,
        ``"plan_type"`` or any column.  Ignored for a contingency table.
    n_components : int
        Number of dimensions reported (at most min(rows, columns) - 1).
    min_count : int
        TOKENS and count matrices: drop words seen fewer times in total.
    max_words : int or None
        TOKENS and count matrices: keep the most frequent words (ties by word).
    content_only, include_meta : bool
        TOKENS only: which tokens are counted.
    vocabulary : Vocabulary, "default", mapping or None
        TOKENS and count matrices: the comparison vocabulary (:class:`compare.Vocabulary`,
        see :func:`compare.stat_dtm`); None counts the ``word`` column as it is.
    section : str, optional
        TOKENS only: count only the parts under headings of this kind
        (``"goals"`` or ``"基本目標"``, see
        :data:`compare.structure.coverage.SECTION_KINDS`); needs ``segments``.
    segments : pandas.DataFrame, optional
        TOKENS only: the SEGMENTS table of the tokens (for ``section``).

    Returns
    -------
    CorrespondenceAnalysis
        ``rows`` and ``columns`` (columns: label, carried labels such as
        municipality and plan_type for groups, count, mass, inertia, dim1 …
        dimK, ctr1 … ctrK, cos2_1 … cos2_K), ``inertia`` (columns: dim,
        eigenvalue, singular_value, share, cumulative), ``total_inertia`` and
        ``coordinates`` (rows and columns stacked with ``side``) for plotting.  Signs of each dimension are
        fixed so that the column with the largest absolute coordinate is
        positive.

    Raises
    ------
    AnalysisError
        Fewer than two non-empty rows or columns, negative counts, an unknown
        grouping column.
    """
    if n_components < 1:
        raise AnalysisError(f"n_components must be at least 1, got {n_components}.")
    if isinstance(data, DocumentTermMatrix):
        if section is not None:
            raise AnalysisError(
                "section= needs a TOKENS table; a count matrix does not know its headings."
            )
        table, column_labels = _matrix_table(data, by, min_count, max_words, vocabulary)
        row_labels = pd.DataFrame({"label": table.index.astype(object)})
    elif "word" in data.columns and "plan_id" in data.columns:
        table, column_labels = _word_table(
            data,
            by,
            min_count,
            max_words,
            content_only,
            include_meta,
            vocabulary,
            section,
            segments,
        )
        row_labels = pd.DataFrame({"label": table.index.astype(object)})
    else:
        table = data
        column_labels = pd.DataFrame({"label": [str(c) for c in table.columns]})
        row_labels = pd.DataFrame({"label": [str(i) for i in table.index]})
    counts = _validate(table)
    nonempty_rows = counts.sum(axis=1) > 0
    nonempty_cols = counts.sum(axis=0) > 0
    counts = counts[nonempty_rows][:, nonempty_cols]
    row_labels = row_labels[nonempty_rows].reset_index(drop=True)
    column_labels = column_labels[nonempty_cols].reset_index(drop=True)
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        raise AnalysisError(
            f"Correspondence analysis needs at least two non-empty rows and columns; the table "
            f"has {counts.shape[0]} × {counts.shape[1]}. Add plans/groups or lower min_count."
        )
    return _ca(counts, row_labels, column_labels, n_components)


def _word_table(
    tokens: pd.DataFrame,
    by: str | Sequence[str],
    min_count: int,
    max_words: int | None,
    content_only: bool,
    include_meta: bool,
    vocabulary: VocabularySetting = "default",
    section: str | None = None,
    segments: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    compared = apply_vocabulary(tokens, vocabulary)
    if section is not None:
        compared = select_section(compared, section, segments=segments)
    selected = select_tokens(compared, content_only=content_only, include_meta=include_meta)
    keys = resolve_by(by, selected)
    docs = group_documents(selected, keys)
    if len(docs.frame) < 2:
        raise AnalysisError(
            f"Correspondence analysis needs at least two groups; by={by!r} gives "
            f"{len(docs.frame)}. Choose a grouping with more values (e.g. by='plan')."
        )
    counts, terms = count_matrix(docs)
    keep = _frequent(np.asarray(counts.sum(axis=0)).ravel(), terms, min_count, max_words)
    dense = counts[:, keep].toarray().T
    table = pd.DataFrame(dense, index=pd.Index(terms[keep], name="word"))
    columns = docs.frame.drop(columns=["doc", "n_tokens"])
    columns = columns[["label", *[c for c in columns.columns if c != "label"]]]
    return table, columns.reset_index(drop=True)


def _matrix_table(
    dtm: DocumentTermMatrix,
    by: str | Sequence[str],
    min_count: int,
    max_words: int | None,
    vocabulary: VocabularySetting,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Words × groups counts of a count matrix (as :func:`_word_table` makes of tokens)."""
    keys = list(GROUPINGS.get(by, (by,))) if isinstance(by, str) else list(by)
    compared = compare_dtm(dtm, vocabulary)
    grouped = compared if tuple(keys) == tuple(compared.by) else group_dtm(compared, keys)
    documents = grouped.documents
    if len(documents) < 2:
        raise AnalysisError(
            f"Correspondence analysis needs at least two groups; by={by!r} gives "
            f"{len(documents)}. Choose a grouping with more values (e.g. by='plan')."
        )
    counts = grouped.counts.tocsr()
    terms = grouped.terms["term"].to_numpy(dtype=object)
    keep = _frequent(np.asarray(counts.sum(axis=0)).ravel(), terms, min_count, max_words)
    table = pd.DataFrame(counts[:, keep].toarray().T, index=pd.Index(terms[keep], name="word"))
    columns = documents.drop(columns=["doc", "n_tokens"])
    columns = columns[["label", *[c for c in columns.columns if c != "label"]]]
    return table, columns.reset_index(drop=True)


def _frequent(
    totals: np.ndarray, terms: np.ndarray, min_count: int, max_words: int | None
) -> np.ndarray:
    """Columns of the words counted at least ``min_count`` times, the ``max_words`` most frequent."""
    keep = np.flatnonzero(totals >= min_count)
    if max_words is not None:
        order = np.lexsort((terms[keep].astype(str), -totals[keep]))
        keep = np.sort(keep[order[:max_words]])
    if keep.size < 2:
        raise AnalysisError(
            f"Only {keep.size} word(s) occur at least min_count={min_count} times; lower min_count."
        )
    return keep


def _validate(table: pd.DataFrame) -> np.ndarray:
    try:
        counts = table.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise AnalysisError(
            "stat_ca needs a TOKENS table or a table of counts (numbers only); "
            "move label columns into the index."
        ) from None
    if counts.ndim != 2 or not np.isfinite(counts).all():
        raise AnalysisError("The contingency table holds missing or infinite values; fill them.")
    if (counts < 0).any():
        raise AnalysisError("The contingency table holds negative counts; CA needs counts >= 0.")
    return counts


def _ca(
    counts: np.ndarray, row_labels: pd.DataFrame, column_labels: pd.DataFrame, n_components: int
) -> CorrespondenceAnalysis:
    n = counts.sum()
    p = counts / n
    r = p.sum(axis=1)
    c = p.sum(axis=0)
    residuals = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, s, vt = np.linalg.svd(residuals, full_matrices=False)
    rank = min(counts.shape) - 1
    u, s, v = u[:, :rank], s[:rank], vt[:rank].T
    # Deterministic signs: the column with the largest |loading| is positive.
    flip = np.sign(v[np.argmax(np.abs(v), axis=0), np.arange(v.shape[1])])
    flip[flip == 0] = 1.0
    u, v = u * flip, v * flip
    eigen = s**2
    total = float((residuals**2).sum())
    k = min(n_components, rank)
    row_coords = (u * s) / np.sqrt(r)[:, None]
    col_coords = (v * s) / np.sqrt(c)[:, None]
    rows = _points(row_labels, counts.sum(axis=1), r, row_coords, u, eigen, total, k)
    columns = _points(column_labels, counts.sum(axis=0), c, col_coords, v, eigen, total, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = eigen / total if total > 0 else np.zeros_like(eigen)
    inertia = pd.DataFrame(
        {
            "dim": np.arange(1, rank + 1, dtype=np.int64),
            "eigenvalue": eigen,
            "singular_value": s,
            "share": share,
            "cumulative": np.cumsum(share),
        }
    )
    params = {"n_components": k, "shape": counts.shape}
    return CorrespondenceAnalysis(rows, columns, inertia, total, params)


def _points(
    labels: pd.DataFrame,
    totals: np.ndarray,
    mass: np.ndarray,
    coords: np.ndarray,
    vectors: np.ndarray,
    eigen: np.ndarray,
    total: float,
    k: int,
) -> pd.DataFrame:
    frame = labels.copy()
    integral = np.all(totals == np.round(totals))
    frame["count"] = totals.astype(np.int64) if integral else totals
    frame["mass"] = mass
    squared = (coords**2).sum(axis=1)
    frame["inertia"] = mass * squared / total if total > 0 else 0.0
    for d in range(k):
        frame[f"dim{d + 1}"] = coords[:, d]
    for d in range(k):
        frame[f"ctr{d + 1}"] = vectors[:, d] ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        for d in range(k):
            frame[f"cos2_{d + 1}"] = np.where(squared > 0, coords[:, d] ** 2 / squared, 0.0)
    return frame.reset_index(drop=True)
