"""The briefing report: files, content, provenance, escaping, safety of the output directory."""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from compare import __version__, read_catalog
from compare.cli import main
from compare.errors import ReportError
from compare.io.readers import read_text
from compare.io.spreadsheet import restore
from compare.pipeline import run_pipeline
from compare.report import ReportSettings, write_report
from tests.conftest import DATA, assert_same_report

DATE = "2025-01-01"
SEEDS = ["sumida", "tama-6", "tokorozawa-2", "odawara-shakyo-4", "shimonoseki"]


@functools.lru_cache(maxsize=1)
def bundled_report() -> Path:
    """The report of the bundled corpus, written once per test session (shared with the browser test)."""
    root = Path(tempfile.mkdtemp(prefix="compare-report-test-"))
    atexit.register(shutil.rmtree, root, True)
    previous = os.environ.get("COMPARE_CACHE_DIR")
    os.environ["COMPARE_CACHE_DIR"] = str(root / "cache")
    try:
        return write_report(out=root / "briefing", date=DATE, progress=False)
    finally:
        if previous is None:
            os.environ.pop("COMPARE_CACHE_DIR", None)
        else:
            os.environ["COMPARE_CACHE_DIR"] = previous


@pytest.fixture(scope="module")
def report() -> Path:
    return bundled_report()


@pytest.fixture(scope="module")
def html(report: Path) -> str:
    return (report / "index.html").read_text(encoding="utf-8")


def small_corpus(folder: Path, extra_line: str = "") -> Path:
    """A two-plan catalogue of the two shortest seeds; ``extra_line`` is appended to the first."""
    folder.mkdir(parents=True, exist_ok=True)
    catalog = read_catalog()
    rows = catalog[catalog["plan_id"].isin(["sumida", "tama-6"])].copy()
    for row in rows.itertuples():
        text = (DATA / row.path).read_text(encoding="utf-8")
        if row.plan_id == "sumida" and extra_line:
            text += "\n" + extra_line + "\n"
        (folder / f"{row.plan_id}.txt").write_text(text, encoding="utf-8")
    rows["path"] = rows["plan_id"] + ".txt"
    rows["sha256"] = ""
    path = folder / "catalog.csv"
    rows.to_csv(path, index=False)
    return path


@pytest.fixture
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(tmp_path / "cache"))


# --------------------------------------------------------------------------- files


def test_report_writes_html_markdown_workbook_and_every_figure_twice(report: Path):
    assert (report / "index.html").stat().st_size > 10_000
    assert (report / "briefing.md").stat().st_size > 1_000
    assert (report / "tables.xlsx").is_file()
    pngs = {p.stem for p in (report / "figures").glob("*.png")}
    svgs = {p.stem for p in (report / "figures").glob("*.svg")}
    assert pngs == svgs
    expected = {
        "theme_heatmap",
        "theme_shares",
        "keyness",
        "similarity",
        "dendrogram",
        "network",
        "ca",
    } | {f"outline_{p}" for p in SEEDS}
    assert expected <= pngs
    assert any(name.startswith("goals_") for name in pngs)
    for png in (report / "figures").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_no_partial_or_old_directories_are_left_next_to_the_report(report: Path):
    siblings = [p.name for p in report.parent.iterdir() if p.name.startswith(".briefing")]
    assert siblings == []


def test_html_is_self_contained(html: str):
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<link" not in html.lower()
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "@font-face" in html  # Japanese renders without fonts installed


def test_every_figure_in_the_page_links_its_table(report: Path, html: str):
    figures = re.findall(r"<figure>.*?</figure>", html, flags=re.S)
    assert len(figures) == len(list((report / "figures").glob("*.png")))
    for figure in figures:
        tables = re.findall(r'href="tables/([^"]+\.csv)"', figure)
        assert tables, figure[:200]
        for table in tables:
            assert (report / "tables" / table).is_file()


def test_page_names_every_municipality_and_the_three_core_themes(html: str):
    for name in ["墨田区", "川崎市多摩区", "所沢市", "小田原市（社協）", "下関市"]:
        assert name in html
    for theme in ["プラットフォーム", "重層的支援", "防災・減災"]:
        assert theme in html


#: A plan text with chapters and paragraphs but nothing that reads as a goal (基本目標 …).
NO_GOALS = """第1章 はじめに

この文書は、地域の福祉について住民の意見をまとめたものです。地域のつながりが大切です。

第2章 地域の現状

高齢化が進み、ひとり暮らしの高齢者が増えています。見守りや相談の場が求められています。
"""


def test_a_plan_without_goal_headings_gets_a_japanese_notice_not_an_exception(
    tmp_path: Path, isolated_cache
):
    catalog = small_corpus(tmp_path / "corpus")
    (tmp_path / "corpus" / "nogoals.txt").write_text(NO_GOALS, encoding="utf-8")
    rows = pd.read_csv(catalog, dtype=str, keep_default_na=False)
    extra = rows.iloc[[0]].assign(
        plan_id="nogoals", path="nogoals.txt", municipality="みどり野市", title="", edition=""
    )
    pd.concat([rows, extra]).to_csv(catalog, index=False)
    out = write_report(catalog, out=tmp_path / "out", date=DATE, progress=False)
    html = (out / "index.html").read_text(encoding="utf-8")
    markdown = (out / "briefing.md").read_text(encoding="utf-8")
    goals = re.search(r'<section id="goals">(.*?)</section>', html, re.S).group(1)
    notice = re.search(r'<p class="notice">(.*?)</p>', goals, re.S).group(1)
    assert "みどり野市" in notice and "基本目標" in notice
    assert "みどり野市" in markdown.split("## 基本目標の対応")[1].split("\n## ")[0]
    for text in (html, markdown):
        assert "plan model" not in text and "Pass level" not in text and "Error" not in text
    notices = re.findall(r'<p class="notice">(.*?)</p>', html, re.S)
    assert all(not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", n) for n in notices), notices


def test_an_analysis_that_cannot_run_becomes_a_japanese_notice(monkeypatch):
    from types import SimpleNamespace

    from compare.errors import AnalysisError, CompareWarning
    from compare.report.briefing import _run_section
    from compare.report.model import ReportSettings
    from compare.report.parts import report_section

    @report_section("ca", title="{unit}の対応分析", step="対応分析 (ca)")
    def failing(corpus, settings):
        raise AnalysisError("The contingency table is empty after pruning; lower min_df.")

    corpus = SimpleNamespace(catalog=pd.DataFrame({"plan_id": ["a", "b"]}), unit_word="計画")
    with pytest.warns(CompareWarning, match="contingency table is empty"):
        section = _run_section(failing, corpus, ReportSettings())
    assert "実行できませんでした" in section.notice and "2 件" in section.notice
    assert not re.search(r"[A-Za-z]", section.notice)
    # The notice keeps the section's heading (not the progress line).
    assert (section.key, section.title) == ("ca", "計画の対応分析")


def test_workbook_has_one_valid_sheet_per_csv_table(report: Path):
    workbook = load_workbook(report / "tables.xlsx", read_only=True)
    names = workbook.sheetnames
    assert names[0] == "説明"
    assert len(names) - 1 == len(set(names)) - 1 == len(list((report / "tables").glob("*.csv")))
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    plans = list(workbook["計画一覧"].iter_rows(values_only=True))
    assert plans[0][0] == "計画ID"
    assert [row[0] for row in plans[1:]] == SEEDS


def test_workbook_explains_every_sheet_and_speaks_japanese_with_units(report: Path):
    workbook = load_workbook(report / "tables.xlsx")
    guide = list(workbook["説明"].iter_rows(values_only=True))
    assert guide[0][:4] == ("シート", "内容", "行の単位", "出典")
    listed = {row[0]: row for row in guide[1 : guide.index((None,) * len(guide[0]))]}
    assert sorted(listed) == sorted(workbook.sheetnames[1:])
    assert all(row[1] and row[2] and row[3] for row in listed.values()), listed
    for sheet in workbook.worksheets[1:]:
        headers = [cell.value for cell in sheet[1]]
        english = [h for h in headers if re.fullmatch(r"[A-Za-z0-9_]+", str(h))]
        assert english == [], (sheet.title, english)
    # Shares are percentages rounded to one decimal, computed here from the CSV's fractions.
    shares = pd.read_csv(report / "tables" / "theme_shares.csv", encoding="utf-8-sig")
    sheet = list(workbook["テーマ割合"].iter_rows(values_only=True))
    column = sheet[0].index("割合（%）")
    assert [row[column] for row in sheet[1:]] == [round(v * 100, 1) for v in shares["share"]]
    inertia = list(workbook["対応分析_次元"].iter_rows(values_only=True))
    assert "特異値" in inertia[0] and "singular_value" not in inertia[0]


def test_plan_table_reports_length_normalised_facts(report: Path):
    plans = pd.read_csv(report / "tables" / "plans.csv", encoding="utf-8-sig")
    assert list(plans["plan_id"]) == SEEDS
    assert (plans["n_tokens"] > 0).all()
    assert set(plans["doc_kind"]) == {"抜粋", "案", "概要版"}


def test_shares_times_their_denominator_give_the_counts_in_every_table(report: Path):
    """Theme shares, the theme test and the plan table count the same passages (no headings)."""
    _assert_shares_reconcile(report)
    plans = pd.read_csv(report / "tables" / "plans.csv", encoding="utf-8-sig").set_index("plan_id")
    segments = read_corpus_table()
    passages = segments[~segments["kind"].isin(["heading", "meta"])]
    assert plans["n_segments"].to_dict() == passages.groupby("plan_id").size().to_dict()


def _assert_shares_reconcile(report: Path) -> None:
    """In every table with a share and its counts, share × n_segments = segments; per plan
    the denominator is the plan table's count; the workbook headers name the unit."""
    tables = report / "tables"
    plans = pd.read_csv(tables / "plans.csv", encoding="utf-8-sig").set_index("plan_id")
    shown = 0
    for path in sorted(tables.glob("*.csv")):
        frame = pd.read_csv(path, encoding="utf-8-sig")
        if not {"share", "segments", "n_segments"} <= set(frame.columns):
            continue
        shown += 1
        assert ((frame["share"] * frame["n_segments"]).round(9) == frame["segments"]).all(), path
        if "plan_id" in frame.columns:
            denominators = frame.groupby("plan_id")["n_segments"].first()
            assert denominators.to_dict() == plans.loc[denominators.index, "n_segments"].to_dict()
    assert shown >= 2  # theme_shares and theme_test
    workbook = load_workbook(report / "tables.xlsx", read_only=True)
    for sheet in ("計画一覧", "テーマ割合", "テーマ検定"):
        header = next(workbook[sheet].iter_rows(values_only=True))
        assert "段落数（見出しを除く）" in header, sheet


def read_corpus_table() -> pd.DataFrame:
    import warnings

    from compare import read_corpus
    from compare.errors import CompareWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        return read_corpus()


def test_policy_matrix_section_names_goals_by_theme(report: Path, html: str):
    assert "施策の対照表" in html
    matrix = pd.read_csv(report / "tables" / "policy_matrix.csv", encoding="utf-8-sig")
    assert matrix["計画"].tolist()[0] == "墨田区"
    disaster = dict(zip(matrix["計画"], matrix["防災・減災"].fillna(""), strict=True))
    assert disaster["小田原市（社協）"] == "大規模災害への対応"
    model = pd.read_csv(report / "tables" / "plan_model.csv", encoding="utf-8-sig")
    assert set(model["plan_id"]) == set(SEEDS)
    assert {"基本理念", "基本目標", "基本方針", "施策", "重点施策", "指標"} <= set(model["level"])


def test_quotations_are_real_passages_at_their_source_lines(report: Path):
    quotes = pd.read_csv(report / "tables" / "quotes.csv", encoding="utf-8-sig")
    assert len(quotes) >= 3
    assert set(quotes["theme_id"]) >= {"platform"}
    catalog = read_catalog()
    for row in quotes.itertuples(index=False):
        path = DATA / catalog.set_index("plan_id").loc[row.plan_id, "path"]
        lines = path.read_text(encoding="utf-8").split("\n")[row.line_start - 1 : row.line_end]
        source = re.sub(r"\s", "", "".join(lines))
        assert re.sub(r"\s", "", restore(row.text))[:12] in source


def test_provenance_names_version_dictionary_catalogue_and_date(html: str):
    catalog = read_catalog()
    block = html[html.index('id="provenance"') :]
    assert f"compare {__version__}" in block
    assert "unidic" in block.lower()
    assert catalog.attrs["catalog_sha256"] in block
    assert DATE in block


def test_markdown_has_the_same_sections_and_figures(report: Path, html: str):
    markdown = (report / "briefing.md").read_text(encoding="utf-8")
    for title in re.findall(r"<h2>(.*?)</h2>", html):
        assert f"## {title}" in markdown
    for image in re.findall(r"\]\((figures/[^)]+\.png)\)", markdown):
        assert (report / image).is_file()


# --------------------------------------------------------------------------- small corpora


#: A passage with markup characters; entities in a source decode to them in the segment text,
#: so a plan can really contain "<script>".  It is the best platform quotation of its plan.
HOSTILE = (
    "&lt;script&gt;alert(1)&lt;/script&gt; プラットフォーム と <計画> & "
    "プラットフォーム プラットフォーム プラットフォーム プラットフォーム"
)


@pytest.fixture(scope="module")
def twin_reports(tmp_path_factory) -> tuple[Path, Path]:
    """Two reports of the same two-plan corpus (with a hostile passage), written separately."""
    root = tmp_path_factory.mktemp("twins")
    catalog = small_corpus(root / "corpus", HOSTILE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMPARE_CACHE_DIR", str(root / "cache"))
        first = write_report(catalog, out=root / "a", date=DATE, progress=False)
        second = write_report(catalog, out=root / "b", date=DATE, progress=False)
    return first, second


def test_plan_text_is_escaped_in_html_and_markdown(twin_reports):
    out = twin_reports[0]
    html = (out / "index.html").read_text(encoding="utf-8")
    markdown = (out / "briefing.md").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;計画&gt; &amp;" in html
    assert (
        not re.search(r"(?<!\\)<script", markdown) and "\\<script>alert(1)\\</script>" in markdown
    )
    assert "&lt;" not in markdown and "&amp;" not in markdown
    quotes = pd.read_csv(out / "tables" / "quotes.csv", encoding="utf-8-sig")
    assert quotes["text"].str.contains("<script>alert(1)</script>", regex=False).any()


def test_same_input_gives_identical_files(twin_reports):
    first, second = twin_reports
    assert_same_report(first, second)


def test_one_plan_gets_a_report_that_says_comparisons_need_two(tmp_path: Path, isolated_cache):
    out = write_report(plans=["sumida"], out=tmp_path / "one", date=DATE, progress=False)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count("比較には 2 つ以上の計画が必要です") >= 3
    assert (out / "figures" / "theme_shares.png").is_file()
    assert (out / "figures" / "outline_sumida.png").is_file()
    assert not (out / "figures" / "similarity.png").exists()


# --------------------------------------------------------------------------- bad output


def test_an_output_path_that_is_a_file_is_refused(tmp_path: Path):
    target = tmp_path / "report.html"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(ReportError, match="is a file"):
        write_report(out=target, progress=False)
    assert target.read_text(encoding="utf-8") == "keep me"


def test_a_read_only_directory_is_refused(tmp_path: Path):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        with pytest.raises(ReportError, match="read-only"):
            write_report(out=parent / "briefing", progress=False)
        with pytest.raises(ReportError, match="read-only"):
            write_report(out=parent, progress=False)
    finally:
        parent.chmod(0o755)
    assert list(parent.iterdir()) == []


def test_a_foreign_non_empty_directory_is_kept_unless_forced(tmp_path: Path, monkeypatch):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("my notes", encoding="utf-8")
    with pytest.raises(ReportError, match="--force"):
        write_report(out=target, progress=False)
    assert (target / "notes.txt").read_text(encoding="utf-8") == "my notes"

    written = _fake_write(monkeypatch)
    write_report(out=target, force=True, progress=False)
    assert not (target / "notes.txt").exists()
    assert (target / "index.html").read_text(encoding="utf-8") == written
    # A directory the command wrote is replaced without --force.
    write_report(out=target, progress=False)
    assert (target / "index.html").is_file()


def test_a_crash_while_writing_leaves_the_previous_report(tmp_path: Path, monkeypatch):
    _fake_write(monkeypatch)
    target = write_report(out=tmp_path / "r", progress=False)
    before = (target / "index.html").read_bytes()

    def broken(briefing):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("compare.report.briefing.render_markdown", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_report(out=target, progress=False)
    assert (target / "index.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_a_theme_file_that_codes_nothing_fails_before_writing(tmp_path: Path, isolated_cache):
    themes = tmp_path / "themes.yaml"
    themes.write_text(
        "themes:\n  - id: space\n    label: 宇宙\n    rule: 宇宙船 or 惑星探査\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    with (
        pytest.warns(UserWarning, match="match nothing"),
        pytest.raises(ReportError, match="codes no passage"),
    ):
        write_report(themes=themes, out=out, plans=["sumida"], progress=False)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "themes.yaml"]


def _fake_write(monkeypatch: pytest.MonkeyPatch) -> str:
    """Skip the analyses: a tiny briefing, so directory handling is tested quickly."""
    from compare.report.model import Briefing, Section

    briefing = Briefing(
        title="t",
        subtitle="s",
        sections=[Section(key="k", title="見出し")],
        provenance={},
        date=DATE,
    )
    monkeypatch.setattr("compare.report.briefing.build_briefing", lambda *a, **k: briefing)
    from compare.report.render import render_html

    return render_html(briefing)


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "--out", "{file}"], "is a file"),
        (["report", "--out", "{dir}", "--plans", "nowhere"], "Unknown plan id"),
        (["demo", "--out", "{file}"], "is a file"),
    ],
)
def test_cli_errors_are_one_line_without_traceback(tmp_path, capsys, args, message):
    file = tmp_path / "file.txt"
    file.write_text("x", encoding="utf-8")
    args = [a.format(file=file, dir=tmp_path / "out") for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_cli_report_keeps_its_cache_where_told_and_none_with_no_cache(cache_dir, tmp_path):
    """`--cache-dir` puts the per-plan results there (not in COMPARE_CACHE_DIR), `--no-cache`
    writes none, and neither changes a byte of the report (the cache is not in its provenance)."""
    common = ["report", "--plans", "sumida", "tama-6", "--date", "2025-01-01", "--quiet"]
    chosen = tmp_path / "chosen-cache"
    assert main([*common, "--out", str(tmp_path / "cached"), "--cache-dir", str(chosen)]) == 0
    assert any(path.is_file() for path in chosen.rglob("*"))
    assert not cache_dir.exists()
    assert main([*common, "--out", str(tmp_path / "uncached"), "--no-cache"]) == 0
    assert not cache_dir.exists()
    assert_same_report(tmp_path / "cached", tmp_path / "uncached")


def test_cli_demo_prints_catalogue_summaries_and_where_the_report_is(tmp_path, capsys, monkeypatch):
    import compare.report as report_module

    monkeypatch.setattr(report_module, "write_briefing", lambda briefing, **k: tmp_path / "out")
    out = tmp_path / "out"
    assert main(["demo", "--out", str(out), "--plans", "sumida", "tama-6"]) == 0
    printed = capsys.readouterr().out
    assert "墨田区" in printed and "川崎市多摩区" in printed
    assert "top_themes" in printed
    assert f"report: {out / 'index.html'}" in printed


# --------------------------------------------------------------------------- large corpora


def _make_corpus_module():
    import importlib.util
    import sys

    path = Path(__file__).resolve().parents[1] / "bench" / "make_corpus.py"
    spec = importlib.util.spec_from_file_location("make_corpus", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module
    spec.loader.exec_module(module)
    return module


#: A generated corpus compared by municipality with a two-plan text sample (light figure
#: limits keep the runs fast: the keyness panels dominate drawing).
LIGHT = {
    "group_by": "municipality",
    "text_plans": 2,
    "max_keyness_panels": 3,
    "heatmap_groups": 8,
}


@pytest.fixture(scope="module")
def large_reports(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A generated 12-plan corpus reported twice by municipality with a sample (cold, warm cache)."""
    root = tmp_path_factory.mktemp("large")
    catalog = _make_corpus_module().make_corpus(root / "corpus", chars=36_000, plans=12, seed=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMPARE_CACHE_DIR", str(root / "cache"))
        first, second = (
            write_report(
                catalog,
                out=root / name,
                date=DATE,
                progress=False,
                settings=ReportSettings(**LIGHT),
            )
            for name in ("a", "b")
        )
    return Path(catalog), first, second


def _section_titles(out: Path) -> list[str]:
    html = (out / "index.html").read_text(encoding="utf-8")
    return re.findall(r'<section id="([^"]+)"', html)


def test_municipalities_with_a_text_sample_write_a_report_of_municipalities(large_reports):
    catalog, out, _ = large_reports
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "自治体ごと（同じ自治体の計画は合算）" in html
    assert "標本 2 件" in html  # the sampled sections say so
    municipalities = set(pd.read_csv(catalog)["municipality"])
    assert all(m in html for m in municipalities)
    for figure in ("theme_heatmap", "theme_shares", "keyness", "similarity", "dendrogram", "ca"):
        assert (out / "figures" / f"{figure}.png").is_file(), figure
    plans = pd.read_csv(out / "tables" / "plans.csv", encoding="utf-8-sig", dtype=str)
    assert len(plans) == 12 and (plans["text_read"] == "○").sum() == 2


def test_municipality_theme_test_sums_the_pipelines_counts(large_reports, tmp_path):
    catalog, out, _ = large_reports
    result = run_pipeline(catalog, cache=False, n_jobs=1, progress=False)
    labels = result.plans.set_index("plan_id")["municipality"]
    themes = result.themes.assign(municipality=result.themes["plan_id"].map(labels))
    expected = themes.groupby(["theme_id", "municipality"])[["segments", "n_segments"]].sum()
    test = pd.read_csv(out / "tables" / "theme_test.csv", encoding="utf-8-sig")
    got = test.set_index(["theme_id", "municipality"])[["segments", "n_segments"]]
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index(), check_dtype=False)
    share = test["segments"] / test["n_segments"]
    assert (share - test["share"]).abs().max() < 1e-12
    _assert_shares_reconcile(out)


def test_sampled_quotes_are_real_passages_at_their_source_lines(large_reports):
    catalog, out, _ = large_reports
    paths = pd.read_csv(catalog).set_index("plan_id")["path"]
    quotes = pd.read_csv(out / "tables" / "quotes.csv", encoding="utf-8-sig")
    assert len(quotes) > 0
    for row in quotes.itertuples(index=False):
        source = read_text(catalog.parent / paths[row.plan_id])
        lines = "".join(source.lines[row.line_start - 1 : row.line_end])
        head = "".join(str(restore(row.text)).split())[:20]
        assert head[:8] in "".join(lines.split()), (row.plan_id, row.line_start)


def test_a_municipality_report_with_a_sample_is_deterministic(large_reports):
    _, first, second = large_reports
    assert_same_report(first, second)


def test_the_same_sections_whatever_the_size_and_the_sample_is_stated(
    report: Path, large_reports, tmp_path: Path, isolated_cache
):
    """No threshold changes the sections: every plan read, or a sample of two, by plan or
    by municipality; the sampled sections name the plans they read, the same each time."""
    from compare.report.corpus import load_corpus

    sampled = write_report(
        out=tmp_path / "sampled",
        date=DATE,
        progress=False,
        settings=ReportSettings(text_plans=2),
    )
    expected = _section_titles(report)
    assert "policies" in expected and "network" in expected and "goals" in expected
    assert _section_titles(sampled) == expected
    assert _section_titles(large_reports[1]) == expected
    html = (sampled / "index.html").read_text(encoding="utf-8")
    settings = ReportSettings(text_plans=2)
    first = load_corpus(read_catalog(), themes=None, progress=False, settings=settings)
    again = load_corpus(read_catalog(), themes=None, progress=False, settings=settings)
    assert first.text.plan_ids == again.text.plan_ids and len(first.text.plan_ids) == 2
    names = "、".join(first.names[p] for p in first.text.plan_ids)
    for key in ("network", "goals", "policies", "outline"):
        section = re.search(rf'<section id="{key}">(.*?)</section>', html, re.S).group(1)
        assert f"標本 2 件（{names}）" in section, key
    for key in ("themes", "keyness", "similarity", "ca"):
        section = re.search(rf'<section id="{key}">(.*?)</section>', html, re.S).group(1)
        assert "標本" not in section, key
    plans = pd.read_csv(sampled / "tables" / "plans.csv", encoding="utf-8-sig", dtype=str)
    assert plans.loc[plans["text_read"] == "○", "plan_id"].tolist() == first.text.plan_ids
    # Statistics from counts do not depend on the sample.
    for table in ("theme_test.csv", "keyness.csv", "similarity.csv"):
        assert (sampled / "tables" / table).read_bytes() == (report / "tables" / table).read_bytes()


def _constructed_plans(chars: list[int]) -> pd.DataFrame:
    """A per-plan table as the pipeline gives it, for plans of the given lengths."""
    return pd.DataFrame(
        {
            "plan_id": [f"p{i:02d}" for i in range(len(chars))],
            "municipality": [f"市{i:02d}" for i in range(len(chars))],
            "prefecture": ["県"] * len(chars),
            "chars": chars,
            "n_tokens": [c // 2 for c in chars],
        }
    )


def _sample(plans: pd.DataFrame, size: int, budget: int) -> list[str]:
    from compare.report.corpus import text_sample, unit_table

    return text_sample(plans, unit_table(plans, "plan"), None, size, "plan", budget)


def test_the_text_sample_keeps_within_its_character_budget_and_is_deterministic():
    plans = _constructed_plans([1_000 * (i % 7 + 1) for i in range(20)])  # 80,000 characters
    chars = plans.set_index("plan_id")["chars"]
    for budget in (1_000, 5_500, 12_000, 40_000):
        sample = _sample(plans, 60, budget)
        assert sample and int(chars[sample].sum()) <= budget, budget
        assert sample == sorted(sample)  # catalogue order
        assert _sample(plans, 60, budget) == sample
    # Both limits: at most text_plans plans even when the characters would allow more.
    assert len(_sample(plans, 3, 1_000_000)) == 3
    # Within both limits every plan is read.
    assert _sample(plans, 20, 80_000) == plans["plan_id"].tolist()
    # No plan fits: the smallest one (the earliest of equal size) is read alone.
    assert _sample(plans, 60, 999) == ["p00"]


def test_the_sample_note_states_the_plans_and_characters_read():
    from compare.report.corpus import sample_note

    plans = _constructed_plans([4_000, 1_000, 2_500, 3_000])
    names = {p: f"計画{p}" for p in plans["plan_id"]}
    settings = ReportSettings(text_plans=60, text_chars=4_000)
    sample = _sample(plans, 60, 4_000)
    read = int(plans.loc[plans["plan_id"].isin(sample), "chars"].sum())
    note = sample_note(plans, sample, names, settings)
    listed = "、".join(names[p] for p in sample)
    assert "計画が多い（4 件、10,500 字）" in note
    assert f"標本 {len(sample)} 件（{listed}）、計 {read:,} 字" in note
    assert "60 件・4,000 字を超えない範囲" in note and "text_chars" in note
    assert sample_note(plans, plans["plan_id"].tolist(), names, settings) == ""
    assert "超えるため" not in note


def test_the_sample_note_says_when_no_plan_fits_the_character_budget():
    """Every plan is longer than text_chars: the smallest is read and the note says so
    instead of claiming the budget was kept."""
    from compare.report.corpus import sample_note

    plans = _constructed_plans([4_000, 1_500, 2_500, 3_000])
    names = {p: f"計画{p}" for p in plans["plan_id"]}
    settings = ReportSettings(text_plans=60, text_chars=1_000)
    sample = _sample(plans, 60, 1_000)
    smallest = plans.loc[plans["chars"].idxmin(), "plan_id"]
    assert sample == [smallest]
    note = sample_note(plans, sample, names, settings)
    assert f"標本 1 件（{names[smallest]}）、計 1,500 字" in note
    assert "どの計画も 1,000 字を超えるため、最も短い計画を選んだ" in note
    assert "字を超えない範囲で選んだもの" not in note


def test_small_corpora_are_read_in_full_by_default(isolated_cache):
    """The default character budget reads the bundled plans and a corpus-dev-sized corpus whole."""
    from compare.report.corpus import load_corpus

    corpus = load_corpus(read_catalog(), themes=None, progress=False, settings=ReportSettings())
    assert corpus.text.plan_ids == corpus.plan_ids and corpus.text.sample_note == ""
    # corpus-dev (about 16,000 characters) is of the bundled corpus's size: far below the limit.
    assert ReportSettings().text_chars >= 50 * int(corpus.result.plans["chars"].sum())


def test_a_character_budget_samples_a_generated_corpus(large_reports, isolated_cache):
    from compare.report.corpus import load_corpus

    catalog, _, _ = large_reports
    settings = ReportSettings(group_by="municipality", text_plans=60, text_chars=9_000)
    corpus = load_corpus(read_catalog(catalog), themes=None, progress=False, settings=settings)
    chars = corpus.result.plans.set_index("plan_id")["chars"]
    assert int(chars.sum()) > 9_000 and 0 < len(corpus.text.plan_ids) < len(chars)
    assert int(chars[corpus.text.plan_ids].sum()) <= 9_000
    assert set(corpus.text.segments["plan_id"]) == set(corpus.text.plan_ids)
    assert "text_chars" in corpus.text.sample_note


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"large": True}, "no longer used: large"),
        ({"sample_plans": 4}, "use text_plans"),
        ({"group_by": "prefecture"}, "group_by='prefecture'"),
        ({"text_plans": 0}, "positive"),
        ({"text_chars": 0}, "text_chars=0"),
    ],
)
def test_retired_and_bad_report_settings_are_refused_with_what_to_use(settings, message):
    with pytest.raises(ReportError, match=re.escape(message)):
        ReportSettings(**settings)


@pytest.mark.parametrize(("n_plans", "expected"), [(5, "plan"), (60, "plan"), (61, "municipality")])
def test_auto_grouping_compares_plans_up_to_the_stated_limit(n_plans, expected):
    from compare.report.corpus import compared_unit

    assert compared_unit(n_plans, ReportSettings()) == expected
    assert compared_unit(n_plans, ReportSettings(group_by="plan")) == "plan"


def test_old_route_options_on_the_command_line_say_what_replaces_them(tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "o"), "--scale", "large"]) == 2
    assert "--group-by" in capsys.readouterr().err
    assert main(["report", "--out", str(tmp_path / "o"), "--sample", "4"]) == 2
    assert "--text-plans" in capsys.readouterr().err


def test_plans_named_as_more_or_less_follow_the_corrected_test(report: Path):
    summary = pd.read_csv(report / "tables" / "theme_test_summary.csv", encoding="utf-8-sig")
    test = pd.read_csv(report / "tables" / "theme_test.csv", encoding="utf-8-sig")
    for row in summary.itertuples(index=False):
        named = [n for n in (row[5], row[6]) if isinstance(n, str) and n]
        holds = row[4] < 0.05
        residuals = test.loc[test["label"] == row[0], "adj_residual"].abs()
        if not holds:
            assert named == [], row
        elif (residuals >= 1.96).any():
            assert named, row
    assert (summary["補正 p 値"] >= 0.05).any()


def test_every_figure_carries_its_title_corpus_and_source_inside(report: Path, html: str):
    from PIL import Image

    figures = re.findall(r'alt="([^"]*)"[^>]*>.*?href="figures/([^"]+)\.svg"', html, re.S)
    assert len(figures) == len(list((report / "figures").glob("*.png")))
    for title, key in figures:
        svg = (report / "figures" / f"{key}.svg").read_text(encoding="utf-8")
        texts = "".join(re.findall(r"<text [^>]*>([^<]*)</text>", svg))
        assert title.replace("&amp;", "&") in texts.replace("&amp;", "&"), key
        assert "出典: 5 件の計画の本文（2025-01-01）" in texts, key
        # The PNG has ink in its title band and in its source band, outside the drawing.
        image = Image.open(report / "figures" / f"{key}.png").convert("L")
        width, height = image.size
        top = image.crop((0, 0, width, 30))
        bottom = image.crop((0, height - 25, width, height))
        assert top.getextrema()[0] < 128 and bottom.getextrema()[0] < 128, key


def test_plan_list_gives_title_period_identification_source_and_caveats(html: str, report: Path):
    sources = pd.read_csv(report / "tables" / "sources.csv", encoding="utf-8-sig", dtype=str)
    sources = sources.fillna("").set_index("plan_id")
    # 墨田区 is identified from outside its text ("probable" in the catalogue): a caveat.
    assert sources.loc["sumida", "identification"] == "推定"
    assert "probable" in sources.loc["sumida", "caveat"]
    assert sources.loc["tama-6", "identification"] == "本文に明記"
    assert sources.loc["tama-6", "caveat"] == ""
    table = html.split('<h3 id="table-sources">資料一覧')[1].split("</table>")[0]
    for header in ["名称", "期・次", "計画期間", "文書の種類", "計画の特定", "出典"]:
        assert f"<th>{header}</th>" in table
    assert "第三次墨田区地域福祉計画（後期）" in table and "2016–2020 年度" in table
    summary = re.search(r'<section id="summary">(.*?)</section>', html, re.S).group(1)
    assert re.search(r"<p>[^<]*墨田区[^<]*は、計画の名称・期などが本文に明記されておらず", summary)


def test_the_test_of_each_theme_is_named_in_japanese_alike_in_page_and_workbook(twin_reports):
    """Two plans give 2×2 tables (Fisher's exact test): the page's summary and the workbook
    name each test in the same Japanese words; the CSV keeps the analysis's own names."""
    out = twin_reports[0]
    tests = set(pd.read_csv(out / "tables" / "theme_test.csv", encoding="utf-8-sig")["test"])
    assert "fisher_exact" in tests
    workbook = load_workbook(out / "tables.xlsx", read_only=True)
    rows = list(workbook["テーマ検定"].iter_rows(values_only=True))
    column = rows[0].index("検定")
    named = {row[column] for row in rows[1:]}
    assert "Fisher 正確確率検定" in named
    assert not named & tests  # no analysis name left in English
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Fisher 正確確率検定" in html and ">fisher_exact<" not in html
