"""Tests of the ``compare outline`` and ``compare segments`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compare.cli import main

ROOT = Path(__file__).parents[1]
OUTLINES = Path(__file__).parent / "data" / "outlines"


def test_outline_json_by_plan_id(capsys):
    assert main(["outline", "shimonoseki", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert all(set(item) == {"line", "depth", "text"} for item in out)
    expected = json.loads((OUTLINES / "shimonoseki.json").read_text(encoding="utf-8"))
    assert [(h["line"], h["depth"]) for h in out] == [(h["line"], h["depth"]) for h in expected]
    assert out[0] == {"line": 3, "depth": 1, "text": "第6章 計画の推進"}


def test_outline_json_by_file(capsys):
    assert main(["outline", str(ROOT / "data" / "plans" / "sumida.txt"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [h["line"] for h in out][:3] == [3, 7, 11]
    assert [h["line"] for h in out] == sorted(h["line"] for h in out)


def test_outline_tree_is_indented_with_line_numbers(capsys):
    assert main(["outline", "sumida"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["3", "1", "計画の基本理念"]
    goal = next(line for line in lines if "区民が安心して暮らせる" in line)
    assert goal.startswith("23    1 ")  # two more spaces than the top level


def test_segments_json_carries_contract_columns(capsys):
    assert main(["segments", "tokorozawa-2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"plan_id", "municipality", "seg_id", "kind", "level", "heading_path", "section_id",
            "text", "raw", "cells", "line_start", "line_end"} <= set(out[0])  # fmt: skip
    assert out[0]["municipality"] == "所沢市"
    rows = [seg for seg in out if seg["kind"] == "table_row"]
    assert rows[0]["cells"][1:] == ["基本方針", "基本施策"]


def test_segments_text_listing(capsys):
    assert main(["segments", "tama-6"]) == 0
    out = capsys.readouterr().out
    assert "6-10" in out and "paragraph" in out


@pytest.mark.parametrize("command", ["outline", "segments"])
def test_unknown_plan_is_a_user_error(capsys, command):
    assert main([command, "no-such-plan"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no-such-plan: neither a file nor a plan_id")


def test_empty_file_is_a_user_error(tmp_path, capsys):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert main(["outline", str(path)]) == 2
    assert "empty" in capsys.readouterr().err
