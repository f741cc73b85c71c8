"""Line-level evidence for the structure parser: markers, bullets, meta lines.

Each source line is looked at once, on its own, and described by a
:class:`LineInfo`.  Nothing here decides whether a line *is* a heading: that
needs its neighbours and the document's number sequences (see
:mod:`compare.structure._hierarchy`).  Everything here is linear in the length of
the line; lines longer than :data:`HEAD_CHARS` are only inspected at their
start and end, so a one-megabyte line costs no more than reading it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

#: Only this many leading characters are parsed for markers.
HEAD_CHARS = 200

# Line kinds before context is considered.
BLANK = "blank"
TABLE = "table"
META = "meta"
MARKED = "marked"
BULLET = "bullet"
TEXT = "text"

#: Characters that end a sentence.
SENTENCE_END = "。．！？!?"

#: Conventional rank of ordinal marker styles (lower = closer to the top).  Used
#: only when a style appears for the first time; afterwards the document's own
#: evidence (number sequences, the parent a style had before) decides.
RANKS: dict[str, float] = {
    "dai:編": 0.0,
    "dai:部": 0.0,
    "dai:章": 1.0,
    "dai:": 1.5,
    "dai:節": 2.0,
    "dai:項": 2.5,
    "dai:款": 2.7,
    "num": 3.0,
    "num_dot": 3.0,
    "num_comma": 3.0,
    "num2": 3.5,
    "num3": 3.7,
    "paren": 4.0,
    "num_paren": 4.2,
    "circled": 5.0,
    "kata": 6.0,
    "paren_kata": 7.0,
    "alpha_lower": 8.0,
    "paren_alpha_lower": 8.5,
}

KATAKANA_ORDER = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
)
_KANJI_DIGITS = {ch: i for i, ch in enumerate("〇一二三四五六七八九")}
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}

# Marker characters that introduce a heading (floating: no number sequence).
FLOAT_MARKS = "◆◇●■◎★☆▼▶◉♦▲►"
# Marker characters that may introduce a heading but usually mark list items.
WEAK_FLOAT_MARKS = "○◯〇□"
# Bullets of list items.
BULLET_MARKS = "・•‧∙·-‐－–*＊※>＞➢➤→✓✔◦▪▫"
_BRACKETS = {
    "【": "】",
    "《": "》",
    "≪": "≫",
    "〈": "〉",
    "＜": "＞",
    "<": ">",
    "〔": "〕",
    "［": "］",
    "[": "]",
    "〖": "〗",
}
# Enclosures that make a line a quotation or a subtitle, not a heading.
QUOTE_PAIRS = {
    "「": "」",
    "『": "』",
    "（": "）",
    "(": ")",
    "～": "～",
    "~": "~",
    "〜": "〜",
    "—": "—",
    "―": "―",
    "“": "”",
    '"': '"',
}

_CIRCLED = (
    {chr(0x2460 + i): i + 1 for i in range(20)}
    | {chr(0x3251 + i): i + 21 for i in range(15)}
    | {chr(0x32B1 + i): i + 36 for i in range(15)}
    | {chr(0x2776 + i): i + 1 for i in range(10)}
    | {chr(0x2780 + i): i + 1 for i in range(10)}
    | {chr(0x278A + i): i + 1 for i in range(10)}
)

#: Nouns that, followed by a number, label a structural unit (基本目標1, 施策の方向2 …).
LABEL_NOUNS = (
    "目標|方針|理念|施策|計画|取組|取り組み|方向性|方向|視点|柱|分野|課題|事業|項目|テーマ|戦略"
    "|プロジェクト|プラン|政策|ビジョン|重点|目的|ステップ|アクション|プログラム|領域|取組み"
)

_SEP = r"(?:[ \t\u3000]+|[.．:：、]\s*|$|(?=[^\x00-\x7f]))"
_RE_DAI = re.compile(
    r"^第\s*([0-9]{1,3}|[〇一二三四五六七八九十]{1,4})\s*(?:(章|節|部|編|項|款)\s*|[ \u3000]+|[.．:：]\s*)"
)
_RE_NUM2 = re.compile(
    r"^([0-9]{1,2})[-.－‐ー]([0-9]{1,2})(?:[-.－‐ー]([0-9]{1,2}))?(?:[ .．\u3000]+|(?=[^\x00-\x7f]))"
)
_RE_PAREN = re.compile(r"^[(（]\s*([0-9]{1,3}|[ア-ン]|[a-zA-Z]|[ivxIVX]{1,4})\s*[)）]\s*")
_RE_NUM_PAREN = re.compile(r"^([0-9]{1,2})[)）]\s*")
_RE_NUM = re.compile(r"^([0-9]{1,3})(\.(?![0-9])|．|、|[ \u3000]+)\s*")
# A number glued to a word: 1計画の… but not 3つの…, 2025年…, 10月…, 1人…
_RE_NUM_GLUED = re.compile(
    r"^([0-9]{1,2})(?=[^\x00-\x7f])(?![つ年月日人件回歳割万千百億円倍位点期次号条項番か箇ヶケ名世時分秒度週％〜～・ー々])"
)
_RE_KATA = re.compile(r"^([ア-ン])(?:[ \u3000]+|[.．、)）]\s*)")
_RE_ROMAN = re.compile(
    r"^(I{1,3}|IV|VI{0,3}|IX|XI{0,2}|X)(?:[ \u3000]+|[.．、)）]\s*|$|(?=[^\x00-\x7f]))"
)
_RE_ROMAN_LOWER = re.compile(r"^(i{1,3}|iv|vi{0,3}|ix|x)(?:[.．)）]\s*)")
_RE_ALPHA = re.compile(r"^([A-Z])(?:[ \u3000]+|[.．、)）]\s*)")
_RE_ALPHA_LOWER = re.compile(r"^([a-z])(?:[.．)）]\s*)")
_RE_LABEL = re.compile(
    r"^([\u3040-\u30ff\u4e00-\u9fff・]{0,10}?(?:" + LABEL_NOUNS + r"))\s*"
    r"(?:([0-9]{1,2})|(I{1,3}|IV|VI{0,3}|IX|XI{0,2}|X)|[(（]([0-9]{1,2})[)）])" + _SEP
)
_RE_PAREN_LABEL = re.compile(r"^[(（]([^()（）]{2,16})[)）]\s*")
_RE_LABEL_HINT = re.compile(r"[0-9IVX(（]")
_RE_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_RE_WS = re.compile(r"\s+")

# --- meta (colophon, contact, cover) -------------------------------------------------------
_RE_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+[@＠][A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_RE_URL = re.compile(r"https?://|www\.[A-Za-z0-9-]+\.")
_RE_PHONE = re.compile(r"(?<![0-9])0[0-9]{1,4}[-‐−－(（)）][0-9]{1,4}[-‐−－)）][0-9]{3,4}(?![0-9])")
_RE_META_PREFIX = re.compile(
    r"^[◎○●■◆□・※\s]*(?:〒|電話|TEL|Tel|tel|ＴＥＬ|FAX|Fax|ＦＡＸ|ファクス|ファックス|E-?mail|e-?mail|Ｅメール|"
    r"Eメール|メール|ホームページ|URL|ＵＲＬ|発行|編集|発\s*行|編\s*集|所在地|住所|問い?合わせ|お問い?合わせ|"
    r"更新日|掲載日|公開日|ページ番号|ページID)"
)
#: A link to a file: its type or size in brackets at the end, or a file name.
_RE_FILE_LINK = re.compile(
    r"[\[(（［<＜]\s*(?:PDF|pdf|Word|Excel|ワード|エクセル|ファイル)?[^\])）］>＞]{0,16}?"
    r"[0-9][0-9.,]*\s*(?:[KMGkmg]i?B|キロバイト|メガバイト)\s*[\])）］>＞]\s*$"
    r"|\.(?:pdf|PDF|docx?|xlsx?|jpe?g|png)\s*(?:[\[(（].{0,20}[\])）])?\s*$"
)
#: Characters after a contact word that make the line prose, not a contact line.
_PROSE_AFTER_PREFIX = set("、。をにのではがやともへ")
_RE_DATE_LINE = re.compile(
    r"^(?:(?:令和|平成|昭和)\s*(?:[0-9]{1,2}|元)|[12][0-9]{3})\s*年\s*(?:度)?\s*(?:[0-9]{1,2}\s*月)?"
    r"\s*(?:[0-9]{1,2}\s*日)?\s*(?:発行|策定|改定|作成|現在)?$"
)
_RE_PAGE = re.compile(
    r"^[-‐－—–(（]?\s*[0-9]{1,4}\s*[-‐－—–)）]?$|^[0-9]{1,4}\s*/\s*[0-9]{1,4}$|^[pP]\.\s*[0-9]{1,4}$"
)
_RE_TOC_LEADER = re.compile(
    r"(?:[.．…‥・･·―─]{3,}|[.．…‥]{2,})\s*(?:[pP]\.?\s*)?[0-9]{1,3}\s*(?:ページ|頁)?\s*$"
)
_LEADER_PAIRS = ("..", "．．", "…", "‥", "・・", "･･", "··", "――", "──")
_RE_TOC_TRAIL = re.compile(r"[^\s0-9]\s+[0-9]{1,3}$")
_RE_TOC_TITLE = re.compile(r"^目\s*次$|^もくじ$|^CONTENTS$|^Contents$")
_RE_SOURCE_NOTE = re.compile(r"^(?:資料|出典|出所|注|備考)\s*[:：]")


@dataclass(frozen=True)
class Marker:
    """A heading marker at the start of a line.

    Attributes
    ----------
    style : str
        Style key: marks of the same style and numbering belong to one sequence
        (``num``, ``num_dot``, ``paren``, ``dai:章``, ``label:基本目標``,
        ``float:◆``, ``bracket:【】`` …).
    number : int or None
        Position in its sequence (1 for 1, Ⅰ, A, ア, ①); None for floating marks.
    rest : str
        The text after the marker (stripped).
    weak : bool
        True for marks that usually introduce list items (○, □).
    glued : bool
        True for a number glued to the word after it (``1計画の…``), which may
        also be a table value run into the text.
    """

    style: str
    number: int | None
    rest: str
    weak: bool = False
    glued: bool = False

    @property
    def rank(self) -> float | None:
        """Conventional rank of the style, or None if it has none."""
        return RANKS.get(self.style)

    @property
    def floating(self) -> bool:
        """True when the style has no number sequence."""
        return self.number is None


@dataclass(frozen=True)
class LineInfo:
    """What one source line looks like on its own."""

    kind: str
    stripped: str
    marker: Marker | None = None
    width: int = 0


def nfkc(text: str) -> str:
    """NFKC-normalise (full-width digits and letters to ASCII, Ⅱ to II …)."""
    return unicodedata.normalize("NFKC", text)


def display_width(text: str, limit: int = 400) -> int:
    """Display width of the first ``limit`` characters: CJK characters count 2, ASCII 1.

    Computed from the UTF-8 length (3 bytes for CJK, 1 for ASCII), which is
    exact for the characters of Japanese plan texts and fast.
    """
    head = text[:limit]
    return len(head) + (len(head.encode("utf-8", "surrogatepass")) - len(head)) // 2


def strip_html(text: str) -> str:
    """Remove HTML tags (keeping their words) and decode entities."""
    if "<" in text:
        text = _RE_HTML_TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def _glyph_table() -> dict[int, str]:
    """Kangxi radicals, CJK radical supplements and compatibility ideographs → usual characters.

    Some PDFs' text layers emit these look-alike code points (⽀ U+2F40 for 支,
    ⼦ for 子, ⾏ for 行, 﨑 stays: it is a character of its own in names).
    NFKC gives the usual character for each; only those ranges are mapped,
    so full-width forms and other characters are left as the source has them.
    """
    table: dict[int, str] = {}
    ranges = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
    for low, high in ranges:
        for code in range(low, high + 1):
            usual = unicodedata.normalize("NFKC", chr(code))
            if usual != chr(code) and len(usual) == 1:
                table[code] = usual
    return table


_GLYPHS = _glyph_table()
_RE_GLYPHS = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")


def usual_glyphs(text: str) -> str:
    """The text with radicals and compatibility ideographs as their usual characters."""
    return text.translate(_GLYPHS) if _RE_GLYPHS.search(text) else text


def clean(text: str) -> str:
    """Cleaned form of a piece of source text: no HTML, whitespace runs collapsed.

    Look-alike glyphs some PDFs emit (Kangxi radicals ⽀⼦⾏, compatibility
    ideographs) become their usual characters, so that analysis finds the
    words; the segment's ``raw`` keeps the source as it is.
    """
    return usual_glyphs(_RE_WS.sub(" ", strip_html(text)).strip())


def roman_value(text: str) -> int:
    """Value of an upper-case roman numeral such as ``XII``."""
    total = 0
    previous = 0
    for ch in reversed(text.upper()):
        value = _ROMAN.get(ch, 0)
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total


def _kanji_number(text: str) -> int:
    if text.isdigit() and text.isascii():
        return int(text)
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_KANJI_DIGITS.get(tens, 1) if tens else 1) * 10 + (
            _KANJI_DIGITS.get(ones, 0) if ones else 0
        )
    value = 0
    for ch in text:
        value = value * 10 + _KANJI_DIGITS.get(ch, 0)
    return value


def parse_marker(stripped: str) -> Marker | None:
    """Return the heading marker that starts ``stripped``, if any."""
    if not stripped:
        return None
    first = stripped[0]
    if first in _CIRCLED:
        return Marker("circled", _CIRCLED[first], stripped[1:].strip())
    if first in FLOAT_MARKS:
        rest = stripped.strip(FLOAT_MARKS + " \u3000\t")
        return Marker(f"float:{first}", None, rest) if rest else None
    if first in WEAK_FLOAT_MARKS:
        rest = stripped[1:].strip()
        return Marker(f"float:{first}", None, rest, weak=True) if rest else None
    close = _BRACKETS.get(first)
    if close is not None:
        end = stripped.find(close, 1)
        if 1 < end <= 40:
            return Marker(f"bracket:{first}{close}", None, stripped)
        return None
    text = nfkc(stripped[:HEAD_CHARS])
    return _parse_ordinal(text)


def _parse_ordinal(text: str) -> Marker | None:
    first = text[0]
    if first == "第":
        match = _RE_DAI.match(text)
        if match:
            style = f"dai:{match.group(2) or ''}"
            return Marker(style, _kanji_number(match.group(1)), text[match.end() :].strip())
        return _parse_label(text)
    if "0" <= first <= "9":
        return _parse_number(text)
    if first in "(（":
        match = _RE_PAREN.match(text)
        if match:
            return _paren_marker(match.group(1), text[match.end() :].strip())
        return _parse_paren_label(text)
    if first.isascii():
        return _parse_letter(text) if first.isalpha() else None
    if first in KATAKANA_ORDER:
        match = _RE_KATA.match(text)
        if match:
            return Marker(
                "kata", KATAKANA_ORDER.index(match.group(1)) + 1, text[match.end() :].strip()
            )
    return _parse_label(text)


def _parse_label(text: str) -> Marker | None:
    if not _RE_LABEL_HINT.search(text, 0, 20):
        return None
    match = _RE_LABEL.match(text)
    if not match:
        return None
    number = match.group(2) or match.group(4)
    value = int(number) if number else roman_value(match.group(3))
    return Marker(f"label:{match.group(1)}", value, text[match.end() :].strip())


def _parse_paren_label(text: str) -> Marker | None:
    """A label in parentheses on its own: ``(基本目標1)``, ``（施策の方向 2）``.

    It is the label of a unit whose name follows (on the same line or the
    next), a member of the same sequence as ``基本目標2`` without parentheses.
    """
    match = _RE_PAREN_LABEL.match(text)
    if not match:
        return None
    inner = _parse_label(match.group(1).strip() + " ")
    if inner is None or inner.rest:
        return None
    return Marker(inner.style, inner.number, text[match.end() :].strip())


def _parse_number(text: str) -> Marker | None:
    match = _RE_NUM2.match(text)
    if match:
        depth = 3 if match.group(3) else 2
        last = match.group(3) or match.group(2)
        return Marker(f"num{depth}", int(last), text[match.end() :].strip())
    match = _RE_NUM_PAREN.match(text)
    if match:
        return Marker("num_paren", int(match.group(1)), text[match.end() :].strip())
    match = _RE_NUM.match(text)
    if match:
        sep = match.group(2).strip()
        style = {"": "num", ".": "num_dot", "．": "num_dot", "、": "num_comma"}[sep]
        return Marker(style, int(match.group(1)), text[match.end() :].strip())
    match = _RE_NUM_GLUED.match(text)
    if match:
        return Marker("num", int(match.group(1)), text[match.end() :].strip(), glued=True)
    return None


def _parse_letter(text: str) -> Marker | None:
    match = _RE_ROMAN.match(text)
    if match:
        return Marker("roman", roman_value(match.group(1)), text[match.end() :].strip())
    match = _RE_ALPHA.match(text)
    if match:
        return Marker("alpha", ord(match.group(1)) - 64, text[match.end() :].strip())
    match = _RE_ROMAN_LOWER.match(text)
    if match:
        return Marker("roman_lower", roman_value(match.group(1)), text[match.end() :].strip())
    match = _RE_ALPHA_LOWER.match(text)
    if match:
        return Marker("alpha_lower", ord(match.group(1)) - 96, text[match.end() :].strip())
    return None


def _paren_marker(token: str, rest: str) -> Marker | None:
    if token.isdigit():
        return Marker("paren", int(token), rest)
    if token in KATAKANA_ORDER:
        return Marker("paren_kata", KATAKANA_ORDER.index(token) + 1, rest)
    if len(token) == 1 and token.islower() and token not in "ivx":
        return Marker("paren_alpha_lower", ord(token) - 96, rest)
    if len(token) == 1 and token.isupper() and token not in "IVX":
        return Marker("paren_alpha", ord(token) - 64, rest)
    if set(token.upper()) <= set("IVX"):
        style = "paren_roman" if token.isupper() else "paren_roman_lower"
        return Marker(style, roman_value(token), rest)
    return None


def is_bullet(stripped: str) -> bool:
    """True for a list-item bullet (・, -, *, ※ …), not a dash-enclosed subtitle."""
    first = stripped[0]
    if first not in BULLET_MARKS:
        return False
    if first in "-‐－–" and len(stripped) > 1 and stripped[-1] == first and stripped[1] != first:
        return False  # - subtitle -
    return len(stripped) > 1 or first == "・"


def is_meta_line(stripped: str) -> bool:
    """Contact, colophon or page-number line: address, phone, e-mail, URL, date."""
    if len(stripped) > 120:
        return False
    if _RE_FILE_LINK.search(stripped[-40:]):
        return True  # a download link of a web page: 第1章 … [PDFファイル/1.59MB]
    prefix = _RE_META_PREFIX.match(stripped)
    if prefix and stripped[prefix.end() : prefix.end() + 1] not in _PROSE_AFTER_PREFIX:
        return True  # (ホームページ、… or 発行を… is a sentence that names the thing)
    if ("@" in stripped or "＠" in stripped) and _RE_EMAIL.search(stripped):
        return True
    if ("http" in stripped or "www." in stripped) and _RE_URL.search(stripped):
        return True
    if len(stripped) < 60 and "0" in stripped and _RE_PHONE.search(stripped):
        return True
    if len(stripped) > 40:
        return False
    text = nfkc(stripped)
    if "年" in text and _RE_DATE_LINE.match(text):
        return True
    return bool(_RE_PAGE.match(text) or _RE_SOURCE_NOTE.match(text))


def is_date_line(stripped: str) -> bool:
    """A line that is only a date such as 令和6年3月 or 2024年3月."""
    return len(stripped) <= 30 and bool(_RE_DATE_LINE.match(nfkc(stripped)))


def is_toc_entry(stripped: str) -> bool:
    """Table-of-contents entry: text followed by leader dots and a page number."""
    tail = stripped[-60:]
    if len(stripped) <= 4 or not (tail[-1].isdigit() or tail[-1] in "ジ頁"):
        return False
    if not any(leader in tail for leader in _LEADER_PAIRS):
        return False
    return bool(_RE_TOC_LEADER.search(nfkc(tail)))


def looks_like_toc_trail(stripped: str) -> bool:
    """Text followed by white space and a page number (a TOC entry when in a run)."""
    if len(stripped) > 80 or not stripped[-1].isdigit():
        return False
    text = nfkc(stripped)
    return bool(_RE_TOC_TRAIL.search(text)) and not _RE_LABEL.match(
        text[: text.rfind(" ")].strip() + " "
    )


def is_toc_title(stripped: str) -> bool:
    """The 目次 line that opens a table of contents."""
    if len(stripped) > 12:
        return False
    return bool(_RE_TOC_TITLE.match(stripped.replace("\u3000", "").replace(" ", "")))


def classify_line(line: str) -> LineInfo:
    """Describe one source line without looking at its neighbours."""
    stripped = usual_glyphs(line.strip())
    if not stripped:
        return LineInfo(BLANK, "")
    if "\t" in line.lstrip() or line.count("\t") >= 2:
        return LineInfo(TABLE, stripped)
    if is_meta_line(stripped) or is_toc_entry(stripped) or is_toc_title(stripped):
        return LineInfo(META, stripped)
    if is_bullet(stripped):
        return LineInfo(BULLET, stripped, width=display_width(stripped))
    marker = parse_marker(stripped)
    if marker is not None:
        return LineInfo(MARKED, stripped, marker, display_width(stripped))
    return LineInfo(TEXT, stripped, width=display_width(stripped))
