"""Keyness: the words that distinguish one group of documents from another.

For each word the counts in a target and a reference corpus form a 2 × 2
table (word vs. all other words, target vs. reference).  We report Dunning's
log-likelihood G² and Pearson's χ² of that table, both signed by direction, the log ratio
effect size (Hardie 2014) and the rates per 1,000 tokens, so that documents
of different lengths compare fairly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import chi2 as chi2_dist

from compare.errors import AnalysisError
from compare.stats._common import (
    GROUPINGS,
    GroupLabels,
    count_matrix,
    group_documents,
    per_thousand,
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

#: Catalogue labels of the target carried into the keyness table.
KEYNESS_LABELS = ("plan_id", "municipality", "plan_type", "author", "edition")

SortBy = Literal["g2", "chi2", "log_ratio"]


def stat_keyness(
    tokens: pd.DataFrame | DocumentTermMatrix,
    by: str | Sequence[str] = "plan",
    *,
    target: object | Sequence[object] | None = None,
    reference: object | Sequence[object] | None = None,
    min_count: int = 1,
    sort_by: SortBy = "g2",
    top: int | None = None,
    yates: bool = False,
    content_only: bool = True,
    include_meta: bool = False,
    vocabulary: VocabularySetting = "default",
    section: str | None = None,
    segments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Distinctive words of each group against the rest, or of one group against another.

    Parameters
    ----------
    tokens : pandas.DataFrame or DocumentTermMatrix
        A TOKENS table, or sparse counts: a count matrix such as
        ``run_pipeline(...).dtm`` (plans × words), whose rows are summed by
        ``by`` when it names other columns (:func:`compare.stats.matrix.group_dtm`).
        Computed over the non-zero cells only, so a matrix of thousands of
        plans stays small; one-vs-rest then lists the words each target uses
        (the rows of over-used words equal those from the TOKENS table; a
        word absent from the target, always under-used, has no row).
    by : str or list of str
        The grouping: ``"plan"`` (default), ``"municipality"``, ``"section"``
        or any column of ``tokens`` (e.g. ``"plan_type"``, ``"author"``).
    target : value or list of values, optional
        Group value(s) forming the target corpus.  When omitted every group is
        compared with all the others in turn (one-vs-rest).
    reference : value or list of values, optional
        Group value(s) forming the reference corpus (two-group comparison);
        default: every group not in ``target``.
    min_count : int
        Drop words seen fewer times in target and reference together.
    sort_by : {"g2", "chi2", "log_ratio"}
        Signed statistic used for the ``keyness`` column and the order.
    top : int, optional
        Keep only the ``top`` most over-represented words of each target.
    yates : bool
        Apply Yates' continuity correction to χ².
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
    segments : pandas.DataFrame, optional
        The SEGMENTS table of the tokens (for ``section``).

    Returns
    -------
    pandas.DataFrame
        One row per (target, word), targets in document order, words by
        descending ``keyness`` then by word.  Columns: ``target`` (group label),
        ``reference`` (label of the reference corpus, ``"(rest)"`` when it
        is every other group), the grouping columns and the target's ``plan_id``,
        ``municipality``, ``plan_type``, ``author``, ``edition`` (when
        constant within the target, else None), ``rank``
        (1 = most distinctive), ``word``, ``count_target``,
        ``count_reference``, ``total_target``, ``total_reference`` (tokens),
        ``per1000_target``, ``per1000_reference``, ``g2``, ``chi2`` (signed:
        negative when the word is under-used in the target), ``p_value`` (of
        G², 1 degree of freedom), ``log_ratio`` (log2 of the ratio of relative
        frequencies; a zero count is replaced by 0.5), ``direction``
        (``"target"`` when over-used in the target, else ``"reference"``) and
        ``keyness`` (the signed ``sort_by`` statistic).

    Raises
    ------
    AnalysisError
        Fewer than two groups, an unknown group value or grouping column,
        overlapping target and reference.
    """
    if sort_by not in ("g2", "chi2", "log_ratio"):
        raise AnalysisError(f"Unknown sort_by={sort_by!r}; use 'g2', 'chi2' or 'log_ratio'.")
    counts: np.ndarray | sp.csr_matrix
    if isinstance(tokens, DocumentTermMatrix) and section is not None:
        raise AnalysisError("section= needs a TOKENS table; a count matrix has no headings.")
    if isinstance(tokens, DocumentTermMatrix):
        dtm = compare_dtm(tokens, vocabulary)
        keys, frame, counts, labels = _matrix_groups(dtm, by)
        terms = dtm.terms["term"].to_numpy(dtype=object)
        described = dtm.params.get("vocabulary")
    else:
        compared = apply_vocabulary(tokens, vocabulary)
        described = compared.attrs.get("vocabulary")
        if section is not None:
            compared = select_section(compared, section, segments=segments)
        selected = select_tokens(compared, content_only=content_only, include_meta=include_meta)
        keys = resolve_by(by, selected)
        docs = group_documents(selected, keys)
        frame = docs.frame
        sparse, terms = count_matrix(docs)
        counts = sparse.toarray()
        labels = GroupLabels(selected, docs, [*keys, *KEYNESS_LABELS])
    _require_two(frame, by)
    if target is None and reference is None and sp.issparse(counts):
        table = _sparse_one_vs_rest(
            counts, terms, min_count=min_count, sort_by=sort_by, top=top, yates=yates
        )
        groups = [[i] for i in range(len(frame))]
        reference_names = ["(rest)"] * len(frame)
    else:
        table, groups, reference_names = _keyness_table(
            counts,
            frame,
            terms,
            target=target,
            reference=reference,
            min_count=min_count,
            sort_by=sort_by,
            yates=yates,
        )
    table = _finish(
        table,
        frame,
        groups,
        reference_names,
        [labels(rows) for rows in groups],
        top=top,
        params={"by": keys, "min_count": min_count, "sort_by": sort_by, "yates": yates},
    )
    table.attrs["vocabulary"] = described
    return table


def _require_two(frame: pd.DataFrame, by: object) -> None:
    if len(frame) < 2:
        raise AnalysisError(
            f"Keyness needs at least two groups to compare; by={by!r} gives {len(frame)} "
            f"({', '.join(frame['label'])}). Add plans or choose another grouping."
        )


def _keyness_table(
    counts: np.ndarray | sp.csr_matrix,
    frame: pd.DataFrame,
    terms: np.ndarray,
    *,
    target: object,
    reference: object,
    min_count: int,
    sort_by: SortBy,
    yates: bool,
) -> tuple[pd.DataFrame, list[list[int]], list[str]]:
    """Keyness of groups × words counts: the long table, the rows of each comparison
    and the reference names.  One-vs-rest needs dense counts; a target works on both."""
    if target is None:
        if reference is not None:
            raise AnalysisError("reference= needs target=; name the target group(s) too.")
        # one-vs-rest: every group against all the others
        targets = counts
        references = counts.sum(axis=0, keepdims=True) - counts
        groups = [[i] for i in range(len(frame))]
        reference_names = ["(rest)"] * len(frame)
    else:
        rows = _rows(frame, target, "target")
        if reference is None:
            ref_rows = [i for i in range(len(frame)) if i not in rows]
            reference_names = ["(rest)"]
        else:
            ref_rows = _rows(frame, reference, "reference")
            overlap = set(rows) & set(ref_rows)
            if overlap:
                names = ", ".join(frame["label"].iloc[sorted(overlap)])
                raise AnalysisError(f"{names} is both target and reference; separate them.")
            reference_names = [_label(frame, ref_rows)]
        if not ref_rows:
            raise AnalysisError(
                "The reference corpus is empty: the target covers every group. "
                "Name fewer target groups."
            )
        # Works on a dense array and on a sparse matrix alike.
        targets = np.asarray(counts[rows].sum(axis=0)).reshape(1, -1)
        references = np.asarray(counts[ref_rows].sum(axis=0)).reshape(1, -1)
        groups = [rows]
    table = _keyness_long(
        targets, references, terms, min_count=min_count, yates=yates, sort_by=sort_by
    )
    return table, groups, reference_names


def _finish(
    table: pd.DataFrame,
    frame: pd.DataFrame,
    groups: list[list[int]],
    reference_names: list[str],
    per_group: list[dict[str, object]],
    *,
    top: int | None,
    params: dict,
) -> pd.DataFrame:
    """Keep the ``top`` ranks and put the target's and reference's labels in front."""
    if top is not None:
        table = table.loc[table["rank"] <= top].reset_index(drop=True)
    group = table.pop("_group").to_numpy()
    table.insert(
        0, "target", np.array([_label(frame, rows) for rows in groups], dtype=object)[group]
    )
    table.insert(1, "reference", np.array(reference_names, dtype=object)[group])
    for position, column in enumerate(per_group[0] if per_group else (), start=2):
        values = np.array([labels[column] for labels in per_group], dtype=object)
        table.insert(position, column, values[group])
    table.attrs["params"] = params
    return table


#: Rows of a sparse count matrix whose cells are assembled at once.
_BLOCK = 64


def _matrix_groups(
    dtm: DocumentTermMatrix, by: str | Sequence[str]
) -> tuple[list[str], pd.DataFrame, sp.csr_matrix, Callable[[Sequence[int]], dict[str, object]]]:
    """The grouping columns, groups, sparse counts and a group-labeller of a count matrix."""
    keys = list(GROUPINGS.get(by, (by,))) if isinstance(by, str) else list(by)
    source = dtm.documents
    if tuple(keys) != tuple(dtm.by):
        dtm = group_dtm(dtm, keys)
        codes = source.groupby(keys, sort=False, dropna=False).ngroup().to_numpy(np.int64)
    else:
        codes = np.arange(len(source), dtype=np.int64)
    # Labels of a target from the documents before grouping (None where they differ).
    columns = [c for c in dict.fromkeys([*keys, *KEYNESS_LABELS]) if c in source.columns]
    values = {c: source[c].to_numpy(dtype=object) for c in columns}

    def labels(rows: Sequence[int]) -> dict[str, object]:
        inside = np.isin(codes, rows)
        return {c: _constant(v[inside]) for c, v in values.items()}

    return keys, dtm.documents, sp.csr_matrix(dtm.counts), labels


def _sparse_one_vs_rest(
    counts: sp.csr_matrix,
    terms: np.ndarray,
    *,
    min_count: int,
    sort_by: SortBy,
    top: int | None,
    yates: bool,
) -> pd.DataFrame:
    """One-vs-rest keyness over the non-zero cells only, in blocks of rows (bounded memory)."""
    column_totals = np.asarray(counts.sum(axis=0)).ravel().astype(float)
    row_totals = np.asarray(counts.sum(axis=1)).ravel().astype(float)
    grand = float(row_totals.sum())
    parts = []
    for start in range(0, counts.shape[0], _BLOCK):
        block = counts[start : start + _BLOCK].tocoo()
        row, term = block.row.astype(np.int64) + start, block.col.astype(np.int64)
        a = block.data.astype(float)
        b = column_totals[term] - a
        c = row_totals[row]
        cells = KeynessCells(group=row, term=term, a=a, b=b, c=c, d=grand - c)
        kept = cells.take((a + b) >= max(min_count, 1))
        parts.append(
            pd.DataFrame(keyness_columns(kept, terms, yates=yates, sort_by=sort_by, top=top))
        )
    return pd.concat(parts, ignore_index=True)


def _constant(values: np.ndarray) -> object:
    """The one value of ``values``, or None when they differ."""
    first = values[0]
    return first if all(v == first or (v != v and first != first) for v in values) else None


def _rows(frame: pd.DataFrame, values: object, what: str) -> list[int]:
    many = isinstance(values, (list, set, frozenset, np.ndarray, pd.Series, pd.Index))
    wanted = list(values) if many else [values]
    labels = frame["label"].to_numpy()
    rows: list[int] = []
    for value in wanted:
        name = ":".join(map(str, value)) if isinstance(value, tuple) else str(value)
        match = np.flatnonzero(labels == name)
        if match.size == 0:
            known = ", ".join(map(str, labels))
            raise AnalysisError(f"{what}={value!r} is not a group; choose from {known}.")
        rows.extend(int(i) for i in match)
    return sorted(set(rows))


def _label(frame: pd.DataFrame, rows: list[int]) -> str:
    return "+".join(frame["label"].iloc[rows])


@dataclass(frozen=True)
class KeynessCells:
    """The (comparison, word) cells a keyness table is computed from.

    Each cell is a word's 2 × 2 table ``[[a, c - a], [b, d - b]]``: its count
    in the target (``a``) and the reference (``b``) against all their tokens
    (``c``, ``d``).  ``group`` numbers the comparison, ``term`` the word's
    column; the counts are floats.
    """

    group: np.ndarray
    term: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray

    def over_used(self) -> np.ndarray:
        """Whether each word is at least as frequent per token in the target as in the reference."""
        return self.a / np.maximum(self.c, 1.0) >= self.b / np.maximum(self.d, 1.0)

    def take(self, rows: np.ndarray) -> KeynessCells:
        """The cells selected by ``rows`` (a mask or indices)."""
        return KeynessCells(*(getattr(self, f.name)[rows] for f in fields(self)))


def log_likelihood(cells: KeynessCells, *, yates: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Dunning's G² and Pearson's χ² of every cell's 2 × 2 table (unsigned, 1 degree of freedom).

    The one implementation of the formulas, shared by :func:`stat_keyness`
    and the large-corpus report.  ``yates`` applies Yates' continuity
    correction to χ².
    """
    a, b, c, d = cells.a, cells.b, cells.c, cells.d
    n = c + d
    observed = np.stack([a, c - a, b, d - b])
    row = np.stack([c, c, d, d])
    col = np.stack([a + b, n - a - b, a + b, n - a - b])
    expected = row * col / n
    g2 = np.maximum(2.0 * _xlogy(observed, expected).sum(axis=0), 0.0)
    diff = np.abs(observed - expected)
    if yates:
        diff = np.maximum(diff - 0.5, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.where(expected > 0, diff**2 / np.where(expected > 0, expected, 1), 0.0)
    return g2, chi2.sum(axis=0)


def keyness_columns(
    cells: KeynessCells,
    terms: np.ndarray,
    *,
    yates: bool = False,
    sort_by: SortBy = "g2",
    over_only: bool = False,
    top: int | None = None,
) -> dict[str, np.ndarray]:
    """The columns of a keyness table for ``cells``, ranked within each comparison.

    Returns ``_group`` (the comparison), ``rank`` and the statistics columns
    of :func:`stat_keyness` from ``word`` to ``keyness``, sorted by
    comparison, descending signed ``sort_by`` statistic, then word.
    ``over_only`` drops words under-used in the target before ranking;
    ``top`` keeps the first ``top`` ranks of each comparison, so that a large
    sparse block only assembles the rows it keeps.
    """
    over = cells.over_used()
    if over_only:
        cells, over = cells.take(over), over[over]
    a, b, c, d = cells.a, cells.b, cells.c, cells.d
    g2, chi2 = log_likelihood(cells, yates=yates)
    c_safe, d_safe = np.maximum(c, 1.0), np.maximum(d, 1.0)
    log_ratio = np.log2((np.where(a > 0, a, 0.5) / c_safe) / (np.where(b > 0, b, 0.5) / d_safe))
    sign = np.where(over, 1.0, -1.0)
    stats = {"g2": sign * g2, "chi2": sign * chi2, "log_ratio": log_ratio}
    words = terms[cells.term].astype(object)
    order = np.lexsort((words.astype(str), -stats[sort_by], cells.group))
    group = cells.group[order]
    rank = np.arange(len(group)) - np.searchsorted(group, group, side="left") + 1
    if top is not None:
        order, group, rank = order[rank <= top], group[rank <= top], rank[rank <= top]
    a, b, c, d = a[order], b[order], c[order], d[order]
    return {
        "_group": group,
        "rank": rank.astype(np.int64),
        "word": words[order],
        "count_target": a.astype(np.int64),
        "count_reference": b.astype(np.int64),
        "total_target": c.astype(np.int64),
        "total_reference": d.astype(np.int64),
        "per1000_target": per_thousand(a, c),
        "per1000_reference": per_thousand(b, d),
        "g2": stats["g2"][order],
        "chi2": stats["chi2"][order],
        "p_value": chi2_dist.sf(g2[order], 1),
        "log_ratio": log_ratio[order],
        "direction": np.where(over[order], "target", "reference").astype(object),
        "keyness": stats[sort_by][order],
    }


def _keyness_long(
    target: np.ndarray,
    reference: np.ndarray,
    terms: np.ndarray,
    *,
    min_count: int,
    yates: bool,
    sort_by: SortBy,
) -> pd.DataFrame:
    """Keyness of every (comparison, word): rows of ``target``/``reference`` are comparisons.

    Returns one row per kept (comparison, word) with ``_group`` (the comparison's
    row), sorted by comparison, descending keyness, word.
    """
    group, term = np.nonzero((target + reference) >= max(min_count, 1))
    cells = KeynessCells(
        group=group,
        term=term,
        a=target[group, term].astype(float),
        b=reference[group, term].astype(float),
        c=target.sum(axis=1).astype(float)[group],
        d=reference.sum(axis=1).astype(float)[group],
    )
    return pd.DataFrame(keyness_columns(cells, terms, yates=yates, sort_by=sort_by))


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x * log(x / y) with 0 log 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0) / np.where(y > 0, y, 1.0)), 0.0)
