"""Theme comparison: a theme × plan heatmap of residuals and grouped bars of shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from compare.errors import AnalysisError
from compare.plot._style import (
    DIVERGING,
    grid_labels,
    japanese_rc,
    legend_columns,
    new_axes,
    require,
    wrap,
)
from compare.plot.labels import table_names
from compare.stats.themes import SHARE_COLUMNS, TEST_COLUMNS

#: Columns of stat_theme_test / stat_theme_shares that are not the grouping.
_KNOWN = set(SHARE_COLUMNS) | set(TEST_COLUMNS)

#: Residual beyond which a cell is marked (two-sided 5 % of a standard normal).
RESIDUAL_MARK = 1.96

#: Colours of up to ten groups in grouped bars.
GROUP_COLOURS = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)


def plot_theme_heatmap(
    test: pd.DataFrame,
    *,
    by: str | None = None,
    names: Mapping[str, str] | None = None,
    max_groups: int = 30,
    alpha: float = 0.05,
    clip: float = 4.0,
    ax: Any = None,
) -> Any:
    """Theme × plan (or municipality) heatmap: residuals as colour, shares as numbers.

    Red cells: the group codes the theme in more of its segments than
    independence predicts (adjusted standardised residual > 0), blue fewer.
    ▲ (▼) marks a residual of at least 1.96 (at most -1.96) in a theme
    whose test across groups is significant at ``alpha`` after the
    Benjamini–Hochberg adjustment, so a mark always agrees with the
    corrected test beside it (and survives grey-scale printing); a theme
    name ends with ``*`` (``**``) when that test is significant at
    ``alpha`` (``alpha / 5``).

    Parameters
    ----------
    test : pandas.DataFrame
        The table returned by :func:`compare.stat_theme_test`.
    by : str, optional
        The grouping column (detected when omitted).
    names : mapping, optional
        Display names of the groups (e.g. plan_id → municipality).
    max_groups : int
        With more groups, only the ``max_groups`` groups with the largest
        absolute residual are drawn (in table order); the table keeps all.
    alpha : float
        Significance level of the theme test.
    clip : float
        Colour scale limit for the residuals (larger values get the end colour).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    require(test, ["theme_id", "label", "share", "adj_residual"], "plot_theme_heatmap")
    by = by or _group_column(test)
    names = names or _own_names(test, by)
    groups = _chosen_groups(test, by, max_groups)
    themes = list(dict.fromkeys(test["theme_id"]))
    labels = dict(zip(test["theme_id"], test["label"], strict=False))
    frame = test[test[by].astype(str).isin(groups)]
    residual = _grid(frame, by, "adj_residual", themes, groups)
    share = _grid(frame, by, "share", themes, groups)
    p_column = "p_adjusted" if "p_adjusted" in test.columns else "p_value"
    p_values = (
        test.drop_duplicates("theme_id").set_index("theme_id")[p_column]
        if p_column in test.columns
        else pd.Series(dtype=float)
    )
    row_labels = [_theme_label(labels[t], p_values.get(t), alpha) for t in themes]
    # A cell mark needs the theme's corrected test to hold (no p-value column: marks as before).
    marked = [p_values.empty or bool(p_values.get(t, 1.0) < alpha) for t in themes]
    col_labels = [wrap((names or {}).get(g, g), 7) for g in groups]
    n_rows, n_cols = len(themes), len(groups)
    with japanese_rc():
        ax = new_axes(ax, (min(2.6 + 0.78 * n_cols, 13.0), 1.4 + 0.36 * n_rows))
        shown = np.clip(np.nan_to_num(residual, nan=0.0), -clip, clip)
        image = ax.imshow(
            shown, cmap=DIVERGING, vmin=-clip, vmax=clip, aspect="auto", interpolation="nearest"
        )
        small = n_cols > 16
        for i in range(n_rows):
            for j in range(n_cols):
                value = share[i, j]
                if not np.isfinite(value):
                    continue
                strong = abs(shown[i, j]) > clip * 0.55
                ax.text(
                    j,
                    i,
                    _percent(value) + (_mark(residual[i, j]) if marked[i] else ""),
                    ha="center",
                    va="center",
                    fontsize=6 if small else 7.5,
                    color="white" if strong else "#222222",
                )
        grid_labels(ax, col_labels, row_labels, angle=40, slanted_above=4)
        ax.tick_params(length=0)
        if small:
            ax.tick_params(axis="x", labelsize=6.5)
        for spine in ax.spines.values():
            spine.set_visible(False)
        colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.6, pad=0.015, aspect=25)
        colorbar.set_label("調整済み残差", fontsize=8)
        colorbar.ax.tick_params(labelsize=7)
        total = test[by].astype(str).nunique()
        note = (
            "数字: 該当段落の割合　▲▼: 差が有意なテーマ（*）で残差 ≥ 1.96 / ≤ −1.96"
            "（他より多い / 少ない）\n"
            "色: 調整済み残差（補正前）、赤 = 多い、青 = 少ない　テーマ名の * p < .05、** p < .01"
            "（BH 補正）"
        )
        if total > n_cols:
            note = f"残差の大きい {n_cols} / {total} 件を表示　" + note
        ax.set_xlabel(note, fontsize=7.5, color="#555555")
    return ax


def plot_theme_shares(
    shares: pd.DataFrame,
    *,
    by: str | None = None,
    value: str = "share",
    names: Mapping[str, str] | None = None,
    themes: Sequence[str] | None = None,
    max_groups: int = 8,
    ax: Any = None,
) -> Any:
    """Theme shares by plan (or municipality …) as grouped horizontal bars.

    With more than ``max_groups`` groups, bars would be unreadable; each
    group is then a dot on the theme's row, with the median marked, so the
    spread across many plans shows at a glance.

    Parameters
    ----------
    shares : pandas.DataFrame
        The table returned by :func:`compare.stat_theme_shares` (or
        :func:`compare.stat_theme_test`).
    by : str, optional
        The grouping column (detected when omitted).
    value : {"share", "per_1000_tokens"}
        Share of segments (shown as %) or coded segments per 1,000 tokens.
    names : mapping, optional
        Display names of the groups.
    themes : list of str, optional
        Theme ids to draw, in this order (default: all, table order).
    max_groups : int
        Most groups drawn as bars.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    require(shares, ["theme_id", "label", value], "plot_theme_shares")
    by = by or _group_column(shares)
    names = names or _own_names(shares, by)
    order = list(themes) if themes is not None else list(dict.fromkeys(shares["theme_id"]))
    unknown = [t for t in order if t not in set(shares["theme_id"])]
    if unknown:
        raise AnalysisError(f"Theme(s) {', '.join(unknown)} not in the table.")
    labels = dict(zip(shares["theme_id"], shares["label"], strict=False))
    groups = list(dict.fromkeys(shares[by].astype(str)))
    grid = _grid(shares, by, value, order, groups)
    scale = 100.0 if value == "share" else 1.0
    grid = grid * scale
    n_themes, n_groups = len(order), len(groups)
    with japanese_rc():
        if n_groups <= max_groups:
            ax = new_axes(ax, (7.5, 1.1 + n_themes * (0.055 * n_groups + 0.1)))
            _bars(ax, grid, groups, names)
        else:
            ax = new_axes(ax, (7.5, 1.0 + 0.38 * n_themes))
            _strip(ax, grid, n_groups)
        ax.set_yticks(range(n_themes), [labels[t] for t in order])
        ax.set_ylim(n_themes - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(
            "該当する段落の割合（%）" if value == "share" else "1,000 語あたりの該当段落数"
        )
        ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
    return ax


def _own_names(table: pd.DataFrame, by: str) -> dict[str, str] | None:
    """Display names from the table itself: its ``name`` column, or the plans' catalogue labels."""
    if by != "plan_id" or by not in table.columns:
        return None
    first = table.drop_duplicates(by).reset_index(drop=True)
    if "name" not in first.columns and "municipality" not in first.columns:
        return None
    return dict(zip(first[by].astype(str), table_names(first), strict=True))


def _bars(ax: Any, grid: np.ndarray, groups: list[str], names: Mapping[str, str] | None) -> None:
    n_themes, n_groups = grid.shape
    height = 0.8 / n_groups
    for j, group in enumerate(groups):
        offset = -0.4 + height * (j + 0.5)
        ax.barh(
            np.arange(n_themes) + offset,
            np.nan_to_num(grid[:, j]),
            height=height * 0.92,
            color=GROUP_COLOURS[j % len(GROUP_COLOURS)],
            label=str((names or {}).get(group, group)),
        )
    for boundary in np.arange(n_themes - 1) + 0.5:
        ax.axhline(boundary, color="#eeeeee", linewidth=0.6, zorder=0)
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=legend_columns(n_groups),
        fontsize=7.5,
        frameon=False,
        handlelength=1.2,
        columnspacing=1.2,
    )


def _strip(ax: Any, grid: np.ndarray, n_groups: int) -> None:
    n_themes = grid.shape[0]
    for i in range(n_themes):
        values = grid[i][np.isfinite(grid[i])]
        # Deterministic vertical spread: each group keeps its own offset.
        offsets = (np.arange(len(values)) % 7 - 3) * 0.06
        ax.scatter(
            values,
            np.full(len(values), i) + offsets,
            s=9,
            color="#4e79a7",
            alpha=0.55,
            linewidths=0,
        )
        if len(values):
            ax.plot([np.median(values)] * 2, [i - 0.3, i + 0.3], color="#e15759", linewidth=2)
    ax.set_title(f"{n_groups} 件の分布（点: 各計画、赤線: 中央値）", fontsize=9, loc="left")


def _group_column(table: pd.DataFrame) -> str:
    candidates = [c for c in table.columns if c not in _KNOWN]
    if not candidates:
        raise AnalysisError(
            "Cannot tell the grouping column of the table; pass by= (e.g. 'plan_id')."
        )
    return candidates[0]


def _chosen_groups(test: pd.DataFrame, by: str, max_groups: int) -> list[str]:
    groups = list(dict.fromkeys(test[by].astype(str)))
    if len(groups) <= max_groups:
        return groups
    strength = (
        test.assign(_abs=test["adj_residual"].abs(), _group=test[by].astype(str))
        .groupby("_group", sort=False)["_abs"]
        .max()
    )
    ranked = sorted(
        groups, key=lambda g: (-float(np.nan_to_num(strength.get(g, 0.0))), groups.index(g))
    )
    keep = set(ranked[:max_groups])
    return [g for g in groups if g in keep]


def _grid(
    frame: pd.DataFrame, by: str, value: str, themes: list[str], groups: list[str]
) -> np.ndarray:
    table = frame.assign(_group=frame[by].astype(str)).pivot_table(
        index="theme_id", columns="_group", values=value, aggfunc="first", dropna=False
    )
    return table.reindex(index=themes, columns=groups).to_numpy(dtype=float)


def _theme_label(label: str, p_value: object, alpha: float) -> str:
    try:
        p = float(p_value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(label)
    if not np.isfinite(p):
        return str(label)
    stars = "**" if p < alpha / 5 else "*" if p < alpha else ""
    return f"{label} {stars}".strip()


def _percent(value: float) -> str:
    percent = value * 100
    return f"{percent:.0f}%" if percent >= 9.5 or percent == 0 else f"{percent:.1f}%"


def _mark(residual: float) -> str:
    """▲ / ▼ for a cell whose adjusted residual is beyond ±1.96."""
    if not np.isfinite(residual) or abs(residual) < RESIDUAL_MARK:
        return ""
    return "▲" if residual > 0 else "▼"
