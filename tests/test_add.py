"""``compare add``: catalogue a user's own plan documents."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from compare import read_catalog, read_corpus
from compare.cli import main
from compare.io.catalog import COLUMNS
from tests.conftest import DATA, PLANS

DOCS = Path(__file__).resolve().parent / "data" / "docs"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A user's folder with plan documents in a sub-folder."""
    (tmp_path / "plans").mkdir()
    for name in (
        "sumida.pdf",
        "tama-6.docx",
        "plan.html",
        "scanned.pdf",
        "fake.docx",
        "encrypted.pdf",
        "empty.pdf",
    ):
        shutil.copyfile(DOCS / name, tmp_path / "plans" / name)
    (tmp_path / "plans" / "tokorozawa.txt").write_bytes(
        (PLANS / "tokorozawa-2.txt").read_text(encoding="utf-8").encode("cp932")
    )
    return tmp_path


def _add(folder: Path, name: str, *options: str) -> int:
    return main(
        [
            "add",
            str(folder / "plans" / name),
            "--catalog",
            str(folder / "catalog.csv"),
            "--municipality",
            "所沢市",
            *options,
        ]
    )


@pytest.mark.parametrize(
    ("name", "plan_id", "detected"),
    [
        ("sumida.pdf", "sumida", ("pdf", "")),
        ("tama-6.docx", "tama-6", ("docx", "")),
        ("plan.html", "plan", ("html", "utf-8-sig")),
        ("tokorozawa.txt", "tokorozawa", ("text", "cp932")),
    ],
)
def test_add_creates_a_catalogue_row(
    folder: Path, capsys, name: str, plan_id: str, detected: tuple[str, str]
):
    source = folder / "plans" / name
    before = source.read_bytes()
    assert _add(folder, name, "--plan-type", "地域福祉計画", "--doc-kind", "full") == 0
    assert f"added '{plan_id}'" in capsys.readouterr().out
    catalog = read_catalog(folder / "catalog.csv")
    assert list(catalog.columns) == list(COLUMNS)
    row = catalog.iloc[0]
    assert row["plan_id"] == plan_id
    assert row["path"] == f"plans/{name}"
    assert row["municipality"] == "所沢市"
    assert (row["plan_type"], row["doc_kind"]) == ("地域福祉計画", "full")
    assert row["sha256"] == hashlib.sha256(before).hexdigest()
    assert (row["format"], row["encoding"]) == detected
    assert source.read_bytes() == before  # the source is never changed
    assert sorted(p.name for p in folder.iterdir()) == ["catalog.csv", "plans"]  # no temp files


def test_added_plans_read_as_a_corpus(folder: Path):
    for name in ("sumida.pdf", "tama-6.docx", "tokorozawa.txt"):
        assert _add(folder, name) == 0
    segments = read_corpus(folder / "catalog.csv")
    assert list(dict.fromkeys(segments["plan_id"])) == ["sumida", "tama-6", "tokorozawa"]
    assert (segments.groupby("plan_id")["kind"].apply(lambda k: (k == "heading").sum()) > 3).all()


def test_add_appends_to_an_existing_catalogue_without_rewriting_it(tmp_path: Path):
    shutil.copytree(DATA / "plans", tmp_path / "plans")
    shutil.copyfile(DATA / "catalog.csv", tmp_path / "catalog.csv")
    shutil.copyfile(DOCS / "styled.docx", tmp_path / "plans" / "styled.docx")
    original = (tmp_path / "catalog.csv").read_bytes()
    code = main(
        [
            "add",
            str(tmp_path / "plans" / "styled.docx"),
            "--catalog",
            str(tmp_path / "catalog.csv"),
            "--municipality",
            "サンプル市",
            "--plan-id",
            "sample-draft",
            "--doc-kind",
            "draft",
        ]
    )
    assert code == 0
    updated = (tmp_path / "catalog.csv").read_bytes()
    assert updated.startswith(original)
    catalog = read_catalog(tmp_path / "catalog.csv")
    assert list(catalog["plan_id"])[-2:] == ["shimonoseki", "sample-draft"]


@pytest.mark.parametrize(
    ("second", "options", "message"),
    [
        ("same-file", [], r"already in the catalogue as plan 'sumida' \(the same file\)"),
        ("copy", ["--plan-id", "other"], r"as plan 'sumida' \(a file with the same content"),
        ("new-file-same-id", ["--plan-id", "sumida"], "plan_id 'sumida' is already in"),
    ],
)
def test_add_refuses_duplicates(folder: Path, capsys, second: str, options, message: str):
    assert _add(folder, "sumida.pdf") == 0
    before = (folder / "catalog.csv").read_bytes()
    capsys.readouterr()
    if second == "copy":
        shutil.copyfile(folder / "plans" / "sumida.pdf", folder / "plans" / "copy.pdf")
        name = "copy.pdf"
    elif second == "new-file-same-id":
        name = "tama-6.docx"
    else:
        name = "sumida.pdf"
    assert _add(folder, name, *options) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert re.search(message, err)
    assert (folder / "catalog.csv").read_bytes() == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("scanned.pdf", "no text layer"),
        ("encrypted.pdf", "encrypted and needs a password"),
        ("empty.pdf", "file is empty"),
        ("fake.docx", "not a Word document"),
        ("missing.pdf", "file not found"),
        ("huge.txt", "larger than the 105 MB limit"),
    ],
)
def test_bad_files_are_not_added(folder: Path, capsys, name: str, message: str):
    if name == "huge.txt":  # 200 MB, sparse: costs no disk space
        with (folder / "plans" / name).open("wb") as handle:
            handle.write("第1章 総論\n".encode())
            handle.truncate(200 * 1024 * 1024)
    assert _add(folder, name) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and name in err
    assert "Traceback" not in err
    assert not (folder / "catalog.csv").exists()


def test_invalid_values_are_refused_and_nothing_is_written(folder: Path, capsys):
    assert _add(folder, "sumida.pdf", "--municipality-code", "112088") == 2
    err = capsys.readouterr().err
    assert "municipality_code '112088' is not a valid" in err and "nothing was added" in err
    assert sorted(p.name for p in folder.iterdir()) == ["plans"]


def test_plan_id_is_required_for_a_japanese_file_name(folder: Path, capsys):
    shutil.copyfile(folder / "plans" / "sumida.pdf", folder / "plans" / "墨田区.pdf")
    assert _add(folder, "墨田区.pdf") == 2
    assert "--plan-id" in capsys.readouterr().err
    assert _add(folder, "墨田区.pdf", "--plan-id", "sumida-3") == 0


# --------------------------------------------------------------------------- --include-bundled


def test_include_bundled_gives_bundled_plans_with_metadata_and_ones_own(folder: Path, capsys):
    catalog = folder / "catalog.csv"
    options = ["--plan-id", "tokorozawa-own", "--plan-type", "other:保健福祉総合計画"]
    assert _add(folder, "tokorozawa.txt", "--include-bundled", *options) == 0
    printed = capsys.readouterr()
    assert "added 5 bundled plan(s)" in printed.out
    assert "warning: plan_type 'other:保健福祉総合計画' is outside the list" in printed.err
    combined = read_catalog(catalog)
    bundled = read_catalog()
    assert list(combined["plan_id"]) == [*bundled["plan_id"], "tokorozawa-own"]
    kept = ["municipality", "title", "edition", "identification", "notes", "sha256", "doc_kind"]
    pd.testing.assert_frame_equal(combined.loc[:4, kept], bundled[kept])
    segments = read_corpus(combined)
    assert segments["plan_id"].nunique() == 6
    # Running it again adds nothing and keeps the file byte for byte.
    before = catalog.read_bytes()
    assert main(["add", "--include-bundled", "--catalog", str(catalog)]) == 0
    assert "added 0 bundled plan(s) to" in (out := capsys.readouterr().out)
    assert "(5 already there)" in out
    assert catalog.read_bytes() == before


def test_include_bundled_without_a_file(folder: Path):
    catalog = folder / "sub" / "catalog.csv"
    catalog.parent.mkdir()
    assert main(["add", "--include-bundled", "--catalog", str(catalog)]) == 0
    combined = read_catalog(catalog)
    assert len(combined) == 5 and not combined["path"].str.startswith("/").any()


def test_include_bundled_refuses_a_plan_id_taken_by_another_file(folder: Path, capsys):
    assert _add(folder, "tama-6.docx") == 0  # plan_id tama-6, the user's own file
    catalog = folder / "catalog.csv"
    before = catalog.read_bytes()
    assert main(["add", "--include-bundled", "--catalog", str(catalog)]) == 2
    err = capsys.readouterr().err
    assert "duplicate plan_id 'tama-6'" in err and f"{catalog}: line 2" in err
    assert f"{DATA / 'catalog.csv'}: line 3" in err and "Traceback" not in err
    assert catalog.read_bytes() == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add"], "give the FILE to add"),
        (["add", "x.txt", "--plan-type", "高齢者福祉計画"], "write other:高齢者福祉計画"),
    ],
)
def test_add_usage_mistakes(folder: Path, capsys, argv: list[str], message: str):
    argv = [*argv, "--catalog", str(folder / "catalog.csv"), "--municipality", "所沢市"]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (folder / "catalog.csv").exists()
