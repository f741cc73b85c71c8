"""PDF text extraction with pypdfium2: lines with pages, page furniture marked ``meta``.

Why pypdfium2.  Measured on LibreOffice PDFs of plan texts with a running
header, page-number footer, a table, a text box and two-column pages
(``bench/formats.py --extractors``): pypdfium2 recovers the body text with the
highest character accuracy (PDFium keeps the content-stream order, which is
the column order, and gives every character's box), at about half pypdf's
time; pypdf and pdfminer split or merge Japanese words with spaces of their own.

What the extraction does beyond the plain text layer:

- characters are grouped into lines as PDFium does; white space inside a line
  comes from the character boxes: a space is kept where the source has a space
  character or the layout shows a gap (more than :data:`SPACE_GAP` font sizes
  between Japanese characters, :data:`LATIN_GAP` between Latin letters or
  digits), and dropped where the text layer inserted one without a gap (the
  "令和6 年度" artefact); a gap of more than :data:`TAB_GAP` font sizes is a
  column boundary, written as a tab as in tab-separated tables;
- a blank line where the vertical gap between two lines is unusually large
  (more than :data:`GAP_PITCHES` times the page's usual line pitch), the
  layout evidence that separates paragraphs;
- running headers and footers (the same line, digits ignored, at the top or
  bottom of many pages) and page numbers at a page edge are page furniture:
  ``meta`` hints, their text kept;
- a text block drawn after the footer (a text box, which word processors
  write last) is put back where it stands on the page;
- where a paragraph runs on from one page to the next, the lines of the next
  page up to the end of the sentence are placed before the page furniture of
  the break, so that the paragraph is one segment; every line keeps the page
  it is printed on (:attr:`Extracted.line_pages`);
- the page label of every page (``iv``, ``12``) where the PDF defines them;
- vertical text (縦書き), recognised from the character boxes (most characters
  stand below the one before), is read column by column from right to left:
  the boxes are turned a quarter turn so that a column becomes a line and all
  of the above applies unchanged; a vertical run on a horizontal page (a
  table cell, a label) is one line, not one line per character.

Bad input gets a clear error: a damaged or truncated file, a password, no
text layer at all (a scan: OCR needed), or a text layer that is garbage
(private-use glyphs, no Japanese characters).  Pages without text are
listed in a warning; the other pages are read.
"""

from __future__ import annotations

import bisect
import ctypes
import itertools
import math
import re
import statistics
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from compare.errors import InputFileError, InputFileWarning
from compare.io._document import Extracted, Hint

#: Non-blank lines at each page edge that may be running headers/footers.
EDGE_LINES = 2
#: A running header must repeat on at least this share of the pages …
REPEAT_SHARE = 0.4
#: … and on at least this many pages.
MIN_REPEAT_PAGES = 3
#: The end-of-file marker must be within this many bytes of the end.
TAIL_BYTES = 64 * 1024
#: A vertical gap of more than this many usual line pitches becomes a blank line.
GAP_PITCHES = 1.5
#: Most blank lines written for one vertical gap.
MAX_BLANKS = 3
#: A horizontal gap of more than this many font sizes inside a line is a column (tab).
TAB_GAP = 1.0
#: A gap of at least this many font sizes between Japanese characters is a space.
SPACE_GAP = 0.26
#: A gap of at least this many font sizes between Latin letters or digits is a space.
LATIN_GAP = 0.15
#: A real space character narrower than this many font sizes is an artefact.
MIN_SPACE = 0.1
#: Lines sharing a right edge that make it a column edge.
MIN_EDGE_LINES = 3
#: Distance, in font sizes, within which right edges count as one column edge.
EDGE_SLACK = 2.5
#: Vertical reach, in font sizes, of the lines that show where a line's column ends.
EDGE_REACH = 3.6
#: Shortest line that can be a wrapped line of a column.
MIN_WRAPPED_CHARS = 10
#: Line pitch of single-spaced text, in multiples of the font size.
LINE_HEIGHT = 1.2
#: A page whose non-blank lines are mostly this short looks like vertical text.
VERTICAL_CHARS = 2
#: Pairs of stacked characters (one below the other) that make a page vertical text …
MIN_STACKED = 20
#: … when they outnumber the pairs side by side this many times.
STACKED_RATIO = 2.0
#: Most space, in font sizes, between the characters of a vertical run.
STACK_GAP = 0.35
#: Most lines carried from the next page to finish a paragraph broken by a page end.
MAX_CARRY = 8
#: Share of unmappable characters (private use, U+FFFD) that makes a text layer garbage.
GARBAGE_SHARE = 0.3
#: Share of unmappable characters worth a warning.
ODD_SHARE = 0.05

_PAGE_NUMBER = re.compile(
    r"^(?:[-‐－—–―(（\[［<＜]\s*)?(?:[pP]\.?\s*)?[0-9]{1,4}(?:\s*[-‐－—–―)）\]］>＞])?$"
    r"|^[0-9]{1,4}\s*/\s*[0-9]{1,4}$"
)
_DIGITS = re.compile(r"[0-9]+")
_SPACE = re.compile(r"\s+")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u2e80-\u2fdf]")
_FULL_STOP = "。．！？!?"
_SPACES = " \u3000\u00a0"


@dataclass
class _Line:
    """One text line of a page with its box (PDF points, y upwards)."""

    text: str
    left: float
    right: float
    bottom: float
    top: float
    size: float
    wrapped: bool = False  # the line reaches its column's right edge: the text runs on

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class _Page:
    lines: list[_Line] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0
    label: str = ""


def read_pdf(path: Path) -> Extracted:
    """Extract the text lines of a PDF with pages, page labels and meta hints.

    Raises
    ------
    InputFileError
        If the PDF is damaged, needs a password, has no text layer, or its
        text layer is garbage.
    """
    pages = _read_pages(path)
    texts = [[line.text for line in page.lines] for page in pages]
    runs_on = {
        (p, i) for p, page in enumerate(pages) for i, x in enumerate(page.lines) if x.wrapped
    }
    _check_text_layer(path, texts)
    _warn_layout(path, pages)
    furniture = running_lines(texts)
    lines: list[str] = []
    line_pages: list[int] = []
    hints: dict[int, Hint] = {}
    pending: list[tuple[str, int, Hint]] = []  # furniture held back until a paragraph ends
    wrapped: list[int] = []
    for number, page in enumerate(texts):
        head, body, foot, first = _split_furniture(page, number, furniture)
        carry = _carry(lines, body) if pending else 0
        for k, (text, hint) in enumerate(body[:carry]):
            if (number, first + k) in runs_on:
                wrapped.append(len(lines))
            if hint is not None:
                hints[len(lines)] = hint
            lines.append(text)
            line_pages.append(number)
        for text, page_of, hint in pending:
            hints[len(lines)] = hint
            lines.append(text)
            line_pages.append(page_of)
        pending = []
        for text, hint in head:
            hints[len(lines)] = hint
            lines.append(text)
            line_pages.append(number)
        for k, (text, hint) in enumerate(body[carry:], start=first + carry):
            if (number, k) in runs_on:
                wrapped.append(len(lines))
            if hint is not None:
                hints[len(lines)] = hint
            lines.append(text)
            line_pages.append(number)
        pending = [(text, number, hint) for text, hint in foot]
    for text, page_of, hint in pending:
        hints[len(lines)] = hint
        lines.append(text)
        line_pages.append(page_of)
    starts = _page_starts(line_pages, len(pages))
    return Extracted(
        lines=lines,
        page_starts=starts,
        hints=hints,
        line_pages=[p + 1 for p in line_pages],
        page_labels=[page.label for page in pages],
        wrapped=wrapped,
    )


def _page_starts(line_pages: list[int], n: int) -> list[int]:
    """First line of each page; an empty page starts where the next page starts."""
    starts = [len(line_pages)] * n
    for i, page in enumerate(line_pages):
        starts[page] = min(starts[page], i)
    for p in range(n - 2, -1, -1):
        starts[p] = min(starts[p], starts[p + 1])
    return starts


def _split_furniture(
    page: list[str], number: int, furniture: dict[tuple[int, int], Hint]
) -> tuple[list[tuple[str, Hint]], list[tuple[str, Hint | None]], list[tuple[str, Hint]], int]:
    """A page's lines as (header furniture, body, footer furniture, first body line).

    Furniture lines are those :func:`running_lines` found at the page's top
    (before any body line) or bottom (after the last body line); a furniture
    line between body lines stays where it is, in the body, with its hint.
    """
    marked = [furniture.get((number, i)) for i in range(len(page))]
    first = next((i for i, m in enumerate(marked) if m is None and page[i].strip()), len(page))
    last = max((i for i, m in enumerate(marked) if m is None and page[i].strip()), default=-1)
    head = [(page[i], m) for i, m in enumerate(marked[:first]) if m is not None]
    foot = [(page[i], m) for i, m in enumerate(marked) if i > last and m is not None]
    body = [(page[i], marked[i]) for i in range(first, last + 1)] if last >= first else []
    return head, body, foot, first


def _carry(before: list[str], body: list[tuple[str, Hint | None]]) -> int:
    """How many lines of a page's body finish the unit the previous page left open.

    A paragraph broken by the page end, or a heading at the foot of a page
    whose name or body starts the next page.  Whether the lines are joined is
    the segmenter's decision, on the same evidence as inside a page; moving
    the furniture only keeps it from standing between them.

    None if the last line before the break ends a sentence or a blank line
    opens the page; otherwise the lines up to the first that ends a sentence or
    precedes a blank line, at most :data:`MAX_CARRY`.
    """
    last = next((line.strip() for line in reversed(before) if line.strip()), "")
    if not last or last[-1] in _FULL_STOP or not body or not body[0][0].strip():
        return 0
    for n, (line, hint) in enumerate(body[:MAX_CARRY], start=1):
        text = line.strip()
        if not text or hint is not None:
            return n - 1
        if text[-1] in _FULL_STOP:
            return n
    return 0


# --- reading ------------------------------------------------------------------------------


def _read_pages(path: Path) -> list[_Page]:
    _check_trailer(path)
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise InputFileError(
                f"{path}: the PDF is encrypted and needs a password to open; ask the "
                "publisher for an unprotected copy, or remove the password with a PDF tool "
                "you have the password for (e.g. qpdf --decrypt)"
            ) from exc
        raise InputFileError(
            f"{path}: not a readable PDF ({exc}); the file may be truncated or damaged: "
            "download it again, or open and re-save it in a PDF viewer"
        ) from exc
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read file ({exc.strerror})") from exc
    try:
        pages = []
        for number in range(len(document)):
            page = _read_page(document, number, path)
            pages.append(page)
        return pages
    finally:
        document.close()


def _check_trailer(path: Path) -> None:
    """Refuse a truncated PDF: a complete PDF ends with ``startxref`` and ``%%EOF``."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - TAIL_BYTES))
            tail = handle.read()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read file ({exc.strerror})") from exc
    if b"startxref" not in tail and b"%%EOF" not in tail:
        raise InputFileError(
            f"{path}: the PDF is truncated (no end-of-file marker in its last "
            f"{TAIL_BYTES // 1024} KB): the download or copy broke off; fetch the file again"
        )


def _read_page(document: pdfium.PdfDocument, number: int, path: Path) -> _Page:
    try:
        page = document[number]
    except pdfium.PdfiumError as exc:  # a damaged page: keep the others
        warnings.warn(
            f"{path}: page {number + 1}: text could not be extracted ({exc}); the page is left out",
            InputFileWarning,
            stacklevel=4,
        )
        return _Page()
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            chars = _chars(textpage)
        finally:
            textpage.close()
        if is_vertical(chars):
            chars = _turned(chars, height)
            width, height = height, width
        lines = _page_lines(chars)
        label = document.get_page_label(number) or ""
    finally:
        page.close()
    lines = _reinsert_trailing_blocks(lines, height)
    _mark_wrapped(lines)
    return _Page(_with_gaps(lines), width, height, label)


@dataclass
class _Char:
    ch: str
    left: float
    right: float
    bottom: float
    top: float
    size: float
    generated: bool


def _chars(textpage: pdfium.PdfTextPage) -> list[_Char]:
    handle = textpage.raw
    rect = pdfium_c.FS_RECTF()
    count = pdfium_c.FPDFText_CountChars(handle)
    chars: list[_Char] = []
    pending_high = 0
    for i in range(count):
        code = pdfium_c.FPDFText_GetUnicode(handle, i)
        if 0xD800 <= code < 0xDC00:  # a character outside the BMP comes as two halves
            pending_high = code
            continue
        if 0xDC00 <= code < 0xE000 and pending_high:
            code = 0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00)
        pending_high = 0
        if code == 0:
            continue
        if code == 2:  # PDFium's code for a hyphen it takes to end a line
            code = ord("-")
        generated = bool(pdfium_c.FPDFText_IsGenerated(handle, i))
        if chr(code) in "\r\n":
            chars.append(_Char("\n", 0, 0, 0, 0, 0, generated))
            continue
        pdfium_c.FPDFText_GetLooseCharBox(handle, i, ctypes.byref(rect))
        size = pdfium_c.FPDFText_GetFontSize(handle, i)
        chars.append(
            _Char(chr(code), rect.left, rect.right, rect.bottom, rect.top, size, generated)
        )
    return chars


def is_vertical(chars: list[_Char]) -> bool:
    """Vertical text (縦書き): most neighbouring characters of a line stand one below the other.

    Judged from the character boxes of consecutive characters within PDFium's
    lines: at least :data:`MIN_STACKED` pairs stacked (overlapping
    horizontally, the second below the first), :data:`STACKED_RATIO` times
    as many as the pairs side by side.
    """
    stacked = side = 0
    for a, b in itertools.pairwise(chars):
        if a.ch == "\n" or b.ch == "\n" or not _inked(a) or not _inked(b):
            continue
        size = max(a.size, b.size, 1.0)
        overlap_x = min(a.right, b.right) - max(a.left, b.left)
        overlap_y = min(a.top, b.top) - max(a.bottom, b.bottom)
        if overlap_x > 0.3 * size and b.top <= a.bottom + 0.3 * size:
            stacked += 1
        elif overlap_y > 0.3 * size and b.left >= a.right - 0.3 * size:
            side += 1
    return stacked >= MIN_STACKED and stacked >= STACKED_RATIO * side


def _inked(char: _Char) -> bool:
    return char.ch not in _SPACES and not char.ch.isspace() and char.size > 0


def _turned(chars: list[_Char], height: float) -> list[_Char]:
    """The boxes of a vertical page turned a quarter turn: columns become lines.

    The distance from the page top becomes the distance from the left, and
    the column's x the height, so that columns read right to left come out
    as lines read top to bottom.  PDFium's line breaks inside a column (it
    may break after every character of a vertical page) are dropped where
    the next character stands right below the last one; a run written
    across the page (a page number, a running header) stays one line in its
    own left-to-right layout.
    """
    runs: list[list[_Char]] = [[]]
    for char in chars:
        if char.ch == "\n":
            runs.append([])
        else:
            runs[-1].append(char)
    merged: list[list[_Char]] = []
    for run in runs:
        if not any(_inked(c) for c in run):
            continue
        if merged and _continues(merged[-1], run):
            merged[-1].extend(run)
        else:
            merged.append(list(run))
    out: list[_Char] = []
    for run in merged:
        out.extend(_turn_run(run, height))
        out.append(_Char("\n", 0, 0, 0, 0, 0, True))
    return out


def _continues(before: list[_Char], run: list[_Char]) -> bool:
    """True if ``run`` goes on the line of ``before``: right below it, or right after it."""
    a = next(c for c in reversed(before) if _inked(c))
    b = next(c for c in run if _inked(c))
    size = max(a.size, b.size, 1.0)
    overlap_x = min(a.right, b.right) - max(a.left, b.left)
    overlap_y = min(a.top, b.top) - max(a.bottom, b.bottom)
    below = overlap_x > 0.3 * size and -0.3 * size <= a.bottom - b.top < size
    after = overlap_y > 0.3 * size and -0.3 * size <= b.left - a.right < 2 * size
    return below or after


def _turn_run(run: list[_Char], height: float) -> list[_Char]:
    """One line's characters with their boxes turned (see :func:`_turned`)."""
    inked = [c for c in run if _inked(c)]
    low = min(c.left for c in inked)
    high = max(c.right for c in inked)
    if not is_vertical_run(run):  # across the page: keeps its own layout, placed at its top
        start = height - max(c.top for c in inked)
        return [
            _Char(c.ch, start + c.left - low, start + c.right - low, low, high, c.size, c.generated)
            for c in run
        ]
    out = []
    for c in run:
        lower, upper = c.bottom, c.top
        if _inked(c) and upper - lower < c.size:
            # An upright half-width glyph (a digit) stands centred in a full-width cell:
            # the cell, not the glyph, is the character's place in the column.
            middle = (lower + upper) / 2
            lower, upper = middle - c.size / 2, middle + c.size / 2
        out.append(
            _Char(c.ch, height - upper, height - lower, c.left, c.right, c.size, c.generated)
        )
    return out


def is_vertical_run(run: list[_Char]) -> bool:
    """True if a line's characters mostly stand one below the other."""
    inked = [c for c in run if _inked(c)]
    stacked = sum(
        1
        for a, b in itertools.pairwise(inked)
        if min(a.right, b.right) - max(a.left, b.left) > 0.3 * max(a.size, b.size)
        and b.top <= a.bottom + 0.3 * max(a.size, b.size)
    )
    return len(inked) >= 2 and stacked >= 0.5 * (len(inked) - 1)


def _page_lines(chars: list[_Char]) -> list[_Line]:
    """The page's lines (PDFium's line breaks), white space from the character boxes."""
    lines: list[_Line] = []
    current: list[_Char] = []
    for char in [*chars, _Char("\n", 0, 0, 0, 0, 0, True)]:
        if char.ch != "\n" and current and _off_line(current, char):
            line = _make_line(current)
            if line is not None:
                lines.append(line)
            current = []
        if char.ch == "\n":
            if current:
                line = _make_line(current)
                if line is not None:
                    lines.append(line)
            current = []
        else:
            current.append(char)
    return _join_stacked(lines)


def _join_stacked(lines: list[_Line]) -> list[_Line]:
    """Join one-character lines that stand right below each other: a vertical run.

    A table cell or a label set vertically on a horizontal page comes out
    of PDFium one character per line; characters of a vertical run touch
    (less than :data:`STACK_GAP` font sizes apart), while lines of
    horizontal text are a line pitch apart.
    """
    out: list[_Line] = []
    for line in lines:
        last = out[-1] if out else None
        if last is not None and _narrow(last) and _narrow(line) and _below(last, line):
            out[-1] = _Line(
                text=last.text + line.text,
                left=min(last.left, line.left),
                right=max(last.right, line.right),
                bottom=min(last.bottom, line.bottom),
                top=max(last.top, line.top),
                size=last.size,
            )
        else:
            out.append(line)
    return out


def _narrow(line: _Line) -> bool:
    """One character wide (a column of vertical text)."""
    return line.right - line.left <= 1.3 * line.size


def _below(upper: _Line, lower: _Line) -> bool:
    size = max(upper.size, lower.size, 1.0)
    overlap = min(upper.right, lower.right) - max(upper.left, lower.left)
    return overlap > 0.3 * size and -0.3 * size <= upper.bottom - lower.top <= STACK_GAP * size


def _off_line(current: list[_Char], char: _Char) -> bool:
    """True if ``char`` is not on the baseline of the line so far (a table's next row).

    PDFium breaks lines where the text flow does; text drawn cell by cell can
    put two rows of a table into one of its lines.
    """
    if char.ch in _SPACES or char.ch.isspace() or char.size <= 0:
        return False
    inked = [c for c in current[-8:] if c.ch not in _SPACES and not c.ch.isspace()]
    if not inked:
        return False
    last = inked[-1]
    middle, previous = (char.bottom + char.top) / 2, (last.bottom + last.top) / 2
    return abs(middle - previous) > 0.6 * max(char.size, last.size)


def _make_line(chars: list[_Char]) -> _Line | None:
    """One line from its characters, put in left-to-right order.

    The stream may draw a line's runs out of order (a symbol set in a
    fallback font is drawn after the rest of the line); the boxes give the
    order.
    """
    chars = sorted(chars, key=lambda c: c.left)
    inked = [c for c in chars if c.ch not in _SPACES and not c.ch.isspace()]
    if not inked:
        return None
    sizes = [c.size for c in inked if c.size > 0] or [max(c.top - c.bottom, 1.0) for c in inked]
    size = statistics.median(sizes)
    out: list[str] = []
    previous: _Char | None = None
    spaces: list[_Char] = []
    for char in chars:
        if char.ch in _SPACES or char.ch.isspace():
            spaces.append(char)
            continue
        if previous is not None:
            out.append(_white(previous, char, spaces, size))
        out.append(char.ch)
        previous, spaces = char, []
    return _Line(
        text="".join(out),
        left=min(c.left for c in inked),
        right=max(c.right for c in inked),
        bottom=min(c.bottom for c in inked),
        top=max(c.top for c in inked),
        size=size,
    )


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _white(left: _Char, right: _Char, spaces: list[_Char], size: float) -> str:
    """The white space between two characters of a line, judged by the gap between them."""
    gap = right.left - left.right
    if gap > TAB_GAP * size:
        return "\t"
    real = [c for c in spaces if not c.generated]
    if real:
        if any(c.ch == "\u3000" for c in real):
            return "\u3000"
        if gap >= MIN_SPACE * size:
            return " "
    threshold = LATIN_GAP if _latin(left.ch) and _latin(right.ch) else SPACE_GAP
    return " " if gap >= threshold * size else ""


def _mark_wrapped(lines: list[_Line]) -> None:
    """Mark lines that end at their column's right edge: the layout wrapped them there.

    Full lines of a column end at one x position (justified or within a
    characters of it), the furthest right of the lines above and below it
    (within :data:`EDGE_REACH` font sizes) that overlap it; a line whose right edge is shared, within one font
    size and a half (line-breaking rules move a character or two to the next
    line), by at
    least :data:`MIN_EDGE_LINES` lines of the page reaches a column edge.
    This is the evidence that a narrow column's line runs on, which the text
    alone cannot give.
    """
    rights = sorted(line.right for line in lines if len(line.text) >= MIN_WRAPPED_CHARS)
    for line in lines:
        if len(line.text) < MIN_WRAPPED_CHARS or line.text[-1] in _FULL_STOP:
            continue
        slack = EDGE_SLACK * line.size
        reach = EDGE_REACH * line.size
        edge = max(
            x.right
            for x in lines
            if abs(x.bottom - line.bottom) <= reach and x.left < line.right and x.right > line.left
        )
        if line.right < edge - slack:
            continue  # longer lines of the same column run further right
        low = bisect.bisect_left(rights, line.right - slack)
        high = bisect.bisect_right(rights, line.right + slack)
        line.wrapped = high - low >= MIN_EDGE_LINES


def _reinsert_trailing_blocks(lines: list[_Line], height: float) -> list[_Line]:
    """Put text drawn after the page's bottom line (a text box) back where it stands.

    Word processors write floating text boxes after the body and the footer.
    When the lowest line of the page (the footer) is not the last line in the
    stream, the lines after it are a block placed before the first earlier
    line that starts below the block's top and overlaps it horizontally (or
    just above the footer when there is none).
    """
    if len(lines) < 3:
        return lines
    lowest = min(range(len(lines)), key=lambda i: (lines[i].bottom, -i))
    if lowest == len(lines) - 1 or lines[lowest].bottom > 0.15 * height or lowest == 0:
        return lines
    flow, block = lines[: lowest + 1], lines[lowest + 1 :]
    top = max(line.top for line in block)
    left = min(line.left for line in block)
    right = max(line.right for line in block)
    for i, line in enumerate(flow[:-1]):
        if line.top < top and line.right > left and line.left < right:
            return [*flow[:i], *block, *flow[i:]]
    return [*flow[:-1], *block, flow[-1]]  # below all the text: just above the footer


def _with_gaps(lines: list[_Line]) -> list[_Line]:
    """Insert blank lines where the vertical gap between two lines is unusually large.

    As many blank lines as empty lines would fill the gap (at most
    :data:`MAX_BLANKS`), as a text file of the page would have them.
    The usual pitch is the median step down between consecutive lines, but at
    most :data:`LINE_HEIGHT` times the median font size, so that a page whose
    every line is followed by an empty one still shows those gaps.
    """
    steps = [a.bottom - b.bottom for a, b in itertools.pairwise(lines) if a.bottom > b.bottom]
    if len(steps) < 3:
        return lines
    pitch = statistics.median(steps)
    pitch = min(pitch, LINE_HEIGHT * statistics.median(line.size for line in lines))
    result: list[_Line] = []
    for i, line in enumerate(lines):
        step = lines[i - 1].bottom - line.bottom if i else 0.0
        if step > GAP_PITCHES * pitch:
            blanks = min(MAX_BLANKS, max(1, round(step / pitch) - 1))
            blank = _Line("", line.left, line.left, line.top, line.top, line.size)
            result.extend([blank] * blanks)
        result.append(line)
    return result


# --- checks -------------------------------------------------------------------------------


def _check_text_layer(path: Path, pages: list[list[str]]) -> None:
    empty = [n for n, page in enumerate(pages, start=1) if not any(s.strip() for s in page)]
    if not pages:
        raise InputFileError(f"{path}: the PDF has no pages")
    if len(empty) == len(pages):
        raise InputFileError(
            f"{path}: no text layer: none of its {len(pages)} page(s) has extractable text "
            "(a scanned document?); OCR needed: run it through OCR software "
            "(e.g. ocrmypdf -l jpn) and add the result"
        )
    text = "".join("".join(page) for page in pages)
    ink = [ch for ch in text if not ch.isspace()]
    odd = sum(1 for ch in ink if ch == "\ufffd" or unicodedata.category(ch) == "Co")
    japanese = len(_JAPANESE.findall(text))
    if ink and (odd / len(ink) > GARBAGE_SHARE or (japanese == 0 and len(ink) >= 50)):
        found = (
            f"{odd} of {len(ink)} characters are private-use or unmappable glyphs"
            if odd
            else f"none of its {len(ink)} characters is Japanese"
        )
        raise InputFileError(
            f"{path}: the text layer is garbage ({found}): {_unmapped_fonts(path)}, "
            "so the text cannot be read from the PDF; OCR needed: run it through OCR "
            "software (e.g. ocrmypdf -l jpn --force-ocr) and add the result"
        )
    if ink and odd / len(ink) > ODD_SHARE:
        warnings.warn(
            f"{path}: {odd} of {len(ink)} characters could not be mapped to Unicode "
            f"({_unmapped_fonts(path)}); the text is garbled where they occur, "
            "OCR may be needed",
            InputFileWarning,
            stacklevel=3,
        )
    if empty:
        warnings.warn(
            f"{path}: {len(empty)} of {len(pages)} pages have no text (pages "
            f"{_page_list(empty)}): blank pages, scanned pages or full-page figures; "
            "the other pages were read; OCR the empty ones if they hold text",
            InputFileWarning,
            stacklevel=3,
        )


def _unmapped_fonts(path: Path) -> str:
    """Which fonts lack a ToUnicode map (the map from glyphs to characters), for a message.

    A font with neither a ToUnicode map nor a standard encoding leaves the
    text layer as glyph numbers; if its program is not embedded either, even
    a viewer shows substitute glyphs.  Read with pypdf, which exposes the
    font dictionaries that PDFium keeps to itself.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    names: dict[str, bool] = {}  # font name -> embedded
    try:
        for page in PdfReader(path).pages:
            resources = page.get("/Resources") or {}
            for ref in (resources.get("/Font") or {}).values():
                font = ref.get_object()
                encoding = font.get("/Encoding")
                standard = isinstance(encoding, str) and not encoding.startswith("/Identity")
                if "/ToUnicode" in font or standard:  # mapped, or a named encoding maps it
                    continue
                described = [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]
                descriptors = [
                    f["/FontDescriptor"].get_object() for f in described if "/FontDescriptor" in f
                ]
                embedded = any(
                    key in d
                    for d in descriptors
                    for key in ("/FontFile", "/FontFile2", "/FontFile3")
                )
                name = str(font.get("/BaseFont", "?")).lstrip("/")
                names[name] = names.get(name, False) or embedded
    except (PyPdfError, OSError, KeyError, AttributeError, TypeError, ValueError):
        return "its fonts may have no Unicode map"
    if not names:
        return "its fonts map glyphs to characters wrongly"
    listed = ", ".join(
        f"{name} ({'embedded' if embedded else 'not embedded'})"
        for name, embedded in sorted(names.items())[:6]
    )
    more = f" and {len(names) - 6} more" if len(names) > 6 else ""
    return f"fonts without a ToUnicode map: {listed}{more}"


def _page_list(numbers: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (" …" if len(numbers) > limit else "")


def _warn_layout(path: Path, pages: list[_Page]) -> None:
    vertical = [
        n for n, page in enumerate(pages, start=1) if looks_vertical([x.text for x in page.lines])
    ]
    if vertical:
        warnings.warn(
            f"{path}: page(s) {_page_list(vertical)} look like vertical text (most lines one "
            "or two characters long); the extracted lines do not follow the reading order, "
            "check the text before analysing it",
            InputFileWarning,
            stacklevel=3,
        )
    crossed = [n for n, page in enumerate(pages, start=1) if looks_interleaved(page)]
    if crossed:
        warnings.warn(
            f"{path}: page(s) {_page_list(crossed)} have two columns whose lines the PDF "
            "stores row by row across both columns; check that the extracted lines follow "
            "the reading order",
            InputFileWarning,
            stacklevel=3,
        )


def looks_vertical(lines: list[str]) -> bool:
    """Vertical (tategaki) text extracts as one or two characters per line."""
    sizes = [len(line.strip()) for line in lines if line.strip()]
    short = sum(1 for size in sizes if size <= VERTICAL_CHARS)
    return short >= 20 and short >= 0.6 * len(sizes)


def looks_interleaved(page: _Page) -> bool:
    """Two columns read row by row: lines alternate between the page's halves many times.

    A two-column page whose stream holds one column after the other (the
    order PDFium keeps) switches halves once; a stream that runs across both
    columns row by row switches on almost every line.
    """
    if page.width <= 0:
        return False
    middle = page.width / 2
    sides = [
        line.left >= middle
        for line in page.lines
        if not line.blank and (line.right <= middle or line.left >= middle)
    ]
    if len(sides) < 20 or sum(sides) < 5 or len(sides) - sum(sides) < 5:
        return False
    switches = sum(1 for a, b in itertools.pairwise(sides) if a != b)
    return switches >= 0.4 * len(sides)


# --- page furniture -----------------------------------------------------------------------


def _edge_keys(line: str) -> tuple[str, str]:
    """The line without spaces, and the same with every number replaced by ``#``."""
    exact = _SPACE.sub("", unicodedata.normalize("NFKC", line))
    return exact, _DIGITS.sub("#", exact)


def running_lines(pages: list[list[str]]) -> dict[tuple[int, int], Hint]:
    """Running headers/footers and page numbers: ``{(page, line): Hint}``, 0-based.

    Only the first and last :data:`EDGE_LINES` non-blank lines of a page are
    candidates.  A candidate repeated at the same edge of at least
    :data:`REPEAT_SHARE` of the pages is a running header or footer: on two
    pages or more when the text is identical (the plan's title), on
    :data:`MIN_REPEAT_PAGES` pages or more when only its numbers differ
    (``第2章 計画の推進 12``).  A candidate that is only a page number (``12``,
    ``- 12 -``, ``12/40``, ``P.12``) is one on any page.
    """
    edges: list[list[tuple[str, int, str, str]]] = []
    exact_counts: Counter[tuple[str, str]] = Counter()
    loose_counts: Counter[tuple[str, str]] = Counter()
    for page in pages:
        filled = [i for i, line in enumerate(page) if line.strip()]
        candidates = [("head", i) for i in filled[:EDGE_LINES]]
        candidates += [("foot", i) for i in filled[-EDGE_LINES:] if i not in filled[:EDGE_LINES]]
        keyed = [(edge, i, *_edge_keys(page[i])) for edge, i in candidates]
        edges.append(keyed)
        exact_counts.update({(edge, exact) for edge, _, exact, _ in keyed})
        loose_counts.update({(edge, loose) for edge, _, _, loose in keyed})
    share = math.ceil(REPEAT_SHARE * len(pages))
    found: dict[tuple[int, int], Hint] = {}
    for p, keyed in enumerate(edges):
        for edge, i, exact, loose in keyed:
            if _PAGE_NUMBER.match(exact):
                found[(p, i)] = Hint("meta", reason="page number")
            elif exact_counts[(edge, exact)] >= max(2, share) or loose_counts[(edge, loose)] >= max(
                MIN_REPEAT_PAGES, share
            ):
                reason = "running header" if edge == "head" else "running footer"
                found[(p, i)] = Hint("meta", reason=reason)
    return found
