"""HTML text extraction: the main text of a plan's web page, headings from h1–h6.

The page is decoded with its declared charset (``Shift_JIS`` is read as CP932,
which is what Japanese sites mean by it) or, failing that, with the Japanese
decoding ladder of :func:`compare.io.readers.decode_bytes`.

What is kept: if the page has a ``<main>`` element (or ``role="main"``), only
its content; otherwise the body.  What is dropped everywhere: scripts,
styles, ``<nav>``, ``<header>``, ``<footer>``, ``<aside>``, forms, and
elements whose role is navigation, banner, contentinfo or search; outside
``<main>`` also elements whose id or class names a navigation, breadcrumb
(パンくず: ``pankuzu``, ``topicpath``), menu, side bar, header or footer.

Each block element (p, div, li, h1–h6, tr, dt, dd …) starts a new line; a
``<br>`` starts a new line inside the block.  Headings get a heading hint
with their depth, list items a list-item hint, table rows become one
tab-separated line with a table-row hint.  White space is collapsed as a
browser would, except that a source line break between two Japanese
characters is dropped rather than shown as a space.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from compare.errors import InputFileError
from compare.io._document import Extracted, Hint
from compare.io.encoding import decode_bytes

_DROP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "svg",
    "iframe",
    "select",
    "button",
    "head",
    "title",
}
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary"}
_DROP_NAME = re.compile(
    r"(?:^|[-_\s])(?:g|l|s|sub|local|global)?(?:nav|navi|navigation|menu|breadcrumbs?|pankuzu|"
    r"topicpath|sidebar|side|header|footer|skip)(?:$|[-_\s])",
    re.IGNORECASE,
)
_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "li",
    "table",
    "caption",
    "figure",
    "figcaption",
    "address",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "body",
    "center",
    "fieldset",
    "details",
    "summary",
}
_VOID_TAGS = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "wbr", "source"}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CHARSET_CODECS = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms932": "cp932",
    "cp932": "cp932",
    "euc-jp": "euc_jp",
    "x-euc-jp": "euc_jp",
    "iso-2022-jp": "iso2022_jp",
    "utf-8": "utf-8-sig",
    "utf8": "utf-8-sig",
}
_BREAK = "\x00"  # marks collapsed white space that held a line break
_WIDE = r"\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_WIDE_BREAK = re.compile(rf"(?<=[{_WIDE}]) ?{_BREAK} ?(?=[{_WIDE}])")
_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def read_html(path: Path) -> Extracted:
    """Extract the main text of an HTML page as lines with heading hints.

    Raises
    ------
    InputFileError
        If the page cannot be decoded or has no main text.
    """
    data = path.read_bytes()
    encoding, text = decode_html(data, path)
    parser = _TextParser()
    try:
        parser.feed(text)
        parser.close()
    except Exception as exc:  # html.parser is lenient; anything raised is a bug in the page
        raise InputFileError(f"{path}: cannot parse the HTML ({exc})") from exc
    lines, hints = parser.result()
    if not any(line.strip() for line in lines):
        raise InputFileError(
            f"{path}: the page has no main text (only navigation, scripts or styles?); "
            "save the plan itself (its PDF or its text) and add that"
        )
    return Extracted(lines=lines, encoding=encoding, hints=hints)


def decode_html(data: bytes, path: Path) -> tuple[str, str]:
    """Decode a page with its declared charset, else with the Japanese ladder."""
    match = _CHARSET.search(data[:4096])
    if match and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        declared = match.group(1).decode("ascii", errors="replace").lower()
        codec = _CHARSET_CODECS.get(declared, declared)
        for candidate in (codec, "euc_jis_2004") if codec == "euc_jp" else (codec,):
            try:
                return candidate, data.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                continue
    return decode_bytes(data, path)


class _TextParser(HTMLParser):
    """Collect block-level lines of the main text with hints."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.hints: dict[int, Hint] = {}
        self.current: list[str] = []
        self.current_hint: Hint | None = None
        self.drop: list[list] = []  # [tag, nesting] of the element being dropped
        self.main_depth = 0  # > 0 inside <main>
        self.has_main = False
        self.main_lines: tuple[int, int] | None = None
        self.main_start = 0
        self.main_tag = ""
        self.pre = 0
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.table_depth = 0

    # --- parser callbacks -----------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.drop:
            if tag == self.drop[-1][0] and tag not in _VOID_TAGS:
                self.drop[-1][1] += 1
            return
        values = {name: value or "" for name, value in attrs}
        is_main = tag == "main" or values.get("role") == "main"
        if not is_main and self._dropped(tag, values):
            if tag not in _VOID_TAGS:
                self.drop.append([tag, 1])
            return
        if is_main and self.main_depth == 0 and not self.has_main:
            self.flush()
            self.has_main = True
            self.main_start = len(self.lines)
            self.main_tag = tag
        if is_main or (self.main_depth and tag == self.main_tag):
            self.main_depth += 1
        self._open(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.drop:
            if tag == self.drop[-1][0]:
                self.drop[-1][1] -= 1
                if self.drop[-1][1] == 0:
                    self.drop.pop()
            return
        self._close(tag)
        if self.main_depth and tag == self.main_tag:
            self.main_depth -= 1
            if self.main_depth == 0 and self.main_lines is None:
                self.flush()
                self.main_lines = (self.main_start, len(self.lines))

    def handle_data(self, data: str) -> None:
        if self.drop or not data:
            return
        if not self.pre:
            data = _SPACES.sub(lambda m: _BREAK if "\n" in m.group() else " ", data)
        target = self.cell if self.cell is not None else self.current
        target.append(data)

    # --- structure --------------------------------------------------------------------

    def _dropped(self, tag: str, values: dict[str, str]) -> bool:
        if tag in _DROP_TAGS or values.get("role", "") in _DROP_ROLES:
            return True
        if self.main_depth or tag in ("html", "body"):
            return False
        names = f"{values.get('id', '')} {values.get('class', '')}"
        return bool(names.strip()) and bool(_DROP_NAME.search(names))

    def _open(self, tag: str) -> None:
        if tag == "table":
            self._end_cell()
            self.table_depth += 1
            if self.table_depth == 1:
                self.flush()
            return
        if self.table_depth:
            self._open_in_table(tag)
            return
        if tag == "br":
            self.current.append("\n")
        elif tag == "pre":
            self.flush()
            self.pre += 1
        elif tag in _BLOCK_TAGS:
            self.flush()
            if tag in _HEADINGS:
                self.current_hint = Hint("heading", _HEADINGS[tag], f"<{tag}>")
            elif tag == "li":
                self.current_hint = Hint("list_item", reason="<li>")

    def _open_in_table(self, tag: str) -> None:
        if self.table_depth > 1:
            if tag in ("td", "th", "br", "p", "li", "div") and self.cell is not None:
                self.cell.append(" ")
            return
        if tag == "tr":
            self._end_row()
            self.row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self.row is None:
                self.row = []
            self.cell = []
        elif self.cell is not None and (tag == "br" or tag in _BLOCK_TAGS):
            self.cell.append(" ")
        elif tag == "caption":
            self.flush()

    def _close(self, tag: str) -> None:
        if tag == "table":
            if self.table_depth == 1:
                self._end_row()
            self.table_depth = max(0, self.table_depth - 1)
            return
        if self.table_depth == 1:
            if tag in ("td", "th"):
                self._end_cell()
            elif tag == "tr":
                self._end_row()
            elif tag == "caption":
                self.flush()
            return
        if self.table_depth:
            return
        if tag == "pre":
            self.flush()
            self.pre = max(0, self.pre - 1)
        elif tag in _BLOCK_TAGS:
            self.flush()

    def _end_cell(self) -> None:
        if self.cell is not None and self.row is not None:
            self.row.append(_tidy("".join(self.cell)).replace("\n", " ").strip())
        self.cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self.row and any(self.row):
            self.hints[len(self.lines)] = Hint("table_row", reason="<tr>")
            self.lines.append("\t".join(" ".join(cell.split()) for cell in self.row))
        self.row = None

    def flush(self) -> None:
        """End the current block: its text becomes one or more lines."""
        text = _tidy("".join(self.current))
        self.current = []
        hint, self.current_hint = self.current_hint, None
        pieces = [piece.strip() for piece in text.split("\n")]
        pieces = [piece for piece in pieces if piece]
        if not pieces:
            return
        if hint is not None and hint.kind == "heading":
            pieces = [" ".join(pieces)]
        if hint is not None:
            self.hints[len(self.lines)] = hint
        self.lines.extend(pieces)

    def result(self) -> tuple[list[str], dict[int, Hint]]:
        self._end_row()
        self.flush()
        if self.main_lines is None and self.has_main:
            self.main_lines = (self.main_start, len(self.lines))
        if self.main_lines is None:
            return self.lines, self.hints
        start, end = self.main_lines
        hints = {i - start: h for i, h in self.hints.items() if start <= i < end}
        return self.lines[start:end], hints


def _tidy(text: str) -> str:
    """Drop collapsed line breaks between Japanese characters; others become spaces."""
    text = _WIDE_BREAK.sub("", text)
    text = text.replace(_BREAK, " ")
    return re.sub(r" {2,}", " ", text)
