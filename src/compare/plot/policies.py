"""The policy matrix: which plan has a goal (or a policy) about which theme."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pandas as pd

from compare.plot._style import japanese_rc, new_axes, require, shorten
from compare.plot.labels import plan_names

_REQUIRED = ["plan_id", "theme_id", "label", "n_goals", "n_policies", "titles"]
_GOAL = "#2f6f9f"
_POLICY = "#b9d3e6"
_NONE = "#f4f4f4"


def plot_policy_matrix(
    matrix: pd.DataFrame,
    *,
    title_chars: int = 12,
    drop_empty: bool = True,
    ax: Any = None,
) -> Any:
    """Plans (rows) by themes (columns); a cell names the plan's goal about the theme.

    Dark cells: a goal of the plan is about the theme; light cells: only a
    policy below one of its goals is; empty cells: neither.  The cell shows
    the first goal title (shortened), and "+n" when more goals are about the
    theme; the full titles are in the table.

    Parameters
    ----------
    matrix : pandas.DataFrame
        The table returned by :func:`compare.stat_policy_matrix`.
    title_chars : int
        Goal titles are cut to this many characters (two lines).
    drop_empty : bool
        Leave out themes no plan has a goal or policy about.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    require(matrix, _REQUIRED, "plot_policy_matrix")
    plans = list(dict.fromkeys(matrix["plan_id"]))
    themes = list(dict.fromkeys(matrix["theme_id"]))
    if drop_empty:
        used = matrix.loc[(matrix["n_goals"] + matrix["n_policies"]) > 0, "theme_id"]
        themes = [t for t in themes if t in set(used)] or themes
    cells = matrix.set_index(["plan_id", "theme_id"])
    labels = dict(zip(matrix["theme_id"], matrix["label"], strict=False))
    first = matrix.drop_duplicates("plan_id").set_index("plan_id").loc[plans].reset_index()
    names = plan_names(first)
    with japanese_rc():
        ax = new_axes(ax, (1.0 + 1.05 * len(themes), 1.0 + 0.75 * len(plans)))
        for i, plan in enumerate(plans):
            for j, theme in enumerate(themes):
                row = cells.loc[(plan, theme)]
                _cell(ax, i, j, row, title_chars)
        ax.set_xlim(-0.5, len(themes) - 0.5)
        ax.set_ylim(len(plans) - 0.5, -0.5)
        ax.set_xticks(np.arange(len(themes)))
        ax.set_xticklabels([textwrap.fill(str(labels.get(t, t)), 6) for t in themes], fontsize=7)
        ax.xaxis.tick_top()
        ax.set_yticks(np.arange(len(plans)))
        ax.set_yticklabels(names)
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=0)
    return ax


def _cell(ax: Any, i: int, j: int, row: pd.Series, title_chars: int) -> None:
    from matplotlib.patches import Rectangle

    n_goals, n_policies = int(row["n_goals"]), int(row["n_policies"])
    colour = _GOAL if n_goals else _POLICY if n_policies else _NONE
    ax.add_patch(Rectangle((j - 0.47, i - 0.45), 0.94, 0.9, facecolor=colour, edgecolor="white"))
    titles = [t for t in str(row["titles"]).split("／") if t]
    if not titles:
        return
    text = textwrap.fill(shorten(titles[0], title_chars), max(title_chars // 2, 1))
    if len(titles) > 1:
        text += f" +{len(titles) - 1}"
    ax.text(
        j,
        i,
        text,
        ha="center",
        va="center",
        fontsize=6,
        color="white" if n_goals else "#1f2328",
    )
