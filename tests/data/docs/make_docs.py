"""Regenerate the small test documents in this folder.

Run from the repository root with LibreOffice installed (Debian:
``libreoffice-writer-nogui`` and ``fonts-ipaexfont``)::

    python tests/data/docs/make_docs.py

What it makes, and from what:

- ``<seed>.docx``: LibreOffice's own conversion of ``data/plans/<seed>.txt``
  (one paragraph per text line, no heading styles).
- ``<seed>.pdf``: that DOCX with a running header (the plan's title) and a
  footer page number (``- N -``) added, printed to PDF by LibreOffice.  The
  embedded programs of the Japanese (CID) fonts are then removed (the
  ToUnicode maps that carry the text layer are kept), which shrinks each file
  from ~120 KB to a few tens of KB.
- ``layout-<seed>.pdf``: the seed laid out as municipalities' PDFs are
  (``tests/pdf_layouts.py``: running header, page-number footer, a table, a
  text box, two-column pages), fonts stripped the same way; its expected body
  text is ``layout-<seed>.txt``.
- ``styled.docx``: heading styles (built-in ``Heading 1``, a user style named
  ``見出し 2``, a style with an outline level only), a table and a list.
- ``plan.html`` / ``plan-sjis.html``: a plan's web page with navigation,
  scripts, a breadcrumb and a footer around the main text (UTF-8 and
  Shift_JIS).
- ``scanned.pdf``: one image-only page, no text layer.
- ``encrypted.pdf`` (user password ``secret``) and ``owner-locked.pdf``
  (empty user password, owner password set: opens without a password).
- ``vertical.pdf``: vertical (tategaki) text.
- ``layout-vertical.pdf``: a seed in vertical text over six pages with a
  horizontal running header and ``- N -`` footer; its body is
  ``layout-vertical.txt``.
- ``vertical-cells.pdf``: a horizontal page whose table labels are set
  vertically.
- ``empty.pdf`` (zero bytes) and ``fake.docx`` (a ZIP of a text file and a PNG).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SEEDS = ("sumida", "tama-6", "tokorozawa-2", "odawara-shakyo-4", "shimonoseki")
TITLES = {
    "sumida": "墨田区地域福祉計画",
    "tama-6": "第６期多摩区地域福祉計画（案）",
    "tokorozawa-2": "第2次所沢市地域福祉計画 概要版",
    "odawara-shakyo-4": "第4期 地域福祉活動計画",
    "shimonoseki": "下関市地域福祉計画",
}
TEXT_FILTER = "Text (encoded):UTF8,LF,,,"


def soffice(src: Path, target: str, outdir: Path, *, text: bool = False) -> Path:
    """Convert ``src`` with LibreOffice headless; return the written file."""
    command = ["soffice", "--headless"]
    if text:
        command.append(f"--infilter={TEXT_FILTER}")
    command += ["--convert-to", target, "--outdir", str(outdir), str(src)]
    subprocess.run(command, check=True, capture_output=True)
    return outdir / f"{src.stem}.{target.split(':')[0]}"


def add_page_field(paragraph) -> None:
    """Append a PAGE field (the page number) to a paragraph."""
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


def with_header_footer(src: Path, dst: Path, title: str) -> None:
    document = Document(str(src))
    section = document.sections[0]
    section.header.paragraphs[0].text = title
    footer = section.footer.paragraphs[0]
    footer.text = "- "
    add_page_field(footer)
    footer.add_run(" -")
    document.save(str(dst))


def strip_fonts(path: Path) -> None:
    """Drop the embedded programs of the CID (Japanese) fonts; the text layer stays.

    The ToUnicode maps that carry the text layer are kept.  The small simple
    fonts (Latin digits, symbols such as ◆) stay embedded: without their
    programs PDFium cannot place their glyphs and leaves them out of the text.
    """
    reader = PdfReader(str(path))
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", []):
                _drop_font_file(descendant.get_object())
    writer.compress_identical_objects()
    with path.open("wb") as handle:
        writer.write(handle)


def _drop_font_file(font) -> None:
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return
    descriptor = descriptor.get_object()
    for key in ("/FontFile", "/FontFile2", "/FontFile3"):
        if key in descriptor:
            del descriptor[NameObject(key)]


def make_seed_documents(work: Path) -> None:
    for seed in SEEDS:
        txt = work / f"{seed}.txt"
        shutil.copyfile(ROOT / "data" / "plans" / f"{seed}.txt", txt)
        docx = soffice(txt, "docx:MS Word 2007 XML", work, text=True)
        shutil.copyfile(docx, HERE / f"{seed}.docx")
        paged = work / "paged" / f"{seed}.docx"
        paged.parent.mkdir(exist_ok=True)
        with_header_footer(docx, paged, TITLES[seed])
        pdf = soffice(paged, "pdf", work / "paged")
        strip_fonts(pdf)
        shutil.copyfile(pdf, HERE / f"{seed}.pdf")


#: Seeds also kept in the municipal layout (small enough to stay in the repository).
LAYOUT_SEEDS = ("sumida", "tokorozawa-2")


def make_layout_pdfs(work: Path) -> None:
    """``layout-<seed>.pdf`` and its expected body ``layout-<seed>.txt``."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pdf_layouts import layout_docx, to_pdf

    for seed in LAYOUT_SEEDS:
        lines = (ROOT / "data" / "plans" / f"{seed}.txt").read_text(encoding="utf-8").split("\n")
        docx = work / f"layout-{seed}.docx"
        layout = layout_docx(lines, docx, TITLES[seed])
        pdf = to_pdf(docx, work)
        strip_fonts(pdf)
        shutil.copyfile(pdf, HERE / pdf.name)
        (HERE / f"layout-{seed}.txt").write_text("\n".join(layout.body) + "\n", encoding="utf-8")


def make_styled_docx() -> None:
    document = Document()
    styles = document.styles
    japanese = styles.add_style("見出し 2", WD_STYLE_TYPE.PARAGRAPH)
    japanese.base_style = styles["Normal"]
    chapter = styles.add_style("章タイトル", WD_STYLE_TYPE.PARAGRAPH)
    p_pr = chapter.element.get_or_add_pPr()
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "0")
    p_pr.append(outline)
    document.add_paragraph("地域福祉計画（素案）", style="Title")
    document.add_paragraph("計画の策定にあたって", style="章タイトル")
    document.add_paragraph("計画策定の趣旨", style="見出し 2")
    document.add_paragraph(
        "少子高齢化の進行により、地域の支え合いの力が弱まっています。"
        "このため、住民と行政が協働して地域福祉を推進します。"
    )
    document.add_paragraph("計画の位置づけ", style="見出し 2")
    document.add_paragraph("本計画は社会福祉法第107条に基づく計画です。\t（法定計画）")
    document.add_paragraph("（１）関連計画との関係")
    document.add_paragraph("高齢者福祉計画、障害者計画などと連携します。")
    document.add_paragraph("基本理念と基本目標", style="Heading 1")
    document.add_paragraph("見守り活動の推進", style="List Bullet")
    document.add_paragraph("防災・減災の取組", style="List Bullet")
    table = document.add_table(rows=3, cols=3)
    cells = [
        ["指標", "現状値", "目標値"],
        ["地域活動に参加している人の割合", "25.3%", "30.0%"],
        ["", "", ""],
    ]
    for row, values in zip(table.rows, cells, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    merged = table.add_row()
    merged.cells[0].merge(merged.cells[1]).text = "出典：市民アンケート"
    merged.cells[2].text = "令和5年度"
    document.add_paragraph("")
    document.add_paragraph("地域で支え合う仕組みをつくります。\n重層的支援体制を整備します。")
    document.save(str(HERE / "styled.docx"))


PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="{charset}"><title>地域福祉計画｜サンプル市</title>
<style>body {{ font-family: sans-serif; }}</style>
<script>var menu = "ナビゲーション";</script></head>
<body>
<header id="tmp_header"><h1>サンプル市公式ホームページ</h1><a href="#main">本文へ</a></header>
<nav><ul><li><a href="/">ホーム</a></li><li><a href="/kurashi">くらし</a></li></ul></nav>
<div id="tmp_pankuzu"><a href="/">トップ</a> &gt; 福祉 &gt; 地域福祉計画</div>
<main>
<h1>第３次サンプル市地域福祉計画</h1>
<p>更新日：2024年3月1日</p>
<h2>第１章　計画の策定にあたって</h2>
<h3>1　計画策定の趣旨</h3>
<p>少子高齢化の進行により、地域の
支え合いの力が弱まっています。<br>このため、住民と行政が協働して地域福祉を推進します。</p>
<h3>2　計画の位置づけ</h3>
<p>本計画は社会福祉法第107条に基づく&ldquo;地域福祉計画&rdquo;です。</p>
<ul><li>見守り活動の推進</li><li>防災・減災の取組</li></ul>
<h2>第２章　基本目標</h2>
<table><tr><th>指標</th><th>現状値</th><th>目標値</th></tr>
<tr><td>地域活動に参加している人の割合</td><td>25.3%</td><td><p>30.0%</p><p>（増加）</p></td></tr></table>
<script>document.write("広告");</script>
<noscript>JavaScriptを有効にしてください</noscript>
</main>
<aside><h2>関連リンク</h2><p>高齢者福祉計画</p></aside>
<footer><p>サンプル市役所　〒000-0000　電話 000-000-0000</p></footer>
</body></html>
"""


def make_html() -> None:
    (HERE / "plan.html").write_bytes(PAGE.format(charset="utf-8").encode("utf-8"))
    (HERE / "plan-sjis.html").write_bytes(PAGE.format(charset="Shift_JIS").encode("cp932"))


def make_scanned_pdf() -> None:
    image = Image.new("1", (595, 842), 1)
    draw = ImageDraw.Draw(image)
    for y in range(100, 700, 24):  # lines of "text" as a scanner would see them
        draw.rectangle((60, y, 530 - (y % 90), y + 10), fill=0)
    image.save(HERE / "scanned.pdf", "PDF", resolution=72.0)


def make_encrypted_pdfs() -> None:
    source = PdfReader(str(HERE / "sumida.pdf"))
    for name, user, owner in (("encrypted", "secret", "owner"), ("owner-locked", "", "owner")):
        writer = PdfWriter(clone_from=source)
        writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-128")
        with (HERE / f"{name}.pdf").open("wb") as handle:
            writer.write(handle)


def make_vertical_pdf(work: Path) -> None:
    document = Document()
    sect_pr = document.sections[0]._sectPr
    direction = OxmlElement("w:textDirection")
    direction.set(qn("w:val"), "tbRl")
    sect_pr.append(direction)
    text = (ROOT / "data" / "plans" / "sumida.txt").read_text(encoding="utf-8").split("\n")
    for line in text[:12]:
        document.add_paragraph(line)
    path = work / "vertical.docx"
    document.save(str(path))
    pdf = soffice(path, "pdf", work)
    strip_fonts(pdf)
    shutil.copyfile(pdf, HERE / "vertical.pdf")


def make_vertical_layout_pdf(work: Path) -> None:
    """``layout-vertical.pdf``: a seed in vertical text with a horizontal header and footer."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pdf_layouts import to_pdf, vertical_docx

    lines = (ROOT / "data" / "plans" / "tokorozawa-2.txt").read_text(encoding="utf-8").split("\n")
    docx = work / "layout-vertical.docx"
    body = vertical_docx(lines, docx, TITLES["tokorozawa-2"])
    pdf = to_pdf(docx, work)
    strip_fonts(pdf)
    shutil.copyfile(pdf, HERE / pdf.name)
    (HERE / "layout-vertical.txt").write_text("\n".join(body) + "\n", encoding="utf-8")


def make_vertical_cells_pdf(work: Path) -> None:
    """``vertical-cells.pdf``: a horizontal page with vertically set table labels."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pdf_layouts import to_pdf, vertical_cells_docx

    docx = work / "vertical-cells.docx"
    vertical_cells_docx(docx)
    pdf = to_pdf(docx, work)
    strip_fonts(pdf)
    shutil.copyfile(pdf, HERE / pdf.name)


def make_bad_files() -> None:
    (HERE / "empty.pdf").write_bytes(b"")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (255, 0, 0)).save(buffer, "PNG")
    with zipfile.ZipFile(HERE / "fake.docx", "w") as archive:
        archive.writestr("readme.txt", "これはWord文書ではありません。\n")
        archive.writestr("image.png", buffer.getvalue())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        make_seed_documents(work)
        make_layout_pdfs(work)
        make_vertical_pdf(work)
        make_vertical_layout_pdf(work)
        make_vertical_cells_pdf(work)
    make_styled_docx()
    make_html()
    make_scanned_pdf()
    make_encrypted_pdfs()
    make_bad_files()


if __name__ == "__main__":
    main()
