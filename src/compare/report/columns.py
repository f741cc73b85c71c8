"""What the columns and tables of a report mean, in Japanese, with units and rounding.

One place for the reader-facing description of every table: the workbook
headers (``割合（%）``, ``件数``), the rounding of each number (as the page
shows it), the unit of analysis and the source of each table (the first
sheet 説明 of ``tables.xlsx``).  The CSV files keep the column names and full
values of the analysis, for programs that read them back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    """A column as a reader sees it.

    ``digits`` rounds a number to that many decimals (``None``: as it is;
    ``"sig"``: three significant digits, for p-values); ``scale`` multiplies
    it first (100 turns a fraction into a percentage).
    """

    label: str
    unit: str = ""
    digits: int | str | None = None
    scale: float = 1.0

    @property
    def header(self) -> str:
        return f"{self.label}（{self.unit}）" if self.unit else self.label


_ID = Column("計画ID")
_SHARE = Column("割合", "%", 1, 100.0)
_COORD = Column("座標", "", 3)

#: Every column of the report's tables, by name.  A name with a meaning of its
#: own in one table is given as ``"table.column"`` (see :func:`column`).
COLUMNS: dict[str, Column] = {
    # the plans
    "plan_id": _ID,
    "name": Column("計画"),
    "municipality": Column("自治体"),
    "prefecture": Column("都道府県"),
    "municipality_code": Column("自治体コード"),
    "author": Column("策定主体"),
    "plan_type": Column("計画の種類"),
    "title": Column("名称"),
    "edition": Column("期・次"),
    "fiscal_year_start": Column("計画期間の始め", "年度"),
    "fiscal_year_end": Column("計画期間の終わり", "年度"),
    "published": Column("公表"),
    "doc_kind": Column("文書の種類"),
    "identification": Column("計画の特定"),
    "source": Column("出典"),
    "caveat": Column("計画の特定についての注記"),
    "notes": Column("備考"),
    "source_url": Column("出典 URL"),
    "retrieved": Column("取得日"),
    "sha256": Column("SHA-256"),
    "period": Column("計画期間"),
    "covers": Column("主な見出し（文書が扱う範囲）"),
    "coverage": Column("文書の範囲（種類: 含まれる節）"),
    "coverage_differs": Column("範囲の違い"),
    "shared_sections": Column("共通する節"),
    "coverage_note": Column("範囲についての注記"),
    "top_themes": Column("多いテーマ（該当段落の割合）"),
    "n_segments": Column("段落数（見出しを除く）"),
    "n_headings": Column("見出し", "件"),
    "n_tokens": Column("語数", "語"),
    "text_read": Column("本文を読んだ計画（ネットワーク・目標・対照表・構成）"),
    "neighbour": Column("似ている相手"),
    "similarity_neighbours.name": Column("比較の単位"),
    "n_matches": Column("テーマの語の出現数", "回"),
    # passages and outlines
    "seg_id": Column("段落番号"),
    "kind": Column("種類"),
    "level": Column("見出しの階層"),
    "depth": Column("階層"),
    "heading_path": Column("見出しの位置"),
    "section_id": Column("節番号"),
    "parent_seg_id": Column("親見出しの段落番号"),
    "line": Column("行"),
    "line_start": Column("開始行"),
    "line_end": Column("終了行"),
    "text": Column("本文"),
    "evidence": Column("根拠の語"),
    # themes
    "theme_id": Column("テーマID"),
    "label": Column("ラベル"),
    "theme": Column("テーマ"),
    "segments": Column("該当段落数（見出しを除く）"),
    "theme_shares.n_tokens": Column("段落の語数（見出しを除く）", "語"),
    "theme_test.n_tokens": Column("段落の語数（見出しを除く）", "語"),
    "share": _SHARE,
    "per_1000_tokens": Column("千語あたり", "回", 2),
    "expected": Column("期待度数", "件", 2),
    "adj_residual": Column("調整済み残差", "", 2),
    "chi2": Column("カイ二乗値", "", 2),
    "dof": Column("自由度", "", 0),
    "p_value": Column("p 値", "", "sig"),
    "p_adjusted": Column("補正 p 値", "", "sig"),
    "test": Column("検定"),
    "min_expected": Column("最小期待度数", "件", 2),
    # keyness
    "target": Column("対象"),
    "reference": Column("比較対象"),
    "rank": Column("順位"),
    "word": Column("語"),
    "count_target": Column("対象での出現数", "回"),
    "count_reference": Column("他での出現数", "回"),
    "total_target": Column("対象の総語数", "語"),
    "total_reference": Column("他の総語数", "語"),
    "per1000_target": Column("対象の千語あたり", "回", 2),
    "per1000_reference": Column("他の千語あたり", "回", 2),
    "g2": Column("G²", "", 2),
    "log_ratio": Column("対数比", "", 2),
    "direction": Column("方向"),
    "keyness": Column("特徴度", "", 2),
    # similarity
    "plan_a": Column("計画ID A"),
    "plan_b": Column("計画ID B"),
    "doc_a": Column("文書番号 A"),
    "doc_b": Column("文書番号 B"),
    "cosine": Column("コサイン類似度", "", 3),
    "jaccard": Column("Jaccard 係数", "", 3),
    "similarity": Column("類似度", "", 3),
    "mean_similarity": Column("平均類似度", "", 3),
    "n_terms_a": Column("語彙数 A", "語"),
    "n_terms_b": Column("語彙数 B", "語"),
    "n_shared": Column("共通語数", "語"),
    # network
    "word_a": Column("語 A"),
    "word_b": Column("語 B"),
    "cooccurrences": Column("共起", "段落"),
    "doc_freq": Column("出現段落数", "件"),
    "doc_freq_a": Column("出現段落数 A", "件"),
    "doc_freq_b": Column("出現段落数 B", "件"),
    "same_community": Column("同じグループ"),
    "frequency": Column("頻度", "回"),
    "degree": Column("次数"),
    "strength": Column("強度", "", 3),
    "degree_centrality": Column("次数中心性", "", 3),
    "betweenness": Column("媒介中心性", "", 3),
    "community": Column("グループ"),
    # correspondence analysis
    "count": Column("出現数", "回"),
    "mass": Column("質量", "", 4),
    "inertia": Column("慣性", "", 4),
    "dim1": Column("第1軸の座標", "", 3),
    "dim2": Column("第2軸の座標", "", 3),
    "ctr1": Column("第1軸への寄与", "%", 1, 100.0),
    "ctr2": Column("第2軸への寄与", "%", 1, 100.0),
    "cos2_1": Column("第1軸の表現度 cos²", "", 3),
    "cos2_2": Column("第2軸の表現度 cos²", "", 3),
    "dim": Column("次元"),
    "eigenvalue": Column("固有値（主慣性）", "", 4),
    "singular_value": Column("特異値", "", 4),
    "ca_inertia.share": Column("説明率", "%", 1, 100.0),
    "cumulative": Column("累積説明率", "%", 1, 100.0),
    # goal alignment
    "status": Column("対応"),
    "goal_a": Column("目標番号 A"),
    "goal_b": Column("目標番号 B"),
    "title_a": Column("目標 A"),
    "title_b": Column("目標 B"),
    "line_a": Column("行 A"),
    "line_b": Column("行 B"),
    "shared_words": Column("共通語"),
    "text_similarity": Column("本文の類似度", "", 3),
    "theme_similarity": Column("テーマ構成の類似度", "", 3),
    "shared_themes": Column("共通のテーマ"),
    "page": Column("ページ"),
    "page_label": Column("ページ表記"),
    "matched": Column("対応した目標", "件"),
    "only_a": Column("A のみの目標", "件"),
    "only_b": Column("B のみの目標", "件"),
    # the plan model
    "plan_model.row": Column("項目番号"),
    "plan_model.level": Column("共通の階層"),
    "plan_model.label": Column("計画での呼び方"),
    "number": Column("番号"),
    "plan_model.title": Column("題名"),
    "parent": Column("上位の項目番号"),
    "parent_title": Column("上位の項目"),
    "plan_model.source": Column("読み取り元"),
}

#: The columns that say which document a plan is and where it comes from, in the order
#: the table 資料一覧 and the slides' plan list show them.
PLAN_SOURCE_COLUMNS = (
    "municipality",
    "title",
    "edition",
    "period",
    "doc_kind",
    "identification",
    "source",
)

#: Columns of the tables whose other columns are plans or themes (each column a share).
TABLE_COLUMNS: dict[str, Column] = {
    "theme_share_matrix": Column("割合", "%", 1),
}

#: Words of the analysis shown in Japanese (in the workbook, and in the page's tables that
#: name them).
VALUES: dict[str, dict[str, str]] = {
    "test": {
        "chi2": "χ² 検定",
        "fisher_exact": "Fisher 正確確率検定",
        "fisher_exact_monte_carlo": "Fisher 正確確率検定（モンテカルロ）",
        "none": "検定なし（該当が 0 件、またはすべての段落が該当）",
    },
    "status": {"matched": "対応あり", "only_a": "A のみ", "only_b": "B のみ"},
    "direction": {"target": "対象に多い", "reference": "他に多い"},
    "kind": {
        "heading": "見出し",
        "paragraph": "段落",
        "list_item": "箇条書き",
        "table_row": "表の行",
        "caption": "図表の見出し",
        "meta": "表紙・奥付",
    },
}


@dataclass(frozen=True)
class TableSpec:
    """A table of the report as a reader sees it: its sheet, its title, what one
    row is (``unit``) and where it comes from (``source``), the last two for the
    workbook's 説明 sheet.

    ``by_unit``: the rows are compared units, so when the report compares
    municipalities (``ReportSettings.group_by``) every 計画 in these words
    reads 自治体 (:meth:`as_compared`).
    """

    sheet: str
    title: str
    unit: str = ""
    source: str = ""
    by_unit: bool = False

    def as_compared(self, unit_word: str) -> TableSpec:
        """The words of the table when ``unit_word`` (計画 or 自治体) is what is compared."""
        if not self.by_unit or unit_word == "計画":
            return self
        return TableSpec(
            *(text.replace("計画", unit_word) for text in self.texts), by_unit=self.by_unit
        )

    @property
    def texts(self) -> tuple[str, str, str, str]:
        return self.sheet, self.title, self.unit, self.source


#: Every table of the report, by key: the one place that says what each table is.
TABLES: dict[str, TableSpec] = {
    # summary
    "plans": TableSpec(
        "計画一覧",
        "計画一覧と各文書の範囲",
        "1 行 = 1 計画",
        "カタログと計画本文（段落・語数・見出しの集計）",
    ),
    "sources": TableSpec(
        "資料一覧",
        "資料一覧（名称・期間・文書の種類・計画の特定・出典）",
        "1 行 = 1 計画",
        "カタログ（名称・期・計画期間・文書の種類・identification・source_url・retrieved）",
    ),
    # themes
    "theme_test_summary": TableSpec(
        "テーマ検定_要約",
        "計画間の差の検定（テーマごと）",
        "1 行 = 1 テーマ",
        "表「テーマ検定」の要約（補正 p 値）",
        by_unit=True,
    ),
    "theme_shares_by_type": TableSpec(
        "テーマ割合_種類別",
        "テーマ別の割合（計画の種類別）",
        "1 行 = 計画の種類ごとの 1 テーマ",
        "テーマ定義の規則による段落の判定（計画の種類ごとに合計）",
    ),
    "theme_share_matrix": TableSpec(
        "テーマ割合_一覧",
        "テーマ別の割合（%）",
        "1 行 = 1 テーマ（列 = 計画）",
        "表「テーマ割合」の割合（%）",
    ),
    "theme_test": TableSpec(
        "テーマ検定",
        "テーマ検定（全体）",
        "1 行 = 計画ごとの 1 テーマ",
        "テーマ該当段落数の検定（計画間の差）",
        by_unit=True,
    ),
    "theme_shares": TableSpec(
        "テーマ割合",
        "テーマ別の割合（全体）",
        "1 行 = 計画ごとの 1 テーマ",
        "テーマ定義の規則による段落の判定",
    ),
    # reliability
    "coding_agreement": TableSpec("コーディングの信頼性", "人手コーディングとの一致（95% 区間）"),
    "coding_agreement_full": TableSpec("一致度_詳細", "人手コーディングとの一致（詳細）"),
    # evidence
    "quotes": TableSpec(
        "引用",
        "引用した記述",
        "1 行 = 1 引用",
        "テーマに該当した段落の本文（出典の行番号、PDF はページつき）",
    ),
    "quote_candidates": TableSpec(
        "引用候補",
        "引用の候補（計画 × テーマ）",
        "1 行 = 計画ごとの 1 テーマ",
        "各計画でテーマの語が最も多く現れる段落（テーマ定義の規則による判定）",
    ),
    "theme_segments": TableSpec(
        "テーマ判定_段落",
        "段落ごとのテーマ判定",
        "1 行 = 1 段落",
        "テーマ定義の規則による段落の判定",
    ),
    # keyness
    "keyness_top": TableSpec(
        "特徴語_上位", "特徴語（上位）", "1 行 = 1 計画", "表「特徴語」の上位の語", by_unit=True
    ),
    "keyness": TableSpec(
        "特徴語",
        "特徴語（全体）",
        "1 行 = 計画ごとの 1 語",
        "計画本文の語（G² による特徴語の検定 stat_keyness）",
        by_unit=True,
    ),
    # similarity
    "similarity": TableSpec(
        "類似度",
        "類似度の高い組",
        "1 行 = 計画の 1 組",
        "計画本文の語の頻度（コサイン・Jaccard 類似度）",
        by_unit=True,
    ),
    "similarity_neighbours": TableSpec(
        "類似度_近い順",
        "各計画に最も似た計画",
        "1 行 = 計画ごとの似ている相手 1 件",
        "計画本文の語の頻度（TF-IDF のコサイン類似度の上位）",
        by_unit=True,
    ),
    # goals and policies (the plans read in full)
    "goal_pairs": TableSpec(
        "目標対応_要約",
        "計画の組ごとの対応",
        "1 行 = 計画の 1 組",
        "基本目標の見出しの対応づけ（語の類似度）",
    ),
    "goal_alignment": TableSpec(
        "目標対応",
        "目標の対応（全体）",
        "1 行 = 目標の 1 組",
        "基本目標の見出しの対応づけ（語の類似度）",
    ),
    "policy_matrix": TableSpec(
        "施策の対照表",
        "施策の対照表（セルは基本目標の題名）",
        "1 行 = 1 計画（列 = テーマ）",
        "計画の構造モデルの基本目標と、その本文・配下の施策のテーマ判定",
    ),
    "plan_model": TableSpec(
        "計画の構造モデル",
        "計画の構造モデル（基本理念・基本目標・基本方針・施策・指標）",
        "1 行 = 計画の構造の 1 項目",
        "見出し・番号付きの一覧・施策体系表・成果指標表から読み取った計画の構造",
    ),
    # co-occurrence network
    "network_communities": TableSpec(
        "共起_グループ", "語のグループ", "1 行 = 1 グループ", "共起ネットワークのグループ分け"
    ),
    "network_nodes": TableSpec(
        "共起_ノード",
        "共起ネットワークの語",
        "1 行 = 1 語",
        "段落単位の語の共起（Jaccard 係数のネットワーク）",
    ),
    "network_edges": TableSpec(
        "共起_エッジ",
        "共起ネットワークの線",
        "1 行 = 語の 1 組",
        "段落単位の語の共起（Jaccard 係数のネットワーク）",
    ),
    # correspondence analysis
    "ca_inertia": TableSpec(
        "対応分析_次元",
        "各次元の説明率",
        "1 行 = 1 次元",
        "計画 × 語の頻度表の対応分析",
        by_unit=True,
    ),
    "ca_columns": TableSpec(
        "対応分析_計画", "計画の座標", "1 行 = 1 計画", "計画 × 語の頻度表の対応分析", by_unit=True
    ),
    "ca_rows": TableSpec(
        "対応分析_語", "語の座標", "1 行 = 1 語", "計画 × 語の頻度表の対応分析", by_unit=True
    ),
    # outlines
    "outline": TableSpec(
        "見出し一覧", "見出し一覧", "1 行 = 1 見出し", "計画本文の見出し（compare outline）"
    ),
}


def column(name: str, table: str = "") -> Column | None:
    """The description of column ``name`` of table ``table`` (None when unknown)."""
    return COLUMNS.get(f"{table}.{name}") or COLUMNS.get(name) or _suffixed(name)


def _suffixed(name: str) -> Column | None:
    """``municipality_a`` → 自治体 A: a known column for one side of a pair."""
    for suffix in ("_a", "_b"):
        base = COLUMNS.get(name[: -len(suffix)]) if name.endswith(suffix) else None
        if base is not None:
            side = suffix[1:].upper()
            return Column(f"{base.label} {side}", base.unit, base.digits, base.scale)
    return None


def header(name: str, table: str = "", labels: dict[str, str] | None = None) -> str:
    """The Japanese header of a column, with its unit; ``labels`` names theme-id columns."""
    if labels and name in labels:
        return labels[name]
    found = column(name, table)
    return found.header if found is not None else str(name)


def rounded(value: Any, spec: Column | None) -> Any:
    """``value`` scaled and rounded as the report shows it (other values unchanged)."""
    if spec is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return value
    value = value * spec.scale if spec.scale != 1 else value
    if spec.digits is None:
        return value
    if spec.digits == "sig":
        return _significant(float(value), 3)
    places = int(spec.digits)
    number = round(float(value), places)
    return int(number) if places == 0 else number


def _significant(value: float, digits: int) -> float:
    if value == 0:
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def number_format(spec: Column | None) -> str | None:
    """The Excel number format that shows a rounded number with its decimals."""
    if spec is None or spec.digits is None or spec.digits == "sig":
        return None
    places = int(spec.digits)
    return "0" if places == 0 else "0." + "0" * places
