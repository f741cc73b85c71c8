"""Distinctive words (keyness) as horizontal bars."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from compare.errors import AnalysisError
from compare.plot._style import NEGATIVE, POSITIVE, japanese_rc, require, shorten
from compare.plot.labels import table_names

_STAT_LABELS = {
    "g2": "対数尤度比 G²（符号つき）",
    "chi2": "χ²（符号つき）",
    "log_ratio": "対数比 log₂（出現率の比）",
    "keyness": "特徴度",
}


def plot_keyness(
    keyness: pd.DataFrame,
    target: str | None = None,
    *,
    n: int = 10,
    stat: str = "keyness",
    negative: bool = False,
    max_panels: int = 12,
    ax: Any = None,
) -> Any:
    """Bars of the most distinctive words of a plan (or group) against the rest.

    Parameters
    ----------
    keyness : pandas.DataFrame
        The table returned by :func:`compare.stat_keyness`.
    target : str, optional
        Which target to draw (a value of the ``target`` column).  When the
        table holds several targets and neither ``target`` nor ``ax`` is
        given, one panel per target is drawn (at most ``max_panels``).
    n : int
        Number of over-used words per panel (and of under-used words when
        ``negative`` is true).
    stat : str
        Column giving bar length (``"keyness"``, ``"g2"``, ``"chi2"``, ``"log_ratio"``).
    negative : bool
        Also show the most under-used words (bars to the left).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes or numpy.ndarray of Axes
        One Axes for one target; an array (one per panel) for several.
    """
    require(keyness, ["target", "word", stat], "plot_keyness")
    targets = list(dict.fromkeys(keyness["target"].astype(str)))
    if not targets:
        raise AnalysisError("The keyness table is empty; nothing to draw.")
    if target is not None and target not in targets:
        raise AnalysisError(
            f"target={target!r} is not in the table; choose from {', '.join(targets)}."
        )
    if target is None and len(targets) > 1 and ax is None:
        return _panels(keyness, targets[:max_panels], n=n, stat=stat, negative=negative)
    if target is None:
        if len(targets) > 1:
            raise AnalysisError(
                f"The table holds {len(targets)} targets; pass target= one of {', '.join(targets)}."
            )
        target = targets[0]
    with japanese_rc():
        if ax is None:
            import matplotlib.pyplot as plt

            rows = n * (2 if negative else 1)
            _, ax = plt.subplots(figsize=(4.2, 0.8 + 0.24 * rows), layout="constrained")
        _draw(
            ax,
            keyness[keyness["target"].astype(str) == target],
            n=n,
            stat=stat,
            negative=negative,
            title=_title(keyness, target),
        )
    return ax


def _panels(keyness: pd.DataFrame, targets: list[str], *, n: int, stat: str, negative: bool) -> Any:
    import matplotlib.pyplot as plt

    columns = min(3, len(targets))
    rows = math.ceil(len(targets) / columns)
    bars = n * (2 if negative else 1)
    with japanese_rc():
        _, axes = plt.subplots(
            rows,
            columns,
            figsize=(3.4 * columns, (0.7 + 0.22 * bars) * rows),
            layout="constrained",
            squeeze=False,
        )
        tables = [keyness[keyness["target"].astype(str) == t] for t in targets]
        # One scale for every panel, so bar lengths compare across plans.
        shown = [_shown(t, n=n, stat=stat, negative=negative)[stat] for t in tables]
        values = pd.concat(shown).astype(float).to_numpy() if shown else np.zeros(0)
        limits = _limits(values)
        names = _titles(keyness, targets)
        for ax, table, name in zip(axes.flat, tables, names, strict=False):
            _draw(
                ax,
                table,
                n=n,
                stat=stat,
                negative=negative,
                title=name,
                limits=limits,
                shared=len(targets) > 1,
            )
        for ax in list(axes.flat)[len(targets) :]:
            ax.set_visible(False)
    return axes.ravel()[: len(targets)]


def _shown(table: pd.DataFrame, *, n: int, stat: str, negative: bool) -> pd.DataFrame:
    """The bars of one panel: the ``n`` most over-used words (and under-used ones)."""
    values = table[stat].astype(float)
    over = table[values > 0].sort_values(stat, ascending=False, kind="stable").head(n)
    parts = [over]
    if negative:
        under = table[values < 0].sort_values(stat, ascending=True, kind="stable").head(n)
        parts.append(under.iloc[::-1])
    return pd.concat(parts)


def _limits(x: np.ndarray) -> tuple[float, float]:
    """The x range of bars with values ``x``, with room for the counts beside them."""
    if not len(x):
        return 0.0, 1.0
    return min(0.0, float(x.min()) * 1.15), max(float(x.max()) * 1.15, 1e-9)


def _draw(
    ax: Any,
    table: pd.DataFrame,
    *,
    n: int,
    stat: str,
    negative: bool,
    title: str,
    limits: tuple[float, float] | None = None,
    shared: bool = False,
) -> None:
    shown = _shown(table, n=n, stat=stat, negative=negative)
    y = np.arange(len(shown))[::-1]
    x = shown[stat].astype(float).to_numpy()
    colours = [POSITIVE if v > 0 else NEGATIVE for v in x]
    ax.barh(y, x, color=colours, height=0.7)
    ax.set_yticks(y, [shorten(w, 14) for w in shown["word"]])
    ax.axvline(0, color="#666666", linewidth=0.6)
    limits = limits or _limits(x)
    if "count_target" in shown.columns:
        span = max(abs(limits[0]), abs(limits[1])) / 1.15
        for yy, xx, count in zip(y, x, shown["count_target"], strict=True):
            ax.text(
                xx + (0.02 * span if xx >= 0 else -0.02 * span),
                yy,
                f"{int(count)}",
                va="center",
                ha="left" if xx >= 0 else "right",
                fontsize=6.5,
                color="#555555",
            )
    ax.set_xlim(*limits)
    ax.set_title(title, fontsize=10, loc="left")
    label = _STAT_LABELS.get(stat, stat)
    ax.set_xlabel(label + ("\n全パネル共通の目盛り" if shared else ""), fontsize=8)
    ax.tick_params(axis="y", length=0, labelsize=8.5)
    if shown.empty:
        ax.text(0.5, 0.5, "特徴語なし", transform=ax.transAxes, ha="center", va="center")


def _titles(keyness: pd.DataFrame, targets: list[str]) -> list[str]:
    """Panel titles: the plans' display names, told apart when two would read the same."""
    first = keyness.drop_duplicates("target").set_index(
        keyness.drop_duplicates("target")["target"].astype(str)
    )
    rows = first.loc[targets].reset_index(drop=True)
    has_names = "name" in rows.columns or (
        "municipality" in rows.columns and rows["municipality"].notna().all()
    )
    return table_names(rows) if has_names else [shorten(t, 20) for t in targets]


def _title(keyness: pd.DataFrame, target: str) -> str:
    """The title of one panel: its plan's name among all the table's targets."""
    targets = list(dict.fromkeys(keyness["target"].astype(str)))
    return _titles(keyness, targets)[targets.index(target)]
