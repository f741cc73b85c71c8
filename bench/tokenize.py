"""Tokenizer speed: prints figures, asserts nothing.

Run from the repository root::

    python bench/tokenize.py [--chars 1000000] [--rounds 3]

The test text is about a million characters of unique lines made by
recombining clauses of the bundled plans at random (fixed seed), NFKC
normalised; no line (each line is one sentence) repeats, so no result cache
can help.  One run measures:

(a) raw fugashi (unidic-lite): iterate the nodes of each line, reading only
    ``surface``;
(b) the full pipeline, ``Tokenizer().words`` (POS filter, lemma cleanup,
    variants, compounds), each round with a fresh tokenizer;

and prints characters per second and the ratio (b)/(a) (goal >= 0.6).  The
rounds alternate (a) and (b) and the best round of each counts, so a busy
machine disturbs the ratio less (CPU time is printed too).  Then
``words_batch`` with 2 worker processes against 1 (goal >= 1.8x, pool start-up
included) next to a control (a busy loop in 2 processes against 1: what the
machine's free cores allow at that moment), ``tokenize`` of a
ten-plan corpus built from the same lines cold and again from the Parquet
cache, and the time of awkward inputs (a 1 MB single line, long runs of one
character, emoji, control characters).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name
# would shadow the standard library's ``tokenize`` (which pandas imports).
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import os
import random
import re
import tempfile
import time
import unicodedata

import fugashi
import pandas as pd

from compare import Tokenizer, tokenize

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "data" / "plans"


def seed_clauses() -> list[str]:
    """Clauses (text between Japanese punctuation) of the bundled plans, NFKC."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(PLANS.glob("*.txt")))
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"<[^>]*>", " ", text)  # HTML lists in one plan's tables
    pieces = re.split(r"[。、!?\n\t]+", text)
    clauses = sorted({p.strip() for p in pieces if len(p.strip()) >= 4})
    return clauses


def make_lines(target_chars: int, seed: int = 0) -> list[str]:
    """Unique one-sentence lines of 2-6 random clauses, about ``target_chars`` in all."""
    rng = random.Random(seed)
    clauses = seed_clauses()
    seen: set[str] = set()
    lines: list[str] = []
    total = 0
    while total < target_chars:
        line = "、".join(rng.choice(clauses) for _ in range(rng.randint(2, 6))) + "。"
        if line in seen:
            continue
        seen.add(line)
        lines.append(line)
        total += len(line)
    return lines


def raw_fugashi(lines: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of iterating fugashi nodes, reading only the surface."""
    tagger = fugashi.Tagger()
    wall, cpu = time.perf_counter(), time.process_time()
    for line in lines:
        for node in tagger(line):
            node.surface  # noqa: B018 - reading the surface is the work measured
    return time.perf_counter() - wall, time.process_time() - cpu


def pipeline(lines: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of ``Tokenizer().words`` on each line (fresh tokenizer)."""
    tok = Tokenizer()
    tok.words("")  # load the dictionary and term tables outside the timing
    wall, cpu = time.perf_counter(), time.process_time()
    for line in lines:
        tok.words(line)
    return time.perf_counter() - wall, time.process_time() - cpu


def busy(n: int) -> int:
    """Pure-Python CPU work: the control for what two processes can gain here."""
    total = 0
    for i in range(n):
        total += i
    return total


def control_speedup(n: int = 10_000_000) -> float:
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


def timed(func, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chars", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    lines = make_lines(args.chars)
    chars = sum(len(line) for line in lines)
    assert len(set(lines)) == len(lines)
    print(f"text: {len(lines):,} unique lines, {chars:,} characters, CPUs: {os.cpu_count()}")
    print(f"dictionary {Tokenizer().provenance()['dictionary']} "
          f"{Tokenizer().provenance()['dictionary_version']}")  # fmt: skip

    raw, full = [], []
    for _ in range(args.rounds):
        raw.append(raw_fugashi(lines))
        full.append(pipeline(lines))
    for label, index in (("CPU time", 1), ("wall time", 0)):
        a = chars / min(r[index] for r in raw)
        b = chars / min(r[index] for r in full)
        print(f"-- best of {args.rounds} rounds, {label}")
        print(f"(a) raw fugashi, surface only : {a:>12,.0f} chars/s  (rounds: "
              + ", ".join(f"{r[index]:.2f}s" for r in raw) + ")")  # fmt: skip
        print(f"(b) Tokenizer().words         : {b:>12,.0f} chars/s  (rounds: "
              + ", ".join(f"{r[index]:.2f}s" for r in full) + ")")  # fmt: skip
        print(f"ratio (b)/(a)                 : {b / a:.2f}  (goal >= 0.6)")
    print(
        f"load average at the end       : {os.getloadavg()[0]:.2f} (other processes disturb wall time)"
    )

    tok = Tokenizer()
    one, res1 = timed(tok.words_batch, lines, n_jobs=1, progress=False)
    two, res2 = timed(tok.words_batch, lines, n_jobs=2, progress=False)
    print(f"words_batch n_jobs=1          : {one:.2f}s")
    print(f"words_batch n_jobs=2          : {two:.2f}s  speed-up {one / two:.2f}x (goal >= 1.8)"
          f"  identical: {res1 == res2}")  # fmt: skip
    print(
        f"control: busy loop, 2 vs 1    : {control_speedup():.2f}x (what this machine allows now)"
    )

    segments = pd.DataFrame(
        {
            "plan_id": [f"bench-{k % 10}" for k in range(len(lines))],
            "seg_id": [k // 10 for k in range(len(lines))],
            "kind": "paragraph",
            "text": lines,
        }
    ).sort_values(["plan_id", "seg_id"], kind="stable", ignore_index=True)
    with tempfile.TemporaryDirectory() as cache:
        cold, table = timed(tokenize, segments, cache_dir=cache, n_jobs=1, progress=False)
        warm, again = timed(tokenize, segments, cache_dir=cache, n_jobs=1, progress=False)
        cold2, table2 = timed(
            tokenize, segments, cache_dir=Path(cache) / "b", n_jobs=2, progress=False
        )
    print(f"tokenize, 10 plans, cold      : {cold:.2f}s ({len(table):,} tokens)")
    print(f"tokenize, 2 workers, cold     : {cold2:.2f}s  identical: {table.equals(table2)}")
    print(f"tokenize, cached re-run       : {warm:.2f}s  identical: {table.equals(again)}")

    one_line = "".join(lines)[:1_000_000]
    awkward = {
        "1 MB single line": one_line,
        "100k x 'ア'": "ア" * 100_000,
        "100k x 'a'": "a" * 100_000,
        "100k x '地'": "地" * 100_000,
        "50k emoji": "😀🏠" * 25_000,
        "100k control chars": "\x00\x07\x1b\x7f" * 25_000,
        "100k half-width katakana": "ｼｬｶｲﾌｸｼｷｮｳｷﾞｶｲ" * 7_000,
    }
    tok = Tokenizer()
    tok.words("")
    for name, text in awkward.items():
        seconds, words = timed(tok.words, text)
        print(f"{name:<30}: {seconds:.2f}s, {len(text) / seconds:>12,.0f} chars/s, "
              f"{len(words):,} words")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
