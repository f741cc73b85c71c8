"""Document formats: turn a PDF, DOCX or HTML file into text lines plus hints.

Every format reader returns an :class:`Extracted`: the document's text as a
list of lines (the lines later stages number and point back to), the first
line of each page (PDF), and optional per-line :class:`Hint` objects that
carry what the format itself knows about structure: a DOCX heading style or an
HTML ``<h2>`` makes a line a heading of a given depth, a running header or a
page number repeated on most PDF pages makes it ``meta``, a table row stays a
table row.  The segmenter uses hints where they exist and its own evidence
everywhere else.

The format is recognised by content first (magic bytes: ``%PDF``, a ZIP
archive holding ``word/document.xml``, a leading ``<html``), then by the file
name's extension; a file whose extension and content disagree is refused with
a message that says so.  See :func:`compare.io.readers.read_document`.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

from compare.errors import InputFileError
from compare.io._document import Extracted

#: Formats :func:`detect_format` can return.
FORMATS = ("text", "pdf", "docx", "html")


_HTML_EXTENSIONS = {".html", ".htm", ".xhtml", ".shtml"}
_HTML_START = re.compile(
    r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]",
    re.IGNORECASE | re.DOTALL,
)
_OTHER_MAGIC = (
    (
        b"\xd0\xcf\x11\xe0",
        "an old-style Office file (Word 97-2003 .doc, .xls or .ppt)",
        "save it as .docx or PDF",
    ),
    (b"\x89PNG", "a PNG image", "OCR needed: run it through OCR software and add the text"),
    (b"\xff\xd8\xff", "a JPEG image", "OCR needed: run it through OCR software and add the text"),
    (b"GIF8", "a GIF image", "OCR needed: run it through OCR software and add the text"),
    (b"II*\x00", "a TIFF image", "OCR needed: run it through OCR software and add the text"),
    (b"MM\x00*", "a TIFF image", "OCR needed: run it through OCR software and add the text"),
    (b"{\\rtf", "an RTF document", "save it as .docx or PDF"),
)


def detect_format(path: str | Path, head: bytes | None = None) -> str:
    """Recognise a file's format from its first bytes and its extension.

    Parameters
    ----------
    path : str or Path
        The file (its extension breaks ties; it is opened to look inside a ZIP).
    head : bytes, optional
        The file's first bytes (at least 1 KB); read from ``path`` if omitted.

    Returns
    -------
    str
        ``pdf``, ``docx``, ``html`` or ``text``.

    Raises
    ------
    InputFileError
        For a ZIP archive that is not a Word document, a known non-text format
        (old ``.doc``, images, RTF), or an extension that contradicts the
        content (a ``.pdf`` that is not a PDF).
    """
    path = Path(path)
    if head is None:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    ext = path.suffix.lower()
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        _check_docx_archive(path)
        return "docx"
    for magic, what, todo in _OTHER_MAGIC:
        if head.startswith(magic):
            raise InputFileError(f"{path}: this is {what}, not a plan text; {todo}")
    if ext == ".pdf":
        raise InputFileError(
            f"{path}: named .pdf but it is not a PDF (no %PDF header; it starts with "
            f"{head[:16]!r}); the download may have failed: fetch the file again"
        )
    if ext == ".docx":
        raise InputFileError(
            f"{path}: named .docx but it is not a Word document (not a ZIP archive); "
            "open it in a word processor and save it as .docx or PDF"
        )
    if _looks_like_html(head) or (ext in _HTML_EXTENSIONS and b"<" in head[:1024]):
        return "html"
    return "text"


def _looks_like_html(head: bytes) -> bool:
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            text = head[: len(head) // 2 * 2].decode(codec, errors="replace")
            break
    else:
        text = head.removeprefix(codecs.BOM_UTF8).decode("latin-1")
    return bool(_HTML_START.match(text.lstrip()))


def _check_docx_archive(path: Path) -> None:
    """A ZIP is a Word document only if it holds ``word/document.xml``."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputFileError(
            f"{path}: a damaged ZIP archive ({exc}); if it is a Word document, "
            "open and re-save it, or save it as PDF"
        ) from exc
    if "word/document.xml" in names:
        return
    shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
    if any(name.startswith(("xl/", "ppt/")) for name in names):
        what = "an Excel or PowerPoint file"
    else:
        what = "a ZIP archive"
    raise InputFileError(
        f"{path}: {what}, not a Word document (it has no word/document.xml; it holds "
        f"{shown or 'nothing'}); only .docx, PDF, HTML and text files can be read"
    )


def extract(path: str | Path, fmt: str) -> Extracted:
    """Extract the lines and hints of a PDF, DOCX or HTML file.

    Raises
    ------
    InputFileError
        Naming the file and the cause (damaged, encrypted, no text layer …).
    """
    path = Path(path)
    if fmt == "pdf":
        from compare.io._pdf import read_pdf

        return read_pdf(path)
    if fmt == "docx":
        from compare.io._docx import read_docx

        return read_docx(path)
    if fmt == "html":
        from compare.io._html import read_html

        return read_html(path)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS[1:])}")
