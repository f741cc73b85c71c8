"""Pages cited for PDF sources: outline, KWIC, quotation candidates and the briefing.

The PDFs are the kept LibreOffice prints of ``data/docs`` (running header,
``- N -`` footer, two-column pages; see ``tests/pdf_layouts.py``) and, where
LibreOffice is installed, seeds printed inside the test.  What a page holds is
read with pypdf, an extractor independent of the one the package uses.
"""

from __future__ import annotations

import itertools
import json
import re
import warnings
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from pypdf import PdfReader, PdfWriter

from compare import read_corpus, read_plan, stat_kwic
from compare.cli import main
from compare.errors import CompareWarning
from compare.pipeline import run_pipeline
from compare.plot import plot_outline
from compare.report import write_report
from compare.report.model import ReportSettings
from compare.report.sections import quotation
from compare.structure.segment import outline
from tests.pdf_layouts import layout_docx, soffice_available, to_pdf

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
DOCS = Path(__file__).resolve().parent / "data" / "docs"
KEPT = {
    "sumida": ("layout-sumida.pdf", "墨田区"),
    "tokorozawa": ("layout-tokorozawa-2.pdf", "所沢市"),
}
CATALOG_HEADER = "plan_id,path,municipality,author,plan_type,doc_kind\n"


@pytest.fixture(autouse=True)
def _test_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokenize into a cache folder of this test run (never the user's cache)."""
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "page-cache"))


def _ink(text: str) -> str:
    return re.sub(r"\s", "", text)


def _printed(pdf: Path) -> list[str]:
    """The non-whitespace text of every page, as pypdf reads it."""
    return [_ink(page.extract_text() or "") for page in PdfReader(pdf).pages]


def _catalog(folder: Path, plans: dict[str, tuple[Path, str]]) -> Path:
    rows = [
        f"{plan_id},{pdf.name},{town},自治体,地域福祉計画,full"
        for plan_id, (pdf, town) in plans.items()
    ]
    for pdf, _ in plans.values():
        if pdf.parent != folder:
            (folder / pdf.name).write_bytes(pdf.read_bytes())
    path = folder / "catalog.csv"
    path.write_text(CATALOG_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pdf_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pdf-plans")
    return _catalog(folder, {p: (DOCS / name, town) for p, (name, town) in KEPT.items()})


def _quiet_plan(path: Path, **metadata: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        return read_plan(path, **metadata)


def _check_quotes(catalog: Path) -> tuple[int, int]:
    """Every quotation candidate's text starts on the page it cites: (checked, correct)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        result = run_pipeline(catalog, n_jobs=1, cache=False, progress=False)
    paths = {p: catalog.parent / f for p, f in zip(*_plan_paths(catalog), strict=True)}
    pages = {plan_id: _printed(path) for plan_id, path in paths.items()}
    quotes = result.quotes
    assert quotes["page"].notna().all()
    assert (quotes["page_label"] == quotes["page"].astype(str)).all()  # no page labels here
    correct = [
        _ink(text)[:10] in pages[plan_id][page - 1]
        for plan_id, page, text in zip(
            quotes["plan_id"], quotes["page"], quotes["text"], strict=True
        )
    ]
    # Not vacuous: the quotations come from several pages of each plan, and the check
    # fails for the wrong page (a passage of page 1 is not printed on page 2).
    assert all(quotes.groupby("plan_id")["page"].nunique() >= 2)
    wrong = [
        _ink(text)[:10] in pages[plan_id][page % len(pages[plan_id])]
        for plan_id, page, text in zip(
            quotes["plan_id"], quotes["page"], quotes["text"], strict=True
        )
    ]
    assert sum(wrong) < len(wrong) / 4
    return len(correct), sum(correct)


def _plan_paths(catalog: Path) -> tuple[list[str], list[str]]:
    frame = pd.read_csv(catalog)
    return frame["plan_id"].tolist(), frame["path"].tolist()


def test_outline_json_and_text_cite_the_printed_page(capsys: pytest.CaptureFixture[str]) -> None:
    pdf = DOCS / "layout-tokorozawa-2.pdf"
    assert main(["outline", str(pdf), "--json"]) == 0
    heads = json.loads(capsys.readouterr().out)
    assert all(set(h) == {"line", "depth", "text", "page"} for h in heads)
    pages = _printed(pdf)
    assert {h["page"] for h in heads} == {"1", "2", "3"}  # page 4 continues a section
    for head in heads:  # a heading starts on its page (基本方針Ⅱ | its title on the next)
        assert head["text"].split()[0][:6] in pages[int(head["page"]) - 1], head
    assert main(["outline", str(pdf)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(heads)
    for line, head in zip(lines, heads, strict=True):
        assert line.split()[:3] == [str(head["line"]), "p.", head["page"]]
        assert line.rstrip().endswith(head["text"])


def test_plot_outline_writes_the_page_of_each_heading_for_a_pdf() -> None:
    segments = _quiet_plan(DOCS / "layout-tokorozawa-2.pdf", plan_id="t")
    heads = outline(segments)
    ax = plot_outline(segments, max_headings=100)
    cited = [t.get_text() for t in ax.texts if t.get_text().startswith("p. ")]
    assert cited == [f"p. {label}" for label in heads["page_label"]]
    plain = plot_outline(read_plan(ROOT / "data" / "plans" / "sumida.txt"))
    assert not [t for t in plain.texts if t.get_text().startswith("p. ")]


def test_kwic_rows_carry_the_page_their_segment_is_printed_on() -> None:
    pdf = DOCS / "layout-sumida.pdf"
    segments = _quiet_plan(pdf, plan_id="s", municipality="墨田区")
    lines = stat_kwic(segments, "プラットフォーム", width=6)
    assert len(lines) >= 10
    assert set(lines["page"]) == {1, 2}
    assert (lines["page_label"] == lines["page"].astype(str)).all()
    pages = _printed(pdf)
    starts = segments.set_index("seg_id")["raw"]
    for seg_id, page in zip(lines["seg_id"], lines["page"], strict=True):
        first_line = _ink(starts[seg_id].split("\n")[0])
        assert first_line[:8] in pages[page - 1]
    # A text source has no page.
    text = stat_kwic(read_plan(ROOT / "data" / "plans" / "sumida.txt"), "プラットフォーム")
    assert text["page"].isna().all()
    assert (text["page_label"] == "").all()


def test_kwic_command_shows_pages_and_words(
    pdf_catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kwic", "地域福祉計画", "--catalog", str(pdf_catalog), "--width", "4"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header == ["plan_id", "lines", "page", "left", "match", "right", "word"]
    rows = [line for line in out.splitlines()[1:] if line.strip()]
    assert rows and all(re.search(r" p\. \d+ ", row) for row in rows)
    assert main(["kwic", "地域福祉計画", "--catalog", str(pdf_catalog), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == len(rows)
    assert all(r["page"] >= 1 and r["page_label"] == str(r["page"]) for r in records)
    assert all(r["word"] == "地域福祉計画" for r in records)
    # The bundled text plans: the word column, no page column.
    assert main(["kwic", "成年後見"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split()
    assert header == ["plan_id", "lines", "left", "match", "right", "word"]


def test_quotation_candidates_cite_the_page_their_text_is_printed_on(pdf_catalog: Path) -> None:
    checked, correct = _check_quotes(pdf_catalog)
    assert checked >= 10
    assert correct == checked


@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed")
def test_quotations_of_seeds_printed_by_libreoffice_cite_their_page(tmp_path: Path) -> None:
    plans = {}
    for seed, town in (
        ("tama-6", "多摩区"),
        ("shimonoseki", "下関市"),
        ("odawara-shakyo-4", "小田原市"),
    ):
        folder = tmp_path / seed
        folder.mkdir()
        lines = (ROOT / "data" / "plans" / f"{seed}.txt").read_text(encoding="utf-8").split("\n")
        layout_docx(lines, folder / f"{seed}.docx", "地域福祉計画（案）")
        pdf = to_pdf(folder / f"{seed}.docx", folder)
        plans[seed] = (pdf, town)
    checked, correct = _check_quotes(_catalog(tmp_path, plans))
    assert checked >= 15
    assert correct == checked


def test_quotation_of_a_pdf_cites_its_page_and_a_text_its_lines(pdf_catalog: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        quotes = run_pipeline(pdf_catalog, n_jobs=1, cache=False, progress=False).quotes
    hit = next(quotes[quotes["plan_id"] == "tokorozawa"].itertuples(index=False))
    quote, row = quotation(hit, hit.theme_id, {"tokorozawa": "所沢市"}, ReportSettings())
    assert quote.lines == f"p. {hit.page_label}"
    assert (row["page"], row["page_label"]) == (hit.page, hit.page_label)
    text_quotes = run_pipeline(n_jobs=1, cache=False, progress=False).quotes
    assert text_quotes["page"].isna().all() and (text_quotes["page_label"] == "").all()
    plain = next(text_quotes.itertuples(index=False))
    quote, row = quotation(plain, plain.theme_id, {}, ReportSettings())
    assert quote.lines.endswith("行目")
    assert row["page"] is None and row["page_label"] == ""


def test_corpus_of_pdfs_keeps_pages_per_plan(pdf_catalog: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        segments = read_corpus(pdf_catalog)
    for plan_id, (name, _) in KEPT.items():
        plan = segments[segments["plan_id"] == plan_id]
        alone = _quiet_plan(DOCS / name, plan_id=plan_id)
        assert plan["page"].tolist() == alone["page"].tolist()


def test_briefing_quotes_a_pdf_with_the_page_the_passage_is_printed_on(
    pdf_catalog: Path, tmp_path: Path
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        out = write_report(pdf_catalog, out=tmp_path / "out", date="2026-01-01", progress=False)
    markdown = (out / "briefing.md").read_text(encoding="utf-8").splitlines()
    printed = {town: _printed(DOCS / name) for name, town in KEPT.values()}
    cited = []
    for quoted, footer in itertools.pairwise(markdown):
        found = re.fullmatch(r"> — (\S+): .*（p\. (\d+)）", footer)
        if found and quoted.startswith("> "):
            town, page = found.group(1), int(found.group(2))
            cited.append(_ink(quoted[2:])[:10] in printed[town][page - 1])
    assert len(cited) >= 4
    assert all(cited)
    assert not any(line.endswith("行目）") for line in markdown)  # no line numbers for PDFs


def test_quotations_of_a_vertical_text_plan_cite_their_page(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, {"vertical": (DOCS / "layout-vertical.pdf", "所沢市")})
    checked, correct = _check_quotes(catalog)
    assert checked >= 8
    assert correct == checked


def _labelled(path: Path) -> Path:
    """layout-tokorozawa-2.pdf with page labels: i, then 本編-1, 本編-2, 本編-3."""
    writer = PdfWriter(clone_from=PdfReader(DOCS / "layout-tokorozawa-2.pdf"))
    writer.set_page_label(0, 0, style="/r")
    writer.set_page_label(1, 3, style="/D", prefix="本編-", start=1)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_page_labels_are_cited_where_the_pdf_defines_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = {1: "i", 2: "本編-1", 3: "本編-2", 4: "本編-3"}
    pdf = _labelled(tmp_path / "labelled.pdf")
    assert main(["outline", str(pdf), "--json"]) == 0
    heads = json.loads(capsys.readouterr().out)
    plain = outline(_quiet_plan(DOCS / "layout-tokorozawa-2.pdf"))
    assert [h["page"] for h in heads] == [labels[p] for p in plain["page"]]
    catalog = _catalog(tmp_path, {"tokorozawa": (pdf, "所沢市")})
    assert main(["kwic", "地域福祉計画", "--catalog", str(catalog), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["page_label"] == labels[r["page"]] for r in rows)
    assert main(["kwic", "地域福祉計画", "--catalog", str(catalog)]) == 0
    assert "p. 本編-" in capsys.readouterr().out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        quotes = run_pipeline(catalog, n_jobs=1, cache=False, progress=False).quotes
    assert len(quotes) >= 5
    assert quotes["page_label"].tolist() == [labels[p] for p in quotes["page"]]
    hit = next(quotes.itertuples(index=False))
    assert quotation(hit, hit.theme_id, {}, ReportSettings())[0].lines == f"p. {labels[hit.page]}"
