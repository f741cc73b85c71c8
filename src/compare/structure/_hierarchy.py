"""Turn the lines of a plan text into segments with a heading hierarchy.

The parser works in passes over the lines, each linear in the size of the text:

1. every line is described on its own (:func:`compare.structure._lines.classify_line`);
2. the cover (title, date, publisher), the colophon (address, phone, e-mail)
   and table-of-contents runs become ``meta`` (after a 目次 title, everything
   up to where the body repeats the first entry);
3. lines are grouped into units: a paragraph rejoins lines that PDF extraction
   broke (also across blank lines) when the document's own evidence says the
   line was wrapped: its display width reaches the document's wrap width, it
   ends with a comma or an open bracket, or the next line starts with a
   character that cannot start a sentence.  Headings, list items, table rows
   and meta lines are never glued onto prose;
4. marked lines are accepted as headings only if they read like headings
   (short, no sentence inside), a number glued to the next word continues a
   sequence (else it is a table value run into the text), and they are not
   an enumeration (consecutive items of one sequence with no text between
   them);
5. unmarked short lines standing alone between prose become headings (two
   in a row before prose: a heading and its first subheading); a label word
   followed by an enclosed slogan (``サブタイトル — … —``), a place name, a
   period (2024年度~2028年度) and the value between two field headings are
   text;
6. 第N章 is a chapter only where N fits the document's chapter sequence; a
   line such as "第4章 …について" after sections 1–4 titles a note about
   another chapter and nests where it stands;
7. nesting comes from the number sequences: an item continuing a sequence on
   the stack is a sibling there; ``1`` under an open item of the same style
   starts a nested sequence; a style seen before goes back under the style
   that was its parent; a new style goes under the current heading unless its
   conventional rank (第N章 above 1 above (1) above ① …) says otherwise;
8. bracketed figure/table captions (【…イメージ図】, or 【…】 with no body
   before the next heading at its level) become paragraphs, and
   term/definition tables under a glossary heading (用語, 解説 …) become
   ``meta`` (reference material, not coded).

Every non-blank line ends up in exactly one unit and units never overlap, so
the segments are lossless by construction.

Documents read from PDF, DOCX or HTML may bring *hints* (see
:mod:`compare.io.formats`): a hinted heading is a heading of the stated depth
(marked headings found in the text nest below it), a hinted meta line, table
row or list item is one; and *page starts*, which no unit spans.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compare.structure._lines import (
    BLANK,
    BULLET,
    MARKED,
    META,
    QUOTE_PAIRS,
    SENTENCE_END,
    TABLE,
    TEXT,
    LineInfo,
    Marker,
    classify_line,
    is_date_line,
    is_toc_title,
    looks_like_toc_trail,
)

HEADING = "heading"
PARAGRAPH = "paragraph"
LIST_ITEM = "list_item"
TABLE_ROW = "table_row"
META_KIND = "meta"

#: Line kind of a line a document format marks as a heading.
HINTED = "hinted"
_HINT_KINDS = {"meta": META, "table_row": TABLE, "list_item": BULLET}

#: Longest heading, in characters, after a label and its name are joined.
MAX_HEADING_CHARS = 64
#: Deepest heading level; deeper nesting is flattened (keeps nesting linear in time).
MAX_DEPTH = 12
#: Longest unmarked heading.
MAX_PLAIN_CHARS = 25

_NON_INITIAL = set("、。，．）)」』】ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶーんンを")
_OPEN_CLOSE = {
    "「": "」",
    "『": "』",
    "（": "）",
    "(": ")",
    "【": "】",
    "《": "》",
    "〈": "〉",
    "［": "］",
}
_OPENERS = re.compile("[「『（(【《〈［]")
_COVER_WORDS = re.compile(r"計画|プラン|ビジョン|概要|[（(]案[）)]|素案|答申|報告書|～|〜|~|―|—")
_ORG_NAME = re.compile(
    r"^.{1,24}?(?:市|区|町|村|県|都|府|道|協議会|委員会|課|部|局|室|センター|事務所)$"
)
_PLAIN_BAD_END = set("をがにでやのへともなど、，,・")
_CAPTION = re.compile(r"^(?:図|表|図表|グラフ|写真)\s*[0-9０-９]")
_PLAIN_BAD_CHARS = set("。、，,．%％:：")
#: Label words that introduce a slogan rather than a section (サブタイトル — … —).
_SLOGAN_LABEL = re.compile(
    r"^(?:サブタイトル|副題|スローガン|キャッチフレーズ|キャッチコピー|標語|合言葉|愛称)"
    r"[ \u3000]*[:：]?[ \u3000]*"
)
#: Top-level 第N styles whose numbers form one sequence through the document.
_CHAPTER_STYLES = ("dai:章", "dai:部", "dai:編")
#: Wording of a note that refers to another chapter rather than opening one.
_CROSS_REFERENCE = re.compile(r"について$|参照|再掲|に記載|に掲載|のとおり")
#: Words of a figure or table caption (図, イメージ, 表 at the end or numbered).
_CAPTION_WORDS = re.compile(r"図(?![るりられっ])|イメージ|表(?:[0-9０-９]|[】〕＞》〉］>)\]]|$)")
#: Heading words of a glossary or a note explaining terms.
_GLOSSARY_HEADING = re.compile(r"用語|語句|解説|注釈|凡例")
#: Fewest consecutive term/definition rows that make a glossary.
_GLOSSARY_MIN_ROWS = 3
#: Longest term in the first cell of a glossary row.
_GLOSSARY_TERM_CHARS = 20
_HIRAGANA_WORD = re.compile(r"^[\u3041-\u309f]{3,6}$")
#: Leader dots and a page number at the end of a contents entry.
_RE_LEADER_TAIL = re.compile(
    r"\s*(?:[.．…‥・･·―─]{2,})\s*(?:[pPＰ][.．]?\s*)?[0-9０-９]{1,3}\s*(?:ページ|頁)?\s*$"
)
#: Longest table of contents, in non-blank lines, looked at after a 目次 title.
_TOC_MAX_LINES = 200
#: Explanatory heading: 「…とは」, 「…とは？」.
_RE_WHAT_IS = re.compile(r"とは[?？]?$")
#: A line that only names a municipality (a cover or colophon line, not a section).
_RE_PLACE_NAME = re.compile(r"^[\u4e00-\u9fff\u3040-\u30ff]{1,6}(?:市|区|町|村|県|都|府)$")
#: A period or date only: 平成30年度から5年間, 2024年度~2028年度, 令和6年度(2024年度)まで.
_RE_PERIOD_ONLY = re.compile(
    r"^(?:令和|平成|昭和|元|[0-9０-９]|年|度|月|日|から|まで|間|の|か|ヵ|カ|ケ|ヶ|箇"
    r"|[~〜～\-‐－ー―()（）、\s])+$"
)


@dataclass
class Unit:
    """A run of source lines that becomes one segment."""

    kind: str
    start: int  # 0-based index of the first line
    end: int  # 0-based index of the last line (inclusive)
    parts: list[str]
    seps: list[str] = field(default_factory=list)
    marker: Marker | None = None
    style: str | None = None
    number: int | None = None
    depth: int = 0
    fixed: int = 0  # heading depth stated by the document format (0: none)

    text: str = ""  # stripped source text of the unit, parts joined

    def __post_init__(self) -> None:
        self.text = self.parts[0]

    def add(self, index: int, part: str, sep: str) -> None:
        self.end = index
        self.parts.append(part)
        self.seps.append(sep)
        self.text += sep + part


@dataclass(frozen=True)
class DocStats:
    """Layout evidence measured on the whole document."""

    wrap_width: int | None  # display width at which lines were wrapped, if any
    gap: int  # usual number of blank lines between consecutive lines of text
    page: tuple[int, ...] = ()  # page index of each line (PDF), empty otherwise
    wrapped: frozenset[int] = frozenset()  # lines the layout wrapped at a column edge (PDF)

    def same_page(self, i: int, j: int) -> bool:
        """True if lines ``i`` and ``j`` may be one unit as far as pages go.

        Always without pages, and for adjacent lines: a PDF reader places the
        lines that finish a unit broken by a page end right after it, before
        the page furniture.
        """
        return not self.page or j == i + 1 or self.page[i] == self.page[j]


def parse_lines(
    lines: list[str],
    hints: Mapping[int, Any] | None = None,
    page_starts: Sequence[int] = (),
    line_pages: Sequence[int] = (),
    wrapped: Collection[int] = frozenset(),
) -> list[Unit]:
    """Segment ``lines`` (source lines without line ends) into units.

    ``hints`` maps 0-based line indices to :class:`compare.io.formats.Hint`
    objects; ``page_starts`` lists the first line of each page, or
    ``line_pages`` gives the page of every line (PDF reading order may put a
    few lines of the next page before a page's footer); ``wrapped`` lists
    lines the layout wrapped at a column edge (their text runs on).
    """
    infos = [classify_line(line) for line in lines]
    kinds = [info.kind for info in infos]
    fixed = _apply_hints(kinds, hints or {})
    _mark_toc(infos, kinds)
    _mark_cover(infos, kinds)
    _mark_colophon(infos, kinds)
    if len(line_pages) != len(lines):
        line_pages = _page_of_lines(len(lines), page_starts)
    stats = _doc_stats(infos, kinds, tuple(line_pages), frozenset(wrapped))
    units = _build_units(infos, kinds, stats, fixed)
    _validate_marked(units)
    _mark_enumerations(units, lines, stats)
    _find_plain_headings(units)
    _check_chapters(units)
    nest(units)
    if _demote_captions(units):
        nest(units)
    _mark_glossaries(units)
    return units


def _apply_hints(kinds: list[str], hints: Mapping[int, Any]) -> dict[int, int]:
    """Let the document format decide the kind of hinted lines; return heading depths."""
    fixed: dict[int, int] = {}
    for i, hint in hints.items():
        if not 0 <= i < len(kinds) or kinds[i] == BLANK:
            continue
        if hint.kind == "heading" and hint.depth >= 1:
            kinds[i] = HINTED
            fixed[i] = hint.depth
        elif hint.kind in _HINT_KINDS:
            kinds[i] = _HINT_KINDS[hint.kind]
    return fixed


def _page_of_lines(n: int, page_starts: Sequence[int]) -> tuple[int, ...]:
    if not page_starts:
        return ()
    page = [0] * n
    for number, start in enumerate(page_starts):
        for i in range(start, page_starts[number + 1] if number + 1 < len(page_starts) else n):
            page[i] = number
    return tuple(page)


# --- pass 2: meta regions ----------------------------------------------------------------


def _nonblank(kinds: list[str]) -> list[int]:
    return [i for i, kind in enumerate(kinds) if kind != BLANK]


def _mark_toc(infos: list[LineInfo], kinds: list[str]) -> None:
    """Table-of-contents entries (text + page number) in runs become meta.

    After a 目次 title, every line up to where the body repeats the first
    entry (its text without leaders and page number) is part of the table of
    contents, entries without page numbers included.
    """
    _mark_toc_blocks(infos, kinds)
    idx = _nonblank(kinds)
    trail = [kinds[i] in (TEXT, MARKED) and looks_like_toc_trail(infos[i].stripped) for i in idx]
    after_title = False
    for pos, i in enumerate(idx):
        if kinds[i] == META and is_toc_title(infos[i].stripped):
            after_title = True
            continue
        neighbour = (pos > 0 and trail[pos - 1]) or (pos + 1 < len(idx) and trail[pos + 1])
        if trail[pos] and (neighbour or after_title):
            kinds[i] = META
        elif kinds[i] not in (META, BLANK):
            after_title = False


def _entry_key(text: str) -> str:
    """A contents entry or heading without white space, leader dots and page number."""
    text = _RE_LEADER_TAIL.sub("", text)
    return re.sub(r"\s", "", text)


def _mark_toc_blocks(infos: list[LineInfo], kinds: list[str]) -> None:
    idx = _nonblank(kinds)
    for pos, i in enumerate(idx):
        if kinds[i] != META or not is_toc_title(infos[i].stripped):
            continue
        entries = [j for j in idx[pos + 1 : pos + 1 + _TOC_MAX_LINES]]
        if not entries:
            continue
        first = _entry_key(infos[entries[0]].stripped)
        if len(first) < 3:
            continue
        for k, j in enumerate(entries[1:], start=1):
            if _entry_key(infos[j].stripped) == first and not _RE_LEADER_TAIL.search(
                infos[j].stripped
            ):
                for t in entries[:k]:
                    kinds[t] = META
                break


def cover_like(text: str) -> bool:
    """Title-page line: plan name, date, publisher, subtitle."""
    return (
        bool(_COVER_WORDS.search(text) or is_date_line(text) or _ORG_NAME.match(text))
        and len(text) <= 60
    )


def _mark_cover(infos: list[LineInfo], kinds: list[str]) -> None:
    """Leading title-page lines before the first heading or prose become meta."""
    cover: list[int] = []
    stopped_by_prose = False
    for i in _nonblank(kinds):
        info = infos[i]
        if kinds[i] == META:
            cover.append(i)
            continue
        if kinds[i] != TEXT:
            break
        text = info.stripped
        if "。" in text or len(text) > 60:
            stopped_by_prose = True
            break
        if _RE_WHAT_IS.search(text):
            stopped_by_prose = True  # 「…とは」 opens an explanation: a heading, not the cover
            break
        if not cover or cover_like(text):
            cover.append(i)
            continue
        stopped_by_prose = True
        break
    else:
        return  # no body at all: leave the lines to the other passes
    if stopped_by_prose and cover:
        last = cover[-1]
        text = infos[last].stripped
        is_title = last == cover[0] and cover_like(text) and not _RE_WHAT_IS.search(text)
        if (
            kinds[last] == TEXT
            and plain_candidate(text)
            and not is_title
            and not is_date_line(text)
        ):
            cover.pop()
    for i in cover:
        kinds[i] = META


def _mark_colophon(infos: list[LineInfo], kinds: list[str]) -> None:
    """Trailing address/phone/e-mail lines and the title repeated with them become meta."""
    region: list[int] = []
    strong = 0
    for i in reversed(_nonblank(kinds)):
        text = infos[i].stripped
        if kinds[i] == META:
            region.append(i)
            strong += 1
        elif kinds[i] == TEXT and "。" not in text and cover_like(text):
            region.append(i)
        else:
            break
    if strong >= 2:
        for i in region:
            kinds[i] = META


# --- pass 3: units ----------------------------------------------------------------------


def _doc_stats(
    infos: list[LineInfo],
    kinds: list[str],
    page: tuple[int, ...] = (),
    wrapped: frozenset[int] = frozenset(),
) -> DocStats:
    text_widths = sorted(
        info.width for info, kind in zip(infos, kinds, strict=True) if kind == TEXT
    )
    nonfinal = [
        info.width
        for info, kind in zip(infos, kinds, strict=True)
        if kind == TEXT and len(info.stripped) >= 8 and info.stripped[-1] not in SENTENCE_END
    ]
    wrap_width = None
    if len(text_widths) >= 3 and nonfinal:
        w90 = text_widths[int(0.9 * (len(text_widths) - 1))]
        band = [w for w in nonfinal if 0.85 * w90 <= w <= 1.05 * w90]
        if len(band) >= 3 and len(band) >= 0.4 * len(nonfinal):
            wrap_width = w90
    gaps: Counter[int] = Counter()
    previous = None
    for i, kind in enumerate(kinds):
        if kind == BLANK:
            continue
        if previous is not None:
            gaps[i - previous - 1] += 1
        previous = i
    gap = max(gaps.items(), key=lambda item: (item[1], -item[0]))[0] if gaps else 1
    return DocStats(wrap_width, max(1, gap), page, wrapped)


def ends_sentence(text: str) -> bool:
    return text[-1] in SENTENCE_END


def enclosed(text: str) -> bool:
    """True if the whole text is one quotation or subtitle: 「…」, （…）, ～…～."""
    if len(text) < 2:
        return False
    close = QUOTE_PAIRS.get(text[0])
    return close is not None and text.find(close, 1) == len(text) - 1


def unbalanced(text: str) -> bool:
    """An open bracket or ～ without its partner (only short texts are checked)."""
    if len(text) > 200:
        return False
    if text[:1] != "～" and not _OPENERS.search(text):
        return False
    if text.count("～") % 2 == 1 and text.lstrip()[:1] == "～":
        return True
    return any(text.count(o) > text.count(c) for o, c in _OPEN_CLOSE.items())


def labelled_slogan(text: str) -> bool:
    """A label word followed by an enclosed phrase: ``サブタイトル — みんなが参加 —``.

    Such a line states the plan's slogan (content, like a 「…」 vision line);
    it does not open a section.
    """
    match = _SLOGAN_LABEL.match(text)
    return match is not None and enclosed(text[match.end() :])


def plain_candidate(text: str) -> bool:
    """Short line without sentence punctuation that could be an unmarked heading."""
    if not 2 <= len(text) <= MAX_PLAIN_CHARS:
        return False
    if any(ch in _PLAIN_BAD_CHARS for ch in text):
        return False
    if text[-1] in _PLAIN_BAD_END and not _HIRAGANA_WORD.match(text):
        return False  # a sentence fragment, but はじめに / おわりに are headings
    if text[0] in _NON_INITIAL or enclosed(text) or _CAPTION.match(text) or unbalanced(text):
        return False
    if labelled_slogan(text) or _RE_PLACE_NAME.match(text) or _RE_PERIOD_ONLY.match(text):
        return False
    return not is_date_line(text) and not text.replace(" ", "").isdigit()


def _wrapped(info: LineInfo, stats: DocStats) -> bool:
    width = stats.wrap_width
    return width is not None and info.width >= 0.85 * width


def _continues(prev: LineInfo, nxt: LineInfo, gap: int, stats: DocStats) -> bool:
    """Should line ``nxt`` (after ``gap`` blank lines) continue the paragraph ending in ``prev``?"""
    if gap > stats.gap:
        return False
    text = prev.stripped
    if ends_sentence(text) or enclosed(text):
        return False
    if text[-1] in "、，," or unbalanced(text) or nxt.stripped[0] in _NON_INITIAL:
        return True
    if _wrapped(prev, stats):
        return True
    if gap > 0:
        return False
    if len(text) <= MAX_PLAIN_CHARS:
        return False  # a short line that ends without punctuation ends its unit
    if stats.wrap_width is None:
        # No evidence that the text was wrapped: a short line without punctuation
        # after it is a heading rather than the rest of a sentence.
        return not plain_candidate(nxt.stripped)
    return prev.width >= 0.6 * stats.wrap_width


def _wrapped_number(info: LineInfo) -> bool:
    """A line that starts with a number but is the rest of a sentence (``170 万人となっています。``)."""
    return info.kind == MARKED and ("。" in info.stripped or len(info.stripped) > MAX_HEADING_CHARS)


def _next_nonblank(kinds: list[str], start: int) -> int | None:
    for j in range(start, len(kinds)):
        if kinds[j] != BLANK:
            return j
    return None


def _build_units(
    infos: list[LineInfo], kinds: list[str], stats: DocStats, fixed: Mapping[int, int]
) -> list[Unit]:
    units: list[Unit] = []
    n = len(kinds)
    i = 0
    while i < n:
        kind = kinds[i]
        info = infos[i]
        if kind == BLANK:
            i += 1
            continue
        if kind == TABLE:
            units.append(Unit(TABLE_ROW, i, i, [info.stripped]))
        elif kind == META:
            units.append(Unit(META_KIND, i, i, [info.stripped]))
        elif kind == HINTED:
            units.append(Unit(HEADING, i, i, [info.stripped], style="hint", fixed=fixed[i]))
        elif kind == MARKED and i in stats.wrapped:
            # The layout wrapped the line at its column's edge: the text runs on, as
            # prose does; pass 4 decides whether the whole is a heading.
            unit = _text_unit(infos, kinds, i, stats, HEADING)
            unit.marker = info.marker
            units.append(unit)
        elif kind == MARKED:
            units.append(_marked_unit(infos, kinds, i, stats))
        else:
            unit_kind = LIST_ITEM if kind == BULLET else PARAGRAPH
            units.append(_text_unit(infos, kinds, i, stats, unit_kind))
        i = units[-1].end + 1
    return units


def _text_unit(
    infos: list[LineInfo], kinds: list[str], i: int, stats: DocStats, unit_kind: str
) -> Unit:
    unit = Unit(unit_kind, i, i, [infos[i].stripped])
    last = infos[i]
    while True:
        j = _next_nonblank(kinds, unit.end + 1)
        if j is None or not (
            kinds[j] == TEXT or (kinds[j] == MARKED and _wrapped_number(infos[j]))
        ):
            break
        if not stats.same_page(unit.end, j):
            break
        laid_out = (
            j == unit.end + 1 and unit.end in stats.wrapped and not ends_sentence(last.stripped)
        )
        if not laid_out and not _continues(last, infos[j], j - unit.end - 1, stats):
            break
        unit.add(j, infos[j].stripped, _joiner(last.stripped, infos[j].stripped))
        last = infos[j]
    return unit


def _joiner(left: str, right: str) -> str:
    """Join wrapped pieces without a space, except between two Latin words."""
    if left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum():
        return " "
    return ""


def _marked_unit(infos: list[LineInfo], kinds: list[str], i: int, stats: DocStats) -> Unit:
    info = infos[i]
    marker = info.marker
    assert marker is not None
    unit = Unit(HEADING, i, i, [info.stripped], marker=marker)
    j = _next_nonblank(kinds, i + 1)
    if j is None or kinds[j] != TEXT or not stats.same_page(i, j):
        return unit
    nxt = infos[j].stripped
    gap = j - i - 1
    if not marker.rest and not marker.floating and gap <= 2 and len(nxt) <= 40 and "。" not in nxt:
        unit.add(j, nxt, " ")  # label on one line, its name on the next
    elif gap == 0 and enclosed(nxt) and len(nxt) <= 40:
        unit.add(j, nxt, " ")  # 「name」 or ～subtitle～ under the label line
    else:
        for _ in range(2):  # a heading wrapped inside brackets
            j = _next_nonblank(kinds, unit.end + 1)
            if not unbalanced(unit.text) or j is None or kinds[j] != TEXT:
                break
            if not stats.same_page(unit.end, j):
                break
            if j - unit.end - 1 > stats.gap or "。" in infos[j].stripped:
                break
            unit.add(j, infos[j].stripped, "")
    return unit


# --- pass 4: which marked lines are headings --------------------------------------------


def _validate_marked(units: list[Unit]) -> None:
    last: dict[str, int] = {}  # last number accepted in each numbered style
    for pos, unit in enumerate(units):
        if unit.kind != HEADING or unit.marker is None:
            continue
        text = unit.text
        marker = unit.marker
        ok = len(text) <= MAX_HEADING_CHARS and "。" not in text and text[-1] not in "、，,"
        if ok and marker.glued and marker.number is not None and marker.number > 1:
            # A number glued to a word continues a sequence, or it is a table value
            # run into the text that follows it.
            ok = last.get(marker.style) == marker.number - 1
        if ok and marker.weak:
            nxt = units[pos + 1] if pos + 1 < len(units) else None
            ok = len(text) <= 40 and nxt is not None and nxt.kind == PARAGRAPH
        if ok and marker.style == "num" and len(text) > 40 and "、" in text:
            ok = False
        if not ok:
            unit.kind = LIST_ITEM if marker.number is not None or marker.weak else PARAGRAPH
            continue
        unit.style = marker.style
        unit.number = marker.number
        if marker.number is not None:
            last[marker.style] = marker.number


def _continues_label(prev: Unit, unit: Unit) -> bool:
    """Bare ``2`` after ``基本方針 1 …``: the label's sequence continued without the label."""
    return (
        prev.style is not None
        and prev.style.startswith("label:")
        and unit.style in ("num", "num_dot")
        and prev.number is not None
        and unit.number == prev.number + 1
    )


def _mark_enumerations(units: list[Unit], lines: list[str], stats: DocStats) -> None:
    """Consecutive items of one sequence with no text between them are a list, not headings."""
    pos = 0
    while pos < len(units):
        run = [pos]
        while True:
            a = units[run[-1]]
            k = run[-1] + 1
            if a.kind != HEADING or k >= len(units) or units[k].kind != HEADING:
                break
            b = units[k]
            if a.fixed or b.fixed:
                break  # headings the document format states are never a list
            gap = b.start - a.end - 1
            if gap > stats.gap:
                break
            if _continues_label(a, b):
                b.style = a.style
            same = b.style == a.style and (
                a.number is None or (b.number is not None and b.number == a.number + 1)
            )
            if not same:
                break
            run.append(k)
        if len(run) >= 2:
            for k in run:
                units[k].kind = LIST_ITEM
        pos = run[-1] + 1


# --- pass 5: unmarked headings ----------------------------------------------------------


def _is_plain_line(unit: Unit | None) -> bool:
    return (
        unit is not None
        and unit.kind == PARAGRAPH
        and len(unit.parts) == 1
        and plain_candidate(unit.parts[0])
    )


def _prose(unit: Unit | None) -> bool:
    """A paragraph of running text: a sentence or a long line."""
    return (
        unit is not None and unit.kind == PARAGRAPH and ("。" in unit.text or len(unit.text) > 40)
    )


def _find_plain_headings(units: list[Unit]) -> None:
    """Short unmarked lines standing alone before prose become headings.

    Two such lines in a row before prose (``実施計画の概要`` / ``実施計画の位置づけ``
    / text) are a heading and its first subheading: the first gets the style
    ``plain_group``, which nests the plain headings after it.  A short line
    between two headings of one style is the value of the first
    (【計画の期間】 / 2024年度~2028年度 / 【基本理念】), not a heading.
    """
    candidates = [_is_plain_line(unit) for unit in units]
    for pos, unit in enumerate(units):
        if not candidates[pos] or pos + 1 >= len(units):
            continue
        prev = units[pos - 1] if pos else None
        nxt = units[pos + 1]
        after = units[pos + 2] if pos + 2 < len(units) else None
        alone = prev is None or not candidates[pos - 1]
        if candidates[pos + 1] and alone and _prose(after) and len(after.text) > len(nxt.text):
            unit.kind = HEADING
            unit.style = "plain_group"
            unit.number = None
            continue
        if candidates[pos + 1] or nxt.kind == META_KIND:
            continue
        if (
            prev is not None
            and prev.kind == HEADING
            and nxt.kind == HEADING
            and prev.style is not None
            and prev.style == nxt.style
            and not prev.style.startswith("plain")
        ):
            continue
        if prev is not None and candidates[pos - 1] and prev.kind != HEADING:
            continue
        if nxt.kind == PARAGRAPH and len(nxt.text) <= len(unit.text):
            continue
        unit.kind = HEADING
        unit.style = "plain"
        unit.number = None


# --- pass 6: chapter sequence -----------------------------------------------------------


def _check_chapters(units: list[Unit]) -> None:
    """Keep 第N章 (部, 編) as a chapter only where N fits the document's chapter sequence.

    A chapter marker is accepted when it is the first of its style and either
    numbered 1 or not preceded by other numbered headings, or when it continues
    the previous chapter (N = previous + 1; a larger jump is accepted unless
    the line reads as a cross-reference, e.g. ends in について).  Any other
    第N章 line is the title of a note about another chapter ("第4章 …中に記載の
    … について" after sections 1–4): it becomes an ordinary heading without a
    number, nested under the heading where it stands.
    """
    last: dict[str, int] = {}
    numbered_before = False
    for unit in units:
        if unit.kind != HEADING or unit.fixed:
            continue
        style = unit.style or ""
        if style not in _CHAPTER_STYLES or unit.number is None:
            numbered_before = numbered_before or unit.number is not None
            continue
        previous = last.get(style)
        if previous is None:
            fits = unit.number == 1 or not numbered_before
        else:
            fits = unit.number == previous + 1 or (
                unit.number > previous + 1 and not _CROSS_REFERENCE.search(unit.text)
            )
        if fits:
            last[style] = unit.number
        else:
            unit.style = f"ref:{style}"
            unit.number = None


# --- pass 7: nesting --------------------------------------------------------------------


@dataclass
class _Open:
    style: str
    number: int | None
    rank: float | None
    fixed: int = 0  # depth the document format stated, for hinted headings


def _rank(unit: Unit) -> float | None:
    return unit.marker.rank if unit.marker is not None and unit.style == unit.marker.style else None


def nest(units: list[Unit]) -> None:
    """Assign ``depth`` (1 = top) to every heading from the document's number sequences.

    A heading whose depth the document format states (a DOCX heading style,
    an HTML ``<h2>``) closes every open heading that is not a stated heading
    of a smaller depth; skipped levels are closed up (h1 then h3 nests one
    level down).  Headings found in the text nest below the last stated one.
    """
    stack: list[_Open] = []
    parent_of: dict[str, str | None] = {}
    for unit in units:
        if unit.kind != HEADING:
            continue
        if unit.fixed:
            keep = 0
            for i, entry in enumerate(stack):
                if entry.fixed and entry.fixed < unit.fixed:
                    keep = i + 1
            del stack[min(keep, MAX_DEPTH - 1) :]
            stack.append(_Open("hint", None, None, unit.fixed))
            unit.depth = len(stack)
            continue
        style = unit.style or "plain"
        floor = max((i + 1 for i, entry in enumerate(stack) if entry.fixed), default=0)
        keep = min(_place(stack, parent_of, style, unit.number, _rank(unit)), MAX_DEPTH - 1)
        del stack[max(keep, min(floor, MAX_DEPTH - 1)) :]
        if style not in parent_of:
            parent_of[style] = stack[-1].style if stack else None
        stack.append(_Open(style, unit.number, _rank(unit)))
        unit.depth = len(stack)


def _place(
    stack: list[_Open],
    parent_of: dict[str, str | None],
    style: str,
    number: int | None,
    rank: float | None,
) -> int:
    """How many open headings stay above a new heading of ``style``/``number``."""
    same = [i for i, entry in enumerate(stack) if entry.style == style]
    if same:
        if number is None:
            return same[-1]
        for i in reversed(same):
            previous = stack[i].number
            if previous is not None and number == previous + 1:
                return i
        if number == 1:
            return len(stack)  # a new sequence nested inside the open item
        for i in reversed(same):
            previous = stack[i].number
            if previous is not None and previous < number:
                return i
        return same[-1]
    if style in parent_of:
        parent = parent_of[style]
        if parent is None:
            return 0
        for i in range(len(stack) - 1, -1, -1):
            if stack[i].style == parent:
                return i + 1
    if rank is not None:
        if rank <= 1.0:
            keep = 0
            for i, entry in enumerate(stack):
                if entry.rank is not None and entry.rank < rank:
                    keep = i + 1
            return keep
        for i, entry in enumerate(stack):
            if entry.rank is not None and entry.rank >= rank:
                return i
    return len(stack)


# --- pass 8: captions and glossaries ----------------------------------------------------


def _next_non_meta(units: list[Unit]) -> list[Unit | None]:
    """For each unit, the next unit after it that is not meta (one backward pass)."""
    following: list[Unit | None] = [None] * len(units)
    nxt: Unit | None = None
    for pos in range(len(units) - 1, -1, -1):
        following[pos] = nxt
        if units[pos].kind != META_KIND:
            nxt = units[pos]
    return following


def _whole_bracket(unit: Unit) -> bool:
    """A heading that is one bracketed phrase and nothing else: 【…】, 〔…〕, ＜…＞."""
    style = unit.style or ""
    return (
        style.startswith("bracket:")
        and len(unit.parts) == 1
        and unit.text.endswith(style[-1])
        and unit.text.find(style[-1]) == len(unit.text) - 1
    )


def _demote_captions(units: list[Unit]) -> bool:
    """Bracketed figure and table captions become paragraphs; return True if any did.

    PDF extraction drops a figure and leaves its caption (【…の形成】,
    【…イメージ図】) followed only by blank lines.  A heading that is one
    bracketed phrase is a caption when it names a figure or table (図, イメージ,
    表) or when no body follows it before the next heading at its own level or
    above.  Captions are kept as ``paragraph`` segments, not ``meta``: their
    words name the figure's topic and stay available to coding and KWIC.
    Numbered headings without a body (``3 計画の体系図``) stay headings.
    """
    changed = False
    following = _next_non_meta(units)
    for pos, unit in enumerate(units):
        if unit.kind != HEADING or unit.fixed or not _whole_bracket(unit):
            continue
        nxt = following[pos]
        bodiless = nxt is None or (nxt.kind == HEADING and nxt.depth <= unit.depth)
        if bodiless or _CAPTION_WORDS.search(unit.text[1:-1]):
            unit.kind = PARAGRAPH
            unit.style = None
            unit.number = None
            changed = True
    return changed


def _term_row(unit: Unit) -> bool:
    """A table row of exactly two filled cells whose first cell is a short term."""
    cells = [cell.strip() for cell in unit.text.split("\t") if cell.strip()]
    return (
        len(cells) == 2
        and len(cells[0]) <= _GLOSSARY_TERM_CHARS
        and not any(ch in cells[0] for ch in "。、")
    )


def _mark_glossaries(units: list[Unit]) -> None:
    """Term/definition tables under a glossary heading become ``meta``.

    A run of at least three two-cell rows (a short term, then its explanation)
    under a heading that names a glossary or an explanatory note (用語, 語句,
    解説, 注釈, 凡例, at any level above) is reference material, not policy
    text: as ``meta`` it is left out of theme coding, like a colophon.
    """
    path: list[str] = []
    run: list[Unit] = []
    for unit in [*units, None]:
        if (
            unit is not None
            and unit.kind == TABLE_ROW
            and _term_row(unit)
            and any(_GLOSSARY_HEADING.search(text) for text in path)
        ):
            run.append(unit)
            continue
        if len(run) >= _GLOSSARY_MIN_ROWS:
            for row in run:
                row.kind = META_KIND
        run = []
        if unit is not None and unit.kind == HEADING:
            del path[max(unit.depth - 1, 0) :]
            path.append(unit.text)
