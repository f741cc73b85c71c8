"""The parts a briefing report is made of, independent of its output formats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


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


@dataclass
class ReportFigure:
    """A figure with the keys of the tables it was drawn from."""

    key: str
    title: str
    caption: str
    figure: Any
    tables: list[str] = field(default_factory=list)
    png: bytes = b""
    svg: bytes = b""
    width_px: int = 0
    height_px: int = 0


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
    comparison with a single plan).
    """

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    figures: list[ReportFigure] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    notice: str | None = None
    collapsed_figures: bool = False


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
