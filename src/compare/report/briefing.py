"""The briefing report: one command from a catalogue to HTML, Markdown, Excel and figures.

:func:`write_report` runs the whole pipeline (read → segment → tokenize →
code themes → compare → plot) on a catalogue and writes into one directory:

``index.html``
    A self-contained page (inline CSS, figures embedded) that opens offline.
``briefing.md``
    The same content as Markdown, figures linked from ``figures/``.
``tables.xlsx``
    Every table behind the report, one sheet each (Japanese sheet names).
``tables/*.csv``
    The same tables as UTF-8 CSV (with BOM, so Excel opens them correctly).
``figures/*.png``, ``figures/*.svg``
    Every figure in both formats.

The directory is built next to its destination and renamed into place when
complete; an existing directory is only replaced when ``compare report``
wrote it (or with ``force=True``).  The same input and the same ``date`` give
the same files byte for byte.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from compare._resources import source_root
from compare._version import __version__
from compare.errors import ReportError
from compare.report.files import (
    Destination,
    check_destination,
    discard,
    publish,
    staging_directory,
    write_csv,
    write_xlsx,
)
from compare.report.model import Briefing, Corpus, ReportFigure, ReportSettings, Section
from compare.report.render import render_html, render_markdown
from compare.report.slides import write_pptx
from compare.report.stamp import stamp_png, stamp_svg

if TYPE_CHECKING:
    from compare.report.parts import SectionSpec

#: Default output directory of ``compare report``.
DEFAULT_OUT = "out/briefing"

#: The title of every briefing.
TITLE = "地域福祉計画 比較ブリーフィング"

#: Resolution of the PNG files; figures are shown at 96 px per inch in the page.
PNG_DPI = 150
SCREEN_DPI = 96
#: Widest figure shown in the page, in CSS pixels.
MAX_WIDTH_PX = 1000


def write_report(
    catalog: str | os.PathLike | pd.DataFrame | None = None,
    *,
    out: str | os.PathLike = DEFAULT_OUT,
    themes: str | os.PathLike | None = None,
    plans: Sequence[str] | None = None,
    force: bool = False,
    date: dt.date | dt.datetime | str | None = None,
    progress: bool = True,
    settings: ReportSettings | None = None,
    pptx: bool = False,
    client: Any = None,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> Path:
    """Analyse a corpus and write the briefing report to ``out``.

    Parameters
    ----------
    catalog : path or DataFrame, optional
        A catalogue CSV (or a table from :func:`compare.read_catalog`);
        the bundled five-plan corpus by default.
    out : path
        Output directory (created; see the module docstring for its files).
    themes : path, optional
        A theme catalogue YAML file; the bundled default themes otherwise.
    plans : list of str, optional
        Plan ids to include (in catalogue order); all plans by default.
    force : bool
        Replace ``out`` even when it is a non-empty directory that
        ``compare report`` did not write.
    date : date, datetime or ISO string, optional
        Date printed in the report; defaults to ``SOURCE_DATE_EPOCH`` when set,
        else today.  Fix it to get identical files from identical input.
    progress : bool
        Show progress of the long steps on standard error.
    settings : ReportSettings, optional
        What is compared (plans or municipalities), how many plans are read in
        full for the text sections, and the limits of the figures; the
        defaults suit a handful of plans and thousands alike.
    pptx : bool
        Also write ``briefing.pptx``, slides for a client meeting.
    client : distributed.Client, optional
        Run the pipeline's per-plan work on this Dask cluster (see
        :func:`compare.pipeline.run_pipeline`); the report itself is built here.
    cache : bool
        Reuse and store the pipeline's per-plan results (as ``compare run``
        does), so a second report on the same plans skips their analysis.
    cache_dir : path, optional
        The cache folder (default :func:`compare.text.tokenizer.default_cache_dir`).
        Neither ``client`` nor the cache changes the report: they are not
        recorded in its provenance.

    Returns
    -------
    pathlib.Path
        The report directory.

    Raises
    ------
    ReportError
        ``out`` is a file, read-only, or a non-empty directory not written by
        this command (without ``force``); the theme file codes nothing.
    CompareError
        Any error reading the catalogue, the plans or the themes.
    """
    destination = check_destination(out, force=force)
    briefing = build_briefing(
        catalog,
        themes=themes,
        plans=plans,
        date=date,
        progress=progress,
        settings=settings,
        client=client,
        cache=cache,
        cache_dir=cache_dir,
    )
    return write_briefing(briefing, out=destination.path, force=force, progress=progress, pptx=pptx)


def write_briefing(
    briefing: Briefing,
    *,
    out: str | os.PathLike = DEFAULT_OUT,
    force: bool = False,
    progress: bool = True,
    pptx: bool = False,
) -> Path:
    """Write an already built :class:`Briefing` (see :func:`build_briefing`) to ``out``.

    Same files, checks and atomic replacement as :func:`write_report`.
    """
    destination = check_destination(out, force=force)
    when = _report_date(briefing.date)
    return _write(briefing, destination, when, progress, force=force, pptx=pptx)


def build_briefing(
    catalog: str | os.PathLike | pd.DataFrame | None = None,
    *,
    themes: str | os.PathLike | None = None,
    plans: Sequence[str] | None = None,
    date: dt.date | dt.datetime | str | None = None,
    progress: bool = True,
    settings: ReportSettings | None = None,
    client: Any = None,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> Briefing:
    """Run the analyses and draw the figures of a report without writing files.

    Parameters are those of :func:`write_report`.  The returned
    :class:`~compare.report.model.Briefing` holds the sections with their
    tables (DataFrames) and figures (matplotlib figures), so a notebook can
    show or restyle them.
    """
    from compare.io.catalog import read_catalog
    from compare.report import sections
    from compare.report.corpus import load_corpus, select_plans

    settings = settings or ReportSettings()
    when = _report_date(date)
    table = catalog if isinstance(catalog, pd.DataFrame) else read_catalog(catalog)
    table = select_plans(table, plans)
    import matplotlib as mpl

    # A report holds a few dozen figures until they are written; that is intended.
    steps = sections.STEPS
    with _Progress(len(steps) + 1, progress) as bar, mpl.rc_context({"figure.max_open_warning": 0}):
        bar.step("計画を読み込み中 (reading plans)")
        corpus = load_corpus(
            table,
            themes=themes,
            progress=progress,
            settings=settings,
            client=client,
            cache=cache,
            cache_dir=cache_dir,
        )
        built: dict[str, Section] = {}
        # Sections run in dependency order (the summary quotes the findings of
        # the others) and are shown in the order of STEPS.
        for spec in sorted(steps, key=lambda spec: spec.runs_last):
            bar.step(spec.step)
            built[spec.key] = _run_section(spec, corpus, settings)
    ordered = [built[spec.key] for spec in steps]
    ordered.append(sections.provenance_section())
    return Briefing(
        title=TITLE,
        subtitle=_subtitle(corpus, when),
        sections=ordered,
        provenance=_provenance(corpus, settings, when, plans),
        date=when,
        summary=corpus.summary,
    )


def _subtitle(corpus: Corpus, when: dt.date) -> str:
    """What the report compares, when it was made and by which version."""
    n_places = corpus.result.plans[["prefecture", "municipality"]].drop_duplicates()
    return (
        f"{len(corpus.catalog)} 件の計画（{len(n_places)} 自治体）"
        f"を比較　作成日 {when.isoformat()}　compare {__version__}"
    )


def _run_section(spec: SectionSpec, corpus: Corpus, settings: ReportSettings) -> Section:
    """Build one section; an analysis that cannot run on this corpus becomes a notice.

    The notice is for the reader, in Japanese; the technical reason goes to the
    person running the command as a warning, never into the document.
    """
    import warnings

    from compare.errors import AnalysisError, CompareWarning

    try:
        return spec(corpus, settings)
    except AnalysisError as error:
        warnings.warn(
            f"report section {spec.key!r} left out: {error}", CompareWarning, stacklevel=2
        )
        n = len(corpus.catalog)
        return Section(
            key=spec.key,
            title=spec.title_for(corpus),
            notice=f"この分析は、対象の {n} 件の計画では実行できませんでした。"
            "計画の数、見出しや本文の量が分析の条件に足りないためです。",
        )


# --------------------------------------------------------------------------- writing


def _write(
    briefing: Briefing,
    destination: Destination,
    when: dt.date,
    progress: bool,
    *,
    force: bool,
    pptx: bool = False,
) -> Path:
    staging = staging_directory(destination)
    try:
        with _Progress(4, progress) as bar:
            bar.step("図を書き出し中 (figures)")
            _write_figures(briefing, staging / "figures")
            bar.step("表を書き出し中 (tables)")
            _write_tables(briefing, staging, when)
            bar.step("HTML と Markdown (index.html, briefing.md)")
            (staging / "index.html").write_text(render_html(briefing), encoding="utf-8")
            (staging / "briefing.md").write_text(render_markdown(briefing), encoding="utf-8")
            if pptx:
                write_pptx(briefing, staging / "briefing.pptx")
            bar.step("仕上げ中 (publishing)")
            return publish(staging, destination, force=force)
    except OSError as error:
        discard(staging)
        raise ReportError(f"Cannot write the report to {destination.path}: {error}") from None
    except BaseException:
        discard(staging)
        raise


def render_figures(briefing: Briefing) -> None:
    """Render every figure of ``briefing`` to PNG and SVG bytes and close it."""
    import matplotlib.pyplot as plt

    from compare.plot import japanese_rc

    for figure in briefing.figures:
        if figure.png:
            continue
        fig = figure.figure
        with japanese_rc():
            png = io.BytesIO()
            # Uncompressed: the PNG is only read back by stamp_png, which writes the final one.
            fig.savefig(png, format="png", dpi=PNG_DPI, pil_kwargs={"compress_level": 0})
            # The layout is settled by the first save; keep it rather than recompute it.
            fig.set_layout_engine("none")
            svg = io.BytesIO()
            fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        source = figure_source(briefing, figure)
        figure.png = stamp_png(png.getvalue(), figure.title, source, PNG_DPI)
        figure.svg = stamp_svg(svg.getvalue(), figure.title, source)
        from PIL import Image

        width, height = (v / PNG_DPI for v in Image.open(io.BytesIO(figure.png)).size)
        scale = min(1.0, MAX_WIDTH_PX / (width * SCREEN_DPI))
        figure.width_px = round(width * SCREEN_DPI * scale)
        figure.height_px = round(height * SCREEN_DPI * scale)
        plt.close(fig)


def figure_source(briefing: Briefing, figure: ReportFigure) -> str:
    """The source line printed inside a figure: corpus, date, analysis and its table."""
    n = len(briefing.summary) if briefing.summary is not None else None
    corpus = f"{n} 件の計画の本文" if n is not None else "計画の本文"
    when = f"（{briefing.date}）" if briefing.date else ""
    tables = "、".join(f"tables/{key}.csv" for key in figure.tables)
    line = f"出典: {corpus}{when}を compare {__version__} で分析（{briefing.title}）"
    return line + (f"　元の表: {tables}" if tables else "")


def _write_figures(briefing: Briefing, folder: Path) -> None:
    render_figures(briefing)
    folder.mkdir(parents=True, exist_ok=True)
    for figure in briefing.figures:
        (folder / f"{figure.key}.png").write_bytes(figure.png)
        (folder / f"{figure.key}.svg").write_bytes(figure.svg)


def _write_tables(briefing: Briefing, staging: Path, when: dt.date) -> None:
    folder = staging / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    tables = briefing.tables
    for table in tables:
        write_csv(table.frame, folder / f"{table.key}.csv")
    write_xlsx(tables, staging / "tables.xlsx", when)


# --------------------------------------------------------------------------- provenance


def _report_date(date: dt.date | dt.datetime | str | None) -> dt.date:
    if date is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and epoch.strip().isdigit():
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
        return dt.date.today()
    if isinstance(date, dt.datetime):
        return date.date()
    if isinstance(date, dt.date):
        return date
    try:
        return dt.date.fromisoformat(str(date)[:10])
    except ValueError:
        raise ReportError(f"date={date!r} is not an ISO date (YYYY-MM-DD).") from None


def _provenance(
    corpus: Corpus, settings: ReportSettings, when: dt.date, plans: Sequence[str] | None
) -> dict[str, Any]:
    """What the report was made from and with (the pipeline's provenance for the tokenizer)."""
    hashes = [
        f"{p}={str(s)[:12]}…"
        for p, s in zip(corpus.result.plans["plan_id"], corpus.result.plans["sha256"], strict=True)
    ]
    vocabulary = _vocabulary(settings, places=_places(corpus.catalog))
    read = corpus.text.plan_ids
    text = (
        "すべての計画"
        if len(read) == len(corpus.plan_ids)
        else f"標本 {len(read)} 件: " + "、".join(read)
    )
    return _provenance_items(
        corpus,
        corpus.result.provenance,
        hashes,
        settings.as_dict(),
        vocabulary,
        when,
        plans,
        compared="計画" if corpus.by_plan else "自治体（同じ自治体の計画は合算）",
        text=text,
    )


def _provenance_items(
    corpus: Any,
    info: Any,
    hashes: Any,
    parameters: dict[str, Any],
    vocabulary: Any,
    when: dt.date,
    plans: Sequence[str] | None,
    *,
    compared: str,
    text: str,
) -> dict[str, Any]:
    """What the report was made from and with, in a fixed order.

    ``info`` holds the tokenizer's ``dictionary``, ``dictionary_version`` and
    ``tokenizer`` settings (the TOKENS table's attrs or the pipeline's provenance).
    """
    import matplotlib

    catalog = corpus.catalog
    catalog_path = catalog.attrs.get("catalog_path", "")
    items: dict[str, Any] = {
        "作成日 (date)": when.isoformat(),
        "パッケージ (package)": f"compare {__version__}",
        "Git リビジョン (revision)": git_revision() or "不明 (not a git checkout)",
        "辞書 (dictionary)": f"{info.get('dictionary', '?')} "
        f"{info.get('dictionary_version', '')}".strip(),
        "トークナイザ設定 (tokenizer)": info.get("tokenizer", {}),
        "カタログ (catalogue)": Path(catalog_path).name if catalog_path else "(DataFrame)",
        "カタログ SHA-256": catalog.attrs.get("catalog_sha256", ""),
        "計画ファイル SHA-256": hashes,
        "テーマ定義 (themes)": corpus.themes_source,
        "対象の計画 (plans)": list(plans) if plans else "すべて (all)",
    }
    items["比較の単位 (compared)"] = compared
    items["本文を読んだ計画 (text read)"] = text
    items["パラメータ (parameters)"] = parameters
    items["比較語彙 (vocabulary)"] = vocabulary
    items["実行環境 (environment)"] = (
        f"Python {platform.python_version()}, "
        f"pandas {pd.__version__}, matplotlib {matplotlib.__version__}"
    )
    return items


def _vocabulary(settings: ReportSettings, places: Sequence[object] = ()) -> Any:
    """The comparison vocabulary in words (what keyness, similarity and CA count)."""
    from compare.stats.matrix import resolve_vocabulary

    vocabulary = resolve_vocabulary(settings.vocabulary)
    if vocabulary is None:
        return "なし（解析した語をそのまま数える）"
    described = vocabulary.describe(None)
    described["除いた地名 (place names removed)"] = (
        vocabulary.names_from(places) if vocabulary.place_names else "除かない"
    )
    return described


def _places(catalog: pd.DataFrame) -> list[object]:
    return [
        *pd.unique(catalog["municipality"].astype(object)),
        *pd.unique(catalog["prefecture"].astype(object)),
    ]


def git_revision() -> str | None:
    """The git commit of the package source (with "+modified" for local changes), if any."""
    root = source_root()
    if not (root / ".git").exists():
        return None
    try:
        head = _git(root, "rev-parse", "--short=12", "HEAD")
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+modified" if dirty else head or None


def _git(root: Path, *args: str) -> str:
    """What ``git -C root args`` prints (stripped); raises when git fails or hangs."""
    command = ["git", "-C", str(root), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=True)
    return done.stdout.strip()


# --------------------------------------------------------------------------- progress


class _Progress:
    """Step-wise progress on standard error (a tqdm bar; silent when disabled)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self._bar: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.total,
                file=sys.stderr,
                leave=False,
                dynamic_ncols=True,
                bar_format="{desc} [{n_fmt}/{total_fmt}] {elapsed}",
            )
        return self

    def step(self, description: str) -> None:
        if self._bar is not None:
            if self._bar.n or self._bar.desc:
                self._bar.update(1)
            self._bar.set_description_str(description)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.update(self.total - self._bar.n)
            self._bar.close()
