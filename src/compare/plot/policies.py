"""The policy matrix: which plan has a goal (or a policy) about which theme."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from compare.plot._style import japanese_rc, new_axes, require, wrap
from compare.plot.labels import table_names

_REQUIRED = ["plan_id", "theme_id", "label", "n_goals", "n_policies", "titles"]
_GOAL = "#2f6f9f"
_POLICY = "#b9d3e6"
_NONE = "#f4f4f4"


def plot_policy_matrix(
    matrix: pd.DataFrame,
    *,
    title_chars: int = 9,
    drop_empty: bool = True,
    ax: Any = None,
) -> Any:
    """Plans (rows) by themes (columns); a cell names the plan's goal about the theme.

    Dark cells: a goal of the plan is about the theme; light cells: only a
    policy below one of its goals is; empty cells: neither.  The cell shows
    the first goal title (wrapped, never cut), and "+n" when more goals are
    about the theme; all the titles are in the table.

    Parameters
    ----------
    matrix : pandas.DataFrame
        The table returned by :func:`compare.stat_policy_matrix`.
    title_chars : int
        Goal titles are wrapped at about this many characters a line; rows
        grow taller for titles that need many lines.
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
    names = table_names(first)
    texts = {
        (plan, theme): _cell_text(cells.loc[(plan, theme)], title_chars)
        for plan in plans
        for theme in themes
    }
    lines = max((t.count("\n") + 1 for t in texts.values()), default=1)
    with japanese_rc():
        row_height = max(0.75, 0.25 + 0.11 * lines)
        ax = new_axes(ax, (1.0 + 1.05 * len(themes), 1.0 + row_height * len(plans)))
        for i, plan in enumerate(plans):
            for j, theme in enumerate(themes):
                _cell(ax, i, j, cells.loc[(plan, theme)], texts[(plan, theme)])
        ax.set_xlim(-0.5, len(themes) - 0.5)
        ax.set_ylim(len(plans) - 0.5, -0.5)
        ax.set_xticks(np.arange(len(themes)))
        ax.set_xticklabels([wrap(labels.get(t, t), 7) for t in themes], fontsize=7)
        ax.xaxis.tick_top()
        ax.set_yticks(np.arange(len(plans)))
        ax.set_yticklabels(names)
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=0)
    return ax


def _cell_text(row: pd.Series, title_chars: int) -> str:
    """The first goal title, wrapped, and "+n" for the other goals about the theme."""
    titles = [t for t in str(row["titles"]).split("／") if t]
    if not titles:
        return ""
    text = wrap(titles[0], title_chars)
    return text + (f" +{len(titles) - 1}" if len(titles) > 1 else "")


def _cell(ax: Any, i: int, j: int, row: pd.Series, text: str) -> None:
    from matplotlib.patches import Rectangle

    n_goals, n_policies = int(row["n_goals"]), int(row["n_policies"])
    colour = _GOAL if n_goals else _POLICY if n_policies else _NONE
    ax.add_patch(Rectangle((j - 0.47, i - 0.45), 0.94, 0.9, facecolor=colour, edgecolor="white"))
    if not text:
        return
    ax.text(
        j,
        i,
        text,
        ha="center",
        va="center",
        fontsize=6,
        color="white" if n_goals else "#1f2328",
    )
