"""Benchmark: time of `compare report` on the bundled corpus and on a 100× corpus.

The 100× corpus copies the five bundled plans under 100 distinct plan ids and
municipalities (each copy gets one extra line naming it, so the token cache
cannot reuse one copy for another).  Prints wall-clock seconds per run
(analyses and figures, then writing the files); nothing is asserted.

    .venv/bin/python -P bench/report.py [--scale 100] [--skip-large]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from compare import read_catalog
from compare.catalog import plan_file
from compare.report import build_briefing, write_briefing


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="plans in the large corpus")
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
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
