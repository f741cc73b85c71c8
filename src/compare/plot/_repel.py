"""Deterministic separation of overlapping labels (no randomness, no time limit).

Labels are boxes in data units.  Each pass takes the overlapping pairs in a
fixed order and pushes the two boxes apart along the axis that needs the
shorter move, half each; passes repeat until no pair overlaps.  The same
input gives the same positions to the last bit, so figures stay identical
from run to run.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def separate(
    centres: np.ndarray,
    sizes: np.ndarray,
    *,
    gap: float = 0.0,
    passes: int = 400,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Move boxes (``centres`` and full ``sizes``, n x 2) until none overlaps another.

    ``gap`` is extra room kept between two boxes.  Boxes marked in ``fixed``
    (obstacles such as markers) never move: a box overlapping one moves the
    whole way itself.  Returns the new centres; boxes that overlap nothing do
    not move.
    """
    centres = np.array(centres, dtype=float, copy=True)
    sizes = np.asarray(sizes, dtype=float) + gap
    n = len(centres)
    still = np.zeros(n, dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool)
    for _ in range(passes):
        moved = False
        for i in range(n):
            for j in range(i + 1, n):
                if still[i] and still[j]:
                    continue
                delta = centres[j] - centres[i]
                need = (sizes[i] + sizes[j]) / 2.0 - np.abs(delta)
                if need[0] <= 0 or need[1] <= 0:
                    continue
                # The axis that needs the shorter move; j goes the way it already lies
                # from i (up or right when they coincide).
                axis = 0 if need[0] < need[1] else 1
                sign = -1.0 if delta[axis] < 0 else 1.0
                share_i = 0.0 if still[i] else 1.0 if still[j] else 0.5
                centres[i, axis] -= sign * (need[axis] * share_i + 1e-9 * (not still[i]))
                centres[j, axis] += sign * (need[axis] * (1.0 - share_i) + 1e-9 * (not still[j]))
                moved = True
        if not moved:
            break
    return centres


def text_boxes(ax: Any, texts: list, pad_points: float = 1.0) -> np.ndarray:
    """Width and height in data units of each text's bounding box (drawn with a small pad)."""
    figure = ax.figure
    renderer = figure.canvas.get_renderer()
    inverse = ax.transData.inverted()
    pad = pad_points * figure.dpi / 72.0
    sizes = []
    for text in texts:
        box = text.get_window_extent(renderer).padded(pad)
        (x0, y0), (x1, y1) = inverse.transform([[box.x0, box.y0], [box.x1, box.y1]])
        sizes.append((abs(x1 - x0), abs(y1 - y0)))
    return np.array(sizes, dtype=float).reshape(-1, 2)
