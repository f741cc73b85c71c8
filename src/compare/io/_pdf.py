"""PDF text extraction with pypdf, page by page, running headers marked ``meta``.

pypdf is exact on Japanese text (other extractors turned ``～`` into ``〜`` on
CID fonts).  The file is read through an open handle, so pypdf fetches objects
on demand and memory stays bounded by the largest page, not the file size.

What the extraction adds to the plain text:

- page starts (known boundaries: a segment never spans two pages);
- a blank line where the vertical gap between two lines is unusually large
  (more than :data:`GAP_PITCHES` times the page's usual line pitch), the
  layout evidence that plain extraction drops;
- ``meta`` hints for running headers and footers (the same line, digits
  ignored, at the top or bottom of at least :data:`REPEAT_SHARE` of the pages
  and of :data:`MIN_REPEAT_PAGES` pages) and for page numbers at a page edge;
- warnings when the extraction looks wrong: vertical text (most lines one or
  two characters long), two columns side by side, text without a Unicode map
  (private-use or replacement characters), pages without a text layer.

A PDF without any text is refused: it is a scan and needs OCR first.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import unicodedata
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

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
#: A gap of more than this many font sizes between two runs of a line is a column.
TAB_GAP = 2.0
#: Line pitch of single-spaced text, in multiples of the font size.
LINE_HEIGHT = 1.2
#: A page whose non-blank lines are mostly this short looks like vertical text.
VERTICAL_CHARS = 2

_PAGE_NUMBER = re.compile(
    r"^(?:[-‐－—–―(（\[［<＜]\s*)?(?:[pP]\.?\s*)?[0-9]{1,4}(?:\s*[-‐－—–―)）\]］>＞])?$"
    r"|^[0-9]{1,4}\s*/\s*[0-9]{1,4}$"
)
_DIGITS = re.compile(r"[0-9]+")
_SPACE = re.compile(r"\s+")


def read_pdf(path: Path) -> Extracted:
    """Extract the text lines of a PDF with page starts and meta hints.

    Raises
    ------
    InputFileError
        If the PDF is damaged, needs a password, or has no text layer.
    """
    with _quiet_pypdf():
        try:
            with open(path, "rb") as handle:
                pages, layout = _extract_pages(handle, path)
        except InputFileError:
            raise
        except OSError as exc:
            raise InputFileError(f"{path}: cannot read file ({exc.strerror})") from exc
        except Exception as exc:  # pypdf raises many types on damaged files
            raise InputFileError(
                f"{path}: not a readable PDF ({type(exc).__name__}: {exc}); the file may be "
                "truncated or damaged: download it again, or open and re-save it in a PDF viewer"
            ) from exc
    _check_text_layer(path, pages)
    _warn_layout(path, pages, layout)
    lines: list[str] = []
    page_starts: list[int] = []
    for page in pages:
        page_starts.append(len(lines))
        lines.extend(page)
    hints = {page_starts[p] + i: hint for (p, i), hint in running_lines(pages).items()}
    return Extracted(lines=lines, page_starts=page_starts, hints=hints)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs every repaired defect; the reader reports problems itself."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR + 10)
    try:
        yield
    finally:
        logger.setLevel(level)


def _extract_pages(handle: Any, path: Path) -> tuple[list[list[str]], list[dict[str, Any]]]:
    _check_trailer(handle, path)
    reader = PdfReader(handle, strict=False)
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except DependencyError as exc:
            raise InputFileError(
                f"{path}: the PDF is encrypted with AES; install the 'cryptography' package "
                "to read it"
            ) from exc
        if opened == PasswordType.NOT_DECRYPTED:
            raise InputFileError(
                f"{path}: the PDF is encrypted and needs a password to open; ask the "
                "publisher for an unprotected copy, or remove the password with a PDF tool "
                "you have the password for (e.g. qpdf --decrypt)"
            )
    pages: list[list[str]] = []
    layout: list[dict[str, Any]] = []
    for number, page in enumerate(reader.pages, start=1):
        lines, info = _page_lines(page, path, number)
        pages.append(lines)
        layout.append(info)
    return pages, layout


def _check_trailer(handle: Any, path: Path) -> None:
    """Refuse a truncated PDF before pypdf scans the whole file to rebuild it.

    A complete PDF ends with ``startxref`` and ``%%EOF``.  Without them pypdf
    reconstructs the cross-reference table by reading the entire file, which
    takes minutes and hundreds of MB on a large download that broke off.
    """
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(max(0, size - TAIL_BYTES))
    tail = handle.read()
    handle.seek(0)
    if b"startxref" not in tail and b"%%EOF" not in tail:
        raise InputFileError(
            f"{path}: the PDF is truncated (no end-of-file marker in its last "
            f"{TAIL_BYTES // 1024} KB): the download or copy broke off; fetch the file again"
        )


def _page_lines(page: Any, path: Path, number: int) -> tuple[list[str], dict[str, Any]]:
    """Lines of one page, and where its text runs start (for the column check)."""
    runs: list[tuple[float, float]] = []
    pieces: list[tuple[str, float | None]] = []
    placed: list[tuple[str, float, float]] = []  # (text, x, font size) of every piece
    sizes: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        y = None
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        scaled = abs(size * tm[3] * cm[3]) if isinstance(size, (int, float)) else 0.0
        if text.strip():
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((x, y))
            if scaled:
                sizes.append(scaled)
        pieces.append((text, y))
        placed.append((text, x, scaled))

    try:
        text = page.extract_text(visitor_text=visit)
        box = page.mediabox
        left, width = float(box.left), float(box.width)
    except Exception as exc:  # a damaged page: keep the others
        warnings.warn(
            f"{path}: page {number}: text could not be extracted ({type(exc).__name__}: "
            f"{exc}); the page is left out",
            InputFileWarning,
            stacklevel=4,
        )
        return [], {"runs": [], "left": 0.0, "width": 0.0}
    lines = [line.rstrip(" ") for line in text.split("\n")]
    if "".join(piece for piece, _ in pieces) == text:
        lines = [line.rstrip(" ") for line in _tabbed(placed).split("\n")]
        lines = _with_gaps(lines, _line_heights(pieces, len(lines)), sizes)
    lines = [line.replace("\r", " ") for line in lines]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines, {"runs": runs, "left": left, "width": width}


def _tabbed(placed: list[tuple[str, float, float]]) -> str:
    """The page text with a tab where a wide horizontal gap separates two runs of a line.

    Plain extraction joins the cells of a table row with single spaces; a gap
    of more than :data:`TAB_GAP` font sizes between where one run ends (its
    estimated width: full-width characters 1 em, others 1/2 em) and where the
    next starts is a column boundary, written as a tab as in the tab-separated
    tables of text files.
    """
    out: list[str] = []
    end: float | None = None  # estimated end of the last run on the current line
    pending = ""  # white space between runs, kept unless a tab replaces it
    for text, x, size in placed:
        if not text.strip():
            if "\n" in text:
                out.append(pending + text)
                pending, end = "", None
            else:
                pending += text
            continue
        head = text.lstrip()
        lead = text[: len(text) - len(head)]
        if end is not None and size and x - end > TAB_GAP * size and "\n" not in lead:
            out.append("\t" + head)
        else:
            out.append(pending + text)
        pending = ""
        last = text.rsplit("\n", 1)[-1]
        end = x + _em_width(last.strip()) * size if size else None
        if text.endswith("\n"):
            end = None
    out.append(pending)
    return "".join(out)


def _em_width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def _line_heights(pieces: list[tuple[str, float | None]], n: int) -> list[float | None]:
    """The vertical position of each output line (its first text run), if known."""
    heights: list[float | None] = [None] * n
    line = 0
    for text, y in pieces:
        if y is not None and line < n and heights[line] is None:
            heights[line] = y
        line += text.count("\n")
    return heights


def _with_gaps(lines: list[str], heights: list[float | None], sizes: list[float]) -> list[str]:
    """Insert a blank line where the vertical gap between two lines is unusually large.

    Plain extraction drops the vertical white space that separates paragraphs,
    headings and figures; the segmenter reads blank lines as that evidence, as
    it does in text files.  The usual pitch is the median step between lines,
    but at most :data:`LINE_HEIGHT` times the median font size, so that a page
    whose every line is followed by an empty one still shows those gaps.
    """
    known = [(i, y) for i, y in enumerate(heights) if y is not None]
    steps = [a[1] - b[1] for a, b in itertools.pairwise(known) if a[1] > b[1]]
    if len(steps) < 3:
        return lines
    pitch = sorted(steps)[len(steps) // 2]
    if sizes:
        pitch = min(pitch, LINE_HEIGHT * sorted(sizes)[len(sizes) // 2])
    gap_before = {b[0] for a, b in itertools.pairwise(known) if a[1] - b[1] > GAP_PITCHES * pitch}
    result: list[str] = []
    for i, line in enumerate(lines):
        if i in gap_before and result and result[-1].strip():
            result.append("")
        result.append(line)
    return result


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
    if len(empty) >= max(2, 0.25 * len(pages)):
        warnings.warn(
            f"{path}: {len(empty)} of {len(pages)} pages have no text layer (pages "
            f"{_page_list(empty)}): scanned pages or full-page figures; their content is "
            "missing unless they are OCRed",
            InputFileWarning,
            stacklevel=3,
        )


def _page_list(numbers: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (" …" if len(numbers) > limit else "")


def _warn_layout(path: Path, pages: list[list[str]], layout: list[dict[str, Any]]) -> None:
    vertical = [n for n, page in enumerate(pages, start=1) if looks_vertical(page)]
    if vertical:
        warnings.warn(
            f"{path}: page(s) {_page_list(vertical)} look like vertical text (most lines one "
            "or two characters long); the extracted lines do not follow the reading order, "
            "check the text before analysing it",
            InputFileWarning,
            stacklevel=3,
        )
    columns = [n for n, info in enumerate(layout, start=1) if looks_two_column(info)]
    if columns:
        warnings.warn(
            f"{path}: page(s) {_page_list(columns)} have text in two columns side by side; "
            "check that the extracted lines follow the reading order",
            InputFileWarning,
            stacklevel=3,
        )
    text = "".join("".join(page) for page in pages)
    odd = sum(1 for ch in text if ch == "\ufffd" or unicodedata.category(ch) == "Co")
    if text and odd / len(text) > 0.05:
        warnings.warn(
            f"{path}: {odd} of {len(text)} characters could not be mapped to Unicode "
            "(fonts without a ToUnicode map); the text is garbled where they occur, "
            "OCR may be needed",
            InputFileWarning,
            stacklevel=3,
        )


def looks_vertical(lines: list[str]) -> bool:
    """Vertical (tategaki) text extracts as one or two characters per line."""
    sizes = [len(line.strip()) for line in lines if line.strip()]
    short = sum(1 for size in sizes if size <= VERTICAL_CHARS)
    return short >= 20 and short >= 0.6 * len(sizes)


def looks_two_column(info: dict[str, Any]) -> bool:
    """Many text rows that have runs starting in both halves of the page."""
    width = info["width"]
    if width <= 0 or len(info["runs"]) < 20:
        return False
    middle = info["left"] + width / 2
    rows: dict[int, list[float]] = defaultdict(list)
    for x, y in info["runs"]:
        rows[round(y / 2)].append(x)
    both = [
        xs
        for xs in rows.values()
        if min(xs) < middle - 0.05 * width and any(x > middle for x in xs)
    ]
    if len(both) < 10 or len(both) < 0.5 * len(rows):
        return False
    # Two columns of prose: the right-hand runs start at one aligned edge.
    starts = Counter(round(min(x for x in xs if x > middle) / (0.02 * width)) for xs in both)
    return starts.most_common(1)[0][1] >= 0.6 * len(both)


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
