"""The sections of the briefing report: each runs its analyses and draws its figures.

A section function takes the analysed :class:`~compare.report.Corpus` and the
:class:`~compare.report.ReportSettings` and returns a
:class:`~compare.report.model.Section`.  Comparisons that need two plans say
so instead of failing, so a one-plan catalogue still gets a report.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from compare.errors import AnalysisError, CatalogError, CompareWarning, ReportError
from compare.report import reliability
from compare.report.model import Quote, ReportFigure, ReportTable, Section
from compare.structure.plan import PLAN_MODEL_SUMMARY

if TYPE_CHECKING:
    from compare.report.model import Corpus, ReportSettings

#: Segment kinds that are not passages: theme shares and the plan table count
#: paragraphs, list items and table rows (see :mod:`compare.stats.themes`).
NOT_PASSAGES = ("heading", "meta")

DOC_KINDS = {"full": "全文", "summary": "概要版", "draft": "案", "excerpt": "抜粋"}

NEED_TWO = (
    "比較には 2 つ以上の計画が必要です（この報告書の対象は {n} 件）。計画を追加してください。"
)


# --------------------------------------------------------------------------- loading


def load_corpus(
    catalog: Any,
    *,
    themes: str | os.PathLike | None,
    plans: Sequence[str] | None,
    progress: bool,
    vocabulary: Any = "default",
) -> Corpus:
    """Read, segment, tokenize and code the plans of a catalogue.

    ``vocabulary`` is the comparison vocabulary (:class:`compare.Vocabulary`);
    its compared view of the tokens is made once and read by every comparison.
    """
    from compare.io.catalog import read_catalog
    from compare.plot.labels import plan_names
    from compare.report.model import Corpus
    from compare.stats.matrix import apply_vocabulary, resolve_vocabulary
    from compare.structure.coverage import plan_coverage
    from compare.structure.segment import read_corpus
    from compare.text.tokenizer import Tokenizer, tokenize
    from compare.themes.coding import load_themes, themes_wide

    table = catalog if isinstance(catalog, pd.DataFrame) else read_catalog(catalog)
    table = _select_plans(table, plans)
    theme_catalogue = load_themes(themes)
    segments = read_corpus(table)
    chosen = resolve_vocabulary(vocabulary)
    user_terms = chosen.terms if chosen is not None else None
    tokens = tokenize(segments, Tokenizer(user_terms=user_terms), progress=progress)
    # Default themes hold terms that a given corpus never uses: warn for a user's file only.
    wide = themes_wide(segments, theme_catalogue, tokens=tokens, warn_unmatched=themes is not None)
    source = "既定のテーマ (bundled data/themes.yaml)" if themes is None else Path(themes).name
    theme_ids = [t.id for t in theme_catalogue]
    if not wide[theme_ids].to_numpy(dtype=bool).any():
        raise ReportError(
            f"The theme file {source} codes no passage in the {len(table)} plan(s): every rule "
            "matched nothing, so there is no theme to compare. Check its rules against the "
            "plans (compare kwic TERM shows where a term occurs) or leave out --themes to use "
            "the default themes."
        )
    names = dict(zip(table["plan_id"], plan_names(table, width=20), strict=True))
    return Corpus(
        catalog=table,
        segments=segments,
        tokens=tokens,
        themes=theme_catalogue,
        wide=wide,
        names=names,
        themes_source=source,
        compared=apply_vocabulary(tokens, chosen),
        vocabulary=chosen,
        coverage=plan_coverage(segments, table),
    )


def _select_plans(catalog: pd.DataFrame, plans: Sequence[str] | None) -> pd.DataFrame:
    if not plans:
        if catalog.empty:
            raise CatalogError("The catalogue lists no plan; add at least one row.")
        return catalog
    known = list(catalog["plan_id"])
    unknown = [p for p in plans if p not in known]
    if unknown:
        raise CatalogError(
            f"Unknown plan id(s) {', '.join(unknown)} in --plans; the catalogue has: "
            f"{', '.join(known)}."
        )
    chosen = catalog[catalog["plan_id"].isin(list(plans))].reset_index(drop=True)
    chosen.attrs = dict(catalog.attrs)
    return chosen


# --------------------------------------------------------------------------- helpers


def figure_of(axes: Any) -> Any:
    """The Figure of an Axes or of an array of Axes."""
    if isinstance(axes, np.ndarray):
        return axes.flat[0].figure
    return axes.figure


def need_two(corpus: Corpus, key: str, title: str) -> Section | None:
    """A notice section when the corpus has fewer than two plans, else None."""
    if len(corpus.plan_ids) >= 2:
        return None
    return Section(key=key, title=title, notice=NEED_TWO.format(n=len(corpus.plan_ids)))


def name_plans(frame: pd.DataFrame, corpus: Corpus, columns: Sequence[str]) -> pd.DataFrame:
    """Add a display-name column next to each plan-id column in ``columns``."""
    out = frame.copy()
    out.attrs = {}
    for column in columns:
        if column in out.columns:
            position = out.columns.get_loc(column) + 1
            suffix = column[len("plan_id") :] if column.startswith("plan_id") else column[4:]
            out.insert(
                position,
                f"name{suffix}",
                out[column].astype(str).map(lambda p: corpus.names.get(p, p)),
            )
    return out


# --------------------------------------------------------------------------- summary


def section_summary(corpus: Corpus, settings: ReportSettings) -> Section:
    """What the corpus holds: one row per plan, with what each document covers."""
    plans = plan_overview(corpus)
    kinds = corpus.catalog["doc_kind"].map(lambda k: DOC_KINDS.get(k, k))
    counts = kinds.value_counts()
    kinds_text = "、".join(f"{k} {v} 件" for k, v in counts.items())
    paragraphs = [
        f"対象は {len(plans)} 件の計画（{corpus.catalog['municipality'].nunique()} 自治体、"
        f"{kinds_text}）です。文書によって長さも扱う範囲（全文・概要版・案・抜粋）も異なるため、"
        "比較はすべて長さで正規化した値（段落に占める割合、1,000 語あたりの頻度）で行い、"
        "件数の大小をそのまま比べることはしていません。",
        "市区町村の地域福祉計画と社会福祉協議会の地域福祉活動計画は策定主体が異なるため、"
        "表と図では「（社協）」を付けて区別しています。",
    ]
    bullets = list(corpus.findings)
    corpus.summary = plans
    table = ReportTable(
        key="plans",
        sheet="計画一覧",
        title="計画一覧と各文書の範囲",
        frame=plans,
        preview=[
            "municipality",
            "author",
            "plan_type",
            "edition",
            "doc_kind",
            "n_segments",
            "n_tokens",
            "coverage",
            "covers",
            "top_themes",
        ],
        preview_rows=30,
    )
    sources = ReportTable(
        key="sources",
        sheet="資料一覧",
        title="資料一覧（名称・期間・文書の種類・計画の特定・出典）",
        frame=plans[
            [
                "plan_id",
                "municipality",
                "title",
                "edition",
                "period",
                "doc_kind",
                "identification",
                "source",
                "caveat",
            ]
        ],
        preview=[
            "municipality",
            "title",
            "edition",
            "period",
            "doc_kind",
            "identification",
            "source",
            "caveat",
        ],
        preview_rows=30,
        unit="1 行 = 1 計画",
        source="カタログ（名称・期・計画期間・文書の種類・identification・source_url・retrieved）",
    )
    uncertain = plans.loc[plans["caveat"] != "", "municipality"]
    if len(uncertain):
        paragraphs.append(
            f"{'、'.join(uncertain)}は、計画の名称・期などが本文に明記されておらず、"
            "カタログの作成者が本文の外の資料から特定したものです（表「資料一覧」の注記を参照）。"
        )
    return Section(
        key="summary",
        title="概要",
        paragraphs=paragraphs,
        bullets=bullets,
        tables=[table, sources],
    )


def plan_overview(corpus: Corpus) -> pd.DataFrame:
    """One row per plan: catalogue labels, size and the headings it covers."""
    segments = corpus.segments
    tokens = corpus.tokens
    rows = []
    for plan in corpus.catalog.itertuples(index=False):
        segs = segments[segments["plan_id"] == plan.plan_id]
        toks = tokens[(tokens["plan_id"] == plan.plan_id)]
        content = int(toks["is_content"].sum()) if "is_content" in toks else len(toks)
        rows.append(
            {
                "plan_id": plan.plan_id,
                "municipality": plan.municipality,
                "prefecture": plan.prefecture,
                "author": plan.author,
                "plan_type": plan.plan_type,
                "title": plan.title,
                "edition": plan.edition,
                "period": _period(plan.fiscal_year_start, plan.fiscal_year_end),
                "doc_kind": DOC_KINDS.get(plan.doc_kind, plan.doc_kind),
                "n_segments": int((~segs["kind"].isin(NOT_PASSAGES)).sum()),
                "n_headings": int((segs["kind"] == "heading").sum()),
                "n_tokens": content,
                "coverage": _coverage_of(corpus, plan.plan_id),
                "covers": _covers(segs),
                "top_themes": _top_themes(corpus.theme_shares, plan.plan_id),
                "identification": identification_level(getattr(plan, "identification", "")),
                "source": _source(plan),
                "caveat": _caveat(getattr(plan, "identification", "")),
            }
        )
    return pd.DataFrame(rows)


#: How sure the catalogue is of a plan's identity, by the first word of ``identification``.
IDENTIFICATION_LEVELS = {
    "stated": "本文に明記",
    "probable": "推定",
    "likely": "推定",
    "inferred": "推定",
    "uncertain": "不確か",
    "unknown": "不明",
}


def identification_level(text: str) -> str:
    """The catalogue's identification in Japanese: 本文に明記, 推定, 不確か, 不明 or 未記入."""
    text = str(text or "").strip()
    if not text:
        return "未記入"
    first = text.split()[0].strip(":：,;").lower()
    return IDENTIFICATION_LEVELS.get(first, "その他（注記を参照）")


def _caveat(text: str) -> str:
    """A note when the plan's identity is not stated in its text (the catalogue's own words)."""
    level = identification_level(text)
    if level in ("本文に明記", "未記入"):
        return ""
    prefix = "" if level.startswith("その他") else f"計画の特定は{level}。"
    return f"{prefix}カタログの記載: {str(text).strip()}"


def _source(plan: Any) -> str:
    """Where the plan was obtained: its address and date, as the catalogue gives them."""
    url = str(getattr(plan, "source_url", "") or "")
    retrieved = str(getattr(plan, "retrieved", "") or "")
    if url and retrieved:
        return f"{url}（{retrieved} 取得）"
    return url or (f"{retrieved} 取得" if retrieved else "")


def _coverage_of(corpus: Corpus, plan_id: str) -> str:
    """The plan's document kind and kinds of section, e.g. "概要版: 基本理念・基本目標・施策"."""
    coverage = getattr(corpus, "coverage", None)
    if coverage is None:
        return ""
    row = coverage[coverage["plan_id"] == plan_id]
    return str(row["coverage"].iloc[0]) if len(row) else ""


def _top_themes(shares: pd.DataFrame | None, plan_id: str, n: int = 3) -> str:
    """The plan's most frequent themes, e.g. "プラットフォーム 40%、見守り・支え合い 17%"."""
    if shares is None:
        return ""
    plan = shares[(shares["plan_id"] == plan_id) & (shares["segments"] > 0)]
    plan = plan.sort_values(["share", "theme_id"], ascending=[False, True], kind="stable").head(n)
    return "、".join(f"{r.label} {r.share * 100:.0f}%" for r in plan.itertuples(index=False))


def _period(start: str, end: str) -> str:
    if start and end:
        return f"{start}–{end} 年度"
    return start or end or ""


def _covers(segs: pd.DataFrame, limit: int = 5) -> str:
    """The top-level headings of a plan (its chapters), as one line."""
    headings = segs[segs["kind"] == "heading"]
    if headings.empty:
        return "（見出しなし）"
    top = headings[headings["level"] == headings["level"].min()]["text"].astype(str)
    texts = [" ".join(t.split())[:24] for t in top]
    more = f" ほか {len(texts) - limit} 項目" if len(texts) > limit else ""
    return " / ".join(texts[:limit]) + more


# --------------------------------------------------------------------------- outlines


def section_outlines(corpus: Corpus, settings: ReportSettings) -> Section:
    """Each plan's heading tree (figures collapsed; the table lists every heading)."""
    from compare.plot import plot_outline
    from compare.structure.segment import outline

    table = outline(corpus.segments)
    table.attrs = {}
    figures = []
    skipped = []
    for plan_id in corpus.plan_ids[: settings.max_outlines]:
        try:
            ax = plot_outline(corpus.segments, plan_id, max_headings=45)
        except AnalysisError:
            skipped.append(corpus.names[plan_id])
            continue
        figures.append(
            ReportFigure(
                key=f"outline_{plan_id}",
                title=f"{corpus.names[plan_id]} の見出し構成",
                caption="見出しの階層（深いほど右）。長い計画は先頭の見出しのみ。",
                figure=figure_of(ax),
                tables=["outline"],
            )
        )
    paragraphs = ["各計画の見出しの階層です。クリックすると図が開きます。"]
    if len(corpus.plan_ids) > settings.max_outlines:
        paragraphs.append(
            f"図は先頭の {settings.max_outlines} 件のみ。全計画の見出しは表「見出し一覧」にあります。"
        )
    if skipped:
        paragraphs.append(f"見出しが見つからなかった計画: {'、'.join(skipped)}。")
    outline_table = ReportTable(
        key="outline",
        sheet="見出し一覧",
        title="見出し一覧",
        frame=name_plans(table, corpus, ["plan_id"]),
        shown=False,
    )
    return Section(
        key="outline",
        title="計画の構成",
        paragraphs=paragraphs,
        figures=figures,
        tables=[outline_table],
        collapsed_figures=True,
    )


# --------------------------------------------------------------------------- keyness


def section_keyness(corpus: Corpus, settings: ReportSettings) -> Section:
    """Distinctive words of each plan against all the others."""
    from compare.plot import plot_keyness
    from compare.stats.keyness import stat_keyness

    key, title = "keyness", "計画ごとの特徴語"
    notice = need_two(corpus, key, title)
    if notice:
        return notice
    table = stat_keyness(corpus.compared, by="plan", top=30, min_count=2, vocabulary=None)
    table = name_plans(table, corpus, ["plan_id"])
    shown = corpus.plan_ids[: settings.max_keyness_panels]
    axes = plot_keyness(
        table[table["target"].isin(shown)],
        n=settings.keyness_words,
        stat="g2",
        max_panels=settings.max_keyness_panels,
    )
    summary = (
        table.groupby("target", sort=False)
        .head(settings.keyness_words)
        .groupby("target", sort=False)["word"]
        .agg("、".join)
        .reset_index()
        .rename(columns={"word": "words"})
    )
    summary.insert(0, "name", summary["target"].map(lambda p: corpus.names.get(p, p)))
    paragraphs = [
        "各計画で、他のすべての計画と比べて特に多く使われている語です（対数尤度比 G²、"
        "1,000 語あたりの頻度で長さの違いを補正）。棒が長いほど他の計画との差が大きく、"
        "棒の右の数字はその計画での出現回数です。語は形態素解析で正規化した形（複合語はまとめた形）で、"
        "比較用の語彙で数えています: 名詞と複合語のみ、地名・自治体の種別の語（市、区 …）・"
        "計画の定型語（計画、推進 …）を除き、市民・区民・町民 → 住民 などを統合しています"
        "（詳細は「出典・再現情報」）。",
    ]
    if len(corpus.plan_ids) > len(shown):
        paragraphs.append(f"図は先頭の {len(shown)} 件。全計画の特徴語は表にあります。")
    return Section(
        key=key,
        title=title,
        paragraphs=paragraphs,
        figures=[
            ReportFigure(
                key="keyness",
                title="特徴語（他の計画と比べて多い語）",
                caption=f"計画ごとの上位 {settings.keyness_words} 語。",
                figure=figure_of(axes),
                tables=["keyness"],
            )
        ],
        tables=[
            ReportTable(
                key="keyness_top",
                sheet="特徴語_上位",
                title="特徴語（上位）",
                frame=summary.rename(columns={"words": "特徴語"}),
                preview_rows=30,
            ),
            ReportTable(
                key="keyness", sheet="特徴語", title="特徴語（全体）", frame=table, shown=False
            ),
        ],
    )


# --------------------------------------------------------------------------- similarity


def section_similarity(corpus: Corpus, settings: ReportSettings) -> Section:
    """Plan × plan similarity: heatmap, dendrogram and the most similar pairs."""
    from compare.plot import plot_dendrogram, plot_similarity
    from compare.stats.similarity import stat_similarity

    key, title = "similarity", "計画どうしの類似度"
    notice = need_two(corpus, key, title)
    if notice:
        return notice
    table = stat_similarity(corpus.compared, by="plan", pairs="unique", vocabulary=None)
    if corpus.coverage is not None:
        from compare.structure.coverage import flag_coverage

        table = flag_coverage(table, corpus.coverage)
    table = name_plans(table, corpus, ["plan_id_a", "plan_id_b"])
    figures = [
        ReportFigure(
            key="similarity",
            title="類似度ヒートマップ",
            caption="TF-IDF 重み付きの語彙のコサイン類似度。似た計画が隣り合うよう並べ替えています。",
            figure=figure_of(plot_similarity(table)),
            tables=["similarity"],
        )
    ]
    if len(corpus.plan_ids) >= 3:
        figures.append(
            ReportFigure(
                key="dendrogram",
                title="計画のクラスタリング（樹形図）",
                caption="距離 = 1 − コサイン類似度、群平均法。早く（左で）結合する計画ほど語彙が似ています。",
                figure=figure_of(plot_dendrogram(table)),
                tables=["similarity"],
            )
        )
    ranked = table.sort_values(
        ["cosine", "doc_a", "doc_b"], ascending=[False, True, True], kind="stable"
    )
    top = ranked.iloc[0]
    bottom = ranked.iloc[-1]
    finding = (
        f"語彙が最も似ているのは {top['name_a']} と {top['name_b']}（コサイン類似度 "
        f"{top['cosine']:.2f}）、最も異なるのは {bottom['name_a']} と {bottom['name_b']}"
        f"（{bottom['cosine']:.2f}）です。"
    )
    differing = [
        f"{row['name_a']}（{row['coverage_a']}）と {row['name_b']}（{row['coverage_b']}）"
        for row in (top, bottom)
        if bool(row.get("coverage_differs", False))
    ]
    if differing:
        finding += (
            f"ただし {'、'.join(differing)} は文書の範囲が異なり、"
            "類似度の差の一部は範囲の違いによるものです。"
        )
    corpus.findings.append(finding)
    preview = ["name_a", "name_b", "cosine", "jaccard", "n_shared"]
    if "coverage_differs" in ranked.columns:
        preview.append("coverage_differs")
    return Section(
        key=key,
        title=title,
        paragraphs=[
            "計画の語彙がどれだけ似ているかを示します。コサイン類似度は語の使用頻度（どの計画にも"
            "出る語は軽く、特定の計画に多い語は重く数える TF-IDF）の近さで、1 に近いほど似ています。"
            "Jaccard 係数は使われている語の種類の重なりの割合です。",
        ],
        figures=figures,
        tables=[
            ReportTable(
                key="similarity",
                sheet="類似度",
                title="類似度の高い組",
                frame=ranked.reset_index(drop=True),
                preview=preview,
                preview_rows=10,
            )
        ],
    )


# --------------------------------------------------------------------------- network and CA


def section_network(corpus: Corpus, settings: ReportSettings) -> Section:
    """Word co-occurrence network over all plans."""
    from compare.plot import plot_network
    from compare.stats.network import stat_cooccurrence

    min_freq = network_min_freq(corpus.compared, settings.network_words)
    network = stat_cooccurrence(
        corpus.compared, top_n=settings.network_edges, min_freq=min_freq, min_cooccurrence=3
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
        key="network",
        title="共起ネットワーク",
        paragraphs=[
            f"同じ段落によく一緒に現れる語を線で結んだ図です（Jaccard 係数の上位 {settings.network_edges} 組）。"
            "円の大きさは出現回数、線の太さは結びつきの強さ、色は互いに強く結びついた語のグループ"
            "（Louvain 法）を表します。どの話題がまとまって語られているかの目安になります。",
        ],
        figures=[
            ReportFigure(
                key="network",
                title="共起ネットワーク（全計画）",
                caption="語の共起（段落単位）。",
                figure=figure_of(plot_network(network)),
                tables=["network_nodes", "network_edges"],
            )
        ],
        tables=[
            ReportTable(
                key="network_communities",
                sheet="共起_グループ",
                title="語のグループ",
                frame=communities,
                preview_rows=15,
            ),
            ReportTable(
                key="network_nodes",
                sheet="共起_ノード",
                title="共起ネットワークの語",
                frame=network.nodes,
                shown=False,
            ),
            ReportTable(
                key="network_edges",
                sheet="共起_エッジ",
                title="共起ネットワークの線",
                frame=network.edges,
                shown=False,
            ),
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


def section_ca(corpus: Corpus, settings: ReportSettings) -> Section:
    """Correspondence analysis of words × plans."""
    from compare.plot import plot_ca
    from compare.stats.ca import stat_ca

    key, title = "ca", "対応分析"
    notice = need_two(corpus, key, title)
    if notice:
        return notice
    if len(corpus.plan_ids) < 3:
        return Section(
            key=key,
            title=title,
            notice="対応分析の散布図には 3 つ以上の計画が必要です（2 件では次元が 1 つしかありません）。",
        )
    ca = stat_ca(corpus.compared, by="plan", min_count=3, max_words=150, vocabulary=None)
    columns = name_plans(ca.columns, corpus, ["plan_id"])
    inertia = ca.inertia
    return Section(
        key=key,
        title=title,
        paragraphs=[
            "語と計画の対応分析です。近くに置かれた語はその計画で相対的に多く使われています。"
            "原点付近の語はどの計画にも同じように現れる語です。軸のかっこ内は各次元が説明する割合で、"
            f"図には寄与の大きい語 {settings.ca_words} 語のみを示しています。",
        ],
        figures=[
            ReportFigure(
                key="ca",
                title="対応分析（語 × 計画）",
                caption="赤い四角が計画、青い点が語。",
                figure=figure_of(plot_ca(ca, max_rows=settings.ca_words)),
                tables=["ca_columns", "ca_rows", "ca_inertia"],
            )
        ],
        tables=[
            ReportTable(
                key="ca_inertia",
                sheet="対応分析_次元",
                title="各次元の説明率",
                frame=inertia,
                preview_rows=5,
            ),
            ReportTable(
                key="ca_columns",
                sheet="対応分析_計画",
                title="計画の座標",
                frame=columns,
                shown=False,
            ),
            ReportTable(
                key="ca_rows", sheet="対応分析_語", title="語の座標", frame=ca.rows, shown=False
            ),
        ],
    )


# --------------------------------------------------------------------------- goals


def section_goals(corpus: Corpus, settings: ReportSettings) -> Section:
    """Which goal of one plan corresponds to which goal of another."""
    from compare.plot import plot_goal_alignment
    from compare.stats.alignment import stat_goal_alignment
    from compare.stats.similarity import stat_similarity

    key, title = "goals", "基本目標の対応"
    notice = need_two(corpus, key, title)
    if notice:
        return notice
    model, hits = _plan_model(corpus), _corpus_hits(corpus)
    without = _plans_without_goals(corpus, model)
    notices = []
    if without:
        notices.append(
            f"{'、'.join(corpus.names[p] for p in without)}は、基本目標にあたる見出し・項目が"
            "本文から読み取れないため、目標の対応づけから除きました"
            "（見出しの構成は表「見出し一覧」を参照）。"
        )
    ids = [p for p in corpus.plan_ids if p not in without]
    pairs = _candidate_pairs(corpus, settings, stat_similarity, ids)
    parts, failed = [], []
    for plan_a, plan_b in pairs:
        try:
            parts.append(
                stat_goal_alignment(
                    corpus.segments, corpus.tokens, plans=[plan_a, plan_b], model=model, hits=hits
                )
            )
        except AnalysisError:
            failed.append(f"{corpus.names[plan_a]}と{corpus.names[plan_b]}")
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
        return Section(key=key, title=title, notice="".join(notices))
    for part in parts:
        part.attrs = {}
    table = pd.concat(parts, ignore_index=True)
    table = name_plans(table, corpus, ["plan_a", "plan_b"])
    summary = _goal_summary(table)
    figures = []
    for row in summary.head(settings.goal_pairs_shown).itertuples(index=False):
        ax = plot_goal_alignment(table, row.plan_a, row.plan_b)
        figures.append(
            ReportFigure(
                key=f"goals_{row.plan_a}_{row.plan_b}",
                title=f"基本目標の対応: {row.name_a} と {row.name_b}",
                caption="線で結ばれた目標は本文の語彙が最も対応する組（数字は類似度）。灰色は対応する目標がないもの。",
                figure=figure_of(ax),
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
        key=key,
        title=title,
        notice="".join(notices) or None,
        paragraphs=paragraphs,
        figures=figures,
        tables=[
            ReportTable(
                key="goal_pairs",
                sheet="目標対応_要約",
                title="計画の組ごとの対応",
                frame=summary.drop(columns=["plan_a", "plan_b"]),
                preview_rows=15,
            ),
            ReportTable(
                key="goal_alignment",
                sheet="目標対応",
                title="目標の対応（全体）",
                frame=table,
                shown=False,
            ),
        ],
    )


# --------------------------------------------------------------------------- policy matrix


def section_policies(corpus: Corpus, settings: ReportSettings) -> Section:
    """施策の対照表: which plan has a goal (or a policy under one) about which theme."""
    from compare.plot import plot_policy_matrix
    from compare.stats.alignment import stat_policy_matrix

    key, title = "policies", "施策の対照表"
    model, hits = _plan_model(corpus), _corpus_hits(corpus)
    matrix = stat_policy_matrix(corpus.segments, model=model, hits=hits, themes=corpus.themes)
    if not (matrix["n_goals"] + matrix["n_policies"]).any():
        return Section(
            key=key,
            title=title,
            notice="どの計画からも基本目標を読み取れなかったため、対照表を作れませんでした。",
        )
    matrix = name_plans(matrix, corpus, ["plan_id"])
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
        + "、".join(f"{corpus.names.get(p, p)}（{lv}）" for p, lv in levels.items()),
    ]
    for plan_id in skipped:
        # The reason in ``skipped`` is technical English; the reader gets the levels found.
        paragraphs.append(
            f"{corpus.names.get(plan_id, plan_id)} は基本目標を読み取れなかったため対照表に"
            "含めていません（読み取れた階層は上のとおり）。"
        )
    model_table = name_plans(model, corpus, ["plan_id"])
    return Section(
        key=key,
        title=title,
        paragraphs=paragraphs,
        figures=[
            ReportFigure(
                key="policy_matrix",
                title="施策の対照表: 計画 × テーマ（基本目標の題名）",
                caption="濃い色: 基本目標がそのテーマを扱う。淡い色: 配下の施策の題名だけが扱う。"
                "「+n」は同じテーマを扱う目標がほかに n 件あること。",
                figure=figure_of(ax),
                tables=["policy_matrix"],
            )
        ],
        tables=[
            ReportTable(
                key="policy_matrix",
                sheet="施策の対照表",
                title="施策の対照表（セルは基本目標の題名）",
                frame=wide,
                preview_rows=len(wide),
            ),
            ReportTable(
                key="plan_model",
                sheet="計画の構造モデル",
                title="計画の構造モデル（基本理念・基本目標・基本方針・施策・指標）",
                frame=model_table[["plan_id", "name", *PLAN_MODEL_SUMMARY]],
                shown=False,
            ),
        ],
    )


def _plan_model(corpus: Corpus) -> pd.DataFrame:
    """The plan model of the corpus (plans without goals are named by the sections)."""
    from compare.structure.plan import plan_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        return plan_model(corpus.segments)


def _corpus_hits(corpus: Corpus) -> pd.DataFrame:
    """The theme hits (plan_id, seg_id, theme_id) of the corpus's wide theme table.

    A corpus without one (the sample of a large corpus) is coded here, once.
    """
    theme_ids = [t.id for t in corpus.themes]
    if not {"plan_id", "seg_id", *theme_ids} <= set(corpus.wide.columns):
        from compare.themes.coding import code_themes

        hits = code_themes(corpus.segments, corpus.themes, tokens=corpus.tokens)
        return hits[["plan_id", "seg_id", "theme_id"]].astype(
            {"plan_id": object, "theme_id": object}
        )
    long = corpus.wide.melt(
        id_vars=["plan_id", "seg_id"], value_vars=theme_ids, var_name="theme_id", value_name="hit"
    )
    hits = long.loc[long["hit"].astype(bool), ["plan_id", "seg_id", "theme_id"]]
    return hits.astype({"plan_id": object, "theme_id": object}).reset_index(drop=True)


def _plans_without_goals(corpus: Corpus, model: pd.DataFrame) -> list[str]:
    """Plans whose plan model has no 基本目標 (the level the goals are aligned at)."""
    with_goals = set(model.loc[model["level"] == "基本目標", "plan_id"].astype(object))
    return [p for p in corpus.plan_ids if p not in with_goals]


def _candidate_pairs(
    corpus: Corpus, settings: ReportSettings, stat_similarity: Any, ids: list[str]
) -> list:
    every = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    if len(every) <= settings.goal_pairs_max:
        return every
    sim = stat_similarity(corpus.compared, by="plan", pairs="unique", vocabulary=None)
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


# --------------------------------------------------------------------------- provenance


def provenance_section() -> Section:
    return Section(
        key="provenance",
        kind="provenance",
        title="出典・再現情報",
        paragraphs=[
            "この報告書は同じ入力と同じ設定から同じ数値を再現できます。以下は作成時の条件です。"
            "図の元になった表はすべて tables.xlsx（1 表 1 シート）と tables/ フォルダの CSV にあります。",
        ],
    )


# --------------------------------------------------------------------------- evidence


def section_evidence(corpus: Corpus, settings: ReportSettings) -> Section:
    """Passages quoted from the plans as evidence for the themes, with plan and section."""
    from compare.themes.coding import code_themes

    coded = {t for t in corpus.themes if corpus.wide[t.id].any()}
    wanted = [t for t in settings.core_themes if t in {c.id for c in coded}]
    wanted += [t for t in corpus.quote_themes if t not in wanted]
    chosen_themes = [t for t in corpus.themes if t.id in wanted]
    hits = (
        code_themes(corpus.segments, chosen_themes, tokens=corpus.tokens, warn_unmatched=False)
        if chosen_themes
        else pd.DataFrame(columns=["theme_id"])
    )
    quotes = []
    rows = []
    for theme_id in wanted:
        chosen = _quotable(hits[hits["theme_id"] == theme_id], settings.quotes_per_theme)
        for hit in chosen.itertuples(index=False):
            quote, row = quotation(hit, theme_id, corpus.names, settings)
            quotes.append(quote)
            rows.append(row)
    missing = [_theme_label(corpus, t) for t in settings.core_themes if t not in wanted]
    paragraphs = [
        "テーマの判定の根拠となった記述を、計画と見出し（節）、元のテキストの行番号"
        "（PDF の計画は印刷されたページ）とともに引用します。"
        "各計画からテーマの語が最も多く現れる段落を 1 つずつ選んでいます（長い段落は省略）。",
    ]
    if missing:
        paragraphs.append(f"どの計画にも該当する記述がなかったテーマ: {'、'.join(missing)}。")
    return Section(
        key="evidence",
        title="根拠となる記述（引用）",
        paragraphs=paragraphs,
        quotes=quotes,
        tables=[
            ReportTable(
                key="quotes",
                sheet="引用",
                title="引用した記述",
                frame=pd.DataFrame(rows),
                shown=False,
            ),
            ReportTable(
                key="theme_segments",
                sheet="テーマ判定_段落",
                title="段落ごとのテーマ判定",
                frame=corpus.wide,
                shown=False,
            ),
        ],
    )


def quotation(
    hit: Any, theme_id: str, names: dict[str, str], settings: ReportSettings, **extra: Any
) -> tuple[Quote, dict[str, Any]]:
    """A quoted passage and its row in the table of quotations (``extra`` columns
    before ``evidence``); ``hit`` is a row of code_themes or of the pipeline's candidates."""
    quote = Quote(
        label=str(hit.label),
        plan=names.get(hit.plan_id, hit.plan_id),
        heading_path=str(hit.heading_path or "（見出しの前）"),
        lines=_where(hit),
        text=_clip(str(hit.text), settings.quote_chars),
    )
    row = {
        "theme_id": theme_id,
        "label": hit.label,
        "plan_id": hit.plan_id,
        "name": quote.plan,
        "heading_path": hit.heading_path,
        "line_start": int(hit.line_start),
        "line_end": int(hit.line_end),
        "page": _page(hit),
        "page_label": _page_label(hit),
        **extra,
        "evidence": hit.evidence,
        "text": hit.text,
    }
    return quote, row


def _quotable(hits: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The best passage of each plan: body text before headings, most matches, then source order."""
    if hits.empty:
        return hits
    ranked = hits.assign(
        _heading=(hits["kind"] == "heading").astype(int),
        _order=np.arange(len(hits)),
    ).sort_values(["_heading", "n_matches", "_order"], ascending=[True, False, True], kind="stable")
    best = ranked.drop_duplicates("plan_id").sort_values("_order", kind="stable")
    return best.head(limit).drop(columns=["_heading", "_order"])


def _lines(start: int, end: int) -> str:
    return f"{start} 行目" if start == end else f"{start}–{end} 行目"


def _where(hit: Any) -> str:
    """Where a passage is: its printed page for PDF sources (p. 23), else its source lines."""
    label = _page_label(hit)
    return f"p. {label}" if label else _lines(int(hit.line_start), int(hit.line_end))


def _page(hit: Any) -> int | None:
    page = getattr(hit, "page", None)
    return None if page is None or pd.isna(page) else int(page)


def _page_label(hit: Any) -> str:
    label = getattr(hit, "page_label", "")
    return "" if label is None or pd.isna(label) else str(label)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _theme_label(corpus: Corpus, theme_id: str) -> str:
    for theme in corpus.themes:
        if getattr(theme, "id", None) == theme_id:
            return str(getattr(theme, "label", theme_id))
    return theme_id


def section_themes(corpus: Corpus, settings: ReportSettings) -> Section:
    """Theme shares per plan, the test across plans, and what stands out."""
    from compare.plot import plot_theme_heatmap, plot_theme_shares
    from compare.stats.themes import stat_theme_shares, stat_theme_test

    shares = stat_theme_shares(corpus.wide, by="plan_id")
    shares = name_plans(shares, corpus, ["plan_id"])
    corpus.theme_shares = shares
    paragraphs = [
        "各計画の本文の段落・箇条書き・表の行（見出しは数えません）のうち、テーマに該当するものの割合です。"
        "テーマの判定は語の組合せの規則（テーマ定義ファイル）によるもので、言葉が一度出てくるだけの"
        "部分ではなく、そのテーマを実質的に扱っている部分を数えるよう設計しています。"
        "文書の長さが違っても比べられるよう、件数ではなく割合で示します。",
    ]
    figures = [
        ReportFigure(
            key="theme_shares",
            title="テーマ別の該当段落の割合",
            caption="計画ごとの割合（%）。",
            figure=figure_of(plot_theme_shares(shares, by="plan_id", names=corpus.names)),
            tables=["theme_shares"],
        )
    ]
    tables = []
    if len(corpus.plan_ids) <= 10:
        tables.append(
            ReportTable(
                key="theme_share_matrix",
                sheet="テーマ割合_一覧",
                title="テーマ別の割合（%）",
                frame=_share_matrix(shares, corpus),
                preview_rows=40,
            )
        )
    notice = None
    if len(corpus.plan_ids) >= 2:
        test = stat_theme_test(corpus.wide, by="plan_id")
        test = name_plans(test, corpus, ["plan_id"])
        figures.insert(
            0,
            ReportFigure(
                key="theme_heatmap",
                title="テーマ × 計画（調整済み残差と割合）",
                caption="色は他の計画と比べた多さ（赤: 多い、青: 少ない）、数字は該当段落の割合。",
                figure=figure_of(
                    plot_theme_heatmap(
                        test, by="plan_id", names=corpus.names, max_groups=settings.heatmap_groups
                    )
                ),
                tables=["theme_test"],
            ),
        )
        summary = _theme_test_summary(test, corpus)
        tables.insert(
            0,
            ReportTable(
                key="theme_test_summary",
                sheet="テーマ検定_要約",
                title="計画間の差の検定（テーマごと）",
                frame=summary,
                preview_rows=40,
            ),
        )
        tables.append(
            ReportTable(
                key="theme_test",
                sheet="テーマ検定",
                title="テーマ検定（全体）",
                frame=test,
                shown=False,
            )
        )
        paragraphs.append(
            "計画によって扱いに差があるかはテーマごとに独立性の検定で確かめています。"
            "期待度数が十分なときは χ² 検定、小さいときは Fisher の正確確率検定（3 計画以上では"
            "乱数の種を固定したモンテカルロ法）を使い、どちらを使ったかを表に示します。"
            "15 テーマを同時に検定するため p 値は Benjamini–Hochberg 法で補正しています。"
            "ヒートマップの色は補正前の調整済み標準化残差です。▲ ▼ と表の「多い計画」「少ない計画」は、"
            "補正後の検定で差が有意（補正 p 値 < 0.05）なテーマに限り、残差が ±1.96 を超える計画を示します。"
            "有意でないテーマの色の濃淡は偶然の範囲の違いとして読んでください。"
        )
        _theme_findings(corpus, test, settings)
    else:
        notice = NEED_TWO.format(n=len(corpus.plan_ids)) + "（割合は下に示します。）"
    tables.append(
        ReportTable(
            key="theme_shares",
            sheet="テーマ割合",
            title="テーマ別の割合（全体）",
            frame=shares,
            shown=False,
        )
    )
    return Section(
        key="themes",
        title="テーマ比較",
        paragraphs=paragraphs,
        figures=figures,
        tables=tables,
        notice=notice,
    )


def _share_matrix(shares: pd.DataFrame, corpus: Corpus) -> pd.DataFrame:
    table = shares.pivot_table(
        index=["theme_id", "label"], columns="plan_id", values="share", sort=False
    )
    table = table.reindex(columns=[p for p in corpus.plan_ids if p in table.columns])
    table = (table * 100).round(1)
    table.columns = [corpus.names.get(c, c) for c in table.columns]
    out = table.reset_index().drop(columns="theme_id").rename(columns={"label": "テーマ"})
    out.columns.name = None
    return out


def _theme_test_summary(test: pd.DataFrame, corpus: Corpus) -> pd.DataFrame:
    def standing_out(group: pd.DataFrame) -> dict[str, Any]:
        # Plans are named only when the corrected test holds, as the heatmap marks them.
        holds = bool(group["p_adjusted"].iloc[0] < 0.05)
        more = group[(group["adj_residual"] >= 1.96) & holds]
        less = group[(group["adj_residual"] <= -1.96) & holds]
        return {"多い計画": "、".join(more["name"]), "少ない計画": "、".join(less["name"])}

    return theme_test_summary(test, standing_out)


def theme_test_summary(
    test: pd.DataFrame, groups: Callable[[pd.DataFrame], dict[str, Any]]
) -> pd.DataFrame:
    """One row per theme of a theme test: the test and p-values, then ``groups(rows)``
    (which groups stand out, as columns)."""
    rows = []
    for _, group in test.groupby("theme_id", sort=False):
        first = group.iloc[0]
        rows.append(
            {
                "テーマ": first["label"],
                "該当段落数（見出しを除く）": int(group["segments"].sum()),
                "検定": _TEST_NAMES.get(str(first["test"]), str(first["test"])),
                "p 値": first["p_value"],
                "補正 p 値": first["p_adjusted"],
                **groups(group),
            }
        )
    return pd.DataFrame(rows)


_TEST_NAMES = {
    "chi2": "χ² 検定",
    "fisher_exact": "Fisher 正確確率検定",
    "fisher_exact_monte_carlo": "Fisher 正確確率検定（モンテカルロ）",
    "none": "検定なし（全計画で 0 件など）",
}


def _theme_findings(corpus: Corpus, test: pd.DataFrame, settings: ReportSettings) -> None:
    """Plain-language findings for the summary, and the themes worth quoting."""

    def describe(label: str, group: pd.DataFrame, significant: bool) -> str:
        if int(group["segments"].sum()) == 0:
            return f"{label}: どの計画にも該当する記述がありません。"
        top = group.sort_values(["share", "adj_residual"], ascending=False, kind="stable").iloc[0]
        text = f"{label}: 割合が最も高いのは {top['name']}（該当段落の {top['share'] * 100:.0f}%）"
        if significant:
            more = "、".join(group[group["adj_residual"] >= 1.96]["name"])
            text += (
                f"。計画間の差は有意で、{more} が目立って多く扱っています"
                if more
                else "。計画間の差は有意です"
            )
        else:
            text += "。計画間の差は統計的には明確ではありません"
        return text + "。"

    theme_findings(corpus, test, settings, "計画", describe)


def theme_findings(
    corpus: Any,
    test: pd.DataFrame,
    settings: ReportSettings,
    unit: str,
    describe: Callable[[str, pd.DataFrame, bool], str],
) -> None:
    r"""Add to ``corpus.findings`` one sentence per core theme (``describe(label, rows,
    significant)``) and the themes whose share differs between ``unit``\ s; choose the
    significant non-core themes to quote."""
    per_theme = test.drop_duplicates("theme_id").set_index("theme_id")
    significant = per_theme[per_theme["p_adjusted"] < 0.05].sort_values(
        ["p_adjusted", "label"], kind="stable"
    )
    corpus.quote_themes = [t for t in significant.index if t not in settings.core_themes][:3]
    for theme_id in settings.core_themes:
        if theme_id in per_theme.index:
            group = test[test["theme_id"] == theme_id]
            label = per_theme.loc[theme_id, "label"]
            corpus.findings.append(describe(label, group, theme_id in significant.index))
    if len(significant):
        labels = "、".join(significant["label"])
        text = f"{unit}間で扱いに有意な差があるテーマ（補正 p < .05）: {labels}。"
        coverage = getattr(corpus, "coverage", None)
        if coverage is not None and coverage["coverage"].nunique() > 1:
            text += (
                "ただし文書の範囲（全文・概要版・案・抜粋、含む章）が計画によって異なるため、"
                "差の一部は範囲の違いによる可能性があります（表「計画一覧」の coverage 列）。"
            )
        corpus.findings.append(text)
    else:
        corpus.findings.append(
            f"{unit}間で扱いに有意な差があるテーマはありません（補正 p < .05）。"
        )


# --------------------------------------------------------------------------- order

#: (key, title shown while it runs, function), in the order of the report.
STEPS = [
    ("summary", "概要 (summary)", section_summary),
    ("themes", "テーマ比較 (themes)", section_themes),
    (*reliability.STEP, reliability.section_reliability),
    ("evidence", "引用 (evidence)", section_evidence),
    ("keyness", "特徴語 (keyness)", section_keyness),
    ("similarity", "類似度 (similarity)", section_similarity),
    ("goals", "目標の対応 (goal alignment)", section_goals),
    ("policies", "施策の対照表 (policy matrix)", section_policies),
    ("network", "共起ネットワーク (co-occurrence)", section_network),
    ("ca", "対応分析 (correspondence analysis)", section_ca),
    ("outline", "見出し構成 (outlines)", section_outlines),
]

#: Sections that read what the others found.
RUN_LAST = {"summary", "evidence"}
