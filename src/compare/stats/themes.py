"""Statistics on theme coding: shares, tests of independence, KWIC, word association.

Every function takes a SEGMENTS or TOKENS table (and codes it with
:func:`compare.themes_wide`) or a table already returned by
:func:`compare.themes_wide`, and returns a documented DataFrame.

The unit of counting is the *passage*: a paragraph, list item or table row
(the "document" unit of KH Coder's coding).  Headings are coded (the plan
model reads which goal is about which theme) but are not passages: shares and
tests count them only with ``headings=True``, so that a share multiplied by
its ``n_segments`` gives back its ``segments``, and the plan table of the
report counts the same passages.  ``meta`` segments are never counted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import expected_freq

from compare.errors import AnalysisError, ThemeError
from compare.themes.coding import (
    CodingCorpus,
    Theme,
    build_corpus,
    resolve_themes,
    themes_wide,
)
from compare.themes.rules import Result, evaluate

#: Expected cell count below which the χ² approximation is replaced by Fisher's test.
MIN_EXPECTED = 5.0


# --------------------------------------------------------------------------- inputs


#: Columns of stat_theme_shares after the grouping column(s).
SHARE_COLUMNS = (
    "theme_id",
    "label",
    "segments",
    "n_segments",
    "share",
    "n_tokens",
    "per_1000_tokens",
)
#: Columns of stat_theme_test; the grouping column follows ``label``.
TEST_COLUMNS = (
    "theme_id",
    "label",
    "n_segments",
    "segments",
    "expected",
    "share",
    "adj_residual",
    "chi2",
    "dof",
    "p_value",
    "p_adjusted",
    "test",
    "min_expected",
)


def _wide(data: pd.DataFrame, themes: Any, tokenizer: Any) -> pd.DataFrame:
    """A themes_wide table: ``data`` itself if it is one, else ``data`` coded now."""
    ids = data.attrs.get("themes") if isinstance(data, pd.DataFrame) else None
    if ids and all(i in data.columns for i in ids) and "n_tokens" in data.columns:
        if themes is not None:
            wanted = [t.id for t in resolve_themes(themes)[0]]
            missing = [i for i in wanted if i not in ids]
            if missing:
                raise ThemeError(
                    f"theme(s) {', '.join(missing)} are not in this coded table; "
                    f"it has: {', '.join(ids)}"
                )
            out = data.drop(columns=[i for i in ids if i not in wanted])
            out.attrs = {**data.attrs, "themes": wanted}
            return out
        return data
    return themes_wide(data, themes, tokenizer)


#: Columns of a table of theme counts per plan (``run_pipeline(...).themes``).
COUNT_COLUMNS = ("theme_id", "segments", "n_segments", "n_tokens")


def is_theme_counts(data: object) -> bool:
    """Whether ``data`` is a table of theme counts (one row per plan and theme), not segments."""
    return isinstance(data, pd.DataFrame) and set(COUNT_COLUMNS) <= set(data.columns)


def _summed_counts(
    counts: pd.DataFrame, by: str | Sequence[str], themes: Any
) -> tuple[list[str], pd.DataFrame, list[str], dict[str, str]]:
    """Theme counts summed per group: (keys, one row per (group, theme), theme ids, labels).

    Groups come in order of first appearance and themes in the order of the
    table; every plan has one row per theme, so the plans' passages and words
    are summed once per theme.
    """
    keys = [by] if isinstance(by, str) else list(by)
    missing = [c for c in keys if c not in counts.columns]
    if not keys or missing:
        usable = [c for c in counts.columns if c not in (*COUNT_COLUMNS, "share", "label")]
        raise AnalysisError(
            f"cannot group the theme counts by {', '.join(missing) or 'nothing'}; "
            f"use one of {', '.join(usable)} (add catalogue columns such as municipality first)"
        )
    ids = list(pd.unique(counts["theme_id"].astype(object)))
    if themes is not None:
        wanted = [t.id for t in resolve_themes(themes)[0]]
        unknown = [i for i in wanted if i not in ids]
        if unknown:
            raise ThemeError(
                f"theme(s) {', '.join(unknown)} are not in these counts; they have: {', '.join(ids)}"
            )
        ids = wanted
    chosen = counts[counts["theme_id"].isin(ids)]
    labels = (
        dict(zip(chosen["theme_id"], chosen["label"], strict=True)) if "label" in chosen else {}
    )
    summed = chosen.groupby([*keys, "theme_id"], sort=False, observed=True, dropna=False)[
        ["segments", "n_segments", "n_tokens"]
    ].sum()
    order = {theme_id: i for i, theme_id in enumerate(ids)}
    summed = summed.reset_index()
    groups = summed.groupby(keys, sort=False, observed=True, dropna=False).ngroup()
    summed = summed.assign(_group=groups, _theme=summed["theme_id"].map(order))
    summed = summed.sort_values(["_group", "_theme"], kind="stable").drop(columns="_theme")
    return keys, summed.reset_index(drop=True), ids, labels


def _shares_from_counts(counts: pd.DataFrame, by: str | Sequence[str], themes: Any) -> pd.DataFrame:
    keys, summed, _ids, labels = _summed_counts(counts, by, themes)
    n_seg = summed["n_segments"].to_numpy(dtype=np.int64)
    n_tok = summed["n_tokens"].to_numpy(dtype=np.int64)
    hits = summed["segments"].to_numpy(dtype=np.int64)
    key_values = [summed[k].tolist() for k in keys]
    theme_ids = summed["theme_id"].tolist()
    rows = [
        (
            *[values[i] for values in key_values],
            theme_ids[i],
            labels.get(theme_ids[i], theme_ids[i]),
            int(hits[i]),
            int(n_seg[i]),
            int(hits[i]) / int(n_seg[i]) if n_seg[i] else math.nan,
            int(n_tok[i]),
            int(hits[i]) * 1000.0 / int(n_tok[i]) if n_tok[i] else math.nan,
        )
        for i in range(len(summed))
    ]
    out = pd.DataFrame(rows, columns=[*keys, *SHARE_COLUMNS])
    for column in ("segments", "n_segments", "n_tokens"):
        out[column] = out[column].astype("int64")
    out.attrs = {"unit": counts.attrs.get("unit", unit_label(False))}
    return out


def _coded_from_counts(
    counts: pd.DataFrame, by: str, themes: Any
) -> tuple[str, pd.DataFrame, pd.Series, dict[str, str]]:
    """Groups × themes coded passages and the passages per group, from theme counts."""
    keys, summed, ids, labels = _summed_counts(counts, by, themes)
    key = keys[0]
    coded = summed.pivot(index="_group", columns="theme_id", values="segments")[ids]
    first = summed.drop_duplicates("_group").set_index("_group")
    coded.index = pd.Index(first[key].to_numpy(), name=key)
    coded.columns.name = None
    sizes = pd.Series(first["n_segments"].to_numpy(), index=coded.index)
    return key, coded, sizes, labels


def _counted(wide: pd.DataFrame, headings: bool) -> pd.DataFrame:
    """The rows of a themes_wide table that are counted: passages, and headings if asked."""
    if headings or "kind" not in wide.columns:
        return wide
    out = wide[wide["kind"].astype(str) != "heading"]
    out.attrs = dict(wide.attrs)
    return out


def unit_label(headings: bool) -> str:
    """What the shares count, in Japanese (for table headers and captions)."""
    return (
        "段落・箇条・表の行（見出しを含む）" if headings else "段落・箇条・表の行（見出しを除く）"
    )


def _by_columns(wide: pd.DataFrame, by: str | Sequence[str]) -> list[str]:
    columns = [by] if isinstance(by, str) else list(by)
    if not columns:
        raise AnalysisError("'by' names no column; use e.g. by='municipality'")
    missing = [c for c in columns if c not in wide.columns]
    if missing:
        usable = [c for c in wide.columns if c not in wide.attrs.get("themes", [])]
        raise AnalysisError(
            f"cannot group by {', '.join(missing)}: no such column; use one of {', '.join(usable)}"
        )
    return columns


def _labels(wide: pd.DataFrame) -> dict[str, str]:
    return dict(wide.attrs.get("labels", {}))


# --------------------------------------------------------------------------- shares


def stat_theme_shares(
    data: pd.DataFrame,
    themes: Any = None,
    by: str | Sequence[str] = "plan_id",
    tokenizer: Any = None,
    *,
    headings: bool = False,
) -> pd.DataFrame:
    """How much each plan (or municipality, plan type, heading level) talks about each theme.

    Counts are normalised two ways, because the documents differ in length
    and kind (full plans, summaries, excerpts): the share of segments coded
    with the theme, and coded segments per 1,000 analysed content tokens.

    Parameters
    ----------
    data
        SEGMENTS, TOKENS, a :func:`compare.themes_wide` table, or theme
        counts per plan (``run_pipeline(...).themes``, with any catalogue
        columns to group by added), which are summed per group: the same
        numbers for five plans or five thousand.
    themes
        Theme catalogue (see :func:`compare.code_themes`); with a
        themes_wide table or counts, a subset of their themes.
    by
        Column(s) to group by: ``"plan_id"`` (default), ``"municipality"``,
        ``"plan_type"``, ``"level"`` (heading depth), ``"kind"`` …
    tokenizer
        Tokenizer used when ``data`` is a SEGMENTS table.
    headings
        Count headings as passages too (default: paragraphs, list items and
        table rows only; see the module notes).  Theme counts are taken as
        they are (``PipelineResult.theme_counts(headings=...)`` chooses).

    Returns
    -------
    pandas.DataFrame
        One row per (group, theme), groups in order of first appearance and
        themes in catalogue order.  Columns: the ``by`` column(s),
        ``theme_id``, ``label``, ``segments`` (passages coded with the
        theme), ``n_segments`` (passages in the group), ``share``
        (segments / n_segments), ``n_tokens`` (analysed content tokens of
        those passages), ``per_1000_tokens`` (segments × 1000 / n_tokens; NaN
        if the group has no tokens).  ``attrs["unit"]`` says what was counted.
    """
    if is_theme_counts(data):
        return _shares_from_counts(data, by, themes)
    wide = _counted(_wide(data, themes, tokenizer), headings)
    keys = _by_columns(wide, by)
    ids = list(wide.attrs["themes"])
    labels = _labels(wide)
    grouped = wide.groupby(keys, sort=False, observed=True, dropna=False)
    sizes = grouped.size()
    tokens = grouped["n_tokens"].sum()
    counts = grouped[ids].sum()
    rows = []
    for key in sizes.index:
        key_values = key if isinstance(key, tuple) else (key,)
        n_seg = int(sizes.loc[key])
        n_tok = int(tokens.loc[key])
        for theme_id in ids:
            hits = int(counts.loc[key, theme_id])
            rows.append(
                (
                    *key_values,
                    theme_id,
                    labels.get(theme_id, theme_id),
                    hits,
                    n_seg,
                    hits / n_seg if n_seg else math.nan,
                    n_tok,
                    hits * 1000.0 / n_tok if n_tok else math.nan,
                )
            )
    out = pd.DataFrame(rows, columns=[*keys, *SHARE_COLUMNS])
    for column in ("segments", "n_segments", "n_tokens"):
        out[column] = out[column].astype("int64")
    out.attrs = {k: v for k, v in wide.attrs.items() if k != "labels"}
    out.attrs["unit"] = unit_label(headings)
    return out


# --------------------------------------------------------------------------- test


def adjusted_residuals(table: np.ndarray) -> np.ndarray:
    """Adjusted standardised residuals of a two-way contingency table (Haberman).

    ``(O - E) / sqrt(E · (1 - row_total / N) · (1 - column_total / N))``;
    values beyond ±1.96 mark cells that differ from independence at about
    the 5 % level.  Cells whose denominator is zero get NaN.
    """
    observed = np.asarray(table, dtype=float)
    total = observed.sum()
    expected = expected_freq(observed)
    rows = observed.sum(axis=1, keepdims=True) / total
    cols = observed.sum(axis=0, keepdims=True) / total
    denominator = np.sqrt(expected * (1 - rows) * (1 - cols))
    with np.errstate(divide="ignore", invalid="ignore"):
        residuals = (observed - expected) / denominator
    return np.where(denominator > 0, residuals, np.nan)


def independence_test(
    table: np.ndarray,
    *,
    min_expected: float = MIN_EXPECTED,
    correction: bool = False,
    n_resamples: int = 9999,
    random_state: int = 0,
) -> dict[str, Any]:
    """Test a two-way table for independence; choose χ² or Fisher by the expected counts.

    Returns a dict with ``chi2`` (Pearson's statistic), ``dof``, ``p_value``,
    ``test`` (``"chi2"``, ``"fisher_exact"`` for 2×2 tables,
    ``"fisher_exact_monte_carlo"`` for larger ones: Fisher–Freeman–Halton
    with ``n_resamples`` tables drawn from a generator seeded with
    ``random_state``; ``"none"`` when a margin is zero) and
    ``min_expected``.
    """
    observed = np.asarray(table, dtype=np.int64)
    if observed.ndim != 2 or min(observed.shape) < 2:
        raise AnalysisError("a test of independence needs at least a 2 × 2 table")
    if (observed.sum(axis=0) == 0).any() or (observed.sum(axis=1) == 0).any():
        return {
            "chi2": math.nan,
            "dof": math.nan,
            "p_value": math.nan,
            "test": "none",
            "min_expected": math.nan,
        }
    expected = expected_freq(observed)
    chi2 = stats.chi2_contingency(observed, correction=correction)
    result = {
        "chi2": float(chi2.statistic),
        "dof": int(chi2.dof),
        "min_expected": float(expected.min()),
    }
    if expected.min() >= min_expected:
        result.update(p_value=float(chi2.pvalue), test="chi2")
    elif observed.shape == (2, 2):
        result.update(p_value=float(stats.fisher_exact(observed).pvalue), test="fisher_exact")
    else:
        method = stats.MonteCarloMethod(
            n_resamples=n_resamples, rng=np.random.default_rng(random_state)
        )
        p_value = stats.fisher_exact(observed, method=method).pvalue
        result.update(p_value=float(p_value), test="fisher_exact_monte_carlo")
    return result


def stat_theme_test(
    data: pd.DataFrame,
    themes: Any = None,
    by: str = "municipality",
    tokenizer: Any = None,
    *,
    min_expected: float = MIN_EXPECTED,
    correction: bool = False,
    n_resamples: int = 9999,
    random_state: int = 0,
    section: str | None = None,
    headings: bool = False,
) -> pd.DataFrame:
    """Does the share of segments on a theme differ across municipalities (or plans)?

    For each theme, a groups × (coded, not coded) table of segment counts is
    tested for independence: Pearson's χ² when every expected count is at
    least ``min_expected``, otherwise Fisher's exact test (exact for two
    groups; for more groups, the Fisher–Freeman–Halton test with a seeded
    Monte-Carlo p-value, so results repeat exactly).  The column ``test``
    says which test produced each p-value.  Adjusted standardised residuals
    show which groups talk about the theme more (> 1.96) or less (< -1.96)
    than independence predicts.

    Parameters
    ----------
    data
        SEGMENTS, TOKENS, a :func:`compare.themes_wide` table or theme
        counts per plan (as :func:`stat_theme_shares`), summed per group.
    themes
        Theme catalogue or subset (see :func:`compare.code_themes`).
    by
        The grouping column (default ``"municipality"``; ``"plan_id"`` to
        compare plans, e.g. editions of one city).
    tokenizer
        Tokenizer used when ``data`` is a SEGMENTS table.
    min_expected
        Smallest expected count for which the χ² approximation is used.
    correction
        Yates' continuity correction for 2 × 2 χ² tests (off by default).
    n_resamples, random_state
        Monte-Carlo settings for Fisher's test on tables larger than 2 × 2.
    section
        Test only the segments under headings of this kind (``"goals"`` or
        ``"基本目標"``, see :data:`compare.structure.coverage.SECTION_KINDS`),
        so plans of different coverage compare like parts.
    headings
        Count headings as passages too (default: paragraphs, list items and
        table rows only, as :func:`stat_theme_shares`).

    Returns
    -------
    pandas.DataFrame
        One row per (theme, group), themes in catalogue order and groups in
        order of first appearance.  Columns: ``theme_id``, ``label``, the
        ``by`` column, ``n_segments`` (passages in the group), ``segments``
        (passages coded with the theme), ``expected`` (coded segments expected under
        independence), ``share``, ``adj_residual`` (adjusted standardised
        residual of the coded cell), then per theme: ``chi2`` (Pearson's
        statistic), ``dof``, ``p_value``, ``p_adjusted`` (Benjamini–Hochberg
        over the themes tested), ``test`` (``chi2``, ``fisher_exact``,
        ``fisher_exact_monte_carlo`` or ``none`` when the theme is coded in
        no segment or in all), ``min_expected``.

    Raises
    ------
    AnalysisError
        If there are fewer than two groups.
    """
    if is_theme_counts(data):
        if section is not None:
            raise AnalysisError(
                "section= needs a SEGMENTS or themes_wide table; theme counts per plan do not "
                "know which passages lie under which heading"
            )
        key, coded, sizes, labels = _coded_from_counts(data, by, themes)
        attrs: dict[str, Any] = {"unit": data.attrs.get("unit", unit_label(False))}
    else:
        wide = _counted(_wide(data, themes, tokenizer), headings)
        if section is not None:
            from compare.structure.coverage import select_section

            wide = select_section(wide, section)
        key = _by_columns(wide, by)[0]
        ids = list(wide.attrs["themes"])
        labels = _labels(wide)
        grouped = wide.groupby(key, sort=False, observed=True, dropna=False)
        sizes = grouped.size()
        coded = grouped[ids].sum()
        attrs = {k: v for k, v in wide.attrs.items() if k != "labels"}
        attrs["unit"] = unit_label(headings)
    if len(sizes) < 2:
        raise AnalysisError(
            f"a test across {key} needs at least two groups; the data has {len(sizes)} "
            f"({', '.join(map(str, sizes.index))}). Add plans or group by another column"
        )
    out = theme_test_from_counts(
        coded,
        sizes,
        key=key,
        labels=labels,
        min_expected=min_expected,
        correction=correction,
        n_resamples=n_resamples,
        random_state=random_state,
    )
    out.attrs = attrs
    out.attrs["test_settings"] = {
        "min_expected": min_expected,
        "correction": correction,
        "n_resamples": n_resamples,
        "random_state": random_state,
    }
    return out


def theme_test_from_counts(
    coded: pd.DataFrame,
    n_segments: pd.Series,
    *,
    key: str,
    labels: dict[str, str],
    min_expected: float = MIN_EXPECTED,
    correction: bool = False,
    n_resamples: int = 9999,
    random_state: int = 0,
) -> pd.DataFrame:
    """The table of :func:`stat_theme_test` from counts already summed per group.

    :func:`stat_theme_test` calls it with the counts of a themes_wide table
    or of the pipeline's theme counts summed per group.

    Parameters
    ----------
    coded : pandas.DataFrame
        Coded segments: one row per group (the index), one column per theme id.
    n_segments : pandas.Series
        Segments per group, aligned with ``coded``'s index.
    key : str
        Name of the grouping column in the output.
    labels : dict
        Theme id -> label.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`stat_theme_test` (without ``attrs``).
    """
    n = n_segments.to_numpy(dtype=np.int64)
    rows = []
    tests = []
    for theme_id in coded.columns:
        counts = coded[theme_id].to_numpy(dtype=np.int64)
        table = np.column_stack([counts, n - counts])
        result = independence_test(
            table,
            min_expected=min_expected,
            correction=correction,
            n_resamples=n_resamples,
            random_state=random_state,
        )
        tests.append(result)
        if result["test"] == "none":
            expected = counts.astype(float)
            residuals = np.full(len(n), np.nan)
        else:
            expected = expected_freq(table)[:, 0]
            residuals = adjusted_residuals(table)[:, 0]
        for i, group in enumerate(coded.index):
            rows.append(
                {
                    "theme_id": theme_id,
                    "label": labels.get(theme_id, theme_id),
                    key: group,
                    "n_segments": int(n[i]),
                    "segments": int(counts[i]),
                    "expected": float(expected[i]),
                    "share": counts[i] / n[i] if n[i] else math.nan,
                    "adj_residual": float(residuals[i]),
                    **result,
                }
            )
    adjusted = _benjamini_hochberg([t["p_value"] for t in tests])
    out = pd.DataFrame(rows)
    out.insert(out.columns.get_loc("p_value") + 1, "p_adjusted", np.repeat(adjusted, len(n)))
    out = out[[*TEST_COLUMNS[:2], key, *TEST_COLUMNS[2:]]]
    out["dof"] = out["dof"].astype("float64")
    return out


def _benjamini_hochberg(p_values: list[float]) -> np.ndarray:
    values = np.asarray(p_values, dtype=float)
    out = np.full(values.shape, np.nan)
    finite = np.isfinite(values)
    if finite.any():
        out[finite] = stats.false_discovery_control(values[finite], method="bh")
    return out


# --------------------------------------------------------------------------- queries


def _query(query: str, theme_list: list[Theme]) -> Theme:
    """A theme id of the catalogue, or else a rule (a term, or any rule expression)."""
    if not isinstance(query, str) or not query.strip():
        raise ThemeError("the query is empty; give a term (e.g. 見守り) or a theme id")
    for theme in theme_list:
        if theme.id == query.strip():
            return theme
    return Theme(id="query", label=query.strip(), rule=query.strip())


def _coded_corpus(
    data: pd.DataFrame,
    theme: Theme,
    tokenizer: Any,
    plans: Sequence[str] | None,
    tokens: pd.DataFrame | None,
) -> tuple[CodingCorpus, list[Result]]:
    if isinstance(data, pd.DataFrame) and plans is not None:
        wanted = [plans] if isinstance(plans, str) else list(plans)
        known = list(dict.fromkeys(data["plan_id"].astype(str)))
        unknown = [p for p in wanted if p not in known]
        if unknown:
            raise AnalysisError(
                f"unknown plan_id(s) {', '.join(unknown)}; the data has {', '.join(known)}"
            )
        data = data[data["plan_id"].astype(str).isin(wanted)]
        if tokens is not None:
            tokens = tokens[tokens["plan_id"].astype(str).isin(wanted)]
    corpus = build_corpus(data, tokenizer, tokens)
    results = [evaluate(theme.node, p) for p in corpus.passages]
    return corpus, results


def stat_kwic(
    data: pd.DataFrame,
    query: str,
    themes: Any = None,
    tokenizer: Any = None,
    *,
    width: int = 20,
    plans: Sequence[str] | None = None,
    tokens: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Keyword in context: a term's occurrences, or a theme's passages, with their context.

    Parameters
    ----------
    data
        SEGMENTS (or TOKENS) table.
    query
        A theme id of the catalogue: one row per passage the theme codes,
        every term and ``text:`` condition that triggered it highlighted.
        Or a term, or any rule expression (e.g. ``near(防災-訓練)[5]``):
        one row per occurrence of its terms in the segments where it holds.
    themes
        Theme catalogue in which ``query`` is looked up as an id.
    tokenizer
        Tokenizer used when tokenizing SEGMENTS.
    width
        Characters of context on each side.
    plans
        Only these plan ids.
    tokens
        A TOKENS table of ``data`` (skips tokenizing).

    Returns
    -------
    pandas.DataFrame
        In corpus order.  Columns: ``plan_id``, ``municipality`` (when
        known), ``seg_id``, ``heading_path``, ``line_start``, ``line_end``,
        ``page`` and ``page_label`` (the page the segment is printed on and
        its printed label, for PDF sources; ``<NA>`` and ``""`` otherwise),
        ``left``, ``match``, ``right``, ``word``, ``query``.

        For a term or rule, one row per occurrence: ``match`` is the text as
        written, ``word`` the analysed form matched.  For a theme, one row
        per passage: ``match`` runs from the first to the last triggering
        span with every span marked 【…】 (terms by their words, ``text:``
        conditions by the characters they matched), ``left``/``right`` the
        context around it, ``word`` the triggering words and conditions
        (comma-separated, in text order; ``section:``/``heading:``/``kind:``
        conditions have no span and are listed last).  A passage coded only
        through such a condition has an empty match and the start of its
        text on the right.  ``meta`` segments and table-of-contents entries
        are never coded, so they never appear.
    """
    if width < 0:
        raise AnalysisError("width must be zero or positive")
    theme_list = resolve_themes(themes)[0]
    theme = _query(query, theme_list)
    by_passage = any(t is theme for t in theme_list)
    corpus, results = _coded_corpus(data, theme, tokenizer, plans, tokens)
    segs = corpus.segments
    rows = []
    for row, result in enumerate(results):
        if not result.ok:
            continue
        passage = corpus.passages[row]
        text = str(segs["text"].iat[row])
        starts, ends = corpus.offsets[row]
        spans = _outermost(sorted(set(result.spans)))
        info = {
            "plan_id": str(segs["plan_id"].iat[row]),
            **(
                {"municipality": str(segs["municipality"].iat[row])}
                if "municipality" in segs
                else {}
            ),
            "seg_id": int(segs["seg_id"].iat[row]),
            "heading_path": str(segs["heading_path"].iat[row]) if "heading_path" in segs else "",
            "line_start": _int_or_none(segs, "line_start", row),
            "line_end": _int_or_none(segs, "line_end", row),
            "page": _int_or_none(segs, "page", row),
            "page_label": _page_label(segs, row),
        }
        if by_passage:
            rows.append(_passage_row(info, text, passage, result, corpus.offsets[row], width))
            rows[-1]["query"] = query
            continue
        if not spans:
            rows.append(
                {
                    **info,
                    "left": "",
                    "match": "",
                    "right": _flat(text[: 2 * width]),
                    "word": "",
                    "query": query,
                }
            )
            continue
        for first, last in spans:
            start, end = starts[first], ends[last]
            if start < 0 or end < 0:
                start, end = _locate(text, "".join(passage.words[first : last + 1]))
            rows.append(
                {
                    **info,
                    "left": _flat(text[max(0, start - width) : start]),
                    "match": _flat(text[start:end]),
                    "right": _flat(text[end : end + width]),
                    "word": "".join(passage.words[first : last + 1]),
                    "query": query,
                }
            )
    columns = [
        "plan_id",
        "municipality",
        "seg_id",
        "heading_path",
        "line_start",
        "line_end",
        "page",
        "page_label",
        "left",
        "match",
        "right",
        "word",
        "query",
    ]
    if "municipality" not in segs:
        columns.remove("municipality")
    out = pd.DataFrame(rows, columns=columns)
    out["page_label"] = out["page_label"].astype(object)
    for column in ("line_start", "line_end", "page", "seg_id"):
        out[column] = out[column].astype("Int64")
    return out


def _passage_row(
    info: dict[str, Any],
    text: str,
    passage: Any,
    result: Result,
    offsets: tuple[list[int], list[int]],
    width: int,
) -> dict[str, Any]:
    """One KWIC row for a passage: every triggering span highlighted 【…】."""
    starts, ends = offsets
    marks: list[tuple[int, int, str]] = []
    for first, last in _outermost(sorted(set(result.spans))):
        start, end = starts[first], ends[last]
        if start < 0 or end < 0:
            start, end = _locate(text, "".join(passage.words[first : last + 1]))
        marks.append((start, end, "".join(passage.words[first : last + 1])))
    spanless = []
    for condition in dict.fromkeys(result.conditions):
        name, _, value = condition.partition(":")
        found = _text_spans(text, value) if name == "text" else []
        marks.extend((a, b, condition) for a, b in found)
        if not found:
            spanless.append(condition)
    labels = [label for _, _, label in sorted(marks)]
    marks = _merged(sorted(marks))
    words = list(dict.fromkeys(labels)) + spanless
    if not marks:
        return {
            **info,
            "left": "",
            "match": "",
            "right": _flat(text[: 2 * width]),
            "word": ", ".join(words),
        }
    pieces = []
    cursor = marks[0][0]
    for start, end, _ in marks:
        pieces.append(text[cursor:start] + "【" + text[start:end] + "】")
        cursor = end
    first, last = marks[0][0], marks[-1][1]
    return {
        **info,
        "left": _flat(text[max(0, first - width) : first]),
        "match": _flat("".join(pieces)),
        "right": _flat(text[last : last + width]),
        "word": ", ".join(words),
    }


def _merged(marks: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans joined into one highlighted span, in text order."""
    out: list[tuple[int, int, str]] = []
    for start, end, label in marks:
        if out and start < out[-1][1]:
            prev = out[-1]
            out[-1] = (prev[0], max(prev[1], end), prev[2])
            continue
        out.append((start, end, label))
    return out


def _text_spans(text: str, value: str) -> list[tuple[int, int]]:
    """Character spans of ``text`` whose normalised form (NFKC, case-folded) is ``value``."""
    from compare.themes.rules import normalize

    folded = []
    origin = []
    for i, char in enumerate(text):
        for piece in normalize(char):
            folded.append(piece)
            origin.append(i)
    joined = "".join(folded)
    spans = []
    at = joined.find(value)
    while at >= 0 and value:
        end = at + len(value) - 1
        spans.append((origin[at], origin[end] + 1))
        at = joined.find(value, at + len(value))
    return spans


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop spans that lie inside another span (a term inside a matched phrase)."""
    return [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]


def _int_or_none(frame: pd.DataFrame, column: str, row: int) -> int | None:
    if column not in frame:
        return None
    value = frame[column].iat[row]
    return None if pd.isna(value) else int(value)


def _page_label(frame: pd.DataFrame, row: int) -> str:
    """The printed label of a segment's page (PDF sources); ``""`` without pages."""
    if "page_label" not in frame:
        return ""
    value = frame["page_label"].iat[row]
    return "" if pd.isna(value) else str(value)


def _locate(text: str, word: str) -> tuple[int, int]:
    at = text.find(word)
    return (at, at + len(word)) if at >= 0 else (0, 0)


def _flat(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ")


def stat_word_association(
    data: pd.DataFrame,
    query: str,
    themes: Any = None,
    tokenizer: Any = None,
    *,
    top: int | None = 30,
    min_count: int = 2,
    plans: Sequence[str] | None = None,
    tokens: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Words associated with a term or theme (as KH Coder's 関連語探索).

    The target is the set of segments where the query holds (a theme codes
    them, or a term or rule matches).  For every other analysed content word
    ``w`` the function compares the segments containing ``w`` with the
    target: conditional probability P(w | target), its ratio to P(w) over
    all segments (lift), and the Jaccard coefficient |w ∩ target| /
    |w ∪ target| by which the table is sorted.

    Parameters
    ----------
    data
        SEGMENTS (or TOKENS) table.
    query
        A theme id, a term or a rule expression (see :func:`stat_kwic`).
    themes
        Theme catalogue in which ``query`` is looked up as an id.
    tokenizer
        Tokenizer used when tokenizing SEGMENTS.
    top
        Keep the ``top`` rows (None for all).
    min_count
        Keep words that co-occur with the target in at least this many segments.
    plans
        Only these plan ids.
    tokens
        A TOKENS table of ``data`` (skips tokenizing).

    Returns
    -------
    pandas.DataFrame
        Sorted by ``jaccard`` (descending), then ``co_occurrence``
        (descending), then ``word``.  Columns: ``word``, ``co_occurrence``
        (target segments containing the word), ``n_word`` (segments
        containing it), ``n_target`` (target segments), ``n_segments``,
        ``p_word_given_target``, ``p_word``, ``lift``, ``jaccard``.  Words
        that contain one of the query's own terms are left out.

    Raises
    ------
    AnalysisError
        If the query matches no segment.
    """
    theme = _query(query, resolve_themes(themes)[0])
    corpus, results = _coded_corpus(data, theme, tokenizer, plans, tokens)
    flags = [r.ok for r in results]
    n_segments = len(flags)
    n_target = sum(flags)
    if n_target == 0:
        raise AnalysisError(
            f"{query!r} matches no segment, so no word can be associated with it; "
            "check the term with stat_kwic or choose another theme"
        )
    own = theme.terms
    doc_freq: dict[str, int] = {}
    co: dict[str, int] = {}
    for passage, flag in zip(corpus.passages, flags, strict=True):
        for word in set(passage.words):
            doc_freq[word] = doc_freq.get(word, 0) + 1
            if flag:
                co[word] = co.get(word, 0) + 1
    rows = []
    for word, together in co.items():
        norm = word.casefold()
        if together < min_count or any(term in norm for term in own):
            continue
        n_word = doc_freq[word]
        p_cond = together / n_target
        p_word = n_word / n_segments
        rows.append(
            (
                word,
                together,
                n_word,
                n_target,
                n_segments,
                p_cond,
                p_word,
                p_cond / p_word,
                together / (n_target + n_word - together),
            )
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "word",
            "co_occurrence",
            "n_word",
            "n_target",
            "n_segments",
            "p_word_given_target",
            "p_word",
            "lift",
            "jaccard",
        ],
    )
    out = out.sort_values(
        ["jaccard", "co_occurrence", "word"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)
    if top is not None:
        out = out.head(top)
    for column in ("co_occurrence", "n_word", "n_target", "n_segments"):
        out[column] = out[column].astype("int64")
    return out


__all__ = [
    "adjusted_residuals",
    "independence_test",
    "stat_kwic",
    "stat_theme_shares",
    "stat_theme_test",
    "stat_word_association",
]
