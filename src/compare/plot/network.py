"""Co-occurrence network drawn with networkx, nodes coloured by community."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import patheffects

from compare.errors import AnalysisError
from compare.plot._repel import separate, text_boxes
from compare.plot._style import FONT_FAMILY, japanese_rc, legend_columns, new_axes, require

#: Qualitative colours for communities 1…10 (of three words or more); the others are grey.
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
    palette = _coloured(nodes)
    colours = [palette.get(int(c), OTHER_COLOUR) for c in nodes["community"]]
    weights = np.array([graph.edges[e]["weight"] for e in graph.edges])
    widths = 0.6 + 3.0 * (weights - weights.min()) / max(np.ptp(weights), 1e-9)
    with japanese_rc():
        ax = new_axes(ax, (8.0, 6.5))
        edge_art = nx.draw_networkx_edges(
            graph, positions, ax=ax, width=widths, edge_color="#9e9e9e", alpha=0.6
        )
        words = list(nodes["word"])
        node_art = nx.draw_networkx_nodes(
            graph,
            positions,
            nodelist=words,
            node_size=size[nodes["word"]].to_numpy(),
            node_color=colours,
            edgecolors="#555555",
            linewidths=0.5,
            ax=ax,
        )
        labels = nx.draw_networkx_labels(
            graph, positions, ax=ax, font_size=8, font_family=FONT_FAMILY, clip_on=False
        )
        for text in labels.values():
            # A white halo keeps labels legible where they cross edges or nodes.
            text.set_path_effects([patheffects.withStroke(linewidth=2.2, foreground="white")])
        ax.set_axis_off()
        ax.set_aspect("equal")
        _legend(ax, nodes, palette)
        _spread_labels(ax, graph, words, positions, labels, node_art, edge_art)
    return ax


def _spread_labels(
    ax: Any,
    graph: nx.Graph,
    words: list[str],
    positions: dict,
    labels: dict,
    node_art: Any,
    edge_art: Any,
    rounds: int = 12,
) -> None:
    """Move nodes apart until no two labels overlap, keeping the picture's shape.

    Labels sit on their nodes, so the nodes themselves move (edges follow):
    label boxes are measured in data units at the figure's final size and
    separated (:func:`compare.plot._repel.separate`); the axes limits then
    change, which changes the boxes, so this repeats until nothing moves.
    """
    points = np.array([positions[w] for w in words], dtype=float)
    texts = [labels[w] for w in words]
    sizes = np.zeros_like(points)
    for _ in range(rounds):
        _fit_limits(ax, points, sizes)
        ax.figure.draw_without_rendering()
        sizes = np.maximum(text_boxes(ax, texts, pad_points=1.5), _node_boxes(ax, node_art))
        moved = separate(points, sizes)
        if np.array_equal(moved, points):
            break
        points = moved
        where = dict(zip(words, points, strict=True))
        node_art.set_offsets(points)
        for word, text in zip(words, texts, strict=True):
            text.set_position(tuple(where[word]))
        if edge_art is not None and hasattr(edge_art, "set_segments"):
            edge_art.set_segments([(where[a], where[b]) for a, b in graph.edges()])
    _fit_limits(ax, points, sizes)


def _node_boxes(ax: Any, node_art: Any) -> np.ndarray:
    """Width and height in data units of each node's circle (marker area is in points²)."""
    diameter_pt = np.sqrt(np.asarray(node_art.get_sizes(), dtype=float))
    pixels = diameter_pt * ax.figure.dpi / 72.0
    origin = ax.transData.inverted().transform([[0.0, 0.0], [1.0, 1.0]])
    per_pixel = np.abs(origin[1] - origin[0])
    return np.column_stack([pixels * per_pixel[0], pixels * per_pixel[1]])


def _fit_limits(ax: Any, points: np.ndarray, sizes: np.ndarray) -> None:
    """Axes limits that hold every node and its whole label, with a small margin."""
    low = (points - sizes / 2).min(axis=0)
    high = (points + sizes / 2).max(axis=0)
    margin = 0.04 * (high - low).max() + 0.3
    ax.set_xlim(low[0] - margin, high[0] + margin)
    ax.set_ylim(low[1] - margin, high[1] + margin)


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


#: Colour of the nodes of small or late communities (one legend entry for all).
OTHER_COLOUR = "#dddddd"
#: A community needs this many drawn words for a colour of its own.
MIN_COLOURED = 3


def _coloured(nodes: pd.DataFrame) -> dict[int, str]:
    """Colour of each community drawn: the first ten with at least three words get one each.

    Communities are numbered by size (1 = largest), so these are the largest;
    pairs and later groups share grey, which the legend names as such.
    """
    sizes = nodes.groupby("community")["word"].count()
    return {
        int(c): COMMUNITY_COLOURS[int(c) - 1]
        for c, n in sizes.items()
        if 1 <= int(c) <= len(COMMUNITY_COLOURS) and n >= MIN_COLOURED
    }


def _legend(ax: Any, nodes: pd.DataFrame, colours: dict[int, str]) -> None:
    """One entry per colour drawn: the group's number (as in the table) and its two main words."""
    from matplotlib.lines import Line2D

    def handle(colour: str, label: str) -> Line2D:
        return Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=7,
            markerfacecolor=colour,
            markeredgecolor="#555555",
            label=label,
        )

    handles = []
    for community, colour in colours.items():
        top = nodes[nodes["community"] == community].sort_values(
            ["frequency", "word"], ascending=[False, True], kind="stable"
        )
        handles.append(handle(colour, f"{community}: {'・'.join(top['word'].head(2))}"))
    others = sorted({int(c) for c in nodes["community"]} - set(colours))
    if others:
        handles.append(handle(OTHER_COLOUR, f"その他 {len(others)} グループ（灰色）"))
    if len(handles) > 1:
        ax.legend(
            handles=handles,
            title="語のグループ（番号は表と同じ。主な 2 語）",
            title_fontsize=7,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            fontsize=7,
            frameon=False,
            ncols=legend_columns(len(handles), most=4),
        )
