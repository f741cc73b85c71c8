"""Document similarity: plan × plan, section × section, or any grouping.

Two measures: cosine similarity of TF-IDF vectors (how alike the weighted
vocabularies are) and Jaccard similarity of word sets (what share of the
distinct words the two documents have in common).  The result is a tidy long
table; :func:`similarity_matrix` turns it into a square matrix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from compare.errors import AnalysisError
from compare.stats._common import (
    GROUPINGS,
    PAIR_LABELS,
    check_columns,
    count_matrix,
    group_documents,
    resolve_by,
    select_tokens,
    tfidf,
)
from compare.stats.matrix import (
    DocumentTermMatrix,
    VocabularySetting,
    apply_vocabulary,
    compare_dtm,
    group_dtm,
)
from compare.structure.coverage import select_section

MEASURES = ("cosine", "jaccard")


def stat_similarity(
    tokens: pd.DataFrame | DocumentTermMatrix,
    by: str | Sequence[str] = "plan",
    *,
    among: Sequence[int] | None = None,
    segments: pd.DataFrame | None = None,
    heading: str | None = None,
    pairs: Literal["all", "unique", "across"] = "all",
    min_df: float | int = 1,
    max_df: float | int = 1.0,
    sublinear_tf: bool = False,
    content_only: bool = True,
    include_meta: bool = False,
    vocabulary: VocabularySetting = "default",
    section: str | None = None,
) -> pd.DataFrame:
    """Cosine (TF-IDF) and Jaccard (word sets) similarity between documents.

    Parameters
    ----------
    tokens : pandas.DataFrame or DocumentTermMatrix
        A TOKENS table, or sparse counts such as ``run_pipeline(...).dtm``
        (plans × words; its rows are summed by ``by`` when it names other
        columns): the same numbers without a token table.
    by : str or list of str
        What is compared: ``"plan"`` (default), ``"section"``, ``"segment"``,
        ``"municipality"`` or any column(s) of ``tokens``.
    among : list of int, optional
        Only pairs of these documents (row numbers); the TF-IDF weights still
        come from every document, so a pair has the same cosine as in the
        whole table (for a heatmap of a few of many documents).
    segments : pandas.DataFrame, optional
        The SEGMENTS table; needed for ``heading`` and used to label sections
        with their heading text.
    heading : str, optional
        Regular expression matched against each segment's ``heading_path``:
        only segments under a matching heading are counted.  For example
        ``stat_similarity(tokens, segments=segments, heading="基本理念")``
        compares every plan's 基本理念 with every other's.
    pairs : {"all", "unique", "across"}
        ``"all"``: every ordered pair including a document with itself (a full
        square); ``"unique"``: each unordered pair once; ``"across"``: unique
        pairs of documents from different plans only.
    min_df, max_df : int or float
        Document-frequency trimming of the vocabulary (as scikit-learn).
    sublinear_tf : bool
        Use 1 + log(tf) in TF-IDF.
    content_only, include_meta : bool
        Which tokens are counted (default: content tokens of non-meta segments).
    vocabulary : Vocabulary, "default", mapping or None
        The comparison vocabulary (:class:`compare.Vocabulary`; see
        :func:`compare.stat_dtm`); None counts the ``word`` column as it is.
    section : str, optional
        Count only the parts of every plan under headings of this kind
        (``"goals"`` or ``"基本目標"``, see
        :data:`compare.structure.coverage.SECTION_KINDS`), so documents of
        different coverage compare like parts; needs ``segments``.

    Returns
    -------
    pandas.DataFrame
        One row per pair, sorted by ``doc_a``, ``doc_b``. Columns: ``doc_a``,
        ``doc_b`` (row numbers in document order), ``label_a``, ``label_b``,
        the grouping columns suffixed ``_a``/``_b``, ``plan_id_a``/``_b``,
        ``municipality_a``/``_b``, ``plan_type_a``/``_b``, ``author_a``/``_b``,
        ``edition_a``/``_b`` (when constant within documents), ``heading_a``/``_b``
        (sections, when ``segments`` is given), ``cosine``, ``jaccard``,
        ``n_terms_a``, ``n_terms_b`` (distinct words) and ``n_shared``.
        ``df.attrs["documents"]`` holds the document table.

    Raises
    ------
    AnalysisError
        Fewer than two documents, an unknown grouping column, ``heading``
        without ``segments``, no segment under ``heading``, or an empty matrix
        after trimming; ``heading`` or trimming asked of a count matrix.
    """
    if pairs not in ("all", "unique", "across"):
        raise AnalysisError(f"Unknown pairs={pairs!r}; use 'all', 'unique' or 'across'.")
    if isinstance(tokens, DocumentTermMatrix):
        if heading is not None or section is not None or min_df != 1 or max_df != 1.0:
            raise AnalysisError(
                "heading=, section=, min_df= and max_df= need a TOKENS table; a count matrix has no "
                "segments and is compared with every word."
            )
        keys = list(GROUPINGS.get(by, (by,))) if isinstance(by, str) else list(by)
        compared_dtm = compare_dtm(tokens, vocabulary)
        described = compared_dtm.params.get("vocabulary")
        dtm = compared_dtm if tuple(keys) == tuple(tokens.by) else group_dtm(compared_dtm, keys)
        frame, counts = dtm.documents, sp.csr_matrix(dtm.counts)
    else:
        compared = apply_vocabulary(tokens, vocabulary)
        described = compared.attrs.get("vocabulary")
        if section is not None:
            compared = select_section(compared, section, segments=segments)
        selected = select_tokens(compared, content_only=content_only, include_meta=include_meta)
        if heading is not None:
            selected = _under_heading(selected, segments, heading)
        keys = resolve_by(by, selected)
        docs = group_documents(selected, keys)
        frame = docs.frame
        counts = None
    if len(frame) < 2:
        raise AnalysisError(
            f"Similarity needs at least two documents; by={by!r} gives {len(frame)} "
            f"({', '.join(frame['label'])}). Add plans or use a finer grouping."
        )
    if segments is not None and "section_id" in keys:
        frame = _add_headings(frame, segments)
    if counts is None:
        counts, _terms = count_matrix(docs, min_df=min_df, max_df=max_df)

    chosen = np.arange(len(frame)) if among is None else np.asarray(among, dtype=np.int64)
    cosine = cosine_matrix(counts, sublinear_tf=sublinear_tf, rows=chosen)
    presence = sp.csr_matrix((counts[chosen] > 0).astype(np.int64))
    shared = (presence @ presence.T).toarray()
    sizes = np.asarray(presence.sum(axis=1)).ravel()
    union = sizes[:, None] + sizes[None, :] - shared
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = np.where(union > 0, shared / np.where(union > 0, union, 1), 0.0)

    # Pairs are numbered within the chosen documents, then mapped to document numbers.
    a, b = _pair_indices(frame.iloc[chosen].reset_index(drop=True), pairs)
    cosine, jaccard, shared = cosine[a, b], jaccard[a, b], shared[a, b]
    size_a, size_b = sizes[a], sizes[b]
    a, b = chosen[a], chosen[b]
    out = pd.DataFrame({"doc_a": a, "doc_b": b})
    out["label_a"] = frame["label"].to_numpy()[a]
    out["label_b"] = frame["label"].to_numpy()[b]
    carried = [*keys]
    carried += [c for c in ("plan_id", *PAIR_LABELS, "heading") if c in frame and c not in keys]
    for column in carried:
        values = frame[column].to_numpy()
        out[f"{column}_a"] = values[a]
        out[f"{column}_b"] = values[b]
    out["cosine"] = cosine
    out["jaccard"] = jaccard
    out["n_terms_a"] = size_a.astype(np.int64)
    out["n_terms_b"] = size_b.astype(np.int64)
    out["n_shared"] = shared.astype(np.int64)
    out.attrs["documents"] = frame
    out.attrs["params"] = {"by": keys, "heading": heading, "section": section, "pairs": pairs}
    out.attrs["vocabulary"] = described
    return out


def cosine_matrix(
    counts: sp.spmatrix | DocumentTermMatrix,
    *,
    sublinear_tf: bool = False,
    rows: Sequence[int] | np.ndarray | None = None,
) -> np.ndarray:
    """Square cosine similarity of the TF-IDF vectors of a count matrix's rows.

    The measure of :func:`stat_similarity` as a dense array (for clustering
    or nearest neighbours of many documents, without a table of every
    pair).  The diagonal is 1 for a row with at least one word; ``rows``
    restricts the square to those rows (weights still from every row).
    """
    if isinstance(counts, DocumentTermMatrix):
        counts = counts.counts
    weights, _ = tfidf(sp.csr_matrix(counts), sublinear_tf=sublinear_tf, norm="l2")
    if rows is not None:
        weights = weights[np.asarray(rows, dtype=np.int64)]
    cosine = (weights @ weights.T).toarray()
    np.fill_diagonal(cosine, np.where(np.asarray(weights.sum(axis=1)).ravel() > 0, 1.0, 0.0))
    return np.clip(cosine, 0.0, 1.0)


def nearest_neighbours(cosine: np.ndarray, labels: Sequence[object], k: int = 3) -> pd.DataFrame:
    """Each document's ``k`` most similar others, from a square :func:`cosine_matrix`.

    A table of every pair grows with the square of the documents; this one
    with their number, so it suits thousands of plans or every municipality.

    Returns
    -------
    pandas.DataFrame
        One row per (document, neighbour), documents in order: ``label``,
        ``rank`` (1 = most similar), ``neighbour`` and ``cosine``; ties go to
        the earlier document.
    """
    square = np.array(cosine, dtype=float, copy=True)
    n = len(square)
    names = np.asarray(list(labels), dtype=object)
    if names.shape != (n,):
        raise AnalysisError(f"{len(names)} labels for a {n} × {n} similarity matrix.")
    np.fill_diagonal(square, -np.inf)
    rows = []
    for i in range(n):
        order = np.lexsort((np.arange(n), -square[i]))[: max(0, min(k, n - 1))]
        for rank, j in enumerate(order, start=1):
            rows.append((names[i], rank, names[j], float(square[i, j])))
    return pd.DataFrame(rows, columns=["label", "rank", "neighbour", "cosine"])


def similarity_matrix(
    pairs: pd.DataFrame, measure: Literal["cosine", "jaccard"] = "cosine", label: str = "label"
) -> pd.DataFrame:
    """Square document × document matrix from a :func:`stat_similarity` table.

    Parameters
    ----------
    pairs : pandas.DataFrame
        The output of :func:`stat_similarity` (any ``pairs`` setting).
    measure : {"cosine", "jaccard"}
        Which similarity fills the cells.
    label : str
        Column (without the ``_a``/``_b`` suffix) naming rows and columns,
        e.g. ``"label"``, ``"plan_id"`` or ``"municipality"``.

    Returns
    -------
    pandas.DataFrame
        Symmetric matrix in document order; the diagonal is 1 for documents
        with at least one word.
    """
    if measure not in MEASURES:
        raise AnalysisError(f"Unknown measure {measure!r}; use 'cosine' or 'jaccard'.")
    check_columns(pairs, ("doc_a", "doc_b", f"{label}_a", f"{label}_b", measure), "similarity")
    docs = np.concatenate([pairs["doc_a"].to_numpy(np.int64), pairs["doc_b"].to_numpy(np.int64)])
    order, first = np.unique(docs, return_index=True)
    names = np.concatenate([pairs[f"{label}_{side}"].to_numpy(dtype=object) for side in "ab"])
    index = pd.Index(names[first].tolist(), name=label)
    position = np.searchsorted(order, docs)
    a, b = np.split(position, 2)
    square = np.full((len(order), len(order)), np.nan)
    np.fill_diagonal(square, 1.0)
    low, high, value = _last_per_pair(a, b, pairs[measure].to_numpy(dtype=float))
    square[low, high] = value
    square[high, low] = value
    return pd.DataFrame(square, index=index, columns=index.rename(None))


def _last_per_pair(
    a: np.ndarray, b: np.ndarray, value: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each unordered pair {a, b} once, with the value of its last row in the table.

    A table may list a pair both ways (``pairs="all"``); the matrix is made
    symmetric, and the later row decides, as when filling it row by row.
    """
    low, high = np.minimum(a, b), np.maximum(a, b)
    key = low * (int(high.max(initial=0)) + 1) + high
    _, last_reversed = np.unique(key[::-1], return_index=True)
    last = len(key) - 1 - last_reversed
    return low[last], high[last], value[last]


def _pair_indices(frame: pd.DataFrame, pairs: str) -> tuple[np.ndarray, np.ndarray]:
    n = len(frame)
    if pairs == "all":
        a, b = np.divmod(np.arange(n * n, dtype=np.int64), n)
        return a, b
    a, b = np.triu_indices(n, k=1)
    if pairs == "across" and "plan_id" in frame:
        plan = frame["plan_id"].to_numpy()
        keep = plan[a] != plan[b]
        a, b = a[keep], b[keep]
    return a.astype(np.int64), b.astype(np.int64)


def _under_heading(
    tokens: pd.DataFrame, segments: pd.DataFrame | None, heading: str
) -> pd.DataFrame:
    if segments is None:
        raise AnalysisError(
            "heading= needs the SEGMENTS table: pass segments=read_corpus() (or the table "
            "the tokens came from)."
        )
    check_columns(segments, ("plan_id", "seg_id", "heading_path"), "SEGMENTS")
    check_columns(tokens, ("seg_id",))
    try:
        pattern = re.compile(heading)
    except re.error as error:
        raise AnalysisError(
            f"heading={heading!r} is not a valid regular expression: {error}"
        ) from None
    paths = segments["heading_path"].fillna("").astype(str)
    under = segments.loc[paths.map(lambda p: bool(pattern.search(p))), ["plan_id", "seg_id"]]
    if under.empty:
        raise AnalysisError(
            f"No segment lies under a heading matching {heading!r}; check the pattern against "
            "outline(segments) or drop heading=."
        )
    keys = pd.MultiIndex.from_frame(under.astype({"plan_id": object}))
    token_keys = pd.MultiIndex.from_arrays([tokens["plan_id"].astype(object), tokens["seg_id"]])
    selected = tokens.loc[token_keys.isin(keys)]
    if selected.empty:
        raise AnalysisError(
            f"Segments under headings matching {heading!r} hold no counted token; "
            "pass content_only=False or choose another heading."
        )
    return selected


def _add_headings(frame: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    check_columns(segments, ("plan_id", "section_id", "heading_path"), "SEGMENTS")
    first = segments.drop_duplicates(["plan_id", "section_id"])
    path = first["heading_path"].fillna("").astype(str).str.split(" > ").str[-1]
    keys = zip(first["plan_id"].astype(object), first["section_id"], strict=True)
    lookup = dict(zip(keys, path, strict=True))
    frame = frame.copy()
    frame["heading"] = [
        lookup.get((p, s), "")
        for p, s in zip(frame["plan_id"].astype(object), frame["section_id"], strict=True)
    ]
    return frame
