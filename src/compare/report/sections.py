"""The sections of the briefing that compare counts: summary, themes, quotations, words.

Every section reads the same corpus model (:class:`compare.report.model.Corpus`),
built by :func:`compare.report.corpus.load_corpus` from the per-plan results
of :func:`compare.pipeline.run_pipeline` for five plans or five thousand:
theme counts, the sparse plan × word matrix and quotation candidates.  The
statistics are the package's ``stat_*`` functions on those counts; what they
compare (plans, or municipalities with their plans summed) is the setting
``ReportSettings.group_by``, and the sections say which.  The sections that
read the text itself are in :mod:`compare.report.text_sections`.

Each section is declared with :func:`compare.report.parts.report_section`
(key, title, progress line, what it needs of the corpus) above the function
that builds its content from the corpus and the
:class:`~compare.report.ReportSettings`.  Comparisons that need two plans say
so instead of failing (``needs``), so a one-plan catalogue still gets a report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from compare.errors import AnalysisError
from compare.report import reliability
from compare.report.columns import PLAN_SOURCE_COLUMNS, TABLES, VALUES
from compare.report.corpus import coverage_table, municipality_names, plan_units, unit_matrix
from compare.report.model import (
    DIFFERENCES,
    NAMED_DIFFERENCE,
    Finding,
    Quote,
    ReportFigure,
    Section,
)
from compare.report.parts import NEED_TWO, name_plans, report_section, report_table
from compare.report.text_sections import (
    section_goals,
    section_network,
    section_outlines,
    section_policies,
)

if TYPE_CHECKING:
    from compare.report.model import Corpus, ReportSettings
    from compare.report.parts import SectionSpec

DOC_KINDS = {"full": "全文", "summary": "概要版", "draft": "案", "excerpt": "抜粋"}


# --------------------------------------------------------------------------- helpers


def need_two_units(corpus: Corpus) -> str | None:
    """A notice when there are fewer than two compared units, else None."""
    if len(corpus.units) >= 2:
        return None
    if corpus.by_plan:
        return NEED_TWO.format(n=len(corpus.plan_ids))
    return f"比較には 2 つ以上の自治体が必要です（この報告書の対象は {len(corpus.units)} 自治体）。"


def need_compared_words(corpus: Corpus) -> None:
    """An error when no word of the comparison vocabulary is left to compare."""
    if corpus.compared is None:
        raise AnalysisError("no word to compare in the comparison vocabulary")


#: What comparing the units' words needs: two units, and a word left to compare.
WORD_COMPARISON = (need_two_units, need_compared_words)


def grouping_note(corpus: Corpus) -> str:
    """The sentence saying what is compared, when it is municipalities."""
    if corpus.by_plan:
        return ""
    return (
        f"計画が {len(corpus.plan_ids)} 件あるため、比較は自治体ごと（同じ自治体の計画は合算）に"
        f"行っています（{len(corpus.units)} 自治体、設定 group_by）。"
    )


def largest_units(corpus: Corpus, grouped: Any, n: int) -> tuple[pd.Series, list[int]]:
    """The labels of the compared units of ``grouped`` (the matrix summed to the units:
    plan ids or municipalities, in unit order) and the positions of the ``n`` with most
    words (ties: the earlier), in unit order."""
    documents = grouped.documents
    counts = documents["n_tokens"].to_numpy()
    order = np.lexsort((np.arange(len(counts)), -counts))
    return documents[corpus.unit_column].astype(str), sorted(int(i) for i in order[:n])


def _theme_counts(corpus: Corpus) -> pd.DataFrame:
    """The pipeline's theme counts per plan (passages, not headings) with the columns to
    group by: ``municipality`` (told apart by prefecture) and ``plan_type``."""
    plans = corpus.result.plans
    labels = pd.DataFrame(
        {
            "plan_id": plans["plan_id"],
            "municipality": municipality_names(plans).to_numpy(),
            "plan_type": plans["plan_type"],
        }
    )
    counts = corpus.result.theme_counts().merge(labels, on="plan_id", how="left")
    counts.attrs = {"unit": "段落・箇条・表の行（見出しを除く）"}
    return counts


# --------------------------------------------------------------------------- summary


@report_section("summary", title="概要", step="概要 (summary)", runs_last=True)
def section_summary(corpus: Corpus, settings: ReportSettings) -> Section:
    """What the corpus holds: one row per plan, with what each document covers."""
    plans = plan_overview(corpus)
    kinds = corpus.catalog["doc_kind"].map(lambda k: DOC_KINDS.get(k, k))
    counts = kinds.value_counts()
    kinds_text = "、".join(f"{k} {v} 件" for k, v in counts.items())
    n_places = municipality_names(corpus.result.plans).nunique()
    paragraphs = [
        f"対象は {len(plans)} 件の計画（{n_places} 自治体、"
        f"{kinds_text}）です。文書によって長さも扱う範囲（全文・概要版・案・抜粋）も異なるため、"
        "比較はすべて長さで正規化した値（段落に占める割合、1,000 語あたりの頻度）で行い、"
        "件数の大小をそのまま比べることはしていません。",
        "市区町村の地域福祉計画と社会福祉協議会の地域福祉活動計画は策定主体が異なるため、"
        "表と図では「（社協）」を付けて区別しています。",
    ]
    if not corpus.by_plan:
        paragraphs.append(grouping_note(corpus))
    if corpus.text.sample_note:
        paragraphs.append(
            f"共起ネットワーク・基本目標の対応・施策の対照表・見出し構成は、本文を読んだ標本 "
            f"{len(corpus.text.plan_ids)} 件の計画から作成しています（各節に明記、表「計画一覧」の"
            "「本文を読んだ計画」の列）。そのほかの節は全計画の集計値によります。"
        )
    bullets = list(corpus.findings)
    corpus.summary = plans
    table = report_table(
        "plans",
        plans,
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
    sources = report_table(
        "sources",
        plans[["plan_id", *PLAN_SOURCE_COLUMNS, "caveat"]],
        preview=[*PLAN_SOURCE_COLUMNS, "caveat"],
        preview_rows=30,
    )
    uncertain = plans.loc[plans["caveat"] != "", "municipality"]
    if len(uncertain):
        paragraphs.append(
            f"{'、'.join(uncertain)}は、計画の名称・期などが本文に明記されておらず、"
            "カタログの作成者が本文の外の資料から特定したものです（表「資料一覧」の注記を参照）。"
        )
    return Section(paragraphs=paragraphs, bullets=bullets, tables=[table, sources])


def plan_overview(corpus: Corpus) -> pd.DataFrame:
    """One row per plan: catalogue labels, size (passages without headings, headings, words)
    and what it covers, from the pipeline's per-plan results."""
    counts = corpus.result.plans.set_index(corpus.result.plans["plan_id"].astype(str))
    read = set(corpus.text.plan_ids)
    top_themes = _top_themes(corpus.theme_shares)
    rows = []
    for plan in corpus.catalog.itertuples(index=False):
        count = counts.loc[str(plan.plan_id)]
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
                "n_segments": int(count["n_passages"]),
                "n_headings": int(count["n_heading"]),
                "n_tokens": int(count["n_tokens"]),
                "coverage": str(count["coverage"]),
                "covers": str(count["covers"]) or "（見出しなし）",
                "top_themes": top_themes.get(plan.plan_id, ""),
                "identification": identification_level(getattr(plan, "identification", "")),
                "source": _source(plan),
                "caveat": _caveat(getattr(plan, "identification", "")),
                "text_read": "○" if str(plan.plan_id) in read else "",
                "sha256": str(count["sha256"]),
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


def _top_themes(shares: pd.DataFrame | None, n: int = 3) -> dict[Any, str]:
    """Each plan's most frequent themes, e.g. "プラットフォーム 40%、見守り・支え合い 17%"
    (plan id → text; a plan without a coded passage is left out)."""
    if shares is None:
        return {}
    coded = shares[shares["segments"] > 0]
    # One stable sort of every plan's rows, then each plan's first n: the order of
    # sorting each plan's rows on its own.
    ranked = coded.sort_values(["share", "theme_id"], ascending=[False, True], kind="stable")
    top = ranked.groupby("plan_id", sort=False).head(n)
    listed: dict[Any, list[str]] = {}
    for plan_id, label, share in zip(top["plan_id"], top["label"], top["share"], strict=True):
        listed.setdefault(plan_id, []).append(f"{label} {share * 100:.0f}%")
    return {plan_id: "、".join(items) for plan_id, items in listed.items()}


def _period(start: str, end: str) -> str:
    if start and end:
        return f"{start}–{end} 年度"
    return start or end or ""


# --------------------------------------------------------------------------- themes


@report_section("themes", title="テーマ比較", step="テーマ比較 (themes)")
def section_themes(corpus: Corpus, settings: ReportSettings) -> Section:
    """Theme shares per plan, the test across the compared units, and what stands out."""
    from compare.plot import plot_theme_shares

    counts = _theme_counts(corpus)
    shares = name_plans(stat_shares(counts, "plan_id"), corpus, ["plan_id"])
    corpus.theme_shares = shares
    unit = corpus.unit_word
    paragraphs = [
        "各計画の本文の段落・箇条書き・表の行（見出しは数えません）のうち、テーマに該当するものの割合です。"
        "テーマの判定は語の組合せの規則（テーマ定義ファイル）によるもので、言葉が一度出てくるだけの"
        "部分ではなく、そのテーマを実質的に扱っている部分を数えるよう設計しています。"
        "文書の長さが違っても比べられるよう、件数ではなく割合で示します。",
    ]
    tables = []
    if corpus.by_plan:
        figure = plot_theme_shares(shares, by="plan_id", names=corpus.names)
        figures = [_shares_figure(figure, "計画ごとの割合（%）。", "theme_shares", "")]
    else:
        by_type = stat_shares(counts, "plan_type")
        figure = plot_theme_shares(by_type, by="plan_type")
        figures = [
            _shares_figure(
                figure,
                "計画の種類ごとに合計した割合（%）。計画・自治体ごとの割合は表にあります。",
                "theme_shares_by_type",
                "（計画の種類別）",
            )
        ]
        paragraphs.append(
            "自治体ごとに比べるため（設定 group_by）、図は計画の種類（地域福祉計画・地域福祉活動計画）"
            "ごとの合計で示し、計画ごとの割合は表に収めています。"
        )
        tables.append(report_table("theme_shares_by_type", by_type, shown=False))
    if len(corpus.plan_ids) <= 10:
        matrix = _share_matrix(shares, corpus)
        tables.append(report_table("theme_share_matrix", matrix, preview_rows=40))
    notice = None
    if len(corpus.units) >= 2:
        test = theme_test(corpus, counts, settings)
        figures.insert(0, _heatmap_figure(corpus, test, settings))
        summary = _theme_test_summary(test, corpus)
        tables.insert(0, report_table("theme_test_summary", summary, unit, preview_rows=40))
        tables.append(report_table("theme_test", test, unit, shown=False))
        paragraphs.append(_test_paragraph(corpus, settings))
        _theme_findings(corpus, test, settings)
    else:
        notice = NEED_TWO.format(n=len(corpus.plan_ids)) + "（割合は下に示します。）"
    tables.append(report_table("theme_shares", shares, shown=False))
    return Section(paragraphs=paragraphs, figures=figures, tables=tables, notice=notice)


def stat_shares(counts: pd.DataFrame, by: str) -> pd.DataFrame:
    """:func:`compare.stat_theme_shares` of the pipeline's counts, grouped by ``by``."""
    from compare.stats.themes import stat_theme_shares

    return stat_theme_shares(counts, by=by)


def theme_test(corpus: Corpus, counts: pd.DataFrame, settings: ReportSettings) -> pd.DataFrame:
    """:func:`compare.stat_theme_test` across the compared units, from the pipeline's counts.

    With more than ``settings.fisher_max_groups`` units χ² is used for every
    theme (``min_expected`` in the table shows how small the smallest expected
    count is).
    """
    from compare.stats.themes import stat_theme_test

    if corpus.by_plan:
        test = stat_theme_test(counts, by="plan_id")
        return name_plans(test, corpus, ["plan_id"])
    options = {"min_expected": 0.0} if len(corpus.units) > settings.fisher_max_groups else {}
    test = stat_theme_test(counts, by="municipality", **options)
    test.attrs = {}
    return test


def _shares_figure(figure: Any, caption: str, table: str, suffix: str) -> ReportFigure:
    return ReportFigure(
        key="theme_shares",
        title=f"テーマ別の該当段落の割合{suffix}",
        caption=caption,
        figure=figure,
        tables=[table],
    )


def _heatmap_figure(corpus: Corpus, test: pd.DataFrame, settings: ReportSettings) -> ReportFigure:
    from compare.plot import plot_theme_heatmap

    unit = corpus.unit_word
    by = corpus.unit_column
    names = corpus.names if corpus.by_plan else None
    more = len(corpus.units) > settings.heatmap_groups
    caption = (
        f"残差の絶対値が大きい上位 {settings.heatmap_groups} {unit}。" if more else ""
    ) + f"色は他の{unit}と比べた多さ（赤: 多い、青: 少ない）、数字は該当段落の割合。"
    return ReportFigure(
        key="theme_heatmap",
        title=f"テーマ × {unit}（調整済み残差と割合）",
        caption=caption,
        figure=plot_theme_heatmap(test, by=by, names=names, max_groups=settings.heatmap_groups),
        tables=["theme_test"],
    )


def _test_paragraph(corpus: Corpus, settings: ReportSettings) -> str:
    unit = corpus.unit_word
    if len(corpus.units) > settings.fisher_max_groups:
        tests = (
            f"{unit}が {settings.fisher_max_groups} を超えると Fisher の正確確率検定は現実的でないため"
            "χ² 検定のみを使い（設定 fisher_max_groups）、最小の期待度数を表に示しています。"
        )
    else:
        tests = (
            "期待度数が十分なときは χ² 検定、小さいときは Fisher の正確確率検定（3 計画以上では"
            "乱数の種を固定したモンテカルロ法）を使い、どちらを使ったかを表に示します。"
        )
    summed = "" if corpus.by_plan else "同じ自治体の計画は合算し、"
    shown = (
        f"ヒートマップは調整済み残差の絶対値が最も大きい {settings.heatmap_groups} {unit}を示します。"
        if len(corpus.units) > settings.heatmap_groups
        else ""
    )
    return (
        f"{unit}によって扱いに差があるかはテーマごとに独立性の検定で確かめています（{summed}"
        f"{unit} × 該当・非該当の段落数の表）。"
        + tests
        + "15 テーマを同時に検定するため p 値は Benjamini–Hochberg 法で補正しています。"
        "ヒートマップの色は補正前の調整済み標準化残差です。"
        + shown
        + f"▲ ▼ と表の「多い{unit}」「少ない{unit}」は、"
        f"補正後の検定で差が有意（補正 p 値 < 0.05）なテーマに限り、残差が ±1.96 を超える{unit}を示します。"
        "有意でないテーマの色の濃淡は偶然の範囲の違いとして読んでください。"
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
    """One row per theme of the theme test: the test and p-values, then the compared
    units that use the theme notably more or less than the others."""
    unit = corpus.unit_word
    column = "name" if corpus.by_plan else "municipality"
    names = VALUES["test"]
    rows = []
    for _, group in test.groupby("theme_id", sort=False):
        first = group.iloc[0]
        # Units are named only when the corrected test holds, as the heatmap marks them.
        holds = bool(first["p_adjusted"] < 0.05)
        rows.append(
            {
                "テーマ": first["label"],
                "該当段落数（見出しを除く）": int(group["segments"].sum()),
                "検定": names.get(str(first["test"]), str(first["test"])),
                "p 値": first["p_value"],
                "補正 p 値": first["p_adjusted"],
                f"多い{unit}": _names_list(group[(group["adj_residual"] >= 1.96) & holds][column]),
                f"少ない{unit}": _names_list(
                    group[(group["adj_residual"] <= -1.96) & holds][column]
                ),
            }
        )
    return pd.DataFrame(rows)


def _names_list(names: pd.Series, limit: int = 10) -> str:
    listed = [str(n) for n in names]
    more = f" ほか {len(listed) - limit} 件" if len(listed) > limit else ""
    return "、".join(listed[:limit]) + more


def _theme_findings(corpus: Corpus, test: pd.DataFrame, settings: ReportSettings) -> None:
    """Add to ``corpus.findings`` one sentence per core theme and the themes whose share
    differs between the compared units; choose the significant non-core themes to quote."""
    unit = corpus.unit_word
    describe = _describe_plans if corpus.by_plan else _describe_places
    per_theme = test.drop_duplicates("theme_id").set_index("theme_id")
    significant = per_theme[per_theme["p_adjusted"] < 0.05].sort_values(
        ["p_adjusted", "label"], kind="stable"
    )
    corpus.quote_themes = [t for t in significant.index if t not in settings.core_themes][:3]
    for theme_id in settings.core_themes:
        if theme_id in per_theme.index:
            group = test[test["theme_id"] == theme_id]
            label = per_theme.loc[theme_id, "label"]
            differs = theme_id in significant.index
            found = describe(label, group, differs)
            weight = NAMED_DIFFERENCE if differs else 0
            corpus.findings.append(Finding(found, table="theme_test_summary", weight=weight))
    if len(significant):
        labels = "、".join(significant["label"])
        text = f"{unit}間で扱いに有意な差があるテーマ（補正 p < .05）: {labels}。"
        if corpus.result.plans["coverage"].nunique() > 1:
            text += (
                "ただし文書の範囲（全文・概要版・案・抜粋、含む章）が計画によって異なるため、"
                "差の一部は範囲の違いによる可能性があります（表「計画一覧」の coverage 列）。"
            )
        corpus.findings.append(Finding(text, table="theme_test_summary", weight=DIFFERENCES))
    else:
        corpus.findings.append(
            Finding(
                f"{unit}間で扱いに有意な差があるテーマはありません（補正 p < .05）。",
                table="theme_test_summary",
                weight=DIFFERENCES,
            )
        )


def _describe_plans(label: str, group: pd.DataFrame, significant: bool) -> str:
    """One core theme across plans: the plan using it most, and whether plans differ."""
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


def _describe_places(label: str, group: pd.DataFrame, significant: bool) -> str:
    """One core theme across municipalities: how many have it, its overall share, and
    whether municipalities differ (too many to name one)."""
    total = int(group["segments"].sum())
    if total == 0:
        return f"{label}: どの自治体の計画にも該当する記述がありません。"
    with_any = int((group["segments"] > 0).sum())
    share = total / max(int(group["n_segments"].sum()), 1)
    text = (
        f"{label}: {len(group)} 自治体のうち {with_any} 自治体の計画に該当する記述があり、"
        f"全体では該当段落の {share * 100:.1f}%"
    )
    if significant:
        more = int((group["adj_residual"] >= 1.96).sum())
        text += f"。自治体間の差は有意で、{more} 自治体が目立って多く扱っています"
    else:
        text += "。自治体間の差は統計的には明確ではありません"
    return text + "。"


# --------------------------------------------------------------------------- evidence


@report_section("evidence", title="根拠となる記述（引用）", step="引用 (evidence)", runs_last=True)
def section_evidence(corpus: Corpus, settings: ReportSettings) -> Section:
    """Passages quoted from the plans as evidence for the themes, with plan and section.

    The pipeline keeps each plan's best passage per theme (body text before
    headings, then most matched occurrences, then source order); per theme
    the best of those are quoted, one per compared unit, in catalogue order.
    """
    candidates = corpus.result.quotes
    coded = set(candidates["theme_id"])
    wanted = [t for t in settings.core_themes if t in coded]
    wanted += [t for t in corpus.quote_themes if t not in wanted]
    quotes, rows = [], []
    for theme_id in wanted:
        chosen = _quotable(candidates[candidates["theme_id"] == theme_id], corpus, settings)
        for hit in chosen.itertuples(index=False):
            quote, row = quotation(hit, theme_id, corpus.names, settings)
            quotes.append(quote)
            rows.append(row)
    missing = [_theme_label(corpus, t) for t in settings.core_themes if t not in wanted]
    unit = corpus.unit_word
    paragraphs = [
        "テーマの判定の根拠となった記述を、計画と見出し（節）、元のテキストの行番号"
        "（PDF の計画は印刷されたページ）とともに引用します。"
        f"テーマごとに、各計画でテーマの語が最も多く現れる段落（見出しより本文を優先）を候補とし、"
        f"語の多いものから{unit}が重ならないよう最大 {settings.quotes_per_theme} 件を選んで、"
        "計画の順に示しています（長い段落は省略）。",
    ]
    if missing:
        paragraphs.append(f"どの計画にも該当する記述がなかったテーマ: {'、'.join(missing)}。")
    coded_title = TABLES["theme_segments"].title + (
        "（本文を読んだ計画）" if corpus.text.sample_note else ""
    )
    return Section(
        paragraphs=paragraphs,
        quotes=quotes,
        tables=[
            report_table("quotes", pd.DataFrame(rows), shown=False),
            report_table(
                "quote_candidates", name_plans(candidates, corpus, ["plan_id"]), shown=False
            ),
            report_table("theme_segments", corpus.text.wide, title=coded_title, shown=False),
        ],
    )


def _quotable(hits: pd.DataFrame, corpus: Corpus, settings: ReportSettings) -> pd.DataFrame:
    """The best candidates of one theme: body text before headings, most matches, then
    catalogue order; one per compared unit, at most ``quotes_per_theme``, in catalogue order."""
    if hits.empty:
        return hits
    order = {p: i for i, p in enumerate(corpus.plan_ids)}
    unit_of = plan_units(corpus.result.plans, corpus.group_by)
    ranked = hits.assign(
        _heading=(hits["kind"] == "heading").astype(int),
        _order=hits["plan_id"].map(order),
        _unit=hits["plan_id"].astype(str).map(unit_of),
    ).sort_values(["_heading", "n_matches", "_order"], ascending=[True, False, True], kind="stable")
    best = ranked.drop_duplicates("_unit").head(settings.quotes_per_theme)
    return best.sort_values("_order", kind="stable").drop(columns=["_heading", "_order", "_unit"])


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


# --------------------------------------------------------------------------- keyness


@report_section(
    "keyness", title="{unit}ごとの特徴語", step="特徴語 (keyness)", needs=WORD_COMPARISON
)
def section_keyness(corpus: Corpus, settings: ReportSettings) -> Section:
    """Distinctive words of each plan (or municipality) against all the others."""
    from compare.plot import plot_keyness
    from compare.stats.keyness import stat_keyness

    unit = corpus.unit_word
    table = stat_keyness(corpus.compared, by=corpus.group_by, top=30, min_count=2, vocabulary=None)
    if corpus.by_plan:
        table = name_plans(table, corpus, ["plan_id"])
    labels, chosen = largest_units(corpus, unit_matrix(corpus), settings.max_keyness_panels)
    shown = [labels.iloc[i] for i in chosen]
    axes = plot_keyness(
        table[table["target"].astype(str).isin(shown)],
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
    summary.insert(0, "name", summary["target"].map(corpus.unit_name))
    summed = "（同じ自治体の計画は合算）" if not corpus.by_plan else ""
    paragraphs = [
        f"各{unit}{summed}で、他のすべての{unit}と比べて特に多く使われている語です（対数尤度比 G²、"
        "1,000 語あたりの頻度で長さの違いを補正）。棒が長いほど他との差が大きく、"
        f"棒の右の数字はその{unit}での出現回数です。語は形態素解析で正規化した形（複合語はまとめた形）で、"
        "比較用の語彙で数えています: 名詞と複合語のみ、地名・自治体の種別の語（市、区 …）・"
        "計画の定型語（計画、推進 …）を除き、市民・区民・町民 → 住民 などを統合しています"
        "（詳細は「出典・再現情報」）。",
    ]
    if len(labels) > len(shown):
        paragraphs.append(
            f"図は語数の多い {len(shown)} {unit}。全 {len(labels)} {unit}の特徴語は表にあります。"
        )
    return Section(
        paragraphs=paragraphs,
        figures=[
            ReportFigure(
                key="keyness",
                title=f"特徴語（他の{unit}と比べて多い語）",
                caption=f"{unit}ごとの上位 {settings.keyness_words} 語。",
                figure=axes,
            )
        ],
        tables=[
            report_table(
                "keyness_top", summary.rename(columns={"words": "特徴語"}), unit, preview_rows=30
            ),
            report_table("keyness", table, unit, shown=False),
        ],
    )


# --------------------------------------------------------------------------- similarity


@report_section(
    "similarity", title="{unit}どうしの類似度", step="類似度 (similarity)", needs=WORD_COMPARISON
)
def section_similarity(corpus: Corpus, settings: ReportSettings) -> Section:
    """Similarity of the compared units: heatmap, dendrogram, most similar pairs, neighbours."""
    from compare.plot import plot_dendrogram, plot_similarity
    from compare.stats.similarity import cosine_matrix, nearest_neighbours, stat_similarity

    unit = corpus.unit_word
    grouped = unit_matrix(corpus)
    if len(grouped.documents) < 2:
        raise AnalysisError("fewer than two units use a word of the comparison vocabulary")
    labels, among = largest_units(corpus, grouped, settings.heatmap_groups)
    table = stat_similarity(
        corpus.compared, by=corpus.group_by, pairs="unique", among=among, vocabulary=None
    )
    if corpus.by_plan:
        from compare.structure.coverage import flag_coverage

        table = flag_coverage(table, coverage_table(corpus.result.plans))
        table = name_plans(table, corpus, ["plan_id_a", "plan_id_b"])
    else:
        table.attrs = {}
        for side in "ab":
            table.insert(
                table.columns.get_loc(f"municipality_{side}") + 1,
                f"name_{side}",
                table[f"municipality_{side}"],
            )
    figures = [
        ReportFigure(
            key="similarity",
            title="類似度ヒートマップ",
            caption=f"TF-IDF 重み付きの語彙のコサイン類似度。似た{unit}が隣り合うよう並べ替えています。",
            figure=plot_similarity(table),
        )
    ]
    if len(among) >= 3:
        figures.append(
            ReportFigure(
                key="dendrogram",
                title=f"{unit}のクラスタリング（樹形図）",
                caption=f"距離 = 1 − コサイン類似度、群平均法。早く（左で）結合する{unit}ほど語彙が似ています。",
                figure=plot_dendrogram(table),
                tables=["similarity"],
            )
        )
    ranked = table.sort_values(
        ["cosine", "doc_a", "doc_b"], ascending=[False, True, True], kind="stable"
    )
    _similarity_finding(corpus, ranked)
    neighbours = nearest_neighbours(
        cosine_matrix(grouped), [corpus.unit_name(u) for u in labels], k=settings.neighbours
    ).rename(columns={"label": "name"})
    preview = ["name_a", "name_b", "cosine", "jaccard", "n_shared"]
    if "coverage_differs" in ranked.columns:
        preview.append("coverage_differs")
    paragraphs = [
        f"{unit}の語彙がどれだけ似ているかを示します。コサイン類似度は語の使用頻度（どの{unit}にも"
        f"出る語は軽く、特定の{unit}に多い語は重く数える TF-IDF）の近さで、1 に近いほど似ています。"
        "Jaccard 係数は使われている語の種類の重なりの割合です。"
        f"各{unit}に最も似た {settings.neighbours} {unit}は表「類似度_近い順」にあります。",
    ]
    if len(among) < len(labels):
        paragraphs.append(
            f"{unit}が多いため、ヒートマップ・樹形図・表「類似度」は語数の多い {len(among)} {unit}の組です"
            "（重みは全体から計算）。"
        )
    return Section(
        paragraphs=paragraphs,
        figures=figures,
        tables=[
            report_table(
                "similarity",
                ranked.reset_index(drop=True),
                unit,
                preview=preview,
                preview_rows=10,
            ),
            report_table("similarity_neighbours", neighbours, unit, shown=False),
        ],
    )


def _similarity_finding(corpus: Corpus, ranked: pd.DataFrame) -> None:
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
    corpus.findings.append(Finding(finding, table="similarity"))


# --------------------------------------------------------------------------- CA


def need_three_units(corpus: Corpus) -> str | None:
    """A notice when there are fewer than three compared units (a plane needs two dimensions)."""
    if len(corpus.units) >= 3:
        return None
    return (
        f"対応分析の散布図には 3 つ以上の{corpus.unit_word}が必要です"
        "（2 件では次元が 1 つしかありません）。"
    )


@report_section(
    "ca",
    title="対応分析",
    step="対応分析 (correspondence analysis)",
    needs=[need_two_units, need_three_units, need_compared_words],
)
def section_ca(corpus: Corpus, settings: ReportSettings) -> Section:
    """Correspondence analysis of words × compared units."""
    from compare.plot import plot_ca
    from compare.stats.ca import stat_ca

    unit = corpus.unit_word
    ca = stat_ca(corpus.compared, by=corpus.group_by, min_count=3, max_words=150, vocabulary=None)
    columns = name_plans(ca.columns, corpus, ["plan_id"]) if corpus.by_plan else ca.columns
    shown = (
        f"{unit}は 40 件のみ（名前は寄与の大きい 15 件）を示しています"
        if len(ca.columns) > 40
        else ""
    )
    return Section(
        paragraphs=[
            f"語と{unit}の対応分析です。近くに置かれた語はその{unit}で相対的に多く使われています。"
            f"原点付近の語はどの{unit}にも同じように現れる語です。軸のかっこ内は各次元が説明する割合で、"
            f"図には寄与の大きい語 {settings.ca_words} 語のみを示しています"
            + (f"。{shown}" if shown else "")
            + "。",
        ],
        figures=[
            ReportFigure(
                key="ca",
                title=f"対応分析（語 × {unit}）",
                caption=f"赤い四角が{unit}、青い点が語。",
                figure=plot_ca(ca, max_rows=settings.ca_words),
                tables=["ca_columns", "ca_rows", "ca_inertia"],
            )
        ],
        tables=[
            report_table("ca_inertia", ca.inertia, unit, preview_rows=5),
            report_table("ca_columns", columns, unit, shown=False),
            report_table("ca_rows", ca.rows, unit, shown=False),
        ],
    )


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


# --------------------------------------------------------------------------- order

#: The sections in the order of the report (each declared with report_section).
STEPS: list[SectionSpec] = [
    section_summary,
    section_themes,
    reliability.section_reliability,
    section_evidence,
    section_keyness,
    section_similarity,
    section_goals,
    section_policies,
    section_network,
    section_ca,
    section_outlines,
]
