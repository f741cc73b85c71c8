"""Goal alignment across plans and the difference between two plans.

Goal alignment pairs the goal-level sections (基本目標 / 基本方針 / 重点施策)
of two plans by the cosine similarity of their TF-IDF vectors, with the
optimal one-to-one assignment of :func:`scipy.optimize.linear_sum_assignment`;
goals without a counterpart are reported as what one plan has and the other
has not.  The plan diff puts themes, words and goals of two plans (typically
two editions) side by side.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from compare.errors import AnalysisError, CompareWarning
from compare.stats._common import (
    Documents,
    check_columns,
    count_matrix,
    join_words,
    plain,
    plan_labels,
    require_plans,
    select_tokens,
    tfidf,
)
from compare.stats.keyness import stat_keyness

#: Goal keywords, tried in this order; the first that yields two or more goals wins.
GOAL_KEYWORDS: tuple[str, ...] = (
    "基本目標",
    "基本方針",
    "重点施策|重点的な取組|重点的取組|重点取組",
)

#: Markers and numbering that may precede a heading's words.
_LEADING = re.compile(
    r"^[\s　◎●○■□◆◇★☆・\-ー－【〈《「『(（]*"
    r"(?:第?[0-9０-９]+[章節.．、)）]?|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+[.．、]?|[①-⑳])?[\s　]*"
)
_NUMBER = r"[\s　]*(?:[0-9０-９]+|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+|[IVX]+|[一二三四五六七八九十]+|[①-⑳]|[A-ZＡ-Ｚ])"

ALIGN_LABELS = ("municipality", "plan_type")


def _goal_columns() -> list[str]:
    return [
        "plan_id",
        "goal",
        "title",
        "level",
        "seg_id",
        "section_id",
        "line_start",
        "n_segments",
        "rule",
    ]


def find_goals(
    segments: pd.DataFrame,
    plan_id: str,
    *,
    level: int | None = None,
    goal_pattern: str | None = None,
) -> pd.DataFrame:
    """Find the goal-level sections of one plan.

    The level is chosen from the outline: the first keyword of
    :data:`GOAL_KEYWORDS` that either starts two or more headings of one level
    ("基本目標1 …", "基本方針Ⅱ") or names a heading with two or more
    sub-headings ("計画の基本目標" over "1 …", "2 …") marks the goals.
    ``level`` takes every heading of that level instead; ``goal_pattern``
    (a regular expression) replaces the keywords.

    Returns
    -------
    pandas.DataFrame
        One row per goal in source order: ``plan_id``, ``goal`` (1-based),
        ``title``, ``level``, ``seg_id`` (of the heading), ``section_id``,
        ``line_start``, ``n_segments`` (segments in the goal's subtree,
        heading included) and ``rule`` (how the goal was found).
        ``attrs["members"]`` maps each goal number to its seg_ids.
    """
    plan = segments.loc[segments["plan_id"].astype(object) == plan_id].reset_index(drop=True)
    headings = plan.loc[plan["kind"].astype(object) == "heading"]
    if level is not None:
        chosen = headings.loc[headings["level"] == level]
        rule = f"level={level}"
        if len(chosen) == 0:
            levels = sorted(set(headings["level"].astype(int)))
            raise AnalysisError(
                f"Plan {plan_id!r} has no heading at level {level}; its heading levels are "
                f"{levels}. Choose one of them (see outline(segments))."
            )
    else:
        keywords = (goal_pattern,) if goal_pattern else GOAL_KEYWORDS
        chosen, rule = _auto_goals(headings, keywords, plan_id)
    return _goal_table(plan, chosen, rule, plan_id)


def _auto_goals(
    headings: pd.DataFrame, keywords: Sequence[str], plan_id: str
) -> tuple[pd.DataFrame, str]:
    texts = headings["text"].fillna("").astype(str)
    stripped = texts.map(lambda t: _LEADING.sub("", t, count=1))
    for keyword in keywords:
        starts = re.compile(rf"^[\s　]*(?:{keyword})")
        named = headings.loc[
            [
                bool(starts.search(t) or starts.search(s))
                for t, s in zip(texts, stripped, strict=True)
            ]
        ]
        if len(named) >= 2:
            per_level = named.groupby("level", sort=True).size()
            best = int(per_level.index[np.argmax(per_level.to_numpy())])
            return named.loc[named["level"] == best], f"headings starting with {keyword}"
        containing = headings.loc[texts.str.contains(keyword, regex=True).to_numpy()]
        for _, container in containing.iterrows():
            children = _child_headings(headings, container)
            if len(children) >= 2:
                return children, f"sub-headings of「{container['text']}」"
    names = " / ".join(keywords)
    raise AnalysisError(
        f"Plan {plan_id!r} has no goal-level headings: no heading starts with {names}, and none "
        f"naming them has numbered sub-headings. Pass level={{{plan_id!r}: N}} with a heading "
        "level from outline(segments), goal_pattern='…', or leave the plan out (plans=[…])."
    )


def _child_headings(headings: pd.DataFrame, container: pd.Series) -> pd.DataFrame:
    """Headings directly below ``container`` (the next deeper level within its subtree)."""
    after = headings.loc[headings["seg_id"] > container["seg_id"]]
    end = after.loc[after["level"] <= container["level"], "seg_id"]
    if len(end):
        after = after.loc[after["seg_id"] < end.iloc[0]]
    if after.empty:
        return after
    return after.loc[after["level"] == after["level"].min()]


def _goal_table(plan: pd.DataFrame, chosen: pd.DataFrame, rule: str, plan_id: str) -> pd.DataFrame:
    seg_ids = plan["seg_id"].to_numpy()
    levels = plan["level"].to_numpy()
    kinds = plan["kind"].astype(object).to_numpy()
    rows, members = [], {}
    for number, (_, head) in enumerate(chosen.iterrows(), start=1):
        start = int(np.flatnonzero(seg_ids == head["seg_id"])[0])
        stop = start + 1
        while stop < len(plan) and not (kinds[stop] == "heading" and levels[stop] <= head["level"]):
            stop += 1
        members[number] = [int(s) for s in seg_ids[start:stop]]
        rows.append(
            {
                "plan_id": plan_id,
                "goal": number,
                "title": _title(plan, start, stop, str(head["text"])),
                "level": int(head["level"]),
                "seg_id": int(head["seg_id"]),
                "section_id": head["section_id"],
                "line_start": int(head["line_start"]) if "line_start" in head else 0,
                "n_segments": stop - start,
                "rule": rule,
            }
        )
    table = pd.DataFrame(rows, columns=_goal_columns())
    table.attrs["members"] = members
    return table


def _title(plan: pd.DataFrame, start: int, stop: int, text: str) -> str:
    """The heading text; a bare "基本方針Ⅰ" borrows the first line of the next segment."""
    text = " ".join(text.split())
    bare = re.fullmatch(rf"(?:{'|'.join(GOAL_KEYWORDS)}){_NUMBER}?[\s　]*", _LEADING.sub("", text))
    if bare and start + 1 < stop:
        following = str(plan["text"].iloc[start + 1]).strip().split("\n")[0]
        text = f"{text} {following[:60]}".strip()
    return text


def _goals_for(
    segments: pd.DataFrame,
    plans: Sequence[str],
    level: int | Mapping[str, int] | None,
    goal_pattern: str | Mapping[str, str] | None,
) -> pd.DataFrame:
    tables = []
    for plan in plans:
        plan_level = level.get(plan) if isinstance(level, Mapping) else level
        pattern = goal_pattern.get(plan) if isinstance(goal_pattern, Mapping) else goal_pattern
        table = find_goals(segments, plan, level=plan_level, goal_pattern=pattern)
        members = table.attrs["members"]
        table = table.copy()
        table["seg_ids"] = [members[g] for g in table["goal"]]
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def _check_segments(segments: pd.DataFrame) -> list[str]:
    """Check the SEGMENTS columns; return its plan ids in order."""
    check_columns(
        segments,
        ("plan_id", "seg_id", "kind", "level", "text", "section_id"),
        "SEGMENTS",
    )
    return list(dict.fromkeys(segments["plan_id"].astype(object)))


def _tokens_for(
    segments: pd.DataFrame, tokens: pd.DataFrame | None, plans: Sequence[str]
) -> pd.DataFrame:
    """The given TOKENS table, or the tokens of just ``plans`` when none is given."""
    if tokens is not None:
        return tokens
    from compare.text.tokenizer import tokenize

    return tokenize(segments.loc[segments["plan_id"].astype(object).isin(list(plans))])


def _goal_vectors(
    goals: pd.DataFrame, tokens: pd.DataFrame, content_only: bool
) -> tuple[np.ndarray, np.ndarray]:
    """TF-IDF of every goal (rows of ``goals``, subtree tokens); returns weights and terms."""
    check_columns(tokens, ("plan_id", "seg_id", "word"))
    selected = select_tokens(tokens, content_only=content_only, include_meta=False)
    membership = pd.DataFrame(
        [
            (plan, int(seg), row)
            for row, (plan, segs) in enumerate(zip(goals["plan_id"], goals["seg_ids"], strict=True))
            for seg in segs
        ],
        columns=["plan_id", "seg_id", "_goal"],
    )
    keyed = pd.DataFrame(
        {
            "plan_id": selected["plan_id"].astype(object).to_numpy(),
            "seg_id": selected["seg_id"].to_numpy(dtype=np.int64),
            "word": selected["word"].astype(object).to_numpy(),
        }
    )
    inside = keyed.merge(membership, on=["plan_id", "seg_id"], how="inner", sort=False)
    words: list[list[str]] = [[] for _ in range(len(goals))]
    for goal, group in inside.groupby("_goal", sort=True):
        words[int(goal)] = group["word"].tolist()
    if not any(words):
        raise AnalysisError("The goal sections hold no counted token; check the TOKENS table.")
    docs = Documents(
        frame=pd.DataFrame({"doc": np.arange(len(goals))}),
        keys=("_goal",),
        codes=np.zeros(0, dtype=np.int64),
        words=words,
    )
    counts, terms = count_matrix(docs)
    weights, _ = tfidf(counts)
    return weights.toarray(), terms


def stat_goal_alignment(
    segments: pd.DataFrame,
    tokens: pd.DataFrame | None = None,
    *,
    plans: Sequence[str] | None = None,
    level: int | Mapping[str, int] | None = None,
    goal_pattern: str | Mapping[str, str] | None = None,
    min_similarity: float = 0.1,
    n_shared: int = 5,
    content_only: bool = True,
) -> pd.DataFrame:
    """Align the goals of two plans (or of every pair of plans) one to one.

    Parameters
    ----------
    segments : pandas.DataFrame
        The SEGMENTS table (from :func:`compare.read_corpus`).
    tokens : pandas.DataFrame, optional
        Its TOKENS table; tokenized with :func:`compare.tokenize` when omitted.
    plans : list of str, optional
        Plan ids to align (at least two), default every plan in ``segments``.
        Every pair is aligned, in the given order.
    level : int or dict, optional
        Heading level of the goals, for all plans or per plan id; default:
        chosen per plan from its headings (see :func:`find_goals`).
    goal_pattern : str or dict, optional
        Regular expression a goal heading starts with (after its marker),
        replacing the default keywords 基本目標 / 基本方針 / 重点施策.
    min_similarity : float
        Assigned pairs less similar than this are reported as unmatched.
    n_shared : int
        Shared words listed per matched pair.
    content_only : bool
        Count only content tokens.

    Returns
    -------
    pandas.DataFrame
        Per plan pair: matched goals (by goal_a), then goals only in plan A,
        then goals only in plan B.  Columns: ``plan_a``, ``plan_b``,
        ``municipality_a``, ``municipality_b``, ``plan_type_a``,
        ``plan_type_b``, ``status`` ("matched", "only_a", "only_b"),
        ``goal_a``, ``title_a``, ``section_id_a``, ``line_a``, ``goal_b``,
        ``title_b``, ``section_id_b``, ``line_b`` (goal numbers are 1-based,
        <NA> on the missing side), ``similarity`` (TF-IDF cosine of the pair;
        for an unmatched goal, its highest similarity to any goal of the
        other plan), ``shared_words`` (top words both goals weigh, comma-separated).
        ``attrs["goals"]`` lists the goals found per plan (see
        :func:`find_goals`).  IDF weights are computed over the goals of all
        plans given, so a pair's similarity can shift slightly with ``plans``.

    Raises
    ------
    AnalysisError
        Fewer than two plans, an unknown plan, a plan with no goal-level
        headings (pass ``level`` or ``goal_pattern``, or leave it out).
    """
    available = _check_segments(segments)
    plans = list(available if plans is None else plans)
    require_plans(plans, available, "SEGMENTS")
    if len(set(plans)) < 2:
        raise AnalysisError(
            f"Goal alignment needs at least two plans; got {len(set(plans))} "
            f"({', '.join(plans)}). Pass plans=[...] with two or more plan ids."
        )
    tokens = _tokens_for(segments, tokens, plans)
    goals = _goals_for(segments, plans, level, goal_pattern)
    weights, terms = _goal_vectors(goals, tokens, content_only)
    labels = plan_labels(segments).set_index("plan_id")
    records: list[tuple] = []
    for plan_a, plan_b in itertools.combinations(plans, 2):
        records += _align_pair(goals, weights, terms, plan_a, plan_b, min_similarity, n_shared)
    out = _alignment_frame(goals, records, labels)
    out.attrs["goals"] = goals.drop(columns="seg_ids")
    out.attrs["params"] = {"plans": plans, "min_similarity": min_similarity}
    return out


def _align_pair(
    goals: pd.DataFrame,
    weights: np.ndarray,
    terms: np.ndarray,
    plan_a: str,
    plan_b: str,
    min_similarity: float,
    n_shared: int,
) -> list[tuple]:
    """Records (plan_a, plan_b, status, goal row a, goal row b, similarity, shared words)."""
    rows_a = np.flatnonzero(goals["plan_id"].to_numpy() == plan_a)
    rows_b = np.flatnonzero(goals["plan_id"].to_numpy() == plan_b)
    sim = np.clip(weights[rows_a] @ weights[rows_b].T, 0.0, 1.0)
    assigned_a, assigned_b = linear_sum_assignment(sim, maximize=True)
    matched = [
        (int(i), int(j))
        for i, j in zip(assigned_a, assigned_b, strict=True)
        if sim[i, j] >= min_similarity and sim[i, j] > 0
    ]
    best_a = sim.max(axis=1) if sim.shape[1] else np.full(sim.shape[0], np.nan)
    best_b = sim.max(axis=0) if sim.shape[0] else np.full(sim.shape[1], np.nan)
    done_a = {i for i, _ in matched}
    done_b = {j for _, j in matched}
    records = []
    for i, j in sorted(matched):
        shared = _shared_words(weights[rows_a[i]], weights[rows_b[j]], terms, n_shared)
        records.append((plan_a, plan_b, "matched", rows_a[i], rows_b[j], sim[i, j], shared))
    for i in range(len(rows_a)):
        if i not in done_a:
            records.append((plan_a, plan_b, "only_a", rows_a[i], -1, best_a[i], ""))
    for j in range(len(rows_b)):
        if j not in done_b:
            records.append((plan_a, plan_b, "only_b", -1, rows_b[j], best_b[j], ""))
    return records


def _shared_words(a: np.ndarray, b: np.ndarray, terms: np.ndarray, n: int) -> str:
    both = np.minimum(a, b)
    order = np.lexsort((terms.astype(str), -both))
    chosen = [terms[k] for k in order[:n] if both[k] > 0]
    return join_words(chosen)


def _take(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """values[rows] as objects, None where rows is -1."""
    out = np.empty(len(rows), dtype=object)
    present = rows >= 0
    out[present] = values[rows[present]]
    return out


def _alignment_frame(
    goals: pd.DataFrame, records: list[tuple], labels: pd.DataFrame
) -> pd.DataFrame:
    plan_a = np.array([r[0] for r in records], dtype=object)
    plan_b = np.array([r[1] for r in records], dtype=object)
    row_a = np.array([r[3] for r in records], dtype=np.int64)
    row_b = np.array([r[4] for r in records], dtype=np.int64)
    frame = pd.DataFrame({"plan_a": plan_a, "plan_b": plan_b})
    for column in ALIGN_LABELS:
        values = labels[column] if column in labels.columns else pd.Series(dtype=object)
        lookup = {k: v for k, v in values.items()}
        frame[f"{column}_a"] = np.array([lookup.get(p) for p in plan_a], dtype=object)
        frame[f"{column}_b"] = np.array([lookup.get(p) for p in plan_b], dtype=object)
    frame["status"] = np.array([r[2] for r in records], dtype=object)
    columns = {
        "goal": goals["goal"].to_numpy(),
        "title": goals["title"].to_numpy(dtype=object),
        "section_id": goals["section_id"].astype(object).to_numpy(),
        "line": goals["line_start"].to_numpy(),
    }
    for side, rows in (("a", row_a), ("b", row_b)):
        for name, values in columns.items():
            taken = _take(values, rows)
            if name in ("goal", "line"):
                taken = pd.array(taken, dtype="Int64")
            frame[f"{name}_{side}"] = taken
    frame["similarity"] = np.array([r[5] for r in records], dtype=float)
    frame["shared_words"] = np.array([r[6] for r in records], dtype=object)
    return frame


@dataclass(frozen=True)
class PlanDiff:
    """Result of :func:`stat_plan_diff`.

    Attributes
    ----------
    themes : pandas.DataFrame
        ``theme_id``, ``label``, ``segments_a``, ``segments_b`` (segments
        coded with the theme), ``share_a``, ``share_b`` (of the plan's
        non-meta segments), ``change`` (share_b - share_a) and ``status``
        ("gained", "lost", "up", "down", "same"); sorted by descending change,
        then theme_id.  Empty when no theme coding is available.
    words : pandas.DataFrame
        ``word``, ``status`` ("new", "dropped", "increased", "decreased",
        "same"), ``count_a``, ``count_b``, ``per1000_a``, ``per1000_b``,
        ``change`` (per1000_b - per1000_a), ``log_ratio`` and ``g2`` (signed,
        positive when plan B uses the word more); sorted by status in that
        order, then by descending absolute change, then word.
    goals : pandas.DataFrame
        The goal alignment of the two plans (columns of
        :func:`stat_goal_alignment`) with ``change`` = 1 - similarity for
        matched goals and 1 for goals without a counterpart; matched goals
        first, most changed first, then goals only in A, only in B.
    """

    themes: pd.DataFrame
    words: pd.DataFrame
    goals: pd.DataFrame
    params: dict = field(default_factory=dict)


def stat_plan_diff(
    segments: pd.DataFrame,
    plan_a: str,
    plan_b: str,
    *,
    tokens: pd.DataFrame | None = None,
    hits: pd.DataFrame | None = None,
    level: int | Mapping[str, int] | None = None,
    goal_pattern: str | Mapping[str, str] | None = None,
    min_count: int = 2,
    content_only: bool = True,
) -> PlanDiff:
    """What changed from plan A to plan B: themes, words and goals.

    Parameters
    ----------
    segments : pandas.DataFrame
        The SEGMENTS table holding both plans.
    plan_a, plan_b : str
        Plan ids; typically the earlier edition first.
    tokens : pandas.DataFrame, optional
        The TOKENS table; tokenized with :func:`compare.tokenize` when omitted.
    hits : pandas.DataFrame, optional
        Theme hits (``plan_id``, ``seg_id``, ``theme_id`` …) from
        :func:`compare.code_themes`; computed with the default themes when
        omitted and available.
    level, goal_pattern : optional
        Goal detection overrides (see :func:`stat_goal_alignment`).
    min_count : int
        Words seen fewer times in both plans together are left out.
    content_only : bool
        Count only content tokens.

    Returns
    -------
    PlanDiff
        ``themes`` (theme_id, label, segments_a, segments_b, share_a,
        share_b, change, status), ``words`` (word, status, count_a, count_b,
        per1000_a, per1000_b, change, log_ratio, g2) and ``goals`` (the
        columns of :func:`stat_goal_alignment` plus change).

    Raises
    ------
    AnalysisError
        The same plan twice, an unknown plan id.

    Warns
    -----
    CompareWarning
        When a plan has no goal-level headings (``goals`` is then empty).
    """
    available = _check_segments(segments)
    require_plans([plan_a, plan_b], available, "SEGMENTS")
    if plan_a == plan_b:
        raise AnalysisError(
            f"plan_a and plan_b are both {plan_a!r}; a diff needs two different plans."
        )
    tokens = _tokens_for(segments, tokens, [plan_a, plan_b])
    words = _word_diff(tokens, plan_a, plan_b, min_count, content_only)
    themes = _theme_diff(segments, tokens, hits, plan_a, plan_b)
    try:
        goals = stat_goal_alignment(
            segments,
            tokens,
            plans=[plan_a, plan_b],
            level=level,
            goal_pattern=goal_pattern,
            content_only=content_only,
        )
        goals = _rank_goal_changes(goals)
    except AnalysisError as error:
        warnings.warn(f"Goals not aligned: {error}", CompareWarning, stacklevel=2)
        goals = _empty_goals()
    params = {"plan_a": plan_a, "plan_b": plan_b, "min_count": min_count}
    return PlanDiff(themes=themes, words=words, goals=goals, params=params)


def _word_diff(
    tokens: pd.DataFrame, plan_a: str, plan_b: str, min_count: int, content_only: bool
) -> pd.DataFrame:
    """The ``words`` table of :class:`PlanDiff`, read off :func:`stat_keyness` of B against A."""
    selected = select_tokens(tokens, content_only=content_only, include_meta=False)
    plan = selected["plan_id"].astype(object)
    both = selected.loc[(plan == plan_a) | (plan == plan_b)]
    for name in (plan_a, plan_b):
        if not (both["plan_id"].astype(object) == name).any():
            raise AnalysisError(f"Plan {name!r} has no counted token in the TOKENS table.")
    # Keyness with plan B as the target: positive g2 = more in B.
    table = stat_keyness(
        both,
        "plan",
        target=plan_b,
        reference=plan_a,
        min_count=min_count,
        sort_by="g2",
        content_only=content_only,
    )
    out = pd.DataFrame(
        {
            "word": table["word"],
            "count_a": table["count_reference"],
            "count_b": table["count_target"],
            "per1000_a": table["per1000_reference"],
            "per1000_b": table["per1000_target"],
        }
    )
    out["change"] = out["per1000_b"] - out["per1000_a"]
    out["log_ratio"] = table["log_ratio"]
    out["g2"] = table["g2"]
    status = np.select(
        [out["count_a"] == 0, out["count_b"] == 0, out["change"] > 0, out["change"] < 0],
        ["new", "dropped", "increased", "decreased"],
        "same",
    )
    out.insert(1, "status", status.astype(object))
    rank = {s: i for i, s in enumerate(("new", "dropped", "increased", "decreased", "same"))}
    order = np.lexsort(
        (
            out["word"].to_numpy().astype(str),
            -out["change"].abs().to_numpy(),
            out["status"].map(rank).to_numpy(),
        )
    )
    return out.iloc[order].reset_index(drop=True)


def _theme_diff(
    segments: pd.DataFrame,
    tokens: pd.DataFrame,
    hits: pd.DataFrame | None,
    plan_a: str,
    plan_b: str,
) -> pd.DataFrame:
    columns = ["theme_id", "label", "segments_a", "segments_b", "share_a", "share_b", "change"]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in [*columns, "status"]})
    if hits is None:
        from compare.themes.coding import code_themes

        # Code only the two plans: theme coding costs time per segment.
        keep = segments["plan_id"].astype(object).isin([plan_a, plan_b])
        keep_tokens = tokens["plan_id"].astype(object).isin([plan_a, plan_b])
        hits = code_themes(segments.loc[keep], tokens=tokens.loc[keep_tokens])
    check_columns(hits, ("plan_id", "seg_id", "theme_id"), "theme hits")
    body = segments.loc[segments["kind"].astype(object) != "meta"]
    n_segments = body.groupby(body["plan_id"].astype(object)).size()
    hit_plan = hits["plan_id"].astype(object)
    hits = hits.loc[(hit_plan == plan_a) | (hit_plan == plan_b)]
    # Themes coded in either plan, in catalogue order when the hits table records it.
    present = list(dict.fromkeys(plain(hits["theme_id"]).astype(object)))
    catalogue = [t for t in hits.attrs.get("themes", []) if t in present]
    theme_ids = catalogue + [t for t in present if t not in catalogue]
    label_column = next((c for c in ("label", "theme_label", "theme") if c in hits.columns), None)
    labels = {}
    if label_column is not None:
        labels = dict(zip(plain(hits["theme_id"]), plain(hits[label_column]), strict=True))
    distinct = hits[["plan_id", "seg_id", "theme_id"]].astype(object).drop_duplicates()
    coded = distinct.groupby(["theme_id", "plan_id"]).size()
    rows = []
    for theme in theme_ids:
        seg_a = int(coded.get((theme, plan_a), 0))
        seg_b = int(coded.get((theme, plan_b), 0))
        share_a = seg_a / n_segments.get(plan_a, 1)
        share_b = seg_b / n_segments.get(plan_b, 1)
        rows.append((theme, labels.get(theme, theme), seg_a, seg_b, share_a, share_b))
    if not rows:
        return empty
    table = pd.DataFrame(rows, columns=columns[:-1])
    table["change"] = table["share_b"] - table["share_a"]
    table["status"] = np.select(
        [
            (table["segments_a"] == 0) & (table["segments_b"] > 0),
            (table["segments_a"] > 0) & (table["segments_b"] == 0),
            table["change"] > 0,
            table["change"] < 0,
        ],
        ["gained", "lost", "up", "down"],
        "same",
    ).astype(object)
    table = table.astype({"theme_id": object, "label": object})
    order = np.lexsort((np.arange(len(table)), -table["change"].to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def _rank_goal_changes(goals: pd.DataFrame) -> pd.DataFrame:
    goals = goals.copy()
    goals["change"] = np.where(goals["status"] == "matched", 1.0 - goals["similarity"], 1.0)
    rank = goals["status"].map({"matched": 0, "only_a": 1, "only_b": 2}).to_numpy()
    matched_change = np.where(rank == 0, -goals["change"].fillna(0).to_numpy(), 0.0)
    goal_a = goals["goal_a"].fillna(0).to_numpy(dtype=np.int64)
    goal_b = goals["goal_b"].fillna(0).to_numpy(dtype=np.int64)
    order = np.lexsort((goal_b, goal_a, matched_change, rank))
    return goals.iloc[order].reset_index(drop=True)


def _empty_goals() -> pd.DataFrame:
    columns = [
        "plan_a",
        "plan_b",
        "municipality_a",
        "municipality_b",
        "plan_type_a",
        "plan_type_b",
        "status",
        "goal_a",
        "title_a",
        "section_id_a",
        "line_a",
        "goal_b",
        "title_b",
        "section_id_b",
        "line_b",
        "similarity",
        "shared_words",
        "change",
    ]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
