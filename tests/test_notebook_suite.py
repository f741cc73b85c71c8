"""Running the notebook suite on a corpus of one's own, and opening it in JupyterLab."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA_PLANS = ROOT / "data" / "plans"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_passes_lab_args_through() -> None:
    args = "--port=8890 --no-browser --allow-root --IdentityProvider.token=abc"
    dry_run = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "lab", f"LAB_ARGS={args}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    launch = [line for line in dry_run.splitlines() if "jupyter lab" in line]
    assert launch == [f".venv/bin/jupyter lab notebooks/ {args}"]


# --------------------------------------------------------------------------- the runner

pytest.importorskip("papermill", reason="needs the notebook extra: pip install -e '.[notebook]'")
pytest.importorskip("nbconvert")
nbformat = pytest.importorskip("nbformat")

from compare import read_catalog  # noqa: E402
from compare.errors import NotebookError, ReportError  # noqa: E402
from compare.report.notebooks import MARKER, run_notebooks, suite  # noqa: E402
from tests import second_corpus  # noqa: E402

ONE_CELL = """\
# %% tags=["parameters"]
catalog = None
themes = None
plans = None
out = None

# %%
import compare

catalog = compare.read_catalog(catalog, plans=plans)
catalog[["plan_id", "municipality"]]
"""


@pytest.fixture
def kernel_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh token cache for the kernels of one test."""
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def test_a_notebook_runs_with_its_parameters_replaced(kernel_env: Path, catalog_path: Path):
    folder = kernel_env / "suite"
    folder.mkdir()
    (folder / "01_one.py").write_text(ONE_CELL, encoding="utf-8")
    out = kernel_env / "out"
    runs = run_notebooks(catalog_path, out, plans=["tama-6", "shimonoseki"], folder=folder)
    assert [run.name for run in runs] == ["01_one"]
    executed = nbformat.read(out / "01_one.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'plans = ["tama-6", "shimonoseki"]' in injected[0].source
    table = executed.cells[-1].outputs[0]["data"]["text/html"]
    assert "川崎市多摩区" in table and "下関市" in table and "墨田区" not in table
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="01_one.html"' in page and 'href="01_one.ipynb"' in page
    assert "tama-6, shimonoseki" in page
    assert "<!DOCTYPE html>" in (out / "01_one.html").read_text(encoding="utf-8")


def test_a_failing_notebook_is_named_with_its_cell(kernel_env: Path):
    folder = kernel_env / "suite"
    folder.mkdir()
    (folder / "01_one.py").write_text(ONE_CELL, encoding="utf-8")
    broken = ONE_CELL + '\n# %%\nplans = ["x"]\n\n# %%\ncompare.read_catalog(None, plans=plans)\n'
    (folder / "02_broken.py").write_text(broken, encoding="utf-8")
    (folder / "03_after.py").write_text(ONE_CELL, encoding="utf-8")
    out = kernel_env / "out"
    with pytest.raises(NotebookError) as error:
        run_notebooks(None, out, folder=folder)
    message = str(error.value)
    assert "notebook 02_broken.py failed in code cell 4, line 17 of 02_broken.py" in message
    assert "CatalogError" in message and "no plan x" in message
    # The failed notebook is written up to the failure; the next one never ran.
    assert "CatalogError" in (out / "02_broken.html").read_text(encoding="utf-8")
    assert not (out / "03_after.ipynb").exists()


def test_a_notebook_without_parameters_cell_is_refused(tmp_path: Path):
    folder = tmp_path / "suite"
    folder.mkdir()
    (folder / "01_plain.py").write_text("# %%\nx = 1\n", encoding="utf-8")
    with pytest.raises(NotebookError, match=r"01_plain\.py: no cell is tagged 'parameters'"):
        run_notebooks(None, tmp_path / "out", folder=folder)


def test_a_folder_not_written_by_the_runner_is_left_alone(tmp_path: Path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    with pytest.raises(ReportError, match="was not written by compare notebooks"):
        run_notebooks(None, out)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_unknown_catalogue_and_selection_are_reported(tmp_path: Path):
    with pytest.raises(NotebookError, match=r"missing\.csv: catalogue not found"):
        run_notebooks(tmp_path / "missing.csv", tmp_path / "out")
    with pytest.raises(NotebookError, match="no notebook name starts with 99"):
        suite(["99"])


def test_every_notebook_declares_the_parameters() -> None:
    import jupytext

    for path in suite():
        cells = [c for c in jupytext.read(path).cells if "parameters" in c.metadata.get("tags", [])]
        assert len(cells) == 1, path.name
        for name in ("catalog", "themes", "plans", "out"):
            assert f"{name} = None" in cells[0].source, (path.name, name)


@pytest.mark.skipif(
    not second_corpus.available(), reason="shared corpus-dev not beside the project"
)
def test_the_suite_runs_on_a_second_corpus_and_repeats_exactly(kernel_env: Path):
    """The whole suite through the parameters route, on plans it was not written for, twice."""
    catalog = second_corpus.make_second_corpus(kernel_env / "corpus")
    out = kernel_env / "out"
    runs = run_notebooks(catalog, out)
    assert [run.name for run in runs] == [path.stem for path in suite()]
    for run in runs:
        executed = nbformat.read(run.ipynb, as_version=4)
        code = [c for c in executed.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in code), f"{run.name}: a cell did not run"
        outputs = [o for c in code for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"], run.name
        assert any("text/html" in o.get("data", {}) for o in outputs), f"{run.name}: no table"
        assert run.html.stat().st_size > 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{run.html.name}"' in page for run in runs)
    assert (out / "notebook-briefing" / "index.html").is_file()  # 06 writes under out
    shown = (out / "01_corpus_structure.html").read_text(encoding="utf-8")
    municipalities = read_catalog(catalog)["municipality"]
    assert all(name in shown for name in municipalities), "01 does not show the catalogue"
    first = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    run_notebooks(catalog, out)
    second = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert sorted(second) == sorted(first)
    changed = [str(name) for name in first if first[name] != second[name]]
    assert not changed, f"files differ between two runs: {changed}"
    assert (out / MARKER).is_file()


#: The bundled corpus's municipalities: a notebook's narrative on another corpus must not name them.
BUNDLED_NAMES = ("墨田", "多摩区", "所沢", "小田原", "下関")


def _narrative_and_outputs(path: Path) -> str:
    """The Markdown cells and every output of an executed notebook (not its code)."""
    executed = nbformat.read(path, as_version=4)
    parts = [c.source for c in executed.cells if c.cell_type == "markdown"]
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.extend(str(v) for v in output.get("data", {}).values())
    return "\n".join(parts)


@pytest.mark.skipif(
    not second_corpus.available(), reason="shared corpus-dev not beside the project"
)
def test_the_narrative_on_a_second_corpus_names_only_its_plans(kernel_env: Path):
    """Plan-specific sentences come from the data: none names a bundled plan on another corpus."""
    catalog = second_corpus.make_second_corpus(kernel_env / "corpus")
    out = kernel_env / "out"
    runs = run_notebooks(catalog, out, select=["01", "03", "04", "05"])
    municipalities = read_catalog(catalog)["municipality"]
    for run in runs:
        shown = _narrative_and_outputs(run.ipynb)
        named = [name for name in BUNDLED_NAMES if name in shown]
        assert not named, f"{run.name} names bundled plans: {named}"
        assert 'class="compare-finding"' in shown, f"{run.name}: no sentence from the data"
    overview = _narrative_and_outputs(out / "01_corpus_structure.ipynb")
    assert f"このコーパスは{len(municipalities)}文書です" in overview
    assert all(name in overview for name in municipalities)


def _write_catalog(folder: Path, plans: dict[str, tuple[str, str]]) -> Path:
    """A catalogue of constructed plans: plan_id -> (municipality, text)."""
    import csv

    (folder / "texts").mkdir(parents=True)
    with (folder / "catalog.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["plan_id", "path", "municipality", "prefecture", "author", "plan_type", "doc_kind"]
        )
        for plan_id, (municipality, text) in plans.items():
            (folder / "texts" / f"{plan_id}.txt").write_text(text, encoding="utf-8")
            writer.writerow(
                [
                    plan_id,
                    f"texts/{plan_id}.txt",
                    municipality,
                    "静岡県",
                    "自治体",
                    "地域福祉計画",
                    "excerpt",
                ]
            )
    return folder / "catalog.csv"


def test_goal_comparison_is_skipped_with_a_note_when_only_one_plan_has_goals(kernel_env: Path):
    """Notebook 05 on a corpus where one plan states goals: a note says why, the rest runs."""
    with_goals = (DATA_PLANS / "tama-6.txt").read_text(encoding="utf-8-sig")
    without = "\n\n".join(
        [
            "地域のつながりを大切にし、だれもが安心して暮らせるまちをめざします。",
            "高齢者の見守り活動や子育て支援の取組を、住民と行政が協力して進めます。",
            "災害時に支援が必要な人を把握し、避難の支援体制を整えます。",
        ]
    )
    catalog = _write_catalog(
        kernel_env / "corpus", {"a-city": ("架空市", with_goals), "b-town": ("見本町", without)}
    )
    out = kernel_env / "out"
    (run,) = run_notebooks(catalog, out, select=["05"])
    executed = nbformat.read(run.ipynb, as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "a cell did not run"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    shown = _narrative_and_outputs(run.ipynb)
    assert "目標の対応づけを省きます。目標が見つかった計画が2つ未満" in shown
    assert "b-town" in shown  # the plan left out is named in the note
    assert "目標の対応づけを省いたので、この節の表と図はありません。" in shown
    # The sections after the skipped one still ran: the diff compares the two plans.
    assert "架空市（A、抜粋）と見本町（B、抜粋）を比べます" in shown


# --------------------------------------------------------------------------- display helpers


def test_notes_escape_the_message_and_drop_temporary_folders() -> None:
    import tempfile

    from compare.report.display import note_html

    temp = Path(tempfile.gettempdir()) / "compare-themes-x1y2" / "my_themes.yaml"
    shown = note_html(f"{temp}: theme 'a<b>': term(s) ICT match nothing", "ThemeWarning")
    assert "my_themes.yaml: theme" in shown and str(temp.parent) not in shown
    assert "a&lt;b&gt;" in shown and "<b>注 / Note (ThemeWarning):</b>" in shown
    kept = note_html("/home/me/plans/catalog.csv: line 3: …")
    assert "/home/me/plans/catalog.csv: line 3" in kept


def test_tables_show_tabs_and_line_breaks_as_text_not_escapes() -> None:
    import pandas as pd

    from compare.report.display import readable

    frame = pd.DataFrame(
        {
            "text": ["指標\t現状値\t目標値", "一行目\n二行目", None],
            "count": [1, 2, 3],
            "kind": pd.Categorical(["a", "b", "a"]),
        }
    )
    shown = readable(frame)
    assert list(shown["text"].iloc[:2]) == ["指標\u3000現状値\u3000目標値", "一行目 / 二行目"]
    assert "\\t" in frame._repr_html_() and "\\t" not in shown._repr_html_()
    assert "\\n" not in shown._repr_html_()
    assert frame.loc[0, "text"] == "指標\t現状値\t目標値"  # the caller's frame is unchanged
    assert shown["kind"].dtype == frame["kind"].dtype


def test_plan_labels_name_the_municipality_the_council_and_the_edition() -> None:
    """Notebook sentences name plans as the report does (plot.labels.plan_names)."""
    import pandas as pd

    from compare.report.display import join_ja, plan_label

    table = pd.DataFrame(
        {
            "plan_id": ["a-2", "a-3", "a-shakyo", "b"],
            "municipality": ["甲市", "甲市", "甲市", "乙町"],
            "author": ["自治体", "自治体", "社会福祉協議会", "自治体"],
            "edition": ["第2次", "第3次", "第4期", ""],
        }
    )
    labels = [plan_label(table, plan_id) for plan_id in table["plan_id"]]
    assert labels == ["甲市 第2次", "甲市 第3次", "甲市（社協）", "乙町"]
    assert plan_label(table, "unknown") == "unknown"
    assert join_ja(["甲市", "乙町", "甲市"]) == "甲市・乙町"
    assert join_ja([]) == "なし" and join_ja([], empty="—") == "—"
    assert join_ja(["「a」", "「b」"], sep="") == "「a」「b」"


def test_sentences_from_the_data_are_escaped_and_printed_outside_a_notebook(capsys) -> None:
    from compare.report.display import finding_html, say, show_note

    assert finding_html("<b>甲市</b>") == (
        '<p class="compare-finding" style="border-left: 4px solid #6a9a5b; padding: .2em .8em; '
        'margin: .3em 0">&lt;b&gt;甲市&lt;/b&gt;</p>'
    )
    say("このコーパスは", "2文書です。")
    show_note("目標の対応づけを省きます。")
    assert (
        capsys.readouterr().out
        == "このコーパスは2文書です。\n注 / Note: 目標の対応づけを省きます。\n"
    )
