"""The analysis engine behind :class:`compare.Tokenizer` (private).

This module is deliberately light (no pandas) so that worker processes start
fast.  An :class:`Engine` is built from *resolved* settings (lists and sets,
no file names) and owns one MeCab tagger.

Speed comes from three choices:

* MeCab writes one line per token, ``surface<TAB>feature`` (``%m\\t%H``), for a
  whole text in one call; Python never touches fugashi node objects.
* Every distinct output line (a surface with its dictionary features) is
  analysed once and remembered, so the common case per token is one
  dictionary look-up, and a text is parsed once whether or not its entries
  were seen before.
* Compounds are matched with a set of term prefixes: a token that cannot
  start a term costs one set look-up.
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import is_not, itemgetter
from pathlib import Path
from typing import Any, NamedTuple

#: POS given to a token made by merging a compound term.
COMPOUND_POS = "名詞,普通名詞,一般,*"

#: MeCab output per token: the surface and the dictionary features.  Everything
#: the engine derives from a token depends on these two only, so the whole line
#: is the key of its cached analysis.
_KEY = "%m\\t%H"

#: Distinct output lines remembered per engine (bounded memory).
_MAX_LINES = 300_000

_SURFACE = itemgetter(0)
_FLAG = itemgetter(6)
_COUNTED = itemgetter(8)

#: POS never counted as content, even with ``pos=None``.
_SYMBOLS = ("補助記号", "空白")

#: POS given to a noun merged with an adjectival suffix (積極 + 的).
_ADJ_POS = "形状詞,一般,*,*"

#: Tokens that take a word-forming suffix (高齢 + 者, 多様 + 性).
_SUFFIX_HOSTS = ("名詞,普通名詞", "名詞,固有名詞", "形状詞,一般")

#: Longest piece of text given to MeCab in one call; longer texts are cut at
#: sentence ends (or, failing that, at spaces) so a 1 MB line stays cheap.
MAX_CHUNK = 4096

#: Runs of one script longer than this are cut (see :func:`_chunks`).
LONG_RUN = 128
_LONG_RUN = re.compile(
    r"[\u30a1-\u30ffー]{129,}|[\u3041-\u309fー]{129,}|[A-Za-z0-9]{129,}"
    r"|[\u4e00-\u9fff\u3400-\u4dbf々]{129,}|([^\s])\1{128,}"
)

#: UniDic feature fields used (unidic-lite / UniDic 2.x MeCab layout).
_F_LEMMA = 7
_F_ORTH_BASE = 10

#: Characters MeCab must not see: C0/C1 controls except tab and newline (NUL
#: would end the C string), and lone surrogates (not encodable as UTF-8).
#: Each is replaced by one space so character offsets are kept.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

#: A UniDic lemma gloss such as "プラットホーム-platform".
_GLOSS = re.compile(r"^(.+?)-[A-Za-z][\x20-\x7e]*$")

#: Sentence-final punctuation (after NFKC).
_SENTENCE_END_SURFACES = frozenset({"。", "!", "?", "．"})

#: Where a long text may be cut: after sentence-final punctuation or a newline.
_CUT = re.compile(r"[。!?．\n]+")


class Token(NamedTuple):
    """One token of a text.

    ``start``/``end`` are character offsets in the text given to the
    tokenizer (before NFKC), so ``text[start:end] == surface``.
    """

    sent_id: int
    surface: str
    lemma: str
    word: str
    pos: str
    pos1: str
    is_content: bool
    is_compound: bool
    start: int
    end: int


@dataclass(frozen=True)
class Settings:
    """Resolved tokenizer settings (all plain data, picklable)."""

    dicdir: str
    pos: tuple[str, ...] | None
    stopwords: frozenset[str]
    compounds: bool
    terms: dict[str, str]  # written form (NFKC) -> analysed form
    variants: dict[str, str]  # written form (NFKC) -> analysed form
    suffixes: frozenset[str]  # suffix surfaces attached to the preceding noun


def prepare(
    text: str, with_map: bool = False
) -> tuple[str, list[int] | None, list[int] | None, bool]:
    """Normalise ``text`` for MeCab and, if asked, map offsets back to ``text``.

    Characters MeCab cannot take become spaces, then NFKC is applied.  NFKC can
    change lengths (ｶﾞ -> ガ, ㈱ -> (株)), so when the text is not already
    normalised each source character (with the combining marks that follow
    it) is normalised on its own; ``starts[k]``/``ends[k]`` give the source
    span of normalised character ``k``.  Returns ``(norm, starts, ends,
    exact)``; the maps are None when offsets are unchanged or ``with_map`` is
    false; ``exact`` is true when every character maps to one character.
    """
    safe = _UNSAFE.sub(" ", text)
    if unicodedata.is_normalized("NFKC", safe):
        return safe, None, None, True
    table = _single_char_table(safe)
    if table is not None:  # every character normalises on its own to one character
        return safe.translate(table), None, None, True
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    cache = _PIECES
    exact = True
    n = len(safe)
    i = 0
    while i < n:
        j = i + 1
        while j < n and (unicodedata.combining(safe[j]) or safe[j] in "\uff9e\uff9f"):
            j += 1
        chunk = safe[i:j]
        piece = cache.get(chunk)
        if piece is None:
            piece = unicodedata.normalize("NFKC", chunk)
            if len(cache) < 100_000:
                cache[chunk] = piece
        pieces.append(piece)
        exact = exact and j == i + 1 and len(piece) == 1
        if with_map:
            k = len(piece)
            starts.extend([i] * k)
            ends.extend([j] * k)
        i = j
    norm = "".join(pieces)
    if exact or not with_map:
        return norm, None, None, exact
    return norm, starts, ends, exact


_PIECES: dict[str, str] = {}

#: Characters whose NFKC form is one character and that do not combine with
#: the character before them; the translation table of those that change; and
#: the characters that normalise to several characters (or none) or combine.
_ONE: set[str] = set()
_ONE_TABLE: dict[int, str] = {}
_NOT_ONE: set[str] = set()


def _single_char_table(text: str) -> dict[int, str] | None:
    """A ``str.translate`` table normalising ``text`` character by character, if exact.

    None when some character normalises to several characters (or none) or
    combines with its neighbour: then offsets need the full map of
    :func:`prepare`.  Otherwise translating gives exactly what the
    character-by-character loop of :func:`prepare` gives, far faster.  The
    table is shared and grows with the characters seen (entries for
    characters not in ``text`` do not affect its translation), so the common
    case is two set operations in C.
    """
    chars = set(text)
    if chars <= _ONE:
        return _ONE_TABLE
    if not _NOT_ONE.isdisjoint(chars):
        return None
    if len(_ONE) + len(_NOT_ONE) >= 200_000:  # bounded memory on adversarial text
        _ONE.clear()
        _ONE_TABLE.clear()
        _NOT_ONE.clear()
    for char in chars - _ONE:
        if unicodedata.combining(char) or char in "\uff9e\uff9f":
            piece = None
        else:
            piece = unicodedata.normalize("NFKC", char)
            piece = piece if len(piece) == 1 else None
        if piece is None:
            _NOT_ONE.add(char)
            return None
        _ONE.add(char)
        if piece != char:
            _ONE_TABLE[ord(char)] = piece
    return _ONE_TABLE


def clean_lemma(lemma: str) -> str:
    """Strip a UniDic gloss (``"プラットホーム-platform"`` -> ``"プラットホーム"``)."""
    match = _GLOSS.match(lemma)
    return match.group(1) if match else lemma


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or char in "々〆"


def analysed_form(surface: str, pos2: str, lemma: str, orth_base: str) -> str:
    """The counting form of a token before variant unification.

    The UniDic lemma unifies inflection and many spellings (暮らせる -> 暮らす,
    取組 -> 取り組み), but it also writes words in kanji the author did not use
    (つながり -> 繋がり, まちづくり -> 町作り) and gives proper nouns as
    readings (所沢 -> トコロザワ).  So: the lemma, unless it is missing, the
    token is a proper noun, or the lemma brings in a kanji that the written
    base form lacks; then the written base form (or the surface).
    """
    lemma = clean_lemma(lemma) if lemma else ""
    base = orth_base or surface
    if not lemma or pos2 == "固有名詞":
        return base
    if lemma != base:
        written = set(base)
        if any(_is_kanji(c) and c not in written for c in lemma):
            return base
    return lemma


def _split_feature(feature: str) -> list[str]:
    if '"' in feature:
        return next(csv.reader([feature]))
    return feature.split(",")


def _meaningful(word: str) -> bool:
    """False for words that are only digits/punctuation or one ASCII character."""
    if len(word) == 1 and word.isascii():
        return False
    return any(c.isalpha() for c in word)


def dictionary_arguments(dicdir: str) -> str:
    """MeCab's arguments for the dictionary in ``dicdir``: its own ``mecabrc`` when it
    has one (else none, so no system-wide file is read), and the folder itself."""
    rc = Path(dicdir) / "mecabrc"
    return f"-r {shlex.quote(str(rc) if rc.exists() else os.devnull)} -d {shlex.quote(dicdir)}"


_TAGGERS = threading.local()


def shared_tagger(arguments: str, dicdir: str) -> Any:
    """The MeCab tagger for ``arguments``, one per argument string and thread.

    Every tagger maps its dictionary into memory again, and a report builds
    many tokenizers with the same settings (one per goal comparison): sharing
    the tagger keeps the dictionary mapped once.  A dictionary file changed
    on disk gets a new tagger; taggers are not shared between threads, so
    threaded workers stay safe.
    """
    import fugashi

    try:
        stat = (Path(dicdir) / "sys.dic").stat()
        key = (arguments, stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (arguments, 0, 0)
    taggers = _TAGGERS.__dict__.setdefault("by_arguments", {})
    tagger = taggers.get(key)
    if tagger is None:
        tagger = taggers[key] = fugashi.GenericTagger(arguments)
    return tagger


class Engine:
    """One MeCab tagger plus the settings that turn its output into tokens."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        dicdir = settings.dicdir
        arguments = (
            f"{dictionary_arguments(dicdir)} -O '' '-F{_KEY}\\n' '-U{_KEY}\\n' '--eos-format='"
        )
        self.tagger = shared_tagger(arguments, dicdir)
        self.dictionary_info = [
            {k: (Path(v).name if k == "filename" else v) for k, v in d.items()}
            for d in self.tagger.dictionary_info
        ]
        self._lines: dict[str, tuple[str, str, str, str, bool, bool]] = {}
        self._pos_ok: dict[str, bool] = {}
        self._merged: dict[tuple[str, str], bool] = {}
        terms = settings.terms if settings.compounds else {}
        self._terms = terms
        self._prefixes = frozenset(t[:i] for t in terms for i in range(1, len(t) + 1))

    # -- per-line analysis ------------------------------------------------------------------

    def _content_pos(self, pos: str) -> bool:
        ok = self._pos_ok.get(pos)
        if ok is None:
            kept = self.settings.pos
            ok = pos.startswith(kept) if kept is not None else not pos.startswith(_SYMBOLS)
            self._pos_ok[pos] = ok
        return ok

    def _analyse(self, surface: str, feature: str) -> tuple:
        """Analysis of one dictionary entry (cached per distinct output key).

        Returns ``(surface, lemma, word, pos, is_content, ends_sentence, flag,
        pos1, counted)`` where ``counted`` is the word if it is content (else
        None) and ``flag`` has bit 1 set if the surface may start a curated
        term and bit 2 if it is a word-forming suffix.
        """
        fields = _split_feature(feature)
        fields += ["*"] * (4 - len(fields))
        pos = ",".join(f or "*" for f in fields[:4])
        lemma = fields[_F_LEMMA] if len(fields) > _F_ORTH_BASE else ""
        orth_base = fields[_F_ORTH_BASE] if len(fields) > _F_ORTH_BASE else ""
        if lemma == "*":
            lemma = ""
        if orth_base == "*":
            orth_base = ""
        word = analysed_form(surface, fields[1], lemma, orth_base)
        word = self.settings.variants.get(word, word)
        lemma = clean_lemma(lemma) if lemma else surface
        content = (
            self._content_pos(pos) and word not in self.settings.stopwords and _meaningful(word)
        )
        ends = surface in _SENTENCE_END_SURFACES or pos.startswith("補助記号,句点")
        flag = (1 if surface in self._prefixes else 0) | (
            2 if surface in self.settings.suffixes and pos.startswith("接尾辞") else 0
        )
        counted = word if content else None
        return surface, lemma, word, pos, content, ends, flag, pos.split(",", 1)[0], counted

    def _parse(self, text: str) -> list[tuple]:
        """Analysed tokens of an already normalised text.

        One MeCab call per chunk prints ``surface<TAB>feature`` per token;
        lines not seen before are analysed (:meth:`_analyse`) and remembered.
        """
        cache = self._lines
        if len(cache) > _MAX_LINES:
            cache.clear()
            self._merged.clear()
        get = cache.get
        parse = self.tagger.parse
        out: list[tuple] = []
        for chunk in _chunks(text):
            result = parse(chunk)
            if not result:
                continue
            keys = result.split("\n")
            infos = list(map(get, keys))
            if None in infos:
                self._fill(keys)
                infos = list(map(get, keys))
            out += infos
        return out

    def _fill(self, keys: list[str]) -> None:
        """Analyse the output lines ``keys`` that are not cached yet."""
        cache = self._lines
        for key in keys:
            if key not in cache:
                surface, feature = key.split("\t", 1)
                cache[key] = self._analyse(surface, feature)

    def _match(self, surfaces: Sequence[str], i: int) -> tuple[int, str] | None:
        """Longest term starting at token ``i``: (index of its last token, analysed form)."""
        acc = surfaces[i]
        prefixes = self._prefixes
        terms = self._terms
        best = None
        j = i
        n = len(surfaces)
        while True:
            word = terms.get(acc)
            if word is not None:
                best = (j, word)
            j += 1
            if j >= n:
                break
            acc += surfaces[j]
            if acc not in prefixes:
                break
        return best

    def _starts(self, infos: Sequence[tuple]) -> list[int]:
        """Indices where a merge may start, ascending (duplicates possible).

        A token whose surface may begin a curated term starts there; a suffix
        makes the token before it a start.
        """
        flagged = list(compress(range(len(infos)), map(_FLAG, infos)))
        starts = []
        for k in flagged:
            flag = infos[k][6]
            if flag & 2 and k:
                starts.append(k - 1)
            if flag & 1:
                starts.append(k)
        return starts

    def _group(self, infos: Sequence[tuple], surfaces: Sequence[str], i: int) -> tuple:
        """The output token starting at ``i``: ``(last, word, pos, is_content)``.

        Curated terms match longest first (overlapping terms merge into one
        token); a noun or a matched term then takes the word-forming suffixes
        that follow it.
        """
        info = infos[i]
        hit = self._match(surfaces, i) if info[6] & 1 else None
        if hit is not None:
            j, word = hit
            # A term starting inside this one that reaches further (地域福祉 +
            # 福祉課題): merge both, so every curated term stays whole.
            k = i + 1
            while k <= j:
                if infos[k][6] & 1:
                    longer = self._match(surfaces, k)
                    if longer is not None and longer[0] > j:
                        word += "".join(infos[m][2] for m in range(j + 1, longer[0] + 1))
                        j = longer[0]
                k += 1
            pos = COMPOUND_POS if j > i else info[3]
        else:
            j, word, pos = i, info[2], info[3]
        n = len(infos)
        merged = hit is not None
        if j + 1 < n and infos[j + 1][6] & 2 and (merged or pos.startswith(_SUFFIX_HOSTS)):
            while j + 1 < n and infos[j + 1][6] & 2:
                j += 1
                word += infos[j][0]
                pos = _ADJ_POS if infos[j][3].startswith("接尾辞,形状詞的") else COMPOUND_POS
            word = self.settings.variants.get(word, word)
            merged = True
        if not merged:
            return j, word, pos, info[4]
        content = self._merged.get((pos, word))
        if content is None:
            content = self._merged[(pos, word)] = (
                self._content_pos(pos) and word not in self.settings.stopwords and _meaningful(word)
            )
        return j, word, pos, content

    def _groups(self, infos: Sequence[tuple]) -> list[tuple[int, int, str, str, bool]]:
        """``(first, last, word, pos, is_content)`` per output token (merged if last > first)."""
        starts = self._starts(infos)
        if not starts:
            return [(k, k, info[2], info[3], info[4]) for k, info in enumerate(infos)]
        surfaces = [info[0] for info in infos]
        out = []
        prev = 0
        for k in starts:
            if k < prev:
                continue
            out += [(m, m, infos[m][2], infos[m][3], infos[m][4]) for m in range(prev, k)]
            j, word, pos, content = self._group(infos, surfaces, k)
            out.append((k, j, word, pos, content))
            prev = j + 1
        out += [(m, m, infos[m][2], infos[m][3], infos[m][4]) for m in range(prev, len(infos))]
        return out

    # -- public entry points ------------------------------------------------------------------

    def words(self, text: str) -> list[str]:
        """Analysed forms of the content tokens of ``text``, compounds merged.

        Equal to the ``word`` of the content tokens of :meth:`tokens`, but
        faster: the words of single tokens are laid out first and only the
        merges overwrite them.
        """
        return self.content(text, False)[0]

    def content(self, text: str, with_positions: bool = True) -> tuple[list[str], list[int]]:
        """``(words, positions)`` of the content tokens of ``text``.

        ``words`` is :meth:`words`; ``positions`` the index of each content
        token among all tokens (the ``position`` column of :meth:`tokens`),
        or empty if ``with_positions`` is false.  This is what theme coding
        needs, without building a tuple per token.
        """
        norm, _, _, exact = prepare(text)
        if not exact:  # NFKC changed lengths: token boundaries come from tokens()
            tokens = self.tokens(text)
            words = [t[3] for t in tokens if t[6]]
            positions = [k for k, t in enumerate(tokens) if t[6]] if with_positions else []
            return words, positions
        infos = self._parse(norm)
        starts = self._starts(infos)
        words = list(map(_COUNTED, infos))
        merged = False
        if starts:
            surfaces = list(map(_SURFACE, infos))
            prefixes = self._prefixes
            terms = self._terms
            last = len(infos) - 1
            prev = 0
            for k in starts:
                if k < prev:
                    continue
                # Most starts stay single tokens: settle them without a call.
                surface = surfaces[k]
                if k < last:
                    if not infos[k + 1][6] & 2 and (
                        surface + surfaces[k + 1] not in prefixes and surface not in terms
                    ):
                        continue
                elif surface not in terms:
                    continue
                j, word, _pos, content = self._group(infos, surfaces, k)
                words[k] = word if content else None
                if j > k:
                    # "" marks tokens absorbed by the merge (no content word is empty).
                    words[k + 1 : j + 1] = [""] * (j - k)
                    merged = True
                prev = j + 1
        if not with_positions:
            return list(filter(None, words)), []
        kept = [w for w in words if w != ""] if merged else words  # one entry per output token
        positions = list(compress(range(len(kept)), map(is_not, kept, repeat(None))))
        return list(filter(None, kept)), positions  # content words are never empty

    def tokens(self, text: str) -> list[tuple]:
        """Every token of ``text``: tuples in :class:`Token` field order.

        Offsets are into ``text``; ``text[start:end] == surface``.
        """
        norm, starts, ends, _exact = prepare(text, with_map=True)
        infos = self._parse(norm)
        spans = _spans(norm, [info[0] for info in infos])
        if starts is not None and ends is not None:
            spans = _map_offsets(spans, starts, ends, len(text))
        out: list[tuple] = []
        sent = 0
        for i, j, word, pos, content in self._groups(infos):
            start, end = spans[i][0], spans[j][1]
            if i == j:
                info = infos[i]
                token = (sent, "", info[1], word, pos, info[7], content, False, start, end)
            else:
                token = (sent, "", word, word, pos, pos.split(",", 1)[0], content, True, start, end)
            if out and start < out[-1][9]:
                # One source character became several tokens (㈱ -> ( 株 )): one token.
                token = _overlap(out.pop(), token)
            out.append((*token[:1], text[token[8] : token[9]], *token[2:]))
            if infos[j][5]:
                sent += 1
        return out


def _overlap(first: tuple, second: tuple) -> tuple:
    """Merge two tokens that share source characters (fields of :class:`Token`)."""
    keep = second if second[6] and not first[6] else first
    return (first[0], *keep[1:7], True, first[8], max(first[9], second[9]))


def _chunks(text: str) -> Iterable[str]:
    """Cut ``text`` into pieces MeCab handles in linear time.

    Pieces are at most about MAX_CHUNK characters, cut after sentence ends or
    newlines where possible, then at spaces, and only as a last resort inside
    a run of characters.  Runs of one script longer than LONG_RUN characters
    (``ア`` x 100,000) are cut every LONG_RUN characters: MeCab groups such a
    run into candidate unknown words from every start position, which is
    quadratic.  The pieces concatenate to ``text``.
    """
    if len(text) <= LONG_RUN or not _LONG_RUN.search(text):
        yield from _sentence_chunks(text)
        return
    pos = 0
    for match in _LONG_RUN.finditer(text):
        yield from _sentence_chunks(text[pos : match.start()])
        for k in range(match.start(), match.end(), LONG_RUN):
            yield text[k : min(k + LONG_RUN, match.end())]
        pos = match.end()
    yield from _sentence_chunks(text[pos:])


def _sentence_chunks(text: str) -> Iterable[str]:
    if len(text) <= MAX_CHUNK:
        if text:
            yield text
        return
    start = 0
    n = len(text)
    while start < n:
        stop = start + MAX_CHUNK
        if stop >= n:
            yield text[start:]
            return
        window = text[start:stop]
        cut = -1
        for match in _CUT.finditer(window):
            cut = match.end()
        if cut <= 0:
            cut = max(window.rfind(" "), window.rfind("\t")) + 1
        if cut <= 0:
            cut = _class_boundary(window)
        yield text[start : start + cut]
        start += cut


def _char_class(char: str) -> str:
    return unicodedata.name(char, "?").split(" ", 1)[0]


def _class_boundary(window: str) -> int:
    """Last position in ``window`` where the character class changes (else its end)."""
    last = _char_class(window[-1])
    for k in range(len(window) - 1, 0, -1):
        if _char_class(window[k - 1]) != last:
            return k
    return len(window)


def _spans(norm: str, surfaces: Sequence[str]) -> list[tuple[int, int]]:
    """Offsets of each surface in ``norm`` (MeCab only skips whitespace between them)."""
    spans = []
    pos = 0
    find = norm.find
    for surface in surfaces:
        start = find(surface, pos)
        if start < 0:  # cannot happen with MeCab output; stay robust
            start = pos
        pos = start + len(surface)
        spans.append((start, pos))
    return spans


def _map_offsets(
    spans: list[tuple[int, int]], starts: list[int], ends: list[int], n: int
) -> list[tuple[int, int]]:
    """Map spans in the normalised text to spans in the source text (length ``n``)."""
    total = len(starts)
    mapped = []
    for start, end in spans:
        s = starts[start] if start < total else n
        e = ends[end - 1] if 0 < end <= total else s
        mapped.append((s, max(s, e)))
    return mapped


# -- worker processes ---------------------------------------------------------------------

_WORKER: Engine | None = None


def worker_init(engine: Engine | Settings) -> None:
    """Set up this worker process's engine (one tagger per process).

    A forked worker is given the parent's engine itself: a copy of its memory,
    so the dictionary is already loaded and the per-entry analyses already
    cached.  A spawned worker gets the settings and builds its own.
    """
    global _WORKER
    _WORKER = engine if isinstance(engine, Engine) else Engine(engine)


def worker_task(task: tuple[str, list[str]]) -> list[list]:
    """Run ``Engine.words`` or ``Engine.tokens`` (by name) over a list of texts."""
    method, texts = task
    if _WORKER is None:  # pragma: no cover - the pool always runs worker_init first
        raise RuntimeError("worker_init was not called in this process")
    run = _WORKER.words if method == "words" else _WORKER.tokens
    return [run(text) for text in texts]
