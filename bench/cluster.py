"""The pipeline on a local Dask cluster against the local process pool, on the same corpus.

Run from the repository root::

    python -P bench/cluster.py [--chars 3M] [--plans 30] [--workers 2] [--rounds 3] [--seed 0]

A corpus is generated with ``bench/make_corpus.py`` in a temporary folder
(removed afterwards).  A ``distributed.LocalCluster`` of ``--workers`` worker
processes with one thread each is started once (its start-up time printed
apart), and both routes are warmed up on two plans (worker start, dictionary
load) outside the timings.  Then, in alternating rounds, without cache:

* ``run_pipeline(catalog, n_jobs=workers)``: the local process pool;
* ``run_pipeline(catalog, client=client)``: the same work as Dask tasks;
* plain MeCab (``fugashi.Tagger`` surface iteration, one process) over the
  segment text of the same plans: the speed reference.

Printed per round and as medians: each route's wall time, the cluster's time
as a multiple of the pool's (the figure asked for: what the cluster route
costs over the pool on one machine), each wall time as a multiple of plain
MeCab's CPU time divided by the workers (1.0 would be a pipeline as cheap as
the parse alone, perfectly parallel), the CPU seconds the workers spent on
the plans (summed over plans: tells slower workers from waiting), whether both routes wrote identical
result files, the load average, and a control (a busy loop in 2 processes
against 1: what the free cores allowed at that moment).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds scripts named like standard modules (tokenize.py); keep them off the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402


def load_sibling(stem: str, name: str):
    """A sibling script of this folder as a module named ``name`` (this folder is off the path)."""
    spec = importlib.util.spec_from_file_location(name, _HERE / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def segment_texts(catalog: Path) -> list[str]:
    """The segment text of every plan (what the pipeline tokenizes)."""
    from compare import read_catalog, read_plan
    from compare.errors import CompareWarning
    from compare.io.catalog import plan_file

    cat = read_catalog(catalog, check_files=False)
    texts: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        for plan_id in cat["plan_id"]:
            texts += read_plan(plan_file(cat, plan_id))["text"].fillna("").astype(str).tolist()
    return texts


def result_files(result, folder: Path) -> dict[str, bytes]:
    """The written result files; provenance without the entries that say how the run went."""
    files = {}
    for path in result.write(folder):
        blob = path.read_bytes()
        if path.name == "provenance.json":
            prov = json.loads(blob)
            for key in ("timings", "n_jobs", "scheduler"):
                prov.pop(key, None)
            blob = json.dumps(prov, sort_keys=True).encode()
        files[path.name] = blob
    return files


def worker_cpu(result) -> float:
    """CPU seconds the workers spent on the plans (the stages timed where each plan ran)."""
    stages = ("read", "segment", "tokenize", "themes")
    return sum(result.timings.get(f"{stage}_cpu", 0.0) for stage in stages)


def timed(run) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", default="3M", help="corpus size in characters (3M)")
    parser.add_argument("--plans", type=int, default=30, help="plans in the corpus (30)")
    parser.add_argument("--workers", type=int, default=2, help="workers of each route (2)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    from compare.pipeline import run_pipeline

    scale = load_sibling("scale", "bench_scale")
    make_corpus = load_sibling("make_corpus", "bench_make_corpus")
    raw_fugashi = load_sibling("tokenize", "bench_tokenize").raw_fugashi

    with tempfile.TemporaryDirectory(prefix="compare-cluster-") as tmp:
        work = Path(tmp)
        chars = make_corpus.parse_size(args.chars)
        catalog = make_corpus.make_corpus(
            work / "corpus", chars=chars, plans=args.plans, seed=args.seed
        )
        texts = segment_texts(catalog)
        n_chars = sum(map(len, texts))
        print(
            f"corpus: {args.plans} plans, {n_chars:,} characters of segment text; "
            f"{args.workers} workers; load {scale.load()}"
        )
        start = time.perf_counter()
        cluster = LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        client = Client(cluster)
        print(f"local Dask cluster started in {time.perf_counter() - start:.1f} s (not counted)")
        try:
            from compare import read_catalog

            few = read_catalog(catalog, check_files=False).head(2)
            run_pipeline(few, n_jobs=args.workers, cache=False, progress=False)
            run_pipeline(few, cache=False, progress=False, client=client)

            pools, dasks, raws, controls, identical = [], [], [], [], True
            pool_cpus: list[float] = []
            dask_cpus: list[float] = []
            for number in range(1, args.rounds + 1):
                raws.append(raw_fugashi(texts)[1])
                pool_s, pool = timed(
                    lambda: run_pipeline(catalog, n_jobs=args.workers, cache=False, progress=False)
                )
                dask_s, dask = timed(
                    lambda: run_pipeline(catalog, cache=False, progress=False, client=client)
                )
                same = result_files(pool, work / "pool") == result_files(dask, work / "dask")
                pool_cpus.append(worker_cpu(pool))
                dask_cpus.append(worker_cpu(dask))
                identical = identical and same
                controls.append(scale.control_speedup())
                pools.append(pool_s)
                dasks.append(dask_s)
                print(
                    f"round {number}: pool {pool_s:.2f} s, Dask {dask_s:.2f} s "
                    f"(= {dask_s / pool_s:.3f}x the pool), worker CPU pool {pool_cpus[-1]:.1f} s / "
                    f"Dask {dask_cpus[-1]:.1f} s, plain MeCab {raws[-1]:.2f} CPU s, "
                    f"identical files: {same}, control {controls[-1]:.2f}x, load {scale.load()}"
                )
        finally:
            client.close()
            cluster.close()

    pool_s, dask_s, raw = (statistics.median(x) for x in (pools, dasks, raws))
    ratios = [d / p for d, p in zip(dasks, pools, strict=True)]
    reference = raw / args.workers
    print(
        f"\nmedian of {args.rounds} rounds: pool {pool_s:.2f} s, Dask {dask_s:.2f} s; "
        f"Dask / pool {statistics.median(ratios):.3f} (rounds: "
        f"{', '.join(f'{r:.3f}' for r in ratios)})\n"
        f"plain MeCab {raw / n_chars * 1e6:.2f} CPU s per million characters; wall time as a "
        f"multiple of plain MeCab over {args.workers} workers: pool {pool_s / reference:.2f}x, "
        f"Dask {dask_s / reference:.2f}x\n"
        f"CPU seconds in the workers (summed over plans, median): pool "
        f"{statistics.median(pool_cpus):.1f}, Dask {statistics.median(dask_cpus):.1f}\n"
        f"identical result files in every round: {identical}; control busy loop 2 vs 1 "
        f"processes {statistics.median(controls):.2f}x (median); load {scale.load()}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
