"""The comparison vocabulary: which words a comparison counts, and in which form.

The TOKENS table keeps every token as the plan wrote it.  Comparisons
(keyness, similarity, correspondence analysis, …) should measure policy, not
the name of the place, the kind of municipality or the wording of the plan
format, so they count a *compared view* of the tokens, defined here in one
place and printed in every report's provenance:

* **Parts of speech** (UniDic): content nouns and merged compounds; the
  curated terms of ``data/terms.txt`` whatever their part of speech (見守り,
  which UniDic reads as a verb); verbs and adjectives only when asked for.  Proper nouns
  (名詞,固有名詞: places, people, organisations), numerals, prefixes and
  suffixes (接頭辞, 接尾辞), non-independent forms (非自立), adverbial nouns
  and counters (副詞可能, 助数詞可能) are left out.
* **Stop words**: the Japanese list of the ``stopwordsiso`` package (the
  Stopwords ISO collection, merged from several published lists) plus the
  formal nouns written in kanji (:data:`FORMAL_NOUNS`; the tokenizer's own
  stop words are not content tokens to begin with), and a
  short list of plan boilerplate (:data:`BOILERPLATE`: words that name the
  document, its parts and its survey format rather than a policy), which a
  user can switch off.
* **Place names**: the names of the catalogued municipalities and prefectures
  (所沢市 → 所沢市, 所沢; 川崎市多摩区 → 川崎市, 多摩区, 川崎, 多摩) are
  removed wherever they are written, also when the tokenizer split them or
  does not know them as names.
* **Folding** for comparison only (never in the shown text, the tokens table
  or KWIC): resident words (市民, 区民, 町民, 村民, 住民 → 住民), self
  references (本市, 当区, 本町 … → 本自治体), 市長/町長 → 首長, 市社協 →
  社協 and the like (:data:`FOLDING`); the words that only name the kind of
  municipality (市, 区, 町, 村, 市内, 全町 …: :data:`TYPE_WORDS`) are left
  out, so a 市 and a 区 writing the same policy count the same words.
* Words made of numbers only (II, ②) are never counted.

:class:`Vocabulary` stores its settings unchanged (scikit-learn style) and
resolves them when it first runs; :meth:`Vocabulary.compared` returns the
compared view of a TOKENS table.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from compare.errors import TokenizerError
from compare.text.terms import _read_lines, load_terms

__all__ = [
    "BOILERPLATE",
    "FOLDING",
    "MUNICIPALITY_TYPES",
    "TYPE_WORDS",
    "Vocabulary",
    "municipality_siblings",
    "place_names",
]

#: POS prefixes of the nouns a comparison counts (UniDic).  Merged compounds
#: carry ``名詞,普通名詞,一般``.
NOUN_POS: tuple[str, ...] = (
    "名詞,普通名詞,一般",
    "名詞,普通名詞,サ変可能",
    "名詞,普通名詞,形状詞可能",
    "名詞,普通名詞,サ変形状詞可能",
)

#: POS prefixes added by ``verbs=True`` and ``adjectives=True``.
VERB_POS: tuple[str, ...] = ("動詞,一般",)
ADJECTIVE_POS: tuple[str, ...] = ("形容詞,一般", "形状詞,一般")

#: POS of place names (UniDic), counted with ``place_names=False``.
PLACE_POS: tuple[str, ...] = ("名詞,固有名詞,地名",)

#: POS never counted, whatever the settings (documented in the provenance).
EXCLUDED_POS: tuple[str, ...] = (
    "名詞,固有名詞",
    "名詞,数詞",
    "名詞,普通名詞,副詞可能",
    "名詞,普通名詞,助数詞可能",
    "接頭辞",
    "接尾辞",
    "代名詞",
)

#: Plan boilerplate: words that name the document, its parts and its survey
#: format rather than a policy.  ``boilerplate=None`` switches the list off.
BOILERPLATE: tuple[str, ...] = (
    "計画",
    "本計画",
    "前計画",
    "次期計画",
    "地域福祉計画",
    "地域福祉活動計画",
    "計画期間",
    "策定",
    "推進",
    "取組",
    "施策",
    "事業",
    "実施",
    "目標",
    "方針",
    "基本目標",
    "基本方針",
    "基本理念",
    "基本施策",
    "重点施策",
    "行動計画",
    "方向性",
    "概要",
    "概要版",
    "資料",
    "章",
    "節",
    "図",
    "表",
    "項目",
    "内容",
    "状況",
    "割合",
    "回答",
    "調査",
    "前期",
    "後期",
    "年度",
    "平成",
    "令和",
    "ページ",
)

#: The kinds of municipality, as written after a name.
MUNICIPALITY_TYPES: tuple[str, ...] = ("市", "区", "町", "村")

#: Folding for comparison: compared form -> the words folded into it.
FOLDING: dict[str, tuple[str, ...]] = {
    "住民": ("市民", "区民", "町民", "村民", "住民"),
    "本自治体": tuple(f"{p}{t}" for p in ("本", "当") for t in MUNICIPALITY_TYPES),
    "首長": tuple(f"{t}長" for t in MUNICIPALITY_TYPES),
    "役所": ("役所", "役場", "市役所", "区役所", "町役場", "村役場"),
    "社協": tuple(f"{t}社協" for t in MUNICIPALITY_TYPES),
    "社会福祉協議会": tuple(f"{t}社会福祉協議会" for t in MUNICIPALITY_TYPES),
}

#: Words that only say which kind of municipality wrote the plan (市, 町内,
#: 全市 …): removed from comparisons with the place names.  区域 (a zone) is a
#: common word and stays.
TYPE_WORDS: tuple[str, ...] = (
    *MUNICIPALITY_TYPES,
    *(
        f"{t}{s}"
        for t in MUNICIPALITY_TYPES
        for s in ("内", "域", "全域", "全体")
        if f"{t}{s}" != "区域"
    ),
    *(f"{p}{t}" for p in ("全", "各") for t in MUNICIPALITY_TYPES),
)

#: Analysed forms of formal nouns written in kanji (事, 物, 為 …), counted as
#: stop words with the kana forms of the tokenizer's list.
FORMAL_NOUNS: tuple[str, ...] = ("事", "物", "為", "訳", "様", "筈", "儘", "内")

#: A word made of numbers only (arabic, roman, circled): II, ⅲ, ②.
_NUMBERISH = re.compile(r"^[0-9IVXLCivxlcⅠ-ↈ①-⑳㉑-㊿.,・]+$")

#: Resident words that also start compounds (市民活動 → 住民活動).
_RESIDENT_PREFIXES: tuple[str, ...] = ("市民", "区民", "町民", "村民")

#: A municipality written in full: optional 郡, a 市町村 and a 区 (政令市の区).
_MUNICIPALITY = re.compile(
    r"^(?:(?P<county>.+?郡))?(?:(?P<city>.+?[市町村]))?(?:(?P<ward>.+?区))?$"
)

_SETTINGS = (
    "verbs",
    "adjectives",
    "stopwords",
    "boilerplate",
    "extra_stopwords",
    "terms",
    "place_names",
    "names",
    "fold",
)


_TYPED_TERM = re.compile(r"^[市区町村](民|社協|社会福祉協議会)(.*)$")


def municipality_siblings(terms: Iterable[str]) -> list[str]:
    """``terms`` with the same term for every kind of municipality, in order, each once.

    A curated term written for one kind (市民活動, 市社協) is added for the
    others (区民活動, 町民活動, 村民活動 and 住民活動; 区社協, 町社協 …), so the
    tokenizer keeps it whole whichever kind wrote the plan and a comparison
    counts the same word for the same thing (renaming 市 to 町 changes nothing).
    """
    out: dict[str, None] = {}
    for term in terms:
        out.setdefault(term, None)
        match = _TYPED_TERM.match(term)
        if match is None:
            continue
        kind, rest = match.groups()
        for prefix in MUNICIPALITY_TYPES:
            out.setdefault(f"{prefix}{kind}{rest}", None)
        if kind == "民" and rest:
            out.setdefault(f"住民{rest}", None)
    return list(out)


def place_names(name: str) -> list[str]:
    """The forms a municipality or prefecture name is written in, longest first.

    ``"川崎市多摩区"`` gives 川崎市多摩区, 川崎市, 多摩区, 川崎, 多摩;
    ``"神奈川県"`` gives 神奈川県, 神奈川.  A stem (the name without 市, 区,
    町, 村, 郡, 都, 府, 県) is kept when it has at least two characters, so
    北区 gives only 北区.
    """
    name = unicodedata.normalize("NFKC", str(name)).strip()
    if not name:
        return []
    forms = {name}
    if name[-1] in "都府県" and len(name) >= 3:
        forms.add(name[:-1])
    else:
        match = _MUNICIPALITY.match(name)
        parts = [p for p in (match.groupdict().values() if match else ()) if p]
        for part in parts:
            forms.add(part)
            if len(part) >= 3:
                forms.add(part[:-1])
    return sorted(forms, key=lambda f: (-len(f), f))


class Vocabulary:
    """What a comparison counts: parts of speech, stop words, place names, folding.

    Parameters
    ----------
    verbs, adjectives : bool
        Also count verbs (動詞,一般) and adjectives (形容詞,一般 and
        形状詞,一般).  Default False: content nouns and compounds only.
    stopwords : "default", None, path or list of str
        ``"default"``: the Japanese list of ``stopwordsiso`` plus the formal
        nouns of the tokenizer (こと, ため, 場合 …); None: no stop words; a
        path (one word per line) or a list replaces them.
    boilerplate : "default", None, path or list of str
        Plan boilerplate (:data:`BOILERPLATE`); None switches it off.
    extra_stopwords : path or list of str, optional
        A user's own stop words, added to the above.
    terms : path or list of str, optional
        A user's curated terms: always counted, whatever their part of speech
        or the stop-word lists (give the same file to the tokenizer's
        ``user_terms`` so they are kept whole).
    place_names : bool
        Remove the names of the municipalities and prefectures of the
        catalogue (the ``municipality`` and ``prefecture`` columns of the
        tokens) and ``names``.  Default True; False keeps them and also
        counts the place names UniDic knows (名詞,固有名詞,地名).
    names : list of str, optional
        More place names to remove (written in full, e.g. ``["狭山市"]``).
    fold : bool
        Fold resident and self-reference words (:data:`FOLDING`) and leave
        out the municipality-type words (:data:`TYPE_WORDS`).  Default True.

    Examples
    --------
    >>> tokens = compare.tokenize(compare.read_corpus())
    >>> compared = Vocabulary().compared(tokens)   # the words comparisons count
    >>> compare.stat_keyness(tokens, vocabulary=Vocabulary(verbs=True))
    """

    def __init__(
        self,
        *,
        verbs: bool = False,
        adjectives: bool = False,
        stopwords: str | Path | Iterable[str] | None = "default",
        boilerplate: str | Path | Iterable[str] | None = "default",
        extra_stopwords: str | Path | Iterable[str] | None = None,
        terms: str | Path | Iterable[str] | None = None,
        place_names: bool = True,
        names: Iterable[str] | None = None,
        fold: bool = True,
    ) -> None:
        self.verbs = verbs
        self.adjectives = adjectives
        self.stopwords = stopwords
        self.boilerplate = boilerplate
        self.extra_stopwords = extra_stopwords
        self.terms = terms
        self.place_names = place_names
        self.names = names
        self.fold = fold

    # -- settings ---------------------------------------------------------------------------

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments (scikit-learn convention)."""
        return {name: getattr(self, name) for name in _SETTINGS}

    def set_params(self, **params: Any) -> Vocabulary:
        """Change settings; the word lists are resolved again on next use."""
        for name, value in params.items():
            if name not in _SETTINGS:
                raise TokenizerError(
                    f"unknown vocabulary setting {name!r}; valid: {', '.join(_SETTINGS)}"
                )
            setattr(self, name, value)
        for cached in ("_resolved",):
            self.__dict__.pop(cached, None)
        return self

    def __repr__(self) -> str:
        defaults = Vocabulary().get_params()
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if not _same(v, defaults[k])]
        return f"Vocabulary({', '.join(changed)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.fingerprint() == other.fingerprint()

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    def __getstate__(self) -> dict[str, Any]:
        return self.get_params()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @classmethod
    def resolve(cls, value: Any) -> Vocabulary | None:
        """The vocabulary a ``vocabulary=`` argument stands for.

        A :class:`Vocabulary` as it is, ``"default"`` for ``Vocabulary()``, a
        mapping of settings (:meth:`from_settings`), or None for none.
        """
        if value is None:
            return None
        if isinstance(value, Vocabulary):
            return value
        if isinstance(value, str) and value == "default":
            return cls()
        if isinstance(value, Mapping):
            return cls.from_settings(value, where="vocabulary=")
        raise TokenizerError(
            "vocabulary must be a compare.Vocabulary, 'default', a mapping of settings or None, "
            f"not {value!r}"
        )

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, Any] | None, where: str = "settings"
    ) -> Vocabulary:
        """A vocabulary from a ``vocabulary:`` block of a YAML settings file.

        Keys are the constructor arguments, plus ``keep_place_names`` (the
        opposite of ``place_names``).  Relative paths are read as given.
        ``where`` names the file in error messages.
        """
        if settings is None:
            return cls()
        if not isinstance(settings, Mapping):
            raise TokenizerError(
                f"{where}: 'vocabulary' must be a mapping of settings such as 'verbs: true', "
                f"not {type(settings).__name__}"
            )
        values = dict(settings)
        if "keep_place_names" in values:
            values["place_names"] = not _flag(
                values.pop("keep_place_names"), where, "keep_place_names"
            )
        unknown = [k for k in values if k not in _SETTINGS]
        if unknown:
            raise TokenizerError(
                f"{where}: unknown vocabulary setting(s) {', '.join(map(repr, unknown))}; "
                f"valid: {', '.join(_SETTINGS)}, keep_place_names"
            )
        for key in ("verbs", "adjectives", "place_names", "fold"):
            if key in values:
                values[key] = _flag(values[key], where, key)
        for key in ("stopwords", "boilerplate"):
            if values.get(key) is False:
                values[key] = None
            elif values.get(key) is True:
                values[key] = "default"
        return cls(**values)

    # -- resolution -------------------------------------------------------------------------

    @cached_property
    def _resolved(self) -> dict[str, Any]:
        for key in ("verbs", "adjectives", "place_names", "fold"):
            if not isinstance(getattr(self, key), (bool, np.bool_)):
                raise TokenizerError(
                    f"vocabulary setting {key} must be True or False, not {getattr(self, key)!r}"
                )
        pos = (
            NOUN_POS
            + (VERB_POS if self.verbs else ())
            + (ADJECTIVE_POS if self.adjectives else ())
            + (() if self.place_names else PLACE_POS)
        )
        stop = _word_list(self.stopwords, "stopwords", default=_default_stopwords)
        plate = _word_list(self.boilerplate, "boilerplate", default=lambda: set(BOILERPLATE))
        extra = _word_list(self.extra_stopwords, "stopword", default=set)
        terms = frozenset(load_terms(self.terms)) if self.terms is not None else frozenset()
        names = []
        if self.names is not None:
            if isinstance(self.names, (str, bytes)):
                raise TokenizerError("names must be a list of place names, not one string")
            names = [unicodedata.normalize("NFKC", str(n)).strip() for n in self.names]
            names = [n for n in names if n]
        fold = {}
        if self.fold:
            fold = {word: target for target, words in FOLDING.items() for word in words}
        return {
            "pos": pos,
            "stopwords": frozenset(stop | plate | extra) - terms,
            "n_stopwords": len(stop),
            "boilerplate": sorted(plate),
            "extra": sorted(extra),
            "terms": terms,
            "curated": frozenset(load_terms(None)),
            "names": names,
            "fold": fold,
        }

    def fingerprint(self) -> str:
        """Hash of the resolved settings (two vocabularies with one hash count the same words)."""
        r = self._resolved
        payload = {
            "pos": r["pos"],
            "stopwords": sorted(r["stopwords"]),
            "terms": sorted(r["terms"]),
            "names": r["names"],
            "place_names": bool(self.place_names),
            "fold": sorted(r["fold"].items()),
        }
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def names_for(self, tokens: pd.DataFrame | None = None) -> list[str]:
        """The place names removed from ``tokens`` (catalogue columns and ``names``), longest first."""
        values: list[object] = []
        if tokens is not None:
            for column in ("municipality", "prefecture"):
                if column in tokens.columns:
                    values.extend(pd.unique(tokens[column].astype(object)))
        return self.names_from(values)

    def names_from(self, values: Iterable[object]) -> list[str]:
        """The place names removed for catalogue ``values`` (municipalities, prefectures) and ``names``."""
        if not self.place_names:
            return []
        found: set[str] = set(self._resolved["names"])
        for value in values:
            if isinstance(value, str) and value.strip():
                found.update(place_names(value))
        return sorted(found, key=lambda f: (-len(f), f))

    def describe(self, tokens: pd.DataFrame | None = None) -> dict[str, Any]:
        """The vocabulary in words, for the provenance of a report (JSON-ready)."""
        r = self._resolved
        stop = self.stopwords
        if isinstance(stop, str) and stop == "default":
            stop_text = (
                f"stopwordsiso {_stopwordsiso_version()} の日本語リスト + 形式名詞"
                f"（計 {r['n_stopwords']} 語）"
            )
        elif stop is None:
            stop_text = "なし"
        else:
            stop_text = f"{_source_name(stop)}（{r['n_stopwords']} 語）"
        names = self.names_for(tokens)
        folding: Any = "しない"
        if self.fold:
            folding = {target: list(words) for target, words in FOLDING.items()}
            folding["（除外: 自治体の種別の語）"] = list(TYPE_WORDS)
        return {
            "数える品詞 (POS)": [*r["pos"], "複合語・登録語"],
            "除く品詞 (excluded POS)": list(EXCLUDED_POS),
            "ストップワード (stop words)": stop_text,
            "計画の定型語 (boilerplate)": r["boilerplate"] or "なし",
            "利用者のストップワード (user stop words)": (
                f"{_source_name(self.extra_stopwords)}（{len(r['extra'])} 語）"
                if self.extra_stopwords is not None
                else "なし"
            ),
            "利用者の語 (user terms)": (
                f"{_source_name(self.terms)}（{len(r['terms'])} 語）" if self.terms else "なし"
            ),
            "除いた地名 (place names removed)": names if self.place_names else "除かない",
            "比較用の統合 (folding, comparison only)": folding,
            "fingerprint": self.fingerprint()[:16],
        }

    # -- the compared view ------------------------------------------------------------------

    def compared(self, tokens: pd.DataFrame) -> pd.DataFrame:
        """The compared view of a TOKENS table: the rows a comparison counts, in compared form.

        Rows are dropped when their part of speech is not counted, their word
        is a stop word or boilerplate, or they belong to a place name; the
        ``word`` of folded rows is replaced by its compared form (市民 → 住民)
        and ``shown`` keeps the analysed form.  The input table is not
        changed.  ``attrs["vocabulary"]`` records :meth:`describe`.
        """
        for column in ("word", "pos"):
            if column not in tokens.columns:
                raise TokenizerError(
                    f"the tokens table lacks column {column!r}; build it with compare.tokenize()"
                )
        r = self._resolved
        n = len(tokens)
        words = tokens["word"].astype(object).to_numpy()
        pos = tokens["pos"].astype(object).to_numpy()
        keep = np.ones(n, dtype=bool)
        new = words.copy()

        names = self.names_for(tokens)
        if names and "surface" in tokens.columns and n:
            drop, rest = _name_spans(tokens, names)
            keep &= ~drop
            has_rest = pd.notna(rest)
            new[has_rest] = rest[has_rest]
        else:
            has_rest = np.zeros(n, dtype=bool)

        folded = np.zeros(n, dtype=bool)
        if r["fold"]:
            folded = _fold(tokens, new, r["fold"])
        counted_pos = _pos_mask(pos, r["pos"])
        if self.fold:
            original = pd.Series(words, dtype=object)
            keep &= ~(original.isin(TYPE_WORDS).to_numpy(dtype=bool) & ~folded)
        compared = pd.Series(new, dtype=object)
        keep &= ~compared.fillna("").astype(str).str.match(_NUMBERISH).to_numpy(dtype=bool)
        kept_terms = compared.isin(r["terms"]).to_numpy(dtype=bool)
        curated = compared.isin(r["curated"]).to_numpy(dtype=bool)
        keep &= counted_pos | folded | has_rest | kept_terms | curated
        keep &= ~compared.isin(r["stopwords"]).to_numpy(dtype=bool) | kept_terms
        keep &= compared.fillna("").astype(str).str.len().to_numpy() > 0

        out = tokens.loc[keep].copy()
        out["shown"] = out["word"].astype(object)
        out["word"] = pd.array(new[keep].astype(str), dtype="str")
        out.attrs = dict(tokens.attrs)
        out.attrs["vocabulary"] = self.describe(tokens)
        return out

    def compared_terms(
        self,
        terms: Iterable[str],
        names: Iterable[str] = (),
        analyse: Callable[[str], list[Any]] | None = None,
    ) -> np.ndarray:
        """The compared form of each word of a count matrix's columns (None: not counted).

        The route for counts without a tokens table (the streamed pipeline of
        a national corpus): the same lists, place names and folding as
        :meth:`compared`, applied to words instead of tokens.  A word's part of
        speech is that of its own analysis by the default tokenizer (a word
        of several tokens counts as a compound noun); a place name is removed
        from inside a word, and a word left shorter than two characters is
        dropped.  ``names`` are the place names (:meth:`names_from`);
        ``analyse`` gives a word's tokens (``Tokenizer().tokens``; without it
        every word left is counted as a noun).  Without
        the text around a word, a one-character stem (津 of 津市, 北 of 北区)
        is also dropped when it is a word of its own: in a tokens table it is
        removed only where the full name is written.
        """
        r = self._resolved
        terms = [str(t) for t in terms]
        names = list(names) if self.place_names else []
        pattern = re.compile("|".join(re.escape(n) for n in names)) if names else None
        short = {n[0] for n in names if len(n) == 2 and n[1] in "市区町村郡都府県"}
        out = np.full(len(terms), None, dtype=object)
        pending: dict[str, list[int]] = {}
        for i, term in enumerate(terms):
            word = unicodedata.normalize("NFKC", term)
            if word in r["terms"]:
                out[i] = word
                continue
            if word in short:
                continue
            if pattern is not None and pattern.search(word):
                word = pattern.sub("", word)
                if len(word) < 2:
                    continue
            if self.fold:
                target = _fold_word(word, r["fold"])
                if target is not None:
                    out[i] = target
                    continue
                if word in TYPE_WORDS:
                    continue
            if not word or _NUMBERISH.match(word) or word in r["stopwords"]:
                continue
            pending.setdefault(word, []).append(i)
        if pending:
            counted = _counted_alone(list(pending), r["pos"], r["curated"], analyse)
            for word, ok in zip(pending, counted, strict=True):
                if ok:
                    out[pending[word]] = word
        return out

    def words(self, tokens: pd.DataFrame) -> list[str]:
        """The compared words of ``tokens`` in order (what a comparison counts)."""
        return list(self.compared(tokens)["word"])


# --------------------------------------------------------------------------- helpers


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return a is b


def _flag(value: Any, where: str, key: str) -> bool:
    if isinstance(value, bool):
        return value
    raise TokenizerError(f"{where}: vocabulary setting {key} must be true or false, not {value!r}")


def _default_stopwords() -> set[str]:
    import stopwordsiso

    words = {unicodedata.normalize("NFKC", w) for w in stopwordsiso.stopwords("ja")}
    return words | set(FORMAL_NOUNS)


def _stopwordsiso_version() -> str:
    try:
        return metadata.version("stopwordsiso")
    except metadata.PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "?"


def _source_name(value: Any) -> str:
    if isinstance(value, (str, Path)):
        return Path(value).name
    return "リスト"


def _word_list(value: Any, what: str, default: Any) -> set[str]:
    """A set of NFKC words from "default", None, a path (one word a line) or an iterable."""
    if value is None:
        return set()
    if isinstance(value, str) and value == "default":
        return set(default())
    if isinstance(value, (str, Path)):
        lines = _read_lines(value, what)
        words = set()
        for number, line in lines:
            word = unicodedata.normalize("NFKC", line.strip())
            if any(c.isspace() for c in word):
                raise TokenizerError(
                    f"{value}:{number}: {what} {word!r} contains a space; write one word per line"
                )
            words.add(word)
        return words
    if isinstance(value, bytes):
        raise TokenizerError(f"{what}s must be 'default', None, a path or a list of words")
    try:
        items = list(value)
    except TypeError:
        raise TokenizerError(
            f"{what}s must be 'default', None, a path or a list of words"
        ) from None
    if not all(isinstance(w, str) for w in items):
        raise TokenizerError(f"{what}s must contain strings only")
    return {unicodedata.normalize("NFKC", w).strip() for w in items if w.strip()}


def _pos_mask(pos: np.ndarray, prefixes: tuple[str, ...]) -> np.ndarray:
    """Rows whose POS starts with one of ``prefixes`` and with none of :data:`EXCLUDED_POS`.

    A prefix that is itself inside an excluded one (名詞,固有名詞,地名 with
    ``place_names=False``) is counted all the same.
    """
    uniques, codes = np.unique(pos.astype(str), return_inverse=True)
    allowed = tuple(p for p in prefixes if p.startswith(EXCLUDED_POS))
    ok = np.array(
        [
            u.startswith(prefixes)
            and not (u.startswith(EXCLUDED_POS) and not (allowed and u.startswith(allowed)))
            and "非自立" not in u
            for u in uniques
        ],
        dtype=bool,
    )
    return ok[codes] if len(pos) else np.zeros(0, dtype=bool)


def _counted_alone(
    words: list[str],
    prefixes: tuple[str, ...],
    curated: frozenset[str],
    analyse: Callable[[str], list[Any]] | None,
) -> list[bool]:
    """Whether each word, analysed on its own, is of a counted part of speech.

    A curated term is counted; otherwise one token: its POS decides; several
    tokens: a compound, counted as a noun.
    """
    out = [True] * len(words)
    single: list[int] = []
    pos: list[Any] = []
    for i, word in enumerate(words):
        if word in curated or analyse is None:
            continue
        parts = [t for t in analyse(word) if t.surface.strip()]
        if len(parts) == 1:
            single.append(i)
            pos.append(parts[0].pos)
        else:
            out[i] = len(parts) > 1
    # One POS test over every single-token word (not one per word).
    counted = _pos_mask(np.array(pos, dtype=object), prefixes)
    for i, ok in zip(single, counted, strict=True):
        out[i] = bool(ok)
    return out


def _segment_keys(tokens: pd.DataFrame) -> np.ndarray:
    """One integer per (plan, segment): tokens of different segments never join."""
    columns = [c for c in ("plan_id", "seg_id") if c in tokens.columns]
    if not columns:
        return np.zeros(len(tokens), dtype=np.int64)
    return tokens.groupby(columns, sort=False, observed=True).ngroup().to_numpy(dtype=np.int64)


def _name_spans(tokens: pd.DataFrame, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Tokens inside a written place name (drop) and what is left of tokens partly inside one.

    The surfaces of consecutive tokens of one segment are joined (NFKC) and
    searched for the names, longest first, so a name is found however the
    tokenizer split it (所沢 + 市, 緑 + 野 + 町).  A token wholly inside a
    name is dropped; a token reaching beyond one keeps the part outside it
    when that part has two or more characters (所沢市社会福祉協議会 →
    社会福祉協議会), else it is dropped (所沢市 + 民).
    """
    n = len(tokens)
    codes, uniques = pd.factorize(tokens["surface"].astype(object), use_na_sentinel=False)
    normal = np.array(
        [unicodedata.normalize("NFKC", u) if isinstance(u, str) else "" for u in uniques],
        dtype=object,
    )
    surfaces = normal[codes] if n else np.zeros(0, dtype=object)
    segment = _segment_keys(tokens)
    # A separator between segments keeps a name from spanning two of them.
    boundary = np.ones(n, dtype=bool)
    boundary[1:] = segment[1:] != segment[:-1]
    lengths = np.fromiter((len(s) for s in surfaces), dtype=np.int64, count=n)
    lengths_with_sep = lengths + boundary
    starts = np.cumsum(lengths_with_sep) - lengths
    ends = starts + lengths
    pieces = np.where(boundary, "\n", "").astype(object) + surfaces
    text = "".join(pieces.tolist())
    pattern = re.compile("|".join(re.escape(name) for name in names))
    drop = np.zeros(n, dtype=bool)
    rest = np.full(n, None, dtype=object)
    covered: dict[int, list[tuple[int, int]]] = {}
    for match in pattern.finditer(text):
        s, e = match.span()
        first = int(np.searchsorted(ends, s, side="right"))
        last = int(np.searchsorted(starts, e, side="left")) - 1
        for i in range(first, last + 1):
            covered.setdefault(i, []).append((max(s, starts[i]), min(e, ends[i])))
    for i, spans in covered.items():
        surface = surfaces[i]
        mask = [True] * len(surface)
        for s, e in spans:
            for k in range(s - starts[i], e - starts[i]):
                mask[k] = False
        left = "".join(c for c, free in zip(surface, mask, strict=True) if free)
        if len(left) >= 2 and (surface.endswith(left) or surface.startswith(left)):
            rest[i] = left
        else:
            drop[i] = True
    return drop, rest


def _fold(tokens: pd.DataFrame, words: np.ndarray, fold: dict[str, str]) -> np.ndarray:
    """Fold ``words`` in place; return which rows were folded.

    Besides the words of :data:`FOLDING`, a self reference written as a prefix
    token and a type (本 + 市, 当 + 区) becomes 本自治体, and a compound
    starting with a resident word becomes 住民 + the rest (市民活動 → 住民活動).
    """
    n = len(words)
    codes, uniques = pd.factorize(pd.Series(words, dtype=object), use_na_sentinel=False)
    targets = np.array([_fold_word(u, fold) for u in uniques], dtype=object)
    changed = np.array([t is not None for t in targets], dtype=bool)
    folded = changed[codes] if n else np.zeros(0, dtype=bool)
    words[folded] = targets[codes[folded]]
    if n > 1 and "surface" in tokens.columns:
        surface = pd.Series(tokens["surface"].astype(object).to_numpy())
        pos = pd.Series(tokens["pos"].astype(object).to_numpy()).astype(str)
        segment = _segment_keys(tokens)
        prefix = (surface.isin(["本", "当"]) & pos.str.startswith("接頭辞")).to_numpy()
        original = pd.Series(tokens["word"].astype(object).to_numpy())
        is_type = original.isin(MUNICIPALITY_TYPES).to_numpy()
        rows = np.flatnonzero(prefix[:-1] & (segment[1:] == segment[:-1]) & is_type[1:]) + 1
        words[rows] = "本自治体"
        folded[rows] = True
    return folded


def _fold_word(word: object, fold: dict[str, str]) -> str | None:
    """The compared form of one word, or None when it is not folded."""
    if not isinstance(word, str):
        return None
    target = fold.get(word)
    if target is not None:
        return target
    if len(word) > 2 and word.startswith(_RESIDENT_PREFIXES):
        return "住民" + word[2:]
    return None
