"""Where the pipeline's CPU goes: per-stage CPU seconds against plain MeCab, and a profile.

Run from the repository root::

    python bench/profile.py [--chars 1.5M] [--rounds 3] [--seed 0] [--top 25]

A corpus of about ``--chars`` characters is generated with
``bench/make_corpus.py`` (realistic vocabulary: most lines and clauses are
distinct), then, in alternating rounds in this process (one worker, no cache):

* plain MeCab: ``fugashi.Tagger()`` iterating the nodes of every segment's
  text and reading their surface (the reference, the least any tokenizer
  built on MeCab can cost);
* :func:`compare.pipeline.run_pipeline` with ``n_jobs=1`` and ``cache=False``,
  whose per-stage CPU times (read, segment, tokenize, themes, count) it
  records itself;
* the floors of tokenization on MeCab's own output: the tokenizer's MeCab
  call alone (``surface<TAB>features`` per token, the normalised chunks the
  tokenizer gives it), that call plus splitting its output into lines (the
  least any Python code reading that output pays), and MeCab printing the
  surfaces only (``-Owakati``, the least MeCab prints).

Printed: per stage, the median CPU seconds per million characters and its
multiple of plain MeCab measured in the same rounds on the same text; the
floors, and the least the whole pipeline could cost with a tokenizer that did
nothing beyond splitting MeCab's output and the other stages as measured; then
one run under :mod:`cProfile`: CPU by source area (MeCab/fugashi, each
``compare`` module, pandas/numpy, the rest) and the functions with the most
own time.  The load average is printed before and after: other jobs on the
machine lengthen all times, the multiples less so.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds scripts named like standard modules (tokenize.py); keep them off the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import cProfile  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import defaultdict  # noqa: E402

STAGES = ("read", "segment", "tokenize", "themes", "count")


def load_sibling(stem: str, name: str):
    """A sibling script of this folder as a module (the folder is kept off ``sys.path``)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, _HERE / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}/{five:.2f}/{fifteen:.2f}"


def segment_texts(catalog: Path) -> list[str]:
    """The text of every segment of the corpus: what the tokenizer is given."""
    from compare import read_corpus
    from compare.errors import CompareWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        return read_corpus(catalog)["text"].astype(str).tolist()


def plain_mecab(texts: list[str]) -> float:
    """CPU seconds of iterating fugashi nodes of ``texts``, reading only the surface."""
    import fugashi

    tagger = fugashi.Tagger()
    cpu = time.process_time()
    for text in texts:
        for node in tagger(text):
            node.surface  # noqa: B018 - reading the surface is the work measured
    return time.process_time() - cpu


def mecab_floors(texts: list[str]) -> dict[str, float]:
    """CPU seconds of MeCab's own output over ``texts``, as the tokenizer calls it.

    ``call``: the tokenizer's tagger and output format on the texts as the
    tokenizer gives them to MeCab (normalised, cut into chunks); ``call +
    split``: the same, then each output split into its lines, one per token;
    ``wakati``: MeCab printing only the surfaces, space-separated.
    """
    import fugashi

    from compare.text._engine import _chunks, dictionary_arguments, prepare
    from compare.text.tokenizer import Tokenizer

    engine = Tokenizer()._engine()
    chunks = [chunk for text in texts for chunk in _chunks(prepare(text)[0])]
    parse = engine.tagger.parse
    wakati = fugashi.GenericTagger(f"{dictionary_arguments(engine.settings.dicdir)} -Owakati").parse
    cpu = {}
    start = time.process_time()
    for chunk in chunks:
        parse(chunk)
    cpu["call"] = time.process_time() - start
    start = time.process_time()
    for chunk in chunks:
        parse(chunk).split("\n")
    cpu["call + split"] = time.process_time() - start
    start = time.process_time()
    for chunk in chunks:
        wakati(chunk)
    cpu["wakati"] = time.process_time() - start
    return cpu


def pipeline_once(catalog: Path) -> tuple[dict[str, float], int]:
    """Per-stage CPU seconds of one uncached single-worker run, and its characters."""
    from compare.errors import CompareWarning
    from compare.pipeline import run_pipeline

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        result = run_pipeline(catalog, n_jobs=1, cache=False, progress=False)
    cpu = {stage: result.timings.get(f"{stage}_cpu", 0.0) for stage in STAGES}
    return cpu, int(result.plans["chars"].sum())


def area(filename: str) -> str:
    """Which part of the code a profiled function belongs to."""
    path = filename.replace("\\", "/")
    if "/compare/" in path:
        return "compare/" + path.split("/compare/", 1)[1]
    for name in ("fugashi", "pandas", "numpy", "scipy", "re", "unicodedata"):
        if f"/{name}/" in path or path.endswith(f"/{name}.py"):
            return name
    if path.startswith("<") or path == "~":
        return "builtins"
    return "other Python"


def profile_summary(catalog: Path, chars: int, top: int) -> None:
    """One run under cProfile: own CPU by area and the heaviest functions."""
    from compare.errors import CompareWarning
    from compare.pipeline import run_pipeline

    profiler = cProfile.Profile(time.process_time)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        profiler.enable()
        run_pipeline(catalog, n_jobs=1, cache=False, progress=False)
        profiler.disable()
    stats = pstats.Stats(profiler)
    by_area: dict[str, float] = defaultdict(float)
    rows = []
    for (filename, line, name), (_, calls, own, _cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = area(filename)
        if where == "builtins" and "fugashi" in name:
            where = "fugashi"
        by_area[where] += own
        rows.append((own, calls, f"{where}:{line}({name})" if line else f"{where}({name})"))
    total = sum(by_area.values())
    print(f"\nprofile (cProfile, one run; profiling itself slows Python code): {total:.1f} CPU s")
    print(f"{'own CPU by area':<44} {'s':>7} {'s per M chars':>14} {'share':>6}")
    for where, own in sorted(by_area.items(), key=lambda item: -item[1])[:top]:
        print(f"{where:<44} {own:>7.2f} {1e6 * own / chars:>14.2f} {own / total:>6.0%}")
    print(f"\n{'heaviest functions (own time)':<70} {'calls':>10} {'s':>7}")
    for own, calls, label in sorted(rows, reverse=True)[:top]:
        print(f"{label[:70]:<70} {calls:>10,} {own:>7.2f}")


def print_floors(
    floors: dict[str, list[float]], stages: dict[str, list[float]], reference: float, chars: int
) -> None:
    """The floors of tokenization and the least the pipeline could cost above them."""
    print(f"\n{'floor of tokenization':<28} {'CPU s per M chars':>18} {'x plain MeCab':>14}")
    for name, seconds in floors.items():
        per_million = 1e6 * statistics.median(seconds) / chars
        print(f"{'MeCab ' + name:<28} {per_million:>18.2f} {per_million / reference:>14.2f}")
    split = 1e6 * statistics.median(floors["call + split"]) / chars
    rest = sum(1e6 * statistics.median(stages[s]) / chars for s in STAGES if s != "tokenize")
    print(
        f"least pipeline with a tokenizer doing nothing beyond splitting MeCab's output: "
        f"{(split + rest) / reference:.2f}x plain MeCab (the other stages as measured)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chars", default="1.5M", help="characters to generate (default 1.5M)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=25, help="rows of the profile tables")
    args = parser.parse_args(argv)
    make_corpus = load_sibling("make_corpus", "make_corpus")
    work = Path(tempfile.mkdtemp(prefix="compare-profile-"))
    try:
        catalog = make_corpus.make_corpus(work, make_corpus.parse_size(args.chars), seed=args.seed)
        texts = segment_texts(catalog)
        lines = [line for text in texts for line in text.splitlines() if line.strip()]
        print(
            f"CPUs: {os.cpu_count()}; load average (1/5/15 min) {load()}; corpus: "
            f"{sum(map(len, texts)):,} characters in {len(texts):,} segments, "
            f"{len(set(lines)) / max(1, len(lines)):.0%} of {len(lines):,} lines distinct"
        )
        mecab, stages, floors, chars = [], defaultdict(list), defaultdict(list), 0
        for _ in range(args.rounds):
            mecab.append(plain_mecab(texts))
            for name, seconds in mecab_floors(texts).items():
                floors[name].append(seconds)
            cpu, chars = pipeline_once(catalog)
            for stage, seconds in cpu.items():
                stages[stage].append(seconds)
        reference = 1e6 * statistics.median(mecab) / chars
        print(
            f"\nplain MeCab (fugashi.Tagger, surface of each node): {reference:.2f} CPU s per "
            f"million characters (median of {args.rounds} rounds, alternating with the pipeline)"
        )
        print(f"{'stage (1 worker, no cache)':<28} {'CPU s per M chars':>18} {'x plain MeCab':>14}")
        total = 0.0
        for stage in STAGES:
            per_million = 1e6 * statistics.median(stages[stage]) / chars
            total += per_million
            print(f"{stage:<28} {per_million:>18.2f} {per_million / reference:>14.2f}")
        print(f"{'whole pipeline':<28} {total:>18.2f} {total / reference:>14.2f}")
        print_floors(floors, stages, reference, chars)
        profile_summary(catalog, chars, args.top)
        print(f"\nload average after: {load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
