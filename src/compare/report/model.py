"""The parts a briefing report is made of, independent of its output formats."""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from compare.errors import ReportError


@dataclass
class ReportTable:
    """A table of the report: written to ``tables.xlsx`` (sheet) and ``tables/<key>.csv``.

    ``preview`` lists the columns shown in the page (all when None) and
    ``preview_rows`` how many rows; the files always hold the whole table.
    """

    key: str
    sheet: str
    title: str
    frame: pd.DataFrame
    preview: list[str] | None = None
    preview_rows: int = 12
    shown: bool = True
    #: What one row is and where the table comes from (the workbook's 説明 sheet).
    #: :func:`compare.report.parts.report_table` fills every description from
    #: :data:`compare.report.columns.TABLES`; a table made directly and left
    #: empty is described by its key there.
    unit: str = ""
    source: str = ""


@dataclass
class ReportFigure:
    """A figure with the keys of the tables it was drawn from.

    ``figure`` may be given as what a ``plot_*`` function returns (an Axes,
    or an array of Axes): the figure keeps the matplotlib Figure they are on.
    ``tables`` defaults to the table of the figure's own key, the usual case
    of a figure drawn from one table named as it is.
    """

    key: str
    title: str
    caption: str
    figure: Any
    tables: list[str] | None = None
    png: bytes = b""
    svg: bytes = b""
    width_px: int = 0
    height_px: int = 0

    def __post_init__(self) -> None:
        self.figure = figure_of(self.figure)
        if self.tables is None:
            self.tables = [self.key]


def figure_of(drawn: Any) -> Any:
    """The matplotlib Figure of an Axes or of an array of Axes (anything else as it is)."""
    from matplotlib.axes import Axes

    if isinstance(drawn, np.ndarray):
        drawn = drawn.flat[0]
    return drawn.figure if isinstance(drawn, Axes) else drawn


class Finding(str):
    """A sentence of the summary that says which table it comes from.

    It is a ``str`` (everything that reads findings as text keeps working);
    ``table`` is the key of the report table behind it, which the page links
    and the Markdown names with its section.  ``weight`` says how much the
    finding tells a reader who sees only one sentence of its analysis (a
    slide's lead): :data:`NAMED_DIFFERENCE` for a core theme whose use the
    test finds to differ between the compared units (naming them where it
    can); :data:`DIFFERENCES` for which themes differ (or that none do); 0
    otherwise.
    """

    table: str
    weight: int

    def __new__(cls, text: str, table: str = "", weight: int = 0) -> Finding:
        finding = super().__new__(cls, text)
        finding.table = table
        finding.weight = weight
        return finding


#: Weights of :class:`Finding`: a tested difference in one core theme, then the themes that differ.
NAMED_DIFFERENCE = 2
DIFFERENCES = 1


@dataclass
class Quote:
    """A passage quoted from a plan as evidence, with where it comes from."""

    label: str
    plan: str
    heading_path: str
    lines: str
    text: str


@dataclass
class Section:
    """One section of the report.

    ``paragraphs`` and ``bullets`` are plain text (escaped when rendered);
    ``notice`` replaces the content when the analysis could not run (e.g. a
    comparison with a single plan).  ``kind`` names the templates that
    render it (``templates/<kind>.html.j2`` and ``<kind>.md.j2``); most
    sections are the generic ``section``.  A section of the briefing gets
    its ``key`` and ``title`` from its declaration
    (:func:`compare.report.parts.report_section`), so its builder leaves them out.
    """

    key: str = ""
    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    figures: list[ReportFigure] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    notice: str | None = None
    collapsed_figures: bool = False
    kind: str = "section"


@dataclass
class Briefing:
    """Everything a report holds, ready to be written in any format."""

    title: str
    subtitle: str
    sections: list[Section]
    provenance: dict[str, Any]
    date: Any = None
    summary: pd.DataFrame | None = None

    @property
    def tables(self) -> list[ReportTable]:
        """Every table of every section, each key once, in section order."""
        seen: dict[str, ReportTable] = {}
        for section in self.sections:
            for table in section.tables:
                seen.setdefault(table.key, table)
        return list(seen.values())

    @property
    def figures(self) -> list[ReportFigure]:
        return [figure for section in self.sections for figure in section.figures]


#: Characters of plan text the text sections read at most by default: every plan of a
#: corpus of this size (a few dozen plans), a sample above it; what keeps the report of
#: a national corpus within about 2 GB (see bench/README.md).
DEFAULT_TEXT_CHARS = 1_000_000


@dataclass
class ReportSettings:
    """Settings of one report run (recorded in the provenance block).

    Every report is built the same way, whatever the corpus size: the
    statistics from the per-plan counts of :func:`compare.pipeline.run_pipeline`
    (theme counts, the plan × word matrix, quotation candidates), and the
    sections that read the plans' text (co-occurrence network, goal alignment,
    policy matrix, outlines, the per-passage theme table) from the full
    segment and token tables of at most ``text_plans`` plans holding at most
    ``text_chars`` characters: every plan when the corpus is within both, else
    a deterministic sample that those sections name
    (:func:`compare.report.corpus.text_sample`).  ``text_chars`` is what bounds
    the report's memory on a national corpus.

    ``group_by`` says what the comparisons compare: ``"plan"``,
    ``"municipality"`` (the plans of a municipality summed), or ``"auto"``
    (default): plans when there are at most ``max_plans_compared`` of them,
    else municipalities.  The sections state which.  The limits keep figures
    readable for large corpora: figures show the first, largest or most
    distinctive items, the tables always hold everything.  With more than
    ``fisher_max_groups`` groups the theme test uses χ² throughout (Fisher's
    Monte-Carlo test is impractical there); the section says so.
    """

    max_outlines: int = 12
    max_keyness_panels: int = 12
    keyness_words: int = 10
    heatmap_groups: int = 30
    network_edges: int = 60
    network_words: int = 120
    ca_words: int = 30
    goal_pairs_shown: int = 3
    goal_pairs_max: int = 10
    quotes_per_theme: int = 6
    quote_chars: int = 180
    core_themes: tuple[str, ...] = ("platform", "multilayer_support", "disaster")
    text_plans: int = 60
    text_chars: int = DEFAULT_TEXT_CHARS
    group_by: str = "auto"
    max_plans_compared: int = 60
    fisher_max_groups: int = 60
    neighbours: int = 3
    n_jobs: int | None = None
    #: The comparison vocabulary (:class:`compare.Vocabulary`, ``"default"``
    #: or a mapping of its settings); printed in the provenance on its own.
    vocabulary: Any = "default"
    #: A filled coding sheet (compare coding-sheet) for the section コーディングの信頼性.
    validation: str | None = None

    #: Settings of the former large-corpus route: refused with what replaces them.
    large: InitVar[Any] = None
    large_plans: InitVar[Any] = None
    large_chars: InitVar[Any] = None
    sample_plans: InitVar[Any] = None
    n_clusters: InitVar[Any] = None

    def __post_init__(self, *retired: Any) -> None:
        given = [
            name for name, value in zip(RETIRED_SETTINGS, retired, strict=True) if value is not None
        ]
        if given:
            hints = "; ".join(f"{name}: {RETIRED_SETTINGS[name]}" for name in given)
            raise ReportError(f"Report setting(s) no longer used: {hints}.")
        if self.group_by not in ("auto", "plan", "municipality"):
            raise ReportError(
                f"group_by={self.group_by!r} is not a grouping of the report; use 'auto', "
                "'plan' or 'municipality'."
            )
        if not isinstance(self.text_plans, int) or self.text_plans < 1:
            raise ReportError(
                f"text_plans={self.text_plans!r}: the plans read in full must be a positive number."
            )
        if not isinstance(self.text_chars, int) or self.text_chars < 1:
            raise ReportError(
                f"text_chars={self.text_chars!r}: the characters read in full must be a positive "
                "number."
            )

    def as_dict(self) -> dict[str, Any]:
        """The settings (the vocabulary is recorded on its own)."""
        values = dict(self.__dict__)
        values.pop("vocabulary", None)
        return values


#: Settings of the former large-corpus route and what replaces each (in the
#: order of their fields in :class:`ReportSettings`).
RETIRED_SETTINGS = {
    "large": "every report is built the same way; group_by chooses plans or municipalities",
    "large_plans": "use max_plans_compared (group_by='auto') and text_plans",
    "large_chars": "use text_chars (characters read in full) and max_plans_compared",
    "sample_plans": "use text_plans (plans read in full for the text sections)",
    "n_clusters": "the text sample takes one plan per vocabulary cluster, as many clusters as "
    "text_plans and text_chars allow",
}


@dataclass
class TextSample:
    """The full tables of the plans whose text the text sections read.

    Every plan when the corpus has at most ``ReportSettings.text_plans`` plans
    and ``ReportSettings.text_chars`` characters, else the sample named in
    ``sample_note``.
    """

    catalog: pd.DataFrame
    segments: pd.DataFrame
    tokens: pd.DataFrame
    wide: pd.DataFrame
    #: The compared view of ``tokens`` (:meth:`compare.Vocabulary.compared`).
    compared: pd.DataFrame
    names: dict[str, str]
    themes: Any
    #: Empty when every plan is read; else a Japanese sentence naming the sample.
    sample_note: str = ""
    #: What several sections derive from the sample (the plan model, the theme hits,
    #: each plan's rows), built once by the first section that needs it.
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def plan_ids(self) -> list[str]:
        return list(self.catalog["plan_id"])


@dataclass
class Corpus:
    """The corpus model every section reads, the same for 5 plans and 5,000.

    ``result`` holds the pipeline's per-plan results (plans, theme counts,
    the plan × word matrix, quotation candidates); ``compared`` is that matrix
    in the comparison vocabulary with ``unit`` added to its documents (the
    compared unit: a plan id or a municipality name); ``units`` has one row
    per compared unit.  ``text`` holds the full tables of the plans whose
    text is read (:class:`TextSample`).
    """

    catalog: pd.DataFrame
    result: Any
    themes: Any
    names: dict[str, str]
    themes_source: str
    group_by: str
    units: pd.DataFrame
    compared: Any
    text: TextSample
    vocabulary: Any = None
    findings: list[str] = field(default_factory=list)
    quote_themes: list[str] = field(default_factory=list)
    theme_shares: pd.DataFrame | None = None
    summary: pd.DataFrame | None = None

    @property
    def plan_ids(self) -> list[str]:
        return list(self.catalog["plan_id"])

    @property
    def by_plan(self) -> bool:
        """Whether the comparisons compare plans (else municipalities)."""
        return self.group_by == "plan"

    @property
    def unit_column(self) -> str:
        """The column that names the compared unit: ``plan_id`` or ``municipality``."""
        return "plan_id" if self.by_plan else "municipality"

    @property
    def unit_word(self) -> str:
        """The compared unit in Japanese: 計画 or 自治体."""
        return "計画" if self.by_plan else "自治体"

    def unit_name(self, unit: object) -> str:
        """The display name of a compared unit (a plan's short name, or the municipality)."""
        return self.names.get(str(unit), str(unit)) if self.by_plan else str(unit)
