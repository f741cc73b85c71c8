"""Small pieces every section of the briefing uses: the section's declaration, declared
tables, notices and plan names."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from compare.report.columns import TABLES
from compare.report.model import ReportTable, Section

#: What a section needs of the corpus: a Japanese notice when the corpus lacks it
#: (None when it has it); or AnalysisError, when the analysis cannot run at all.
Need = Callable[[Any], "str | None"]

NEED_TWO = (
    "比較には 2 つ以上の計画が必要です（この報告書の対象は {n} 件）。計画を追加してください。"
)


def report_table(
    key: str, frame: pd.DataFrame, unit_word: str = "計画", **options: Any
) -> ReportTable:
    """Table ``key`` of the report holding ``frame``, with the sheet, title, unit and
    source that :data:`compare.report.columns.TABLES` gives it.

    ``unit_word`` is what the report compares (``Corpus.unit_word``: 計画 or
    自治体), which a table of compared units names; ``options`` are the other
    fields of :class:`~compare.report.model.ReportTable` (``shown``,
    ``preview``, ``preview_rows``, or a ``title`` that says more).
    """
    spec = TABLES[key].as_compared(unit_word)
    described = {"sheet": spec.sheet, "title": spec.title, "unit": spec.unit, "source": spec.source}
    return ReportTable(key=key, frame=frame, **(described | options))


@dataclasses.dataclass(frozen=True)
class SectionSpec:
    """A section of the briefing as the report declares it (see :func:`report_section`).

    ``key`` names the section (its anchor and files), ``title`` is its heading,
    where ``{unit}`` reads as the compared unit (計画 or 自治体), and ``step``
    the line shown while it runs.  ``needs`` are checked in order before the
    section is built: the first notice one of them gives becomes the whole
    section.  ``build(corpus, settings)`` returns the content; a section that
    ``reads_text`` is built from ``corpus.text`` instead (the plans read in
    full) and names the sample read, if any, first.  ``runs_last``: the
    section reads what the others found (the summary's findings, the themes
    worth quoting).  Called with ``(corpus, settings)``, a spec gives the section.
    """

    key: str
    title: str
    step: str
    build: Callable[[Any, Any], Section]
    needs: tuple[Need, ...] = ()
    reads_text: bool = False
    runs_last: bool = False

    def __call__(self, corpus: Any, settings: Any) -> Section:
        """The section for ``corpus``: its content, or the notice of what it lacks."""
        section = self.lacking(corpus) or self.build(
            corpus.text if self.reads_text else corpus, settings
        )
        section = dataclasses.replace(section, key=self.key, title=self.title_for(corpus))
        return sampled(section, corpus.text) if self.reads_text else section

    def title_for(self, corpus: Any) -> str:
        """The heading of the section when ``corpus`` is compared."""
        return self.title.format(unit=corpus.unit_word)

    def lacking(self, corpus: Any) -> Section | None:
        """A section holding only the first notice of ``needs`` (None when nothing lacks)."""
        for need in self.needs:
            notice = need(corpus)
            if notice:
                return Section(notice=notice)
        return None


def report_section(
    key: str,
    *,
    title: str,
    step: str,
    needs: Sequence[Need] = (),
    reads_text: bool = False,
    runs_last: bool = False,
) -> Callable[[Callable[[Any, Any], Section]], SectionSpec]:
    """Declare the decorated function as the builder of section ``key``.

    What every section shares is written once, in :class:`SectionSpec`: the
    heading with the compared unit, the notices when the corpus lacks what a
    comparison needs, the sentence naming the text sample.  The builder only
    analyses and returns ``Section(paragraphs=…, figures=…, tables=…)``.
    """

    def declare(build: Callable[[Any, Any], Section]) -> SectionSpec:
        return SectionSpec(key, title, step, build, tuple(needs), reads_text, runs_last)

    return declare


def sampled(section: Section, text: Any) -> Section:
    """``section`` with the sentence naming the sample of plans read first (``text``: the
    corpus's :class:`~compare.report.model.TextSample`; nothing when every plan is read)."""
    if not text.sample_note:
        return section
    if section.notice and not section.paragraphs:
        section.notice = f"{section.notice} {text.sample_note}"
    else:
        section.paragraphs.insert(0, text.sample_note)
    return section


def name_plans(frame: pd.DataFrame, corpus: Any, columns: Sequence[str]) -> pd.DataFrame:
    """Add a display-name column next to each plan-id column in ``columns``
    (``corpus`` is anything with ``names``, a plan id → name mapping)."""
    out = frame.copy()
    out.attrs = {}
    for column in columns:
        if column in out.columns:
            position = out.columns.get_loc(column) + 1
            suffix = column[len("plan_id") :] if column.startswith("plan_id") else column[4:]
            out.insert(
                position,
                f"name{suffix}",
                out[column].astype(str).map(lambda p: corpus.names.get(p, p)),
            )
    return out
