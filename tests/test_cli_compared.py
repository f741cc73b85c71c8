"""``compare keyness`` and ``compare similarity``, and the vocabulary options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compare.cli import main
from compare.text.vocabulary import place_names


@pytest.fixture(autouse=True)
def _test_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokenize into a cache folder of this test run (never the user's cache)."""
    cache = tmp_path_factory.getbasetemp() / "compared-token-cache"
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(cache))


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> list[dict]:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_keyness_json(capsys: pytest.CaptureFixture[str]) -> None:
    records = _json(capsys, ["keyness", "--json"])
    assert set(records[0]) == {
        "plan_id",
        "word",
        "g2",
        "log_ratio",
        "count_target",
        "count_reference",
    }
    plans = list(dict.fromkeys(r["plan_id"] for r in records))
    assert plans == ["sumida", "tama-6", "tokorozawa-2", "odawara-shakyo-4", "shimonoseki"]
    for plan in plans:
        rows = [r for r in records if r["plan_id"] == plan]
        assert len(rows) == 20
        g2 = [r["g2"] for r in rows]
        assert g2 == sorted(g2, reverse=True) and g2[-1] > 0
    names = {
        n
        for m in ("墨田区", "川崎市多摩区", "所沢市", "小田原市", "下関市")
        for n in place_names(m)
    }
    words = {r["word"] for r in records}
    assert not words & names
    assert not words & {"市", "区", "市民", "区民"}


def test_keyness_options_change_the_vocabulary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    kept = _json(capsys, ["keyness", "--json", "--keep-place-names", "--top", "5"])
    assert "下関" in {r["word"] for r in kept if r["plan_id"] == "shimonoseki"}
    default = _json(capsys, ["keyness", "--json", "--top", "3"])
    first = next(r["word"] for r in default if r["plan_id"] == "tokorozawa-2")
    stop = tmp_path / "stop.txt"
    stop.write_text(first + "\n", encoding="utf-8")
    settings = tmp_path / "settings.yaml"
    settings.write_text("vocabulary:\n  extra_stopwords: stop.txt\n", encoding="utf-8")
    for argv in (["--stopwords", str(stop)], ["--settings", str(settings)]):
        changed = _json(capsys, ["keyness", "--json", "--top", "3", *argv])
        assert first not in {r["word"] for r in changed if r["plan_id"] == "tokorozawa-2"}


def test_keyness_of_one_section_kind(capsys: pytest.CaptureFixture[str]) -> None:
    records = _json(capsys, ["keyness", "--json", "--section", "基本目標", "--top", "5"])
    # 下関市's chapter (計画の推進) has no 基本目標: it is left out
    assert {r["plan_id"] for r in records} == {
        "sumida",
        "tama-6",
        "tokorozawa-2",
        "odawara-shakyo-4",
    }


def test_similarity_json(capsys: pytest.CaptureFixture[str]) -> None:
    records = _json(capsys, ["similarity", "--json"])
    assert len(records) == 10
    assert {"plan_a", "plan_b", "cosine"} <= set(records[0])
    cosines = [r["cosine"] for r in records]
    assert cosines == sorted(cosines, reverse=True) and all(0 < c < 1 for c in cosines)
    # only 墨田区's and 小田原市's excerpts cover the same kinds of section
    same = [(r["plan_a"], r["plan_b"]) for r in records if not r["coverage_differs"]]
    assert same == [("sumida", "odawara-shakyo-4")]
    shimonoseki = [r for r in records if "shimonoseki" in (r["plan_a"], r["plan_b"])]
    assert {r["shared_sections"] for r in shimonoseki} <= {"", "推進体制・指標", "推進体制"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["keyness", "--section", "序文"], "Unknown section kind '序文'"),
        (["keyness", "--stopwords", "missing.txt"], "--stopwords missing.txt: no such file"),
        (["similarity", "--settings", "missing.yaml"], "settings file missing.yaml does not exist"),
        (["keyness", "--top", "0"], "--top must be a positive number"),
    ],
)
def test_user_mistakes(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_bad_settings_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    settings = tmp_path / "s.yaml"
    settings.write_text("vocabulary:\n  verb: true\n", encoding="utf-8")
    assert main(["similarity", "--settings", str(settings)]) == 2
    assert "s.yaml: unknown vocabulary setting(s) 'verb'" in capsys.readouterr().err
    settings.write_text("colour: red\n", encoding="utf-8")
    assert main(["similarity", "--settings", str(settings)]) == 2
    assert "unknown setting(s) 'colour'" in capsys.readouterr().err
