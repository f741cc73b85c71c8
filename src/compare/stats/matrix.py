"""Document-term matrices from the TOKENS table.

A "document" is any grouping of tokens: a segment, a section, a plan, a
municipality or the values of any column.  Counting is done by
scikit-learn's :class:`~sklearn.feature_extraction.text.CountVectorizer`
(fed the already analysed ``word`` column), TF-IDF by its
``TfidfTransformer``; term labels come from ``get_feature_names_out``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from compare.errors import AnalysisError
from compare.stats._common import (
    GROUPINGS,
    LABEL_COLUMNS,
    constant_within,
    count_matrix,
    doc_labels,
    group_documents,
    resolve_by,
    select_tokens,
    tfidf,
)
from compare.text.vocabulary import Vocabulary

Weighting = Literal["count", "tfidf", "binary"]

#: What a ``vocabulary=`` argument accepts: a :class:`~compare.Vocabulary`,
#: ``"default"`` (``Vocabulary()``), a mapping of its settings, or None (count
#: the tokens' ``word`` column as it is).
VocabularySetting = Vocabulary | Literal["default"] | Mapping[str, Any] | None


def resolve_vocabulary(vocabulary: VocabularySetting) -> Vocabulary | None:
    """The :class:`~compare.Vocabulary` a ``vocabulary=`` argument stands for (None: none)."""
    return Vocabulary.resolve(vocabulary)


def apply_vocabulary(
    tokens: pd.DataFrame, vocabulary: VocabularySetting = "default"
) -> pd.DataFrame:
    """The compared view of a TOKENS table (:meth:`compare.Vocabulary.compared`).

    The rows a comparison counts, with ``word`` in its compared form (市民 →
    住民) and the analysed form kept in ``shown``; ``tokens`` itself is not
    changed, so the tokens table and KWIC still show what the plans wrote.
    With ``vocabulary=None`` the tokens are returned as they are.  A table
    that already is the compared view of the same vocabulary is returned as
    it is.
    """
    resolved = resolve_vocabulary(vocabulary)
    if resolved is None:
        return tokens
    done = tokens.attrs.get("vocabulary") if hasattr(tokens, "attrs") else None
    if isinstance(done, dict) and done.get("fingerprint") == resolved.fingerprint()[:16]:
        return tokens
    compared = resolved.compared(tokens)
    if compared.empty and len(tokens):
        raise AnalysisError(
            f"The comparison vocabulary leaves no word of the {len(tokens)} tokens (only place "
            "names, stop words, boilerplate or parts of speech it does not count); pass "
            "vocabulary=None to count the words as analysed, or a Vocabulary with fewer "
            "exclusions (e.g. Vocabulary(boilerplate=None, verbs=True))."
        )
    return compared


def compare_counts(
    counts: sp.spmatrix,
    terms: Sequence[str],
    vocabulary: VocabularySetting = "default",
    *,
    places: Sequence[object] = (),
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Apply a vocabulary to a documents × words count matrix (no tokens table needed).

    Columns of words the vocabulary does not count are dropped and folded
    words are summed into their compared form
    (:meth:`compare.Vocabulary.compared_terms`); ``places`` are the
    catalogue values (municipalities, prefectures) whose names are removed.
    Returns the new counts and their words, sorted by code point as
    :func:`stat_dtm`'s.  With ``vocabulary=None`` the input is returned.
    """
    resolved = resolve_vocabulary(vocabulary)
    terms = np.asarray(terms, dtype=object)
    if resolved is None:
        return sp.csr_matrix(counts), terms
    from compare.text.tokenizer import Tokenizer

    compared = resolved.compared_terms(
        terms, resolved.names_from(places), analyse=Tokenizer().tokens
    )
    kept = np.flatnonzero(pd.notna(compared))
    new_terms, columns = np.unique(compared[kept].astype(str), return_inverse=True)
    mapping = sp.csr_matrix(
        (np.ones(len(kept), dtype=np.int64), (kept, columns.ravel())),
        shape=(len(terms), len(new_terms)),
    )
    out = (sp.csr_matrix(counts) @ mapping).tocsr()
    out.sort_indices()
    return out, new_terms.astype(object)


@dataclass(frozen=True)
class DocumentTermMatrix:
    """A document-term matrix with its row and column tables.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        Documents × terms weights (counts, TF-IDF or 0/1, see ``weighting``).
    counts : scipy.sparse.csr_matrix
        Documents × terms raw counts, whatever the weighting.
    documents : pandas.DataFrame
        One row per matrix row: ``doc`` (row number), the grouping columns,
        the catalogue labels constant within the document (``plan_id``,
        ``municipality``, ``plan_type``, …), ``label`` (grouping values joined
        by ":") and ``n_tokens`` (counted tokens before trimming).
    terms : pandas.DataFrame
        One row per matrix column: ``term_id``, ``term``, ``doc_freq``
        (documents containing it), ``count`` (total count) and ``idf``
        (TF-IDF weighting only).
    weighting : str
        ``"count"``, ``"tfidf"`` or ``"binary"``.
    by : tuple of str
        The grouping columns.
    """

    matrix: sp.csr_matrix
    counts: sp.csr_matrix
    documents: pd.DataFrame
    terms: pd.DataFrame
    weighting: str
    by: tuple[str, ...]
    params: dict = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        """(documents, terms)."""
        return self.matrix.shape

    def to_frame(self, index: str = "label") -> pd.DataFrame:
        """Return the matrix as a dense DataFrame (rows: ``documents[index]``, columns: terms)."""
        return pd.DataFrame(
            self.matrix.toarray(),
            index=pd.Index(self.documents[index], name=index),
            columns=pd.Index(self.terms["term"], name="term"),
        )


def stat_dtm(
    tokens: pd.DataFrame,
    by: str | Sequence[str] = "plan",
    *,
    weighting: Weighting = "count",
    min_df: float | int = 1,
    max_df: float | int = 1.0,
    max_features: int | None = None,
    sublinear_tf: bool = False,
    norm: Literal["l1", "l2"] | None = "l2",
    content_only: bool = True,
    include_meta: bool = False,
    vocabulary: VocabularySetting = "default",
) -> DocumentTermMatrix:
    """Build a document-term matrix from a TOKENS table.

    Parameters
    ----------
    tokens : pandas.DataFrame
        A TOKENS table (from :func:`compare.tokenize`); the ``word`` column is counted.
    by : str or list of str
        What a document is: ``"segment"`` (plan_id, seg_id), ``"section"``
        (plan_id, section_id), ``"plan"`` (plan_id), ``"municipality"`` or any
        column name(s) of ``tokens``.
    weighting : {"count", "tfidf", "binary"}
        Cell values: raw counts, TF-IDF (smoothed idf, ``norm``-normalised
        rows, as scikit-learn's TfidfVectorizer) or presence (0/1).
    min_df, max_df : int or float
        Document-frequency trimming as in scikit-learn: an int is a number of
        documents, a float a proportion of documents.
    max_features : int, optional
        Keep only the most frequent terms.
    sublinear_tf : bool
        Use 1 + log(tf) in TF-IDF.
    norm : {"l2", "l1", None}
        Row normalisation of TF-IDF.
    content_only : bool
        Count only content tokens (``is_content``); default True.
    include_meta : bool
        Also count tokens of ``kind == "meta"`` segments; default False.
    vocabulary : Vocabulary, "default", mapping or None
        What is counted (:class:`compare.Vocabulary`): by default content
        nouns and compounds without place names, stop words and plan
        boilerplate, resident words folded (市民 → 住民).  None counts the
        ``word`` column as it is.

    Returns
    -------
    DocumentTermMatrix
        ``matrix`` and ``counts`` (sparse), ``documents`` (columns: doc, the
        grouping columns, constant catalogue labels such as plan_id,
        municipality, plan_type, then label, n_tokens) and ``terms`` (columns:
        term_id, term, doc_freq, count, and idf for TF-IDF).

    Raises
    ------
    AnalysisError
        When the grouping column is unknown, no token is left to count, or
        trimming leaves no term.
    """
    if weighting not in ("count", "tfidf", "binary"):
        raise AnalysisError(f"Unknown weighting {weighting!r}; use 'count', 'tfidf' or 'binary'.")
    compared = apply_vocabulary(tokens, vocabulary)
    selected = select_tokens(compared, content_only=content_only, include_meta=include_meta)
    keys = resolve_by(by, selected)
    docs = group_documents(selected, keys)
    counts, terms = count_matrix(docs, min_df=min_df, max_df=max_df, max_features=max_features)

    term_table = pd.DataFrame(
        {
            "term_id": np.arange(len(terms), dtype=np.int64),
            "term": terms,
            "doc_freq": np.asarray((counts > 0).sum(axis=0)).ravel().astype(np.int64),
            "count": np.asarray(counts.sum(axis=0)).ravel().astype(np.int64),
        }
    )
    if weighting == "tfidf":
        matrix, idf = tfidf(counts, sublinear_tf=sublinear_tf, norm=norm)
        term_table["idf"] = idf
    elif weighting == "binary":
        matrix = sp.csr_matrix((counts > 0).astype(np.int64))
    else:
        matrix = counts
    params = {
        "by": keys,
        "weighting": weighting,
        "min_df": min_df,
        "max_df": max_df,
        "max_features": max_features,
        "content_only": content_only,
        "include_meta": include_meta,
        "vocabulary": compared.attrs.get("vocabulary"),
    }
    return DocumentTermMatrix(
        matrix=matrix,
        counts=counts,
        documents=docs.frame,
        terms=term_table,
        weighting=weighting,
        by=tuple(keys),
        params=params,
    )


def group_dtm(dtm: DocumentTermMatrix, by: str | Sequence[str]) -> DocumentTermMatrix:
    """Sum the rows of a count matrix into groups, e.g. plans into municipalities.

    Parameters
    ----------
    dtm : DocumentTermMatrix
        A count matrix (e.g. ``run_pipeline(...).dtm``, plans × words).
    by : str or list of str
        Column(s) of ``dtm.documents`` whose values form the groups
        (``"municipality"``, ``"plan"`` or any column name).

    Returns
    -------
    DocumentTermMatrix
        Groups × words counts, groups in order of first document, with the
        same columns as :func:`stat_dtm` gives for that grouping (``doc``,
        the grouping columns, the catalogue labels constant within a group,
        ``label``, ``n_tokens``); the terms are those of ``dtm`` (words no
        group uses are kept, with a zero count).

    Raises
    ------
    AnalysisError
        A grouping column that ``dtm.documents`` does not have.
    """
    keys = list(GROUPINGS.get(by, (by,))) if isinstance(by, str) else list(by)
    documents = dtm.documents
    missing = [k for k in keys if k not in documents.columns]
    if missing:
        raise AnalysisError(
            f"Cannot group the matrix by {', '.join(missing)}: its documents have the columns "
            f"{', '.join(map(str, documents.columns))}."
        )
    codes = documents.groupby(keys, sort=False, dropna=False).ngroup().to_numpy(np.int64)
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    indicator = sp.csr_matrix(
        (np.ones(len(codes), dtype=np.int64), (codes, np.arange(len(codes)))),
        shape=(n_groups, len(codes)),
    )
    counts = sp.csr_matrix(indicator @ dtm.counts)
    counts.sort_indices()
    first = np.full(n_groups, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    labels = [c for c in LABEL_COLUMNS if c in documents.columns and c not in keys]
    constant = [c for c in labels if constant_within(documents[c], codes, first)]
    frame = documents.iloc[first][keys + constant].reset_index(drop=True)
    frame.insert(0, "doc", np.arange(n_groups, dtype=np.int64))
    frame["label"] = doc_labels(frame, keys)
    frame["n_tokens"] = np.asarray(counts.sum(axis=1)).ravel().astype(np.int64)
    terms = dtm.terms[["term_id", "term"]].copy()
    terms["doc_freq"] = np.asarray((counts > 0).sum(axis=0)).ravel().astype(np.int64)
    terms["count"] = np.asarray(counts.sum(axis=0)).ravel().astype(np.int64)
    return DocumentTermMatrix(
        matrix=counts,
        counts=counts,
        documents=frame,
        terms=terms,
        weighting="count",
        by=tuple(keys),
        params={**dtm.params, "by": keys, "weighting": "count"},
    )


def compare_dtm(
    dtm: DocumentTermMatrix, vocabulary: VocabularySetting = "default"
) -> DocumentTermMatrix:
    """A count matrix in the comparison vocabulary (:func:`compare_counts` on ``dtm``).

    The place names removed are those of the documents' ``municipality`` and
    ``prefecture`` columns (and the vocabulary's ``names``).  A matrix
    already in the same vocabulary, or ``vocabulary=None``, is returned as
    it is.  Documents keep their rows; ``n_tokens`` becomes the counted words.
    """
    resolved = resolve_vocabulary(vocabulary)
    if resolved is None:
        return dtm
    done = dtm.params.get("vocabulary")
    if isinstance(done, dict) and done.get("fingerprint") == resolved.fingerprint()[:16]:
        return dtm
    places: list[object] = []
    for column in ("municipality", "prefecture"):
        if column in dtm.documents.columns:
            places.extend(pd.unique(dtm.documents[column].astype(object)))
    counts, terms = compare_counts(dtm.counts, dtm.terms["term"], resolved, places=places)
    frame = dtm.documents.copy()
    frame["n_tokens"] = np.asarray(counts.sum(axis=1)).ravel().astype(np.int64)
    table = pd.DataFrame(
        {
            "term_id": np.arange(len(terms), dtype=np.int64),
            "term": terms,
            "doc_freq": np.asarray((counts > 0).sum(axis=0)).ravel().astype(np.int64),
            "count": np.asarray(counts.sum(axis=0)).ravel().astype(np.int64),
        }
    )
    return DocumentTermMatrix(
        matrix=counts,
        counts=counts,
        documents=frame,
        terms=table,
        weighting="count",
        by=dtm.by,
        params={**dtm.params, "weighting": "count", "vocabulary": resolved.describe()},
    )
