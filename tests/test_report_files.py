"""Report files: no spreadsheet formula from untrusted text, no lost work in the output folder."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from compare import read_catalog
from compare.cli import main
from compare.errors import ReportError
from compare.io.spreadsheet import neutralise, restore
from compare.report import write_report
from compare.report.files import MANIFEST, remove_stale
from tests.test_report import DATE, _fake_write, small_corpus

#: One payload per character that makes a spreadsheet evaluate a field (OWASP list).
PAYLOADS = [
    '=HYPERLINK("http://example.invalid/","クリック")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=2+2",
]
#: The same through a plan's text (a line with a URL would be read as a colophon, not a passage).
PLAN_PAYLOADS = ["=1+1", "+2+2", "-3+3", "@SUM(4+4)", "\t=5+5", "\r=6+6"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81-3-1234-5678", "'+81-3-1234-5678"),
        ("-", "'-"),
        ("@home", "'@home"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3.5", "-3.5"),
        ("+12", "+12"),
        ("-1e-3", "-1e-3"),
        ("地域福祉=支え合い", "地域福祉=支え合い"),
        ("'=1", "''=1"),
        ("'quoted'", "'quoted'"),
        (-3.5, -3.5),
        (7, 7),
        (None, None),
    ],
)
def test_formula_like_text_is_neutralised_and_numbers_are_not(value, expected):
    assert neutralise(value) == expected


@given(st.text(alphabet="'=+-@\t\r0123456789.eE地a ", max_size=8))
def test_neutralising_can_be_undone_and_leaves_only_numbers_formula_like(value):
    safe = neutralise(value)
    assert restore(safe) == value
    assert not safe.startswith(DANGEROUS) or re.fullmatch(r"[+-][0-9.eE+-]*%?", safe)


@pytest.fixture(scope="module")
def injected(tmp_path_factory) -> Path:
    """A report of two plans whose catalogue fields and plan texts start with each payload."""
    root = tmp_path_factory.mktemp("injected")
    # Each payload opens its own paragraph that names a theme, so it reaches the
    # passage tables and the quotations.
    text = "\n\n".join(
        f"{payload} プラットフォーム づくりで 地域福祉 を 推進 します。"
        for payload in PLAN_PAYLOADS
    )
    catalog = read_catalog(small_corpus(root / "corpus", text))
    # A catalogue file strips surrounding blanks, so tab and CR go in through the table.
    for index, column in enumerate(["municipality", "title", "edition"]):
        catalog.loc[0, column] = PAYLOADS[index] + ("墨田区" if column == "municipality" else "")
        catalog.loc[1, column] = PAYLOADS[index + 3] + (
            "多摩区" if column == "municipality" else ""
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMPARE_CACHE_DIR", str(root / "cache"))
        return write_report(catalog, out=root / "out", date=DATE, progress=False)


def _csv_fields(report: Path) -> list[tuple[str, str]]:
    fields = []
    for path in sorted((report / "tables").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            fields += [(path.name, field) for row in csv.reader(handle) for field in row]
    return fields


def test_no_csv_field_starts_like_a_formula(injected: Path):
    fields = _csv_fields(injected)
    unsafe = [
        (name, field[:40])
        for name, field in fields
        if field.startswith(DANGEROUS) and neutralise(field) != field
    ]
    assert unsafe == []
    # The payloads are there, neutralised: from the catalogue and from the plan text
    # (where cleaning drops the blank that opens a line, leaving the formula first).
    for payload in PAYLOADS:
        assert any(field.startswith("'" + payload) for _, field in fields), payload
    for payload in PLAN_PAYLOADS:
        passage = "'" + payload.strip() + " プラットフォーム"
        assert any(field.startswith(passage) for _, field in fields), payload


def test_no_workbook_cell_is_a_formula_and_text_is_kept_verbatim(injected: Path):
    workbook = load_workbook(injected / "tables.xlsx")
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert cells
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
    for payload in PAYLOADS:
        assert any(text.startswith(payload) for text in texts), payload
    for payload in PLAN_PAYLOADS:
        assert any(text.startswith(payload.strip() + " プラットフォーム") for text in texts)


# --------------------------------------------------------------------------- no lost work


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> str:
    return _fake_write(monkeypatch)


def test_the_report_carries_a_manifest_of_every_file_it_wrote(tmp_path: Path, fake):
    out = write_report(out=tmp_path / "r", progress=False)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    written = sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MANIFEST
    )
    assert sorted(manifest) == written
    assert "index.html" in manifest and "tables.xlsx" in manifest
    import hashlib

    for name, digest in manifest.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_an_unchanged_report_is_replaced_and_one_with_lost_files_too(tmp_path: Path, fake):
    out = write_report(out=tmp_path / "r", progress=False)
    (out / "briefing.md").unlink()  # deleting a file the tool wrote loses nothing
    write_report(out=out, progress=False)
    assert (out / "briefing.md").is_file()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda out: (out / "notes.txt").write_text("私のメモ", encoding="utf-8"), "notes.txt"),
        (lambda out: (out / "figures" / "mine.png").write_bytes(b"x"), "figures/mine.png"),
        (lambda out: _write(out / "メモ" / "a.txt", "x"), "メモ/a.txt (added)"),
        (lambda out: _write(out / "briefing.md", "編集しました"), "briefing.md (changed)"),
        (lambda out: (out / ".hidden").write_text("x", encoding="utf-8"), ".hidden (added)"),
    ],
)
def test_a_report_with_added_or_edited_files_is_kept_unless_forced(
    tmp_path: Path, fake, change, named
):
    out = write_report(out=tmp_path / "r", progress=False)
    (out / "figures").mkdir(exist_ok=True)
    change(out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(ReportError, match="--force") as error:
        write_report(out=out, progress=False)
    assert named in str(error.value)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    # --force replaces it: afterwards the folder holds exactly what the manifest lists.
    write_report(out=out, progress=False, force=True)
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    listed = set(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"])
    assert present == listed | {MANIFEST}
    assert (out / "briefing.md").read_text(encoding="utf-8") != "編集しました"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_file_added_while_the_report_is_built_keeps_the_old_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _fake_write(monkeypatch)
    out = write_report(out=tmp_path / "r", progress=False)
    import compare.report.briefing as briefing

    original = briefing._write_tables

    def add_a_note(*args, **kwargs):
        (out / "notes.txt").write_text("書きかけ", encoding="utf-8")
        return original(*args, **kwargs)

    monkeypatch.setattr(briefing, "_write_tables", add_a_note)
    with pytest.raises(ReportError, match=r"notes\.txt \(added\)"):
        write_report(out=out, progress=False)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "書きかけ"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_a_marker_without_hashes_counts_files_modified_after_it(tmp_path: Path, fake):
    out = tmp_path / "old"
    out.mkdir()
    (out / "index.html").write_text("old report", encoding="utf-8")
    marker = out / MANIFEST
    marker.write_text("This directory was written by `compare report`.\n", encoding="utf-8")
    os.utime(out / "index.html", (1_000_000, 1_000_000))
    os.utime(marker, (2_000_000, 2_000_000))
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ReportError, match=r"notes\.txt"):
        write_report(out=out, progress=False)
    (out / "notes.txt").unlink()
    write_report(out=out, progress=False)
    assert (out / "index.html").read_text(encoding="utf-8") != "old report"


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_files_and_folders_follow_the_umask(tmp_path: Path, fake, umask):
    previous = os.umask(umask)
    try:
        out = write_report(out=tmp_path / "r", progress=False)
    finally:
        os.umask(previous)
    modes = {
        p.relative_to(tmp_path).as_posix(): p.stat().st_mode & 0o777 for p in tmp_path.rglob("*")
    }
    for name, mode in modes.items():
        expected = (0o777 if (tmp_path / name).is_dir() else 0o666) & ~umask
        assert mode == expected, (name, oct(mode))
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask


def test_scratch_folders_of_a_killed_run_are_removed_by_the_next_run(tmp_path: Path, fake):
    # A process that has ended: its scratch folders are stale.
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(done.stdout)
    stale = [
        tmp_path / f".r.partial-{dead}-abc123_x",
        tmp_path / f".r.old-{dead}-q1w2e3r4",
        tmp_path / ".r.partial-k2j3h4g5",  # an older version's name, without a process id
    ]
    alive = tmp_path / f".r.partial-{os.getppid()}-zz9"  # a run still going on
    others = [tmp_path / ".rx.partial-1-a", tmp_path / "r.partial-notes"]
    for folder in [*stale, alive, *others]:
        folder.mkdir()
        (folder / "index.html").write_text("half", encoding="utf-8")
    write_report(out=tmp_path / "r", progress=False)
    assert [p for p in stale if p.exists()] == []
    assert alive.exists() and all(p.exists() for p in others)
    assert remove_stale(tmp_path / "r") == []


def test_quiet_prints_nothing(tmp_path: Path, capsys, fake, monkeypatch):
    import compare.report as report_module
    from compare.report import briefing

    monkeypatch.setattr(report_module, "build_briefing", briefing.build_briefing)
    assert main(["report", "--out", str(tmp_path / "r"), "--quiet"]) == 0
    assert main(["demo", "--out", str(tmp_path / "d"), "--plans", "sumida", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")
