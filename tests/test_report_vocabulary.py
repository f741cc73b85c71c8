"""The report counts the comparison vocabulary, prints it, and says what each plan covers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from compare.cli import main
from compare.text.vocabulary import TYPE_WORDS, Vocabulary, place_names
from tests.test_report import SEEDS, bundled_report


@pytest.fixture(scope="module")
def report() -> Path:
    return bundled_report()


def _provenance(report: Path) -> str:
    html = (report / "index.html").read_text(encoding="utf-8")
    return html[html.index('id="provenance"') :]


def test_provenance_prints_the_comparison_vocabulary(report: Path) -> None:
    block = _provenance(report)
    assert "比較語彙" in block
    assert "stopwordsiso" in block
    assert "住民" in block and "本自治体" in block
    assert "所沢市" in block  # a place name removed from the comparisons


def test_report_keyness_names_no_place_and_no_municipality_type(report: Path) -> None:
    keyness = pd.read_csv(report / "tables" / "keyness.csv", encoding="utf-8-sig")
    top = keyness[keyness["rank"] <= 20]
    assert list(dict.fromkeys(top["plan_id"])) == SEEDS
    names = {n for m in pd.unique(top["municipality"]) for n in place_names(m)}
    assert names >= {"所沢", "下関", "墨田", "多摩"}
    words = set(top["word"])
    assert not words & names
    assert not words & {*TYPE_WORDS, "市民", "区民", "町民", "村民"}


def test_plan_table_has_coverage_and_the_summary_flags_it(report: Path) -> None:
    plans = pd.read_csv(report / "tables" / "plans.csv", encoding="utf-8-sig")
    coverage = dict(zip(plans["plan_id"], plans["coverage"], strict=True))
    assert coverage["shimonoseki"] == "抜粋: 推進体制・指標"
    assert coverage["tama-6"] == "案: 基本目標・施策"
    similarity = pd.read_csv(report / "tables" / "similarity.csv", encoding="utf-8-sig")
    assert similarity["coverage_differs"].dtype == bool
    assert similarity["coverage_differs"].sum() == 9  # all pairs but 墨田区–小田原市
    html = (report / "index.html").read_text(encoding="utf-8")
    assert "文書の範囲が異なり" in html


def test_report_options_build_the_vocabulary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen = {}

    def fake_write_report(catalog, **kwargs):
        seen.update(kwargs)
        return tmp_path

    monkeypatch.setattr("compare.report.write_report", fake_write_report)
    stop = tmp_path / "stop.txt"
    stop.write_text("交流\n", encoding="utf-8")
    terms = tmp_path / "terms.txt"
    terms.write_text("地域福祉コーディネーター\n", encoding="utf-8")
    settings = tmp_path / "settings.yaml"
    settings.write_text("vocabulary:\n  verbs: true\n  boilerplate: false\n", encoding="utf-8")
    argv = ["report", "--out", str(tmp_path / "out"), "--settings", str(settings)]
    argv += ["--stopwords", str(stop), "--terms", str(terms), "--keep-place-names"]
    assert main(argv) == 0
    vocabulary = seen["settings"].vocabulary
    assert isinstance(vocabulary, Vocabulary)
    assert vocabulary.verbs and vocabulary.boilerplate is None
    assert vocabulary.extra_stopwords == str(stop) and vocabulary.terms == str(terms)
    assert not vocabulary.place_names
    assert seen["settings"].as_dict().get("vocabulary") is None
