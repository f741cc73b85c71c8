"""Time theme coding on the bundled corpus (tokens computed once, outside the timing).

Run: python bench/themes.py [REPEATS]
Prints segments coded per second for the default fifteen themes, and the
time of the statistics built on the coded table.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# bench/ holds scripts named like standard modules (tokenize.py); keep them off the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from compare import (  # noqa: E402
    read_corpus,
    stat_kwic,
    stat_theme_shares,
    stat_theme_test,
    stat_word_association,
    themes_wide,
    tokenize,
)


def _best(func, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main(repeats: int = 3) -> None:
    segments = read_corpus()
    tokens = tokenize(segments, cache=False)
    wide = themes_wide(segments, tokens=tokens)
    n = len(wide)
    coding = _best(lambda: themes_wide(segments, tokens=tokens), repeats)
    print(f"segments coded: {n} (15 themes)")
    print(f"themes_wide: {coding:.3f} s  ({n / coding:,.0f} segments/s)")
    for name, func in (
        ("stat_theme_shares", lambda: stat_theme_shares(wide)),
        ("stat_theme_test", lambda: stat_theme_test(wide)),
        ("stat_kwic(防災)", lambda: stat_kwic(segments, "防災", tokens=tokens)),
        (
            "stat_word_association(watching)",
            lambda: stat_word_association(segments, "watching", tokens=tokens),
        ),
    ):
        print(f"{name}: {_best(func, repeats):.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
