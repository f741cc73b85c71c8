"""Time the comparative analyses on the bundled corpus and on a corpus 100 times larger.

The larger corpus repeats the bundled segments and tokens 100 times under
distinct plan ids (``sumida-r001`` …), so vocabulary size stays fixed while
documents, tokens and plans grow a hundredfold.  For each analysis the
script prints wall-clock seconds and, for the large corpus, the functions
where most of the time is spent (cProfile, own time).

Run from the repository root::

    python bench/analytics.py            # both sizes
    python bench/analytics.py --scale 10 # a smaller multiple
"""

# ruff: noqa: E402
from __future__ import annotations

import os
import sys

# Scripts in this folder may be named like standard modules (tokenize.py); when run as
# ``python bench/analytics.py`` the folder comes first on sys.path and would shadow them.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse
import cProfile
import pstats
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from compare import (
    read_corpus,
    stat_ca,
    stat_clusters,
    stat_cooccurrence,
    stat_dtm,
    stat_goal_alignment,
    stat_keyness,
    stat_plan_diff,
    stat_similarity,
    stat_topics,
    tokenize,
)
from compare.errors import CompareWarning

GOAL_PLANS = ["sumida", "tama-6", "tokorozawa-2", "odawara-shakyo-4"]


def replicate(frame: pd.DataFrame, times: int) -> pd.DataFrame:
    """``times`` copies of ``frame``, each with its own plan ids."""
    if times == 1:
        return frame
    copies = []
    for k in range(times):
        copy = frame.copy()
        copy["plan_id"] = copy["plan_id"].astype(str) + f"-r{k:03d}"
        copies.append(copy)
    out = pd.concat(copies, ignore_index=True)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(frame[column].dtype)
    return out


def analyses(segments: pd.DataFrame, tokens: pd.DataFrame, times: int) -> dict[str, Callable]:
    """The analyses to time, as zero-argument callables."""
    suffix = "" if times == 1 else "-r000"
    goal_plans = [p + suffix for p in GOAL_PLANS]
    first = [p for p in dict.fromkeys(segments["plan_id"]) if not p.startswith("shimonoseki")]
    pair_plans = first[: min(len(first), 20)]
    return {
        "dtm plan tf-idf": lambda: stat_dtm(tokens, "plan", weighting="tfidf"),
        "dtm segment counts": lambda: stat_dtm(tokens, "segment"),
        "similarity plan": lambda: stat_similarity(tokens, "plan", pairs="unique"),
        "similarity 基本理念": lambda: stat_similarity(
            tokens, "plan", segments=segments, heading="基本理念", pairs="unique"
        ),
        "keyness one-vs-rest plan": lambda: stat_keyness(tokens, "plan", top=50),
        "keyness municipality": lambda: stat_keyness(tokens, "municipality"),
        "cooccurrence segment": lambda: stat_cooccurrence(tokens),
        "ca words x municipality": lambda: stat_ca(tokens, "municipality"),
        "ca words x plan": lambda: stat_ca(tokens, "plan"),
        "clusters section ward": lambda: stat_clusters(tokens, "section", n_clusters=5),
        "clusters segment kmeans": lambda: stat_clusters(
            tokens, "segment", algorithm="kmeans", n_clusters=5
        ),
        "clusters words ward": lambda: stat_clusters(tokens, items="words", n_clusters=6),
        "topics segment nmf": lambda: stat_topics(tokens, "segment", n_topics=6),
        "goal alignment 4 plans": lambda: stat_goal_alignment(segments, tokens, plans=goal_plans),
        "goal alignment <=20 plans": lambda: stat_goal_alignment(
            segments, tokens, plans=pair_plans
        ),
        "plan diff": lambda: stat_plan_diff(segments, goal_plans[0], goal_plans[1], tokens=tokens),
    }


def timed(call: Callable, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def hotspots(call: Callable, n: int = 2) -> str:
    """The ``n`` functions with the most own time in one profiled run."""
    profile = cProfile.Profile()
    profile.enable()
    call()
    profile.disable()
    stats = pstats.Stats(profile).sort_stats("tottime")
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    parts = []
    for func in stats.fcn_list[:n]:  # type: ignore[attr-defined]
        tottime = stats.stats[func][2]  # type: ignore[attr-defined]
        filename, _line, name = func
        where = Path(filename).name if filename != "~" else "builtin"
        parts.append(f"{where}:{name} {100 * tottime / total:.0f}%")
    return "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="size multiple (default 100)")
    parser.add_argument("--repeat", type=int, default=3, help="runs on the bundled corpus")
    args = parser.parse_args()
    warnings.simplefilter("ignore", CompareWarning)

    start = time.perf_counter()
    segments = read_corpus()
    tokens = tokenize(segments)
    prep = time.perf_counter() - start
    big_segments = replicate(segments, args.scale)
    big_tokens = replicate(tokens, args.scale)
    print(
        f"bundled: {segments['plan_id'].nunique()} plans, {len(segments)} segments, "
        f"{len(tokens)} tokens (read + tokenize {prep:.2f} s)\n"
        f"x{args.scale}: {big_segments['plan_id'].nunique()} plans, {len(big_segments)} "
        f"segments, {len(big_tokens)} tokens\n"
    )
    small = analyses(segments, tokens, 1)
    large = analyses(big_segments, big_tokens, args.scale)
    header = f"{'analysis':<28} {'bundled s':>10} {f'x{args.scale} s':>10} {'ratio':>7}  where the large run spends its time"
    print(header)
    print("-" * len(header))
    for (name, call), big in zip(small.items(), large.values(), strict=True):
        small_time = timed(call, args.repeat)
        large_time = timed(big, 1)
        spots = hotspots(big)
        print(
            f"{name:<28} {small_time:>10.3f} {large_time:>10.3f} "
            f"{large_time / small_time:>7.0f}  {spots}"
        )


if __name__ == "__main__":
    main()
