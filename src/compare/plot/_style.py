"""Fonts, sizes and colours shared by every figure.

Japanese must render on a fresh machine: the IPAexGothic font bundled with
``matplotlib-fontja`` is registered with matplotlib's font manager and every
``plot_*`` function draws inside :func:`japanese_rc`, so text it creates uses
that font even when a user's style changed the global settings.  DejaVu Sans
stays in the family list as a fallback for the few symbols IPAexGothic lacks.
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import matplotlib as mpl
from matplotlib import font_manager

#: The font every figure uses for Japanese text.
FONT_FAMILY = "IPAexGothic"

#: Families in order of preference (matplotlib falls back glyph by glyph).
FONT_FALLBACK = [FONT_FAMILY, "DejaVu Sans"]

#: Diverging colour map for signed values (residuals, log ratios).
DIVERGING = "RdBu_r"
#: Sequential colour map for values in [0, 1] (similarities).
SEQUENTIAL = "Blues"
#: Colour for positive / negative bars (over-/under-represented).
POSITIVE = "#b2182b"
NEGATIVE = "#2166ac"

_registered = False


def setup_fonts() -> str:
    """Register the bundled Japanese font and make it matplotlib's default.

    Importing :mod:`compare.plot` calls this once; call it again after
    ``matplotlib.rcdefaults()`` or a style change to restore Japanese text.

    Returns
    -------
    str
        The font family name (``"IPAexGothic"``).
    """
    global _registered
    if not _registered:
        import matplotlib_fontja

        font_manager.fontManager.addfont(matplotlib_fontja.get_font_ttf_path())
        _registered = True
    mpl.rcParams["font.family"] = FONT_FALLBACK
    mpl.rcParams["axes.unicode_minus"] = False
    mpl.rcParams["svg.hashsalt"] = "compare"
    return FONT_FAMILY


@contextlib.contextmanager
def japanese_rc(**extra: Any) -> Iterator[None]:
    """Context in which every new text artist uses the Japanese font."""
    setup_fonts()
    settings = {
        "font.family": FONT_FALLBACK,
        "axes.unicode_minus": False,
        "svg.hashsalt": "compare",
        "axes.titlesize": 11,
        "axes.labelsize": 9,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    settings.update(extra)
    # Resolve the backend before the context: a backend chosen lazily inside it
    # (Jupyter's inline backend switches interactive mode on) would have that
    # setting undone when the context restores rcParams, and later figures
    # would no longer display on their own.
    mpl.get_backend()
    with mpl.rc_context(settings):
        yield


def new_axes(ax: Any, size: tuple[float, float]) -> Any:
    """Return ``ax`` or, when it is None, the Axes of a new figure of ``size`` inches."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def shorten(text: object, width: int = 24) -> str:
    """Cut a label to ``width`` characters (Japanese characters count as one), adding '…'."""
    text = "" if text is None else str(text)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


#: Characters that may not open a line (Japanese line-breaking rules, JIS X 4051):
#: closing brackets, punctuation, prolonged sound mark and small kana.
NO_LINE_START = frozenset(
    "、。，．,.:;：；!?！？)]}）」』】〕〉》’”・ー…‥々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)
#: Characters that may not close a line: opening brackets and quotes.
NO_LINE_END = frozenset("([{（「『【〔〈《‘“")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,%'-]*|\s+|.", re.S)


def text_width(text: str) -> float:
    """Width of ``text`` in full-width characters (a narrow character counts as half)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def wrap(text: object, width: float = 12) -> str:
    """Break a label into lines of at most about ``width`` full-width characters.

    Japanese has no spaces between words, so lines break between any two
    characters, except where the Japanese line-breaking rules forbid it: no
    line starts with a closing bracket, punctuation or small kana (such a
    character stays at the end of the line before, which may then run one
    character over) and no line ends with an opening bracket.  Latin words
    and numbers are kept whole, and spaces at a break are dropped.  Nothing is
    cut: the whole text is kept, over as many lines as it needs, and the lines
    are made about equally long (no last line of a single character).
    """
    text = " ".join(("" if text is None else str(text)).split())
    lines = _greedy_lines(text, width)
    if len(lines) > 1:
        # The narrowest width that needs no more lines evens them out.
        target = math.ceil(text_width(text) / len(lines))
        while target < width:
            even = _greedy_lines(text, target)
            if len(even) <= len(lines):
                return "\n".join(even)
            target += 0.5
    return "\n".join(lines)


def _greedy_lines(text: str, width: float) -> list[str]:
    """Lines of at most ``width``, filled one after the other (see :func:`wrap`)."""
    lines: list[str] = []
    current = ""
    for unit in _WORD.findall(text):
        if current and text_width(current + unit.rstrip()) > width and not unit.isspace():
            if unit[0] in NO_LINE_START:
                current += unit  # hanging punctuation: it may not start the next line
                continue
            carried = ""
            while current and current[-1] in NO_LINE_END:
                current, carried = current[:-1], current[-1] + carried
            if current.strip():
                lines.append(current.rstrip())
                current = carried
            else:
                current += carried
        current = current + unit if current or not unit.isspace() else current
    if current.strip():
        lines.append(current.rstrip())
    return lines


def grid_labels(ax: Any, columns: Any, rows: Any, *, angle: float, slanted_above: int) -> None:
    """Label the columns and rows of a heatmap cell by cell; the column labels are
    slanted by ``angle`` (and right-aligned) when there are more than ``slanted_above``."""
    slanted = len(columns) > slanted_above
    ax.set_xticks(
        range(len(columns)),
        columns,
        rotation=angle if slanted else 0,
        ha="right" if slanted else "center",
        rotation_mode="anchor",
    )
    ax.set_yticks(range(len(rows)), rows)


def legend_columns(n: int, most: int = 6) -> int:
    """Columns of a legend of ``n`` entries: rows as even as they can be.

    At most ``most`` entries a row, and every row but the last full, so that
    no row holds a lone entry while the others hold many (5 entries: one row
    of 5, not 4 + 1; 7 entries: 4 + 3).
    """
    rows = max(1, -(-n // most))
    return max(1, -(-n // rows))


def require(frame: Any, columns: list[str] | tuple[str, ...], what: str) -> None:
    """Raise a clear error when a table lacks the columns a plot needs."""
    import pandas as pd

    from compare.errors import AnalysisError

    if not isinstance(frame, pd.DataFrame):
        raise AnalysisError(f"{what} expects a pandas DataFrame, got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(
            f"{what} needs column(s) {', '.join(map(repr, missing))}; pass the table returned "
            "by the matching stat_* function."
        )


def bold(colour: str = "#1f2328", width: float = 0.7) -> dict[str, Any]:
    """Text keywords for emphasis.

    IPAexGothic has a single weight, so ``fontweight="bold"`` would silently
    fall back to regular; a thin stroke in the text colour thickens it instead.
    """
    from matplotlib import patheffects

    return {
        "color": colour,
        "path_effects": [patheffects.withStroke(linewidth=width, foreground=colour)],
    }
