"""Run the notebook suite on a corpus: executed notebooks, HTML copies and an index page.

The notebooks in ``notebooks/`` are jupytext py:percent files.  Each has a
cell tagged ``parameters`` (``catalog``, ``themes``, ``plans``, ``out``) whose
defaults analyse the bundled corpus.  :func:`run_notebooks` converts each
notebook in memory, executes it top to bottom with papermill in a fresh
kernel running this interpreter, with the parameters replaced, and writes
``<notebook>.ipynb`` (with its outputs), ``<notebook>.html`` and an
``index.html`` that links them.  A notebook that fails stops the run with an
error naming the notebook and the cell; the part that ran is still written,
so the failure can be read in context.

Written files hold no run times or temporary paths, so two runs on the same
input write the same bytes.  Needs the ``notebook`` extra (papermill,
nbconvert, jupytext).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compare._resources import source_root
from compare.errors import NotebookError, ReportError

#: Parameters that every notebook of the suite declares in its parameters cell.
PARAMETERS = ("catalog", "themes", "plans", "out")

#: File that marks a folder as written by :func:`run_notebooks` (safe to replace into).
MARKER = ".compare-notebooks"

#: Kernel spec name of the interpreter the notebooks run in.
KERNEL = "compare-suite"

#: Metadata that changes from run to run (timings), removed before writing.
_VOLATILE_CELL_KEYS = ("execution",)
_VOLATILE_PAPERMILL_KEYS = ("start_time", "end_time", "duration", "input_path", "output_path")


@dataclass(frozen=True)
class NotebookRun:
    """One executed notebook: its name, title, files written and wall-clock seconds."""

    name: str
    title: str
    ipynb: Path
    html: Path
    seconds: float


def notebooks_dir() -> Path:
    """The folder of the notebook suite (``notebooks/`` of a source checkout)."""
    folder = source_root() / "notebooks"
    if not folder.is_dir():
        raise NotebookError(
            f"the notebook suite is not in this installation ({folder} is missing); "
            "run from a source checkout of compare"
        )
    return folder


def suite(select: Sequence[str] | None = None, folder: Path | None = None) -> list[Path]:
    """The notebooks of the suite in order, or those whose names start with ``select``."""
    folder = folder or notebooks_dir()
    paths = sorted(folder.glob("[0-9][0-9]_*.py"))
    if select:
        paths = [p for p in paths if p.stem.startswith(tuple(select))]
        if not paths:
            raise NotebookError(
                f"no notebook name starts with {', '.join(select)}; the suite has "
                f"{', '.join(p.stem for p in sorted(folder.glob('[0-9][0-9]_*.py')))}"
            )
    return paths


def run_notebooks(
    catalog: str | os.PathLike | None = None,
    out: str | os.PathLike = "out/notebooks",
    *,
    themes: str | os.PathLike | None = None,
    plans: Sequence[str] | None = None,
    select: Sequence[str] | None = None,
    force: bool = False,
    timeout: int = 1800,
    progress: Callable[[NotebookRun], None] | None = None,
    folder: str | os.PathLike | None = None,
) -> list[NotebookRun]:
    """Execute the notebook suite on a catalogue and write the results under ``out``.

    Parameters
    ----------
    catalog : path, optional
        Catalogue CSV of the corpus; None analyses the bundled corpus.
    out : path
        Folder for ``<notebook>.ipynb``, ``<notebook>.html``, ``index.html``
        and the files the notebooks write themselves (the briefing of 06).
        An existing folder is written into only if this function made it
        (or ``force``); files it did not write are never replaced.
    themes : path, optional
        Theme catalogue YAML (default: the bundled ``data/themes.yaml``).
    plans : list of str, optional
        Plan ids the notebooks focus on (default: every plan of the catalogue).
    select : list of str, optional
        Run only the notebooks whose names start with one of these (``["03"]``).
    force : bool
        Write into an existing folder that this function did not make.
    timeout : int
        Seconds one cell may run before it counts as hung.
    progress : callable, optional
        Called with each :class:`NotebookRun` as it finishes.
    folder : path, optional
        The folder of the notebooks (default: the suite of this checkout).

    Returns
    -------
    list of NotebookRun
        In suite order.

    Raises
    ------
    NotebookError
        A notebook failed (naming it, the cell and the error) or has no
        parameters cell; the catalogue or themes file does not exist.
    ReportError
        ``out`` exists and was not written by this function (without ``force``).
    """
    paths = suite(select, Path(folder) if folder else None)
    parameters = _parameters(catalog, themes, plans, Path(out))
    target = _prepare_out(Path(out), force)
    runs = []
    with tempfile.TemporaryDirectory(prefix="compare-kernel-") as kernels, _kernel_env():
        manager = _kernel_manager(Path(kernels))
        for path in paths:
            run = _run_one(path, target, parameters, manager, timeout)
            runs.append(run)
            if progress:
                progress(run)
    _write_text(target / "index.html", _index_html(runs, parameters))
    return runs


def _parameters(
    catalog: str | os.PathLike | None,
    themes: str | os.PathLike | None,
    plans: Sequence[str] | None,
    out: Path,
) -> dict[str, Any]:
    """The values injected into every notebook's parameters cell (absolute paths)."""
    for label, value in (("catalogue", catalog), ("theme file", themes)):
        if value is not None and not Path(value).is_file():
            raise NotebookError(f"{value}: {label} not found")
    return {
        "catalog": str(Path(catalog).resolve()) if catalog is not None else None,
        "themes": str(Path(themes).resolve()) if themes is not None else None,
        "plans": list(plans) if plans else None,
        "out": str(out.resolve()),
    }


def _prepare_out(out: Path, force: bool) -> Path:
    """Create ``out`` (or check that this function wrote it) and mark it as ours."""
    if out.exists() and not out.is_dir():
        raise ReportError(f"{out} exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists() and not force:
        raise ReportError(
            f"{out} exists and was not written by compare notebooks; choose another --out "
            "(or --force to write into it)"
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by compare notebooks\n", encoding="utf-8")
    return out


@contextlib.contextmanager
def _kernel_env() -> Iterator[None]:
    """Environment of the kernels: inline figures, no debugger notice on stderr."""
    saved = dict(os.environ)
    os.environ.pop("MPLBACKEND", None)  # Agg (set for tests or servers) hides inline figures
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _kernel_manager(folder: Path) -> Any:
    """A kernel manager whose kernel runs this interpreter (the project's environment)."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec = folder / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    # Errors only: the kernel's start-up notices would read like problems in the run's output.
    argv = [
        sys.executable,
        "-m",
        "ipykernel_launcher",
        "--Application.log_level=40",
        "-f",
        "{connection_file}",
    ]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "compare", "language": "python"}),
        encoding="utf-8",
    )
    return KernelManager(
        kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(folder)])
    )


def _run_one(
    path: Path, out: Path, parameters: dict[str, Any], manager: Any, timeout: int
) -> NotebookRun:
    """Execute one notebook with papermill and write its .ipynb and .html."""
    import jupytext
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebook = jupytext.read(path)
    _check_parameters_cell(notebook, path)
    failure: PapermillExecutionError | None = None
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="compare-run-") as tmp:
        # papermill writes the notebook as far as it ran before raising, so a
        # failed notebook can still be read in context.
        executed = Path(tmp) / f"{path.stem}.ipynb"
        try:
            papermill.execute_notebook(
                notebook,
                str(executed),
                parameters=parameters,
                kernel_name=KERNEL,
                language="python",
                km=manager,
                cwd=str(path.parent),
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=timeout,
            )
        except PapermillExecutionError as exc:
            failure = exc
        seconds = time.perf_counter() - start
        notebook = nbformat.read(executed, as_version=4)
    _clean(notebook)
    run = NotebookRun(
        path.stem,
        _title(notebook, path),
        out / f"{path.stem}.ipynb",
        out / f"{path.stem}.html",
        seconds,
    )
    _write_notebook(notebook, run)
    if failure is not None:
        raise NotebookError(_failure_message(path, notebook, failure, run))
    return run


def _check_parameters_cell(notebook: Any, path: Path) -> None:
    for cell in notebook.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            missing = [name for name in PARAMETERS if f"{name} =" not in cell.source]
            if missing:
                raise NotebookError(
                    f"{path.name}: the parameters cell does not set {', '.join(missing)}"
                )
            return
    raise NotebookError(
        f"{path.name}: no cell is tagged 'parameters'; add "
        f"'# %% tags=[\"parameters\"]' above the cell that sets {', '.join(PARAMETERS)}"
    )


def _clean(notebook: Any) -> None:
    """Remove run times and the like, so that the same input writes the same bytes.

    The kernel may split one printed output into several chunks depending on
    timing; consecutive chunks of a stream are joined into one output.
    """
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    CoalesceStreamsPreprocessor().preprocess(notebook, {})
    meta = notebook.metadata.get("papermill", {})
    for key in _VOLATILE_PAPERMILL_KEYS:
        meta.pop(key, None)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"  # jupytext and papermill give random ids
        for key in _VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        cell_meta = cell.metadata.get("papermill", {})
        for key in ("start_time", "end_time", "duration"):
            cell_meta.pop(key, None)


def _title(notebook: Any, path: Path) -> str:
    """The first markdown heading of a notebook, or its file name."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def _failure_message(path: Path, notebook: Any, failure: Any, run: NotebookRun) -> str:
    """Name the notebook, the failed cell (number among code cells, first line) and the error."""
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    failed = next(
        (
            c
            for c in code_cells
            if any(o.get("output_type") == "error" for o in c.get("outputs", []))
        ),
        None,
    )
    if failed is None and 0 <= failure.cell_index < len(notebook.cells):
        failed = notebook.cells[failure.cell_index]
    where = "an unknown cell"
    if failed is not None:
        own = [c for c in code_cells if "injected-parameters" not in c.metadata.get("tags", [])]
        number = next((i for i, c in enumerate(own, 1) if c is failed), None)
        first = next((line for line in failed.source.splitlines() if line.strip()), "")
        line = _source_line(path, failed.source)
        at = f", line {line} of {path.name}" if line else ""
        where = f"code cell {number}{at} ({first.strip()[:60]!r})"
    return (
        f"notebook {path.name} failed in {where}: {failure.ename}: "
        f"{str(failure.evalue).rstrip('.')}; "
        f"the notebook as far as it ran is in {run.html}"
    )


def _source_line(path: Path, source: str) -> int | None:
    """Line of the .py file where a cell's source starts (None if not found)."""
    first = next((line for line in source.splitlines() if line.strip()), None)
    if first is None:
        return None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line == first:
            return number
    return None


def _write_notebook(notebook: Any, run: NotebookRun) -> None:
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    _write_text(run.ipynb, nbformat.writes(notebook) + "\n")
    exporter = HTMLExporter(template_name="lab")
    exporter.extra_loaders = [jinja2.DictLoader({"offline.html.j2": _OFFLINE_TEMPLATE})]
    exporter.template_file = "offline.html.j2"
    html, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": run.title}})
    _write_text(run.html, html)


#: JupyterLab's HTML template without the scripts it loads from the internet
#: (require.js, MathJax, Mermaid): the notebooks need none of them, and the
#: pages then open offline and contact nobody.
_OFFLINE_TEMPLATE = """\
{%- extends 'lab/index.html.j2' -%}
{% block html_head_js %}{% endblock html_head_js %}
{% block html_head_js_mathjax %}{% endblock html_head_js_mathjax %}
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
"""


def _write_text(path: Path, text: str) -> None:
    """Write a file atomically (temporary file in the same folder, then replace)."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes the file private
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_INDEX = """\
<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>ノートブック / Notebooks</title>
<style>
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; line-height: 1.6; }
table { border-collapse: collapse; } td, th { padding: .3em .8em; text-align: left; }
tr:nth-child(even) { background: #f4f4f4; } code { font-size: 90%; }
</style>
</head>
<body>
<h1>ノートブック / Notebooks</h1>
<p>実行したノートブック（上から順に実行、出力つき）。HTML はブラウザで、<code>.ipynb</code> は JupyterLab で開けます。<br>
<em>The executed notebooks, with their outputs.</em></p>
<table>
<tr><th>ノートブック / notebook</th><th>HTML</th><th>ipynb</th></tr>
{% for run in runs %}<tr><td>{{ run.title }}</td>
<td><a href="{{ run.html.name }}">{{ run.html.name }}</a></td>
<td><a href="{{ run.ipynb.name }}">{{ run.ipynb.name }}</a></td></tr>
{% endfor %}</table>
<h2>パラメータ / Parameters</h2>
<ul>
<li>catalog: <code>{{ catalog }}</code></li>
<li>themes: <code>{{ themes }}</code></li>
<li>plans: <code>{{ plans }}</code></li>
</ul>
</body>
</html>
"""


def _index_html(runs: list[NotebookRun], parameters: dict[str, Any]) -> str:
    """The index page: one row per notebook, linking its HTML and .ipynb copies."""
    import jinja2

    environment = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    return environment.from_string(_INDEX).render(
        runs=runs,
        catalog=parameters["catalog"] or "同梱コーパス / bundled corpus (data/catalog.csv)",
        themes=parameters["themes"] or "data/themes.yaml",
        plans=", ".join(parameters["plans"]) if parameters["plans"] else "すべて / all",
    )
