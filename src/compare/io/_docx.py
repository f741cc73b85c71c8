"""DOCX text extraction with python-docx: paragraphs and tables in document order.

One paragraph becomes one line (a manual line break inside it starts another
line).  Tabs are kept, as in a text file, where they separate table columns,
except a lone tab after a heading number (``第1章<tab>総論``), which becomes a
space so that the heading does not look like a table row.  A table row becomes one line of tab-separated cells, hinted as a
table row; merged cells are written once.

Heading styles become heading hints: a paragraph's own outline level, or its
style's (following the ``basedOn`` chain), or a style named ``Heading N`` /
``見出し N`` gives depth N.  Where a document has no heading styles, the
segmenter finds headings from their numbering in the text, as for a text file.
List styles (``List Bullet``, ``箇条書き`` …) become list-item hints.

Page headers and footers, footnotes and text boxes are not part of the body
and are not read.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.table import Table

from compare.errors import InputFileError
from compare.io._document import Extracted, Hint

#: Largest uncompressed ``word/document.xml`` read (a guard against ZIP bombs).
MAX_XML_BYTES = 100 * 1024 * 1024

_HEADING_NAME = re.compile(r"^(?:heading|見出し)\s*([1-9])$", re.IGNORECASE)
_MARKER = re.compile(
    r"^\s*(?:第\s*[0-9一二三四五六七八九十]{1,3}\s*[章節部編項]?|[(\[]?(?:[0-9]{1,3}|[A-Za-z]|[ア-ン]|[IVX]{1,4})[)\].、]?"
    r"|[\u2460-\u2473\u2776-\u277f]|[◆◇●■◎○・])\s*$"
)
_LIST_NAME = re.compile(r"^(?:list|箇条書き|リスト)", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: Path) -> Extracted:
    """Extract the lines of a Word document with heading, list and table hints.

    Raises
    ------
    InputFileError
        If the file is not a readable Word document or has no text.
    """
    try:
        _check_size(path)
        document = docx.Document(str(path))
        lines: list[str] = []
        hints: dict[int, Hint] = {}
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                _add_table(block, lines, hints)
            else:
                _add_paragraph(block, lines, hints)
    except InputFileError:
        raise
    except Exception as exc:  # python-docx, zipfile and lxml raise many types
        raise InputFileError(
            f"{path}: not a readable Word document ({type(exc).__name__}: {exc}); "
            "open and re-save it in a word processor, or save it as PDF"
        ) from exc
    if not any(line.strip() for line in lines):
        raise InputFileError(
            f"{path}: the Word document has no text in its paragraphs or tables "
            "(text only in text boxes or images is not read); save it as PDF and try again"
        )
    return Extracted(lines=lines, hints=hints)


def _check_size(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("word/document.xml")
    if info.file_size > MAX_XML_BYTES:
        raise InputFileError(
            f"{path}: its text part unpacks to {info.file_size / 1e6:.0f} MB, more than the "
            f"{MAX_XML_BYTES / 1e6:.0f} MB limit (a damaged or malicious file?); "
            "split the document"
        )


def _add_paragraph(paragraph: Any, lines: list[str], hints: dict[int, Hint]) -> None:
    pieces = [_untab(piece) for piece in paragraph.text.split("\n")]
    level, reason = heading_level(paragraph)
    if level is not None and "".join(pieces).strip():
        hints[len(lines)] = Hint("heading", level, reason)
        lines.append(" ".join(piece.strip() for piece in pieces if piece.strip()))
        return
    if _is_list(paragraph) and pieces[0].strip():
        hints[len(lines)] = Hint("list_item", reason=f"style {paragraph.style.name!r}")
    lines.extend(pieces)


def _untab(line: str) -> str:
    """Keep tab-separated columns; a lone tab after a short number or marker is a space.

    Word users type ``第1章<tab>計画の策定`` or ``(1)<tab>…``: that tab only aligns
    the heading text and must not make the line look like a table row.
    """
    body = line.lstrip("\t")
    if body.count("\t") == 1 and _MARKER.match(unicodedata.normalize("NFKC", body.split("\t")[0])):
        return line[: len(line) - len(body)] + body.replace("\t", " ")
    return line


def _add_table(table: Any, lines: list[str], hints: dict[int, Hint]) -> None:
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue  # a merged cell appears once per grid column it spans
            seen.add(id(cell._tc))
            cells.append(_cell_text(cell))
        if any(cells):
            hints[len(lines)] = Hint("table_row", reason="table")
            lines.append("\t".join(cells))


def _cell_text(cell: Any) -> str:
    parts = [p.text for p in cell.paragraphs]
    for inner in cell.tables:
        for row in inner.rows:
            parts.extend(c.text for c in row.cells)
    text = " ".join(part.strip() for part in parts if part.strip())
    return " ".join(text.replace("\t", " ").replace("\n", " ").split())


def heading_level(paragraph: Any) -> tuple[int | None, str]:
    """Heading depth of a paragraph from its outline level or style, or None."""
    own = _outline_level(paragraph._p.pPr)
    if own is not None:
        return own, "outline level"
    style = paragraph.style
    for _ in range(10):  # basedOn chains are short; never loop on a cycle
        if style is None:
            break
        name = unicodedata.normalize("NFKC", style.name or "").strip()
        match = _HEADING_NAME.match(name)
        if match:
            return int(match.group(1)), f"style {style.name!r}"
        level = _outline_level(style.element.pPr)
        if level is not None:
            return level, f"style {style.name!r} (outline level)"
        style = style.base_style
    return None, ""


def _outline_level(p_pr: Any) -> int | None:
    """``w:outlineLvl`` 0–8 means heading depth 1–9; 9 is body text."""
    if p_pr is None:
        return None
    element = p_pr.find(f"{_W}outlineLvl")
    if element is None:
        return None
    try:
        value = int(element.get(f"{_W}val", "9"))
    except ValueError:
        return None
    return value + 1 if 0 <= value <= 8 else None


def _is_list(paragraph: Any) -> bool:
    name = unicodedata.normalize("NFKC", paragraph.style.name or "")
    return bool(_LIST_NAME.match(name))
