"""Growing the theme dictionary: words a theme's rule misses, and passages it may miss.

A researcher extends her rules from evidence: the words and compounds that
go with a theme's coded passages far more often than with the others but
that none of the theme's rules names, and the uncoded passages that read
most like the coded ones (candidates for a missed paraphrase).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from compare.errors import AnalysisError
from compare.themes.coding import resolve_themes

#: Columns of :func:`stat_theme_candidates`.
CANDIDATE_COLUMNS = (
    "kind",
    "candidate",
    "n_theme",
    "n_other",
    "lift",
    "g2",
    "similarity",
    "plan_id",
    "seg_id",
    "line_start",
    "line_end",
)


def stat_theme_candidates(
    tokens: pd.DataFrame,
    coded: pd.DataFrame,
    theme: str,
    themes: Any = None,
    *,
    top: int = 30,
    min_count: int = 2,
    passages: int = 10,
) -> pd.DataFrame:
    """Words, compounds and uncoded passages that may belong to ``theme``.

    Parameters
    ----------
    tokens
        TOKENS table (:func:`compare.tokenize`) of the coded corpus.
    coded
        :func:`compare.themes_wide` table of the same segments (one row per
        passage, a bool column per theme).
    theme
        The theme id to grow.
    themes
        The catalogue whose rule for ``theme`` is extended (default: the
        bundled one); words its rule names are left out.
    top
        Words and compounds listed (each kind).
    min_count
        A word or compound must occur in at least this many of the theme's
        passages.
    passages
        Uncoded passages listed.

    Returns
    -------
    pandas.DataFrame
        ``kind`` ``word`` (an analysed content word), ``compound`` (two
        adjacent words, written ``A+B`` as in a rule) or ``passage``.
        Words and compounds: ``candidate``, ``n_theme`` and ``n_other``
        (passages with and without the theme that contain it), ``lift``
        (its share among the theme's passages over its share among all) and
        ``g2`` (log-likelihood G², positive association only), sorted by
        ``g2``.  Passages: ``candidate`` (the text), ``similarity`` (cosine
        of TF-IDF word vectors with the mean of the theme's passages),
        ``plan_id``, ``seg_id``, ``line_start``, ``line_end``, sorted by
        similarity.  Candidates that contain a term of the theme's rule, or
        are contained in one, are left out.

    Raises
    ------
    AnalysisError
        The theme codes no passage, or the tables do not fit together.
    """
    if theme not in coded.columns:
        raise AnalysisError(
            f"theme {theme!r} is not a column of the coded table; pass compare.themes_wide(...) "
            f"coded with it (columns: {', '.join(coded.attrs.get('themes', []))})"
        )
    rule_terms = _rule_terms(theme, themes)
    flags = coded[theme].to_numpy(dtype=bool)
    if not flags.any():
        raise AnalysisError(f"theme {theme!r} codes no passage, so nothing is associated with it")
    docs = _documents(tokens, coded)
    words = [sorted(set(d)) for d in docs]
    pairs = [sorted({f"{a}+{b}" for a, b in itertools.pairwise(d)}) for d in _runs(tokens, coded)]
    rows = [
        *_associated("word", words, flags, rule_terms, top, min_count),
        *_associated("compound", pairs, flags, rule_terms, top, min_count),
        *_similar(docs, flags, coded, passages),
    ]
    out = pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS))
    for column in ("n_theme", "n_other", "seg_id", "line_start", "line_end"):
        out[column] = out[column].astype("Int64")
    out.attrs = {"theme": theme, "rule_terms": rule_terms}
    return out


def _rule_terms(theme: str, themes: Any) -> list[str]:
    catalogue = {t.id: t for t in resolve_themes(themes)[0]}
    if theme not in catalogue:
        raise AnalysisError(f"unknown theme id {theme!r}; known: {', '.join(catalogue)}")
    return catalogue[theme].terms


def _content(tokens: pd.DataFrame) -> pd.DataFrame:
    for column in ("plan_id", "seg_id", "word"):
        if column not in tokens.columns:
            raise AnalysisError(
                f"the TOKENS table lacks column {column!r}; pass compare.tokenize(...)"
            )
    if "is_content" in tokens.columns:
        return tokens[tokens["is_content"].astype(bool)]
    return tokens


def _documents(tokens: pd.DataFrame, coded: pd.DataFrame) -> list[list[str]]:
    """Each passage's content words, in the order of ``coded``."""
    content = _content(tokens)
    grouped = content.groupby(
        [content["plan_id"].astype(str), content["seg_id"].astype(int)], sort=False
    )["word"].agg(list)
    found = grouped.to_dict()
    keys = zip(coded["plan_id"].astype(str), coded["seg_id"].astype(int), strict=True)
    return [[str(w) for w in found.get(key, [])] for key in keys]


def _runs(tokens: pd.DataFrame, coded: pd.DataFrame) -> list[list[str]]:
    """Each passage's content words with a break ("") between non-adjacent tokens."""
    content = _content(tokens)
    if "position" not in content.columns:
        return _documents(tokens, coded)
    runs: dict[tuple[str, int], list[str]] = {}
    last: dict[tuple[str, int], int] = {}
    for plan, seg, word, pos in zip(
        content["plan_id"].astype(str),
        content["seg_id"].astype(int),
        content["word"].astype(str),
        content["position"].astype(int),
        strict=True,
    ):
        key = (plan, seg)
        run = runs.setdefault(key, [])
        if key in last and pos != last[key] + 1:
            run.append("")
        run.append(word)
        last[key] = pos
    keys = zip(coded["plan_id"].astype(str), coded["seg_id"].astype(int), strict=True)
    return [[w for w in runs.get(key, [])] for key in keys]


def _named(candidate: str, rule_terms: list[str]) -> bool:
    parts = [p for p in candidate.casefold().split("+") if p]
    if not parts or any(len(p) < 1 for p in parts):
        return True
    joined = "".join(parts)
    return any(t and (t in joined or joined in t) for t in rule_terms) or any(
        t and p in t for p in parts for t in rule_terms if len(p) > 1
    )


def _associated(
    kind: str,
    docs: list[list[str]],
    flags: np.ndarray,
    rule_terms: list[str],
    top: int,
    min_count: int,
) -> list[dict[str, Any]]:
    n_theme = int(flags.sum())
    n_total = len(flags)
    inside: dict[str, int] = {}
    overall: dict[str, int] = {}
    for doc, flag in zip(docs, flags, strict=True):
        for item in doc:
            if not item or item.startswith("+") or item.endswith("+"):
                continue
            overall[item] = overall.get(item, 0) + 1
            if flag:
                inside[item] = inside.get(item, 0) + 1
    rows = []
    for item, a in inside.items():
        if a < min_count or _named(item, rule_terms):
            continue
        b = overall[item] - a
        lift = (a / n_theme) / (overall[item] / n_total)
        if lift <= 1:
            continue
        rows.append(
            {
                "kind": kind,
                "candidate": item,
                "n_theme": a,
                "n_other": b,
                "lift": lift,
                "g2": _g2(a, n_theme - a, b, n_total - n_theme - b),
            }
        )
    rows.sort(key=lambda r: (-r["g2"], -r["n_theme"], r["candidate"]))
    return rows[:top]


def _g2(a: int, b: int, c: int, d: int) -> float:
    """Log-likelihood G² of a 2×2 table [[a, b], [c, d]]."""
    table = np.array([[a, b], [c, d]], dtype=float)
    total = table.sum()
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / total
    mask = table > 0
    return float(2 * (table[mask] * np.log(table[mask] / expected[mask])).sum())


def _similar(
    docs: list[list[str]], flags: np.ndarray, coded: pd.DataFrame, n: int
) -> list[dict[str, Any]]:
    """The uncoded passages closest (TF-IDF cosine) to the mean of the coded ones."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if n <= 0 or not any(docs):
        return []
    vectorizer = TfidfVectorizer(analyzer=_identity, lowercase=False)
    matrix = vectorizer.fit_transform(docs)
    centroid = np.asarray(matrix[flags].mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    if norm == 0:
        return []
    scores = matrix @ (centroid / norm)  # rows are L2-normalised by TfidfVectorizer
    order = np.lexsort((np.arange(len(scores)), -scores))
    rows = []
    for i in order:
        if flags[i] or scores[i] <= 0:
            continue
        record = coded.iloc[int(i)]
        rows.append(
            {
                "kind": "passage",
                "candidate": str(record.get("text", "")),
                "similarity": float(scores[i]),
                "plan_id": str(record["plan_id"]),
                "seg_id": int(record["seg_id"]),
                "line_start": _int(record.get("line_start")),
                "line_end": _int(record.get("line_end")),
            }
        )
        if len(rows) == n:
            break
    return rows


def _identity(doc: list[str]) -> list[str]:
    return doc


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


__all__ = ["stat_theme_candidates"]
