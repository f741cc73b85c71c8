"""Japanese tokenization that counts the words researchers mean.

:class:`Tokenizer` wraps MeCab (fugashi) with UniDic (unidic-lite) and turns
its output into the analysed forms every later stage counts:

* **NFKC** for analysis (full-width digits, half-width katakana); the
  ``surface`` column keeps the characters as written.
* **Lemma cleanup**: UniDic glosses are stripped (``プラットホーム-platform``),
  the surface stands in for missing lemmas, proper nouns keep their written
  form (UniDic gives their reading), and a lemma that would bring in kanji the
  author did not write (つながり -> 繋がり) gives way to the written base form.
* **Orthographic variants** researchers treat as one word (障がい/障害/障碍,
  子ども/子供, 取組/取り組み, …; ``data/variants.tsv``) share one analysed form.
* **Compounds**: curated welfare-policy terms (``data/terms.txt`` plus the
  user's own; a term written for one kind of municipality, 市民活動, also for
  the others, 区民活動 and 町民活動) are merged longest-match over the token
  stream, matched on the characters of consecutive tokens so a term stays
  whole however MeCab splits it; a noun also takes a following word-forming
  suffix (高齢 + 者, 多様 + 性).

:func:`tokenize` turns a SEGMENTS table into a TOKENS table, caches it as
Parquet keyed by text, settings and dictionary version, and uses worker
processes (one tagger each) for large corpora.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from compare._progress import progress_callback
from compare.errors import CompareWarning, TokenizerError
from compare.io.catalog import METADATA_COLUMNS
from compare.text._engine import Engine, Settings, Token, worker_init, worker_task
from compare.text.terms import expand_terms, load_terms, load_variants
from compare.text.vocabulary import Vocabulary, municipality_siblings

__all__ = [
    "DEFAULT_POS",
    "DEFAULT_STOPWORDS",
    "DEFAULT_SUFFIXES",
    "Token",
    "Tokenizer",
    "default_cache_dir",
    "tokenize",
]

#: POS prefixes of content words (UniDic): common and proper nouns, verbs,
#: adjectives and adjectival nouns, excluding the "non-independent" (非自立可能)
#: verbs such as する/ある/いる/なる/できる.
DEFAULT_POS: tuple[str, ...] = (
    "名詞,普通名詞",
    "名詞,固有名詞",
    "動詞,一般",
    "形容詞,一般",
    "形状詞,一般",
)

#: Analysed forms never counted as content: formal nouns and light verbs that
#: carry grammar rather than topic.
DEFAULT_STOPWORDS: frozenset[str] = frozenset(
    [
        "こと",
        "もの",
        "ため",
        "よう",
        "とき",
        "ところ",
        "ほか",
        "ほう",
        "わけ",
        "はず",
        "うち",
        "まま",
        "方",
        "等",
        "中",
        "上",
        "下",
        "前",
        "後",
        "間",
        "以上",
        "以下",
        "以外",
        "場合",
        "次",
        "点",
        "際",
        "とおり",
        "通り",
        "それぞれ",
        "すべて",
        "全て",
        "とも",
        "もと",
        "ところ",
        "毎",
        "よる",
        "おく",
        "いう",
        "言う",
        "思う",
        "行く",
        "くる",
        "みる",
        "いく",
        "おる",
        "向ける",
        "当たる",
        "つく",
    ]
)

#: Word-forming suffixes attached to the preceding noun (高齢者, 多様性, 活性化,
#: 積極的, 相談員, 社会福祉士, 認知症, 伴走型, 地域力, 区民, 後見人 …).
DEFAULT_SUFFIXES: tuple[str, ...] = tuple(
    [
        "者",
        "的",
        "性",
        "化",
        "員",
        "士",
        "症",
        "型",
        "力",
        "児",
        "室",
        "値",
        "圏",
        "民",
        "人",
        "所",
        "金",
        "率",
        "感",
        "層",
        "費",
        "局",
        "課",
        "署",
        "会",
    ]
)

#: Columns of the cached core table (one row per token).
_CORE = (
    "seg_id",
    "sent_id",
    "position",
    "surface",
    "lemma",
    "word",
    "pos",
    "pos1",
    "is_content",
    "is_compound",
    "start",
    "end",
)

#: Segment and catalogue columns repeated on every token row (as categoricals).
_META = ("kind", "section_id", *METADATA_COLUMNS)

#: Bumped whenever the analysis changes so old cache entries are not reused.
_CACHE_FORMAT = 2

#: Uncached characters above which ``n_jobs=None`` uses worker processes.
_PARALLEL_CHARS = 1_000_000

#: Characters above which a progress bar is shown (``progress=None``).
_PROGRESS_CHARS = 300_000

#: Characters per task given to a worker process.
_TASK_CHARS = 50_000

_DICTIONARIES = ("unidic-lite", "unidic")


class Tokenizer:
    """MeCab/UniDic tokenizer with domain compounds and normalised word forms.

    Settings are stored unchanged (scikit-learn style) and checked when the
    tokenizer first runs.  A Tokenizer pickles (without its MeCab tagger), so
    it works in worker processes and as ``CountVectorizer(analyzer=tok.words)``
    or ``CountVectorizer(analyzer=tok)``.

    Parameters
    ----------
    pos
        POS prefixes (UniDic, comma-separated levels such as ``"名詞,普通名詞"``)
        of content tokens, or None to count every token except symbols.
    stopwords
        ``"default"`` (:data:`DEFAULT_STOPWORDS`), None, or analysed forms never
        counted as content.
    compounds
        Merge curated terms and noun + suffix sequences into one token.
    terms
        ``"default"`` for the curated list shipped with the package
        (``data/terms.txt``), None for no curated terms, a path to a term file
        or an iterable of terms.
    user_terms
        Extra terms (a path to a file with one term per line, or an iterable)
        merged in addition to ``terms``.
    variants
        ``"default"`` (``data/variants.tsv``), None, a path to a variant file
        (tab-separated groups, first spelling is the analysed form), or a
        mapping ``{spelling: analysed form}``.
    suffixes
        ``"default"`` (:data:`DEFAULT_SUFFIXES`), None, or suffix surfaces a
        noun absorbs.
    dictionary
        ``"unidic-lite"`` (default), ``"unidic"`` (the full UniDic package, if
        installed and downloaded) or the path of a UniDic-format MeCab
        dictionary directory.
    vocabulary
        None (default), a :class:`compare.Vocabulary`, ``"default"`` or a
        mapping of its settings: :meth:`words` (and so a vectorizer using
        this tokenizer as its analyzer) returns the compared words of the
        comparison vocabulary (市民 → 住民, no place names or boilerplate).
        The tokens table (:meth:`tokens`, :func:`tokenize`) is not changed.

    Examples
    --------
    >>> Tokenizer().words("重層的支援体制の整備と成年後見制度の利用促進")
    ['重層的支援体制', '整備', '成年後見制度', '利用', '促進']
    """

    def __init__(
        self,
        pos: Sequence[str] | None = DEFAULT_POS,
        stopwords: str | Iterable[str] | None = "default",
        compounds: bool = True,
        terms: str | Path | Iterable[str] | None = "default",
        user_terms: str | Path | Iterable[str] | None = None,
        variants: str | Path | dict[str, str] | None = "default",
        suffixes: str | Iterable[str] | None = "default",
        dictionary: str | Path = "unidic-lite",
        vocabulary: Any = None,
    ) -> None:
        self.pos = pos
        self.stopwords = stopwords
        self.compounds = compounds
        self.terms = terms
        self.user_terms = user_terms
        self.variants = variants
        self.suffixes = suffixes
        self.dictionary = dictionary
        self.vocabulary = vocabulary

    # -- scikit-learn conventions ---------------------------------------------------------

    _PARAMS = (
        "pos",
        "stopwords",
        "compounds",
        "terms",
        "user_terms",
        "variants",
        "suffixes",
        "dictionary",
        "vocabulary",
    )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments (scikit-learn convention)."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params: Any) -> Tokenizer:
        """Change settings; the tagger and term tables are rebuilt on next use."""
        for name, value in params.items():
            if name not in self._PARAMS:
                raise TokenizerError(
                    f"unknown Tokenizer setting {name!r}; valid: {', '.join(self._PARAMS)}"
                )
            setattr(self, name, value)
        self.__dict__.pop("_engine_", None)
        return self

    def __repr__(self) -> str:
        defaults = Tokenizer().__dict__
        changed = [
            f"{name}={getattr(self, name)!r}"
            for name in self._PARAMS
            if getattr(self, name) != defaults[name]
        ]
        return f"Tokenizer({', '.join(changed)})"

    def __getstate__(self) -> dict[str, Any]:
        return self.get_params()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # -- analysis ------------------------------------------------------------------------

    def __call__(self, text: str) -> list[str]:
        """Same as :meth:`words`, so the tokenizer itself can be an ``analyzer``."""
        return self.words(text)

    def words(self, text: str) -> list[str]:
        """Analysed forms (``word``) of the content tokens of ``text``.

        Compounds are merged, variants unified, stopwords and non-content POS
        dropped.  This is what frequency tables and vectorizers count.  With a
        ``vocabulary``, the compared words of that vocabulary.
        """
        text = _check_text(text)
        if self.vocabulary is None:
            return self._engine().words(text)
        return _compared_words(self, self._engine().tokens(text))

    def tokens(self, text: str) -> list[Token]:
        """Every token of ``text`` (content or not) with sentence ids and offsets.

        Each :class:`Token` has ``sent_id, surface, lemma, word, pos, pos1,
        is_content, is_compound, start, end``; ``text[start:end] == surface``.
        """
        return [Token(*t) for t in self._engine().tokens(_check_text(text))]

    def words_batch(
        self,
        texts: Iterable[str],
        *,
        n_jobs: int | None = 1,
        progress: bool | None = None,
    ) -> list[list[str]]:
        """:meth:`words` of many texts, in order, optionally in worker processes.

        Parameters
        ----------
        texts
            The texts.
        n_jobs
            Worker processes (one tagger each); 1 runs in this process, None
            chooses by size (workers only for more than about a million
            characters).
        progress
            Show a progress bar (tqdm, on standard error); None shows one for
            long runs.
        """
        texts = [_check_text(t) for t in texts]
        return _run(self, "words", texts, n_jobs, progress)

    # -- provenance ------------------------------------------------------------------------

    def provenance(self) -> dict[str, Any]:
        """Dictionary name, version and details, and the settings (JSON-ready)."""
        engine = self._engine()
        return {
            "dictionary": self._dictionary_name(),
            "dictionary_version": self.__dict__["_version_"],
            "dictionary_info": engine.dictionary_info,
            "tokenizer": _jsonable(self.get_params()),
        }

    def fingerprint(self) -> str:
        """Hash of everything that determines the output (resolved settings, dictionary)."""
        engine = self._engine()
        s = engine.settings
        payload = {
            "format": _CACHE_FORMAT,
            "pos": s.pos,
            "stopwords": sorted(s.stopwords),
            "compounds": s.compounds,
            "terms": sorted(s.terms.items()),
            "variants": sorted(s.variants.items()),
            "suffixes": sorted(s.suffixes),
            "dictionary": self._dictionary_name(),
            "dictionary_version": self.__dict__["_version_"],
            "dictionary_info": [
                {k: v for k, v in d.items() if k != "filename"} for d in engine.dictionary_info
            ],
        }
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    # -- settings resolution ---------------------------------------------------------------

    def _dictionary_name(self) -> str:
        d = self.dictionary
        return d if isinstance(d, str) and d in _DICTIONARIES else f"path:{Path(d).name}"

    def _engine(self) -> Engine:
        engine = self.__dict__.get("_engine_")
        if engine is None:
            settings, version = self._resolve()
            engine = Engine(settings)
            self.__dict__["_version_"] = version
            self.__dict__["_engine_"] = engine
        return engine

    def _resolve(self) -> tuple[Settings, str]:
        dicdir, version = _resolve_dictionary(self.dictionary)
        pos = _resolve_pos(self.pos)
        stopwords = _resolve_words(self.stopwords, DEFAULT_STOPWORDS, "stopwords")
        suffixes = _resolve_words(self.suffixes, frozenset(DEFAULT_SUFFIXES), "suffixes")
        if not isinstance(self.compounds, (bool, np.bool_)):
            raise TokenizerError(f"compounds must be True or False, not {self.compounds!r}")
        variants = {} if self.variants is None else _load_variants_setting(self.variants)
        terms: list[str] = []
        if self.compounds:
            if self.terms is not None:
                terms += load_terms(None if _is_default(self.terms) else self.terms)
            if self.user_terms is not None:
                terms += load_terms(self.user_terms)
            terms = municipality_siblings(terms)
        settings = Settings(
            dicdir=dicdir,
            pos=pos,
            stopwords=frozenset(variants.get(w, w) for w in stopwords),
            compounds=bool(self.compounds),
            terms=expand_terms(terms, variants) if self.compounds else {},
            variants=variants,
            suffixes=suffixes if self.compounds else frozenset(),
        )
        return settings, version


def _is_default(value: Any) -> bool:
    return isinstance(value, str) and value == "default"


def _check_text(text: Any) -> str:
    if not isinstance(text, str):
        raise TokenizerError(f"expected a text (str), got {type(text).__name__}")
    return text


def _resolve_dictionary(dictionary: Any) -> tuple[str, str]:
    """(dictionary directory, version string) of a dictionary setting."""
    if dictionary == "unidic-lite":
        import unidic_lite

        return unidic_lite.DICDIR, metadata.version("unidic-lite")
    if dictionary == "unidic":
        try:
            import unidic
        except ImportError:
            raise TokenizerError(
                "dictionary 'unidic' is not installed; pip install unidic && "
                "python -m unidic download, or use 'unidic-lite'"
            ) from None
        if not (Path(unidic.DICDIR) / "sys.dic").exists():
            raise TokenizerError(
                "UniDic is installed but not downloaded: python -m unidic download"
            )
        return unidic.DICDIR, metadata.version("unidic")
    if isinstance(dictionary, (str, Path)):
        path = Path(dictionary)
        if not (path / "sys.dic").is_file():
            raise TokenizerError(
                f"dictionary {str(dictionary)!r} is neither 'unidic-lite', 'unidic' nor a "
                "MeCab dictionary directory (with sys.dic)"
            )
        version_file = path / "version"
        version = (
            version_file.read_text(encoding="utf-8").strip()
            if version_file.is_file()
            else f"size {(path / 'sys.dic').stat().st_size}"
        )
        return str(path), version
    raise TokenizerError(f"dictionary must be a name or a path, not {type(dictionary).__name__}")


def _resolve_pos(pos: Any) -> tuple[str, ...] | None:
    if pos is None:
        return None
    if isinstance(pos, str):
        pos = [pos]
    try:
        items = tuple(pos)
    except TypeError:
        raise TokenizerError(f"pos must be a list of POS prefixes, not {pos!r}") from None
    if not items or not all(isinstance(p, str) and p.strip() for p in items):
        raise TokenizerError(
            f"pos must be a non-empty list of POS prefixes such as '名詞,普通名詞', got {pos!r}"
        )
    return tuple(p.strip() for p in items)


def _resolve_words(value: Any, default: frozenset[str], what: str) -> frozenset[str]:
    import unicodedata

    if value is None:
        return frozenset()
    if _is_default(value):
        return default
    if isinstance(value, (str, bytes)):
        raise TokenizerError(f"{what} must be 'default', None or a list of words, not {value!r}")
    try:
        items = list(value)
    except TypeError:
        raise TokenizerError(f"{what} must be 'default', None or a list of words") from None
    if not all(isinstance(w, str) for w in items):
        raise TokenizerError(f"{what} must contain strings only")
    return frozenset(unicodedata.normalize("NFKC", w) for w in items)


def _load_variants_setting(value: Any) -> dict[str, str]:
    if _is_default(value):
        return load_variants(None)
    return load_variants(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, Iterable):
        return [_jsonable(v) for v in value]
    return repr(value)


# -- running over many texts -----------------------------------------------------------------


def _apply(tokenizer: Tokenizer, method: str, texts: list[str]) -> list[Any]:
    engine = tokenizer._engine()
    if method == "words":
        if tokenizer.vocabulary is not None:
            return [_compared_words(tokenizer, engine.tokens(t)) for t in texts]
        return [engine.words(t) for t in texts]
    return [engine.tokens(t) for t in texts]


def _compared_words(tokenizer: Tokenizer, tokens: list[tuple]) -> list[str]:
    """The words of one text's tokens in the tokenizer's comparison vocabulary."""
    vocabulary = Vocabulary.resolve(tokenizer.vocabulary)
    if vocabulary is None:
        return [t[3] for t in tokens if t[6]]
    if not tokens:
        return []
    fields = ("sent_id", "surface", "lemma", "word", "pos", "pos1", "is_content")
    frame = pd.DataFrame([t[:7] for t in tokens], columns=list(fields))
    compared = vocabulary.compared(frame)
    return list(compared.loc[compared["is_content"].astype(bool), "word"])


def _tasks(texts: list[str], size: int) -> list[list[str]]:
    tasks: list[list[str]] = []
    current: list[str] = []
    chars = 0
    for text in texts:
        current.append(text)
        chars += len(text)
        if chars >= size:
            tasks.append(current)
            current, chars = [], 0
    if current:
        tasks.append(current)
    return tasks


def _run(
    tokenizer: Tokenizer,
    method: str,
    texts: list[str],
    n_jobs: int | None,
    progress: bool | None,
) -> list[Any]:
    """Apply ``method`` ("words" or "tokens") to ``texts``, in order."""
    total = sum(len(t) for t in texts)
    if n_jobs is None:
        n_jobs = min(os.cpu_count() or 1, 8) if total > _PARALLEL_CHARS else 1
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise TokenizerError(f"n_jobs must be a positive integer or None, not {n_jobs!r}")
    show = total > _PROGRESS_CHARS if progress is None else bool(progress)
    tokenizer._engine()  # validate settings before starting workers
    if method == "words" and tokenizer.vocabulary is not None:
        Vocabulary.resolve(tokenizer.vocabulary)
    tasks = _tasks(texts, _TASK_CHARS)
    bar = progress_callback(total, show, unit="char", desc="tokenize")
    out: list[Any] = []
    try:
        if n_jobs == 1 or len(tasks) <= 1:
            for task in tasks:
                out.extend(_apply(tokenizer, method, task))
                bar(sum(len(t) for t in task))
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # Linux: "fork" starts workers at once, needs no __main__ guard in
            # scripts and hands each worker a copy of this process's engine
            # (nothing is pickled).  Elsewhere "spawn" (the platform default):
            # the workers build their own tagger from the settings.
            fork = sys.platform.startswith("linux")
            context = multiprocessing.get_context("fork" if fork else "spawn")
            engine = tokenizer._engine()
            with ProcessPoolExecutor(
                max_workers=min(n_jobs, len(tasks)),
                mp_context=context,
                initializer=worker_init,
                initargs=(engine if fork else engine.settings,),
            ) as pool:
                jobs = [(method, task) for task in tasks]
                for task, result in zip(tasks, pool.map(worker_task, jobs), strict=True):
                    out.extend(result)
                    bar(sum(len(t) for t in task))
    finally:
        bar(None)
    return out


# -- the token table -------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """Token cache folder: $COMPARE_CACHE_DIR, else the user's cache folder + /compare."""
    env = os.environ.get("COMPARE_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "compare" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "compare"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "compare"


def tokenize(
    segments: pd.DataFrame,
    tokenizer: Tokenizer | None = None,
    *,
    cache: bool = True,
    cache_dir: str | Path | None = None,
    n_jobs: int | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Tokenize a SEGMENTS table into a TOKENS table (one row per token, in order).

    Parameters
    ----------
    segments
        A SEGMENTS table (:func:`compare.read_corpus`); needs at least
        ``plan_id``, ``seg_id`` and ``text``.
    tokenizer
        The :class:`Tokenizer` (default settings if None).
    cache
        Reuse and store token tables as Parquet files, one per plan, keyed by
        the plan's segment texts, the tokenizer settings and the dictionary
        version.
    cache_dir
        Cache folder (default :func:`default_cache_dir`).
    n_jobs
        Worker processes for the plans not in the cache; None uses workers
        only for large corpora (about a million characters or more).
    progress
        Show a progress bar; None shows one for long runs.

    Returns
    -------
    pandas.DataFrame
        Columns: ``plan_id``, ``seg_id``, ``sent_id`` (sentence within the
        segment), ``position`` (token index within the segment), ``surface``
        (as written), ``lemma`` (cleaned UniDic lemma), ``word`` (analysed
        form used for counting), ``pos`` (4 UniDic levels), ``pos1``,
        ``is_content``, ``is_compound`` (made by merging), ``start``/``end``
        (character offsets in the segment text), then ``kind``,
        ``section_id`` and the catalogue columns present in ``segments``
        (categoricals).  ``attrs`` holds ``dictionary``,
        ``dictionary_version``, ``dictionary_info`` and ``tokenizer``
        (settings).
    """
    if not isinstance(segments, pd.DataFrame):
        raise TokenizerError(
            f"tokenize() takes a SEGMENTS DataFrame, not {type(segments).__name__}"
        )
    missing = [c for c in ("plan_id", "seg_id", "text") if c not in segments.columns]
    if missing:
        raise TokenizerError(
            f"the segments table lacks column(s) {', '.join(missing)}; "
            "build it with compare.read_corpus() or compare.read_plan()"
        )
    tokenizer = tokenizer if tokenizer is not None else Tokenizer()
    if not isinstance(tokenizer, Tokenizer):
        raise TokenizerError(
            f"tokenizer must be a compare.Tokenizer, not {type(tokenizer).__name__}"
        )
    fingerprint = tokenizer.fingerprint()
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()

    plan_ids = segments["plan_id"].astype(str).to_numpy()
    seg_ids = segments["seg_id"].to_numpy()
    texts = segments["text"].fillna("").astype(str).tolist()
    order = list(dict.fromkeys(plan_ids))
    rows_of: dict[str, list[int]] = {p: [] for p in order}
    for row, plan in enumerate(plan_ids):
        rows_of[plan].append(row)

    cores: dict[str, pd.DataFrame] = {}
    keys: dict[str, str] = {}
    todo: list[str] = []
    for plan in order:
        rows = rows_of[plan]
        keys[plan] = _plan_key(
            fingerprint, [int(seg_ids[r]) for r in rows], [texts[r] for r in rows]
        )
        frame = _read_cache(folder, keys[plan]) if cache else None
        if frame is None:
            todo.append(plan)
        else:
            cores[plan] = frame
    if todo:
        todo_rows = [r for plan in todo for r in rows_of[plan]]
        results = _run(tokenizer, "tokens", [texts[r] for r in todo_rows], n_jobs, progress)
        by_row = dict(zip(todo_rows, results, strict=True))
        for plan in todo:
            rows = rows_of[plan]
            frame = _core_frame([int(seg_ids[r]) for r in rows], [by_row[r] for r in rows])
            cores[plan] = frame
            if cache:
                _write_cache(folder, keys[plan], frame)

    table = _assemble(segments, order, rows_of, cores)
    table.attrs = tokenizer.provenance()
    return table


def _plan_key(fingerprint: str, seg_ids: list[int], texts: list[str]) -> str:
    digest = hashlib.sha256(fingerprint.encode("ascii"))
    for seg_id, text in zip(seg_ids, texts, strict=True):
        digest.update(f"\x1e{seg_id}\x1f".encode())
        digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _core_frame(seg_ids: list[int], per_segment: list[list[tuple]]) -> pd.DataFrame:
    """The cached part of a plan's token table (no plan or catalogue columns)."""
    counts = [len(toks) for toks in per_segment]
    flat = [tok for toks in per_segment for tok in toks]
    # Token fields: sent_id, surface, lemma, word, pos, pos1, is_content, is_compound, start, end
    columns = list(zip(*flat, strict=True)) if flat else [()] * 10
    return pd.DataFrame(
        {
            "seg_id": np.repeat(np.asarray(seg_ids, dtype=np.int64), counts),
            "sent_id": np.asarray(columns[0], dtype=np.int64),
            "position": np.concatenate([np.arange(c, dtype=np.int64) for c in counts])
            if counts
            else np.zeros(0, dtype=np.int64),
            "surface": pd.array(columns[1], dtype="str"),
            "lemma": pd.array(columns[2], dtype="str"),
            "word": pd.array(columns[3], dtype="str"),
            "pos": pd.array(columns[4], dtype="str"),
            "pos1": pd.array(columns[5], dtype="str"),
            "is_content": np.asarray(columns[6], dtype=bool),
            "is_compound": np.asarray(columns[7], dtype=bool),
            "start": np.asarray(columns[8], dtype=np.int64),
            "end": np.asarray(columns[9], dtype=np.int64),
        }
    )


def _cache_path(folder: Path, key: str) -> Path:
    return folder / "tokens" / f"{key[:40]}.parquet"


def _read_cache(folder: Path, key: str) -> pd.DataFrame | None:
    path = _cache_path(folder, key)
    if not path.is_file():
        return None
    try:
        frame = pd.read_parquet(path)
    except Exception:  # a damaged or foreign file: recompute and overwrite
        return None
    if list(frame.columns) != list(_CORE):
        return None
    for column in ("surface", "lemma", "word", "pos", "pos1"):
        frame[column] = frame[column].astype("str")
    return frame


def _write_cache(folder: Path, key: str, frame: pd.DataFrame) -> None:
    path = _cache_path(folder, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(fd)
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except OSError as exc:
        warnings.warn(
            f"cannot write the token cache in {folder} ({exc.strerror}); set cache_dir= "
            "or COMPARE_CACHE_DIR to a writable folder, or cache=False",
            CompareWarning,
            stacklevel=3,
        )


def _assemble(
    segments: pd.DataFrame,
    order: list[str],
    rows_of: dict[str, list[int]],
    cores: dict[str, pd.DataFrame],
) -> pd.DataFrame:
    """Concatenate the plans' core tables and add plan, segment and catalogue columns."""
    frames = []
    seg_rows = []
    for plan in order:
        core = cores[plan]
        rows = rows_of[plan]
        seg_ids = segments["seg_id"].to_numpy()[rows]
        order = np.argsort(seg_ids, kind="stable")
        found = order[np.searchsorted(seg_ids, core["seg_id"].to_numpy(), sorter=order)]
        seg_rows.append(np.asarray(rows, dtype=np.int64)[found])
        frames.append(core)
    if frames:
        core = pd.concat(frames, ignore_index=True)
        rows = np.concatenate(seg_rows)
    else:
        core = _core_frame([], [])
        rows = np.zeros(0, dtype=np.int64)
    plan_col = segments["plan_id"].astype(str).to_numpy()[rows]
    table = pd.DataFrame({"plan_id": pd.array(plan_col, dtype="str")})
    for column in _CORE:
        table[column] = (
            core[column].to_numpy()
            if column not in ("surface", "lemma", "word", "pos", "pos1")
            else core[column].array
        )
    for column in _META:
        if column in segments.columns:
            values = segments[column]
            if isinstance(values.dtype, pd.CategoricalDtype):
                table[column] = pd.Categorical.from_codes(
                    values.cat.codes.to_numpy()[rows], dtype=values.dtype
                )
            else:
                # factorize the (small) segment column, then repeat its codes
                codes, uniques = pd.factorize(values.astype("str"), sort=False)
                table[column] = pd.Categorical.from_codes(
                    codes[rows], categories=pd.Index(uniques, dtype="str")
                )
    return table
