"""Run the notebook suite and print how long each notebook takes.

Usage (from the repository root)::

    .venv/bin/python bench/notebooks.py                   # time every notebook
    .venv/bin/python bench/notebooks.py 03 04             # only notebooks whose name starts so
    .venv/bin/python bench/notebooks.py --out out/nb      # also keep executed .ipynb and PNG figures

Each notebook (a jupytext py:percent file in ``notebooks/``) is converted in
memory and executed top to bottom with nbclient in a fresh kernel running
this Python interpreter, with ``notebooks/`` as working directory and a
temporary ``COMPARE_CACHE_DIR`` (so the first notebook tokenizes from
scratch, as on a fresh machine, and the later ones reuse its cache).  With
``--out``, the executed notebooks and every PNG figure they display
(``<notebook>_cell<NN>_<k>.png``) are written there for review.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and its tokenize.py
# (the tokenizer benchmark) would shadow the standard library's tokenize.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse
import base64
import json
import os
import tempfile
import time

import jupytext
import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "compare-bench"


def kernel_manager(folder: Path) -> KernelManager:
    """A kernel manager whose kernel runs this interpreter (the project's venv)."""
    spec = folder / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "compare", "language": "python"}),
        encoding="utf-8",
    )
    return KernelManager(
        kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(folder)])
    )


def run(path: Path, kernels: Path) -> tuple[nbformat.NotebookNode, float]:
    """Execute one notebook; return it with its outputs and the wall-clock seconds."""
    notebook = jupytext.read(path)
    client = NotebookClient(
        notebook,
        km=kernel_manager(kernels),
        timeout=600,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    start = time.perf_counter()
    client.execute()
    return notebook, time.perf_counter() - start


def save(notebook: nbformat.NotebookNode, name: str, out: Path) -> int:
    """Write the executed notebook and its PNG figures to ``out``; return the figure count."""
    out.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out / f"{name}.ipynb")
    count = 0
    for index, cell in enumerate(notebook.cells):
        for k, output in enumerate(cell.get("outputs", [])):
            png = output.get("data", {}).get("image/png")
            if png:
                (out / f"{name}_cell{index:02d}_{k}.png").write_bytes(base64.b64decode(png))
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefixes", nargs="*", help="notebook name prefixes, e.g. 01 04")
    parser.add_argument("--out", type=Path, help="folder for executed notebooks and figures")
    args = parser.parse_args()
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    if args.prefixes:
        paths = [p for p in paths if p.name.startswith(tuple(args.prefixes))]
    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["COMPARE_CACHE_DIR"] = str(Path(tmp) / "cache")
        os.environ["COMPARE_OUT_DIR"] = str(Path(tmp) / "out")
        for path in paths:
            notebook, seconds = run(path, Path(tmp) / "kernels")
            total += seconds
            figures = save(notebook, path.stem, args.out) if args.out else 0
            extra = f"  ({figures} figures saved)" if args.out else ""
            print(f"{path.name:<48} {seconds:6.1f} s{extra}", flush=True)
    print(f"{'total':<48} {total:6.1f} s  ({len(paths)} notebooks, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
