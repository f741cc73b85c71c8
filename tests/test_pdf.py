"""PDFs laid out as municipalities make them: body text, page furniture, pages, spacing.

The kept documents ``data/docs/layout-<seed>.pdf`` were printed by LibreOffice
from a DOCX with a running header, a ``- N -`` footer, a table, a text box and
two-column pages (``tests/pdf_layouts.py``); ``layout-<seed>.txt`` is the body
they were made from.  Where LibreOffice is installed, a document is also made
from a corpus-dev excerpt inside the test.
"""

from __future__ import annotations

import difflib
import re
import warnings
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from compare import read_plan
from compare.errors import InputFileError, InputFileWarning
from compare.io.readers import SourceText, read_document
from compare.structure.segment import segment_text
from tests.pdf_layouts import layout_docx, soffice_available, to_pdf, vertical_docx

DOCS = Path(__file__).resolve().parent / "data" / "docs"
ROOT = Path(__file__).resolve().parents[1]
# corpus-dev sits next to the project (../shared), or next to the folder of worktrees.
CORPUS_DEV = next(
    (
        folder / "shared" / "corpus-dev" / "texts"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "corpus-dev" / "texts").is_dir()
    ),
    ROOT.parent / "shared" / "corpus-dev" / "texts",
)
NEEDS_SOFFICE = pytest.mark.skipif(
    not soffice_available(), reason="LibreOffice (soffice) is not installed"
)
LAYOUTS = {"sumida": "墨田区地域福祉計画", "tokorozawa-2": "第2次所沢市地域福祉計画 概要版"}
PAGE_NUMBER = re.compile(r"-\s*\d+\s*-")


def _ink(text: str) -> str:
    return re.sub(r"\s", "", text)


def _accuracy(expected: str, found: str) -> float:
    a, b = _ink(expected), _ink(found)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(m.size for m in matcher.get_matching_blocks()) / max(len(a), len(b))


def _quiet(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_document(path), read_plan(path, plan_id="p")


def _page_texts(path: Path) -> list[str]:
    document = pdfium.PdfDocument(str(path))
    try:
        return [_ink(document[i].get_textpage().get_text_range()) for i in range(len(document))]
    finally:
        document.close()


def _check_layout(pdf: Path, body: list[str], title: str, titled: int | None = None) -> None:
    """Body text, furniture, pages and paragraphs of a generated PDF.

    ``titled``: body paragraphs equal to the title that stay body text (by
    default every one the body has).
    """
    source, segments = _quiet(pdf)
    # The body recovered (lines not marked as page furniture) matches the source.
    recovered = "\n".join(line for i, line in enumerate(source.lines) if i not in source.hints)
    assert _accuracy("\n".join(body), recovered) >= 0.995
    # Page furniture is meta, never inside a body segment.
    texts = segments.loc[segments["kind"] != "meta", "text"].map(_ink)
    assert not texts.str.contains(PAGE_NUMBER).any()
    if titled is None:  # the body may state the title itself
        titled = sum(_ink(p) == _ink(title) for p in body)
    assert texts.str.fullmatch(re.escape(_ink(title))).sum() == titled
    furniture = segments.loc[(segments["line_start"] - 1).isin(list(source.hints))]
    assert set(furniture["kind"]) == {"meta"}
    assert furniture["page"].nunique() == source.pages >= 2
    # Every segment's page is the page its first line is printed on.
    pages = _page_texts(pdf)
    for raw, page in zip(segments["raw"], segments["page"], strict=True):
        assert _ink(raw.split("\n")[0])[:8] in pages[page - 1]
    # No prose paragraph of the source is split between segments (at a page break or a
    # column end); table rows and colophon lines are line units of their own.
    whole = [_ink(t) for t in segments["text"]]
    prose = [p for p in body if len(_ink(p)) >= 20 and p.endswith("。") and "\t" not in p]
    assert len(prose) >= 5  # the check is not vacuous
    assert [p for p in prose if not any(_ink(p) in t for t in whole)] == []


@pytest.mark.parametrize("seed", sorted(LAYOUTS))
def test_municipal_layout_body_furniture_and_pages(seed: str):
    body = (DOCS / f"layout-{seed}.txt").read_text(encoding="utf-8").strip().split("\n")
    _check_layout(DOCS / f"layout-{seed}.pdf", body, LAYOUTS[seed])


def test_vertical_layout_read_column_by_column_with_furniture_and_pages():
    """縦書き over six pages, header and ``- N -`` footer written across the page."""
    body = (DOCS / "layout-vertical.txt").read_text(encoding="utf-8").strip().split("\n")
    # The colophon at the end restates the title; read in one piece it is a colophon (meta).
    _check_layout(DOCS / "layout-vertical.pdf", body, LAYOUTS["tokorozawa-2"], titled=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no page looks like vertical text read line by line
        read_document(DOCS / "layout-vertical.pdf")


@NEEDS_SOFFICE
@pytest.mark.parametrize("seed", ["tama-6", "odawara-shakyo-4", "shimonoseki"])
def test_vertical_seed_printed_by_libreoffice(tmp_path: Path, seed: str):
    lines = (ROOT / "data" / "plans" / f"{seed}.txt").read_text(encoding="utf-8").split("\n")
    body = vertical_docx(lines, tmp_path / "plan.docx", "地域福祉計画（案）")
    _check_layout(to_pdf(tmp_path / "plan.docx", tmp_path), body, "地域福祉計画（案）")


@NEEDS_SOFFICE
@pytest.mark.parametrize("seed", ["tama-6", "odawara-shakyo-4", "shimonoseki"])
def test_seed_printed_by_libreoffice(tmp_path: Path, seed: str):
    lines = (ROOT / "data" / "plans" / f"{seed}.txt").read_text(encoding="utf-8").split("\n")
    layout = layout_docx(lines, tmp_path / "plan.docx", "地域福祉計画（案）")
    _check_layout(to_pdf(tmp_path / "plan.docx", tmp_path), layout.body, layout.title)


@NEEDS_SOFFICE
@pytest.mark.skipif(not CORPUS_DEV.is_dir(), reason="corpus-dev is not next to the project")
@pytest.mark.parametrize(
    "excerpts", [("shakyo-kanagawa-pref", "shakyo-kusu-4"), ("fuchu-hiroshima-2", "kashiba")]
)
def test_corpus_dev_excerpts_printed_by_libreoffice(tmp_path: Path, excerpts: tuple[str, str]):
    lines = [
        line
        for excerpt in excerpts
        for line in (CORPUS_DEV / f"{excerpt}.txt").read_text(encoding="utf-8").split("\n")
    ]
    layout = layout_docx(lines, tmp_path / "plan.docx", "地域福祉計画")
    _check_layout(to_pdf(tmp_path / "plan.docx", tmp_path), layout.body, layout.title)


def test_spaces_follow_the_character_boxes():
    source, _ = _quiet(DOCS / "layout-sumida.pdf")
    text = "\n".join(source.lines)
    # LibreOffice's spacing between Japanese and digits is no space in the source ...
    assert "次の3点" in text and "基本目標4「" in text
    # ... while real spaces are kept, and table cells are separated by tabs.
    assert "1 計画の基本理念" in text
    assert any("\t" in line for line in source.lines)


def test_two_column_pages_read_column_by_column():
    _, segments = _quiet(DOCS / "layout-sumida.pdf")
    paragraphs = segments["text"].map(_ink).tolist()
    expected = _ink(
        "前期計画では、「地域福祉プラットフォームづくり」を優先的取り組みの一つとして取り組んだ"
        "結果、高齢者みまもり相談室、小地域福祉活動等において、プラットフォームが生まれてきました。"
    )
    assert any(expected in p for p in paragraphs)


def test_look_alike_glyphs_are_usual_characters_in_text_and_kept_in_raw():
    segments = segment_text("1 計画の趣旨\n\n地域で⽀え合い、⼦どもの居場所づくりを⾏います。\n")
    body = segments.loc[segments["kind"] == "paragraph"].iloc[0]
    assert body["text"] == "地域で支え合い、子どもの居場所づくりを行います。"
    assert body["raw"] == "地域で⽀え合い、⼦どもの居場所づくりを⾏います。"


def _with_blank_pages(tmp_path: Path) -> Path:
    reader = PdfReader(str(DOCS / "sumida.pdf"))
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    for page in reader.pages:
        writer.add_page(page)
    writer.add_blank_page(595, 842)
    path = tmp_path / "blanks.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_empty_pages_are_named_and_the_rest_is_read(tmp_path: Path):
    path = _with_blank_pages(tmp_path)
    with pytest.warns(InputFileWarning, match=r"2 of 4 pages have no text \(pages 1, 4\)"):
        source = read_document(path)
    assert source.pages == 4 and set(source.line_pages) == {2, 3}
    assert "計画の基本理念" in source.text


def _latin_only_pdf(path: Path) -> None:
    """A one-page PDF whose text layer has no Japanese character (a font without a Unicode map)."""
    line = b"BT /F1 12 Tf 72 %d Td (Kd#k 9fj2 lq0v mzx8 Aoe%% wpq7 Hrt3 zzq1 Bnm4) Tj ET"
    stream = b"\n".join(line % y for y in (720, 700, 680))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))


def test_garbage_text_layer_is_refused_with_what_to_do(tmp_path: Path):
    path = tmp_path / "garbage.pdf"
    _latin_only_pdf(path)
    with pytest.raises(InputFileError, match=r"garbage.pdf: the text layer is garbage .*OCR"):
        read_document(path)


def test_hinted_heading_after_an_open_bracket_stays_a_heading(tmp_path: Path):
    # A list item ending in an open bracket must not swallow the next line when
    # the document format states that line is a heading (found by fuzzing).
    path = tmp_path / "doc.html"
    path.write_text("<html><body><p>・（</p>\n<h1>1。</h1></body></html>", encoding="utf-8")
    source: SourceText = read_document(path)
    segments = read_plan(path, plan_id="f")
    heading = next(i for i, hint in source.hints.items() if hint.kind == "heading")
    assert heading + 1 in set(segments.loc[segments["kind"] == "heading", "line_start"])


def _without_unicode_maps(source: Path, path: Path) -> Path:
    """A copy of ``source`` whose fonts lose their ToUnicode maps and their programs."""
    writer = PdfWriter(clone_from=PdfReader(source))
    for page in writer.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/ToUnicode" in font:
                del font[NameObject("/ToUnicode")]
            descriptor = font["/FontDescriptor"].get_object()
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in descriptor:
                    del descriptor[NameObject(key)]
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_fonts_without_unicode_maps_are_named_with_what_to_do(tmp_path: Path):
    path = _without_unicode_maps(DOCS / "layout-sumida.pdf", tmp_path / "unmapped.pdf")
    with pytest.raises(InputFileError) as caught:
        read_document(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: the text layer is garbage (none of its ")
    assert "fonts without a ToUnicode map: BAAAAA+IPAexMincho (not embedded)" in message
    assert "OCR needed" in message


def test_vertical_table_labels_on_a_horizontal_page_are_one_line_each():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lines = read_document(DOCS / "vertical-cells.pdf").lines
    labels = ["基本目標一", "基本目標二", "基本目標三"]
    assert [line for line in lines if line.startswith("基本目標")] == labels
    body = [line for line in lines if line.strip()]
    assert body[:2] == [
        "1 計画の基本目標",
        "本計画では、次の三つの基本目標を掲げて地域福祉を推進します。",
    ]
    assert body[-1] == "以上の目標に沿って、施策を展開します。"
    assert not [line for line in body if len(line) == 1]
