"""Coding sheets: sampling, the Excel round trip, checks of a filled sheet, the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from compare import read_corpus, themes_wide, validate_coding_sheet, write_coding_sheet
from compare.errors import ThemeError
from compare.themes.sheet import read_coding_sheet, sample_passages


@pytest.fixture(scope="module")
def wide() -> pd.DataFrame:
    return themes_wide(read_corpus())


@pytest.fixture
def sheet(tmp_path: Path, wide: pd.DataFrame) -> Path:
    return write_coding_sheet(wide, tmp_path / "sheet.xlsx", n=40)


def _columns(book) -> dict[str, int]:
    return {cell.value: cell.column for cell in book["coding"][1]}


def _fill(path: Path, value_of) -> Path:
    """Fill every theme cell with ``value_of(row, theme, predicted)``; save in place."""
    book = load_workbook(path)
    coding, predicted = book["coding"], book["predictions"]
    columns = _columns(book)
    themes = [c.value for c in predicted[1]][1:]
    for row in range(2, coding.max_row + 1):
        for j, theme in enumerate(themes, start=2):
            coding.cell(row, columns[theme]).value = value_of(
                row, theme, predicted.cell(row, j).value == 1
            )
    book.save(path)
    return path


def test_sample_is_stratified_deterministic_and_has_no_headings(wide: pd.DataFrame) -> None:
    sample = sample_passages(wide, 40, random_state=0)
    assert len(sample) == 40
    assert sample.equals(sample_passages(wide, 40, random_state=0))
    assert not sample.equals(sample_passages(wide, 40, random_state=1))
    assert set(sample["plan_id"]) == set(wide["plan_id"])
    assert "heading" not in set(sample["kind"])
    # every theme the coding uses in the passages is represented
    passages = wide[wide["kind"] != "heading"]
    used = {t for t in wide.attrs["themes"] if passages[t].any()}
    assert used == {t for t in wide.attrs["themes"] if sample[t].any()}
    assert list(sample.index) == sorted(sample.index)


def test_sheet_layout(sheet: Path, wide: pd.DataFrame) -> None:
    book = load_workbook(sheet)
    assert book.sheetnames == ["coding", "themes", "predictions", "about"]
    assert book["predictions"].sheet_state == "hidden"
    assert book["about"].sheet_state == "hidden"
    header = [c.value for c in book["coding"][1]]
    assert header[:7] == [
        "passage",
        "plan_id",
        "municipality",
        "lines",
        "heading_path",
        "text",
        "note",
    ]
    assert header[7:] == wide.attrs["themes"]
    rows = list(book["coding"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 40
    assert all(v is None for row in rows for v in row[7:])  # theme columns are empty
    first = rows[0]
    plan, lines = first[1], first[3]
    start = int(str(lines).split("-")[0])
    match = wide[(wide["plan_id"] == plan) & (wide["line_start"] == start)]
    assert first[5] == match["text"].iloc[0]


def test_same_input_gives_the_same_bytes(tmp_path: Path, wide: pd.DataFrame) -> None:
    one = write_coding_sheet(wide, tmp_path / "a.xlsx", n=30)
    two = write_coding_sheet(wide, tmp_path / "b.xlsx", n=30)
    assert one.read_bytes() == two.read_bytes()


def test_round_trip_agrees_perfectly_with_its_own_predictions(sheet: Path) -> None:
    _fill(sheet, lambda row, theme, predicted: "○" if predicted else "×")
    read = read_coding_sheet(sheet)
    assert len(read.human) == 40
    assert read.human[read.themes].equals(read.predictions[read.themes])
    table = validate_coding_sheet(sheet, n_boot=100).set_index("theme_id")
    assert table.attrs["n_passages"] == 40 and table.attrs["n_changed"] == 0
    assert table.loc["micro", ["precision", "recall", "f1", "kappa", "alpha"]].eq(1.0).all()
    assert table.loc["micro", "fp"] == 0 and table.loc["micro", "fn"] == 0


def test_disagreement_is_counted(sheet: Path) -> None:
    # the coder marks nothing but 'watching' on every passage
    _fill(sheet, lambda row, theme, predicted: 1 if theme == "watching" else 0)
    table = validate_coding_sheet(sheet, n_boot=0).set_index("theme_id")
    read = read_coding_sheet(sheet)
    predicted = int(read.predictions["watching"].sum())
    assert table.loc["watching", "tp"] == predicted
    assert table.loc["watching", "fn"] == 40 - predicted
    assert table.loc["platform", "n_gold"] == 0


def test_half_filled_sheet_names_the_empty_rows(sheet: Path) -> None:
    _fill(sheet, lambda row, theme, predicted: None if row in (5, 6, 7, 12) else 0)
    with pytest.raises(
        ThemeError, match=r"sheet 'coding': 4 of 40 rows are not coded yet \(rows 5–7, 12\)"
    ):
        read_coding_sheet(sheet)


def test_unfilled_sheet(sheet: Path) -> None:
    with pytest.raises(ThemeError, match="no row is coded yet"):
        read_coding_sheet(sheet)


def test_bad_cell_names_sheet_row_and_column(sheet: Path) -> None:
    _fill(sheet, lambda row, theme, predicted: "2" if (row, theme) == (9, "disaster") else "×")
    column = _columns(load_workbook(sheet))["disaster"]
    letter = chr(ord("A") + column - 1)
    with pytest.raises(
        ThemeError, match=rf"sheet 'coding', row 9, column {letter} \(disaster\): '2' is not a mark"
    ):
        read_coding_sheet(sheet)


def test_unknown_column_is_named(sheet: Path) -> None:
    _fill(sheet, lambda row, theme, predicted: 0)
    book = load_workbook(sheet)
    book["coding"].cell(1, book["coding"].max_column + 1).value = "kosodate"
    book.save(sheet)
    with pytest.raises(ThemeError, match=r"row 1, column W: unknown column 'kosodate'"):
        read_coding_sheet(sheet)


def test_passage_that_no_longer_exists(sheet: Path) -> None:
    _fill(sheet, lambda row, theme, predicted: 0)
    book = load_workbook(sheet)
    book["coding"].cell(3, 6).value = "書き換えられた本文です。"
    book.save(sheet)
    with pytest.raises(ThemeError, match=r"row 3, column A: passage \S+ no longer exists"):
        validate_coding_sheet(sheet, n_boot=0)


def test_text_never_becomes_a_formula(tmp_path: Path) -> None:
    from compare import segment_text

    segments = segment_text('1 見出し\n\n=HYPERLINK("x")で地域の見守りを広げます。\n', plan_id="f")
    wide = themes_wide(segments, ["watching"])
    path = write_coding_sheet(wide, tmp_path / "f.xlsx", n=5)
    cell = load_workbook(path)["coding"].cell(2, 6)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_existing_files_are_not_overwritten(tmp_path: Path, wide: pd.DataFrame) -> None:
    other = tmp_path / "mine.xlsx"
    other.write_bytes(b"not a workbook")
    with pytest.raises(ThemeError, match="exists; choose another name"):
        write_coding_sheet(wide, other, n=5)
    with pytest.raises(ThemeError, match="not a coding sheet written by compare; not replaced"):
        write_coding_sheet(wide, other, n=5, force=True)
    assert other.read_bytes() == b"not a workbook"
    sheet = write_coding_sheet(wide, tmp_path / "s.xlsx", n=5)
    write_coding_sheet(wide, sheet, n=6, force=True)  # its own sheet may be replaced
    assert len(read_coding_sheet_rows(sheet)) == 6


def read_coding_sheet_rows(path: Path) -> list[tuple]:
    return list(load_workbook(path)["coding"].iter_rows(min_row=2, values_only=True))


def _cli(*args: str) -> subprocess.CompletedProcess:
    compare = Path(sys.executable).with_name("compare")
    return subprocess.run([str(compare), *args], capture_output=True, text=True, timeout=300)


def test_cli_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "sheet.xlsx"
    made = _cli("coding-sheet", "--n", "30", "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert "30 passages" in made.stdout
    empty = _cli("validate", str(out))
    assert empty.returncode == 2 and "no row is coded yet" in empty.stderr
    assert "Traceback" not in empty.stderr
    # blank cells mean "does not apply" once a row has a mark
    _fill(
        out,
        lambda row, theme, predicted: "○" if predicted else "×" if theme == "platform" else None,
    )
    filled = _cli("validate", str(out), "--json", "--boot", "50")
    assert filled.returncode == 0, filled.stderr
    result = json.loads(filled.stdout)
    assert result["n_passages"] == 30
    micro = next(r for r in result["agreement"] if r["theme_id"] == "micro")
    assert micro["f1"] == 1.0
    table = _cli("validate", str(out), "--boot", "50")
    assert "micro" in table.stdout and "kappa" in table.stdout
    again = _cli("coding-sheet", "--n", "30", "--out", str(out))
    assert again.returncode == 2 and "exists" in again.stderr


def test_cli_refuses_a_file_that_is_not_a_sheet(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    shutil.copyfile(Path(__file__).parent / "data" / "theme_gold.csv", plain)
    result = _cli("validate", str(plain))
    assert result.returncode == 2 and "not an Excel workbook" in result.stderr


def test_rules_that_code_nothing_are_reported(tmp_path: Path) -> None:
    from compare import segment_text
    from compare.errors import ThemeWarning
    from compare.themes import Theme

    segments = segment_text("1 取組\n\n地域の見守り活動を広げます。\n", plan_id="w")
    themes = [
        Theme(id="space", label="宇宙", rule="宇宙"),
        Theme(id="w", label="見守り", rule="見守り"),
    ]
    wide = themes_wide(segments, themes, warn_unmatched=False)
    with pytest.warns(ThemeWarning, match=r"code nothing in this corpus for theme\(s\) space"):
        write_coding_sheet(wide, tmp_path / "w.xlsx", n=5)
