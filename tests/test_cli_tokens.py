"""``compare tokens`` and ``compare terms``."""

from __future__ import annotations

import json

import pytest

from compare import Tokenizer
from compare.cli import main
from tests.conftest import PLANS


def test_tokens_of_a_text_as_json(capsys, cache_dir):
    text = "重層的支援体制と子供食堂の取り組み"
    assert main(["tokens", "--text", text, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == Tokenizer().words(text)


def test_tokens_of_a_text_as_a_table(capsys, cache_dir):
    assert main(["tokens", "--text", "成年後見制度を利用する"]) == 0
    out = capsys.readouterr().out
    assert "成年後見制度" in out and "surface" in out


def test_tokens_of_a_plan_id(capsys, cache_dir):
    assert main(["tokens", "sumida"]) == 0
    lines = capsys.readouterr().out.strip().split("\n")
    assert all(line.startswith("sumida\t") for line in lines)
    assert any("プラットフォーム" in line.split("\t")[3].split() for line in lines)


def test_tokens_of_a_file_as_json(capsys, cache_dir):
    assert main(["tokens", str(PLANS / "shimonoseki.txt"), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records and {"seg_id", "kind", "words", "tokens"} <= set(records[0])
    assert any("社会福祉協議会" in r["words"] for r in records)


def test_tokens_with_user_terms(tmp_path, capsys, cache_dir):
    path = tmp_path / "mine.txt"
    path.write_text("まちの縁側\n", encoding="utf-8")
    assert main(["tokens", "--text", "まちの縁側", "--terms", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == ["まちの縁側"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tokens", "no-such-plan"], "neither a file nor a plan_id"),
        (["tokens"], "give a plan id"),
        (["terms", "no-such-plan"], "unknown plan id"),
        (["tokens", "--text", "地域", "--terms", "missing.txt"], "does not exist"),
    ],
)
def test_user_errors(argv, message, capsys, cache_dir):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_terms(capsys, cache_dir):
    assert main(["terms", "tokorozawa-2", "odawara-shakyo-4", "--top", "10", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 10
    assert all(set(r["plans"].split(",")) <= {"tokorozawa-2", "odawara-shakyo-4"} for r in rows)
    assert rows == sorted(rows, key=lambda r: -r["score"])
    assert main(["terms", "--top", "3"]) == 0
    assert "score" in capsys.readouterr().out
