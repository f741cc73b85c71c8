"""Slides of the briefing (briefing.pptx): every slide opened, and printed by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from compare.report import build_briefing, write_briefing
from compare.report.slides import FONT, slide_plan
from tests.test_report import DATE, small_corpus

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> tuple[Path, Path, list]:
    """The same two-plan briefing written twice with slides."""
    root = tmp_path_factory.mktemp("slides")
    catalog = small_corpus(root / "corpus")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMPARE_CACHE_DIR", str(root / "cache"))
        briefing = build_briefing(catalog, date=DATE, progress=False)
        first = write_briefing(briefing, out=root / "a", progress=False, pptx=True)
        second = write_briefing(briefing, out=root / "b", progress=False, pptx=True)
    return first, second, slide_plan(briefing)


def test_every_slide_opens_with_its_figure_takeaway_and_japanese_font(decks):
    report, _, shown = decks
    deck = Presentation(str(report / "briefing.pptx"))
    slides = list(deck.slides)
    texts = [
        "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in slides
    ]
    assert "地域福祉計画 比較ブリーフィング" in texts[0] and "2 件の計画" in texts[0]
    assert texts[1].startswith("主な結果")
    assert len(shown) >= 4
    assert len(slides) == 2 + len(shown) + 1
    for slide, text, (section, figure) in zip(slides[2:], texts[2:], shown, strict=False):
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        assert len(pictures) == 1
        assert pictures[0].image.blob == (report / "figures" / f"{figure.key}.png").read_bytes()
        title, line = text.split("\n")[:2]
        assert title == section.title and len(line) > 5
    plans = slides[-1]
    table = next(s for s in plans.shapes if s.has_table).table
    cells = [table.cell(r, 0).text for r in range(len(table.rows))]
    assert cells == ["自治体", "墨田区", "川崎市多摩区"]
    runs = [
        run
        for slide in slides
        for shape in slide.shapes
        for frame in (
            [shape.text_frame]
            if shape.has_text_frame
            else [c.text_frame for row in shape.table.rows for c in row.cells]
            if shape.has_table
            else []
        )
        for paragraph in frame.paragraphs
        for run in paragraph.runs
    ]
    assert runs
    for run in runs:
        east_asian = run._r.find(qn("a:rPr")).find(qn("a:ea"))
        assert east_asian is not None and east_asian.get("typeface") == FONT


#: Words of the method text that a finding's lead line must not start with.
METHOD = ("各計画で", "同じ段落", "語と", "計画ごとに", "テーマ", "図は")


def test_each_finding_slide_leads_with_what_differs_between_which_plans(decks):
    report, _, shown = decks
    deck = Presentation(str(report / "briefing.pptx"))
    leads = {
        section.key: [s.text_frame.text for s in slide.shapes if s.has_text_frame][1]
        for slide, (section, _) in zip(list(deck.slides)[2:], shown, strict=False)
    }
    for key in ("themes", "keyness", "similarity"):  # CA needs three plans
        assert key in leads, sorted(leads)
        lead = leads[key]
        # It names the plans it is about (the corpus holds 墨田区 and 川崎市多摩区) …
        assert "墨田区" in lead or "川崎市多摩区" in lead or "有意な差" in lead, (key, lead)
        # … and is not the method text that opens the section.
        assert not lead.startswith(METHOD), (key, lead)
    assert "墨田区「" in leads["keyness"] and "川崎市多摩区「" in leads["keyness"]
    assert "最も似ている" in leads["similarity"]
    assert "差は有意で" in leads["themes"] or "有意な差" in leads["themes"]
    if "outline" in leads:
        assert leads["outline"].startswith("見出しが最も多いのは")


def test_the_keyness_lead_does_not_call_compared_municipalities_plans():
    """A large corpus compares municipalities: the lead names them without the word 計画."""
    import pandas as pd

    from compare.report.model import Section
    from compare.report.parts import report_table
    from compare.report.slides import _table_lead

    top = pd.DataFrame({"name": ["甲市", "乙町"], "特徴語": ["防災、避難", "移動支援"]})
    section = Section(
        key="keyness",
        title="自治体ごとの特徴語",
        tables=[report_table("keyness_top", top, "自治体")],
    )
    lead = _table_lead(section)
    assert "甲市「防災」" in lead and "乙町「移動支援」" in lead
    assert "計画" not in lead


def test_the_lead_is_the_weightiest_finding_of_the_section_not_a_phrase_in_it():
    """The lead takes the summary finding that tells most (a tested difference about one
    theme, then which themes differ), by the weight given where it was found; ties keep
    the summary's order."""
    import pandas as pd

    from compare.report.model import (
        DIFFERENCES,
        NAMED_DIFFERENCE,
        Briefing,
        Finding,
        ReportFigure,
        Section,
    )
    from compare.report.parts import report_table
    from compare.report.slides import takeaway

    frame = pd.DataFrame({"テーマ": ["防災"]})
    section = Section(key="themes", tables=[report_table("theme_test_summary", frame)])
    figure = ReportFigure(key="themes", title="テーマ", caption="", figure=None)

    def lead(*findings: Finding) -> str:
        summary = Section(key="summary", bullets=list(findings))
        briefing = Briefing(title="", subtitle="", sections=[summary], provenance={})
        return takeaway(section, figure, briefing)

    plain = Finding("防災: 割合が最も高いのは甲市。", table="theme_test_summary")
    themes = Finding("差のあるテーマ: 防災。", table="theme_test_summary", weight=DIFFERENCES)
    named = Finding("防災: 甲市が多い。", table="theme_test_summary", weight=NAMED_DIFFERENCE)
    elsewhere = Finding("最も似ている: 甲市と乙市。", table="similarity", weight=NAMED_DIFFERENCE)
    assert lead(plain, themes, named, elsewhere) == "防災: 甲市が多い。"
    assert lead(plain, themes) == "差のあるテーマ: 防災。"
    assert lead(plain, Finding("二つ目。", table="theme_test_summary")) == str(plain)


def test_slides_are_identical_for_the_same_report(decks):
    first, second, _ = decks
    assert (first / "briefing.pptx").read_bytes() == (second / "briefing.pptx").read_bytes()


@pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed (Debian: libreoffice-impress-nogui); CI installs it",
)
def test_libreoffice_prints_every_slide_with_japanese_text(decks, tmp_path: Path):
    import pypdfium2
    from pypdf import PdfReader

    report, _, _ = decks
    deck = Presentation(str(report / "briefing.pptx"))
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(report / "briefing.pptx"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = tmp_path / "briefing.pdf"
    reader = PdfReader(pdf)
    assert len(reader.pages) == len(deck.slides)
    first = reader.pages[0].extract_text()
    assert "地域福祉計画" in first and "比較ブリーフィング" in first
    assert "墨田区" in reader.pages[-1].extract_text()
    # A figure slide shows ink across the page (the picture), not a blank page.
    page = pypdfium2.PdfDocument(str(pdf))[3].render(scale=0.5).to_pil().convert("L")
    width, height = page.size
    dark = sum(page.crop((0, height // 4, width, height)).histogram()[:200])
    assert dark > width * height * 0.02
