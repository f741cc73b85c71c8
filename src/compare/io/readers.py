"""Read plan source files into text, recording how they were decoded.

Plain text is decoded by :func:`compare.io.encoding.decode_bytes` (UTF-8,
CP932, EUC-JP, ISO-2022-JP, UTF-16; chardet only as a last resort).

Line ends (CRLF, CR, LF) are normalised to ``\\n``; line ``i`` of the returned
text is line ``i`` of the source file, so every later stage can point back to
source lines.  Only ``\\n`` splits lines (not ``str.splitlines``, which also
splits on form feeds and other separators that editors do not count).

:func:`read_document` reads any supported document: plain text as above, and
PDF, DOCX and HTML through :mod:`compare.io.formats`, whose extracted lines are
the "source lines" of such a document (for a PDF each line also has a page
and a line within the page; see :meth:`SourceText.position`).

Size policy.  Text and HTML files are decoded whole in memory and are refused
above :data:`MAX_TEXT_BYTES` (100 MB): a plan's text is a few MB at most, so a
larger text file is several documents or not a plan.  A DOCX is refused above
:data:`MAX_DOCX_BYTES` (200 MB) because python-docx loads every part of the
package, images included.  A PDF is streamed: PDFium reads objects from the
open file on demand, one page at a time, so memory is bounded by the largest
page rather than the file; only files above :data:`MAX_PDF_BYTES` (1 GB) are
refused.  Every refusal names the file, its size, the limit and what to do.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from compare.errors import InputFileError
from compare.io._document import Hint
from compare.io.encoding import decode_bytes
from compare.io.formats import FORMATS, detect_format, extract

#: Text and HTML files larger than this are refused rather than read into memory.
MAX_TEXT_BYTES = 100 * 1024 * 1024
#: DOCX files larger than this are refused (python-docx loads the whole package).
MAX_DOCX_BYTES = 200 * 1024 * 1024
#: PDF files larger than this are refused (smaller ones are streamed page by page).
MAX_PDF_BYTES = 1024 * 1024 * 1024


@dataclass(frozen=True)
class SourceText:
    """A decoded source file.

    Attributes
    ----------
    path : Path
        The file that was read.
    text : str
        Decoded text with line ends normalised to ``\\n``.
    encoding : str
        The codec that decoded the bytes (``utf-8-sig`` for UTF-8 with or
        without BOM).
    sha256 : str
        Hex digest of the file's bytes.
    newline : str
        The line end found in the source (``\\n``, ``\\r\\n``, ``\\r`` or ``""``;
        ``""`` for PDF and DOCX, whose lines are made by extraction).
    format : str
        ``text``, ``pdf``, ``docx`` or ``html``.
    page_starts : tuple of int
        0-based index (into :attr:`lines`) of the first line of each page, for
        PDFs; empty for formats without pages.
    hints : Mapping of int to Hint
        Structure the format states for a line (heading depth, meta, table row,
        list item), keyed by 0-based index into :attr:`lines`; empty for text.
    line_pages : tuple of int
        The 1-based page each line is printed on (PDF); empty without pages.
    page_labels : tuple of str
        Each page's label where the PDF defines labels, else ``""`` (PDF).
    wrapped : frozenset of int
        0-based indices of lines the layout wrapped at a column edge (PDF).
    """

    path: Path
    text: str
    encoding: str
    sha256: str
    newline: str
    format: str = "text"
    page_starts: tuple[int, ...] = ()
    hints: Mapping[int, Hint] = field(default_factory=dict, hash=False)
    line_pages: tuple[int, ...] = ()
    page_labels: tuple[str, ...] = ()
    wrapped: frozenset[int] = frozenset()

    @property
    def lines(self) -> list[str]:
        """Source lines without their line ends; index 0 is line 1."""
        return self.text.split("\n")

    @property
    def pages(self) -> int:
        """Number of pages (0 for formats without pages)."""
        return len(self.page_starts)

    def position(self, line: int) -> tuple[int, int] | None:
        """Page and line within the page (both 1-based) of source line ``line`` (1-based).

        Returns None for formats without pages.  The line within the page
        counts the page's lines in reading order.
        """
        if not self.page_starts:
            return None
        if self.line_pages:
            page = self.line_pages[line - 1]
            return page, self.line_pages[: line - 1].count(page) + 1
        page = bisect_right(self.page_starts, line - 1)
        return page, line - self.page_starts[page - 1]

    def page_label(self, page: int) -> str:
        """The printed label of 1-based ``page`` (its number when the PDF defines none)."""
        if 1 <= page <= len(self.page_labels) and self.page_labels[page - 1]:
            return self.page_labels[page - 1]
        return str(page)


def sha256_file(path: str | Path) -> str:
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_text(path: str | Path) -> SourceText:
    """Read and decode a plan text file.

    Raises
    ------
    InputFileError
        If the file is missing, not a regular file, too large, empty, binary
        or not decodable as Japanese text.
    """
    path = Path(path)
    data = _read_bytes(path)
    encoding, text = decode_bytes(data, path)
    newline = _detect_newline(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceText(
        path=path,
        text=text,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        newline=newline,
    )


def read_document(path: str | Path, *, format: str | None = None) -> SourceText:
    """Read a plan document of any supported format: text, PDF, DOCX or HTML.

    Parameters
    ----------
    path : str or Path
        The document.
    format : str, optional
        ``text``, ``pdf``, ``docx`` or ``html``; recognised from the content
        (magic bytes) and the extension when omitted.

    Returns
    -------
    SourceText
        For text, what :func:`read_text` returns.  For the other formats,
        ``text`` holds the extracted lines joined by ``"\\n"``, ``sha256`` is
        the digest of the file's bytes, ``encoding`` the declared or detected
        charset of an HTML page (``""`` for PDF and DOCX), and
        ``page_starts`` and ``hints`` carry pages and structure.

    Raises
    ------
    InputFileError
        Naming the file and the cause: missing, empty, too large, damaged,
        encrypted, no text layer (a scan: OCR needed), a ZIP that is not a
        Word document, undecodable text.
    """
    path = Path(path)
    size = _check_file(path)
    if size == 0:
        raise InputFileError(
            f"{path}: file is empty (0 bytes); there is no plan text to read "
            "(the download or copy may have failed)"
        )
    if format is None:
        try:
            with open(path, "rb") as handle:
                head = handle.read(4096)
        except OSError as exc:
            raise InputFileError(f"{path}: cannot read file ({exc.strerror})") from exc
        format = detect_format(path, head)
    elif format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    if format == "text":
        return read_text(path)
    _check_size(path, size, format)
    extracted = extract(path, format)
    return SourceText(
        path=path,
        text="\n".join(extracted.lines),
        encoding=extracted.encoding,
        sha256=sha256_file(path),
        newline="\n" if format == "html" else "",
        format=format,
        page_starts=tuple(extracted.page_starts),
        hints=dict(extracted.hints),
        line_pages=tuple(extracted.line_pages),
        page_labels=tuple(extracted.page_labels),
        wrapped=frozenset(extracted.wrapped),
    )


def _check_file(path: Path) -> int:
    """Size of a plan file that exists and is a regular file."""
    if not path.exists():
        raise InputFileError(
            f"{path}: file not found; check the path or the catalogue's path column"
        )
    if not path.is_file():
        raise InputFileError(f"{path}: not a regular file")
    return path.stat().st_size


_LIMIT_REASONS = {
    "text": "text is decoded in memory as a whole and a plan's text is a few MB at most; "
    "split the file into chapters",
    "html": "a page is decoded in memory as a whole and a plan page is a few MB at most; "
    "save the plan's own text or PDF instead",
    "docx": "python-docx loads the whole package, images included, into memory; "
    "save a copy without images, or as PDF",
    "pdf": "split the PDF into parts (e.g. by chapter)",
}


def _limit(format: str) -> int:
    """Size limit of a format, looked up when used (so it can be configured)."""
    if format == "docx":
        return MAX_DOCX_BYTES
    if format == "pdf":
        return MAX_PDF_BYTES
    return MAX_TEXT_BYTES


def _check_size(path: Path, size: int, format: str) -> None:
    limit = _limit(format)
    if size > limit:
        raise InputFileError(
            f"{path}: {size / 1e6:.0f} MB is larger than the {limit / 1e6:.0f} MB limit "
            f"for one {format} plan document: {_LIMIT_REASONS[format]}"
        )


def _read_bytes(path: Path) -> bytes:
    size = _check_file(path)
    _check_size(path, size, "text")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read file ({exc.strerror})") from exc
    if not data.strip():
        raise InputFileError(f"{path}: file is empty; there is no plan text to read")
    return data


def _detect_newline(text: str) -> str:
    if "\r\n" in text:
        return "\r\n"
    if "\r" in text:
        return "\r"
    return "\n" if "\n" in text else ""
