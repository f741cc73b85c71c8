"""The whole pipeline over a large corpus, streamed plan by plan with bounded memory.

:func:`run_pipeline` reads, segments, tokenizes and theme-codes every plan of
a catalogue and counts its words, and returns only small tables: per-plan
counts, theme shares per plan, and the sparse document-term matrix by plan.
It is the route for a national corpus (thousands of plans, hundreds of
millions of characters); for the rich per-segment and per-token tables of a
few plans use :func:`compare.read_corpus`, :func:`compare.tokenize` and
:func:`compare.themes_wide`, which give the same numbers.

How it stays fast and small
---------------------------
* Each plan is one task for a pool of worker processes (one MeCab tagger
  each) or, given a Dask ``client``, for the workers of a Dask cluster; a
  worker does everything for its plan (read, segment, analyse, code, count)
  and sends back a few arrays, so no token table is ever built and the
  parent holds only the running totals.  Outcomes are merged in catalogue
  order whichever worker finished first, so every route gives the same
  result files.
* Words are analysed straight into the ``word`` values of the content
  tokens and their positions (:meth:`compare.text._engine.Engine.content`)
  rather than a TOKENS table; theme rules are compiled
  (:class:`compare.themes.rules.RuleSet`) and evaluate only what the terms present
  in a segment can change.
* Each plan keeps one quotation per theme (its best-matched passage, for the
  report); a hit's evidence is evaluated only when an upper bound on its
  matched spans could beat the current pick, so this costs a few
  evaluations per theme and plan, not one per hit.
* Two caches (under ``cache_dir/pipeline``), keyed by the sha256 of the plan
  file, the tokenizer's fingerprint and a hash of the analysis code: the
  analysed words of each plan (reused when only the themes change), and the
  plan's finished counts (a warm re-run reads only these).

The numbers equal those of the non-streaming functions:
``result.dtm`` is ``stat_dtm(tokenize(segments), "plan", vocabulary=None)``
(the words as analysed; a report puts it in the comparison vocabulary with
:func:`compare.stats.matrix.compare_dtm`) and
``result.themes`` is ``stat_theme_shares(themes_wide(segments, tokens=...))``;
``result.quotes`` holds, per plan and theme, the hit of
:func:`compare.code_themes` ranked first by body text over headings, then
matched occurrences, then position.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import os
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from compare._progress import progress_callback
from compare.errors import CompareError, CompareWarning
from compare.io.catalog import METADATA_COLUMNS, plan_file, read_catalog
from compare.io.readers import sha256_file
from compare.io.spreadsheet import neutralised
from compare.stats.matrix import DocumentTermMatrix
from compare.structure.coverage import coverage_text, section_kinds
from compare.structure.segment import PATH_SEPARATOR
from compare.text.tokenizer import Tokenizer, default_cache_dir
from compare.themes.coding import EXCLUDED_KINDS, Theme, resolve_themes
from compare.themes.rules import Node, Passage, RuleSet, evaluate, span_bound

__all__ = ["PipelineResult", "run_pipeline"]

#: Stages timed in the workers, in pipeline order.
STAGES = ("read", "segment", "tokenize", "themes", "count")

#: Segment kinds counted per plan.
KINDS = ("heading", "paragraph", "list_item", "table_row", "meta")

#: Bumped when the cached arrays change layout or meaning (4: pages of the
#: quotation candidates; 5: theme hits of passages and of headings apart).
_FORMAT = 5

#: Characters of a quotation candidate kept per (plan, theme).
QUOTE_CHARS = 400

#: Top-level headings kept per plan (``covers``).
COVER_HEADINGS = 8

#: Modules whose code determines the cached results.
_CODE = (
    "io/readers.py",
    "io/encoding.py",
    "io/formats.py",
    "io/_document.py",
    "io/_pdf.py",
    "io/_docx.py",
    "io/_html.py",
    "structure/segment.py",
    "structure/_lines.py",
    "structure/_hierarchy.py",
    "structure/coverage.py",
    "text/tokenizer.py",
    "text/_engine.py",
    "text/terms.py",
    "themes/rules.py",
    "themes/coding.py",
    "pipeline.py",
)

_SEP = "\x00"  # joins words in the cache (MeCab never sees NUL, so no word has one)

#: Columns of :attr:`PipelineResult.quotes`.
QUOTE_COLUMNS = [
    "plan_id",
    "theme_id",
    "label",
    "seg_id",
    "kind",
    "heading_path",
    "line_start",
    "line_end",
    "page",
    "page_label",
    "n_matches",
    "evidence",
    "text",
]


@dataclass(frozen=True)
class PipelineResult:
    """What :func:`run_pipeline` returns: small tables about a large corpus.

    Attributes
    ----------
    plans : pandas.DataFrame
        One row per plan in catalogue order: ``plan_id``, the catalogue
        labels (municipality … doc_kind), ``chars`` (characters of segment
        text), ``n_segments``, one ``n_<kind>`` column per segment kind,
        ``n_coded`` (segments theme coding sees: all but ``meta``),
        ``n_passages`` (of those, the passages: all but headings),
        ``n_tokens`` (content words of the coded segments),
        ``n_passage_tokens`` (content words of the passages), ``sha256``,
        ``cached`` (``"result"``, ``"tokens"`` or ``""``: what the cache
        supplied), ``covers`` (the plan's top-level headings, at most
        eight, joined by " / "), ``coverage`` (document kind and the kinds
        of section it has, :func:`compare.structure.coverage.plan_coverage`)
        and ``section_kinds`` (those kind ids, comma-separated).
    themes : pandas.DataFrame
        One row per (plan, theme): ``plan_id``, ``theme_id``, ``label``,
        ``segments`` (passages coded with the theme), ``n_segments``
        (passages of the plan: paragraphs, list items, table rows; headings
        are not passages), ``share``, ``n_tokens`` (content words of the
        passages), ``per_1000_tokens``: the columns of
        :func:`compare.stat_theme_shares`.
    heading_themes : pandas.DataFrame
        The same columns counting the plan's headings only;
        :meth:`theme_counts` adds them to ``themes`` (``headings=True``).
    dtm : DocumentTermMatrix
        Plans × words counts (content words of non-meta segments), as
        ``stat_dtm(tokens, "plan", vocabulary=None)``: terms sorted by code point; plans with
        no counted word have no row.
    quotes : pandas.DataFrame
        Quotation candidates: per (plan, theme) the best passage coded with
        the theme, chosen as the report does (body text before headings,
        then most matched occurrences, then source order).  Columns:
        ``plan_id``, ``theme_id``, ``label``, ``seg_id``, ``kind``,
        ``heading_path``, ``line_start``, ``line_end``, ``page`` and
        ``page_label`` (the page the passage is printed on and its printed
        label, for PDF sources; ``<NA>`` and ``""`` otherwise),
        ``n_matches``, ``evidence`` (matched words, comma-separated), ``text`` (at most
        ``QUOTE_CHARS`` characters).  Plans in catalogue order, themes in
        catalogue order; a theme a plan never codes has no row.
    provenance : dict
        Package version, dictionary and tokenizer settings, theme ids,
        catalogue path and hash, cache folder and the code hash.
    timings : dict
        Seconds per stage summed over the plans, as measured where each plan
        ran (``read``: hashing the file; ``segment``: decoding and
        segmenting; ``tokenize``; ``themes``: coding and counting words;
        ``count``: merging in this process), the same as CPU seconds
        (``read_cpu`` …), and ``wall`` for the whole run.
    """

    plans: pd.DataFrame
    themes: pd.DataFrame
    dtm: DocumentTermMatrix | None
    provenance: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    quotes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUOTE_COLUMNS))
    heading_themes: pd.DataFrame | None = None

    def theme_counts(self, *, headings: bool = False) -> pd.DataFrame:
        """Theme counts per plan (the columns of ``themes``), with headings as passages if asked.

        ``themes`` counts passages (paragraphs, list items, table rows);
        ``headings=True`` adds the coded headings to ``segments``,
        ``n_segments`` and ``n_tokens``, as
        ``stat_theme_shares(wide, headings=True)``.
        """
        if not headings or self.heading_themes is None:
            return self.themes
        out = self.themes.copy()
        for column in ("segments", "n_segments", "n_tokens"):
            out[column] = out[column] + self.heading_themes[column].to_numpy()
        n_seg, n_tok = out["n_segments"], out["n_tokens"]
        out["share"] = out["segments"] / n_seg.where(n_seg > 0)
        out["per_1000_tokens"] = out["segments"] * 1000.0 / n_tok.where(n_tok > 0)
        return out

    def write(self, folder: str | Path) -> list[Path]:
        """Write the results into ``folder`` (created if needed); return the files written.

        ``plans.csv``, ``themes.csv``, ``quotes.csv`` (UTF-8 with BOM, for Excel),
        ``dtm.npz`` (the count matrix, :func:`scipy.sparse.load_npz`),
        ``terms.csv`` and ``documents.csv`` (its columns and rows) and
        ``provenance.json`` (with the timings).  Text that a spreadsheet would
        read as a formula (``=…``, ``+…``, ``-…``, ``@…``) is written with a
        leading ``'``, as in the report's tables
        (:func:`compare.io.spreadsheet.neutralise`).
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, frame in (
            ("plans", self.plans),
            ("themes", self.themes),
            ("quotes", self.quotes),
        ):
            path = out / f"{name}.csv"
            neutralised(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
            written.append(path)
        if self.dtm is not None:
            path = out / "dtm.npz"
            sp.save_npz(path, self.dtm.counts)
            written.append(path)
            for name, frame in (("terms", self.dtm.terms), ("documents", self.dtm.documents)):
                path = out / f"{name}.csv"
                neutralised(frame).to_csv(
                    path, index=False, encoding="utf-8-sig", lineterminator="\n"
                )
                written.append(path)
        path = out / "provenance.json"
        blob = {**self.provenance, "timings": self.timings}
        path.write_text(
            json.dumps(blob, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
        written.append(path)
        return written


@dataclass
class _Job:
    """Everything a worker needs, built once per run (plain data; picklable)."""

    tokenizer: Tokenizer
    themes: list[Theme]
    fingerprint: str  # tokenizer settings + dictionary
    themes_key: str
    code_key: str
    folder: Path | None  # cache folder, None without cache


# --------------------------------------------------------------------------- public


def run_pipeline(
    catalog: str | Path | pd.DataFrame | None = None,
    themes: Any = None,
    tokenizer: Tokenizer | None = None,
    *,
    n_jobs: int | None = None,
    cache: bool = True,
    cache_dir: str | Path | None = None,
    progress: bool | None = None,
    client: Any = None,
) -> PipelineResult:
    """Run read → segment → tokenize → theme coding → document-term matrix on a corpus.

    Parameters
    ----------
    catalog
        None for the bundled corpus, a catalogue CSV, or a catalogue read
        with :func:`compare.read_catalog`.
    themes
        Theme catalogue, as for :func:`compare.code_themes` (None: defaults).
    tokenizer
        The :class:`compare.Tokenizer` (default settings if None).
    n_jobs
        Worker processes; None uses every CPU (at most 8) when the corpus
        has more than one plan, 1 runs in this process.
    cache
        Reuse and store the analysed words and the finished counts of each
        plan (see the module notes).
    cache_dir
        Cache folder (default :func:`compare.text.tokenizer.default_cache_dir`).
    progress
        Show a progress bar over characters (tqdm, standard error); None
        shows one for more than one plan.
    client
        A ``distributed.Client`` connected to a Dask cluster: each plan is
        one task on its workers instead of a local process (``n_jobs`` is
        then ignored).  The workers read the plan files and the cache folder
        by the same paths as this process, so on a multi-machine cluster
        both must sit on a shared file system; every plan's counts come back
        to this process, which merges them as the local route does.

    Returns
    -------
    PipelineResult
        ``plans``, ``themes`` (theme shares per plan), ``dtm`` (sparse
        counts by plan), ``provenance`` and ``timings``.

    Raises
    ------
    CompareError
        The first plan that cannot be read, naming it (InputFileError …).
    """
    start = time.perf_counter()
    cat = catalog if isinstance(catalog, pd.DataFrame) else read_catalog(catalog)
    tokenizer = tokenizer if tokenizer is not None else Tokenizer()
    if not isinstance(tokenizer, Tokenizer):
        raise CompareError(f"tokenizer must be a compare.Tokenizer, not {type(tokenizer).__name__}")
    theme_list, _own = resolve_themes(themes)
    folder = (Path(cache_dir) if cache_dir is not None else default_cache_dir()) / "pipeline"
    job = _Job(
        tokenizer=tokenizer,
        themes=theme_list,
        fingerprint=tokenizer.fingerprint(),
        themes_key=_hash([(t.id, t.label, t.rule) for t in theme_list]),
        code_key=code_hash(),
        folder=folder if cache else None,
    )
    records = [
        (str(row["plan_id"]), str(plan_file(cat, str(row["plan_id"]))))
        for row in cat.to_dict(orient="records")
    ]
    sizes = [_size(path) for _, path in records]
    if n_jobs is None:
        n_jobs = min(os.cpu_count() or 1, 8) if len(records) > 1 else 1
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise CompareError(f"n_jobs must be a positive integer or None, not {n_jobs!r}")
    executor = _executor(job, n_jobs, client)
    show = len(records) > 1 if progress is None else bool(progress)

    totals = _Totals(theme_list)
    bar = progress_callback(sum(sizes), show, unit="B", desc="pipeline")
    try:
        for outcome, size in zip(executor.outcomes(records), sizes, strict=True):
            totals.add(outcome)
            bar(size)
    finally:
        bar(None)
    count_start, count_cpu = time.perf_counter(), time.process_time()
    plans = totals.plans_frame(cat)
    dtm = totals.dtm(plans)
    totals.timings["count"] += time.perf_counter() - count_start
    totals.timings["count_cpu"] += time.process_time() - count_cpu
    provenance = {
        **_package_provenance(),
        **tokenizer.provenance(),
        "themes": [t.id for t in theme_list],
        "catalog_path": cat.attrs.get("catalog_path", ""),
        "catalog_sha256": cat.attrs.get("catalog_sha256", ""),
        "cache_dir": str(folder) if cache else "",
        "code_hash": job.code_key,
        "n_jobs": executor.workers,
        "scheduler": executor.address,
    }
    timings = {**totals.timings, "wall": time.perf_counter() - start}
    return PipelineResult(
        plans=plans,
        themes=totals.themes_frame(plans),
        heading_themes=totals.themes_frame(plans, headings=True),
        dtm=dtm,
        provenance=provenance,
        timings=timings,
        quotes=totals.quotes_frame(plans),
    )


def code_hash() -> str:
    """Hash of the source of the modules that determine the pipeline's results."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(str(_FORMAT).encode())
    for name in _CODE:
        path = here / name
        digest.update(name.encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------- running


class _LocalExecutor:
    """Plans run in this process (one worker) or a local process pool."""

    address = ""

    def __init__(self, job: _Job, workers: int) -> None:
        self.job = job
        self.workers = workers

    def outcomes(self, records: list[tuple[str, str]]) -> Iterator[dict]:
        """Plan outcomes in catalogue order."""
        if self.workers == 1 or len(records) <= 1:
            _init(self.job)
            yield from map(_plan_task, records)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Linux: "fork" starts workers at once and shares the parent's loaded
        # modules; elsewhere the platform default ("spawn").
        context = multiprocessing.get_context(
            "fork" if sys.platform.startswith("linux") else "spawn"
        )
        with ProcessPoolExecutor(
            max_workers=min(self.workers, len(records)),
            mp_context=context,
            initializer=_worker_init,
            initargs=(self.job,),
        ) as pool:
            yield from pool.map(_plan_task, records, chunksize=1)


class _DaskExecutor:
    """Plans run as tasks on a Dask cluster through a ``distributed.Client``.

    The job (tokenizer settings, themes, cache keys) is sent to every worker
    once; each task names its plan and returns the same arrays as a local
    worker.  Tasks are submitted all at once (the scheduler balances them)
    and gathered in catalogue order, each released as soon as it is merged.
    """

    def __init__(self, job: _Job, client: Any) -> None:
        self.job = job
        self.client = client
        self.address = str(getattr(client.scheduler, "address", "") or "")
        self.workers = max(1, sum(client.nthreads().values()))

    def outcomes(self, records: list[tuple[str, str]]) -> Iterator[dict]:
        """Plan outcomes in catalogue order."""
        if not records:
            return
        job = self.client.scatter(self.job, broadcast=True, hash=False)
        futures = self.client.map(_remote_task, records, job=job, pure=False)
        try:
            for index, future in enumerate(futures):
                yield future.result()
                futures[index] = None  # let the cluster forget it
                future.release()
        finally:
            self.client.cancel([f for f in futures if f is not None])
            job.release()


def _executor(job: _Job, n_jobs: int, client: Any) -> _LocalExecutor | _DaskExecutor:
    """Where the plans run: the Dask cluster of ``client``, else local processes."""
    if client is None:
        return _LocalExecutor(job, n_jobs)
    if not callable(getattr(client, "map", None)) or not hasattr(client, "scatter"):
        raise CompareError(
            f"client must be a distributed.Client connected to a Dask scheduler, "
            f"not {type(client).__name__}"
        )
    return _DaskExecutor(job, client)


class _ThreadState(threading.local):
    """Per-thread tokenizer engine and compiled rules (a Dask worker may run several threads)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.values[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


_STATE = _ThreadState()


def _init(job: _Job) -> None:
    """Set up this process's tokenizer engine and compiled rules."""
    _STATE["job"] = job
    _STATE["engine"] = job.tokenizer._engine()
    _STATE["rules"] = RuleSet([t.node for t in job.themes])


def _worker_init(job: _Job) -> None:
    """:func:`_init` in a worker process, with rarer garbage collections.

    A plan allocates millions of short-lived objects (words, tuples) but few
    reference cycles, so the default young-generation threshold (700) runs
    collections that find almost nothing; 50,000 saved 5-7 % of the CPU
    time on generated plans.  Only workers: the caller's process keeps its
    own settings.
    """
    gc.set_threshold(50_000, 20, 100)
    _init(job)


def _remote_task(record: tuple[str, str], job: _Job) -> dict:
    """:func:`_plan_task` on a Dask worker, setting up the job on its first plan.

    The worker's garbage-collection threshold is raised as in
    :func:`_worker_init` while the plan runs and restored afterwards: the
    worker process may serve other work too.
    """
    key = (job.fingerprint, job.themes_key, job.code_key, str(job.folder))
    if _STATE.get("key") != key:
        _init(job)
        _STATE["key"] = key
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        return _plan_task(record)
    finally:
        gc.set_threshold(*threshold)


def _plan_task(record: tuple[str, str]) -> dict:
    """Everything for one plan: returns its counts (see :class:`_Totals`)."""
    try:
        return _plan_work(record)
    except CompareError as error:
        raise type(error)(f"plan {record[0]!r}: {error}") from None


def _plan_work(record: tuple[str, str]) -> dict:
    plan_id, path = record
    job: _Job = _STATE["job"]
    clock = _Clock()
    sha = sha256_file(path)
    result_key = _hash([job.code_key, job.fingerprint, job.themes_key, sha])
    words_key = _hash([job.code_key, job.fingerprint, sha])
    clock.lap("read")
    cached = _load(job.folder, "results", result_key)
    if cached is not None:
        cached.update(plan_id=plan_id, cached="result", timings=clock.times)
        return cached
    segments = _read_segments(path, plan_id)
    clock.lap("segment")
    texts = segments["text"].tolist()  # the segmenter gives every text column as str
    analysed = _load(job.folder, "words", words_key)
    how = "tokens" if analysed is not None else ""
    if analysed is None:
        words, positions = _analyse(texts)
        if job.folder is not None:
            _store(job.folder, "words", words_key, _pack_analysis(words, positions))
    else:
        words, positions = _unpack(analysed)
    clock.lap("tokenize")
    outcome = _code_and_count(segments, texts, words, positions)
    clock.lap("themes")
    outcome["sha256"] = sha
    _store(job.folder, "results", result_key, outcome)
    outcome.update(plan_id=plan_id, cached=how, timings=clock.times)
    return outcome


def _read_segments(path: str, plan_id: str) -> pd.DataFrame:
    from compare.structure.segment import read_plan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        frame = read_plan(path, plan_id=plan_id)
    # The pipeline reads no provenance from attrs, and pandas deep-copies them
    # into the result of every column operation.
    frame.attrs = {}
    return frame


def _analyse(texts: list[str]) -> tuple[list[list[str]], list[list[int]]]:
    """Content words and their token positions, per segment."""
    content = _STATE["engine"].content
    pairs = [content(text) for text in texts]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _pack_analysis(words: list[list[str]], positions: list[list[int]]) -> dict[str, np.ndarray]:
    """The analysed words of a plan as compact arrays (for the cache).

    ``vocab`` lists the distinct words in order of first appearance and
    ``codes`` indexes it; segment ``k`` is ``codes[bounds[k]:bounds[k + 1]]``.
    """
    vocab = dict.fromkeys(itertools.chain.from_iterable(words))
    index = {word: code for code, word in enumerate(vocab)}
    flat = itertools.chain.from_iterable(words)
    n_words = sum(map(len, words))
    return {
        "vocab": _pack_words(list(vocab)),
        "codes": np.fromiter(map(index.__getitem__, flat), dtype=np.int32, count=n_words),
        "positions": np.fromiter(
            itertools.chain.from_iterable(positions), dtype=np.int32, count=n_words
        ),
        "bounds": np.fromiter(
            itertools.accumulate(map(len, words), initial=0), dtype=np.int64, count=len(words) + 1
        ),
    }


def _unpack(arrays: dict[str, np.ndarray]) -> tuple[list[list[str]], list[list[int]]]:
    vocab = _unpack_words(arrays["vocab"])
    codes = arrays["codes"].tolist()
    positions = arrays["positions"].tolist()
    bounds = arrays["bounds"].tolist()
    words = [[vocab[c] for c in codes[a:b]] for a, b in itertools.pairwise(bounds)]
    pos = [positions[a:b] for a, b in itertools.pairwise(bounds)]
    return words, pos


def _code_and_count(
    segments: pd.DataFrame,
    texts: list[str],
    words: list[list[str]],
    positions: list[list[int]],
) -> dict:
    """Theme hits, segment counts and word counts of one plan."""
    rules: RuleSet = _STATE["rules"]
    n_themes = len(rules.nodes)
    kinds = segments["kind"].tolist()
    paths = segments["heading_path"].tolist()
    hits = [0] * n_themes  # passages (paragraphs, list items, table rows)
    heading_hits = [0] * n_themes
    best = _Candidates(n_themes)
    counter: Counter[str] = Counter()
    n_coded = n_tokens = n_heading_tokens = 0
    for row, (kind, path, text, seg_words, seg_pos) in enumerate(
        zip(kinds, paths, texts, words, positions, strict=True)
    ):
        if kind in EXCLUDED_KINDS:
            continue
        n_coded += 1
        n_tokens += len(seg_words)
        counter.update(seg_words)
        passage = Passage(
            words=seg_words,
            positions=seg_pos,
            heading_path=path,
            section=path.rsplit(PATH_SEPARATOR, 1)[-1],
            kind=kind,
            text=text if rules.uses_text else "",  # only text: conditions read it
        )
        body = kind != "heading"
        counted = hits if body else heading_hits
        if not body:
            n_heading_tokens += len(seg_words)
        for index, node, terms in rules.holding(passage):
            counted[index] += 1
            best.offer(index, row, body, passage, (node, terms))
    kind_counts = Counter(kinds)
    terms = list(counter)
    return {
        **best.arrays(segments, texts),
        "covers": _pack_words(_covers(segments)),
        "sections": _pack_words(_sections(segments)),
        "chars": np.int64(sum(map(len, texts))),
        "n_segments": np.int64(len(kinds)),
        "kinds": np.asarray([kind_counts.get(k, 0) for k in KINDS], dtype=np.int64),
        "n_coded": np.int64(n_coded),
        "n_tokens": np.int64(n_tokens),
        "n_heading_tokens": np.int64(n_heading_tokens),
        "hits": np.asarray(hits, dtype=np.int64),
        "heading_hits": np.asarray(heading_hits, dtype=np.int64),
        "vocab": _pack_words(terms),
        "counts": np.asarray([counter[t] for t in terms], dtype=np.int64),
    }


class _Candidates:
    """The best quotation candidate of each theme within one plan.

    Ranked as the report ranks quotations: body text before headings, then
    most matched occurrences (distinct spans), then the earliest segment.
    A hit's evidence is evaluated only when its span bound
    (:func:`compare.themes.rules.span_bound`) says it could beat the current
    candidate: the same pick as evaluating every hit, with a few
    evaluations per theme instead of one per hit.
    """

    def __init__(self, n_themes: int) -> None:
        self.rank: list[tuple[int, int] | None] = [None] * n_themes
        self.row = [-1] * n_themes
        self.evidence = [""] * n_themes

    def offer(
        self, index: int, row: int, body: bool, passage: Passage, hit: tuple[Node, tuple[str, ...]]
    ) -> None:
        """Consider a hit of theme ``index`` on segment ``row`` (hits arrive in row order)."""
        current = self.rank[index]
        if current is not None:
            if current[0] and not body:
                return  # a heading never beats body text
            if current[0] == body and span_bound(hit[1], passage) <= current[1]:
                return  # cannot match more often; ties go to the earlier segment
        result = evaluate(hit[0], passage)
        rank = (int(body), len(set(result.spans)))
        if current is None or rank > current:
            self.rank[index] = rank
            self.row[index] = row
            self.evidence[index] = ", ".join(dict.fromkeys(result.evidence(passage)))

    def arrays(self, segments: pd.DataFrame, texts: list[str]) -> dict[str, np.ndarray]:
        rows = self.row
        picked = [r for r in rows if r >= 0]
        frame = segments.iloc[picked] if picked else segments.iloc[:0]
        seg_ids = iter(frame["seg_id"].astype("int64").tolist())
        starts = iter(frame["line_start"].astype("int64").tolist())
        ends = iter(frame["line_end"].astype("int64").tolist())
        pages = iter(_pages(frame))
        kinds = iter(frame["kind"].astype(str).tolist())
        paths = iter(frame["heading_path"].fillna("").astype(str).tolist())
        numbers, strings = [], []
        for index, row in enumerate(rows):
            if row < 0:
                numbers.append((-1, 0, 0, 0, 0))
                strings.extend(["", "", "", "", ""])
                continue
            page, label = next(pages)
            numbers.append((next(seg_ids), next(starts), next(ends), page, self.rank[index][1]))
            text = texts[row][:QUOTE_CHARS]
            strings.extend([next(kinds), next(paths), label, self.evidence[index], text])
        return {
            "quote_numbers": np.asarray(numbers, dtype=np.int64).reshape(-1, 5),
            "quote_strings": _pack_words([_clean(x) for x in strings]),
        }


def _pages(frame: pd.DataFrame) -> list[tuple[int, str]]:
    """Page (0 without pages) and printed page label of each segment row."""
    if "page" not in frame.columns:
        return [(0, "")] * len(frame)
    pages = frame["page"].astype("Int64").fillna(0).astype("int64").tolist()
    labels = frame.get("page_label", pd.Series([""] * len(frame), index=frame.index))
    return list(zip(pages, labels.fillna("").astype(str).tolist(), strict=True))


def _clean(text: str) -> str:
    return text.replace(_SEP, "")


def _sections(segments: pd.DataFrame) -> list[str]:
    """The kinds of section the plan has (:func:`compare.structure.coverage.section_kinds`)."""
    return list(section_kinds(segments))


def _covers(segments: pd.DataFrame) -> list[str]:
    """The top-level headings of a plan (its chapters), shortened."""
    headings = segments[segments["kind"] == "heading"]
    if headings.empty:
        return []
    top = headings[headings["level"] == headings["level"].min()]["text"].astype(str)
    return [_clean(" ".join(t.split())[:40]) for t in top.head(COVER_HEADINGS)]


# --------------------------------------------------------------------------- merging


class _Totals:
    """Running totals in the parent: per-plan rows and the sparse matrix parts."""

    def __init__(self, themes: list[Theme]) -> None:
        self.themes = themes
        self.rows: list[dict[str, Any]] = []
        self.vocab: dict[str, int] = {}
        self.indices: list[np.ndarray] = []
        self.data: list[np.ndarray] = []
        self.hits: list[np.ndarray] = []
        self.heading_hits: list[np.ndarray] = []
        self.quotes: list[tuple[np.ndarray, list[str]]] = []
        self.covers: list[str] = []
        self.sections: list[list[str]] = []
        self.timings = {**dict.fromkeys(STAGES, 0.0), **{f"{s}_cpu": 0.0 for s in STAGES}}

    def add(self, outcome: dict) -> None:
        for stage, seconds in outcome["timings"].items():
            self.timings[stage] += seconds
        vocab = self.vocab
        terms = _unpack_words(outcome["vocab"])
        ids = np.fromiter(
            (vocab.setdefault(t, len(vocab)) for t in terms), dtype=np.int64, count=len(terms)
        )
        self.indices.append(ids)
        self.data.append(np.asarray(outcome["counts"], dtype=np.int64))
        self.hits.append(np.asarray(outcome["hits"], dtype=np.int64))
        self.heading_hits.append(np.asarray(outcome["heading_hits"], dtype=np.int64))
        self.quotes.append(
            (np.asarray(outcome["quote_numbers"]), _unpack_words(outcome["quote_strings"]))
        )
        self.covers.append(" / ".join(_unpack_words(outcome["covers"])))
        self.sections.append(_unpack_words(outcome["sections"]))
        kinds = np.asarray(outcome["kinds"]).tolist()
        self.rows.append(
            {
                "plan_id": outcome["plan_id"],
                "chars": int(outcome["chars"]),
                "n_segments": int(outcome["n_segments"]),
                **{f"n_{k}": int(v) for k, v in zip(KINDS, kinds, strict=True)},
                "n_coded": int(outcome["n_coded"]),
                "n_passages": int(outcome["n_coded"]) - int(kinds[KINDS.index("heading")]),
                "n_tokens": int(outcome["n_tokens"]),
                "n_passage_tokens": int(outcome["n_tokens"]) - int(outcome["n_heading_tokens"]),
                "sha256": str(outcome["sha256"]),
                "cached": outcome["cached"],
            }
        )

    def plans_frame(self, catalog: pd.DataFrame) -> pd.DataFrame:
        counts = pd.DataFrame(self.rows)
        labels = catalog[["plan_id", *METADATA_COLUMNS]].astype(str).reset_index(drop=True)
        frame = pd.concat([labels, counts.drop(columns="plan_id")], axis=1)
        frame["covers"] = self.covers
        frame["coverage"] = [
            coverage_text(kind, kinds)
            for kind, kinds in zip(frame["doc_kind"], self.sections, strict=True)
        ]
        frame["section_kinds"] = [",".join(kinds) for kinds in self.sections]
        for column in ("plan_id", *METADATA_COLUMNS, "sha256", "cached"):
            frame[column] = frame[column].astype(str)
        return frame

    def quotes_frame(self, plans: pd.DataFrame) -> pd.DataFrame:
        rows = []
        for plan_id, (numbers, strings) in zip(plans["plan_id"], self.quotes, strict=True):
            for index, theme in enumerate(self.themes):
                seg_id, start, end, page, n_matches = (int(v) for v in numbers[index])
                if seg_id < 0:
                    continue
                kind, path, label, evidence, text = strings[5 * index : 5 * index + 5]
                rows.append(
                    (
                        plan_id,
                        theme.id,
                        theme.label,
                        seg_id,
                        kind,
                        path,
                        start,
                        end,
                        page or None,
                        label,
                        n_matches,
                        evidence,
                        text,
                    )
                )
        frame = pd.DataFrame(rows, columns=QUOTE_COLUMNS)
        for column in ("seg_id", "line_start", "line_end", "n_matches"):
            frame[column] = frame[column].astype("int64")
        frame["page"] = frame["page"].astype("Int64")
        frame["page_label"] = frame["page_label"].astype(object)
        return frame

    def themes_frame(self, plans: pd.DataFrame, *, headings: bool = False) -> pd.DataFrame:
        """Theme counts per plan over passages, or over headings only (``headings=True``)."""
        # The columns of stat_theme_shares, so the report's statistics read these counts as
        # they are; imported here, as scipy.stats is, only when the counts are read.
        from compare.stats.themes import SHARE_COLUMNS

        rows = []
        hits_of = self.heading_hits if headings else self.hits
        for row, hits in zip(plans.itertuples(index=False), hits_of, strict=True):
            if headings:
                n_seg = int(row.n_coded) - int(row.n_passages)
                n_tok = int(row.n_tokens) - int(row.n_passage_tokens)
            else:
                n_seg, n_tok = int(row.n_passages), int(row.n_passage_tokens)
            for theme, count in zip(self.themes, hits.tolist(), strict=True):
                rows.append(
                    (
                        row.plan_id,
                        theme.id,
                        theme.label,
                        count,
                        n_seg,
                        count / n_seg if n_seg else float("nan"),
                        n_tok,
                        count * 1000.0 / n_tok if n_tok else float("nan"),
                    )
                )
        frame = pd.DataFrame(rows, columns=["plan_id", *SHARE_COLUMNS])
        for column in ("segments", "n_segments", "n_tokens"):
            frame[column] = frame[column].astype("int64")
        return frame

    def dtm(self, plans: pd.DataFrame) -> DocumentTermMatrix | None:
        """The plans × words count matrix, columns sorted by code point."""
        keep = [i for i, data in enumerate(self.data) if data.sum() > 0]
        if not keep or not self.vocab:
            return None
        terms = np.asarray(list(self.vocab), dtype=object)
        order = np.argsort(terms.astype(str), kind="stable")
        new_id = np.empty(len(order), dtype=np.int64)
        new_id[order] = np.arange(len(order))
        indices = [new_id[self.indices[i]] for i in keep]
        data = [self.data[i] for i in keep]
        indptr = np.concatenate([[0], np.cumsum([len(x) for x in indices])])
        counts = sp.csr_matrix(
            (np.concatenate(data), np.concatenate(indices), indptr),
            shape=(len(keep), len(order)),
            dtype=np.int64,
        )
        counts.sort_indices()
        term_table = pd.DataFrame(
            {
                "term_id": np.arange(len(order), dtype=np.int64),
                "term": terms[order],
                "doc_freq": np.asarray((counts > 0).sum(axis=0)).ravel().astype(np.int64),
                "count": np.asarray(counts.sum(axis=0)).ravel().astype(np.int64),
            }
        )
        documents = plans.iloc[keep][["plan_id", *METADATA_COLUMNS]].reset_index(drop=True)
        documents.insert(0, "doc", np.arange(len(keep), dtype=np.int64))
        documents["label"] = documents["plan_id"].astype(object)
        documents["n_tokens"] = np.asarray(counts.sum(axis=1)).ravel().astype(np.int64)
        params = {
            "by": ["plan_id"],
            "weighting": "count",
            "min_df": 1,
            "max_df": 1.0,
            "max_features": None,
            "content_only": True,
            "include_meta": False,
        }
        return DocumentTermMatrix(
            matrix=counts,
            counts=counts,
            documents=documents,
            terms=term_table,
            weighting="count",
            by=("plan_id",),
            params=params,
        )


# --------------------------------------------------------------------------- helpers


class _Clock:
    """Seconds (wall and CPU of this process) per stage of one task."""

    def __init__(self) -> None:
        self.times = {**dict.fromkeys(STAGES, 0.0), **{f"{s}_cpu": 0.0 for s in STAGES}}
        self._last = time.perf_counter()
        self._last_cpu = time.process_time()

    def lap(self, stage: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.times[stage] += now - self._last
        self.times[f"{stage}_cpu"] += cpu - self._last_cpu
        self._last, self._last_cpu = now, cpu


def _hash(value: Any) -> str:
    blob = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _pack_words(words: Sequence[str]) -> np.ndarray:
    return np.frombuffer(_SEP.join(words).encode("utf-8", "surrogatepass"), dtype=np.uint8)


def _unpack_words(packed: np.ndarray) -> list[str]:
    if not len(packed):
        return []
    return np.asarray(packed, dtype=np.uint8).tobytes().decode("utf-8", "surrogatepass").split(_SEP)


def _cache_file(folder: Path, kind: str, key: str) -> Path:
    return folder / kind / f"{key[:40]}.npz"


def _load(folder: Path | None, kind: str, key: str) -> dict | None:
    if folder is None:
        return None
    path = _cache_file(folder, kind, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except Exception:  # a damaged or foreign file: recompute and overwrite
        return None


def _store(folder: Path | None, kind: str, key: str, arrays: dict) -> None:
    if folder is None:
        return
    path = _cache_file(folder, kind, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **{k: np.asarray(v) for k, v in arrays.items()})
        os.replace(tmp, path)
    except OSError as exc:
        warnings.warn(
            f"cannot write the pipeline cache in {folder} ({exc.strerror}); set cache_dir= "
            "or COMPARE_CACHE_DIR to a writable folder, or cache=False",
            CompareWarning,
            stacklevel=4,
        )


def _package_provenance() -> dict[str, Any]:
    from compare._version import __version__

    return {"compare_version": __version__}
