"""The briefing section コーディングの信頼性 (with and without a validated coding sheet)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from compare import read_catalog
from compare.errors import ThemeError
from compare.report.corpus import load_corpus
from compare.report.model import ReportSettings
from compare.report.reliability import section_reliability
from compare.themes.sheet import write_coding_sheet


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(read_catalog(), themes=None, progress=False, settings=ReportSettings())


def _filled(path: Path, corpus, wrong_theme: str | None = None) -> Path:
    write_coding_sheet(corpus.text.wide, path, n=30)
    book = load_workbook(path)
    coding, predicted = book["coding"], book["predictions"]
    header = [c.value for c in coding[1]]
    themes = [c.value for c in predicted[1]][1:]
    for row in range(2, coding.max_row + 1):
        for j, theme in enumerate(themes, start=2):
            value = predicted.cell(row, j).value == 1
            if theme == wrong_theme:
                value = not value
            coding.cell(row, header.index(theme) + 1).value = "○" if value else "×"
    book.save(path)
    return path


def test_without_a_sheet_the_section_says_the_coding_is_not_validated(corpus) -> None:
    section = section_reliability(corpus, ReportSettings())
    assert section.title == "コーディングの信頼性"
    assert "検証していません" in section.paragraphs[0]
    assert "compare coding-sheet" in section.paragraphs[1]
    assert not section.tables


def test_with_a_sheet_the_section_shows_the_agreement(tmp_path: Path, corpus) -> None:
    sheet = _filled(tmp_path / "sheet.xlsx", corpus, wrong_theme="health")
    section = section_reliability(corpus, ReportSettings(validation=str(sheet)))
    shown = section.tables[0].frame.set_index("テーマID")
    others = shown.drop(index=["health", "micro", "macro"])
    assert all(f1 == "–" or f1.startswith("1.00") for f1 in others["F1"])
    assert (others["F1"] != "–").sum() >= 5
    assert shown.loc["health", "人手で該当"] > 0  # the coder marked health everywhere it is not
    assert "30 箇所" in section.paragraphs[0]
    assert "micro" in section.paragraphs[1] and "κ" in section.paragraphs[1]
    assert any("健康・介護予防" in p for p in section.paragraphs)  # a weak theme is named
    full = section.tables[1].frame.set_index("theme_id")
    assert full.loc["health", "f1"] < 0.7


def test_a_bad_sheet_is_an_error(tmp_path: Path, corpus) -> None:
    sheet = tmp_path / "empty.xlsx"
    write_coding_sheet(corpus.text.wide, sheet, n=10)
    with pytest.raises(ThemeError, match="no row is coded yet"):
        section_reliability(corpus, ReportSettings(validation=str(sheet)))
