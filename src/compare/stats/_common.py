"""Private helpers shared by the comparative ``stat_*`` functions.

They turn a TOKENS table into "documents" (groups of tokens: segments,
sections, plans, municipalities or any column), carry the catalogue labels of
each document along, and translate scikit-learn's errors into
:class:`~compare.errors.AnalysisError` messages that say what to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from compare.errors import AnalysisError
from compare.io.catalog import METADATA_COLUMNS

#: Named groupings accepted wherever a function takes ``by``.
GROUPINGS: dict[str, tuple[str, ...]] = {
    "segment": ("plan_id", "seg_id"),
    "section": ("plan_id", "section_id"),
    "plan": ("plan_id",),
    "municipality": ("municipality",),
}

#: Catalogue columns carried into outputs when they are constant within a document.
LABEL_COLUMNS: tuple[str, ...] = ("plan_id", *METADATA_COLUMNS)

#: Labels carried into pairwise outputs (suffixed ``_a`` / ``_b``).
PAIR_LABELS: tuple[str, ...] = ("municipality", "plan_type", "author", "edition")


def identity(doc: list[str]) -> list[str]:
    """Analyzer for scikit-learn vectorizers: documents arrive already tokenized."""
    return doc


def check_columns(frame: pd.DataFrame, required: Sequence[str], table: str = "TOKENS") -> None:
    """Raise :class:`AnalysisError` when ``frame`` lacks one of ``required``."""
    if not isinstance(frame, pd.DataFrame):
        raise AnalysisError(
            f"Expected a {table} table (a pandas DataFrame), got {type(frame).__name__}."
        )
    missing = [c for c in required if c not in frame.columns]
    if missing:
        hint = {
            "TOKENS": "pass the table returned by compare.tokenize(segments)",
            "SEGMENTS": "pass the table returned by compare.read_corpus()",
        }.get(table, "check the input table")
        raise AnalysisError(
            f"The {table} table lacks column(s) {', '.join(map(repr, missing))}; {hint}."
        )


def select_tokens(
    tokens: pd.DataFrame, *, content_only: bool = True, include_meta: bool = False
) -> pd.DataFrame:
    """Keep the tokens that analyses count.

    By default only content tokens (``is_content``) of segments that are not
    ``kind == 'meta'`` (title pages, addresses) are kept.
    """
    check_columns(tokens, ("plan_id", "word"))
    mask = np.ones(len(tokens), dtype=bool)
    if content_only and "is_content" in tokens.columns:
        mask &= tokens["is_content"].fillna(False).to_numpy(dtype=bool)
    if not include_meta and "kind" in tokens.columns:
        mask &= (tokens["kind"].astype(object) != "meta").to_numpy(dtype=bool)
    word = tokens["word"]
    mask &= word.notna().to_numpy(dtype=bool)
    selected = tokens.loc[mask]
    if selected.empty:
        raise AnalysisError(
            f"No tokens left to count ({len(tokens)} tokens in, none is a content token of a "
            "non-meta segment); pass content_only=False or include_meta=True, or check that "
            "the table comes from compare.tokenize()."
        )
    return selected


def resolve_by(by: str | Sequence[str], frame: pd.DataFrame) -> list[str]:
    """Turn a grouping name or column list into the key columns of ``frame``."""
    if isinstance(by, str):
        keys = list(GROUPINGS.get(by, (by,)))
    else:
        keys = list(by)
        if not keys:
            raise AnalysisError("Empty grouping: pass by='plan', 'segment', ... or column names.")
    unknown = [k for k in keys if k not in frame.columns]
    if unknown:
        named = ", ".join(repr(name) for name in GROUPINGS)
        columns = ", ".join(repr(c) for c in frame.columns)
        raise AnalysisError(
            f"Unknown grouping column {unknown[0]!r} (by={by!r}). Use one of {named} or a "
            f"column of the table: {columns}."
        )
    return keys


def plain(series: pd.Series) -> pd.Series:
    """Return ``series`` with categoricals turned back into their plain values."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype(series.cat.categories.dtype)
    return series


@dataclass(frozen=True)
class Documents:
    """Tokens grouped into documents.

    ``frame`` has one row per document (``doc``, the key columns, the labels
    that are constant within each document, ``label`` and ``n_tokens``);
    ``codes`` gives the document of every token row; ``words`` the words of
    each document in token order.
    """

    frame: pd.DataFrame
    keys: tuple[str, ...]
    codes: np.ndarray
    words: list[list[str]]
    first: np.ndarray | None = None


class GroupLabels:
    """Catalogue values shared by all tokens of a set of documents (None when they differ).

    Factorizes each column once, so asking for many document sets stays cheap.
    """

    def __init__(self, tokens: pd.DataFrame, docs: Documents, columns: Sequence[str]) -> None:
        self._columns: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        n_docs = len(docs.frame)
        for column in dict.fromkeys(columns):
            if column not in tokens.columns:
                continue
            values, uniques = pd.factorize(plain(tokens[column]), use_na_sentinel=False)
            doc_first = values[docs.first]
            mixed = np.bincount(
                docs.codes, weights=values != doc_first[docs.codes], minlength=n_docs
            )
            self._columns[column] = (doc_first, mixed > 0, np.asarray(uniques, dtype=object))

    def __call__(self, rows: Sequence[int]) -> dict[str, object]:
        rows = np.asarray(rows, dtype=np.int64)
        out: dict[str, object] = {}
        for column, (doc_first, mixed, uniques) in self._columns.items():
            codes = np.unique(doc_first[rows])
            out[column] = uniques[codes[0]] if len(codes) == 1 and not mixed[rows].any() else None
        return out


def group_documents(tokens: pd.DataFrame, keys: Sequence[str]) -> Documents:
    """Group ``tokens`` by ``keys``; documents are numbered in order of first appearance."""
    keys = list(keys)
    grouped = tokens.groupby(keys, sort=False, observed=True, dropna=False)
    codes = grouped.ngroup().to_numpy(dtype=np.int64)
    n_docs = int(codes.max()) + 1 if len(codes) else 0
    first = np.full(n_docs, -1, dtype=np.int64)
    # First row of each document: reverse assignment keeps the earliest index.
    positions = np.arange(len(codes))
    first[codes[::-1]] = positions[::-1]

    labels = [c for c in LABEL_COLUMNS if c in tokens.columns and c not in keys]
    constant = [c for c in labels if constant_within(tokens[c], codes, first)]
    columns = keys + constant
    frame = tokens.iloc[first][columns].reset_index(drop=True)
    for column in columns:
        frame[column] = plain(frame[column])
    frame.insert(0, "doc", np.arange(n_docs, dtype=np.int64))
    frame["label"] = doc_labels(frame, keys)
    frame["n_tokens"] = np.bincount(codes, minlength=n_docs).astype(np.int64)

    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(frame["n_tokens"].to_numpy())[:-1]
    words_sorted = tokens["word"].astype(object).to_numpy()[order]
    words = [list(chunk) for chunk in np.split(words_sorted, bounds)] if n_docs else []
    return Documents(frame=frame, keys=tuple(keys), codes=codes, words=words, first=first)


def constant_within(column: pd.Series, codes: np.ndarray, first: np.ndarray) -> bool:
    """Whether ``column`` has one value (NaN included) within every document."""
    values, _ = pd.factorize(column, use_na_sentinel=False)
    return bool(np.array_equal(values, values[first][codes]))


def doc_labels(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    parts = [frame[k].astype(object).map(_text) for k in keys]
    label = parts[0]
    for part in parts[1:]:
        label = label + ":" + part
    return label.astype(object)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def count_matrix(
    docs: Documents,
    *,
    min_df: float | int = 1,
    max_df: float | int = 1.0,
    max_features: int | None = None,
    vocabulary: Sequence[str] | None = None,
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Count words per document with :class:`~sklearn.feature_extraction.text.CountVectorizer`.

    Returns the documents × terms count matrix and the term labels (from
    ``get_feature_names_out``, sorted by code point).
    """
    n_docs = len(docs.words)
    vectorizer = CountVectorizer(
        analyzer=identity,
        lowercase=False,
        min_df=min_df,
        max_df=max_df,
        max_features=max_features,
        vocabulary=vocabulary,
        dtype=np.int64,
    )
    try:
        matrix = vectorizer.fit_transform(docs.words)
    except (ValueError, TypeError) as error:
        n_words = len({w for doc in docs.words for w in doc})
        raise AnalysisError(
            f"Cannot build the document-term matrix from {n_docs} document(s) and {n_words} "
            f"distinct word(s) with min_df={min_df!r}, max_df={max_df!r}: {error} "
            "Lower min_df, raise max_df (1.0 keeps every word) or use a grouping with more "
            "documents (e.g. by='segment')."
        ) from None
    terms = vectorizer.get_feature_names_out().astype(object)
    if matrix.shape[1] == 0:
        raise AnalysisError(
            f"No words remain after trimming (min_df={min_df!r}, max_df={max_df!r}); "
            "lower min_df or raise max_df."
        )
    return sp.csr_matrix(matrix), terms


def tfidf(
    counts: sp.csr_matrix, *, sublinear_tf: bool = False, norm: str | None = "l2"
) -> tuple[sp.csr_matrix, np.ndarray]:
    """TF-IDF weights (smoothed idf, as scikit-learn's TfidfVectorizer) and the idf vector."""
    transformer = TfidfTransformer(
        norm=norm, use_idf=True, smooth_idf=True, sublinear_tf=sublinear_tf
    )
    weights = transformer.fit_transform(counts)
    return sp.csr_matrix(weights), transformer.idf_


def per_thousand(
    count: np.ndarray | pd.Series, total: np.ndarray | pd.Series | float
) -> np.ndarray:
    """Counts per 1,000 tokens (0 where the total is 0)."""
    count = np.asarray(count, dtype=float)
    total = np.asarray(total, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(total > 0, count * 1000.0 / np.where(total > 0, total, 1.0), 0.0)
    return value


def join_words(words: Sequence[str]) -> str:
    """Join top words into one readable cell."""
    return ", ".join(words)


def top_indices(values: np.ndarray, n: int, names: np.ndarray) -> list[int]:
    """Indices of the ``n`` largest positive values, ties broken by name."""
    values = np.asarray(values, dtype=float)
    candidates = np.flatnonzero(values > 0)
    if candidates.size == 0:
        return []
    order = np.lexsort((names[candidates].astype(str), -values[candidates]))
    return [int(i) for i in candidates[order[:n]]]


def plan_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per plan_id with its catalogue labels, in order of first appearance."""
    columns = [c for c in LABEL_COLUMNS if c in frame.columns]
    first = frame.drop_duplicates("plan_id")[columns].reset_index(drop=True)
    for column in columns:
        first[column] = plain(first[column])
    return first


def require_plans(plan_ids: Sequence[str], available: Sequence[str], what: str) -> None:
    """Raise when a requested plan is not in the table."""
    known = list(dict.fromkeys(available))
    for plan in plan_ids:
        if plan not in known:
            raise AnalysisError(
                f"Plan {plan!r} is not in the {what} table; choose from {', '.join(known)}."
            )
