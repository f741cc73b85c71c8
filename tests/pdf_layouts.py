"""Build plan PDFs the way municipalities make them: Word layout printed by LibreOffice.

A DOCX is written with python-docx from a plan text (one paragraph per
non-blank line) and given what real plans have: a running header (the plan's
title), a footer with a page-number field (``- N -``), a table, a text box and
a second section set in two columns.  LibreOffice headless prints it to PDF.

:func:`layout_docx` also returns the expected body: the paragraphs, table
cells and text-box text in the order a reader takes them, without header and
footer, so that an extractor's output can be scored against it.

Used by ``tests/test_pdf.py`` (when ``soffice`` is installed), by
``bench/formats.py`` (extractor comparison) and by
``tests/data/docs/make_layouts.py``, which keeps a few generated PDFs in
``tests/data/docs`` so that the tests also run without LibreOffice.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

#: Japanese font the documents are set in (Debian package fonts-ipaexfont).
FONT = "IPAexMincho"


@dataclass(frozen=True)
class Layout:
    """The expected content of a generated document."""

    title: str
    body: list[str]  # body paragraphs in reading order (table cells and text box included)
    two_column_from: int  # index into ``body`` of the first paragraph set in two columns


def soffice_available() -> bool:
    """True if LibreOffice's ``soffice`` is on the PATH."""
    return shutil.which("soffice") is not None


def _page_field(paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _two_columns(section) -> None:
    cols = OxmlElement("w:cols")
    cols.set(qn("w:num"), "2")
    cols.set(qn("w:space"), "425")
    section._sectPr.append(cols)


def _text_box(paragraph, text: str) -> None:
    """A floating VML text box (as Word writes for older documents) holding ``text``."""
    xml = (
        f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
        '<v:shape style="width:300pt;height:40pt" stroked="t">'
        f"<v:textbox><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
        "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    )
    paragraph._p.append(parse_xml(xml))


def layout_docx(lines: list[str], path: Path, title: str) -> Layout:
    """Write a DOCX of ``lines`` with header, footer page numbers, table, text box, columns.

    The first half of the paragraphs is set in one column, followed by a
    2 × 2 table made of the next four paragraphs' first words and a text box
    holding the next paragraph; the rest is a continuous section in two
    columns.
    """
    paragraphs = [line.strip() for line in lines if line.strip()]
    document = Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = document.sections[0]
    section.header.paragraphs[0].text = title
    footer = section.footer.paragraphs[0]
    footer.text = "- "
    _page_field(footer)
    footer.add_run(" -")
    half = len(paragraphs) // 2
    body: list[str] = []
    for text in paragraphs[:half]:
        document.add_paragraph(text)
        body.append(text)
    cells = [text[:12] for text in paragraphs[half : half + 4]]
    if len(cells) == 4:
        table = document.add_table(rows=2, cols=2)
        table.style = "Table Grid"
        for i, text in enumerate(cells):
            table.rows[i // 2].cells[i % 2].text = text
        body.extend(cells)
    boxed = paragraphs[half + 4 : half + 5]
    if boxed:
        _text_box(document.add_paragraph(), boxed[0][:40])
        body.append(boxed[0][:40])
    second = document.add_section(WD_SECTION.CONTINUOUS)
    _two_columns(second)
    start = len(body)
    for text in paragraphs[half + 5 :]:
        document.add_paragraph(text)
        body.append(text)
    document.save(str(path))
    return Layout(title=title, body=body, two_column_from=start)


def vertical_docx(lines: list[str], path: Path, title: str) -> list[str]:
    """Write a DOCX of ``lines`` set in vertical text (縦書き), right to left.

    The running header (``title``) and the ``- N -`` footer stay horizontal,
    as in printed plans.  Returns the body paragraphs in reading order.
    """
    paragraphs = [line.strip() for line in lines if line.strip()]
    document = Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = document.sections[0]
    direction = OxmlElement("w:textDirection")
    direction.set(qn("w:val"), "tbRl")
    section._sectPr.append(direction)
    section.header.paragraphs[0].text = title
    footer = section.footer.paragraphs[0]
    footer.text = "- "
    _page_field(footer)
    footer.add_run(" -")
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return paragraphs


def vertical_cells_docx(path: Path) -> list[str]:
    """Write a DOCX on a horizontal page whose table labels are set vertically (縦書きのセル).

    Returns the labels (基本目標一 …), each of which must come out as one line.
    """
    document = Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    document.add_paragraph("1 計画の基本目標")
    document.add_paragraph("本計画では、次の三つの基本目標を掲げて地域福祉を推進します。")
    rows = [
        ("基本目標一", "誰もが安心して暮らせる地域をつくる"),
        ("基本目標二", "支え合いの仕組みをつくる"),
        ("基本目標三", "担い手を育てる"),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (label, text) in zip(table.rows, rows, strict=True):
        row.height = Pt(80)
        row.cells[0].text = label
        direction = OxmlElement("w:textDirection")
        direction.set(qn("w:val"), "tbRl")
        row.cells[0]._tc.get_or_add_tcPr().append(direction)
        row.cells[1].text = text
    document.add_paragraph("以上の目標に沿って、施策を展開します。")
    document.save(str(path))
    return [label for label, _ in rows]


def to_pdf(docx: Path, outdir: Path) -> Path:
    """Print a DOCX to PDF with LibreOffice headless; return the PDF's path."""
    profile = outdir / ".lo-profile"
    command = [
        "soffice",
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        str(docx),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return outdir / f"{docx.stem}.pdf"
