"""The declarative parts of a report section: the section's declaration (title, what it
needs, the text sample it reads), its tables by key and its figures' tables."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from compare.errors import AnalysisError
from compare.report.columns import TABLES
from compare.report.model import ReportFigure, Section
from compare.report.parts import report_section, report_table
from compare.report.sections import need_compared_words, need_two_units
from compare.report.text_sections import need_two_plans_read

FRAME = pd.DataFrame({"plan_id": ["a", "b"], "dim1": [0.5, -0.5]})


@pytest.mark.parametrize(
    ("key", "unit_word", "sheet", "title", "unit", "source"),
    [
        (
            "ca_columns",
            "計画",
            "対応分析_計画",
            "計画の座標",
            "1 行 = 1 計画",
            "計画 × 語の頻度表の対応分析",
        ),
        (
            "ca_columns",
            "自治体",
            "対応分析_自治体",
            "自治体の座標",
            "1 行 = 1 自治体",
            "自治体 × 語の頻度表の対応分析",
        ),
        (
            "similarity_neighbours",
            "自治体",
            "類似度_近い順",
            "各自治体に最も似た自治体",
            "1 行 = 自治体ごとの似ている相手 1 件",
            "自治体本文の語の頻度（TF-IDF のコサイン類似度の上位）",
        ),
        # Rows are plans whatever is compared: 計画 stays.
        (
            "theme_shares",
            "自治体",
            "テーマ割合",
            "テーマ別の割合（全体）",
            "1 行 = 計画ごとの 1 テーマ",
            "テーマ定義の規則による段落の判定",
        ),
    ],
)
def test_a_table_is_described_by_its_key_in_the_compared_unit(
    key, unit_word, sheet, title, unit, source
):
    table = report_table(key, FRAME, unit_word, shown=False)
    assert (table.key, table.sheet, table.title, table.unit, table.source) == (
        key,
        sheet,
        title,
        unit,
        source,
    )
    assert table.frame is FRAME
    assert table.shown is False


def test_options_override_the_catalogue_and_keep_the_table_defaults():
    table = report_table("theme_segments", FRAME, title="段落ごとのテーマ判定（本文を読んだ計画）")
    assert table.title == "段落ごとのテーマ判定（本文を読んだ計画）"
    assert table.sheet == "テーマ判定_段落"
    assert (table.shown, table.preview, table.preview_rows) == (True, None, 12)


def test_an_unknown_table_key_fails_by_name():
    with pytest.raises(KeyError, match="no_such_table"):
        report_table("no_such_table", FRAME)


def test_every_sheet_name_is_unique_and_fits_a_workbook():
    sheets = [spec.sheet for spec in TABLES.values()]
    assert len(set(sheets)) == len(sheets)
    assert all(0 < len(sheet) <= 31 for sheet in sheets)


def _corpus(
    units: list[str], by_plan: bool = True, read: int = 2, note: str = ""
) -> SimpleNamespace:
    """The attributes of a corpus model that a section's declaration reads."""
    text = SimpleNamespace(plan_ids=[f"p{i}" for i in range(read)], sample_note=note)
    return SimpleNamespace(
        units=pd.DataFrame({"unit": units}),
        by_plan=by_plan,
        plan_ids=units if by_plan else ["p1", "p2", "p3"],
        unit_word="計画" if by_plan else "自治体",
        compared=object(),
        text=text,
    )


def _never_built(corpus, settings):
    raise AssertionError("a section that lacks what it needs is not built")


def test_the_title_names_the_compared_unit_and_the_key_comes_from_the_declaration():
    @report_section("keyness", title="{unit}ごとの特徴語", step="特徴語 (keyness)")
    def build(corpus, settings):
        return Section(paragraphs=["段落"])

    section = build(_corpus(["甲市", "乙町"], by_plan=False), settings=None)
    assert (section.key, section.title, section.paragraphs) == (
        "keyness",
        "自治体ごとの特徴語",
        ["段落"],
    )
    assert build(_corpus(["a", "b"]), None).title == "計画ごとの特徴語"


@pytest.mark.parametrize(
    ("corpus", "notice"),
    [
        (
            _corpus(["a"]),
            "比較には 2 つ以上の計画が必要です（この報告書の対象は 1 件）。計画を追加してください。",
        ),
        (
            _corpus(["甲市"], by_plan=False),
            "比較には 2 つ以上の自治体が必要です（この報告書の対象は 1 自治体）。",
        ),
    ],
)
def test_a_section_that_lacks_two_units_holds_only_the_notice(corpus, notice):
    spec = report_section("similarity", title="類似度", step="類似度", needs=[need_two_units])
    section = spec(_never_built)(corpus, None)
    assert (section.key, section.title, section.notice) == ("similarity", "類似度", notice)
    assert not section.paragraphs and not section.figures and not section.tables


def test_the_first_need_that_fails_decides_and_a_missing_vocabulary_is_an_error():
    corpus = _corpus(["a"])
    corpus.compared = None
    spec = report_section(
        "ca", title="対応分析", step="ca", needs=[need_two_units, need_compared_words]
    )
    # One plan: the notice, before the vocabulary is looked at.
    assert "2 つ以上" in spec(_never_built)(corpus, None).notice
    corpus.units = pd.DataFrame({"unit": ["a", "b"]})
    with pytest.raises(AnalysisError, match="no word to compare"):
        spec(_never_built)(corpus, None)


def test_a_section_reading_the_text_is_built_from_the_sample_and_names_it_first():
    corpus = _corpus(["a", "b", "c"], read=2, note="本文は 2 件の計画から読みました。")
    seen = []

    @report_section("network", title="共起ネットワーク", step="network", reads_text=True)
    def build(text, settings):
        seen.append(text)
        return Section(paragraphs=["図の説明"])

    section = build(corpus, None)
    assert seen == [corpus.text]
    assert section.paragraphs == ["本文は 2 件の計画から読みました。", "図の説明"]


def test_a_text_section_lacking_two_plans_read_says_so_and_names_the_sample():
    corpus = _corpus(["a", "b"], read=1, note="本文は 1 件の計画から読みました。")
    spec = report_section(
        "goals", title="基本目標の対応", step="goals", needs=[need_two_plans_read], reads_text=True
    )
    section = spec(_never_built)(corpus, None)
    assert section.notice == (
        "比較には 2 つ以上の計画が必要です（この報告書の対象は 1 件）。計画を追加してください。"
        " 本文は 1 件の計画から読みました。"
    )
    assert not section.paragraphs


@pytest.mark.parametrize(
    ("tables", "linked"),
    [(None, ["keyness"]), (["keyness", "keyness_top"], ["keyness", "keyness_top"]), ([], [])],
)
def test_a_figure_links_the_table_of_its_own_key_unless_told_otherwise(tables, linked):
    options = {} if tables is None else {"tables": tables}
    figure = ReportFigure(key="keyness", title="特徴語", caption="", figure=None, **options)
    assert figure.tables == linked
