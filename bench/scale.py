"""National scale: the whole pipeline on generated corpora of growing size.

Run from the repository root::

    python bench/scale.py [--sizes 1M,10M,100M] [--jobs 2] [--seed 0] [--workdir DIR]
        [--speedup-chars 10M] [--speedup-rounds 3] [--multiples-chars 3M] [--rounds 3]
    python bench/scale.py --multiples-only [--multiples-chars 3M] [--rounds 3]

First (and alone with ``--multiples-only``): the per-stage multiples of plain
MeCab.  A corpus of ``--multiples-chars`` is generated (realistic vocabulary,
most lines distinct), then in ``--rounds`` alternating rounds in one process:
plain MeCab (``fugashi.Tagger()`` iterating the nodes of every segment's text,
reading the surface) and the pipeline with one worker and no cache.  Printed
per stage: the median CPU seconds per million characters and its multiple of
plain MeCab's median in the same rounds (the figure that carries over between
machines and moments of a shared machine), and the whole pipeline's multiple.

For each size a corpus is generated with ``bench/make_corpus.py`` in a
temporary folder (removed afterwards), then :func:`compare.pipeline.run_pipeline`
runs in a fresh child process, twice: cold (empty cache) and warm (the same
cache).  Printed per size and stage: seconds (summed over the worker
processes: each plan's read, segment, tokenize, themes and count steps are
timed where they run), characters per second per worker, the end-to-end wall
time, peak memory (the sum of the resident sets of the child and its workers,
sampled every 0.1 s; pages shared after fork count once per process, so this
overestimates), the cache size, and the warm re-run time.  Then the fitted
exponent ``b`` of ``time = a * size**b`` per stage (1 = linear), and
tokenization with 2 worker processes against 1 next to a control (a busy
loop in 2 processes against 1: what the machine's free cores allow at that
moment).  Last, a speed reference: plain fugashi on the same text, and the
largest run's CPU time as a multiple of it (a ratio that carries over to a
faster or slower machine).  The load average is printed with every
measurement: other jobs on the machine lengthen wall times.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds scripts named like standard modules (tokenize.py); keep them off the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import psutil  # noqa: E402

STAGES = ("read", "segment", "tokenize", "themes", "count")


def load_sibling(stem: str, name: str):
    """A sibling script of this folder as a module named ``name``.

    Loaded by path because this folder is kept off ``sys.path`` (see above).
    """
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, _HERE / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}/{five:.2f}/{fifteen:.2f}"


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --------------------------------------------------------------------------- child


def child(catalog: str, cache: str, jobs: int) -> None:
    """Run the pipeline once and print its figures as JSON (in a fresh process)."""
    from compare.errors import CompareWarning
    from compare.pipeline import run_pipeline

    warnings.simplefilter("ignore", CompareWarning)
    start = time.perf_counter()
    result = run_pipeline(catalog, n_jobs=jobs, cache_dir=cache, progress=False)
    wall = time.perf_counter() - start
    plans = result.plans
    dtm = result.dtm
    print(
        json.dumps(
            {
                "wall": wall,
                "timings": result.timings,
                "plans": len(plans),
                "chars": int(plans["chars"].sum()),
                "segments": int(plans["n_segments"].sum()),
                "tokens": int(plans["n_tokens"].sum()),
                "vocabulary": int(dtm.shape[1]) if dtm is not None else 0,
                "nnz": int(dtm.counts.nnz) if dtm is not None else 0,
                "theme_hits": int(result.themes["segments"].sum()),
                "cached": sorted(set(plans["cached"])),
            }
        )
    )


def run_child(catalog: Path, cache: Path, jobs: int) -> tuple[dict, int]:
    """Run :func:`child` in a subprocess; return its figures and the peak RSS (bytes)."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        str(catalog),
        str(cache),
        str(jobs),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            parent = psutil.Process(process.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            try:
                members = [parent, *parent.children(recursive=True)]
                total = 0
                for member in members:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        total += member.memory_info().rss
                peak = max(peak, total)
            except psutil.NoSuchProcess:
                return
            time.sleep(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, _ = process.communicate()
    done.set()
    thread.join()
    if process.returncode != 0:
        raise SystemExit(f"pipeline child failed with exit code {process.returncode}")
    return json.loads(out.strip().splitlines()[-1]), peak


# --------------------------------------------------------------------------- parallel


def busy(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def control_speedup(n: int = 30_000_000) -> float:
    """Speed-up of 2 processes over 1 on a busy loop (about 2 on two idle cores)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    start = time.perf_counter()
    busy(n)
    busy(n)
    serial = time.perf_counter() - start
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        start = time.perf_counter()
        list(pool.map(busy, [n, n]))
        parallel = time.perf_counter() - start
    return serial / parallel


def tokenize_speedup(catalog: Path, chars: int, rounds: int) -> dict:
    """``Tokenizer.words_batch`` with 1 and 2 workers on about ``chars`` of segment text.

    Best of ``rounds`` alternating runs each, so a moment when another job
    held a core does not decide the ratio; the 2-worker time includes starting
    the workers and loading their dictionaries.
    """
    from compare import Tokenizer, read_catalog, read_plan
    from compare.errors import CompareWarning
    from compare.io.catalog import plan_file

    cat = read_catalog(catalog, check_files=False)
    texts: list[str] = []
    total = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        for plan_id in cat["plan_id"]:
            texts += read_plan(plan_file(cat, plan_id))["text"].astype(str).tolist()
            total = sum(map(len, texts))
            if total >= chars:
                break
    tokenizer = Tokenizer()
    tokenizer.words("準備")
    figures = {"chars": total, "load_before": load(), "rounds": rounds}
    ones, twos, controls, raws = [], [], [], []
    identical = True
    raw_fugashi = load_sibling("tokenize", "bench_tokenize").raw_fugashi
    for _ in range(rounds):  # alternate, keep the best of each: other jobs only slow things
        raws.append(raw_fugashi(texts)[1])  # CPU seconds
        start = time.perf_counter()
        one = tokenizer.words_batch(texts, n_jobs=1, progress=False)
        ones.append(time.perf_counter() - start)
        start = time.perf_counter()
        two = tokenizer.words_batch(texts, n_jobs=2, progress=False)
        twos.append(time.perf_counter() - start)
        identical = identical and one == two
        controls.append(control_speedup())
    figures.update(
        one=min(ones),
        two=min(twos),
        identical=identical,
        control=statistics.median(controls),
        raw=min(raws),
    )
    figures["load_after"] = load()
    return figures


# --------------------------------------------------------------------------- report


def fitted_exponent(sizes: list[float], times: list[float]) -> float:
    """Least-squares slope of log(time) against log(size)."""
    pairs = [(math.log(s), math.log(t)) for s, t in zip(sizes, times, strict=True) if t > 0]
    if len(pairs) < 2:
        return float("nan")
    x, y = np.array(pairs).T
    return float(np.polyfit(x, y, 1)[0])


def human(n: float) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.3g}{unit}"
    return f"{n:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1M,10M,100M", help="corpus sizes in characters")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, help="where to put corpora (default: temp)")
    parser.add_argument(
        "--speedup-chars", default="10M", help="characters for the 1-vs-2-worker test"
    )
    parser.add_argument(
        "--speedup-rounds", type=int, default=3, help="rounds of the 1-vs-2-worker test"
    )
    parser.add_argument(
        "--multiples-chars", default="3M", help="characters for the per-stage multiples"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds of the multiples (median)"
    )
    parser.add_argument(
        "--multiples-only", action="store_true", help="only the per-stage multiples of MeCab"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0

    make_corpus = load_sibling("make_corpus", "make_corpus")
    stage_multiples(
        make_corpus, make_corpus.parse_size(args.multiples_chars), args.rounds, args.seed
    )
    if args.multiples_only:
        return 0
    sizes = [make_corpus.parse_size(s) for s in args.sizes.split(",")]
    print(f"CPUs: {os.cpu_count()}, jobs: {args.jobs}, load average (1/5/15 min): {load()}")
    rows = []
    work = Path(tempfile.mkdtemp(prefix="compare-scale-", dir=args.workdir))
    try:
        largest_catalog = None
        for size in sizes:
            corpus = work / f"corpus-{size}"
            start = time.perf_counter()
            catalog = make_corpus.make_corpus(corpus, size, seed=args.seed)
            generated = time.perf_counter() - start
            cache = work / f"cache-{size}"
            load_cold = load()
            cold, peak_cold = run_child(catalog, cache, args.jobs)
            cache_bytes = folder_size(cache)
            load_warm = load()
            warm, peak_warm = run_child(catalog, cache, args.jobs)
            rows.append(
                {
                    "size": size,
                    "generated": generated,
                    "corpus_bytes": folder_size(corpus / "plans"),
                    "cold": cold,
                    "warm": warm,
                    "peak_cold": peak_cold,
                    "peak_warm": peak_warm,
                    "cache_bytes": cache_bytes,
                    "load_cold": load_cold,
                    "load_warm": load_warm,
                }
            )
            report_size(rows[-1], args.jobs)
            if largest_catalog is not None:
                shutil.rmtree(largest_catalog.parent, ignore_errors=True)
            largest_catalog = catalog
            shutil.rmtree(cache, ignore_errors=True)
        report_fit(rows)
        speed_corpus = largest_catalog if largest_catalog is not None else None
        if speed_corpus is not None:
            figures = tokenize_speedup(
                speed_corpus, make_corpus.parse_size(args.speedup_chars), args.speedup_rounds
            )
            print(
                f"\ntokenization of {human(figures['chars'])} chars (Tokenizer.words_batch): "
                f"best of {figures['rounds']}: 1 worker {figures['one']:.1f} s, "
                f"2 workers {figures['two']:.1f} s, "
                f"speed-up {figures['one'] / figures['two']:.2f}x (goal >= 1.8), identical: "
                f"{figures['identical']}\ncontrol, busy loop 2 vs 1 processes: "
                f"{figures['control']:.2f}x (median; what the free cores allow); load average "
                f"{figures['load_before']} before, {figures['load_after']} after"
            )
            report_reference(rows[-1], figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def stage_multiples(make_corpus, chars: int, rounds: int, seed: int) -> dict[str, float]:
    """Per-stage CPU per million characters as multiples of plain MeCab (printed, returned).

    One worker, no cache, ``rounds`` alternating rounds of plain MeCab and the
    pipeline in this process; medians.  Returns the multiple per stage and
    ``"pipeline"`` for their sum.
    """
    profile = load_sibling("profile", "bench_profile")
    work = Path(tempfile.mkdtemp(prefix="compare-multiples-"))
    try:
        catalog = make_corpus.make_corpus(work, chars, seed=seed)
        texts = profile.segment_texts(catalog)
        lines = [line for text in texts for line in text.splitlines() if line.strip()]
        print(
            f"\nper-stage multiples of plain MeCab: {sum(map(len, texts)):,} characters, "
            f"{len(texts):,} segments, {len(set(lines)) / max(1, len(lines)):.0%} of lines "
            f"distinct; 1 worker, no cache, median of {rounds} alternating rounds; load "
            f"average {load()}"
        )
        mecab: list[float] = []
        stages: dict[str, list[float]] = {stage: [] for stage in STAGES}
        wholes: list[float] = []
        count = 0
        for _ in range(rounds):
            mecab.append(profile.plain_mecab(texts))
            cpu, count = profile.pipeline_once(catalog)
            for stage, seconds in cpu.items():
                stages[stage].append(seconds)
            wholes.append(sum(cpu.values()) / mecab[-1])
        reference = 1e6 * statistics.median(mecab) / count
        print(f"plain MeCab: {reference:.2f} CPU s per million characters")
        print(f"{'stage':<16} {'CPU s per M chars':>18} {'x plain MeCab':>14}")
        multiples: dict[str, float] = {}
        total = 0.0
        for stage in STAGES:
            per_million = 1e6 * statistics.median(stages[stage]) / count
            total += per_million
            multiples[stage] = per_million / reference
            print(f"{stage:<16} {per_million:>18.2f} {multiples[stage]:>14.2f}")
        multiples["pipeline"] = total / reference
        print(f"{'whole pipeline':<16} {total:>18.2f} {multiples['pipeline']:>14.2f}")
        print(
            f"whole pipeline per round: {', '.join(f'{w:.2f}x' for w in wholes)}; "
            f"load average after {load()}"
        )
        return multiples
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report_size(row: dict, jobs: int) -> None:
    cold, warm = row["cold"], row["warm"]
    chars = cold["chars"]
    print(
        f"\n== {human(row['size'])} characters: {cold['plans']:,} plans, {chars:,} chars, "
        f"{row['corpus_bytes'] / 1e6:.0f} MB on disk, {cold['segments']:,} segments, "
        f"{cold['tokens']:,} content words, vocabulary {cold['vocabulary']:,}, "
        f"{cold['theme_hits']:,} theme hits (generated in {row['generated']:.1f} s)"
    )
    print(
        f"{'stage':<10} {'seconds':>9} {'chars/s per worker':>19} {'CPU s':>8} "
        f"{'chars per CPU s':>16}"
    )
    for stage in STAGES:
        seconds = cold["timings"].get(stage, 0.0)
        cpu = cold["timings"].get(f"{stage}_cpu", 0.0)
        rate = chars / seconds if seconds > 0 else float("inf")
        cpu_rate = chars / cpu if cpu > 0 else float("inf")
        print(f"{stage:<10} {seconds:>9.1f} {rate:>19,.0f} {cpu:>8.1f} {cpu_rate:>16,.0f}")
    cpu_total = sum(cold["timings"].get(f"{stage}_cpu", 0.0) for stage in STAGES)
    print(
        f"CPU seconds in all: {cpu_total:.1f}; on {jobs} idle cores that is about "
        f"{cpu_total / jobs:.1f} s of wall time"
    )
    wall = cold["wall"]
    print(
        f"end to end (wall, {jobs} workers): {wall:.1f} s = {chars / wall:,.0f} chars/s; "
        f"peak RSS {row['peak_cold'] / 1e9:.2f} GB; cache {row['cache_bytes'] / 1e6:.1f} MB; "
        f"load average {row['load_cold']}"
    )
    print(
        f"warm re-run: {warm['wall']:.2f} s = {100 * warm['wall'] / wall:.1f}% of cold "
        f"(cache hits: {', '.join(warm['cached'])}); peak RSS {row['peak_warm'] / 1e9:.2f} GB; "
        f"load average {row['load_warm']}"
    )


def report_reference(row: dict, figures: dict) -> None:
    """The largest run's CPU time against plain MeCab: how to scale it to another machine."""
    per_million = 1e6 * figures["raw"] / figures["chars"]
    cold = row["cold"]
    cpu_total = sum(cold["timings"].get(f"{stage}_cpu", 0.0) for stage in STAGES)
    pipeline = 1e6 * cpu_total / cold["chars"]
    print(
        f"speed reference: plain fugashi (surface of each node) {per_million:.2f} CPU s per "
        f"million chars (best of {figures['rounds']}); the pipeline at "
        f"{human(row['size'])} used {pipeline:.2f} CPU s per million chars = "
        f"{pipeline / per_million:.1f}x plain MeCab"
    )


def report_fit(rows: list[dict]) -> None:
    if len(rows) < 2:
        return
    sizes = [r["cold"]["chars"] for r in rows]
    print("\nfitted exponent b of time = a * size^b (1 = linear):")
    for stage in (*STAGES, "wall"):
        times = [
            r["cold"]["wall"] if stage == "wall" else r["cold"]["timings"].get(stage, 0.0)
            for r in rows
        ]
        print(f"  {stage:<10} b = {fitted_exponent(sizes, times):.2f}")
    warm = [r["warm"]["wall"] for r in rows]
    print(f"  {'warm':<10} b = {fitted_exponent(sizes, warm):.2f}")


if __name__ == "__main__":
    sys.exit(main())
