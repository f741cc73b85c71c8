"""Co-occurrence network drawn with networkx, nodes coloured by community."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import patheffects

from compare.errors import AnalysisError
from compare.plot._style import FONT_FAMILY, japanese_rc, new_axes, require

#: Qualitative colours for communities 1…10; later communities are grey.
COMMUNITY_COLOURS = (
    "#8dd3c7",
    "#fdb462",
    "#bebada",
    "#fb8072",
    "#80b1d3",
    "#b3de69",
    "#fccde5",
    "#ffed6f",
    "#bc80bd",
    "#ccebc5",
)


def plot_network(
    network: Any,
    *,
    seed: int = 0,
    layout: str = "spring",
    max_nodes: int = 80,
    ax: Any = None,
) -> Any:
    """Draw a co-occurrence network: node size by frequency, colour by community.

    Parameters
    ----------
    network : CooccurrenceNetwork or tuple of (nodes, edges) DataFrames
        The result of :func:`compare.stat_cooccurrence`.
    seed : int
        Seed of the layout; the same seed gives the same picture.
    layout : {"spring", "kamada_kawai"}
        Layout of each connected component (components are packed in rows,
        the largest first).
    max_nodes : int
        Keep only the edges among the ``max_nodes`` most frequent words.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    nodes, edges = _tables(network)
    require(nodes, ["word", "frequency", "community"], "plot_network (nodes)")
    require(edges, ["word_a", "word_b", "jaccard"], "plot_network (edges)")
    if edges.empty:
        raise AnalysisError("The network has no edges to draw; lower the edge criteria.")
    if len(nodes) > max_nodes:
        keep = set(
            nodes.sort_values(["frequency", "word"], ascending=[False, True], kind="stable").head(
                max_nodes
            )["word"]
        )
        edges = edges[edges["word_a"].isin(keep) & edges["word_b"].isin(keep)]
    graph = nx.Graph()
    used = set(edges["word_a"]) | set(edges["word_b"])
    nodes = nodes[nodes["word"].isin(used)].reset_index(drop=True)
    for row in nodes.itertuples(index=False):
        graph.add_node(row.word)
    for row in edges.itertuples(index=False):
        graph.add_edge(row.word_a, row.word_b, weight=float(row.jaccard))
    positions = _layout(graph, layout, seed)
    frequency = nodes.set_index("word")["frequency"].astype(float)
    size = 60 + 520 * np.sqrt(frequency / frequency.max())
    colours = [_colour(c) for c in nodes["community"]]
    weights = np.array([graph.edges[e]["weight"] for e in graph.edges])
    widths = 0.6 + 3.0 * (weights - weights.min()) / max(np.ptp(weights), 1e-9)
    with japanese_rc():
        ax = new_axes(ax, (8.0, 6.5))
        nx.draw_networkx_edges(
            graph, positions, ax=ax, width=widths, edge_color="#9e9e9e", alpha=0.6
        )
        nx.draw_networkx_nodes(
            graph,
            positions,
            nodelist=list(nodes["word"]),
            node_size=size[nodes["word"]].to_numpy(),
            node_color=colours,
            edgecolors="#555555",
            linewidths=0.5,
            ax=ax,
        )
        labels = nx.draw_networkx_labels(
            graph, positions, ax=ax, font_size=8, font_family=FONT_FAMILY
        )
        for text in labels.values():
            # A white halo keeps labels legible where they cross edges or nodes.
            text.set_path_effects([patheffects.withStroke(linewidth=2.2, foreground="white")])
        ax.set_axis_off()
        ax.margins(0.06)
        ax.set_aspect("equal")
        _legend(ax, nodes)
    return ax


def _tables(network: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    if hasattr(network, "nodes") and hasattr(network, "edges"):
        return network.nodes, network.edges
    if isinstance(network, tuple) and len(network) == 2:
        return network
    raise AnalysisError(
        "plot_network expects the result of stat_cooccurrence (or a (nodes, edges) tuple), "
        f"got {type(network).__name__}."
    )


def _layout(graph: nx.Graph, layout: str, seed: int) -> dict:
    """Lay out each connected component on its own and pack them in rows.

    A co-occurrence network of plans is often several separate clusters; a
    single spring layout squeezes each of them into a clump on a ring.  Here
    every component gets room in proportion to its size, the largest first.
    """
    if layout not in ("spring", "kamada_kawai"):
        raise AnalysisError(f"Unknown layout={layout!r}; use 'spring' or 'kamada_kawai'.")
    components = sorted(
        (sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0])
    )
    placed = []
    for nodes in components:
        # A fresh graph with sorted nodes and edges: graph.subgraph iterates a set,
        # whose order (and so the layout) would depend on the hash seed.
        sub = nx.Graph()
        sub.add_nodes_from(nodes)
        sub.add_edges_from(sorted(tuple(sorted(edge)) for edge in graph.subgraph(nodes).edges()))
        if len(nodes) == 1:
            local = {nodes[0]: np.zeros(2)}
        elif len(nodes) == 2:
            local = {nodes[0]: np.array([-1.0, 0.0]), nodes[1]: np.array([1.0, 0.0])}
        elif layout == "kamada_kawai":
            local = nx.kamada_kawai_layout(sub, weight=None)
        else:
            # Start from the (deterministic) Kamada-Kawai layout, which spaces nodes evenly.
            start = nx.kamada_kawai_layout(sub, weight=None)
            local = nx.spring_layout(
                sub, pos=start, seed=seed, k=1.2 / np.sqrt(len(nodes)), iterations=50, weight=None
            )
        radius = 1.1 * np.sqrt(len(nodes)) if len(nodes) > 2 else 1.1
        coords = np.array([local[n] for n in nodes], dtype=float)
        coords -= coords.mean(axis=0)
        extent = np.abs(coords).max() or 1.0
        coords *= radius / extent
        placed.append((nodes, coords, radius))
    return _pack(placed)


def _pack(placed: list) -> dict:
    """Shelf packing: components left to right, new row when the row is full."""
    total = sum((2 * r + 1.4) ** 2 for _, _, r in placed)  # area of the boxes
    row_width = max(np.sqrt(total) * 1.35, max(2 * r + 1.4 for _, _, r in placed))
    positions: dict = {}
    x = y = row_height = 0.0
    for nodes, coords, radius in placed:
        size = 2 * radius + 1.4
        if x > 0 and x + size > row_width:
            x, y = 0.0, y - row_height
            row_height = 0.0
        centre = np.array([x + size / 2, y - size / 2])
        for node, point in zip(nodes, coords, strict=True):
            positions[node] = point + centre
        x += size
        row_height = max(row_height, size)
    return positions


def _colour(community: object) -> str:
    try:
        index = int(community) - 1
    except (TypeError, ValueError):
        return "#dddddd"
    return COMMUNITY_COLOURS[index] if 0 <= index < len(COMMUNITY_COLOURS) else "#dddddd"


def _legend(ax: Any, nodes: pd.DataFrame) -> None:
    from matplotlib.lines import Line2D

    communities = sorted({int(c) for c in nodes["community"]})[: len(COMMUNITY_COLOURS)]
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=7,
            markerfacecolor=_colour(c),
            markeredgecolor="#555555",
            label=f"グループ {c}",
        )
        for c in communities
    ]
    if len(handles) > 1:
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            fontsize=7,
            frameon=False,
            ncols=min(len(handles), 5),
        )
