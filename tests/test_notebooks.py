"""The notebook suite: runs top to bottom, repeats exactly, stays thin, stores no outputs.

Each notebook is a jupytext py:percent file in ``notebooks/``.  It is
converted in memory and executed with nbclient in a fresh kernel that runs
this interpreter (the project's virtual environment), with ``notebooks/`` as
the working directory and temporary cache and output folders, as on a fresh
checkout.  Run times are measured by ``bench/notebooks.py``, not asserted here.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from pathlib import Path

import pytest

jupytext = pytest.importorskip(
    "jupytext", reason="needs the notebook extra: pip install -e '.[notebook]'"
)
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SUITE = [
    "01_corpus_structure",
    "02_tokens_terms",
    "03_themes",
    "04_similarity_keyness_network_ca_clusters",
    "05_goal_alignment_diff",
    "06_briefing",
    "07_your_own_plans",
]
#: Notebooks whose point is a figure: each must display at least one.
WITH_FIGURES = {
    "01_corpus_structure",
    "03_themes",
    "04_similarity_keyness_network_ca_clusters",
    "05_goal_alignment_diff",
    "06_briefing",
}
#: Notebooks run a second time to check that tables and figures repeat exactly
#: (seeded Monte-Carlo Fisher tests; Louvain, layout, clustering and NMF seeds).
RERUN = ["03_themes", "04_similarity_keyness_network_ca_clusters"]
#: Calls that involve randomness and the keyword that must fix it in a notebook.
SEEDED_CALLS = {
    "stat_cooccurrence": "seed",
    "plot_network": "seed",
    "stat_clusters": "random_state",
    "stat_topics": "random_state",
    "stat_theme_test": "random_state",
}
KERNEL = "compare-notebook-tests"
#: Folders of the repository that notebooks must leave untouched.
WATCHED = ["notebooks", "data"]


# --------------------------------------------------------------------------- helpers


def code_sources(notebook: nbformat.NotebookNode) -> list[str]:
    """Python source of each code cell, with IPython magics and shell lines removed."""
    sources = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        lines = [
            "" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.split("\n")
        ]
        sources.append("\n".join(lines))
    return sources


def defined_functions(source: str) -> list[str]:
    """Function, class and lambda definitions in ``source`` (a notebook must have none)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.append(f"{type(node).__name__} {node.name} (line {node.lineno})")
        elif isinstance(node, ast.Lambda):
            found.append(f"lambda (line {node.lineno})")
    return found


def unseeded_calls(source: str) -> list[str]:
    """Calls of randomised functions that do not pass their seed keyword."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        keyword = SEEDED_CALLS.get(name or "")
        if keyword and keyword not in {k.arg for k in node.keywords}:
            found.append(f"{name} without {keyword}= (line {node.lineno})")
    return found


def stored_outputs(path: Path) -> int:
    """Number of code cells of an .ipynb file that hold outputs or an execution count."""
    notebook = nbformat.read(path, as_version=4)
    return sum(
        1
        for cell in notebook.cells
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    )


def stored_ipynb_files() -> list[Path]:
    """The .ipynb files in notebooks/, checkpoints (ignored by git) left out."""
    return [
        path
        for path in sorted(NOTEBOOKS.rglob("*.ipynb"))
        if ".ipynb_checkpoints" not in path.parts
    ]


def text_outputs(
    notebook: nbformat.NotebookNode, mimes: tuple[str, ...] = ("text/plain", "text/html")
) -> list[tuple[int, str, str]]:
    """Tables and printed text (or, with ``mimes``, figures) of an executed notebook.

    Standard error is left out: warnings there name the kernel's temporary files.
    """
    shown = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stdout" and "text/plain" in mimes:
                # The kernel may split one print into several chunks depending on timing:
                # join consecutive chunks of a cell so two runs compare by content.
                if shown and shown[-1][:2] == (index, "stdout"):
                    shown[-1] = (index, "stdout", shown[-1][2] + output.text)
                else:
                    shown.append((index, "stdout", output.text))
            for mime in mimes:
                value = output.get("data", {}).get(mime)
                if value is not None:
                    shown.append((index, mime, value if isinstance(value, str) else "".join(value)))
    return shown


def snapshot(folders: list[str]) -> dict[str, int]:
    """Files under the given repository folders with their modification times."""
    files = {}
    for folder in folders:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                files[str(path.relative_to(ROOT))] = path.stat().st_mtime_ns
    return files


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def kernel_dirs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A kernel spec that starts this interpreter, so notebooks run in the project's venv."""
    folder = tmp_path_factory.mktemp("kernels")
    spec = folder / KERNEL
    spec.mkdir()
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "compare tests", "language": "python"}),
        encoding="utf-8",
    )
    return [str(folder)]


@pytest.fixture(scope="session")
def notebook_env(tmp_path_factory: pytest.TempPathFactory):
    """Temporary token cache and briefing folders for every kernel of the session."""
    base = tmp_path_factory.mktemp("notebook-env")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMPARE_CACHE_DIR", str(base / "cache"))
        patch.setenv("COMPARE_OUT_DIR", str(base / "out"))
        patch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        # A fixed hash seed for the first run; the rerun uses another one, so nothing may
        # depend on the order of a set of strings.
        patch.setenv("PYTHONHASHSEED", "1")
        # The test session's MPLBACKEND=Agg would stop the kernel from showing figures inline.
        patch.delenv("MPLBACKEND", raising=False)
        yield base


@pytest.fixture(scope="session")
def execute(kernel_dirs: list[str], notebook_env: Path):
    """Execute a notebook (by name, or a NotebookNode) and return it with its outputs."""

    def run(notebook: str | nbformat.NotebookNode) -> nbformat.NotebookNode:
        if isinstance(notebook, str):
            notebook = jupytext.read(NOTEBOOKS / f"{notebook}.py")
        manager = KernelManager(
            kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=kernel_dirs)
        )
        client = nbclient.NotebookClient(
            notebook,
            km=manager,
            timeout=600,  # a guard against a hanging cell, not a speed requirement
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        client.execute()
        return notebook

    return run


@pytest.fixture(scope="session")
def executed(execute) -> dict[str, nbformat.NotebookNode]:
    """Each notebook executed once per session (filled as the tests ask for them)."""
    return {}


@pytest.fixture(scope="session")
def untouched_repository():
    """Snapshot of the watched folders taken before any notebook runs."""
    return snapshot(WATCHED)


# --------------------------------------------------------------------------- the suite


def test_suite_is_complete_and_listed() -> None:
    stems = [path.stem for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))]
    assert stems == SUITE
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    missing = [stem for stem in SUITE if f"{stem}.py" not in readme]
    assert not missing, f"notebooks/README.md does not list {missing}"


@pytest.mark.parametrize("name", SUITE)
def test_notebook_is_stored_as_jupytext_text(name: str) -> None:
    """Saving from JupyterLab rewrites the file identically (no churn in reviews)."""
    from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file

    config = load_jupytext_configuration_file(find_jupytext_configuration_file(str(NOTEBOOKS)))
    assert config.formats in ("py:percent", ["py:percent"])
    path = NOTEBOOKS / f"{name}.py"
    stored = path.read_text(encoding="utf-8")
    written = jupytext.writes(jupytext.read(path), fmt="py:percent", config=config)
    version = re.compile(r"^#\s+jupytext_version: .*$", re.MULTILINE)
    assert version.sub("", written) == version.sub("", stored)


@pytest.mark.parametrize("name", SUITE)
def test_notebook_defines_no_functions(name: str) -> None:
    notebook = jupytext.read(NOTEBOOKS / f"{name}.py")
    found = [item for source in code_sources(notebook) for item in defined_functions(source)]
    assert not found, f"{name}: analysis code belongs in the package, found {found}"


@pytest.mark.parametrize("name", SUITE)
def test_notebook_fixes_every_seed(name: str) -> None:
    notebook = jupytext.read(NOTEBOOKS / f"{name}.py")
    found = [item for source in code_sources(notebook) for item in unseeded_calls(source)]
    assert not found, f"{name}: {found}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def helper(x):\n    return x", ["FunctionDef helper (line 1)"]),
        ("async def fetch():\n    pass", ["AsyncFunctionDef fetch (line 1)"]),
        ("class Table:\n    pass", ["ClassDef Table (line 1)"]),
        ("rows = sorted(rows, key=lambda row: row[1])", ["lambda (line 1)"]),
        ("x = [w for w in words if w]\nprint(max(x, key=len))", []),
    ],
)
def test_function_check_catches_definitions(source: str, expected: list[str]) -> None:
    assert defined_functions(source) == expected


def test_magics_are_ignored_when_checking() -> None:
    notebook = jupytext.reads("# %%\n# %matplotlib inline\nx = 1\n", fmt="py:percent")
    assert code_sources(notebook)[0].split("\n") == ["", "x = 1"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("net = compare.stat_cooccurrence(tokens)", ["stat_cooccurrence without seed= (line 1)"]),
        ("net = compare.stat_cooccurrence(tokens, seed=0)", []),
        ("m = stat_topics(tokens, n_topics=3)", ["stat_topics without random_state= (line 1)"]),
        ("m = stat_topics(tokens, random_state=SEED)", []),
    ],
)
def test_seed_check_catches_unseeded_calls(source: str, expected: list[str]) -> None:
    assert unseeded_calls(source) == expected


def test_no_ipynb_with_stored_outputs() -> None:
    offenders = [
        str(path.relative_to(ROOT)) for path in stored_ipynb_files() if stored_outputs(path)
    ]
    assert not offenders, (
        f"notebooks with stored outputs (clear them or keep only the .py): {offenders}"
    )


def test_output_check_catches_stored_outputs(tmp_path: Path) -> None:
    clean = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    nbformat.write(clean, tmp_path / "clean.ipynb")
    executed_cell = nbformat.v4.new_code_cell("1 + 1", execution_count=1)
    executed_cell.outputs = [
        nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=1)
    ]
    dirty = nbformat.v4.new_notebook(cells=[executed_cell])
    nbformat.write(dirty, tmp_path / "dirty.ipynb")
    assert stored_outputs(tmp_path / "clean.ipynb") == 0
    assert stored_outputs(tmp_path / "dirty.ipynb") == 1


def test_kernel_runs_this_interpreter(execute) -> None:
    notebook = execute(
        jupytext.reads("# %%\nimport sys\nprint(sys.executable)\n", fmt="py:percent")
    )
    printed = notebook.cells[0].outputs[0].text.strip()
    assert Path(printed).resolve() == Path(sys.executable).resolve()


@pytest.mark.parametrize("name", SUITE)
def test_notebook_runs_top_to_bottom(
    name: str, execute, executed: dict, untouched_repository: dict[str, int]
) -> None:
    notebook = execute(name)
    executed[name] = notebook
    assert any(mime == "text/html" for _, mime, _ in text_outputs(notebook)), f"{name}: no table"
    if name in WITH_FIGURES:
        assert text_outputs(notebook, ("image/png",)), f"{name} shows no figure"
    assert snapshot(WATCHED) == untouched_repository, f"{name} wrote into {WATCHED}"


def test_briefing_is_written_outside_the_repository(executed: dict, notebook_env: Path) -> None:
    if "06_briefing" not in executed:
        pytest.skip("06_briefing did not run in this session")
    briefing = notebook_env / "out" / "notebook-briefing"
    assert (briefing / "index.html").is_file()
    assert (briefing / "tables.xlsx").is_file()
    assert os.listdir(notebook_env / "cache"), (
        "the token cache was not written to COMPARE_CACHE_DIR"
    )


@pytest.fixture(scope="session")
def reruns() -> dict[str, nbformat.NotebookNode]:
    """Second runs of the RERUN notebooks (filled by test_tables_repeat_exactly)."""
    return {}


def first_and_second(
    name: str, execute, executed: dict, reruns: dict, monkeypatch: pytest.MonkeyPatch
) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """The session's run of a notebook and a second run under another hash seed."""
    first = executed.get(name) or executed.setdefault(name, execute(name))
    if name not in reruns:
        monkeypatch.setenv("PYTHONHASHSEED", "2")
        reruns[name] = execute(name)
    return first, reruns[name]


@pytest.mark.parametrize("name", RERUN)
def test_tables_repeat_exactly(
    name: str, execute, executed: dict, reruns: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = first_and_second(name, execute, executed, reruns, monkeypatch)
    assert text_outputs(second) == text_outputs(first)


@pytest.mark.parametrize(
    "name",
    [
        "03_themes",
        "04_similarity_keyness_network_ca_clusters",
    ],
)
def test_figures_repeat_exactly(
    name: str, execute, executed: dict, reruns: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = first_and_second(name, execute, executed, reruns, monkeypatch)
    assert text_outputs(second, ("image/png",)) == text_outputs(first, ("image/png",))
