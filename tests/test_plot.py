"""Figures: every plot_* function draws the table of its stat_* function, in Japanese."""

from __future__ import annotations

import re
import warnings
from collections import Counter

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from compare import (
    outline,
    read_corpus,
    stat_ca,
    stat_clusters,
    stat_cooccurrence,
    stat_goal_alignment,
    stat_keyness,
    stat_policy_matrix,
    stat_similarity,
    stat_theme_shares,
    stat_theme_test,
    themes_wide,
    tokenize,
)
from compare.errors import AnalysisError
from compare.plot import (
    FONT_FAMILY,
    plot_ca,
    plot_dendrogram,
    plot_goal_alignment,
    plot_keyness,
    plot_network,
    plot_outline,
    plot_policy_matrix,
    plot_similarity,
    plot_theme_heatmap,
    plot_theme_shares,
)

GLYPH_MISSING = r".*Glyph .* missing"


@pytest.fixture(autouse=True)
def glyphs_must_exist():
    """Turn matplotlib's "Glyph … missing from font" warnings into failures; close figures."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        yield
    plt.close("all")


def draw(axes) -> None:
    """Render the figure (the point where missing glyphs are reported)."""
    figure = axes.flat[0].figure if isinstance(axes, np.ndarray) else axes.figure
    figure.canvas.draw()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMPARE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        segments = read_corpus()
        tokens = tokenize(segments, progress=False)
        wide = themes_wide(segments, tokens=tokens)
    return {"segments": segments, "tokens": tokens, "wide": wide}


def test_the_glyph_fixture_catches_a_font_without_japanese():
    """The guard is real: Japanese drawn with a Latin-only font fails."""
    _, ax = plt.subplots()
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        ax.text(0.5, 0.5, "地域福祉計画")
        with pytest.raises(UserWarning, match="Glyph"):
            ax.figure.canvas.draw()


@pytest.mark.parametrize(
    "name",
    [
        "theme_heatmap",
        "theme_shares",
        "similarity",
        "dendrogram_similarity",
        "dendrogram_clusters",
        "keyness",
        "network",
        "ca",
        "goal_alignment",
        "outline",
        "policy_matrix",
    ],
)
def test_every_figure_draws_the_bundled_corpus_in_japanese(corpus, name):
    segments, tokens, wide = corpus["segments"], corpus["tokens"], corpus["wide"]
    makers = {
        "theme_heatmap": lambda ax: plot_theme_heatmap(stat_theme_test(wide, by="plan_id"), ax=ax),
        "theme_shares": lambda ax: plot_theme_shares(stat_theme_shares(wide), ax=ax),
        "similarity": lambda ax: plot_similarity(stat_similarity(tokens), ax=ax),
        "dendrogram_similarity": lambda ax: plot_dendrogram(stat_similarity(tokens), ax=ax),
        "dendrogram_clusters": lambda ax: plot_dendrogram(
            stat_clusters(tokens, by="plan", n_clusters=2), ax=ax
        ),
        "keyness": lambda ax: plot_keyness(stat_keyness(tokens, top=10), target="sumida", ax=ax),
        "network": lambda ax: plot_network(stat_cooccurrence(tokens), ax=ax),
        "ca": lambda ax: plot_ca(stat_ca(tokens, by="plan"), ax=ax),
        "goal_alignment": lambda ax: plot_goal_alignment(
            stat_goal_alignment(segments, tokens, plans=["sumida", "tama-6"]), ax=ax
        ),
        "outline": lambda ax: plot_outline(segments, "tokorozawa-2", ax=ax),
        "policy_matrix": lambda ax: plot_policy_matrix(
            stat_policy_matrix(segments, hits=_hits(wide)), ax=ax
        ),
    }
    _, ax = plt.subplots()
    returned = makers[name](ax)
    assert returned is ax
    draw(ax)
    texts = [t.get_text() for t in ax.texts] + [t.get_text() for t in ax.get_yticklabels()]
    assert any(any("\u3040" <= c <= "\u9fff" for c in text) for text in texts), texts


def test_every_figure_makes_its_own_axes_when_none_is_given(corpus):
    tokens = corpus["tokens"]
    ax = plot_similarity(stat_similarity(tokens))
    assert ax.figure.get_size_inches()[0] > 3


def test_theme_heatmap_shows_shares_and_marks_strong_residuals(corpus):
    test = stat_theme_test(corpus["wide"], by="plan_id")
    ax = plot_theme_heatmap(test, by="plan_id")
    draw(ax)
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == len(test)
    unmarked_residuals = 0
    for text, (_, row) in zip(cells, test.iterrows(), strict=True):
        assert float(text.rstrip("▲▼").rstrip("%")) == pytest.approx(row["share"] * 100, abs=0.51)
        # A mark agrees with the corrected test: only where the theme's difference holds.
        holds = row["p_adjusted"] < 0.05
        if holds and row["adj_residual"] >= 1.96:
            assert text.endswith("▲")
        elif holds and row["adj_residual"] <= -1.96:
            assert text.endswith("▼")
        else:
            assert text.endswith("%")
            unmarked_residuals += abs(row["adj_residual"]) >= 1.96
    # The bundled corpus has large residuals in themes whose corrected test does not hold.
    assert unmarked_residuals > 0


def test_theme_heatmap_keeps_the_most_distinctive_groups_of_many():
    rows = []
    for g in range(40):
        for theme in ("a", "b"):
            residual = 5.0 if (g in (3, 17) and theme == "a") else 0.1 * (g % 5)
            rows.append(
                {
                    "theme_id": theme,
                    "label": theme.upper(),
                    "plan_id": f"p{g:02d}",
                    "share": 0.1,
                    "adj_residual": residual,
                    "p_adjusted": 0.01,
                }
            )
    ax = plot_theme_heatmap(pd.DataFrame(rows), max_groups=10)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert len(labels) == 10
    assert "p03" in labels and "p17" in labels
    assert labels == sorted(labels)  # table order kept among the chosen


@pytest.mark.parametrize(("groups", "bars"), [(3, True), (12, False)])
def test_theme_shares_uses_bars_for_few_groups_and_dots_for_many(groups, bars):
    rows = [
        {"plan_id": f"p{g}", "theme_id": t, "label": t, "share": (g + 1) / 40}
        for g in range(groups)
        for t in ("防災", "見守り")
    ]
    ax = plot_theme_shares(pd.DataFrame(rows))
    assert (len(ax.patches) == groups * 2) is bars
    assert (len(ax.collections) == 2) is not bars


def test_similarity_heatmap_orders_similar_plans_next_to_each_other():
    # a~c and b~d are near-duplicates; clustering must put each pair side by side.
    values = {("a", "c"): 0.9, ("b", "d"): 0.8}
    names = ["a", "b", "c", "d"]
    rows = []
    for i, x in enumerate(names):
        for j, y in enumerate(names):
            if i < j:
                cos = values.get((x, y), 0.1)
                rows.append({"doc_a": i, "doc_b": j, "label_a": x, "label_b": y, "cosine": cos})
    ax = plot_similarity(pd.DataFrame(rows))
    order = [t.get_text() for t in ax.get_yticklabels()]
    assert abs(order.index("a") - order.index("c")) == 1
    assert abs(order.index("b") - order.index("d")) == 1


@pytest.mark.parametrize("low", [0.32, 0.3, 0.07, 0.551])
def test_similarity_colour_bar_starts_at_a_labelled_value_below_the_smallest_cell(low):
    rows = [
        {"doc_a": 0, "doc_b": 1, "label_a": "a", "label_b": "b", "cosine": low},
        {"doc_a": 0, "doc_b": 2, "label_a": "a", "label_b": "c", "cosine": 0.56},
        {"doc_a": 1, "doc_b": 2, "label_a": "b", "label_b": "c", "cosine": 0.47},
    ]
    ax = plot_similarity(pd.DataFrame(rows))
    draw(ax)
    colorbar = ax.images[0].colorbar
    bottom, top = colorbar.ax.get_ylim()
    ticks = [float(t.get_text()) for t in colorbar.ax.get_yticklabels() if t.get_text()]
    assert bottom <= low and top >= 0.56
    # The ends of the bar are labelled, so a reader sees where the scale starts.
    assert min(ticks) == pytest.approx(bottom) and min(ticks) <= low
    assert max(ticks) == pytest.approx(top) and max(ticks) >= 0.56


def test_similarity_heatmap_drops_labels_but_still_draws_for_many_plans():
    n = 80
    a, b = np.triu_indices(n, k=1)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "doc_a": a,
            "doc_b": b,
            "label_a": a.astype(str),
            "label_b": b.astype(str),
            "cosine": rng.uniform(0, 1, len(a)),
        }
    )
    ax = plot_similarity(frame)
    assert len(ax.get_yticklabels()) == 0
    assert not ax.texts  # no per-cell numbers


def test_dendrogram_truncates_many_leaves():
    n = 70
    a, b = np.triu_indices(n, k=1)
    frame = pd.DataFrame(
        {
            "doc_a": a,
            "doc_b": b,
            "label_a": a.astype(str),
            "label_b": b.astype(str),
            "cosine": 1 / (1 + np.abs(a - b)),
        }
    )
    ax = plot_dendrogram(frame, max_leaves=20)
    assert len(ax.get_yticklabels()) == 20


def test_dendrogram_of_a_kmeans_clustering_says_what_to_do(corpus):
    result = stat_clusters(corpus["tokens"], by="plan", algorithm="kmeans", n_clusters=2)
    with pytest.raises(AnalysisError, match="hierarchical"):
        plot_dendrogram(result)


def test_network_labels_use_the_japanese_font(corpus):
    ax = plot_network(stat_cooccurrence(corpus["tokens"]))
    draw(ax)
    families = {t.get_fontfamily()[0] for t in ax.texts}
    assert families == {FONT_FAMILY}


def test_ca_biplot_labels_of_plans_do_not_overlap(corpus):
    ax = plot_ca(stat_ca(corpus["tokens"], by="plan"))
    draw(ax)
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    overlaps = sum(
        boxes[i].overlaps(boxes[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
    )
    assert overlaps <= len(boxes) // 20  # adjustText leaves at most a few touching labels


def test_ca_with_a_single_dimension_says_why():
    table = pd.DataFrame({"x": [5, 1, 3], "y": [1, 5, 3]}, index=["a", "b", "c"])
    ca = stat_ca(table, n_components=1)
    with pytest.raises(AnalysisError, match="dimension 2"):
        plot_ca(ca)


def test_goal_alignment_links_each_matched_pair(corpus):
    table = stat_goal_alignment(corpus["segments"], corpus["tokens"], plans=["sumida", "tama-6"])
    ax = plot_goal_alignment(table)
    matched = int((table["status"] == "matched").sum())
    links = [line for line in ax.lines if len(line.get_xdata()) == 2]
    assert len(links) == matched
    with pytest.raises(AnalysisError, match="No pair"):
        plot_goal_alignment(table, "sumida", "shimonoseki")


def test_outline_draws_every_heading_and_counts_the_rest(corpus):
    segments = corpus["segments"]
    headings = segments[(segments["plan_id"] == "tama-6") & (segments["kind"] == "heading")]
    ax = plot_outline(segments, "tama-6")
    assert len(ax.texts) == len(headings)
    ax = plot_outline(segments, "tama-6", max_headings=3)
    assert ax.texts[-1].get_text() == f"… ほか {len(headings) - 3} 見出し"


def test_outline_accepts_the_outline_table(corpus):
    table = outline(corpus["segments"])
    ax = plot_outline(table, "sumida")
    assert len(ax.texts) == int((table["plan_id"] == "sumida").sum())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: plot_outline(c["segments"]), "pass plan_id"),
        (lambda c: plot_outline(c["segments"], "nowhere"), "not in the table"),
        (lambda c: plot_keyness(stat_keyness(c["tokens"]), target="x"), "not in the table"),
        (lambda c: plot_network("edges"), "stat_cooccurrence"),
        (lambda c: plot_theme_heatmap(pd.DataFrame({"x": [1]})), "needs column"),
        (lambda c: plot_similarity(pd.DataFrame({"x": [1]})), "needs column"),
    ],
)
def test_wrong_input_gives_a_clear_error(corpus, call, message):
    with pytest.raises(AnalysisError, match=message):
        call(corpus)


def test_keyness_draws_one_panel_per_plan(corpus):
    table = stat_keyness(corpus["tokens"], top=10)
    axes = plot_keyness(table)
    assert len(axes) == table["target"].nunique()
    titles = {ax.get_title(loc="left") for ax in axes}
    assert "墨田区" in titles and "小田原市（社協）" in titles


def _hits(wide: pd.DataFrame) -> pd.DataFrame:
    themes = [c for c in wide.columns if wide[c].dtype == bool]
    long = wide.melt(id_vars=["plan_id", "seg_id"], value_vars=themes, var_name="theme_id")
    return long.loc[long["value"], ["plan_id", "seg_id", "theme_id"]]


def test_policy_matrix_colours_goals_and_names_them(corpus):
    matrix = stat_policy_matrix(corpus["segments"], hits=_hits(corpus["wide"]))
    ax = plot_policy_matrix(matrix)
    draw(ax)
    shown = matrix.loc[(matrix["n_goals"] + matrix["n_policies"]) > 0]
    themes = list(dict.fromkeys(shown["theme_id"]))
    # one cell per plan and theme used; empty themes are left out
    assert len(ax.patches) == matrix["plan_id"].nunique() * len(themes)
    dark = [p for p in ax.patches if p.get_facecolor()[:3] == matplotlib.colors.to_rgb("#2f6f9f")]
    assert len(dark) == int((shown["n_goals"] > 0).sum())
    texts = {t.get_text().replace("\n", "") for t in ax.texts}
    assert any(text.startswith("大規模災害への対応") for text in texts)
    assert ax.get_yticklabels()[0].get_text() == "墨田区"


def _unwrapped(label: str) -> str:
    return "".join(label.split())


def test_policy_matrix_wraps_goal_titles_without_cutting_them(corpus):
    matrix = stat_policy_matrix(corpus["segments"], hits=_hits(corpus["wide"]))
    ax = plot_policy_matrix(matrix)
    draw(ax)
    firsts = {_unwrapped(str(titles).split("／")[0]) for titles in matrix["titles"] if str(titles)}
    shown = {re.sub(r"\+\d+$", "", _unwrapped(t.get_text())) for t in ax.texts}
    assert not any("…" in t.get_text() for t in ax.texts)
    assert shown == firsts  # every first title whole, whatever its length
    assert max(len(t) for t in firsts) > 20  # the corpus does have long titles
    renderer = ax.figure.canvas.get_renderer()
    for text in ax.texts:  # and each stays inside its cell
        box = text.get_window_extent(renderer).transformed(ax.transData.inverted())
        assert box.width < 0.94 and box.height < 0.9, text.get_text()


def test_goal_alignment_wraps_long_goal_titles_whole(corpus):
    table = stat_goal_alignment(
        corpus["segments"], corpus["tokens"], plans=["sumida", "tokorozawa-2"]
    )
    ax = plot_goal_alignment(table, width=8)
    draw(ax)
    titles = {_unwrapped(t) for t in [*table["title_a"], *table["title_b"]] if isinstance(t, str)}
    shown = {_unwrapped(t.get_text()) for t in ax.texts}
    assert titles <= shown
    assert not any("…" in t.get_text() for t in ax.texts)
    # Wrapped titles of neighbouring goals do not run into each other.
    renderer = ax.figure.canvas.get_renderer()
    goals = [t for t in ax.texts if _unwrapped(t.get_text()) in titles]
    boxes = [t.get_window_extent(renderer) for t in goals]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]), [
        t.get_text() for t in goals
    ]


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("プラットフォーム", 7, ["プラット", "フォーム"]),  # even lines, not 7 + 1
        (
            "区民が安心して暮らせる福祉のまちをつくる",
            18,
            ["区民が安心して暮らせ", "る福祉のまちをつくる"],
        ),
        # No line opens with closing punctuation or a small kana, none ends with "（".
        ("地域（福祉）の会", 3, ["地域", "（福祉）", "の会"]),
        ("安全、安心のまち", 2, ["安全、", "安心", "のま", "ち"]),
        ("Plan 2024 welfare", 3, ["Plan", "2024", "welfare"]),  # Latin words kept whole
        ("短い", 9, ["短い"]),
        ("", 9, []),
    ],
)
def test_wrap_breaks_japanese_between_characters_by_the_line_breaking_rules(text, width, lines):
    from compare.plot._style import wrap

    wrapped = wrap(text, width)
    assert (wrapped.split("\n") if wrapped else []) == lines
    assert "".join(wrapped.split()) == "".join(text.split())


@pytest.mark.parametrize(
    ("groups", "rows"), [(2, [2]), (5, [5]), (6, [6]), (7, [4, 3]), (13, [5, 5, 3])]
)
def test_theme_shares_legend_has_rows_of_even_length(groups, rows):
    shares = pd.DataFrame(
        [
            {"theme_id": "t", "label": "テーマ", "plan_id": f"計画{g}", "share": 0.1 * g}
            for g in range(groups)
        ]
    )
    ax = plot_theme_shares(shares, by="plan_id", max_groups=20)
    draw(ax)
    renderer = ax.figure.canvas.get_renderer()
    ys = [round(t.get_window_extent(renderer).y0) for t in ax.get_legend().get_texts()]
    assert sorted(Counter(ys).values(), reverse=True) == rows


@pytest.fixture(scope="module")
def briefing_figures(tmp_path_factory):
    """The figures of the bundled corpus's report, as the report draws them."""
    from compare.report.briefing import build_briefing

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMPARE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        briefing = build_briefing(progress=False, date="2025-01-01")
    return {f.key: f.figure for f in briefing.figures}


def _render(figure):
    """Draw ``figure`` on an Agg canvas (the module's figures outlive pyplot's) and return its renderer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return canvas.get_renderer()


def _labels(figure) -> list:
    """Every piece of text drawn in the axes of ``figure`` (labels, ticks, titles, legends)."""
    texts = []
    for ax in figure.axes:
        if not ax.get_visible():
            continue
        texts += [*ax.texts, *ax.get_xticklabels(), *ax.get_yticklabels()]
        texts += [ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label]
        if ax.get_legend() is not None:
            texts += ax.get_legend().get_texts()
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("key", ["network", "ca", "keyness"])
def test_no_two_labels_overlap_in_the_bundled_report(briefing_figures, key):
    figure = briefing_figures[key]
    renderer = _render(figure)
    texts = _labels(figure)
    boxes = [t.get_window_extent(renderer) for t in texts]
    overlapping = [
        (texts[i].get_text(), texts[j].get_text())
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]
    assert len(texts) > 30
    assert overlapping == []


def test_ca_labels_leave_the_plans_markers_free(briefing_figures):
    figure = briefing_figures["ca"]
    renderer = _render(figure)
    ax = figure.axes[0]
    squares = ax.collections[1]
    half = np.sqrt(squares.get_sizes()[0]) * figure.dpi / 72 / 2
    centres = ax.transData.transform(squares.get_offsets())
    labels = [t for t in ax.texts if t.get_text().strip()]
    covered = [
        (t.get_text(), tuple(np.round(c, 1)))
        for t in labels
        for c in centres
        if t.get_window_extent(renderer).overlaps(
            matplotlib.transforms.Bbox.from_extents(*(c - half), *(c + half))
        )
    ]
    assert covered == []


def test_network_legend_has_one_entry_per_colour_drawn(briefing_figures):
    ax = briefing_figures["network"].axes[0]
    drawn = {tuple(np.round(c, 3)) for c in ax.collections[-1].get_facecolors()}
    legend = ax.get_legend()
    entries = {
        tuple(np.round(matplotlib.colors.to_rgba(h.get_markerfacecolor()), 3))
        for h in legend.legend_handles
    }
    assert drawn == entries
    assert len(legend.get_texts()) == len(entries)
    # Each group is named by its main words, and the grey entry says it is the rest.
    labels = [t.get_text() for t in legend.get_texts()]
    assert all(re.match(r"\d+: \S+", label) for label in labels[:-1])


def test_keyness_panels_share_one_scale_and_say_so(briefing_figures):
    axes = [ax for ax in briefing_figures["keyness"].axes if ax.get_visible()]
    assert len(axes) == 5
    assert len({ax.get_xlim() for ax in axes}) == 1
    assert all("全パネル共通" in ax.get_xlabel() for ax in axes)


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (
            {"edition": ["第2期", "第3期", "第3期", ""]},
            ["みどり野市 第2期", "みどり野市 第3期", "みどり野市（社協）", "所沢市"],
        ),
        (  # no edition: the first fiscal year tells them apart
            {"edition": ["", "", "", ""], "fiscal_year_start": [2015, 2020, None, None]},
            ["みどり野市 2015年度", "みどり野市 2020年度", "みどり野市（社協）", "所沢市"],
        ),
        (  # nothing in the catalogue differs: the plan_id does
            {"edition": ["第1期", "第1期", "", ""]},
            ["みどり野市 midori-a", "みどり野市 midori-b", "みどり野市（社協）", "所沢市"],
        ),
    ],
)
def test_plan_names_tell_two_plans_of_one_municipality_apart(columns, expected):
    from compare.plot.labels import plan_names

    frame = pd.DataFrame(
        {
            "plan_id": ["midori-a", "midori-b", "midori-s", "tokorozawa"],
            "municipality": ["みどり野市", "みどり野市", "みどり野市", "所沢市"],
            "author": ["自治体", "自治体", "社会福祉協議会", "自治体"],
            **columns,
        }
    )
    assert plan_names(frame) == expected
    # Shortening cuts the municipality only, never what tells the plans apart.
    assert plan_names(frame, width=3)[:2] == [
        e.replace("みどり野市", "みど…") for e in expected[:2]
    ]


@pytest.fixture(scope="module")
def twin_figures(tmp_path_factory):
    """The report's figures for a catalogue with two plans (two editions) of one municipality."""
    from compare.io.catalog import read_catalog
    from compare.report.briefing import build_briefing

    catalog = read_catalog()
    rows = catalog[catalog["plan_id"].isin(["sumida", "tama-6", "tokorozawa-2"])].copy()
    twins = rows["plan_id"].isin(["tama-6", "tokorozawa-2"])
    rows.loc[twins, "municipality"] = "みどり野市"
    rows.loc[twins, "prefecture"] = "神奈川県"
    rows.loc[twins, "municipality_code"] = "149999"
    rows.loc[twins, "edition"] = ["第1期", "第2期"]
    rows = rows.reset_index(drop=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMPARE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        briefing = build_briefing(rows, progress=False, date="2025-01-01")
    return briefing


def test_two_plans_of_one_municipality_are_told_apart_in_every_figure(twin_figures):
    expected = {"みどり野市 第1期", "みどり野市 第2期"}
    figures = {f.key: f.figure for f in twin_figures.figures}
    for key in ("keyness", "ca", "similarity", "theme_heatmap", "theme_shares", "policy_matrix"):
        texts = {t.get_text().replace("\n", "") for t in _labels(figures[key])}
        assert expected <= texts, (key, sorted(t for t in texts if "みどり野" in t))
        assert "みどり野市" not in texts, key
    goals = [k for k in figures if k.startswith("goals_")]
    assert goals
    for key in goals:
        texts = {t.get_text() for t in _labels(figures[key])}
        assert "みどり野市" not in texts, key
    plans = twin_figures.summary
    assert plans is not None
