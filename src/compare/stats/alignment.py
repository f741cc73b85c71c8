"""Goal alignment across plans and the difference between two plans.

Goal alignment pairs the goals of two plans one to one with the optimal
assignment of :func:`scipy.optimize.linear_sum_assignment`.  The goals are
the rows of one level of the plan model (:func:`compare.plan_model`,
基本目標 by default), wherever each plan puts them (headings, numbered lists,
施策体系 and indicator tables).  Each goal is described by

* its words: the goal's title (counted twice), the text of its section and
  the titles and text of the policies, measures and indicators below it,
  with orthographic variants folded by the tokenizer (支えあい / 支え合い);
* its theme profile: how many of those segments each theme codes.

The similarity of two goals is a weighted mean of the cosine of their TF-IDF
word vectors and the cosine of their theme profiles.  Within each matched
pair of goals, the items one level down (基本方針 / 基本施策 / 行動計画 …) are
aligned the same way.  Goals without a counterpart are what one plan has and
the other has not.  A plan without the requested level is skipped and named
in the result (``attrs["skipped"]``), not an error.

The older heading-based goals (:func:`find_goals`: the headings of one
level, or those starting with 基本目標 / 基本方針 / 重点施策) stay available
with ``level=N`` (a heading level) or ``goal_pattern=``.  The plan diff puts
themes, words and goals of two plans (typically two editions) side by side.
"""

from __future__ import annotations

import itertools
import os
import re
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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
from compare.structure.plan import LEVELS

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

#: Goal titles are tokenized as pseudo-segments numbered from here (never a real seg_id).
TITLE_SEG = 1_000_000_000


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
        table["row"] = -1
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
    level: str | int | Mapping[str, int] | None = None,
    goal_pattern: str | Mapping[str, str] | None = None,
    model: pd.DataFrame | None = None,
    hits: pd.DataFrame | None = None,
    theme_weight: float = 0.3,
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
    level : str, int or dict, optional
        A common level of the plan model (default 基本目標; 基本方針, 施策,
        重点施策 … align those rows instead).  An int (or ``{plan_id: int}``)
        takes the headings of that heading level instead of the plan model.
    goal_pattern : str or dict, optional
        Regular expression a goal heading starts with (heading-based goals,
        see :func:`find_goals`).
    model : pandas.DataFrame, optional
        The plan model of ``segments`` (:func:`compare.plan_model`); built
        when omitted.
    hits : pandas.DataFrame, optional
        Theme hits of ``segments`` (:func:`compare.code_themes`); coded with
        the default themes when omitted and ``theme_weight`` > 0.
    theme_weight : float
        Weight of the theme-profile cosine in the similarity (0 to 1); the
        word cosine has the rest.
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
        ``title_b``, ``section_id_b``, ``line_b`` (goal numbers are 1-based
        positions within the plan, <NA> on the missing side),
        ``similarity`` (for an unmatched goal, its highest similarity to any
        goal of the other plan), ``text_similarity`` and
        ``theme_similarity`` (its two parts), ``shared_words`` and
        ``shared_themes`` (comma-separated), ``level``.
        ``attrs["goals"]`` lists the goals per plan; ``attrs["policies"]``
        aligns, within each matched pair of goals, the items one level down
        (same columns, plus ``within_a`` and ``within_b``: the goal numbers);
        ``attrs["skipped"]`` maps each plan left out to the reason, and
        ``attrs["notice"]`` says the same in one sentence ("" when none).
        IDF weights are computed over the goals of all plans aligned.

    Raises
    ------
    AnalysisError
        Fewer than two plans, an unknown plan, an unknown level, or fewer
        than two plans left with goals (the message names the skipped plans
        and why).
    """
    available = _check_segments(segments)
    plans = list(available if plans is None else plans)
    require_plans(plans, available, "SEGMENTS")
    if len(set(plans)) < 2:
        raise AnalysisError(
            f"Goal alignment needs at least two plans; got {len(set(plans))} "
            f"({', '.join(plans)}). Pass plans=[...] with two or more plan ids."
        )
    if not 0 <= theme_weight <= 1:
        raise AnalysisError(f"theme_weight must be between 0 and 1; got {theme_weight}.")
    by_headings = goal_pattern is not None or isinstance(level, int | Mapping)
    if by_headings:
        goals, skipped = _heading_goals(segments, plans, level, goal_pattern)
        target = "見出し"
        theme_weight = 0.0 if hits is None else theme_weight
    else:
        target = level or "基本目標"
        if target not in LEVELS:
            raise AnalysisError(
                f"Unknown level {target!r}; use one of {', '.join(LEVELS)}, "
                "or an int for a heading level."
            )
        if model is None:
            model = _model_of(segments, plans)
        goals, skipped = _model_goals(segments, model, plans, target)
    kept = [p for p in plans if p not in skipped]
    if len(kept) < 2:
        reasons = "; ".join(f"{p}: {why}" for p, why in skipped.items())
        raise AnalysisError(
            f"Goal alignment needs at least two plans with goals ({target}); "
            f"left out: {reasons}. Pass level=… (a heading level or another plan-model "
            "level), goal_pattern='…', or other plans."
        )
    tokens = _tokens_for(segments, tokens, kept)
    hits = _hits_for(segments, tokens, hits, kept) if theme_weight > 0 else None
    if model is not None:
        tokens = _with_titles(tokens, goals)
    scorer = _Scorer(tokens, hits, theme_weight, content_only, n_shared)
    labels = plan_labels(segments).set_index("plan_id")
    sims = scorer.fit(goals)
    records: list[tuple] = []
    for plan_a, plan_b in itertools.combinations(kept, 2):
        records += _align_pair(goals, sims, scorer, plan_a, plan_b, min_similarity)
    out = _alignment_frame(goals, records, labels, target)
    out.attrs["goals"] = goals.drop(columns=["seg_ids"])
    out.attrs["policies"] = (
        _policy_alignment(segments, model, goals, out, scorer, labels, min_similarity)
        if model is not None
        else _empty_goals().drop(columns="change")
    )
    out.attrs["skipped"] = skipped
    out.attrs["notice"] = _notice(skipped, target)
    out.attrs["params"] = {
        "plans": kept,
        "level": target,
        "theme_weight": theme_weight,
        "min_similarity": min_similarity,
    }
    return out


def _model_of(segments: pd.DataFrame, plans: Sequence[str]) -> pd.DataFrame:
    """The plan model of ``plans``; its warnings become the skip notices instead."""
    from compare.structure.plan import plan_model

    keep = segments.loc[segments["plan_id"].astype(object).isin(list(plans))]
    keep.attrs = dict(segments.attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        return plan_model(keep)


def _notice(skipped: Mapping[str, str], target: str) -> str:
    if not skipped:
        return ""
    names = "; ".join(f"{p} ({why})" for p, why in skipped.items())
    return f"Left out of the {target} alignment: {names}."


def _heading_goals(
    segments: pd.DataFrame,
    plans: Sequence[str],
    level: int | Mapping[str, int] | None,
    goal_pattern: str | Mapping[str, str] | None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Heading-based goals of every plan that has them; the others with the reason."""
    tables, skipped = [], {}
    for plan in plans:
        try:
            tables.append(_goals_for(segments, [plan], level, goal_pattern))
        except AnalysisError as error:
            skipped[plan] = str(error)
    goals = pd.concat(tables, ignore_index=True) if tables else _goal_frame([])
    return goals, skipped


def _model_goals(
    segments: pd.DataFrame, model: pd.DataFrame, plans: Sequence[str], target: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows of ``target`` level of every plan, with the segments describing each."""
    rows, skipped = [], {}
    sections = _sections(segments)
    for plan in plans:
        plan_rows = model.loc[model["plan_id"].astype(object) == plan]
        chosen = plan_rows.loc[plan_rows["level"] == target]
        if chosen.empty:
            have = list(dict.fromkeys(plan_rows["level"]))
            found = f"it has {', '.join(have)}" if have else "no policy element was recognised"
            skipped[plan] = f"no {target} in its plan model ({found})"
            continue
        tree = _children_by_parent(plan_rows)
        for number, (_, goal) in enumerate(chosen.iterrows(), start=1):
            rows.append(_goal_record(plan, number, goal, tree, sections))
    return _goal_frame(rows), skipped


def _goal_record(
    plan: str,
    number: int,
    goal: pd.Series,
    tree: Mapping[int, list[tuple[int, dict[str, Any]]]],
    sections: Mapping[str, Mapping[str, list[int]]],
) -> dict[str, Any]:
    """One goal: its title, its place, and the segments that describe it (title twice).

    ``tree`` is :func:`_children_by_parent` of the goal's plan.
    """
    members = _row_segments(goal, sections.get(plan, {}))
    for child in _descendants(tree, int(goal["row"])):
        members += _row_segments(child, sections.get(plan, {}))
    title_seg = TITLE_SEG + int(goal["row"])
    seg_ids = [title_seg, title_seg, *sorted(set(members))]
    return {
        "plan_id": plan,
        "goal": number,
        "title": goal["title"],
        "level": goal["level"],
        "seg_id": int(goal["seg_id"]),
        "section_id": goal["section_id"],
        "line_start": int(goal["line_start"]),
        "n_segments": len(set(seg_ids)),
        "rule": f"plan model: {goal['level']} ({goal['source']})",
        "row": int(goal["row"]),
        "seg_ids": seg_ids,
    }


def _with_titles(tokens: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """``tokens`` plus the tokens of every goal's title, as pseudo-segment TITLE_SEG + row."""
    from compare.text.tokenizer import tokenize

    rows = goals.loc[goals["row"] >= 0]
    if rows.empty:
        return tokens
    titles = pd.DataFrame(
        {
            "plan_id": rows["plan_id"].astype(object).to_numpy(),
            "seg_id": (TITLE_SEG + rows["row"].astype(np.int64)).to_numpy(),
            "kind": "heading",
            "text": rows["title"].astype(str).to_numpy(),
        }
    ).drop_duplicates(["plan_id", "seg_id"])
    extra = tokenize(titles, cache=False, progress=False)
    keep = [c for c in tokens.columns if c in extra.columns]
    return pd.concat(
        [
            tokens[keep].astype({c: object for c in keep if c in ("plan_id", "kind")}),
            extra[keep].astype({c: object for c in keep if c in ("plan_id", "kind")}),
        ],
        ignore_index=True,
    )


def _goal_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = [*_goal_columns(), "row", "seg_ids"]
    return pd.DataFrame(rows, columns=columns)


def _sections(segments: pd.DataFrame) -> dict[str, dict[str, list[int]]]:
    """plan_id -> section_id -> seg_ids of the section and every section below it."""
    out: dict[str, dict[str, list[int]]] = {}
    for plan, section, seg in zip(
        segments["plan_id"].astype(object),
        segments["section_id"].astype(object),
        segments["seg_id"],
        strict=True,
    ):
        by_section = out.setdefault(plan, {})
        path = str(section)
        while True:
            by_section.setdefault(path, []).append(int(seg))
            if "." not in path:
                break
            path = path.rsplit(".", 1)[0]
    return out


def _row_segments(row: Mapping[str, Any], sections: Mapping[str, list[int]]) -> list[int]:
    """A heading row stands for its whole section; any other row for its own segment."""
    if row["source"] == "heading":
        return list(sections.get(str(row["section_id"]), []))
    return [int(row["seg_id"])] if int(row["seg_id"]) >= 0 else []


#: The plan-model columns that walking the tree reads (records of the other columns
#: would only cost time).
_TREE_COLUMNS = ("parent", "row", "level", "title", "source", "section_id", "seg_id")


def _children_by_parent(plan_rows: pd.DataFrame) -> dict[int, list[tuple[int, dict[str, Any]]]]:
    """Parent row -> (position in ``plan_rows``, row) of the rows directly below it.

    Built once per plan: walking the tree through this index instead of
    filtering the frame once per level keeps goal alignment linear in the
    size of the plan model.
    """
    tree: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    columns = [c for c in _TREE_COLUMNS if c in plan_rows.columns]
    for position, record in enumerate(plan_rows[columns].to_dict("records")):
        if not pd.isna(record["parent"]):
            tree.setdefault(int(record["parent"]), []).append((position, record))
    return tree


def _descendants(
    tree: Mapping[int, list[tuple[int, dict[str, Any]]]], row: int
) -> list[dict[str, Any]]:
    """Every row below ``row``, level by level, each level in plan-model order."""
    found: list[dict[str, Any]] = []
    seen, frontier = {row}, [row]
    while frontier:
        level = sorted(
            (item for parent in frontier for item in tree.get(parent, [])), key=lambda i: i[0]
        )
        children = [record for _, record in level if int(record["row"]) not in seen]
        seen.update(int(c["row"]) for c in children)
        found += children
        frontier = [int(c["row"]) for c in children]
    return found


def _hits_for(
    segments: pd.DataFrame, tokens: pd.DataFrame, hits: pd.DataFrame | None, plans: list[str]
) -> pd.DataFrame:
    if hits is not None:
        check_columns(hits, ("plan_id", "seg_id", "theme_id"), "theme hits")
        return hits
    from compare.themes.coding import code_themes

    keep = segments["plan_id"].astype(object).isin(plans)
    keep_tokens = tokens["plan_id"].astype(object).isin(plans)
    return code_themes(segments.loc[keep], tokens=tokens.loc[keep_tokens])


class _Scorer:
    """Similarity of goals from their words (TF-IDF) and their theme profiles."""

    def __init__(
        self,
        tokens: pd.DataFrame,
        hits: pd.DataFrame | None,
        theme_weight: float,
        content_only: bool,
        n_shared: int,
    ) -> None:
        self.tokens = tokens
        self.hits = hits
        self.theme_weight = theme_weight
        self.content_only = content_only
        self.n_shared = n_shared

    def fit(self, goals: pd.DataFrame) -> _Similarity:
        words, terms = _goal_vectors(goals, self.tokens, self.content_only)
        text = np.clip(words @ words.T, 0.0, 1.0)
        if self.hits is None or self.theme_weight == 0:
            return _Similarity(text, text, np.zeros_like(text), words, terms, None, [])
        profile, theme_ids = _theme_profiles(goals, self.hits)
        themes = np.clip(profile @ profile.T, 0.0, 1.0)
        combined = (1 - self.theme_weight) * text + self.theme_weight * themes
        return _Similarity(combined, text, themes, words, terms, profile, theme_ids)


@dataclass(frozen=True)
class _Similarity:
    combined: np.ndarray
    text: np.ndarray
    themes: np.ndarray
    words: np.ndarray
    terms: np.ndarray
    profile: np.ndarray | None
    theme_ids: list[str]


def _theme_profiles(goals: pd.DataFrame, hits: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Per goal, the number of its segments each theme codes (L2-normalised)."""
    distinct = hits[["plan_id", "seg_id", "theme_id"]].astype(object).drop_duplicates()
    theme_ids = sorted(set(distinct["theme_id"]))
    column = {t: j for j, t in enumerate(theme_ids)}
    coded = pd.DataFrame(
        {
            "plan_id": distinct["plan_id"].to_numpy(dtype=object),
            "seg_id": distinct["seg_id"].to_numpy(dtype=np.int64),
            "_theme": distinct["theme_id"].map(column).to_numpy(dtype=np.int64),
        }
    )
    members = pd.DataFrame(
        [
            (i, plan, int(seg))
            for i, (plan, seg_ids) in enumerate(
                zip(goals["plan_id"], goals["seg_ids"], strict=True)
            )
            for seg in set(seg_ids)
        ],
        columns=["_goal", "plan_id", "seg_id"],
    ).astype({"_goal": np.int64, "plan_id": object, "seg_id": np.int64})
    # Each (goal, segment, theme) counts once, as each theme coded in a goal's segment.
    pairs = members.merge(coded, on=["plan_id", "seg_id"], how="inner")
    profile = np.zeros((len(goals), len(theme_ids)))
    goal_rows, theme_columns = (pairs[c].to_numpy(dtype=np.int64) for c in ("_goal", "_theme"))
    np.add.at(profile, (goal_rows, theme_columns), 1.0)
    norms = np.linalg.norm(profile, axis=1, keepdims=True)
    return np.divide(profile, norms, out=np.zeros_like(profile), where=norms > 0), theme_ids


def _policy_alignment(
    segments: pd.DataFrame,
    model: pd.DataFrame,
    goals: pd.DataFrame,
    aligned: pd.DataFrame,
    scorer: _Scorer,
    labels: pd.DataFrame,
    min_similarity: float,
) -> pd.DataFrame:
    """Within each matched pair of goals, align the items one level down."""
    empty = _empty_goals().drop(columns="change")
    sections = _sections(segments)
    children_rows, owners = [], []
    by_plan: dict[str, tuple[pd.DataFrame, dict[int, list[tuple[int, dict[str, Any]]]]]] = {}
    for index, goal in goals.iterrows():
        if goal["plan_id"] not in by_plan:
            rows = model.loc[model["plan_id"].astype(object) == goal["plan_id"]]
            by_plan[goal["plan_id"]] = (rows, _children_by_parent(rows))
        plan_rows, tree = by_plan[goal["plan_id"]]
        kids = plan_rows.loc[plan_rows["parent"] == goal["row"]]
        kids = kids.loc[~kids["level"].isin(["指標", "重点施策", "基本理念"])]
        if kids.empty:
            continue
        top = min(kids["level"], key=lambda lv: LEVELS.index(lv))
        for number, (_, kid) in enumerate(kids.loc[kids["level"] == top].iterrows(), start=1):
            children_rows.append(_goal_record(goal["plan_id"], number, kid, tree, sections))
            owners.append(index)
    if not children_rows:
        return empty
    children = _goal_frame(children_rows)
    children["_owner"] = owners
    # A segment shared by sibling items (one table row listing four measures) tells them
    # apart no better than their titles do: leave it to the titles.
    counts = pd.Series(
        [
            (p, s)
            for p, segs in zip(children["plan_id"], children["seg_ids"], strict=True)
            for s in set(segs)
        ]
    ).value_counts()
    children["seg_ids"] = [
        [s for s in segs if s >= TITLE_SEG or counts[(p, s)] == 1]
        for p, segs in zip(children["plan_id"], children["seg_ids"], strict=True)
    ]
    scorer = _Scorer(
        _with_titles(scorer.tokens, children),
        scorer.hits,
        scorer.theme_weight,
        scorer.content_only,
        scorer.n_shared,
    )
    sims = scorer.fit(children)
    records: list[tuple] = []
    matched = aligned.loc[aligned["status"] == "matched"]
    for plan_a, plan_b, goal_a, goal_b in zip(
        matched["plan_a"], matched["plan_b"], matched["goal_a"], matched["goal_b"], strict=True
    ):
        owner_a = _goal_index(goals, plan_a, int(goal_a))
        owner_b = _goal_index(goals, plan_b, int(goal_b))
        subset = children.loc[children["_owner"].isin([owner_a, owner_b])]
        if subset["_owner"].nunique() < 2:
            continue
        records += _align_pair(
            children, sims, scorer, plan_a, plan_b, min_similarity, rows=subset.index.to_numpy()
        )
    if not records:
        return empty
    frame = _alignment_frame(children, records, labels, "")
    owner_goal = goals["goal"].to_numpy()
    for side in ("a", "b"):
        rows = np.array([r[3] if side == "a" else r[4] for r in records], dtype=np.int64)
        owner = np.where(rows >= 0, children["_owner"].to_numpy()[np.maximum(rows, 0)], -1)
        frame[f"within_{side}"] = pd.array(
            [int(owner_goal[o]) if o >= 0 else None for o in owner], dtype="Int64"
        )
    frame["level"] = [children["level"].iloc[r[3] if r[3] >= 0 else r[4]] for r in records]
    return frame


def _goal_index(goals: pd.DataFrame, plan: str, number: int) -> int:
    match = goals.loc[(goals["plan_id"] == plan) & (goals["goal"] == number)]
    return int(match.index[0])


def _align_pair(
    goals: pd.DataFrame,
    sims: _Similarity,
    scorer: _Scorer,
    plan_a: str,
    plan_b: str,
    min_similarity: float,
    rows: np.ndarray | None = None,
) -> list[tuple]:
    """Records (plan_a, plan_b, status, row a, row b, similarity, text, themes, words, shared themes)."""
    plan_ids = goals["plan_id"].to_numpy()
    within = np.zeros(len(goals), dtype=bool)
    within[np.arange(len(goals)) if rows is None else rows] = True
    rows_a = np.flatnonzero((plan_ids == plan_a) & within)
    rows_b = np.flatnonzero((plan_ids == plan_b) & within)
    sim = sims.combined[np.ix_(rows_a, rows_b)]
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
        a, b = rows_a[i], rows_b[j]
        words = _shared_words(sims.words[a], sims.words[b], sims.terms, scorer.n_shared)
        themes = _shared_themes(sims, a, b)
        records.append(
            (
                plan_a,
                plan_b,
                "matched",
                a,
                b,
                sim[i, j],
                sims.text[a, b],
                sims.themes[a, b],
                words,
                themes,
            )
        )
    for i in range(len(rows_a)):
        if i not in done_a:
            records.append(
                (plan_a, plan_b, "only_a", rows_a[i], -1, best_a[i], np.nan, np.nan, "", "")
            )
    for j in range(len(rows_b)):
        if j not in done_b:
            records.append(
                (plan_a, plan_b, "only_b", -1, rows_b[j], best_b[j], np.nan, np.nan, "", "")
            )
    return records


def _shared_themes(sims: _Similarity, a: int, b: int) -> str:
    if sims.profile is None:
        return ""
    both = np.minimum(sims.profile[a], sims.profile[b])
    order = np.lexsort((np.array(sims.theme_ids, dtype=str), -both))
    return join_words([sims.theme_ids[k] for k in order if both[k] > 0])


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
    goals: pd.DataFrame, records: list[tuple], labels: pd.DataFrame, level: str
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
    frame["text_similarity"] = np.array([r[6] for r in records], dtype=float)
    frame["theme_similarity"] = np.array([r[7] for r in records], dtype=float)
    frame["shared_words"] = np.array([r[8] for r in records], dtype=object)
    frame["shared_themes"] = np.array([r[9] for r in records], dtype=object)
    frame["level"] = np.array([level] * len(records), dtype=object)
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
    policies : pandas.DataFrame
        Within matched goals, the alignment of the items one level down
        (``attrs["policies"]`` of :func:`stat_goal_alignment`).
    params : dict
        The plans and settings; ``skipped`` says why goals were not aligned.
    """

    themes: pd.DataFrame
    words: pd.DataFrame
    goals: pd.DataFrame
    policies: pd.DataFrame = field(default_factory=pd.DataFrame)
    params: dict = field(default_factory=dict)


def stat_plan_diff(
    segments: pd.DataFrame,
    plan_a: str,
    plan_b: str,
    *,
    tokens: pd.DataFrame | None = None,
    hits: pd.DataFrame | None = None,
    level: str | int | Mapping[str, int] | None = None,
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
    hits = _hits_for(segments, tokens, hits, [plan_a, plan_b])
    themes = _theme_diff(segments, tokens, hits, plan_a, plan_b)
    params: dict[str, Any] = {"plan_a": plan_a, "plan_b": plan_b, "min_count": min_count}
    policies = _empty_goals().drop(columns="change")
    try:
        aligned = stat_goal_alignment(
            segments,
            tokens,
            plans=[plan_a, plan_b],
            level=level,
            goal_pattern=goal_pattern,
            hits=hits,
            content_only=content_only,
        )
        policies = aligned.attrs["policies"]
        goals = _rank_goal_changes(aligned)
    except AnalysisError as error:
        warnings.warn(f"Goals not aligned: {error}", CompareWarning, stacklevel=2)
        goals = _empty_goals()
        params["skipped"] = str(error)
    return PlanDiff(themes=themes, words=words, goals=goals, policies=policies, params=params)


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
        "text_similarity",
        "theme_similarity",
        "shared_words",
        "shared_themes",
        "level",
        "change",
    ]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


# --------------------------------------------------------------------------- policy matrix

#: Columns of :func:`stat_policy_matrix`.
POLICY_MATRIX_COLUMNS = (
    "plan_id",
    "municipality",
    "author",
    "plan_type",
    "theme_id",
    "label",
    "n_goals",
    "n_policies",
    "titles",
)


def stat_policy_matrix(
    segments: pd.DataFrame,
    *,
    model: pd.DataFrame | None = None,
    hits: pd.DataFrame | None = None,
    themes: Any = None,
    level: str = "基本目標",
    min_share: float = 0.25,
    plans: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Which plan has a goal (or a policy under a goal) about which theme.

    A goal is about a theme when its title is coded with it, or when at
    least ``min_share`` of the segments describing it (its section, and the
    rows of the policies, measures and indicators below it) are.  A policy,
    measure or 重点施策 below a goal counts when its own title is coded with
    the theme; the cell then names the goal with the policy in brackets.

    Parameters
    ----------
    segments : pandas.DataFrame
        The SEGMENTS table.
    model : pandas.DataFrame, optional
        Its plan model (:func:`compare.plan_model`); built when omitted.
    hits : pandas.DataFrame, optional
        Theme hits of ``segments`` (:func:`compare.code_themes`); coded with
        ``themes`` when omitted.
    themes : optional
        Theme catalogue for the titles (and for ``hits`` when omitted); the
        default catalogue when None.
    level : str
        The plan-model level of the goals (基本目標 by default).
    min_share : float
        Share of a goal's segments a theme must code for the goal to count.
    plans : list of str, optional
        Plans to include, default all.

    Returns
    -------
    pandas.DataFrame
        One row per (plan, theme) in plan order and catalogue order:
        ``plan_id``, ``municipality``, ``author``, ``plan_type``, ``theme_id``, ``label``,
        ``n_goals`` (goals about the theme), ``n_policies`` (policies below
        other goals about it), ``titles`` (the goal titles, 「／」-separated,
        a policy in 「（…）」 after its goal; "" when none).
        ``attrs["skipped"]`` names the plans without goals and why.
    """
    from compare.themes.coding import code_themes

    available = _check_segments(segments)
    plans = list(available if plans is None else plans)
    require_plans(plans, available, "SEGMENTS")
    if model is None:
        model = _model_of(segments, plans)
    goals, skipped = _model_goals(segments, model, plans, level)
    if hits is None:
        keep = segments["plan_id"].astype(object).isin(plans)
        hits = code_themes(segments.loc[keep], themes)
    check_columns(hits, ("plan_id", "seg_id", "theme_id"), "theme hits")
    theme_ids, labels = _theme_order(hits, themes)
    items = model.loc[model["plan_id"].astype(object).isin(plans)]
    title_themes = _title_themes(items, themes)
    coded = _coded_segments(hits)
    cells: dict[tuple[str, str], list[str]] = {}
    counts: dict[tuple[str, str], list[int]] = {}
    trees: dict[str, dict[int, list[tuple[int, dict[str, Any]]]]] = {}
    for _, goal in goals.iterrows():
        plan = goal["plan_id"]
        own = title_themes.get((plan, int(goal["row"])), set())
        real = [s for s in set(goal["seg_ids"]) if s < TITLE_SEG]
        shares = Counter(t for s in real for t in coded.get((plan, s), ()))
        about = own | {t for t, n in shares.items() if real and n / len(real) >= min_share}
        if plan not in trees:
            trees[plan] = _children_by_parent(items.loc[items["plan_id"].astype(object) == plan])
        below: dict[str, list[str]] = {}
        for child in _descendants(trees[plan], int(goal["row"])):
            if child["level"] in ("指標", "基本理念"):
                continue
            for theme in title_themes.get((plan, int(child["row"])), set()) - about:
                below.setdefault(theme, []).append(str(child["title"]))
        for theme in about:
            cells.setdefault((plan, theme), []).append(str(goal["title"]))
            counts.setdefault((plan, theme), [0, 0])[0] += 1
        for theme, titles in below.items():
            cells.setdefault((plan, theme), []).append(f"{goal['title']}（{'、'.join(titles)}）")
            counts.setdefault((plan, theme), [0, 0])[1] += len(titles)
    names = plan_labels(segments).set_index("plan_id")
    rows = []
    for plan in plans:
        for theme in theme_ids:
            n_goals, n_policies = counts.get((plan, theme), [0, 0])
            rows.append(
                {
                    "plan_id": plan,
                    **{
                        c: names[c].get(plan, "") if c in names else ""
                        for c in ("municipality", "author", "plan_type")
                    },
                    "theme_id": theme,
                    "label": labels.get(theme, theme),
                    "n_goals": n_goals,
                    "n_policies": n_policies,
                    "titles": "／".join(cells.get((plan, theme), [])),
                }
            )
    out = pd.DataFrame(rows, columns=list(POLICY_MATRIX_COLUMNS))
    out = out.astype({"n_goals": "int64", "n_policies": "int64"})
    out.attrs["skipped"] = skipped
    out.attrs["params"] = {"level": level, "min_share": min_share}
    return out


def _theme_order(hits: pd.DataFrame, themes: Any) -> tuple[list[str], dict[str, str]]:
    """Theme ids in catalogue order, and their labels."""
    from compare.themes.coding import load_themes

    if themes is None or isinstance(themes, str | os.PathLike):
        catalogue = load_themes(themes)
    elif isinstance(themes, Sequence) and all(isinstance(t, str) for t in themes):
        catalogue = load_themes(None, ids=themes)
    else:
        catalogue = [t for t in themes if hasattr(t, "id")]
    ids = [theme.id for theme in catalogue]
    labels = {theme.id: theme.label for theme in catalogue}
    if "label" in hits.columns:
        for theme, label in zip(plain(hits["theme_id"]), plain(hits["label"]), strict=True):
            labels.setdefault(theme, label)
    present = [t for t in dict.fromkeys(plain(hits["theme_id"]).astype(object)) if t not in ids]
    return ids + sorted(present), labels


def _title_themes(items: pd.DataFrame, themes: Any) -> dict[tuple[str, int], set[str]]:
    """Themes coded on each plan-model row's title alone.

    The titles are tokenized without the token cache: they are a few words per
    row, cheaper to analyse than to look up, and a cache entry per plan's titles
    would only fill the user's cache folder.
    """
    from compare.text.tokenizer import tokenize
    from compare.themes.coding import code_themes

    if items.empty:
        return {}
    titles = pd.DataFrame(
        {
            "plan_id": items["plan_id"].astype(object).to_numpy(),
            "seg_id": items["row"].astype(np.int64).to_numpy(),
            "kind": "heading",
            "level": 1,
            "text": items["title"].astype(str).to_numpy(),
            "heading_path": items["title"].astype(str).to_numpy(),
            "section_id": items["section_id"].astype(str).to_numpy(),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        hits = code_themes(titles, themes, tokens=tokenize(titles, cache=False, progress=False))
    out: dict[tuple[str, int], set[str]] = {}
    for plan, row, theme in zip(hits["plan_id"], hits["seg_id"], hits["theme_id"], strict=True):
        out.setdefault((str(plan), int(row)), set()).add(str(theme))
    return out


def _coded_segments(hits: pd.DataFrame) -> dict[tuple[str, int], set[str]]:
    out: dict[tuple[str, int], set[str]] = {}
    for plan, seg, theme in zip(hits["plan_id"], hits["seg_id"], hits["theme_id"], strict=True):
        out.setdefault((str(plan), int(seg)), set()).add(str(theme))
    return out
