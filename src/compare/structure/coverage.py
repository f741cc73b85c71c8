"""What each document covers, so comparisons compare like with like.

A catalogue mixes whole plans with summaries (概要版), drafts (案) and single
chapters (抜粋).  Comparing the words of a plan's 第6章 計画の推進 with
another plan's 基本理念 measures what was excerpted, not policy.  This module
says what each plan covers and restricts a table to comparable parts:

* :data:`SECTION_KINDS`: the kinds of section plans share (基本理念, 基本目標,
  施策, 推進体制, 指標, 現状と課題, 計画の策定), each recognised from the
  headings above a segment by a family of paraphrases;
* :func:`plan_coverage`: one row per plan with its ``doc_kind`` and the kinds
  of section it has;
* :func:`flag_coverage`: marks the pairs of a pairwise table whose coverage
  differs, with a note in Japanese for the report;
* :func:`select_section`: the rows (segments, tokens or theme codes) that lie
  under a heading of one kind, e.g. only 基本目標 sections and below.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from compare.errors import AnalysisError

__all__ = [
    "SECTION_KINDS",
    "coverage_text",
    "flag_coverage",
    "plan_coverage",
    "section_kind",
    "section_kinds",
    "section_mask",
    "select_section",
]

#: kind id -> (Japanese label, pattern matched against each heading above a
#: segment).  A segment belongs to every kind one of its headings matches.
SECTION_KINDS: dict[str, tuple[str, str]] = {
    "background": (
        "計画の策定",
        r"策定にあたって|策定に当たって|策定の(?:趣旨|背景|目的)|計画の(?:趣旨|背景|目的|位置[づ付]け|期間)"
        r"|計画期間|位置[づ付]け",
    ),
    "context": (
        "現状と課題",
        r"現状と課題|地域の現状|を取り巻く|統計|アンケート|調査結果|現状(?:の|と)?分析",
    ),
    "vision": ("基本理念", r"基本理念|理念|めざす姿|目指す姿|将来像|ビジョン|スローガン"),
    "goals": ("基本目標", r"基本目標|基本方針|計画の目標|施策の(?:体系|方向)|体系"),
    "measures": ("施策", r"施策|取組|取り組み|行動計画|具体的な|事業の展開|活動の展開"),
    "promotion": (
        "推進体制",
        r"推進体制|計画の推進|計画推進|推進の方策|推進に向けて|進行管理|進捗管理|評価|PDCA",
    ),
    "indicators": ("指標", r"指標|目標値|現状値|数値目標"),
}

#: Labels of the catalogue's document kinds.
DOC_KIND_LABELS = {"full": "全文", "summary": "概要版", "draft": "案", "excerpt": "抜粋"}

_PATTERNS = {kind: re.compile(pattern) for kind, (_, pattern) in SECTION_KINDS.items()}
_SEPARATOR = " > "


def section_kind(kind: str) -> str:
    """The kind id of ``kind``, given as an id (``"goals"``) or a label (``"基本目標"``)."""
    if kind in SECTION_KINDS:
        return kind
    for key, (label, _) in SECTION_KINDS.items():
        if kind == label:
            return key
    known = ", ".join(f"{key} ({label})" for key, (label, _) in SECTION_KINDS.items())
    raise AnalysisError(f"Unknown section kind {kind!r}; choose one of {known}.")


def _paths(frame: pd.DataFrame) -> pd.Series:
    """The heading path of each row, the row's own text included for headings."""
    path = frame["heading_path"].fillna("").astype(str)
    if "kind" in frame.columns and "text" in frame.columns:
        heading = (frame["kind"].astype(object) == "heading").to_numpy()
        own = frame["text"].fillna("").astype(str)
        path = path.where(~heading, path + _SEPARATOR + own)
    return path


def _kinds_of_paths(paths: pd.Series) -> pd.DataFrame:
    """One boolean column per kind: whether a heading of the path matches it."""
    uniques, codes = np.unique(paths.to_numpy(dtype=str), return_inverse=True)
    columns = {}
    for kind, pattern in _PATTERNS.items():
        hit = np.array([bool(pattern.search(p)) for p in uniques], dtype=bool)
        columns[kind] = hit[codes.ravel()] if len(paths) else np.zeros(0, dtype=bool)
    return pd.DataFrame(columns, index=paths.index)


def section_mask(segments: pd.DataFrame, kind: str) -> np.ndarray:
    """Which rows of a SEGMENTS-like table lie under a heading of ``kind`` (or are one)."""
    _require(segments, ("heading_path",), "SEGMENTS")
    key = section_kind(kind)
    return _kinds_of_paths(_paths(segments))[key].to_numpy(dtype=bool)


def select_section(
    data: pd.DataFrame, kind: str, segments: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The rows of ``data`` that lie under a heading of ``kind`` (and the headings themselves).

    Parameters
    ----------
    data
        A SEGMENTS table, the wide theme table (both have ``heading_path``)
        or a TOKENS table (then ``segments`` is needed to know the headings).
    kind
        A kind id or label of :data:`SECTION_KINDS` (``"goals"`` or ``"基本目標"``).
    segments
        The SEGMENTS table the tokens came from.

    Raises
    ------
    AnalysisError
        An unknown kind, a TOKENS table without ``segments``, or no row under
        such a heading.
    """
    key = section_kind(kind)
    label = SECTION_KINDS[key][0]
    if "heading_path" in data.columns:
        chosen = data.loc[section_mask(data, key)]
    else:
        if segments is None:
            raise AnalysisError(
                f"section={kind!r} needs the SEGMENTS table to know the headings of the tokens: "
                "pass segments=read_corpus(...)."
            )
        _require(data, ("plan_id", "seg_id"), "TOKENS")
        under = segments.loc[section_mask(segments, key), ["plan_id", "seg_id"]]
        keys = pd.MultiIndex.from_arrays(
            [under["plan_id"].astype(str).to_numpy(), under["seg_id"].to_numpy()]
        )
        rows = pd.MultiIndex.from_arrays(
            [data["plan_id"].astype(str).to_numpy(), data["seg_id"].to_numpy()]
        )
        chosen = data.loc[rows.isin(keys)]
    if chosen.empty:
        raise AnalysisError(
            f"No part of any plan lies under a {label} heading ({SECTION_KINDS[key][1]}); "
            "check outline(segments) or choose another section kind."
        )
    chosen = chosen.copy()
    chosen.attrs = dict(data.attrs)
    chosen.attrs["section"] = key
    return chosen


def plan_coverage(segments: pd.DataFrame, catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """What each plan covers: its document kind and the kinds of section it has.

    Parameters
    ----------
    segments
        A SEGMENTS table.
    catalog
        The catalogue (for ``doc_kind`` when the segments lack it).

    Returns
    -------
    pandas.DataFrame
        One row per plan in order of first appearance: ``plan_id``,
        ``doc_kind`` (full / summary / draft / excerpt, ``""`` when unknown),
        one ``n_<kind>`` column per :data:`SECTION_KINDS` (segments under
        such a heading), ``kinds`` (the kind ids present, a tuple in the
        order of :data:`SECTION_KINDS`) and ``coverage`` (Japanese, e.g.
        ``"概要版: 基本理念・基本目標・施策"``).
    """
    _require(segments, ("plan_id", "heading_path"), "SEGMENTS")
    kinds = _kinds_of_paths(_paths(segments))
    plan = segments["plan_id"].astype(str)
    counted = kinds.groupby(plan.to_numpy(), sort=False).sum()
    order = list(dict.fromkeys(plan))
    counted = counted.reindex(order).fillna(0).astype(np.int64)
    doc_kind = _doc_kinds(segments, catalog, order)
    out = pd.DataFrame({"plan_id": order, "doc_kind": [doc_kind.get(p, "") for p in order]})
    for kind in SECTION_KINDS:
        out[f"n_{kind}"] = counted[kind].to_numpy()
    out["kinds"] = [tuple(k for k in SECTION_KINDS if counted.loc[p, k] > 0) for p in order]
    out["coverage"] = [
        _coverage_text(d, k) for d, k in zip(out["doc_kind"], out["kinds"], strict=True)
    ]
    return out


def section_kinds(segments: pd.DataFrame) -> tuple[str, ...]:
    """The kinds of section one plan has: ``plan_coverage(segments)["kinds"]`` of its one row.

    The same answer without the counts: each kind's pattern is tried on the
    plan's distinct heading paths until one matches (the streaming pipeline
    asks this of every plan).
    """
    _require(segments, ("heading_path",), "SEGMENTS")
    if segments.empty:
        return ()
    # The patterns are literal words without line breaks: one matches some
    # path exactly when it matches the paths joined by line breaks.
    joined = "\n".join(dict.fromkeys(_paths(segments).tolist()))
    return tuple(kind for kind in SECTION_KINDS if _PATTERNS[kind].search(joined))


def flag_coverage(
    pairs: pd.DataFrame,
    coverage: pd.DataFrame,
    columns: Sequence[str] = ("plan_id_a", "plan_id_b"),
) -> pd.DataFrame:
    """Add to a pairwise table whether the two plans of each pair cover different parts.

    Adds ``coverage_a``, ``coverage_b`` (:func:`plan_coverage`'s text),
    ``coverage_differs`` (document kinds or kinds of section differ),
    ``shared_sections`` (kind labels both have) and ``coverage_note`` (a
    Japanese caution for differing pairs, ``""`` otherwise).
    """
    a_col, b_col = columns
    _require(pairs, (a_col, b_col), "pairwise")
    _require(coverage, ("plan_id", "doc_kind", "kinds", "coverage"), "coverage")
    info = coverage.set_index("plan_id")
    out = pairs.copy()
    a = out[a_col].astype(str)
    b = out[b_col].astype(str)
    missing = sorted((set(a) | set(b)) - set(info.index))
    if missing:
        raise AnalysisError(f"Plan(s) {', '.join(missing)} have no coverage row.")
    out["coverage_a"] = a.map(info["coverage"]).to_numpy()
    out["coverage_b"] = b.map(info["coverage"]).to_numpy()
    differs, shared, notes = [], [], []
    for plan_a, plan_b in zip(a, b, strict=True):
        kinds_a, kinds_b = set(info.at[plan_a, "kinds"]), set(info.at[plan_b, "kinds"])
        doc_a, doc_b = info.at[plan_a, "doc_kind"], info.at[plan_b, "doc_kind"]
        differ = doc_a != doc_b or kinds_a != kinds_b
        common = [SECTION_KINDS[k][0] for k in SECTION_KINDS if k in kinds_a & kinds_b]
        differs.append(differ)
        shared.append("・".join(common))
        notes.append(_note(differ, common) if differ else "")
    out["coverage_differs"] = np.asarray(differs, dtype=bool)
    out["shared_sections"] = shared
    out["coverage_note"] = notes
    return out


def _note(differ: bool, common: list[str]) -> str:
    text = (
        "文書の範囲が異なります（全文・概要版・抜粋、含む章の違い）。差の一部は範囲の違いによります"
    )
    if common:
        return text + f"。共通する部分（{'・'.join(common)}）だけの比較は section= で行えます。"
    return text + "。共通する部分がありません。"


def coverage_text(doc_kind: str, kinds: Iterable[str]) -> str:
    """A plan's coverage in Japanese, e.g. "概要版: 基本理念・基本目標・施策"."""
    return _coverage_text(doc_kind, kinds)


def _coverage_text(doc_kind: str, kinds: Iterable[str]) -> str:
    labels = "・".join(SECTION_KINDS[k][0] for k in kinds) or "見出しから判別できる部分なし"
    kind = DOC_KIND_LABELS.get(doc_kind, doc_kind) or "種類不明"
    return f"{kind}: {labels}"


def _doc_kinds(
    segments: pd.DataFrame, catalog: pd.DataFrame | None, order: list[str]
) -> dict[str, str]:
    found: dict[str, str] = {}
    for frame in (catalog, segments):
        if frame is not None and "doc_kind" in frame.columns and "plan_id" in frame.columns:
            first = frame.drop_duplicates("plan_id")
            for plan, kind in zip(first["plan_id"].astype(str), first["doc_kind"], strict=True):
                found.setdefault(plan, "" if pd.isna(kind) else str(kind))
    return {p: found.get(p, "") for p in order}


def _require(frame: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise AnalysisError(f"Expected a {table} table (a DataFrame), got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(f"The {table} table lacks column(s) {', '.join(map(repr, missing))}.")
