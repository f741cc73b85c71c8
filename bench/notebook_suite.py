"""Time the whole notebook suite through ``compare notebooks`` on two corpora.

Usage (from the repository root)::

    .venv/bin/python bench/notebook_suite.py            # bundled corpus and the second corpus
    .venv/bin/python bench/notebook_suite.py --rounds 2
    .venv/bin/python bench/notebook_suite.py --keep out/bench-notebooks   # keep what was written

The suite runs through :func:`compare.report.notebooks.run_notebooks` (the
parameters route of ``make notebooks``): each notebook is executed in a fresh
kernel with papermill and written as .ipynb and HTML.  The reference,
measured in the same run, is a one-cell notebook (read the catalogue, show
it) through the same runner, so the figures are multiples of what starting a
kernel, executing and writing one notebook costs on this machine.  Each
corpus run starts with an empty token cache, as on a fresh machine.

Corpora: the bundled five plans, and the second corpus of the tests (nine
short excerpts of the shared development corpus, ``tests/second_corpus.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and its tokenize.py
# (the tokenizer benchmark) would shadow the standard library's tokenize.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.second_corpus

import argparse
import os
import statistics
import tempfile
import time

from compare.report.notebooks import run_notebooks

ONE_CELL = """\
# %% tags=["parameters"]
catalog = None
themes = None
plans = None
out = None

# %%
import compare

compare.read_catalog(catalog, plans=plans)
"""


def timed(catalog: Path | None, work: Path, name: str, folder: Path | None = None) -> float:
    """Seconds of one run of the suite (or of the notebooks in ``folder``), fresh cache."""
    os.environ["COMPARE_CACHE_DIR"] = str(work / f"cache-{name}")
    start = time.perf_counter()
    run_notebooks(catalog, work / f"out-{name}", folder=folder)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1, help="runs per corpus (median)")
    parser.add_argument("--keep", type=Path, help="keep the executed notebooks in this folder")
    args = parser.parse_args()
    from tests import second_corpus

    with tempfile.TemporaryDirectory(prefix="compare-bench-") as tmp:
        work = args.keep or Path(tmp)
        reference_folder = work / "reference"
        reference_folder.mkdir(parents=True, exist_ok=True)
        (reference_folder / "00_reference.py").write_text(ONE_CELL, encoding="utf-8")
        corpora: dict[str, Path | None] = {"bundled (5 plans)": None}
        if second_corpus.available():
            catalog = second_corpus.make_second_corpus(work / "second")
            corpora[f"second ({len(second_corpus.PLANS)} excerpts)"] = catalog
        else:
            print("second corpus skipped: the development corpus is not beside the project")
        times: dict[str, list[float]] = {"reference": [], **{name: [] for name in corpora}}
        for round_ in range(args.rounds):
            times["reference"].append(timed(None, work, f"ref{round_}", reference_folder))
            for index, (name, catalog) in enumerate(corpora.items()):
                times[name].append(timed(catalog, work, f"c{index}r{round_}"))
        reference = statistics.median(times["reference"])
        print(f"{'one-cell notebook (reference)':<34} {reference:7.1f} s   1.0x")
        for name in corpora:
            seconds = statistics.median(times[name])
            print(f"{'suite, ' + name:<34} {seconds:7.1f} s  {seconds / reference:4.1f}x")
        print(f"({args.rounds} round(s), median; {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
