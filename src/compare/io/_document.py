"""What a format reader returns: a document's text lines, page starts and per-line hints."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Hint kinds a format reader may attach to a line.
HINT_KINDS = ("heading", "meta", "table_row", "list_item")


@dataclass(frozen=True)
class Hint:
    """What a document format says about one line.

    Attributes
    ----------
    kind : str
        ``heading``, ``meta``, ``table_row`` or ``list_item``.
    depth : int
        Heading depth as the format states it (1 = top; DOCX ``Heading 2`` or
        HTML ``<h2>`` give 2); 0 for other kinds.  The segmenter closes skipped
        levels, so ``<h1>`` followed by ``<h3>`` nests one level down.
    reason : str
        Where the hint comes from (``style 'Heading 2'``, ``<h2>``,
        ``running header``, ``page number`` …), for users checking a result.
    """

    kind: str
    depth: int = 0
    reason: str = ""


@dataclass
class Extracted:
    """The text of a document as lines, with page starts and hints.

    Attributes
    ----------
    lines : list of str
        Text lines without line ends; index 0 is line 1.
    encoding : str
        Character encoding of the source where it has one (HTML); ``""`` for
        PDF and DOCX, whose text is Unicode inside the format.
    page_starts : list of int
        0-based index of the first line of each page (PDF only; empty pages
        start where the next page starts).
    hints : dict of int to Hint
        Hints keyed by 0-based line index.
    line_pages : list of int
        The 1-based page each line is printed on (PDF only).  Lines are in
        reading order, which is page order except that the lines finishing a
        paragraph broken by a page end come before that break's page furniture.
    page_labels : list of str
        The label of each page where the PDF defines labels (``iv``, ``12``),
        ``""`` otherwise (PDF only).
    wrapped : list of int
        0-based indices of lines that the layout wrapped: they reach their
        column's right edge, so the text runs on to the next line (PDF only).
    """

    lines: list[str]
    encoding: str = ""
    page_starts: list[int] = field(default_factory=list)
    hints: dict[int, Hint] = field(default_factory=dict)
    line_pages: list[int] = field(default_factory=list)
    page_labels: list[str] = field(default_factory=list)
    wrapped: list[int] = field(default_factory=list)
