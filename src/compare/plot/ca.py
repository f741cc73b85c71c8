"""Correspondence-analysis biplot with labels that do not overlap."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib import patheffects

from compare.errors import AnalysisError
from compare.plot._repel import separate
from compare.plot._style import (
    FONT_FAMILY,
    NEGATIVE,
    POSITIVE,
    bold,
    japanese_rc,
    new_axes,
    require,
)
from compare.plot.labels import table_names


def plot_ca(
    ca: Any,
    *,
    dims: tuple[int, int] = (1, 2),
    max_rows: int = 30,
    max_columns: int = 40,
    label_columns: int = 15,
    adjust: bool = True,
    ax: Any = None,
) -> Any:
    """Biplot of a correspondence analysis: words (rows) and groups (columns).

    Parameters
    ----------
    ca : CorrespondenceAnalysis
        The result of :func:`compare.stat_ca` (``rows``, ``columns`` and
        ``inertia`` tables).
    dims : tuple of int
        The two dimensions drawn (1-based).
    max_rows, max_columns : int
        Only the points contributing most to the plane of ``dims`` are drawn
        and labelled (the tables keep all of them).
    label_columns : int
        Of the groups drawn, only the ``label_columns`` contributing most are
        named, so that many plans do not bury the plot in labels.
    adjust : bool
        Move labels apart with adjustText so that none overlaps another.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    for part in ("rows", "columns", "inertia"):
        if not hasattr(ca, part):
            raise AnalysisError(
                f"plot_ca expects the result of stat_ca (with .{part}), got {type(ca).__name__}."
            )
    d1, d2 = dims
    x, y = f"dim{d1}", f"dim{d2}"
    require(ca.rows, ["label", x], "plot_ca (rows)")
    if y not in ca.rows.columns:
        raise AnalysisError(
            f"The analysis has no dimension {d2}; it has only one (a table with two rows or two "
            "columns). Use more groups, or compute stat_ca with n_components >= 2."
        )
    inertia = (
        ca.inertia.set_index("dim")["share"] if "share" in ca.inertia else pd.Series(dtype=float)
    )
    rows = _top(ca.rows, d1, d2, inertia, max_rows)
    # Names from every group, so two plans of one municipality differ even if one is not drawn.
    every = ca.columns
    named = "municipality" in every or "name" in every
    by_label = dict(
        zip(
            every["label"].astype(str),
            table_names(every) if named else every["label"].astype(str),
            strict=True,
        )
    )
    columns = _top(every, d1, d2, inertia, max_columns)
    column_names = [by_label[str(label)] for label in columns["label"]]
    with japanese_rc():
        ax = new_axes(ax, (7.5, 6.5))
        ax.axhline(0, color="#bbbbbb", linewidth=0.6, zorder=0)
        ax.axvline(0, color="#bbbbbb", linewidth=0.6, zorder=0)
        ax.scatter(rows[x], rows[y], s=14, color=NEGATIVE, alpha=0.7, linewidths=0, zorder=2)
        ax.scatter(columns[x], columns[y], s=60, marker="s", color=POSITIVE, zorder=3)
        texts = [
            ax.text(px, py, str(label), fontsize=7.5, color="#1a3d6b", family=FONT_FAMILY, zorder=4)
            for px, py, label in zip(rows[x], rows[y], rows["label"], strict=True)
        ]
        # With many groups only the most contributing ones are named (columns are in
        # order of contribution); the others stay as unlabelled squares.
        texts += [
            ax.text(px, py, name, fontsize=9.5, family=FONT_FAMILY, zorder=5, **bold(POSITIVE, 0.6))
            for px, py, name in list(zip(columns[x], columns[y], column_names, strict=True))[
                :label_columns
            ]
        ]
        _pad_limits(ax, pd.concat([rows[[x, y]], columns[[x, y]]]), x, y)
        # Axis labels first: they change the layout, and labels are placed at the final scale.
        ax.set_xlabel(_axis_label(d1, inertia))
        ax.set_ylabel(_axis_label(d2, inertia))
        _off_markers(ax, texts, len(rows))
        if adjust and texts:
            points = pd.concat([rows[[x, y]], columns[[x, y]]])
            _adjust(ax, texts, points[x].to_numpy(float), points[y].to_numpy(float))
            squares = columns[[x, y]].to_numpy(float)
            _separate_texts(ax, texts, squares)
        halo = [patheffects.withStroke(linewidth=2.0, foreground="white")]
        for text in texts:
            text.set_path_effects(halo + list(text.get_path_effects()))
    return ax


def _top(points: pd.DataFrame, d1: int, d2: int, inertia: pd.Series, n: int) -> pd.DataFrame:
    """The ``n`` points contributing most to the plane, most first (ties by label)."""
    c1, c2 = f"ctr{d1}", f"ctr{d2}"
    if c1 in points and c2 in points:
        w1 = float(inertia.get(d1, 0.5))
        w2 = float(inertia.get(d2, 0.5))
        score = points[c1].astype(float) * w1 + points[c2].astype(float) * w2
    else:
        score = points[f"dim{d1}"].astype(float) ** 2 + points[f"dim{d2}"].astype(float) ** 2
    order = np.lexsort((points["label"].astype(str).to_numpy(), -score.to_numpy()))
    return points.iloc[order[:n]].reset_index(drop=True)


def _axis_label(dim: int, inertia: pd.Series) -> str:
    share = inertia.get(dim)
    return f"第{dim}次元" + (f"（{float(share) * 100:.1f}%）" if share is not None else "")


def _pad_limits(ax: Any, points: pd.DataFrame, x: str, y: str) -> None:
    for axis, column in ((ax.set_xlim, x), (ax.set_ylim, y)):
        low, high = float(points[column].min()), float(points[column].max())
        span = max(high - low, 1e-6)
        axis(low - 0.12 * span, high + 0.12 * span)


def _off_markers(ax: Any, texts: list, n_rows: int) -> None:
    """Start each label just above and right of its marker instead of on it."""
    ax.figure.draw_without_rendering()
    to_data = ax.transData.inverted()
    for index, text in enumerate(texts):
        radius_pt = (np.sqrt(60) if index >= n_rows else np.sqrt(14)) / 2 + 1.5
        shift = radius_pt * ax.figure.dpi / 72.0
        x, y = text.get_position()
        origin = ax.transData.transform((x, y))
        text.set_position(tuple(to_data.transform(origin + shift)))


def _separate_texts(ax: Any, texts: list, squares: np.ndarray, rounds: int = 8) -> None:
    """Last, deterministic passes that part labels adjustText left touching.

    Labels are also moved off the groups' square markers (which stay put).
    Moving a label can change the figure's layout (and so the scale), so the
    pass repeats until no label moves.
    """
    for _ in range(rounds):
        if not _separate_once(ax, texts, squares):
            break


def _separate_once(ax: Any, texts: list, squares: np.ndarray) -> bool:
    ax.figure.draw_without_rendering()
    renderer = ax.figure.canvas.get_renderer()
    to_data = ax.transData.inverted()
    corners = []
    for text in texts:
        box = text.get_window_extent(renderer)
        corners.append(to_data.transform([[box.x0, box.y0], [box.x1, box.y1]]))
    corners_array = np.array(corners)
    centres = corners_array.mean(axis=1)
    sizes = np.abs(corners_array[:, 1] - corners_array[:, 0])
    # A square marker of 60 pt² (side about 7.7 pt) with a point of room around it.
    side = (np.sqrt(60) + 2.0) * ax.figure.dpi / 72.0
    origin = to_data.transform([[0.0, 0.0], [side, side]])
    square = np.abs(origin[1] - origin[0])
    every = np.vstack([centres, squares.reshape(-1, 2)])
    every_sizes = np.vstack([sizes, np.tile(square, (len(squares), 1))])
    fixed = np.r_[np.zeros(len(centres), dtype=bool), np.ones(len(squares), dtype=bool)]
    gap = float(sizes[:, 1].min()) * 0.05 if len(sizes) else 0.0
    moved = separate(every, every_sizes, gap=gap, fixed=fixed)[: len(centres)]
    for text, before, after in zip(texts, centres, moved, strict=True):
        if not np.array_equal(before, after):
            x, y = text.get_position()
            text.set_position((x + after[0] - before[0], y + after[1] - before[1]))
    return not np.array_equal(centres, moved)


def _adjust(ax: Any, texts: list, x: np.ndarray, y: np.ndarray) -> None:
    """Move labels apart and off the points (adjustText), joining moved labels to their point."""
    from adjustText import adjust_text

    # adjustText shifts labels that start at the same place at random (numpy's global
    # generator): a fixed seed, restored afterwards, keeps the figure identical.
    state = np.random.get_state()
    np.random.seed(0)
    try:
        _adjust_text(adjust_text, ax, texts, x, y)
    finally:
        np.random.set_state(state)


def _adjust_text(adjust_text: Any, ax: Any, texts: list, x: np.ndarray, y: np.ndarray) -> None:
    adjust_text(
        texts,
        x=x,
        y=y,
        ax=ax,
        expand=(1.2, 1.4),
        arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.5},
        max_move=None,
        # A fixed number of iterations (not adjustText's default time limit) keeps the
        # figure identical from run to run.
        iter_lim=150,
        time_lim=None,
    )
