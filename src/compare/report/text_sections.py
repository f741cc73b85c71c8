"""The sections of the briefing that read the plans' text: outlines, network, goals, policies.

Each is declared ``reads_text`` (:func:`compare.report.parts.report_section`),
so it is built from :attr:`compare.report.model.Corpus.text`, the full segment
and token tables of the plans whose text is read: every plan when the corpus
has at most ``ReportSettings.text_plans`` plans and ``text_chars`` characters,
else a deterministic sample within both
(:func:`compare.report.corpus.text_sample`), which the section then names in
its first paragraph.  One code path for every corpus size.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from compare.errors import AnalysisError, CompareWarning
from compare.report.model import ReportFigure, Section
from compare.report.parts import NEED_TWO, name_plans, report_section, report_table
from compare.structure.plan import PLAN_MODEL_SUMMARY

if TYPE_CHECKING:
    from compare.report.model import Corpus, ReportSettings, TextSample


def need_two_plans_read(corpus: Corpus) -> str | None:
    """A notice when fewer than two plans are read in full (nothing to pair)."""
    n = len(corpus.text.plan_ids)
    return NEED_TWO.format(n=n) if n < 2 else None


# --------------------------------------------------------------------------- outlines


@report_section("outline", title="計画の構成", step="見出し構成 (outlines)", reads_text=True)
def section_outlines(text: TextSample, settings: ReportSettings) -> Section:
    """Each plan's heading tree (figures collapsed; the table lists every heading)."""
    from compare.plot import plot_outline
    from compare.structure.segment import outline

    table = outline(text.segments)
    table.attrs = {}
    figures = []
    skipped = []
    for plan_id in text.plan_ids[: settings.max_outlines]:
        try:
            ax = plot_outline(text.segments, plan_id, max_headings=45)
        except AnalysisError:
            skipped.append(text.names[plan_id])
            continue
        figures.append(
            ReportFigure(
                key=f"outline_{plan_id}",
                title=f"{text.names[plan_id]} の見出し構成",
                caption="見出しの階層（深いほど右）。長い計画は先頭の見出しのみ。",
                figure=ax,
                tables=["outline"],
            )
        )
    paragraphs = ["各計画の見出しの階層です。クリックすると図が開きます。"]
    if len(text.plan_ids) > settings.max_outlines:
        paragraphs.append(
            f"図は先頭の {settings.max_outlines} 件のみ。全計画の見出しは表「見出し一覧」にあります。"
        )
    if skipped:
        paragraphs.append(f"見出しが見つからなかった計画: {'、'.join(skipped)}。")
    outline_table = report_table("outline", name_plans(table, text, ["plan_id"]), shown=False)
    return Section(
        paragraphs=paragraphs, figures=figures, tables=[outline_table], collapsed_figures=True
    )


# --------------------------------------------------------------------------- network


@report_section(
    "network", title="共起ネットワーク", step="共起ネットワーク (co-occurrence)", reads_text=True
)
def section_network(text: TextSample, settings: ReportSettings) -> Section:
    """Word co-occurrence network over the plans read."""
    from compare.plot import plot_network
    from compare.stats.network import stat_cooccurrence

    min_freq = network_min_freq(text.compared, settings.network_words)
    network = stat_cooccurrence(
        text.compared, top_n=settings.network_edges, min_freq=min_freq, min_cooccurrence=3
    )
    communities = (
        network.nodes.sort_values(
            ["community", "frequency", "word"], ascending=[True, False, True], kind="stable"
        )
        .groupby("community", sort=True)["word"]
        .agg(lambda words: "、".join(list(words)[:8]))
        .reset_index()
        .rename(columns={"word": "主な語"})
    )
    return Section(
        paragraphs=[
            f"同じ段落によく一緒に現れる語を線で結んだ図です（Jaccard 係数の上位 {settings.network_edges} 組）。"
            "円の大きさは出現回数、線の太さは結びつきの強さ、色は互いに強く結びついた語のグループ"
            "（Louvain 法）を表します。どの話題がまとまって語られているかの目安になります。",
        ],
        figures=[
            ReportFigure(
                key="network",
                title="共起ネットワーク（全計画）"
                if not text.sample_note
                else f"共起ネットワーク（標本 {len(text.plan_ids)} 計画）",
                caption="語の共起（段落単位）。",
                figure=plot_network(network),
                tables=["network_nodes", "network_edges"],
            )
        ],
        tables=[
            report_table("network_communities", communities, preview_rows=15),
            report_table("network_nodes", network.nodes, shown=False),
            report_table("network_edges", network.edges, shown=False),
        ],
    )


def network_min_freq(tokens: pd.DataFrame, words: int) -> int:
    """Smallest frequency (at least 3) that leaves at most ``words`` candidate words.

    Rare words that happen to share a sentence make perfect but meaningless
    Jaccard pairs; raising the threshold with corpus size keeps the network
    about the vocabulary the plans have in common (as KH Coder's default does).
    """
    mask = tokens["is_content"].astype(bool) if "is_content" in tokens else slice(None)
    if "kind" in tokens:
        mask = mask & (tokens["kind"].astype(str) != "meta")
    counts = tokens.loc[mask, "word"].astype(str).value_counts().to_numpy()
    threshold = 3
    while (counts >= threshold).sum() > words:
        threshold += 1
    return threshold


# --------------------------------------------------------------------------- goals


@report_section(
    "goals",
    title="基本目標の対応",
    step="目標の対応 (goal alignment)",
    needs=[need_two_plans_read],
    reads_text=True,
)
def section_goals(text: TextSample, settings: ReportSettings) -> Section:
    """Which goal of one plan corresponds to which goal of another."""
    from compare.plot import plot_goal_alignment
    from compare.stats.alignment import stat_goal_alignment
    from compare.stats.similarity import stat_similarity

    model, hits = _plan_model(text), _corpus_hits(text)
    without = _plans_without_goals(text, model)
    notices = []
    if without:
        notices.append(
            f"{'、'.join(text.names[p] for p in without)}は、基本目標にあたる見出し・項目が"
            "本文から読み取れないため、目標の対応づけから除きました"
            "（見出しの構成は表「見出し一覧」を参照）。"
        )
    ids = [p for p in text.plan_ids if p not in without]
    pairs = _candidate_pairs(text, settings, stat_similarity, ids)
    # The model's attrs (levels missing per plan) are not read by the alignment, and
    # pandas would deep-copy them on every filter of it.
    model = model.copy(deep=False)
    model.attrs = {}
    parts, failed = [], []
    for plan_a, plan_b in pairs:
        try:
            segments, tokens = _plan_tables(text, [plan_a, plan_b])
            parts.append(
                stat_goal_alignment(
                    segments, tokens, plans=[plan_a, plan_b], model=model, hits=hits
                )
            )
        except AnalysisError:
            failed.append(f"{text.names[plan_a]}と{text.names[plan_b]}")
    if failed:
        notices.append(
            f"{'、'.join(failed[:6])}{' ほか' if len(failed) > 6 else ''}は、目標の下の本文に"
            "比べられる語がないため、目標を対応づけられませんでした。"
        )
    if not parts:
        if len(ids) < 2:
            notices.append(
                "目標を示す見出しのある計画が 2 件に満たないため、対応づけはできません。"
            )
        return Section(notice="".join(notices))
    for part in parts:
        part.attrs = {}
    table = pd.concat(parts, ignore_index=True)
    table = name_plans(table, text, ["plan_a", "plan_b"])
    summary = _goal_summary(table)
    figures = []
    for row in summary.head(settings.goal_pairs_shown).itertuples(index=False):
        figures.append(
            ReportFigure(
                key=f"goals_{row.plan_a}_{row.plan_b}",
                title=f"基本目標の対応: {row.name_a} と {row.name_b}",
                caption="線で結ばれた目標は本文の語彙が最も対応する組（数字は類似度）。灰色は対応する目標がないもの。",
                figure=plot_goal_alignment(table, row.plan_a, row.plan_b),
                tables=["goal_alignment"],
            )
        )
    paragraphs = [
        "各計画の基本目標（見出し・一覧・施策体系表・成果指標表から読み取ったもの）を、目標の題名、"
        "節の本文、配下の施策の題名の語彙（表記の揺れは統一）と、扱うテーマの構成の類似度で 1 対 1 に"
        "対応づけました（ハンガリアン法による最適割当）。対応しない目標は、一方の計画にしかない柱を示します。",
    ]
    if len(pairs) < len(ids) * (len(ids) - 1) // 2:
        paragraphs.append(
            f"計画が多いため、語彙の類似度が高い {len(pairs)} 組のみを対応づけています。"
        )
    return Section(
        notice="".join(notices) or None,
        paragraphs=paragraphs,
        figures=figures,
        tables=[
            report_table("goal_pairs", summary.drop(columns=["plan_a", "plan_b"]), preview_rows=15),
            report_table("goal_alignment", table, shown=False),
        ],
    )


# --------------------------------------------------------------------------- policy matrix


@report_section(
    "policies", title="施策の対照表", step="施策の対照表 (policy matrix)", reads_text=True
)
def section_policies(text: TextSample, settings: ReportSettings) -> Section:
    """施策の対照表: which plan has a goal (or a policy under one) about which theme."""
    from compare.plot import plot_policy_matrix
    from compare.stats.alignment import stat_policy_matrix

    model, hits = _plan_model(text), _corpus_hits(text)
    matrix = stat_policy_matrix(text.segments, model=model, hits=hits, themes=text.themes)
    if not (matrix["n_goals"] + matrix["n_policies"]).any():
        return Section(
            notice="どの計画からも基本目標を読み取れなかったため、対照表を作れませんでした。"
        )
    matrix = name_plans(matrix, text, ["plan_id"])
    wide = matrix.pivot(index="name", columns="label", values="titles")
    wide = wide.loc[list(dict.fromkeys(matrix["name"])), list(dict.fromkeys(matrix["label"]))]
    wide = wide.reset_index().rename(columns={"name": "計画"})
    ax = plot_policy_matrix(matrix)
    skipped = matrix.attrs.get("skipped", {})
    levels = model.groupby("plan_id", sort=False)["level"].agg(
        lambda values: "・".join(dict.fromkeys(values))
    )
    paragraphs = [
        "各計画の基本理念・基本目標・基本方針・施策・重点施策・成果指標を、見出し・番号付きの一覧・"
        "施策体系表・成果指標表から読み取り（計画の構造モデル）、基本目標ごとに、その題名と節の本文・"
        "配下の施策がどのテーマを扱うかを示しました。濃い色は基本目標そのものがそのテーマを扱うもの、"
        "淡い色は配下の施策・取組の題名だけが扱うものです。セルには目標の題名を示します。",
        "計画ごとの読み取れた階層: "
        + "、".join(f"{text.names.get(p, p)}（{lv}）" for p, lv in levels.items()),
    ]
    for plan_id in skipped:
        # The reason in ``skipped`` is technical English; the reader gets the levels found.
        paragraphs.append(
            f"{text.names.get(plan_id, plan_id)} は基本目標を読み取れなかったため対照表に"
            "含めていません（読み取れた階層は上のとおり）。"
        )
    model_table = name_plans(model, text, ["plan_id"])
    return Section(
        paragraphs=paragraphs,
        figures=[
            ReportFigure(
                key="policy_matrix",
                title="施策の対照表: 計画 × テーマ（基本目標の題名）",
                caption="濃い色: 基本目標がそのテーマを扱う。淡い色: 配下の施策の題名だけが扱う。"
                "「+n」は同じテーマを扱う目標がほかに n 件あること。",
                figure=ax,
            )
        ],
        tables=[
            report_table("policy_matrix", wide, preview_rows=len(wide)),
            report_table(
                "plan_model", model_table[["plan_id", "name", *PLAN_MODEL_SUMMARY]], shown=False
            ),
        ],
    )


def _plan_model(text: TextSample) -> pd.DataFrame:
    """The plan model of the plans read (plans without goals are named by the sections).

    Built once per sample: goal alignment and the policy matrix read the same model.
    """
    from compare.structure.plan import plan_model

    if "plan_model" not in text.derived:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CompareWarning)
            text.derived["plan_model"] = plan_model(text.segments)
    return text.derived["plan_model"]


def _corpus_hits(text: TextSample) -> pd.DataFrame:
    """The theme hits (plan_id, seg_id, theme_id) of the plans' coded passages and headings
    (built once per sample)."""
    if "hits" not in text.derived:
        text.derived["hits"] = _theme_hits(text)
    return text.derived["hits"]


def _theme_hits(text: TextSample) -> pd.DataFrame:
    theme_ids = [t.id for t in text.themes]
    long = text.wide.melt(
        id_vars=["plan_id", "seg_id"], value_vars=theme_ids, var_name="theme_id", value_name="hit"
    )
    hits = long.loc[long["hit"].astype(bool), ["plan_id", "seg_id", "theme_id"]]
    return hits.astype({"plan_id": object, "theme_id": object}).reset_index(drop=True)


def _plan_tables(text: TextSample, plans: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The SEGMENTS and TOKENS rows of ``plans`` only, in table order.

    Aligning the goals of two plans reads nothing of the others, so each pair
    works on its two plans' rows instead of the whole sample's.
    """
    if "rows" not in text.derived:
        text.derived["rows"] = {
            name: frame["plan_id"].astype(object).groupby(frame["plan_id"].astype(object)).indices
            for name, frame in (("segments", text.segments), ("tokens", text.tokens))
        }
    rows = text.derived["rows"]
    out = []
    for name, frame in (("segments", text.segments), ("tokens", text.tokens)):
        chosen = [rows[name][p] for p in plans if p in rows[name]]
        positions = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
        part = frame.take(positions)
        # Without attrs: pandas deep-copies them on every filter, and alignment reads none.
        part.attrs = {}
        out.append(part)
    return out[0], out[1]


def _plans_without_goals(text: TextSample, model: pd.DataFrame) -> list[str]:
    """Plans whose plan model has no 基本目標 (the level the goals are aligned at)."""
    with_goals = set(model.loc[model["level"] == "基本目標", "plan_id"].astype(object))
    return [p for p in text.plan_ids if p not in with_goals]


def _candidate_pairs(
    text: TextSample, settings: ReportSettings, stat_similarity: Any, ids: list[str]
) -> list:
    every = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    if len(every) <= settings.goal_pairs_max:
        return every
    sim = stat_similarity(text.compared, by="plan", pairs="unique", vocabulary=None)
    chosen = set(ids)
    sim = sim[sim["plan_id_a"].isin(chosen) & sim["plan_id_b"].isin(chosen)]
    ranked = sim.sort_values(
        ["cosine", "doc_a", "doc_b"], ascending=[False, True, True], kind="stable"
    )
    return list(zip(ranked["plan_id_a"], ranked["plan_id_b"], strict=True))[
        : settings.goal_pairs_max
    ]


def _goal_summary(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (plan_a, plan_b), pair in table.groupby(["plan_a", "plan_b"], sort=False):
        matched = pair[pair["status"] == "matched"]
        rows.append(
            {
                "plan_a": plan_a,
                "plan_b": plan_b,
                "name_a": pair["name_a"].iloc[0],
                "name_b": pair["name_b"].iloc[0],
                "matched": len(matched),
                "only_a": int((pair["status"] == "only_a").sum()),
                "only_b": int((pair["status"] == "only_b").sum()),
                "mean_similarity": float(matched["similarity"].mean()) if len(matched) else 0.0,
            }
        )
    summary = pd.DataFrame(rows)
    return summary.sort_values(
        ["mean_similarity", "plan_a", "plan_b"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)
