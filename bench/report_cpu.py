"""Benchmark: where the CPU of `compare report` goes, warm cache, phase by phase.

Builds and writes the report of a catalogue (e.g. a corpus written by
bench/make_corpus.py) in a fresh process per round, with the pipeline cache
warm, and prints that process's CPU seconds in total and per phase: the
corpus model (``load_corpus``), each section, and writing the figures, the
tables (workbook and CSV), the HTML and the Markdown.  The total is also given
as a multiple of plain fugashi over the same corpus (bench/tokenize.py's
raw_fugashi), measured in the same run before the first and after every
round.  The CPU of the pipeline's worker processes is not counted: with a warm
cache the report's own work runs in the main process.

With ``--against SRC`` (the ``src`` folder of another checkout, e.g. one made
with ``git worktree add OLD 90af43b^`` for the former large-corpus route) the
same report from that code is measured in alternate rounds, each code with its
own cache; the first report of each code (which fills its cache) is not
counted.

    .venv/bin/python -P bench/report_cpu.py CATALOG [--text-plans 8] [--rounds 2]
        [--against OLD/src]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


def child(catalog: str, out: str, text_plans: int | None) -> None:
    """Build and write the report once; print the CPU seconds per phase as JSON."""
    import compare.report.briefing as briefing
    from compare.report import ReportSettings, build_briefing, write_briefing

    phases: dict[str, float] = {}

    def timed(module: Any, name: str, label: Any) -> None:
        original = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = label(*args)
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                phases[key] = phases.get(key, 0.0) + time.process_time() - start

        setattr(module, name, wrapper)

    loaders = [("compare.report.corpus", "load_corpus"), ("compare.report._large", "load_large")]
    for module_name, name in loaders:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        timed(module, name, lambda *a: "corpus model")
    timed(briefing, "_run_section", lambda key, *a: f"section {key}")
    for name, label in [
        ("_write_figures", "write figures"),
        ("_write_tables", "write tables"),
        ("render_html", "write HTML"),
        ("render_markdown", "write Markdown"),
    ]:
        timed(briefing, name, lambda *a, label=label: label)
    fields = {f.name for f in dataclasses.fields(ReportSettings)}
    settings = (
        ReportSettings(text_plans=text_plans)
        if text_plans is not None and "text_plans" in fields
        else ReportSettings()
    )
    start = time.process_time()
    built = build_briefing(catalog, date="2025-01-01", progress=False, settings=settings)
    write_briefing(built, out=out, force=True, progress=False)
    total = time.process_time() - start
    print(json.dumps({"total": total, "phases": phases}))


def reference(corpus: Path) -> float:
    """CPU seconds of plain fugashi over every line of the corpus's text files."""
    spec = importlib.util.spec_from_file_location("bench_report", _HERE / "report.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_report"] = module
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module.speed_reference(corpus)[1]


def run_child(catalog: Path, root: Path, label: str, src: str | None, text_plans: int | None):
    env = {**os.environ, "COMPARE_CACHE_DIR": str(root / f"cache-{label}")}
    if src:
        env["PYTHONPATH"] = src
    command = [sys.executable, "-P", __file__, "--child", str(catalog), str(root / "out")]
    if text_plans is not None:
        command += ["--text-plans", str(text_plans)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalog", type=Path)
    parser.add_argument("out", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--text-plans", type=int, help="plans read in full (default: its own)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--against", metavar="SRC", help="src folder of the code to compare")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(str(args.catalog), args.out, args.text_plans)
        return
    routes = [("this", None)] + ([("against", args.against)] if args.against else [])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for label, src in routes:
            run_child(args.catalog, root, label, src, args.text_plans)  # fills the cache
        references = [reference(args.catalog.parent)]
        results: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in routes}
        for number in range(args.rounds):
            for label, src in routes if number % 2 == 0 else routes[::-1]:
                load = os.getloadavg()[0]
                result = run_child(args.catalog, root, label, src, args.text_plans)
                results[label].append(result)
                phases = ", ".join(
                    f"{k} {v:.1f}"
                    for k, v in sorted(result["phases"].items(), key=lambda kv: -kv[1])
                    if v >= 0.05
                )
                print(f"round {number + 1} {label}: {result['total']:.1f} CPU s (load {load:.1f})")
                print(f"    {phases}")
            references.append(reference(args.catalog.parent))
    ref = sum(references) / len(references)
    print(
        "plain fugashi over the corpus: "
        + ", ".join(f"{r:.1f}" for r in references)
        + f" CPU s (mean {ref:.1f})"
    )
    for label, _ in routes:
        totals = [r["total"] for r in results[label]]
        median = statistics.median(totals)
        print(
            f"{label}: median {median:.1f} CPU s = {median / ref:.2f}× plain fugashi "
            f"(rounds: {', '.join(f'{t:.1f}' for t in totals)})"
        )


if __name__ == "__main__":
    main()
