"""Figures: each ``plot_*`` function draws the table a ``stat_*`` function returned.

Every function accepts ``ax=`` (drawing on a new figure otherwise) and returns
the matplotlib Axes, so figures can be combined, restyled and saved by the
user.  Japanese text uses the IPAexGothic font bundled with
``matplotlib-fontja``; importing this module registers it.
"""

from __future__ import annotations

from compare.plot._style import FONT_FAMILY, japanese_rc, setup_fonts
from compare.plot.alignment import plot_goal_alignment
from compare.plot.ca import plot_ca
from compare.plot.keyness import plot_keyness
from compare.plot.network import plot_network
from compare.plot.outline import plot_outline
from compare.plot.policies import plot_policy_matrix
from compare.plot.similarity import plot_dendrogram, plot_similarity
from compare.plot.themes import plot_theme_heatmap, plot_theme_shares

__all__ = [
    "FONT_FAMILY",
    "japanese_rc",
    "plot_ca",
    "plot_dendrogram",
    "plot_goal_alignment",
    "plot_keyness",
    "plot_network",
    "plot_outline",
    "plot_policy_matrix",
    "plot_similarity",
    "plot_theme_heatmap",
    "plot_theme_shares",
    "setup_fonts",
]

setup_fonts()
