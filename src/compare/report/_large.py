"""The briefing report of a large corpus, built from the streaming pipeline.

For hundreds or thousands of plans the per-segment and per-token tables of
the small-corpus report do not fit in memory.  This route runs
:func:`compare.pipeline.run_pipeline` (which keeps only per-plan counts, the
plan × word matrix and a few quotation candidates per plan) and builds every
section from those:

* theme shares and the theme × municipality test from per-plan segment
  counts summed over the plans of each municipality;
* distinctive words, similarity, clustering of municipalities and the
  correspondence analysis from the plan × word matrix summed to
  municipalities (sparse throughout; keyness is computed over the non-zero
  cells only, in blocks of rows);
* the co-occurrence network, goal alignment and outlines on a deterministic
  sample: the most central municipality of each cluster (its largest plan),
  read and tokenized like the small report; the text says so;
* quotations from the pipeline's candidates (the best passage per plan and
  theme).

Figures choose readable subsets: the municipalities with the largest
residuals (heatmap), the largest municipalities (keyness panels, similarity
heatmap), a dendrogram cut to its last merges, and a table of clusters
rather than a list of every municipality.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from compare.errors import AnalysisError, ReportError
from compare.report import reliability
from compare.report.model import ReportFigure, ReportTable, Section
from compare.report.sections import (
    DOC_KINDS,
    NEED_TWO,
    _period,
    _share_matrix,
    _theme_label,
    figure_of,
    quotation,
    theme_findings,
    theme_test_summary,
)
from compare.stats.matrix import DocumentTermMatrix
from compare.stats.similarity import cosine_matrix

if TYPE_CHECKING:
    from compare.pipeline import PipelineResult
    from compare.report.model import Corpus, ReportSettings


@dataclass
class LargeCorpus:
    """What every large-corpus section reads: pipeline results aggregated to municipalities."""

    catalog: pd.DataFrame
    result: PipelineResult
    themes: list[Any]
    names: dict[str, str]
    themes_source: str
    groups: pd.DataFrame
    plan_group: np.ndarray
    counts: sp.csr_matrix
    terms: np.ndarray
    cosine: np.ndarray
    linkage: np.ndarray | None
    cluster: np.ndarray
    sample: Corpus | None
    sample_ids: list[str]
    findings: list[str] = field(default_factory=list)
    quote_themes: list[str] = field(default_factory=list)
    theme_shares: pd.DataFrame | None = None
    summary: pd.DataFrame | None = None

    @property
    def plan_ids(self) -> list[str]:
        return list(self.catalog["plan_id"])

    @property
    def group_names(self) -> list[str]:
        return list(self.groups["name"])


# --------------------------------------------------------------------------- choosing the route


def corpus_size(catalog: pd.DataFrame) -> tuple[int, int]:
    """Number of plans and an estimate of their characters (bytes / 2.5; files not read)."""
    from compare.io.catalog import plan_file

    total = 0
    for plan_id in catalog["plan_id"]:
        try:
            total += os.stat(plan_file(catalog, str(plan_id))).st_size
        except (OSError, Exception):  # an unreadable plan fails later, with its own message
            continue
    return len(catalog), int(total / 2.5)


def use_large(catalog: pd.DataFrame, settings: ReportSettings) -> bool:
    """Whether the report takes the streaming route (``settings.large`` forces either way)."""
    if settings.large is not None:
        return bool(settings.large)
    n_plans, chars = corpus_size(catalog)
    return n_plans > settings.large_plans or chars > settings.large_chars


# --------------------------------------------------------------------------- loading


def load_large(
    table: pd.DataFrame,
    *,
    themes: str | os.PathLike | None,
    progress: bool,
    settings: ReportSettings,
) -> LargeCorpus:
    """Run the streaming pipeline and aggregate its results to municipalities."""
    from compare.pipeline import run_pipeline
    from compare.plot.labels import plan_names
    from compare.stats.matrix import resolve_vocabulary
    from compare.text.tokenizer import Tokenizer
    from compare.themes.coding import load_themes

    theme_catalogue = load_themes(themes)
    vocabulary = resolve_vocabulary(settings.vocabulary)
    tokenizer = Tokenizer(user_terms=vocabulary.terms if vocabulary is not None else None)
    result = run_pipeline(
        table, theme_catalogue, tokenizer, progress=progress, n_jobs=settings.n_jobs
    )
    source = "既定のテーマ (bundled data/themes.yaml)" if themes is None else Path(themes).name
    if int(result.themes["segments"].sum()) == 0:
        raise ReportError(
            f"The theme file {source} codes no passage in the {len(table)} plan(s): every rule "
            "matched nothing, so there is no theme to compare. Check its rules against the "
            "plans (compare kwic TERM shows where a term occurs) or leave out --themes to use "
            "the default themes."
        )
    names = dict(zip(table["plan_id"], plan_names(table, width=20), strict=True))
    groups, plan_group = _groups(result.plans)
    counts, terms = _aligned(_group_counts(result, settings.vocabulary), groups)
    groups["n_tokens"] = np.asarray(counts.sum(axis=1)).ravel().astype(np.int64)
    cosine = cosine_matrix(counts) if counts.shape[1] else np.eye(len(groups))
    np.fill_diagonal(cosine, 1.0)
    linkage, cluster = _cluster(cosine, settings.n_clusters)
    groups["cluster"] = cluster
    corpus = LargeCorpus(
        catalog=table,
        result=result,
        themes=list(theme_catalogue),
        names=names,
        themes_source=source,
        groups=groups,
        plan_group=plan_group,
        counts=counts,
        terms=terms,
        cosine=cosine,
        linkage=linkage,
        cluster=cluster,
        sample=None,
        sample_ids=[],
    )
    corpus.sample_ids = _sample_plans(corpus, settings.sample_plans)
    corpus.sample = _load_sample(corpus, progress, settings.vocabulary)
    return corpus


def _groups(plans: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per municipality (prefecture + name), in order of first plan."""
    key = plans["prefecture"].astype(str) + "\x1f" + plans["municipality"].astype(str)
    codes, uniques = pd.factorize(key, sort=False)
    frame = pd.DataFrame(
        {
            "group": np.arange(len(uniques), dtype=np.int64),
            "prefecture": [u.split("\x1f", 1)[0] for u in uniques],
            "municipality": [u.split("\x1f", 1)[1] for u in uniques],
        }
    )
    duplicated = frame["municipality"].duplicated(keep=False)
    frame["name"] = np.where(
        duplicated, frame["prefecture"] + frame["municipality"], frame["municipality"]
    )
    frame.loc[frame["name"] == "", "name"] = "（自治体名なし）"
    by_group = plans.groupby(codes, sort=True)
    frame["n_plans"] = by_group.size().to_numpy(dtype=np.int64)
    frame["chars"] = by_group["chars"].sum().to_numpy(dtype=np.int64)
    frame["plan_ids"] = by_group["plan_id"].agg(lambda ids: "、".join(ids)).to_numpy()
    return frame, codes.astype(np.int64)


def _group_counts(result: PipelineResult, vocabulary: Any = "default") -> DocumentTermMatrix | None:
    """The municipality × word count matrix: the plans' rows summed, in the comparison vocabulary."""
    from compare.stats.matrix import compare_dtm, group_dtm

    if result.dtm is None:
        return None
    return compare_dtm(group_dtm(result.dtm, ["prefecture", "municipality"]), vocabulary)


def _aligned(
    grouped: DocumentTermMatrix | None, groups: pd.DataFrame
) -> tuple[sp.csr_matrix, np.ndarray]:
    """The grouped counts with one row per row of ``groups`` (a group without words: zeros)."""
    if grouped is None:
        return sp.csr_matrix((len(groups), 0), dtype=np.int64), np.asarray([], dtype=object)
    key = ["prefecture", "municipality"]
    rows = pd.MultiIndex.from_frame(grouped.documents[key]).get_indexer(
        pd.MultiIndex.from_frame(groups[key])
    )
    counts = grouped.counts.tocsr()
    empty = sp.csr_matrix((1, counts.shape[1]), dtype=counts.dtype)
    stacked = sp.vstack([counts[r] if r >= 0 else empty for r in rows]).tocsr()
    stacked.sort_indices()
    return stacked, grouped.terms["term"].to_numpy(dtype=object)


def _cluster(cosine: np.ndarray, k: int) -> tuple[np.ndarray | None, np.ndarray]:
    """Ward clusters of the unit TF-IDF vectors, numbered 1.. in order of first municipality.

    For unit vectors the Euclidean distance is sqrt(2 (1 − cosine)), so Ward's
    method applies to it exactly; unlike average linkage on a homogeneous
    corpus it does not chain municipalities one by one into a single cluster.
    """
    n = len(cosine)
    if n < 3:
        return None, np.ones(n, dtype=np.int64)
    distance = np.sqrt(np.clip(2.0 * (1.0 - (cosine + cosine.T) / 2.0), 0.0, None))
    np.fill_diagonal(distance, 0.0)
    linkage = hierarchy.linkage(squareform(distance, checks=False), method="ward")
    raw = hierarchy.fcluster(linkage, t=min(k, n), criterion="maxclust")
    mapping: dict[int, int] = {}
    for value in raw:
        mapping.setdefault(int(value), len(mapping) + 1)
    return linkage, np.asarray([mapping[int(v)] for v in raw], dtype=np.int64)


def _sample_plans(corpus: LargeCorpus, size: int) -> list[str]:
    """The largest plan of the most central municipality of each cluster (largest clusters
    first), then the largest remaining plans; returned in catalogue order."""
    plans = corpus.result.plans
    tokens = plans["n_tokens"].to_numpy()
    chosen: list[int] = []
    clusters = pd.Series(corpus.cluster).value_counts(sort=False)
    order = sorted(clusters.index, key=lambda c: (-clusters[c], c))
    for cluster in order:
        members = np.flatnonzero(corpus.cluster == cluster)
        centrality = corpus.cosine[np.ix_(members, members)].mean(axis=1)
        central = int(members[np.argmax(centrality)])
        own = np.flatnonzero(corpus.plan_group == central)
        chosen.append(int(own[np.lexsort((own, -tokens[own]))][0]))
        if len(chosen) >= size:
            break
    rest = [int(i) for i in np.lexsort((np.arange(len(tokens)), -tokens)) if i not in chosen]
    chosen += rest[: max(0, size - len(chosen))]
    return [str(plans["plan_id"].iloc[i]) for i in sorted(chosen)]


def _load_sample(corpus: LargeCorpus, progress: bool, vocabulary: Any = "default") -> Corpus | None:
    """SEGMENTS and TOKENS of the sample plans, as the small report's corpus."""
    import warnings

    from compare.errors import CompareWarning
    from compare.report.model import Corpus
    from compare.stats.matrix import apply_vocabulary, resolve_vocabulary
    from compare.structure.segment import read_corpus
    from compare.text.tokenizer import Tokenizer, tokenize

    if not corpus.sample_ids:
        return None
    chosen = corpus.catalog[corpus.catalog["plan_id"].isin(corpus.sample_ids)]
    chosen = chosen.reset_index(drop=True)
    chosen.attrs = dict(corpus.catalog.attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        segments = read_corpus(chosen)
        chosen_vocabulary = resolve_vocabulary(vocabulary)
        user_terms = chosen_vocabulary.terms if chosen_vocabulary is not None else None
        tokens = tokenize(segments, Tokenizer(user_terms=user_terms), progress=progress)
    return Corpus(
        catalog=chosen,
        segments=segments,
        tokens=tokens,
        themes=corpus.themes,
        wide=pd.DataFrame(),
        names={p: corpus.names[p] for p in corpus.sample_ids},
        themes_source=corpus.themes_source,
        compared=apply_vocabulary(tokens, chosen_vocabulary),
        vocabulary=chosen_vocabulary,
    )


def _sample_note(corpus: LargeCorpus) -> str:
    names = "、".join(corpus.names[p] for p in corpus.sample_ids)
    return (
        f"計画が多い（{len(corpus.plan_ids)} 件）ため、この節は標本 {len(corpus.sample_ids)} 件"
        f"（{names}）で作成しています。標本は、語彙による自治体のクラスタごとに最も中心的な"
        "自治体の最大の計画を選んだもので、毎回同じ計画が選ばれます。"
    )


# --------------------------------------------------------------------------- summary


def section_summary(corpus: LargeCorpus, settings: ReportSettings) -> Section:
    """What the corpus holds: one row per plan (table), the size in plain words."""
    plans = plan_overview(corpus)
    corpus.summary = plans
    kinds = corpus.catalog["doc_kind"].map(lambda k: DOC_KINDS.get(k, k)).value_counts()
    kinds_text = "、".join(f"{k} {v} 件" for k, v in kinds.items())
    chars = int(corpus.result.plans["chars"].sum())
    paragraphs = [
        f"対象は {len(plans)} 件の計画（{len(corpus.groups)} 自治体、{kinds_text}、"
        f"本文 {chars:,} 字）です。文書によって長さも扱う範囲も異なるため、比較はすべて長さで"
        "正規化した値（段落に占める割合、1,000 語あたりの頻度）で行っています。",
        "計画が多いため、この報告書は大規模コーパス向けの方式で作成しています。"
        "テーマの割合と検定、特徴語、類似度、クラスタリング、対応分析は全計画の集計値から、"
        "共起ネットワーク・基本目標の対応・見出し構成は代表的な計画の標本から作成しています"
        "（各節に明記）。計画ごと・自治体ごとの数値はすべて tables.xlsx にあります。",
    ]
    table = ReportTable(
        key="plans",
        sheet="計画一覧",
        title="計画一覧と各文書の範囲",
        frame=plans,
        preview=[
            "municipality",
            "author",
            "edition",
            "doc_kind",
            "n_segments",
            "n_tokens",
            "coverage",
            "cluster",
            "top_themes",
        ],
        preview_rows=20,
    )
    return Section(
        key="summary",
        title="概要",
        paragraphs=paragraphs,
        bullets=list(corpus.findings),
        tables=[table],
    )


def plan_overview(corpus: LargeCorpus) -> pd.DataFrame:
    """One row per plan: catalogue labels, size, chapters, top themes, cluster, hash."""
    plans = corpus.result.plans
    shares = corpus.theme_shares
    top = _top_themes(shares) if shares is not None else {}
    frame = pd.DataFrame(
        {
            "plan_id": plans["plan_id"],
            "municipality": plans["municipality"],
            "prefecture": plans["prefecture"],
            "author": plans["author"],
            "plan_type": plans["plan_type"],
            "title": plans["title"],
            "edition": plans["edition"],
            "period": [
                _period(a, b)
                for a, b in zip(plans["fiscal_year_start"], plans["fiscal_year_end"], strict=True)
            ],
            "doc_kind": plans["doc_kind"].map(lambda k: DOC_KINDS.get(k, k)),
            "n_segments": plans["n_passages"].astype("int64"),
            "n_headings": plans["n_heading"].astype("int64"),
            "n_tokens": plans["n_tokens"].astype("int64"),
            "chars": plans["chars"].astype("int64"),
            "covers": plans["covers"].replace("", "（見出しなし）"),
            "coverage": plans["coverage"],
            "top_themes": plans["plan_id"].map(lambda p: top.get(p, "")),
            "cluster": corpus.cluster[corpus.plan_group],
            "sample": plans["plan_id"].isin(corpus.sample_ids),
            "sha256": plans["sha256"],
        }
    )
    return frame


def _top_themes(shares: pd.DataFrame, n: int = 3) -> dict[str, str]:
    coded = shares[shares["segments"] > 0]
    ranked = coded.sort_values(
        ["plan_id", "share", "theme_id"], ascending=[True, False, True], kind="stable"
    )
    out: dict[str, str] = {}
    for plan_id, group in ranked.groupby("plan_id", sort=False):
        out[str(plan_id)] = "、".join(
            f"{r.label} {r.share * 100:.0f}%" for r in group.head(n).itertuples(index=False)
        )
    return out


# --------------------------------------------------------------------------- themes


def group_theme_counts(corpus: LargeCorpus) -> pd.DataFrame:
    """Coded segments per (theme, municipality): the pipeline's per-plan counts summed."""
    shares = corpus.result.themes
    group_of = dict(zip(corpus.result.plans["plan_id"], corpus.plan_group.tolist(), strict=True))
    frame = shares.assign(group=shares["plan_id"].map(group_of))
    summed = frame.groupby(["theme_id", "group"], sort=False)[["segments"]].sum().reset_index()
    n_seg = (
        corpus.result.plans.assign(group=corpus.plan_group)
        .groupby("group", sort=True)["n_passages"]
        .sum()
    )
    summed["n_segments"] = summed["group"].map(n_seg).astype("int64")
    return summed


def theme_test(corpus: LargeCorpus, settings: ReportSettings) -> pd.DataFrame:
    """The columns of :func:`compare.stat_theme_test` by municipality, from summed counts.

    With hundreds of groups Fisher's Monte-Carlo test is impractical; χ² is
    used for every theme (``min_expected`` shows how small the smallest
    expected count is).
    """
    from compare.stats.themes import theme_test_from_counts

    summed = group_theme_counts(corpus)
    ids = [t.id for t in corpus.themes]
    groups = range(len(corpus.groups))
    coded = (
        summed.pivot_table(index="group", columns="theme_id", values="segments", aggfunc="sum")
        .reindex(index=groups, columns=ids)
        .fillna(0)
    )
    sizes = summed.groupby("group")["n_segments"].max().reindex(groups).fillna(0)
    coded.index = corpus.groups["name"].to_numpy(dtype=object)
    out = theme_test_from_counts(
        coded,
        sizes,
        key="municipality",
        labels={t.id: t.label for t in corpus.themes},
        min_expected=0.0,
    )
    # Rows are theme by theme, groups in order within each theme.
    out.insert(3, "n_plans", np.tile(corpus.groups["n_plans"].to_numpy(), len(ids)))
    return out


def section_themes(corpus: LargeCorpus, settings: ReportSettings) -> Section:
    """Theme shares per plan and municipality, the test across municipalities."""
    from compare.plot import plot_theme_heatmap, plot_theme_shares

    shares = corpus.result.themes.copy()
    shares.insert(1, "name", shares["plan_id"].map(lambda p: corpus.names.get(p, p)))
    corpus.theme_shares = shares
    by_type = _shares_by(shares, corpus.result.plans, "plan_type")
    figures = [
        ReportFigure(
            key="theme_shares",
            title="テーマ別の該当段落の割合（計画の種類別）",
            caption="計画の種類ごとに合計した割合（%）。計画・自治体ごとの割合は表にあります。",
            figure=figure_of(plot_theme_shares(by_type, by="plan_type")),
            tables=["theme_shares_by_type"],
        )
    ]
    paragraphs = [
        "各計画の本文のうち、テーマに該当する部分の割合です。テーマの判定は語の組合せの規則"
        "（テーマ定義ファイル）によります。計画が多いため、図は計画の種類（地域福祉計画・"
        "地域福祉活動計画）ごとの合計で示し、計画ごと・自治体ごとの割合は表に収めています。",
    ]
    tables = [
        ReportTable(
            key="theme_shares_by_type",
            sheet="テーマ割合_種類別",
            title="テーマ別の割合（計画の種類別）",
            frame=by_type,
            shown=False,
        )
    ]
    notice = None
    if len(corpus.groups) >= 2:
        test = theme_test(corpus, settings)
        figures.insert(
            0,
            ReportFigure(
                key="theme_heatmap",
                title="テーマ × 自治体（調整済み残差と割合）",
                caption=(
                    f"残差の絶対値が大きい上位 {settings.heatmap_groups} 自治体。色は他の自治体と"
                    "比べた多さ（赤: 多い、青: 少ない）、数字は該当段落の割合。"
                ),
                figure=figure_of(
                    plot_theme_heatmap(test, by="municipality", max_groups=settings.heatmap_groups)
                ),
                tables=["theme_test"],
            ),
        )
        tables.insert(
            0,
            ReportTable(
                key="theme_test_summary",
                sheet="テーマ検定_要約",
                title="自治体間の差の検定（テーマごと）",
                frame=_test_summary(test),
                preview_rows=40,
            ),
        )
        tables.append(
            ReportTable(
                key="theme_test",
                sheet="テーマ検定",
                title="テーマ検定（自治体別、全体）",
                frame=test,
                shown=False,
            )
        )
        paragraphs.append(
            "自治体によって扱いに差があるかは、テーマごとに自治体 × （該当・非該当）の段落数の表で"
            "χ² 検定を行い、p 値は Benjamini–Hochberg 法で補正しています（同じ自治体の複数の計画は"
            "合算）。自治体が多い表では Fisher の正確確率検定は現実的でないため χ² 検定のみを使い、"
            "最小の期待度数を表に示しています。ヒートマップは全自治体のうち調整済み残差の絶対値が"
            "最も大きい自治体を選んで示します（補正後に差が有意なテーマで ±1.96 を超えるセルに ▲ ▼）。"
        )
        _findings(corpus, test, settings)
    else:
        notice = NEED_TWO.format(n=len(corpus.groups)) + "（割合は下に示します。）"
    if len(corpus.plan_ids) <= 10:
        tables.append(
            ReportTable(
                key="theme_share_matrix",
                sheet="テーマ割合_一覧",
                title="テーマ別の割合（%）",
                frame=_share_matrix(shares, corpus),  # type: ignore[arg-type]
                preview_rows=40,
            )
        )
    tables.append(
        ReportTable(
            key="theme_shares",
            sheet="テーマ割合",
            title="テーマ別の割合（計画別、全体）",
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


def _shares_by(shares: pd.DataFrame, plans: pd.DataFrame, column: str) -> pd.DataFrame:
    """Theme shares summed over the plans of each value of a catalogue column."""
    values = dict(zip(plans["plan_id"], plans[column].astype(str), strict=True))
    frame = shares.assign(**{column: shares["plan_id"].map(values)})
    summed = (
        frame.groupby(["theme_id", column], sort=False)[["segments", "n_segments", "n_tokens"]]
        .sum()
        .reset_index()
    )
    labels = dict(zip(shares["theme_id"], shares["label"], strict=False))
    summed.insert(1, "label", summed["theme_id"].map(labels))
    summed["share"] = summed["segments"] / summed["n_segments"].where(summed["n_segments"] > 0)
    summed["per_1000_tokens"] = (
        summed["segments"] * 1000.0 / summed["n_tokens"].where(summed["n_tokens"] > 0)
    )
    return summed[
        [
            column,
            "theme_id",
            "label",
            "segments",
            "n_segments",
            "share",
            "n_tokens",
            "per_1000_tokens",
        ]
    ]


def _names_list(frame: pd.DataFrame, limit: int = 10) -> str:
    names = list(frame["municipality"])
    more = f" ほか {len(names) - limit} 自治体" if len(names) > limit else ""
    return "、".join(names[:limit]) + more


def _test_summary(test: pd.DataFrame) -> pd.DataFrame:
    def standing_out(group: pd.DataFrame) -> dict[str, Any]:
        more = group[group["adj_residual"] >= 1.96].sort_values(
            ["adj_residual", "municipality"], ascending=[False, True], kind="stable"
        )
        less = group[group["adj_residual"] <= -1.96].sort_values(
            ["adj_residual", "municipality"], ascending=[True, True], kind="stable"
        )
        return {
            "多い自治体数": len(more),
            "多い自治体（残差順）": _names_list(more),
            "少ない自治体数": len(less),
            "少ない自治体（残差順）": _names_list(less),
        }

    return theme_test_summary(test, standing_out)


def _findings(corpus: LargeCorpus, test: pd.DataFrame, settings: ReportSettings) -> None:
    def describe(label: str, group: pd.DataFrame, significant: bool) -> str:
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

    theme_findings(corpus, test, settings, "自治体", describe)


# --------------------------------------------------------------------------- evidence


def section_evidence(corpus: LargeCorpus, settings: ReportSettings) -> Section:
    """Quotations from the pipeline's best passage per plan and theme."""
    candidates = corpus.result.quotes
    coded = set(candidates["theme_id"])
    wanted = [t for t in settings.core_themes if t in coded]
    wanted += [t for t in corpus.quote_themes if t not in wanted]
    order = {p: i for i, p in enumerate(corpus.plan_ids)}
    group_of = dict(zip(corpus.plan_ids, corpus.plan_group.tolist(), strict=True))
    quotes, rows = [], []
    for theme_id in wanted:
        hits = candidates[candidates["theme_id"] == theme_id]
        ranked = hits.assign(
            _heading=(hits["kind"] == "heading").astype(int),
            _order=hits["plan_id"].map(order),
            _group=hits["plan_id"].map(group_of),
        ).sort_values(
            ["_heading", "n_matches", "_order"], ascending=[True, False, True], kind="stable"
        )
        chosen = ranked.drop_duplicates("_group").head(settings.quotes_per_theme)
        for hit in chosen.sort_values("_order", kind="stable").itertuples(index=False):
            quote, row = quotation(
                hit, theme_id, corpus.names, settings, n_matches=int(hit.n_matches)
            )
            quotes.append(quote)
            rows.append(row)
    missing = [_theme_label(corpus, t) for t in settings.core_themes if t not in wanted]  # type: ignore[arg-type]
    paragraphs = [
        "テーマの判定の根拠となった記述を、計画と見出し（節）、元のテキストの行番号とともに引用します。"
        f"全計画の候補（各計画・各テーマで語が最も多く現れる段落）から、テーマの語が最も多い段落を"
        f"自治体が重ならないよう最大 {settings.quotes_per_theme} 件選んでいます（長い段落は省略）。",
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
                key="quote_candidates",
                sheet="引用候補",
                title="引用の候補（計画 × テーマ）",
                frame=candidates,
                shown=False,
            ),
        ],
    )


# --------------------------------------------------------------------------- keyness


def row_keyness(counts: sp.csr_matrix, terms: np.ndarray, labels: Any, *, top: int) -> pd.DataFrame:
    """Over-used words of each row of ``counts`` against all other rows (:func:`compare.stat_keyness`).

    Returns the keyness table with ``target`` (the row's label) and ``_row``
    (its number), the ``top`` words each row uses most distinctively.
    """
    from compare.stats.keyness import stat_keyness

    table = stat_keyness(
        _rows_dtm(counts, terms, labels), by="_row", top=top, min_count=2, vocabulary=None
    )
    return table[table["direction"] == "target"].reset_index(drop=True)


def _rows_dtm(counts: sp.csr_matrix, terms: np.ndarray, labels: Any) -> DocumentTermMatrix:
    """A count matrix whose documents are its rows: ``_row`` numbers them, ``label`` names them."""
    rows = np.arange(counts.shape[0], dtype=np.int64)
    labels = np.asarray([str(label) for label in labels], dtype=object)
    return DocumentTermMatrix(
        matrix=counts,
        counts=counts,
        documents=pd.DataFrame(
            {"doc": rows, "_row": rows, "municipality": labels, "label": labels}
        ),
        terms=pd.DataFrame({"term_id": np.arange(len(terms)), "term": terms}),
        weighting="count",
        by=("_row",),
    )


def section_keyness(corpus: LargeCorpus, settings: ReportSettings) -> Section:
    """Distinctive words of each municipality against all the others."""
    from compare.plot import plot_keyness

    key, title = "keyness", "自治体ごとの特徴語"
    if len(corpus.groups) < 2 or corpus.counts.shape[1] == 0:
        return Section(key=key, title=title, notice=NEED_TWO.format(n=len(corpus.groups)))
    names = corpus.groups["name"].to_numpy(dtype=object)
    table = row_keyness(corpus.counts, corpus.terms, names, top=30).drop(columns="_row")
    largest = _largest_groups(corpus, settings.max_keyness_panels)
    shown_names = [names[i] for i in largest]
    shown = table[table["target"].isin(shown_names)]
    shown = shown.assign(_order=shown["target"].map({n: i for i, n in enumerate(shown_names)}))
    shown = shown.sort_values(["_order", "rank"], kind="stable").drop(columns="_order")
    axes = plot_keyness(
        shown, n=settings.keyness_words, stat="g2", max_panels=settings.max_keyness_panels
    )
    summary = (
        table[table["rank"] <= settings.keyness_words]
        .groupby("target", sort=False)["word"]
        .agg("、".join)
        .reset_index()
        .rename(columns={"target": "municipality", "word": "特徴語"})
    )
    return Section(
        key=key,
        title=title,
        paragraphs=[
            "各自治体（同じ自治体の計画は合算）で、他のすべての自治体と比べて特に多く使われている語です"
            "（対数尤度比 G²、1,000 語あたりの頻度で長さの違いを補正）。棒の右の数字は出現回数です。",
            f"図は語数の多い上位 {len(shown_names)} 自治体。全 {len(corpus.groups)} 自治体の特徴語は"
            "表にあります。",
        ],
        figures=[
            ReportFigure(
                key="keyness",
                title="特徴語（他の自治体と比べて多い語）",
                caption=f"語数の多い自治体の上位 {settings.keyness_words} 語。",
                figure=figure_of(axes),
                tables=["keyness"],
            )
        ],
        tables=[
            ReportTable(
                key="keyness_top",
                sheet="特徴語_上位",
                title="特徴語（上位）",
                frame=summary,
                preview_rows=20,
            ),
            ReportTable(
                key="keyness", sheet="特徴語", title="特徴語（全体）", frame=table, shown=False
            ),
        ],
    )


def _largest_groups(corpus: LargeCorpus, n: int) -> list[int]:
    """The ``n`` municipalities with the most words (ties: first in the catalogue)."""
    tokens = corpus.groups["n_tokens"].to_numpy()
    order = np.lexsort((np.arange(len(tokens)), -tokens))
    return [int(i) for i in order[:n]]


# --------------------------------------------------------------------------- similarity


def section_similarity(corpus: LargeCorpus, settings: ReportSettings) -> Section:
    """Clusters of municipalities, a dendrogram, and a heatmap of the largest ones."""
    from compare.plot import plot_dendrogram, plot_similarity
    from compare.stats.clusters import Clustering

    key, title = "similarity", "自治体どうしの類似度とクラスタ"
    n = len(corpus.groups)
    if n < 2:
        return Section(key=key, title=title, notice=NEED_TWO.format(n=n))
    names = corpus.groups["name"].to_numpy(dtype=object)
    largest = sorted(_largest_groups(corpus, settings.heatmap_groups))
    figures = [
        ReportFigure(
            key="similarity",
            title=f"類似度ヒートマップ（語数の多い {len(largest)} 自治体）",
            caption="TF-IDF 重み付きの語彙のコサイン類似度。似た自治体が隣り合うよう並べ替えています。",
            figure=figure_of(plot_similarity(_pairs_table(corpus, largest), annotate=False)),
            tables=["similarity_top"],
        )
    ]
    clusters = _cluster_table(corpus)
    if corpus.linkage is not None:
        clustering = Clustering(
            assignments=pd.DataFrame({"label": names, "cluster": corpus.cluster}),
            clusters=clusters,
            shares=pd.DataFrame(),
            linkage=corpus.linkage,
            params={"method": "ウォード"},
        )
        figures.append(
            ReportFigure(
                key="dendrogram",
                title="自治体のクラスタリング（樹形図）",
                caption=(
                    "TF-IDF ベクトル（長さ 1）のユークリッド距離、ウォード法。自治体が多いときは最後の"
                    " 30 の結合のみを示し、"
                    "「(k)」は k 自治体の枝です。色はクラスタ。"
                ),
                figure=figure_of(plot_dendrogram(clustering, max_leaves=30)),
                tables=["clusters"],
            )
        )
    neighbours = _neighbours(corpus, 3)
    best = neighbours.sort_values(
        ["cosine", "municipality", "neighbour"], ascending=[False, True, True], kind="stable"
    ).iloc[0]
    corpus.findings.append(
        f"{n} 自治体は語彙の近さで {clusters['cluster'].nunique()} つのクラスタに分かれます"
        f"（最大のクラスタは {int(clusters['size'].max())} 自治体）。最も似ているのは "
        f"{best['municipality']} と {best['neighbour']}（コサイン類似度 {best['cosine']:.2f}）です。"
    )
    assignments = corpus.groups[
        ["municipality", "prefecture", "name", "n_plans", "n_tokens", "cluster", "plan_ids"]
    ]
    return Section(
        key=key,
        title=title,
        paragraphs=[
            "自治体（同じ自治体の計画は合算）の語彙がどれだけ似ているかを TF-IDF 重み付きの"
            "コサイン類似度で測り、ウォード法で階層的にクラスタリングしました。自治体が多いため、"
            "一覧の代わりにクラスタごとの規模・代表的な自治体・特徴語を示します。ヒートマップは"
            f"語数の多い {len(largest)} 自治体のみ。各自治体の所属クラスタと最も似た自治体は表にあります。",
        ],
        figures=figures,
        tables=[
            ReportTable(
                key="clusters",
                sheet="クラスタ",
                title="自治体のクラスタ",
                frame=clusters,
                preview_rows=settings.n_clusters,
            ),
            ReportTable(
                key="cluster_members",
                sheet="クラスタ_所属",
                title="自治体の所属クラスタ",
                frame=assignments,
                shown=False,
            ),
            ReportTable(
                key="similarity_top",
                sheet="類似度_近い自治体",
                title="各自治体に最も似た自治体",
                frame=neighbours,
                preview=["municipality", "neighbour", "cosine"],
                preview_rows=10,
            ),
        ],
    )


def _pairs_table(corpus: LargeCorpus, chosen: list[int]) -> pd.DataFrame:
    """:func:`compare.stat_similarity` of the chosen municipalities (weights from all)."""
    from compare.stats.similarity import stat_similarity

    names = corpus.groups["name"].to_numpy(dtype=object)
    dtm = _rows_dtm(corpus.counts, corpus.terms, names)
    return stat_similarity(dtm, by="_row", pairs="unique", among=chosen, vocabulary=None)


def _neighbours(corpus: LargeCorpus, k: int) -> pd.DataFrame:
    """Each municipality's ``k`` most similar others."""
    names = corpus.groups["name"].to_numpy(dtype=object)
    square = corpus.cosine.copy()
    np.fill_diagonal(square, -1.0)
    rows = []
    for i in range(len(square)):
        order = np.lexsort((np.arange(len(square)), -square[i]))[: min(k, len(square) - 1)]
        for rank, j in enumerate(order, start=1):
            rows.append(
                {
                    "municipality": names[i],
                    "rank": rank,
                    "neighbour": names[j],
                    "cosine": float(square[i, j]),
                    "cluster": int(corpus.cluster[i]),
                    "same_cluster": bool(corpus.cluster[i] == corpus.cluster[j]),
                }
            )
    return pd.DataFrame(rows)


def _cluster_table(corpus: LargeCorpus) -> pd.DataFrame:
    """One row per cluster: size, largest members and distinctive words (G² vs the rest)."""
    k = int(corpus.cluster.max()) if len(corpus.cluster) else 0
    indicator = sp.csr_matrix(
        (np.ones(len(corpus.cluster)), (corpus.cluster - 1, np.arange(len(corpus.cluster)))),
        shape=(k, len(corpus.cluster)),
    )
    counts = (indicator @ corpus.counts).tocsr()
    words = (
        row_keyness(counts, corpus.terms, np.arange(1, k + 1), top=10)
        if k >= 2 and counts.shape[1]
        else pd.DataFrame({"_row": [], "word": []})
    )
    tokens = corpus.groups["n_tokens"].to_numpy()
    names = corpus.groups["name"].to_numpy(dtype=object)
    rows = []
    for cluster in range(1, k + 1):
        members = np.flatnonzero(corpus.cluster == cluster)
        members = members[np.lexsort((members, -tokens[members]))]
        shown = "、".join(names[members[:8]]) + (
            f" ほか {len(members) - 8}" if len(members) > 8 else ""
        )
        rows.append(
            {
                "cluster": cluster,
                "size": len(members),
                "n_plans": int(corpus.groups["n_plans"].to_numpy()[members].sum()),
                "n_tokens": int(tokens[members].sum()),
                "members": shown,
                "top_words": "、".join(words[words["_row"] == cluster - 1]["word"].astype(str)),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- CA


def section_ca(corpus: LargeCorpus, settings: ReportSettings) -> Section:
    """Correspondence analysis of words × municipalities (the most frequent words)."""
    from compare.plot import plot_ca
    from compare.stats.ca import stat_ca

    key, title = "ca", "対応分析"
    if len(corpus.groups) < 3:
        return Section(
            key=key, title=title, notice="対応分析の散布図には 3 つ以上の自治体が必要です。"
        )
    totals = np.asarray(corpus.counts.sum(axis=0)).ravel()
    keep = np.flatnonzero(totals >= 3)
    order = np.lexsort((corpus.terms[keep].astype(str), -totals[keep]))
    keep = np.sort(keep[order[:150]])
    if keep.size < 3:
        raise AnalysisError("too few frequent words for a correspondence analysis")
    dense = corpus.counts[:, keep].toarray().T
    table = pd.DataFrame(
        dense, index=pd.Index(corpus.terms[keep], name="word"), columns=corpus.group_names
    )
    ca = stat_ca(table)
    return Section(
        key=key,
        title=title,
        paragraphs=[
            f"頻度上位 {keep.size} 語と {len(corpus.groups)} 自治体の対応分析です。近くに置かれた語は"
            "その自治体で相対的に多く使われています。図には寄与の大きい語 "
            f"{settings.ca_words} 語と自治体 40 件のみを示し、名前は寄与の大きい 15 自治体に付けています"
            "（全座標は表にあります）。",
        ],
        figures=[
            ReportFigure(
                key="ca",
                title="対応分析（語 × 自治体）",
                caption="赤い四角が自治体、青い点が語。",
                figure=figure_of(plot_ca(ca, max_rows=settings.ca_words)),
                tables=["ca_columns", "ca_rows", "ca_inertia"],
            )
        ],
        tables=[
            ReportTable(
                key="ca_inertia",
                sheet="対応分析_次元",
                title="各次元の説明率",
                frame=ca.inertia,
                preview_rows=5,
            ),
            ReportTable(
                key="ca_columns",
                sheet="対応分析_自治体",
                title="自治体の座標",
                frame=ca.columns,
                shown=False,
            ),
            ReportTable(
                key="ca_rows", sheet="対応分析_語", title="語の座標", frame=ca.rows, shown=False
            ),
        ],
    )


# --------------------------------------------------------------------------- sampled sections


def _sampled(function_name: str, key: str, title: str) -> Any:
    """A section of the small report run on the sample, with a note that says so."""

    def section(corpus: LargeCorpus, settings: ReportSettings) -> Section:
        from compare.report import sections as small

        if corpus.sample is None:
            return Section(key=key, title=title, notice="標本の計画がありません。")
        built = getattr(small, function_name)(corpus.sample, settings)
        built.title = f"{built.title}（標本）"
        note = _sample_note(corpus)
        if built.notice:
            built.notice = f"{built.notice} {note}"
        else:
            built.paragraphs.insert(0, note)
        return built

    section.__name__ = f"{function_name}_sampled"
    return section


#: (key, title shown while it runs, function), in the order of the report.
STEPS = [
    ("summary", "概要 (summary)", section_summary),
    ("themes", "テーマ比較 (themes)", section_themes),
    (*reliability.STEP, reliability.section_reliability),
    ("evidence", "引用 (evidence)", section_evidence),
    ("keyness", "特徴語 (keyness)", section_keyness),
    ("similarity", "類似度 (similarity)", section_similarity),
    ("goals", "目標の対応 (goal alignment)", _sampled("section_goals", "goals", "基本目標の対応")),
    (
        "network",
        "共起ネットワーク (co-occurrence)",
        _sampled("section_network", "network", "共起ネットワーク"),
    ),
    ("ca", "対応分析 (correspondence analysis)", section_ca),
    ("outline", "見出し構成 (outlines)", _sampled("section_outlines", "outline", "計画の構成")),
]

#: Sections that read what the others found.
RUN_LAST = {"summary", "evidence"}
