"""Segmentation speed: prints figures, asserts nothing.

Run from the repository root::

    python bench/segment.py [--mb 10] [--rounds 2] [--token-mb 1]

The test text is the five bundled plans concatenated and repeated until it
reaches ``--mb`` megabytes of UTF-8.  One run measures:

(a) ``segment_text`` on the whole text (best of ``--rounds``), in MB/s;
(b) for comparison, ``Tokenizer().words`` on the cleaned text of the first
    ``--token-mb`` megabytes of those segments, in MB/s, and the share of a
    read -> segment -> tokenize pass that segmentation takes;
(c) awkward inputs: a 1 MB line without a newline, 1 MB of one repeated
    character, and 100,000 short heading-like lines.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and its
# bench/tokenize.py would shadow the standard library's ``tokenize``.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import time
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

from compare import segment_text
from compare.errors import SegmentationWarning

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "data" / "plans"
MB = 1_000_000
T = TypeVar("T")


def corpus_text(megabytes: float) -> str:
    """The bundled plans, concatenated and repeated to at least ``megabytes`` MB."""
    one = "\n\n".join(path.read_text(encoding="utf-8") for path in sorted(PLANS.glob("*.txt")))
    size = len(one.encode("utf-8"))
    copies = int(megabytes * MB // size) + 1
    return "\n\n".join([one] * copies)


def timed(func: Callable[..., T], *args: Any) -> tuple[float, T]:
    """(CPU seconds of this process, result): steadier than wall time on a busy machine."""
    start = time.process_time()
    result = func(*args)
    return time.process_time() - start, result


def quiet_segment(text: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SegmentationWarning)
        return segment_text(text, plan_id="bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--token-mb", type=float, default=1.0)
    args = parser.parse_args()

    text = corpus_text(args.mb)
    size = len(text.encode("utf-8")) / MB
    lines = text.count("\n") + 1
    best = float("inf")
    segments = None
    for _ in range(args.rounds):
        seconds, segments = timed(quiet_segment, text)
        best = min(best, seconds)
    assert segments is not None
    print(f"segment_text: {size:.2f} MB, {lines:,} lines, {len(segments):,} segments")
    print(f"  best of {args.rounds}: {best:.2f} CPU s = {size / best:.2f} MB/s")

    try:
        from compare import Tokenizer
    except (ImportError, AttributeError) as exc:  # the tokenizer stage may be absent
        print(f"tokenizer not available ({exc}); skipping the comparison")
    else:
        sample: list[str] = []
        total = 0
        for piece in segments["text"]:
            sample.append(piece)
            total += len(piece.encode("utf-8"))
            if total >= args.token_mb * MB:
                break
        tokenizer = Tokenizer()
        tokenizer.words("準備")  # load the dictionary outside the timing
        seconds, _ = timed(lambda: [tokenizer.words(piece) for piece in sample])
        token_rate = total / MB / seconds
        seg_rate = size / best
        print(
            f"Tokenizer().words: {total / MB:.2f} MB in {seconds:.2f} CPU s = {token_rate:.2f} MB/s"
        )
        share = (1 / seg_rate) / (1 / seg_rate + 1 / token_rate)
        print(f"  segmentation is {100 * share:.1f}% of segment + tokenize time per MB")

    for label, awkward in (
        ("1 MB line, no newline", "地域福祉の推進、" * 125_000),
        ("1 MB of one character", "あ" * MB),
        ("100,000 heading-like lines", "\n".join(f"{i % 9 + 1} 見出し{i}" for i in range(100_000))),
    ):
        seconds, result = timed(quiet_segment, awkward)
        print(f"{label}: {seconds:.2f} CPU s, {len(result):,} segments")


if __name__ == "__main__":
    main()
