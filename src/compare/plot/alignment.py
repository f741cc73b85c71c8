"""Goal alignment between two plans: goals side by side, matched goals linked."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from compare.errors import AnalysisError
from compare.plot._style import bold, japanese_rc, new_axes, require, wrap
from compare.plot.labels import plan_names

_REQUIRED = ["plan_a", "plan_b", "status", "goal_a", "title_a", "goal_b", "title_b", "similarity"]


def plot_goal_alignment(
    alignment: pd.DataFrame,
    plan_a: str | None = None,
    plan_b: str | None = None,
    *,
    width: int = 18,
    ax: Any = None,
) -> Any:
    """Two columns of goals, one per plan, with matched goals joined by a line.

    Line width and darkness grow with the similarity of the pair, whose value
    is written on the line; goals without a counterpart are drawn in grey.

    Parameters
    ----------
    alignment : pandas.DataFrame
        The table returned by :func:`compare.stat_goal_alignment`.
    plan_a, plan_b : str, optional
        The pair to draw; needed when the table holds several pairs (the
        first pair is drawn when both are omitted).
    width : int
        Goal titles are wrapped at about this many characters (never cut; the
        figure grows taller for titles that need more than two lines).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    require(alignment, _REQUIRED, "plot_goal_alignment")
    pair = _pair(alignment, plan_a, plan_b)
    left = _goals(pair, "a")
    right = _goals(pair, "b")
    n = max(len(left), len(right), 1)
    matched = pair[pair["status"] == "matched"]
    labels = {
        side: {goal: wrap(title or f"({goal})", width) for goal, title, _ in goals}
        for side, goals in (("a", left), ("b", right))
    }
    lines = max((t.count("\n") + 1 for part in labels.values() for t in part.values()), default=1)
    with japanese_rc():
        # Two lines fit the usual spacing of goals; longer titles get more room.
        ax = new_axes(ax, (8.0, 1.0 + max(0.62, 0.2 + 0.16 * lines) * n))
        for x, goals, align, side in ((0.0, left, "right", "a"), (1.0, right, "left", "b")):
            for index, (goal, _title, is_matched) in enumerate(goals):
                y = _y(index, len(goals), n)
                colour = "#1f2328" if is_matched else "#9e9e9e"
                ax.plot(
                    [x],
                    [y],
                    marker="o",
                    markersize=6,
                    color="#0b4f8a" if is_matched else "#c8c8c8",
                    zorder=3,
                )
                label = labels[side][goal]
                offset = -0.03 if align == "right" else 0.03
                ax.text(x + offset, y, label, ha=align, va="center", fontsize=8.5, color=colour)
        rank_a = {goal: i for i, (goal, _, _) in enumerate(left)}
        rank_b = {goal: i for i, (goal, _, _) in enumerate(right)}
        sims = matched["similarity"].astype(float).to_numpy()
        top = float(np.nanmax(sims)) if sims.size else 1.0
        placed: list[tuple[float, float]] = []
        for row, sim in zip(matched.itertuples(index=False), sims, strict=True):
            ya = _y(rank_a[int(row.goal_a)], len(left), n)
            yb = _y(rank_b[int(row.goal_b)], len(right), n)
            strength = sim / top if top > 0 else 0.0
            ax.plot(
                [0.0, 1.0],
                [ya, yb],
                color=(0.04, 0.31, 0.54, 0.25 + 0.65 * strength),
                linewidth=1.0 + 4.0 * strength,
                zorder=2,
                solid_capstyle="round",
            )
            t = _label_position(ya, yb, placed)
            ax.text(
                t,
                ya + (yb - ya) * t,
                f"{sim:.2f}",
                ha="center",
                va="center",
                fontsize=7.5,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
                zorder=4,
            )
        name_a, name_b = _names(alignment, pair)
        ax.text(0.0, n + 0.55, name_a, ha="right", va="bottom", fontsize=10, **bold())
        ax.text(1.0, n + 0.55, name_b, ha="left", va="bottom", fontsize=10, **bold())
        ax.set_xlim(-1.15, 2.15)
        ax.set_ylim(0.4, n + 1.1)
        ax.set_axis_off()
    return ax


def _label_position(ya: float, yb: float, placed: list[tuple[float, float]]) -> float:
    """Where along a link its similarity label goes: the middle unless another label is there."""
    for t in (0.5, 0.3, 0.7, 0.2, 0.8):
        point = (t, ya + (yb - ya) * t)
        if all(abs(point[0] - x) > 0.12 or abs(point[1] - y) > 0.35 for x, y in placed):
            placed.append(point)
            return t
    placed.append((0.5, (ya + yb) / 2))
    return 0.5


def _pair(alignment: pd.DataFrame, plan_a: str | None, plan_b: str | None) -> pd.DataFrame:
    pairs = list(
        dict.fromkeys(
            zip(alignment["plan_a"].astype(str), alignment["plan_b"].astype(str), strict=True)
        )
    )
    if not pairs:
        raise AnalysisError("The goal alignment table is empty; nothing to draw.")
    if plan_a is None and plan_b is None:
        chosen = pairs[0]
    else:
        candidates = [
            p
            for p in pairs
            if (plan_a is None or p[0] == plan_a) and (plan_b is None or p[1] == plan_b)
        ]
        swapped = [
            p
            for p in pairs
            if (plan_a is None or p[1] == plan_a) and (plan_b is None or p[0] == plan_b)
        ]
        if candidates:
            chosen = candidates[0]
        elif swapped:
            raise AnalysisError(
                f"The table aligns {swapped[0][0]} with {swapped[0][1]}; pass plan_a={swapped[0][0]!r}, "
                f"plan_b={swapped[0][1]!r}."
            )
        else:
            known = "; ".join(f"{a} / {b}" for a, b in pairs)
            raise AnalysisError(f"No pair {plan_a} / {plan_b} in the table; it has: {known}.")
    mask = (alignment["plan_a"].astype(str) == chosen[0]) & (
        alignment["plan_b"].astype(str) == chosen[1]
    )
    return alignment[mask]


def _goals(pair: pd.DataFrame, side: str) -> list[tuple[int, str, bool]]:
    rows = pair[pair[f"goal_{side}"].notna()]
    goals = {}
    for row in rows.itertuples(index=False):
        goal = int(getattr(row, f"goal_{side}"))
        goals[goal] = (str(getattr(row, f"title_{side}") or ""), row.status == "matched")
    return [(g, *goals[g]) for g in sorted(goals)]


def _y(index: int, count: int, n: int) -> float:
    """Goals are spread evenly over the height of the taller column, top down."""
    if count <= 1:
        return (n + 1) / 2
    return n - index * (n - 1) / (count - 1)


def _names(alignment: pd.DataFrame, pair: pd.DataFrame) -> tuple[str, str]:
    """Names of the pair's two plans, told apart from every other plan of the table."""
    if "name_a" in pair.columns and "name_b" in pair.columns:
        return str(pair["name_a"].iloc[0]), str(pair["name_b"].iloc[0])
    sides = []
    for side in ("a", "b"):
        part = pd.DataFrame({"plan_id": alignment[f"plan_{side}"].astype(str)})
        if f"municipality_{side}" in alignment.columns:
            part["municipality"] = alignment[f"municipality_{side}"].fillna("").astype(str)
        if f"plan_type_{side}" in alignment.columns:
            activity = alignment[f"plan_type_{side}"].astype(str) == "地域福祉活動計画"
            part["author"] = np.where(activity, "社会福祉協議会", "")
        for column in ("author", "edition"):
            if f"{column}_{side}" in alignment.columns:
                part[column] = alignment[f"{column}_{side}"].fillna("").astype(str)
        sides.append(part)
    plans = pd.concat(sides, ignore_index=True).drop_duplicates("plan_id").reset_index(drop=True)
    names = dict(zip(plans["plan_id"], plan_names(plans), strict=True))
    return names[str(pair["plan_a"].iloc[0])], names[str(pair["plan_b"].iloc[0])]
