"""``compare themes`` and ``compare kwic``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compare import read_plan
from compare.cli import main

ROOT = Path(__file__).resolve().parents[1]
SUMIDA = ROOT / "data" / "plans" / "sumida.txt"


@pytest.fixture(autouse=True)
def _test_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokenize into a cache folder of this test run (never the user's cache)."""
    cache = tmp_path_factory.getbasetemp() / "theme-token-cache"
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(cache))


def test_themes_json_lists_every_segment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["themes", "sumida", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    segments = read_plan(SUMIDA)
    assert len(records) == len(segments)
    assert [r["line_start"] for r in records] == list(segments["line_start"])
    assert all(set(r) == {"line_start", "line_end", "text", "themes"} for r in records)
    by_line = {r["line_start"]: r["themes"] for r in records}
    assert by_line[3] == []  # "1 計画の基本理念"
    assert "platform" in by_line[38]
    assert "platform" in by_line[44]


def test_themes_accepts_a_file_and_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["themes", str(SUMIDA)]) == 0
    out = capsys.readouterr().out
    assert "platform" in out
    assert "プラットフォーム" in out


def test_themes_with_own_catalogue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "themes:\n  - id: governance\n    label: 協治\n    rule: ガバナンス\n", encoding="utf-8"
    )
    assert main(["themes", "sumida", "--json", "--themes", str(path)]) == 0
    records = json.loads(capsys.readouterr().out)
    coded = [r["line_start"] for r in records if r["themes"]]
    assert coded == [15, 21]
    assert all(r["themes"] in ([], ["governance"]) for r in records)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("themes:\n  - id: a\n    label: [A\n", "malformed YAML"),
        (
            "themes:\n  - {id: a, label: A, rule: '(防災 or 避難'}\n",
            "theme 'a': rule error at character",
        ),
        ("themes:\n  - {id: a, label: A, rule: 'chapter:防災'}\n", "known condition"),
        ("themes:\n  - {id: a, label: A, rule: ''}\n", "the rule is empty"),
    ],
)
def test_bad_catalogue_exits_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], yaml_text: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    assert main(["themes", "sumida", "--themes", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert message in err
    assert "Traceback" not in err


def test_themes_unknown_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["themes", "atlantis"]) == 2
    assert "neither a file nor a plan_id" in capsys.readouterr().err


def test_kwic_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kwic", "成年後見", "--width", "5"]) == 0
    out = capsys.readouterr().out
    rows = out.splitlines()[1:]
    assert len(rows) == 3
    assert all(row.count("成年後見制度") == 2 for row in rows)  # the match and the word
    assert main(["kwic", "disaster", "--plans", "odawara-shakyo-4", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records and {r["plan_id"] for r in records} == {"odawara-shakyo-4"}
    assert all(len(r["left"]) <= 20 for r in records)


def test_kwic_bad_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kwic", "near(防災"]) == 2
    err = capsys.readouterr().err
    assert "expected '-' and a second term" in err
    assert "Traceback" not in err
