"""The heading tree of one plan, drawn as an indented outline."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from compare.errors import AnalysisError
from compare.plot._style import bold, japanese_rc, new_axes, require, shorten

#: Colours of heading levels 1, 2, 3, … (deeper levels reuse the last).
_LEVEL_COLOURS = ("#08306b", "#2171b5", "#4a4a4a", "#6b6b6b")


def plot_outline(
    segments: pd.DataFrame,
    plan_id: str | None = None,
    *,
    max_level: int | None = None,
    max_headings: int = 60,
    width: int = 40,
    ax: Any = None,
) -> Any:
    """Draw a plan's headings as an indented tree.

    Parameters
    ----------
    segments : pandas.DataFrame
        A SEGMENTS table (:func:`compare.read_corpus`), the table of
        :func:`compare.outline`, or any table with ``level`` (or ``depth``)
        and ``text`` columns (rows with ``kind`` other than ``'heading'`` are
        ignored).  Where the table has ``page_label`` (PDF sources), each
        heading's printed page is written at the right (``p. 23``).
    plan_id : str, optional
        The plan to draw; required when the table holds several plans.
    max_level : int, optional
        Draw headings down to this depth only (1 = chapters).
    max_headings : int
        At most this many headings are drawn; a last line says how many more
        the plan has (long plans stay legible).
    width : int
        Heading texts are cut to this many characters.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure sized to the outline otherwise.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if "level" not in segments.columns and "depth" in segments.columns:
        segments = segments.rename(columns={"depth": "level"})  # the outline() table
    require(segments, ["level", "text"], "plot_outline")
    headings = _headings(segments, plan_id)
    if max_level is not None:
        headings = headings[headings["level"] <= max_level]
    if headings.empty:
        raise AnalysisError(
            f"Plan {plan_id!r} has no headings to draw"
            + (f" at level <= {max_level}" if max_level is not None else "")
            + "; check its segmentation with compare.outline()."
        )
    hidden = max(len(headings) - max_headings, 0)
    headings = headings.iloc[:max_headings]
    # Indent by rank among the depths present, so a skipped depth adds no empty column.
    depths = headings["level"].to_numpy(dtype=int)
    levels = np.searchsorted(np.unique(depths), depths) + 1
    n_rows = len(headings) + (1 if hidden else 0)
    pages = _page_labels(headings)
    right = max(int(levels.max()), 1) + 9.5 + (1.6 if pages else 0.0)
    with japanese_rc():
        ax = new_axes(ax, (7.0, 0.6 + 0.24 * n_rows))
        _draw_connectors(ax, levels)
        for row, (level, text) in enumerate(zip(levels, headings["text"], strict=True)):
            colour = _LEVEL_COLOURS[min(level, len(_LEVEL_COLOURS)) - 1]
            emphasis = bold(colour, 0.5) if level == 1 else {"color": colour}
            ax.text(
                level - 1 + 0.15,
                -row,
                shorten(text, width),
                ha="left",
                va="center",
                fontsize=9 if level == 1 else 8.5,
                **emphasis,
            )
            ax.plot([level - 1], [-row], marker="o", markersize=3.5, color=colour)
            if pages and pages[row]:
                ax.text(
                    right - 0.1,
                    -row,
                    f"p. {pages[row]}",
                    ha="right",
                    va="center",
                    fontsize=7.5,
                    color="#6b6b6b",
                )
        if hidden:
            ax.text(
                0.15,
                -len(headings),
                f"… ほか {hidden} 見出し",
                ha="left",
                va="center",
                fontsize=8,
                color="#6b6b6b",
            )
        ax.set_xlim(-0.4, right)
        ax.set_ylim(-n_rows + 0.4, 0.7)
        ax.set_axis_off()
        title = _title(segments, headings)
        if title:
            ax.set_title(title, loc="left", fontsize=10)
    return ax


def _headings(segments: pd.DataFrame, plan_id: str | None) -> pd.DataFrame:
    frame = segments
    if "plan_id" in frame.columns:
        plans = list(dict.fromkeys(frame["plan_id"].astype(str)))
        if plan_id is None:
            if len(plans) > 1:
                raise AnalysisError(
                    f"The table holds {len(plans)} plans; pass plan_id= one of {', '.join(plans)}."
                )
        elif plan_id not in plans:
            raise AnalysisError(
                f"Plan {plan_id!r} is not in the table; choose from {', '.join(plans)}."
            )
        else:
            frame = frame[frame["plan_id"].astype(str) == plan_id]
    if "kind" in frame.columns:
        frame = frame[frame["kind"].astype(str) == "heading"]
    frame = frame[frame["level"].fillna(0).astype(int) >= 1]
    return frame.reset_index(drop=True)


def _page_labels(headings: pd.DataFrame) -> list[str]:
    """The printed page label of each heading, or ``[]`` when none has one (not a PDF)."""
    if "page_label" not in headings.columns:
        return []
    labels = ["" if pd.isna(v) else str(v) for v in headings["page_label"]]
    return labels if any(labels) else []


def _draw_connectors(ax: Any, levels: np.ndarray) -> None:
    """Elbow lines from each heading to its parent (the nearest shallower heading above)."""
    stack: list[int] = []  # rows of the current ancestors
    for row, level in enumerate(levels):
        while stack and levels[stack[-1]] >= level:
            stack.pop()
        if stack:
            parent = stack[-1]
            x_parent = levels[parent] - 1
            ax.plot(
                [x_parent, x_parent, level - 1],
                [-parent, -row, -row],
                color="#c0c0c0",
                linewidth=0.8,
                zorder=0,
            )
        stack.append(row)


def _title(segments: pd.DataFrame, headings: pd.DataFrame) -> str:
    parts = []
    for column in ("municipality", "title"):
        if column in headings.columns and len(headings):
            value = str(headings[column].iloc[0] or "")
            if value and value not in parts:
                parts.append(value)
    if not parts and "plan_id" in headings.columns and len(headings):
        parts.append(str(headings["plan_id"].iloc[0]))
    return shorten("　".join(parts), 50)
