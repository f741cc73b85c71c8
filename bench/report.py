"""Benchmark: time of `compare report` on the bundled corpus and on a 100× corpus.

The 100× corpus copies the five bundled plans under 100 distinct plan ids and
municipalities (each copy gets one extra line naming it, so the token cache
cannot reuse one copy for another).  Prints wall-clock seconds per run
(analyses and figures, then writing the files); nothing is asserted.

    .venv/bin/python -P bench/report.py [--scale 100] [--skip-large]

With ``--generated CHARS`` it instead writes a synthetic corpus with
bench/make_corpus.py (``--plans N``) into a temporary folder and runs the
``compare report`` command on it twice (cold and warm cache), printing wall
time, the peak resident memory of the whole process tree (the command and its
worker processes, sampled every 0.1 s) and of the main process alone, and the
size of the report; ``--keep DIR`` copies the report's figures to DIR;
``--cpu-rounds N`` then builds and writes the report N times in this process
(warm cache) and prints the best CPU time of this process; ``--text-plans N``
and ``--text-chars N`` set the plans and characters the report reads in full
(its defaults otherwise).  Wall
times are also given as multiples of a speed reference measured in the same run,
before and after the reports: plain fugashi (bench/tokenize.py's raw_fugashi)
over every line of the generated corpus, in one process.

    .venv/bin/python -P bench/report.py --generated 10M --plans 100
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from compare import read_catalog
from compare.io.catalog import plan_file
from compare.report import build_briefing, write_briefing

_HERE = Path(__file__).resolve().parent


def scaled_catalog(folder: Path, scale: int) -> Path:
    """Write a catalogue of ``scale`` plans: the bundled plans copied in turn."""
    catalog = read_catalog()
    rows = []
    for i in range(scale):
        seed = catalog.iloc[i % len(catalog)]
        plan_id = f"{seed['plan_id']}-{i:03d}"
        text = plan_file(catalog, seed["plan_id"]).read_text(encoding="utf-8")
        (folder / f"{plan_id}.txt").write_text(text + f"\n（複製 {i:03d}）\n", encoding="utf-8")
        row = seed.to_dict()
        row.update(
            plan_id=plan_id,
            path=f"{plan_id}.txt",
            municipality=f"{seed['municipality']}{i:03d}",
            municipality_code="",
            sha256="",
        )
        rows.append(row)
    path = folder / "catalog.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def run(label: str, catalog: Path | None, out: Path) -> None:
    start = time.perf_counter()
    briefing = build_briefing(catalog, date="2025-01-01", progress=False)
    built = time.perf_counter()
    write_briefing(briefing, out=out, force=True, progress=False)
    done = time.perf_counter()
    n_plans = len(briefing.summary) if briefing.summary is not None else 0
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(
        f"{label:<22} plans={n_plans:<4} analyse+draw={built - start:7.1f}s "
        f"write={done - built:6.1f}s total={done - start:7.1f}s "
        f"figures={len(briefing.figures)} tables={len(briefing.tables)} size={size / 1e6:.1f} MB"
    )


def measure(label: str, args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run a command; print and return its wall time and the peak RSS of its process tree.

    The RSS of the command and of every descendant (worker processes) is summed
    every 0.1 s; the main process's own peak is printed beside it.
    """
    import subprocess

    import psutil

    start = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    watched = psutil.Process(process.pid)
    peak_tree = peak_main = 0
    while process.poll() is None:
        try:
            main_rss = watched.memory_info().rss
            tree = main_rss + sum(
                c.memory_info().rss for c in watched.children(recursive=True) if c.is_running()
            )
        except psutil.Error:
            break
        peak_main, peak_tree = max(peak_main, main_rss), max(peak_tree, tree)
        time.sleep(0.1)
    process.wait()
    wall = time.perf_counter() - start
    if process.returncode:
        raise SystemExit(f"{label}: exit code {process.returncode}")
    print(
        f"{label:<26} wall={wall:7.1f}s peak RSS tree={peak_tree / 2**20:7.0f} MiB "
        f"main={peak_main / 2**20:7.0f} MiB  load={_load()}",
        end="",
    )
    return wall, peak_tree


def _load() -> str:
    """The 1-minute load average, printed beside each measurement."""
    return f"{os.getloadavg()[0]:.1f}"


def _compare_command() -> str:
    import sys

    return shutil.which("compare", path=str(Path(sys.executable).parent)) or "compare"


def run_pipeline_command(label: str, catalog: Path, env: dict[str, str]) -> float:
    """Run `compare run` (the pipeline alone, every CPU); print and return its wall time."""
    args = [_compare_command(), "run", "--catalog", str(catalog), "--quiet"]
    wall, _ = measure(label, args, env)
    print()
    return wall


def run_command(
    label: str, catalog: Path, out: Path, env: dict[str, str], extra: list[str] | None = None
) -> float:
    """Run `compare report` as a command; print wall time, peak RSS and output size.

    Returns the wall time in seconds.
    """
    args = [_compare_command(), "report", "--catalog", str(catalog), "--out", str(out)]
    args += ["--force", "--date", "2025-01-01", "--quiet", *(extra or [])]
    wall, _ = measure(label, args, env)
    files = [p for p in out.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    figures = len(list((out / "figures").glob("*.png")))
    print(f"  report={size / 1e6:6.1f} MB ({len(files)} files, {figures} figures)")
    return wall


def speed_reference(corpus: Path, every: int = 1) -> tuple[float, float]:
    """(wall, CPU) seconds of plain fugashi over every line of the corpus's text files.

    With ``every`` > 1 only every ``every``-th file (in path order) is parsed
    and the times are scaled by the corpus's characters over those parsed, so a
    national corpus's reference does not take as long as the report itself.
    """
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("bench_tokenize", _HERE / "tokenize.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_tokenize"] = module
    assert spec.loader is not None
    spec.loader.exec_module(module)
    from compare.io.readers import read_text

    # Generated plans come in UTF-8, CP932 and EUC-JP: decode them as the readers do.
    lines: list[str] = []
    total = 0  # characters of the non-blank lines of every plan, each file decoded once
    for number, path in enumerate(sorted(corpus.rglob("*.txt"))):
        kept = [line for line in read_text(path).lines if line.strip()]
        total += sum(map(len, kept))
        if number % every == 0:
            lines += kept
    scale = total / max(1, sum(map(len, lines)))
    wall, cpu = module.raw_fugashi(lines)
    return wall * scale, cpu * scale


def in_process(
    catalog: Path, root: Path, rounds: int, reference_cpu: float, settings: dict[str, int]
) -> None:
    """CPU seconds of this process building and writing the report with the warm cache.

    CPU time of the main process (the report's own work: statistics, figures,
    files; the cached pipeline) is steadier than wall time on a shared machine;
    printed as a multiple of plain fugashi's CPU time over the corpus.
    """
    from compare.report import ReportSettings

    os.environ["COMPARE_CACHE_DIR"] = str(root / "cache")
    times = []
    for _ in range(rounds):
        start = time.process_time()
        briefing = build_briefing(
            catalog, date="2025-01-01", progress=False, settings=ReportSettings(**settings)
        )
        write_briefing(briefing, out=root / "in-process", force=True, progress=False)
        times.append(time.process_time() - start)
    best = min(times)
    print(
        f"in-process report, warm cache (best of {rounds}): {best:.1f} CPU s = "
        f"{best / reference_cpu:.2f}× plain fugashi's {reference_cpu:.1f} CPU s"
    )


def memory_by_step(catalog: Path, root: Path, settings: dict[str, int]) -> None:
    """Peak RSS of this process during each step of building and writing the report.

    RSS is sampled every 0.05 s in a thread while the report's progress steps
    (reading plans, each section, figures, tables, pages) are recorded, so each
    sample is charged to the step that was running.
    """
    import threading

    import psutil

    from compare.report import ReportSettings
    from compare.report import briefing as module

    os.environ["COMPARE_CACHE_DIR"] = str(root / "cache")
    current = ["start"]
    peaks: dict[str, int] = {}
    original = module._Progress.step

    def step(self: object, description: str) -> None:
        current[0] = description
        original(self, description)

    def sample(done: threading.Event) -> None:
        process = psutil.Process()
        while not done.is_set():
            rss = process.memory_info().rss
            peaks[current[0]] = max(peaks.get(current[0], 0), rss)
            time.sleep(0.05)

    done = threading.Event()
    watcher = threading.Thread(target=sample, args=(done,), daemon=True)
    module._Progress.step = step
    watcher.start()
    try:
        briefing = build_briefing(
            catalog, date="2025-01-01", progress=False, settings=ReportSettings(**settings)
        )
        write_briefing(briefing, out=root / "in-process", force=True, progress=False)
    finally:
        done.set()
        watcher.join()
        module._Progress.step = original
    print("peak RSS of the report process by step (warm cache):")
    for label, rss in peaks.items():
        print(f"  {rss / 2**20:7.0f} MiB  {label}")


def generated(
    chars: str,
    plans: int | None,
    keep: Path | None,
    cpu_rounds: int = 0,
    settings: dict[str, int] | None = None,
    corpus: Path | None = None,
    pipeline: bool = False,
    memory: bool = False,
    reference_every: int = 1,
) -> None:
    """Time `compare report` on a generated corpus (written here, or ``corpus``)."""
    import subprocess
    import sys

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if corpus is None:
            corpus = root / "corpus"
            command = [sys.executable, "-P", str(Path(__file__).with_name("make_corpus.py"))]
            command += [str(corpus), "--chars", chars, "--seed", "0"]
            if plans:
                command += ["--plans", str(plans)]
            subprocess.run(
                command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        catalog = corpus / "catalog.csv"
        n_plans = len(pd.read_csv(catalog))
        on_disk = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
        print(f"corpus: {n_plans} plans, {on_disk / 1e6:.1f} MB on disk; load {_load()}")
        env = {**os.environ, "COMPARE_CACHE_DIR": str(root / "cache")}
        extra = [f"--{name.replace('_', '-')}={value}" for name, value in (settings or {}).items()]
        before = speed_reference(corpus, reference_every)
        part = "" if reference_every == 1 else f" (every {reference_every}-th plan, scaled)"
        print(f"plain fugashi over the corpus{part}: {before[0]:.1f} s wall, load {_load()}")
        if pipeline:
            pipeline_env = {**os.environ, "COMPARE_CACHE_DIR": str(root / "pipeline-cache")}
            alone = run_pipeline_command("pipeline alone (cold)", catalog, pipeline_env)
            shutil.rmtree(root / "pipeline-cache")
        cold = run_command("report, cold cache", catalog, root / "out", env, extra)
        warm = run_command("report, warm cache", catalog, root / "out", env, extra)
        after = speed_reference(corpus, reference_every)
        reference = (before[0] + after[0]) / 2
        print(
            f"speed reference: plain fugashi over the corpus {before[0]:.1f} s before, "
            f"{after[0]:.1f} s after the reports; cold = {cold / reference:.2f}×, "
            f"warm = {warm / reference:.2f}× the reference"
        )
        if pipeline:
            print(
                f"pipeline alone = {alone / reference:.2f}× the reference; report cold = "
                f"{cold / alone:.2f}×, warm = {warm / alone:.2f}× the pipeline's own time"
            )
        if cpu_rounds:
            in_process(catalog, root, cpu_rounds, (before[1] + after[1]) / 2, settings or {})
        if memory:
            memory_by_step(catalog, root, settings or {})
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            for png in sorted((root / "out" / "figures").glob("*.png")):
                shutil.copy2(png, keep / png.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="plans in the large corpus")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--generated", metavar="CHARS", help="e.g. 10M: a make_corpus.py corpus")
    parser.add_argument("--plans", type=int, help="plans of the generated corpus")
    parser.add_argument(
        "--corpus",
        type=Path,
        metavar="DIR",
        help="instead of --generated: a corpus make_corpus.py wrote before (DIR/catalog.csv)",
    )
    parser.add_argument(
        "--pipeline",
        action="store_true",
        help="also time the pipeline alone (compare run, cold cache) in the same run",
    )
    parser.add_argument(
        "--reference-every",
        type=int,
        default=1,
        metavar="K",
        help="time plain fugashi on every K-th plan only, scaled to the corpus (default 1: all)",
    )
    parser.add_argument(
        "--memory",
        action="store_true",
        help="then build the report in-process once more and print its peak RSS by step",
    )
    parser.add_argument("--keep", type=Path, help="copy the figures of the generated run here")
    parser.add_argument(
        "--cpu-rounds", type=int, default=0, help="then build the report in-process N times"
    )
    parser.add_argument(
        "--text-plans", type=int, help="plans read in full by the report (default: its own)"
    )
    parser.add_argument(
        "--text-chars", type=int, help="characters read in full by the report (default: its own)"
    )
    args = parser.parse_args()
    if args.generated or args.corpus:
        given = {"text_plans": args.text_plans, "text_chars": args.text_chars}
        settings = {name: value for name, value in given.items() if value is not None}
        generated(
            args.generated,
            args.plans,
            args.keep,
            args.cpu_rounds,
            settings,
            corpus=args.corpus,
            pipeline=args.pipeline,
            memory=args.memory,
            reference_every=args.reference_every,
        )
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["COMPARE_CACHE_DIR"] = str(root / "cache")
        run("bundled (cold cache)", None, root / "bundled")
        run("bundled (warm cache)", None, root / "bundled")
        if not args.skip_large:
            corpus = root / "large"
            corpus.mkdir()
            run(
                f"{args.scale} plans (cold)", scaled_catalog(corpus, args.scale), root / "large-out"
            )


if __name__ == "__main__":
    main()
