"""Tests of compare.structure.segment: the SEGMENTS contract, headings and nesting, text repair, losslessness.

Expected outlines of the five bundled plans were written by hand from the texts
(tests/data/outlines/<plan_id>.json).  The constructed texts below imitate plans
that are not in the corpus (a prefectural plan, a 社協 plan with ■ headings, a
web-page summary, a hard-wrapped PDF extract, a 施策の展開 chapter) and carry
hand-written outlines given as (heading line, depth).
"""

from __future__ import annotations

import json
import string
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare import outline, read_catalog, read_corpus, read_plan, segment_text
from compare.errors import InputFileError, SegmentationWarning
from tests.outline_score import score_outline, total_score

ROOT = Path(__file__).parents[1]
PLANS = ROOT / "data" / "plans"
OUTLINES = Path(__file__).parent / "data" / "outlines"
SEED_IDS = ["sumida", "tama-6", "tokorozawa-2", "odawara-shakyo-4", "shimonoseki"]

PREFECTURE = """第４期さくら県地域福祉支援計画
令和６年３月
さくら県
目 次
第１章 計画の策定にあたって ････････････････････ 1
第２章 地域福祉を取り巻く現状と課題 ･･････････････ 5
第３章 計画の基本的な考え方 ･････････････････････ 12

第２章 地域福祉を取り巻く現状と課題

第１節 人口と世帯の状況

１ 人口の推移
本県の総人口は、平成７年の約 190 万人をピークに減少を続けており、令和５年には約
170 万人となっています。今後も人口減少と高齢化が進むことが見込まれます。

図表２－１ 総人口と高齢化率の推移
資料：総務省「国勢調査」

２ 世帯の状況
単身世帯や高齢者のみの世帯が増加しており、家族による支え合いの機能が弱まっていま
す。

第２節 地域福祉を取り巻く課題

１ 地域のつながりの希薄化
（１）地域活動の担い手不足
自治会や民生委員・児童委員など、地域活動を支える担い手の高齢化が進み、新たな担い
手の確保が課題となっています。
（２）孤立・孤独の問題
社会的に孤立している人が増えています。特に次のような課題が指摘されています。
① 相談先がわからない
② 支援を拒否する
③ 制度の狭間にある
２ 複合化・複雑化した課題への対応
８０５０問題やダブルケアなど、一つの世帯が複数の課題を抱える事例が増えています。
ア 包括的な相談支援体制
属性や世代を問わない相談を受け止める体制が求められています。
イ 多機関協働の推進
関係機関が連携して支援する仕組みづくりが必要です。

第３章 計画の基本的な考え方

第１節 基本理念
誰もが役割を持ち、支え合いながら、住み慣れた地域で安心して暮らし続けられる地域共
生社会の実現を目指します。
第２節 基本目標
基本目標１ 包括的な支援体制の構築
市町村における重層的支援体制整備事業の実施を支援します。
基本目標２ 地域福祉を担う人材の育成
福祉人材の確保・育成・定着に取り組みます。
基本目標３ 安心して暮らせる地域づくり
災害時の要配慮者支援や権利擁護の取組を推進します。
"""

PREFECTURE_OUTLINE = [
    ("第２章 地域福祉を取り巻く現状と課題", 1),
    ("第１節 人口と世帯の状況", 2),
    ("１ 人口の推移", 3),
    ("２ 世帯の状況", 3),
    ("第２節 地域福祉を取り巻く課題", 2),
    ("１ 地域のつながりの希薄化", 3),
    ("（１）地域活動の担い手不足", 4),
    ("（２）孤立・孤独の問題", 4),
    ("２ 複合化・複雑化した課題への対応", 3),
    ("ア 包括的な相談支援体制", 4),
    ("イ 多機関協働の推進", 4),
    ("第３章 計画の基本的な考え方", 1),
    ("第１節 基本理念", 2),
    ("第２節 基本目標", 2),
    ("基本目標１ 包括的な支援体制の構築", 3),
    ("基本目標２ 地域福祉を担う人材の育成", 3),
    ("基本目標３ 安心して暮らせる地域づくり", 3),
]

SHAKYO = """第５次さくら市地域福祉活動計画
～みんなでつくる 支え合いのまち～
社会福祉法人さくら市社会福祉協議会

■ 計画の目的

この計画は、住民・関係機関・社会福祉協議会が協働して地域福祉を推進するための民間の行動計画です。

■ 計画の期間

令和６年度から令和１０年度までの５年間とします。

■ 基本目標と推進項目

【基本目標１】 つながる地域づくり

地域の中で顔の見える関係をつくり、孤立を防ぎます。

推進項目① 見守り活動の推進

□ 小地域ネットワーク活動の支援
□ 見守りボランティアの養成
□ 安否確認の仕組みづくり

推進項目② 居場所づくり

・ふれあいいきいきサロンの立ち上げ支援
・子ども食堂への支援

【基本目標２】 支える人を育てる

ボランティアや福祉活動の担い手を発掘し、育てます。

推進項目① ボランティアセンターの機能強化

ボランティア活動の相談・調整機能を強化し、参加のきっかけをつくります。

推進項目② 福祉教育の推進

学校や地域と連携し、子どもから大人までの福祉教育を進めます。

■ 計画の推進体制

計画の進捗は、推進委員会で毎年度評価します。

発行：社会福祉法人さくら市社会福祉協議会
〒000-0000 さくら市さくら町1-2-3
TEL 000-000-0000　FAX 000-000-0001
"""

SHAKYO_OUTLINE = [
    ("■ 計画の目的", 1),
    ("■ 計画の期間", 1),
    ("■ 基本目標と推進項目", 1),
    ("【基本目標１】 つながる地域づくり", 2),
    ("推進項目① 見守り活動の推進", 3),
    ("推進項目② 居場所づくり", 3),
    ("【基本目標２】 支える人を育てる", 2),
    ("推進項目① ボランティアセンターの機能強化", 3),
    ("推進項目② 福祉教育の推進", 3),
    ("■ 計画の推進体制", 1),
]

WEB = """さくら市地域福祉計画（第３期）の概要
更新日：2024年4月1日
ページ番号：12345

計画策定の趣旨
少子高齢化や単身世帯の増加により、地域の支え合いの力が弱まっています。市では、誰もが安心して暮らせる地域共生社会の実現に向けて、第３期計画を策定しました。

計画の期間
令和６年度から令和11年度までの６年間です。

基本理念
「ともに支え合い 誰もが自分らしく暮らせるまち」

基本目標
1. 地域でつながり支え合う
2. 必要な支援が届く
3. 安心・安全に暮らせる

重点的な取組
(1) 重層的支援体制の整備
分野を超えた相談を受け止め、関係機関が協働して支援します。
(2) 地域福祉コーディネーターの配置
すべての地区に地域福祉コーディネーターを配置します。
(3) 災害時の避難支援
避難行動要支援者の個別避難計画の作成を進めます。

計画書のダウンロード
第３期地域福祉計画（PDF：2.5MB）
概要版（PDF：800KB）

お問い合わせ
福祉部 福祉政策課 地域福祉係
電話：000-000-0000
メール：fukushi@city.example.lg.jp
"""

WEB_OUTLINE = [
    ("計画策定の趣旨", 1),
    ("計画の期間", 1),
    ("基本理念", 1),
    ("基本目標", 1),
    ("重点的な取組", 1),
    ("(1) 重層的支援体制の整備", 2),
    ("(2) 地域福祉コーディネーターの配置", 2),
    ("(3) 災害時の避難支援", 2),
    ("計画書のダウンロード", 1),
]

WRAPPED = """Ⅰ 計画の概要

１．計画策定の背景と趣旨

近年、少子高齢化の進行や単身世帯の増加、地域のつながりの希薄化などにより、地域

社会を取り巻く環境は大きく変化しています。こうした中、国においては地域共生社会

の実現に向けた取組が進められています。

２．計画の位置づけ

本計画は、社会福祉法第 107 条に基づく市町村地域福祉計画であり、本市の総合計画

を上位計画とする福祉分野の基本計画です。

- 3 -

Ⅱ 計画の基本的な考え方

１．基本理念

ともに生き、ともに支え合う 心かようまち

２．基本目標

（１）地域でつながる仕組みづくり

住民同士が日頃から顔を合わせ、声をかけ合える関係を育てるため、身近な場所での交

流の機会を増やしていきます。

（２）誰一人取り残さない相談支援

複合的な課題を抱える世帯を早期に把握し、関係機関が連携して、必要な支援につなげ

ていきます。

３．計画の推進

計画の進捗状況は毎年度点検し、地域福祉推進委員会に報告します。
"""

WRAPPED_OUTLINE = [
    ("Ⅰ 計画の概要", 1),
    ("１．計画策定の背景と趣旨", 2),
    ("２．計画の位置づけ", 2),
    ("Ⅱ 計画の基本的な考え方", 1),
    ("１．基本理念", 2),
    ("２．基本目標", 2),
    ("（１）地域でつながる仕組みづくり", 3),
    ("（２）誰一人取り残さない相談支援", 3),
    ("３．計画の推進", 2),
]

CHAPTERS = """はじめに

本市では、平成 30 年に第２期計画を策定し、地域福祉の推進に取り組んできました。

第１章

計画の策定にあたって

１ 計画策定の趣旨

地域福祉とは、住み慣れた地域で安心して暮らせるよう、住民や関係者が協力して地域の課題を解決する取組です。

２ 計画の期間

本計画の期間は、令和６年度から令和１０年度までの５年間とします。

第２章

地域の現状

１ 統計からみた現状

(1) 人口

本市の人口は減少傾向にあります。

(2) 高齢化率

高齢化率は 30％を超えています。

２ アンケート調査の結果

地域活動に参加したことがある人の割合は 25.3％でした。
"""

CHAPTERS_OUTLINE = [
    ("はじめに", 1),
    ("第１章", 1),
    ("１ 計画策定の趣旨", 2),
    ("２ 計画の期間", 2),
    ("第２章", 1),
    ("１ 統計からみた現状", 2),
    ("(1) 人口", 3),
    ("(2) 高齢化率", 3),
    ("２ アンケート調査の結果", 2),
]

UNSEEN = {
    "prefecture": (PREFECTURE, PREFECTURE_OUTLINE),
    "shakyo": (SHAKYO, SHAKYO_OUTLINE),
    "web": (WEB, WEB_OUTLINE),
    "wrapped": (WRAPPED, WRAPPED_OUTLINE),
    "chapters": (CHAPTERS, CHAPTERS_OUTLINE),
}


def expected_outline(text: str, spec: list[tuple[str, int]]) -> list[dict]:
    """Turn (line text, depth) pairs into {"line", "depth"} by locating each line once, in order."""
    lines = text.split("\n")
    out, start = [], 0
    for heading, depth in spec:
        index = next(i for i in range(start, len(lines)) if lines[i].strip() == heading)
        out.append({"line": index + 1, "depth": depth, "text": heading})
        start = index + 1
    return out


MEASURES = """第３章 施策の展開

基本目標１ 地域でつながり、支え合うまちづくり

施策の方向１ 見守り・支え合い活動の推進

【現状と課題】
アンケート調査では、近所付き合いが「ほとんどない」と回答した人の割合が増えてい
ます。
【今後の方向性】
地域の見守り活動を広げ、孤立を防ぐ取組を進めます。

主な取組
○ 民生委員・児童委員による見守り活動の支援
○ 小地域福祉活動の推進
○ 見守りネットワーク協定の拡充

【成果指標】
指標\t現状値（令和４年度）\t目標値（令和10年度）
近所付き合いがある人の割合\t52.3％\t60.0％

施策の方向２ 居場所づくりと交流の促進

【現状と課題】
サロンや子ども食堂などの居場所は増えていますが、地域による差があります。
【今後の方向性】
誰もが気軽に集える居場所を身近な地域に広げます。

- 15 -

基本目標２
必要な支援が確実に届く仕組みづくり

施策の方向１ 包括的な相談支援体制の整備

１ 分野を超えた相談を受け止めます。
２ 関係機関の連携会議を定期的に開催します。
３ アウトリーチによる早期把握を進めます。

施策の方向２ 権利擁護の推進
成年後見制度の利用促進に向け、中核機関の機能を強化します。
"""

MEASURES_OUTLINE = [
    ("第３章 施策の展開", 1),
    ("基本目標１ 地域でつながり、支え合うまちづくり", 2),
    ("施策の方向１ 見守り・支え合い活動の推進", 3),
    ("【現状と課題】", 4),
    ("【今後の方向性】", 4),
    ("主な取組", 4),
    ("【成果指標】", 4),
    ("施策の方向２ 居場所づくりと交流の促進", 3),
    ("【現状と課題】", 4),
    ("【今後の方向性】", 4),
    ("基本目標２", 2),
    ("施策の方向１ 包括的な相談支援体制の整備", 3),
    ("施策の方向２ 権利擁護の推進", 3),
]

UNSEEN["measures"] = (MEASURES, MEASURES_OUTLINE)

# A 推進 chapter of another city's plan: figure captions left behind by PDF
# extraction (a bracketed caption followed only by blank lines, and one naming
# a figure), a 第N章 cross-reference inside the chapter, a slogan label line and a
# glossary table.  Outline written by hand.
PROMOTION = """第５章 計画の推進

１ 推進体制

本計画は、市民、地域団体、社会福祉協議会、市が協働して推進します。

〔地域福祉推進の体制〕



２ 進捗管理と評価

毎年度、地域福祉推進委員会において取組状況を点検し、評価します。

＜図 ＰＤＣＡサイクルによる進行管理＞



３ 計画の合言葉

本計画を市民に親しんでいただくため、次の合言葉を掲げます。

合言葉 ～となり近所で ささえあい～

合言葉には、身近な地域でお互いに支え合う関係を広げたいという思いを込めています。

４ 参考資料

第３章 施策の展開に記載の事業の所管課について

第３章の各事業の所管課は、年度ごとに見直します。

（１）用語の解説

用語\t解説
生活支援コーディネーター\t地域の支え合い活動を広げるために配置される専門職
避難行動要支援者\t災害時の避難に特に支援が必要な人
ボランティアコーディネーター\tボランティア活動の相談・調整を行う職員
"""

PROMOTION_OUTLINE = [
    ("第５章 計画の推進", 1),
    ("１ 推進体制", 2),
    ("２ 進捗管理と評価", 2),
    ("３ 計画の合言葉", 2),
    ("４ 参考資料", 2),
    ("第３章 施策の展開に記載の事業の所管課について", 3),
    ("（１）用語の解説", 4),
]

UNSEEN["promotion"] = (PROMOTION, PROMOTION_OUTLINE)


def found_outline(segments: pd.DataFrame) -> list[dict]:
    heads = outline(segments)
    return [
        {"line": int(line), "depth": int(depth), "text": text}
        for line, depth, text in zip(heads["line"], heads["depth"], heads["text"], strict=True)
    ]


def segment_quietly(text: str, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SegmentationWarning)
        return segment_text(text, **kwargs)


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return read_corpus()


def plan(corpus: pd.DataFrame, plan_id: str) -> pd.DataFrame:
    return corpus.loc[corpus["plan_id"] == plan_id].reset_index(drop=True)


# --- contract ---------------------------------------------------------------------------

CONTRACT = [
    "plan_id", "municipality", "prefecture", "municipality_code", "author", "plan_type", "title",
    "edition", "fiscal_year_start", "fiscal_year_end", "published", "doc_kind", "seg_id", "kind",
    "level", "heading_path", "section_id", "text", "raw", "cells", "line_start", "line_end",
    "page", "page_label",
]  # fmt: skip


def test_corpus_has_contract_columns_in_catalogue_order(corpus):
    assert list(corpus.columns) == CONTRACT
    assert list(dict.fromkeys(corpus["plan_id"])) == list(read_catalog()["plan_id"])
    assert set(corpus["kind"]) <= {"heading", "paragraph", "list_item", "table_row", "meta"}
    for column in ("seg_id", "level", "line_start", "line_end"):
        assert corpus[column].dtype == "int64"
    # Text sources have no pages: the page column is missing, the label empty.
    assert corpus["page"].dtype == "Int64" and corpus["page"].isna().all()
    # Text columns hold Python strings (object dtype), not pandas' string dtype.
    for column in ("plan_id", "municipality", "kind", "heading_path", "text", "raw"):
        assert corpus[column].dtype == object
        assert all(type(value) is str for value in corpus[column])
    assert corpus["cells"].dtype == object
    assert (corpus["page_label"] == "").all()
    assert corpus.loc[corpus["plan_id"] == "sumida", "municipality"].eq("墨田区").all()
    assert set(corpus.attrs["encoding"]) == set(SEED_IDS)
    assert (
        corpus.attrs["sha256"]["tama-6"]
        == read_catalog().set_index("plan_id").loc["tama-6", "sha256"]
    )


@pytest.mark.parametrize("plan_id", SEED_IDS)
def test_segments_are_ordered_and_ids_consistent(corpus, plan_id):
    segs = plan(corpus, plan_id)
    assert segs["seg_id"].tolist() == list(range(len(segs)))
    assert (segs["line_start"] <= segs["line_end"]).all()
    assert (segs["line_start"].iloc[1:].to_numpy() > segs["line_end"].iloc[:-1].to_numpy()).all()
    current = f"{plan_id}/0"
    for row in segs.itertuples():
        if row.kind == "heading":
            assert row.heading_path.split(" > ")[-1] == row.text
            assert len(row.heading_path.split(" > ")) == row.level
            assert row.section_id != current
            current = row.section_id
        assert row.section_id == current
        assert (row.cells is not None) == (row.kind == "table_row")
    # one section_id per heading: stable, unique
    heads = segs[segs["kind"] == "heading"]
    assert heads["section_id"].is_unique


def test_body_before_first_heading_has_level_zero(corpus):
    segs = plan(corpus, "tokorozawa-2")
    first = segs.index[segs["kind"] == "heading"][0]
    assert (segs.loc[: first - 1, "level"] == 0).all()
    assert (segs.loc[: first - 1, "heading_path"] == "").all()


def test_same_input_same_output():
    text = (PLANS / "odawara-shakyo-4.txt").read_text(encoding="utf-8")
    first = segment_quietly(text, plan_id="x")
    second = segment_quietly(text, plan_id="x")
    pd.testing.assert_frame_equal(first, second)


# --- lossless -----------------------------------------------------------------------------


def assert_lossless(text: str, segs: pd.DataFrame) -> None:
    lines = text.split("\n")
    joined = "".join(segs["raw"])
    assert [c for c in joined if not c.isspace()] == [c for c in text if not c.isspace()]
    for row in segs.itertuples():
        assert row.raw == "\n".join(lines[row.line_start - 1 : row.line_end])


@pytest.mark.parametrize("plan_id", SEED_IDS)
def test_seeds_are_lossless(corpus, plan_id):
    text = (PLANS / f"{plan_id}.txt").read_text(encoding="utf-8")
    assert_lossless(text, plan(corpus, plan_id))


PIECES = st.sampled_from(
    ["\n", "\n\n", "\t", " ", "\u3000", "。", "、", "1 ", "(1)", "（２）", "①", "ア ", "Ⅱ ", "第3章 ",
     "基本目標1 ", "◆", "●", "■", "◎", "【", "】", "～", "「", "」", "・", "- ", "<li>", "</p>",
     "<ul style=\"x\">", "地域福祉", "計画", "の推進", "を向け", "電話 03-1234-5678", "令和6年3月",
     "a@b.jp", "……12", "\r", "\x0c", "\u2028"]
)  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.one_of(PIECES, st.text(alphabet=string.printable + "あ漢字", max_size=8)), max_size=80
    ).map("".join),
)


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_lossless_on_arbitrary_text(text):
    segs = segment_quietly(text)
    assert_lossless(text, segs)
    if len(segs):
        assert segs["seg_id"].tolist() == list(range(len(segs)))
        assert (segs["level"] >= 0).all()


# --- accuracy against hand-checked outlines -------------------------------------------


def test_seed_outlines_match_hand_checked(corpus):
    pairs = []
    for plan_id in SEED_IDS:
        expected = json.loads((OUTLINES / f"{plan_id}.json").read_text(encoding="utf-8"))
        found = found_outline(plan(corpus, plan_id))
        assert score_outline(expected, found)["f1"] >= 0.9, plan_id
        pairs.append((expected, found))
    total = total_score(pairs)
    assert total["f1"] >= 0.95
    assert total["parent_accuracy"] >= 0.9


def test_unseen_style_outlines_match_hand_checked():
    pairs = []
    for name, (text, spec) in UNSEEN.items():
        found = found_outline(segment_quietly(text, plan_id=name))
        pairs.append((expected_outline(text, spec), found))
    total = total_score(pairs)
    assert total["f1"] >= 0.85
    assert total["parent_accuracy"] >= 0.85


@pytest.mark.parametrize(
    ("expected", "found", "f1", "parent"),
    [
        ([{"line": 1, "depth": 1}, {"line": 3, "depth": 2}], [{"line": 1, "depth": 1}, {"line": 3, "depth": 2}], 1.0, 1.0),
        ([{"line": 1, "depth": 1}, {"line": 3, "depth": 2}], [{"line": 1, "depth": 1}, {"line": 3, "depth": 1}], 1.0, 0.5),
        ([{"line": 1, "depth": 1}, {"line": 3, "depth": 1}], [{"line": 1, "depth": 1}], 2 / 3, 1.0),
        ([{"line": 1, "depth": 1}], [{"line": 2, "depth": 1}], 0.0, 0.0),
    ],
)  # fmt: skip
def test_scorer(expected, found, f1, parent):
    result = score_outline(expected, found)
    assert result["f1"] == pytest.approx(f1)
    assert result["parent_accuracy"] == pytest.approx(parent)


# --- headings and nesting on the seeds --------------------------------------------------


@pytest.mark.parametrize(
    ("plan_id", "line", "depth", "parent_line"),
    [
        ("sumida", 19, 1, None),  # 2 計画の基本目標
        ("sumida", 23, 2, 19),  # goal 1 nests under "2" although it uses the same marker
        ("sumida", 36, 2, 19),  # goal 4
        ("sumida", 40, 1, None),  # 3 計画の体系図 continues the outer sequence
        ("tokorozawa-2", 43, 2, 37),  # 基本方針Ⅰ with its name on line 45
        ("shimonoseki", 11, 3, 5),  # (1) under 1 under 第6章
        ("odawara-shakyo-4", 30, 2, 19),  # 基本目標2 with 「name」 on the next line
    ],
)
def test_nesting_from_number_sequences(corpus, plan_id, line, depth, parent_line):
    found = found_outline(plan(corpus, plan_id))
    by_line = {item["line"]: item for item in found}
    assert by_line[line]["depth"] == depth
    parent = None
    for item in found:
        if item["line"] == line:
            break
        if item["depth"] < depth:
            parent = item["line"]
    assert parent == parent_line


@pytest.mark.parametrize(
    ("plan_id", "line", "kind"),
    [
        ("tama-6", 1, "meta"),  # title
        ("tokorozawa-2", 13, "meta"),  # cover date
        ("tokorozawa-2", 14, "meta"),  # publisher
        ("tokorozawa-2", 188, "meta"),  # phone
        ("tokorozawa-2", 191, "meta"),  # e-mail
        ("tokorozawa-2", 182, "meta"),  # title repeated in the colophon
        ("tokorozawa-2", 70, "table_row"),
        ("tokorozawa-2", 104, "list_item"),  # A/B/C listed without text: an enumeration
        ("tama-6", 24, "list_item"),  # "２ …" continuing "基本方針 １ …"
        ("odawara-shakyo-4", 25, "list_item"),  # "- ・ …"
        ("odawara-shakyo-4", 7, "paragraph"),  # the vision in 「」 is text, not a heading
        ("shimonoseki", 69, "table_row"),  # a row starting with "1 …" is not a heading
        ("shimonoseki", 74, "list_item"),  # footnote
    ],
)
def test_kinds(corpus, plan_id, line, kind):
    segs = plan(corpus, plan_id)
    row = segs[(segs["line_start"] <= line) & (segs["line_end"] >= line)]
    assert row["kind"].tolist() == [kind]


# --- text repair --------------------------------------------------------------------------


def test_pdf_wraps_rejoined_across_blank_lines(corpus):
    segs = plan(corpus, "tama-6")
    row = segs[segs["line_start"] == 6].iloc[0]
    assert row["line_end"] == 10
    assert "住んでいる地域に目を向け、できることに" in row["text"]
    assert row["text"].endswith("活動しています。")
    assert "\n\n" in row["raw"]


def test_headings_not_glued_onto_prose(corpus):
    segs = plan(corpus, "tama-6")
    row = segs[segs["line_start"] == 38].iloc[0]
    assert row["line_end"] == 42  # 43 is " 基本目標２ …", directly after the paragraph
    assert segs[segs["line_start"] == 43]["kind"].item() == "heading"


def test_html_stripped_words_kept(corpus):
    segs = plan(corpus, "odawara-shakyo-4")
    row = segs[segs["line_start"] == 67].iloc[0]
    assert "<" not in row["text"] and "style" not in row["text"]
    assert row["cells"][1].startswith("◎包括的な相談支援体制の整備 ①住民の困りごとを")
    assert "近所づきあいの構築" in row["cells"][0]
    assert row["raw"].startswith('<ul style="list-style-type: none">')


def test_table_rows_split_into_cells(corpus):
    segs = plan(corpus, "shimonoseki")
    row = segs[segs["line_start"] == 70].iloc[0]
    assert row["cells"] == [
        "",
        "地域の暮らしや福祉に関する情報が十分に入手できると感じていると回答した人の割合",
        "37.8%",
        "↗",
    ]


def test_source_characters_kept(corpus):
    segs = plan(corpus, "sumida")
    assert segs["text"].str.contains("つくりまします").sum() == 3  # the source's typo stays


@pytest.mark.parametrize(
    ("text", "heading_lines"),
    [
        ("1 計画の趣旨\n\n3つの基本目標を掲げます。\n", [1]),  # sentence starting with a number
        ("1 計画の趣旨\n\n2025年までに達成します。\n", [1]),
        ("■ 目的\n\n・見守り活動\n・サロン活動\n", [1]),  # bullets
        ("第１章 総論 ………… 1\n第２章 現状 ………… 5\n\n第１章 総論\n\n本文です。\n", [4]),  # TOC
        (
            "1 概要\n\n1 地域の見守り活動を推進します。\n2 サロンを開きます。\n",
            [1],
        ),  # sentences listed
        ("第１章\n\n計画の策定にあたって\n\n本文です。\n", [1]),  # label, name on the next line
    ],
)
def test_what_is_not_a_heading(text, heading_lines):
    found = found_outline(segment_quietly(text))
    assert [item["line"] for item in found] == heading_lines


def kind_at(segs: pd.DataFrame, line: int) -> str:
    """Kind of the segment that covers source line ``line``."""
    row = segs[(segs["line_start"] <= line) & (segs["line_end"] >= line)]
    return row["kind"].item()


def line_of(text: str, start: str) -> int:
    """1-based number of the first line of ``text`` that starts with ``start``."""
    return next(i for i, line in enumerate(text.split("\n"), 1) if line.startswith(start))


def test_promotion_chapter_outline_matches_hand_checked():
    found = found_outline(segment_quietly(PROMOTION, plan_id="promotion"))
    expected = expected_outline(PROMOTION, PROMOTION_OUTLINE)
    assert [(item["line"], item["depth"]) for item in found] == [
        (item["line"], item["depth"]) for item in expected
    ]


@pytest.mark.parametrize(
    ("text", "caption"),
    [
        # bracketed line followed only by the blank lines a figure left
        ("１ 推進体制\n\n市と社協が協働します。\n\n〔推進の体制〕\n\n\n\n２ 評価\n\n毎年度点検します。\n",
         "〔推進の体制〕"),
        # two captions in a row under an unnumbered heading, then the next section
        ("地域の拠点とは\n\n身近な場所に拠点を設けます。\n\n【拠点の配置】\n\n\n【相談の流れ】\n\n\n"
         "拠点の運営\n\n住民が運営に参加します。\n", "【拠点の配置】"),
        # a caption that names a figure, even with text after it
        ("１ 計画の位置づけ\n\n＜図表 計画の位置づけ＞\n\n本計画は総合計画の部門計画です。\n",
         "＜図表 計画の位置づけ＞"),
        ("１ 施策の体系\n\n【施策体系図】\n\n基本目標ごとに施策を整理しています。\n", "【施策体系図】"),
    ],
    ids=['blank-after', 'two-in-a-row', 'names-figure', 'names-diagram'],
)  # fmt: skip
def test_bracketed_captions_are_paragraphs_not_headings(text, caption):
    segs = segment_quietly(text)
    assert kind_at(segs, line_of(text, caption)) == "paragraph"
    assert caption in segs["text"].tolist()  # the caption's words stay available


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        # a bracketed heading with a body stays a heading
        ("１ 施策\n\n【現状と課題】\n\n高齢化が進んでいます。\n", "【現状と課題】"),
        # a bracketed heading directly followed by its own sub-headings stays a heading
        ("【基本目標１】\n\n（１）見守りの推進\n\n見守り活動を広げます。\n\n（２）居場所づくり\n\n"
         "サロンを開きます。\n", "【基本目標１】"),
        # a numbered heading with no body stays a heading
        ("１ 計画の体系図\n\n\n\n２ 計画の期間\n\n５年間とします。\n", "１ 計画の体系図"),
    ],
    ids=['with-body', 'with-children', 'numbered-no-body'],
)  # fmt: skip
def test_bracketed_and_numbered_headings_with_body_or_children_stay(text, heading):
    segs = segment_quietly(text)
    assert kind_at(segs, line_of(text, heading)) == "heading"


@pytest.mark.parametrize(
    ("text", "reference", "depth", "parent"),
    [
        # the first 第N章 after numbered top-level sections is a note, nested where it stands
        ("１ 基本理念\n\n本文です。\n\n２ 推進項目\n\n本文です。\n\n■ 資料\n\n"
         "第３章 年次計画に記載の団体について\n\n次のとおりです。\n",
         "第３章", 3, "■ 資料"),
        # inside chapter 2, "第４章 …について" refers to a later chapter
        ("第１章 総論\n\n本文です。\n\n第２章 各論\n\n１ 見守り\n\n本文です。\n\n"
         "第４章 資料編に掲載の用語について\n\n本文です。\n",
         "第４章", 3, "１ 見守り"),
        # inside chapter 3, a reference back to chapter 1
        ("第２章 現状\n\n本文です。\n\n第３章 施策\n\n（１）相談\n\n本文です。\n\n"
         "第１章 計画の位置づけ再掲\n\n本文です。\n",
         "第１章", 3, "（１）相談"),
    ],
    ids=['after-numbered-sections', 'later-chapter-note', 'earlier-chapter'],
)  # fmt: skip
def test_chapter_marker_out_of_sequence_is_not_a_chapter(text, reference, depth, parent):
    found = found_outline(segment_quietly(text))
    line = line_of(text, reference)
    item = next(h for h in found if h["line"] == line)
    assert item["depth"] == depth
    above = [h for h in found if h["line"] < line and h["depth"] < depth]
    assert above[-1]["text"] == parent


@pytest.mark.parametrize(
    "text",
    [
        # chapters that continue their sequence, with a jump in an excerpt
        "第１章 総論\n\n本文です。\n\n第２章 現状\n\n本文です。\n\n第４章 施策の展開\n\n本文です。\n",
        # an excerpt that starts at chapter 3, after the cover
        "さくら市地域福祉計画\n令和６年３月\n\n第３章 施策の展開\n\n本文です。\n\n第４章 計画の推進\n\n本文です。\n",
    ],
    ids=['jump-in-excerpt', 'excerpt-from-chapter-3'],
)  # fmt: skip
def test_chapter_markers_in_sequence_stay_chapters(text):
    found = found_outline(segment_quietly(text))
    assert [h["depth"] for h in found if h["text"].startswith("第")] == [1] * sum(
        h["text"].startswith("第") for h in found
    )
    assert len(found) >= 2


@pytest.mark.parametrize(
    "slogan",
    [
        "サブタイトル — 誰もが主役のまちづくり —",
        "スローガン ～ささえあい つながる まち～",
        "キャッチフレーズ：「みんなの笑顔があふれるまち」",
        "副題 〜ともに生きる〜",
    ],
)
def test_slogan_label_lines_are_text(slogan):
    text = f"１ 基本理念\n\n誰もが安心して暮らせるまちをめざします。\n\n{slogan}\n\nこの言葉に思いを込めました。\n"
    segs = segment_quietly(text)
    assert kind_at(segs, 5) == "paragraph"
    assert [h["line"] for h in found_outline(segs)] == [1]


def test_glossary_rows_are_meta_and_other_two_column_tables_stay_rows():
    text = (
        PROMOTION
        + "\n５ 各主体の役割\n\n主体\t役割\n住民\t見守りに参加する\n事業者\t専門性を活かす\n市\t体制を整える\n"
    )
    segs = segment_quietly(text)
    for term in (
        "用語\t",
        "生活支援コーディネーター",
        "避難行動要支援者",
        "ボランティアコーディネーター",
    ):
        assert kind_at(segs, line_of(text, term)) == "meta"
    for row in ("主体\t", "住民\t", "事業者\t", "市\t"):
        assert kind_at(segs, line_of(text, row)) == "table_row"


def test_seed_captions_slogan_and_cross_reference(corpus):
    """The reviewed seed cases: captions, a slogan label, a 第N章 note, a glossary."""
    assert kind_at(plan(corpus, "sumida"), 58) == "paragraph"  # 【プラットフォームの形成】
    assert kind_at(plan(corpus, "shimonoseki"), 48) == "paragraph"  # 【計画の推進イメージ図】
    assert kind_at(plan(corpus, "odawara-shakyo-4"), 13) == "paragraph"  # サブタイトル — … —
    odawara = found_outline(plan(corpus, "odawara-shakyo-4"))
    depth = {h["line"]: h["depth"] for h in odawara}
    assert depth[96] == depth[94] + 1  # 第4章 …について nests under the note heading
    assert {kind_at(plan(corpus, "odawara-shakyo-4"), line) for line in range(100, 108)} == {"meta"}


def test_label_and_name_on_two_lines_form_one_heading():
    segs = segment_quietly("第１章\n\n計画の策定にあたって\n\n本文です。\n")
    head = segs[segs["kind"] == "heading"].iloc[0]
    assert (head["line_start"], head["line_end"], head["text"]) == (
        1,
        3,
        "第１章 計画の策定にあたって",
    )


# --- bad input ----------------------------------------------------------------------------


def test_no_headings_gives_one_section_and_a_warning():
    text = "地域福祉とは、住民が支え合うことです。\n\nみんなで取り組みます。\n"
    with pytest.warns(SegmentationWarning, match="no headings recognised"):
        segs = segment_text(text, plan_id="flat")
    assert segs["section_id"].nunique() == 1
    assert set(segs["kind"]) == {"paragraph"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00" * 20, "binary"),
        (b"\x82\xa0\xff\xfe\xfd\x80\x81" * 50, "decode"),
    ],
)
def test_bad_files_raise_input_file_error(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        read_plan(path)


def test_one_megabyte_line_is_processed():
    line = "地域福祉の推進、" * 125_000  # 1,000,000 characters, no newline
    segs = segment_quietly("1 はじめに\n" + line)
    assert segs["kind"].tolist() == ["heading", "paragraph"]
    assert len(segs["raw"].iloc[1]) == len(line)


# --- API ------------------------------------------------------------------------------------


def test_read_plan_defaults_plan_id_to_file_stem_and_takes_metadata(tmp_path):
    path = tmp_path / "my-plan.txt"
    path.write_text("1 計画の趣旨\n\n本文です。\n", encoding="cp932")
    segs = read_plan(path, municipality="テスト市", author="自治体")
    assert set(segs["plan_id"]) == {"my-plan"}
    assert set(segs["municipality"]) == {"テスト市"}
    assert set(segs["prefecture"]) == {""}
    assert segs.attrs["encoding"]["my-plan"] == "cp932"


def test_read_plan_rejects_unknown_metadata(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("1 計画\n\n本文です。\n", encoding="utf-8")
    with pytest.raises(TypeError, match="unknown metadata colour"):
        read_plan(path, colour="red")


def test_read_corpus_accepts_path_and_dataframe():
    catalog = read_catalog()
    by_frame = read_corpus(catalog)
    by_path = read_corpus(ROOT / "data" / "catalog.csv")
    pd.testing.assert_frame_equal(by_frame, by_path)


def test_outline_table(corpus):
    heads = outline(corpus)
    assert list(heads.columns) == [
        "plan_id", "seg_id", "line", "line_end", "depth", "text", "heading_path", "section_id",
        "parent_seg_id", "page", "page_label",
    ]  # fmt: skip
    sumida = heads[heads["plan_id"] == "sumida"].set_index("line")
    assert pd.isna(sumida.loc[19, "parent_seg_id"])
    assert sumida.loc[23, "parent_seg_id"] == sumida.loc[19, "seg_id"]
    assert (
        sumida.loc[23, "heading_path"]
        == "2 計画の基本目標 > 1 区民が安心して暮らせる福祉のまちをつくる"
    )


# --- layouts of unseen plans: general patterns behind errors seen on real excerpts ---------

BODY = "地域の課題を住民と行政が共有し、解決に向けた取り組みを進めていくことが求められています。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A parenthesised label on its own line, its name on the next.
        (f"(基本目標1)\nみんなで支え合うまち\n\n{BODY}\n\n(基本目標2)\n安心して暮らせるまち\n\n{BODY}\n",
         [(1, 1), (6, 1)]),
        # Two short lines before prose: a heading and its first subheading.
        (f"第2期地域福祉計画\n\n概要\n位置づけ\n{BODY}\n期間\n{BODY}\n", [(3, 1), (4, 2), (6, 2)]),
        # The value of a field heading (a period) between two headings of one style.
        (f"【計画の期間】\n2024年度~2028年度\n【基本理念】\n{BODY}\n", [(1, 1), (3, 1)]),
        # Download links of a web page are not headings.
        (f"第2期地域福祉計画\n\nはじめに\n{BODY}\n第1章 計画の策定にあたって [PDFファイル/1.59MB]\n"
         f"第2章 地域の現状 [PDFファイル/1.39MB]\n", [(3, 1)]),
        # 「…とは」 at the top opens an explanation; it is not the plan's title.
        (f"地域福祉活動計画とは?\n\n{BODY}\n\n計画の期間\n\n{BODY}\n", [(1, 1), (5, 1)]),
        # A number glued to the text after it that continues no sequence is a table value.
        (f"1 計画の趣旨\n\n{BODY}\n\n3地域の支え合いを進めるための取組\n\n{BODY}\n", [(1, 1)]),
        (f"1計画の趣旨\n\n{BODY}\n\n2計画の期間\n\n{BODY}\n", [(1, 1), (5, 1)]),
        # A short line after a long unpunctuated line of unwrapped text is a heading.
        (f"第2期地域福祉計画\n\n策定の趣旨\n{BODY}\n期間\n令和6年度(2024年度)から令和10年度"
         f"(2028年度)までの5ヵ年\n重点課題\n{BODY}\n", [(3, 1), (5, 1), (7, 1)]),
        # Contents entries with "P" page numbers and entries without numbers stay contents.
        ("目 次\n第1章 計画について ・・・・・P1\n1 計画の趣旨\n2 計画の期間\n第2章 現状 ・・・・・P5\n"
         f"\n第1章 計画について\n\n1 計画の趣旨\n\n{BODY}\n", [(7, 1), (9, 2)]),
    ],
)  # fmt: skip
def test_unseen_layouts(text: str, expected: list[tuple[int, int]]):
    found = found_outline(segment_quietly(text))
    assert [(item["line"], item["depth"]) for item in found] == expected


def test_place_names_and_periods_are_not_headings():
    text = f"令和3年3月\n\n久慈市\n\n{BODY}\n\n計画期間\n\n平成30年度から5年間\n\n{BODY}\n"
    found = found_outline(segment_quietly(text))
    assert [item["text"] for item in found] == ["計画期間"]
