"""Report: one command from a catalogue to a briefing (HTML, Markdown, Excel, figures)."""

from compare.report.briefing import (
    DEFAULT_OUT,
    build_briefing,
    check_destination,
    write_briefing,
    write_report,
)
from compare.report.model import Briefing, ReportSettings

__all__ = [
    "DEFAULT_OUT",
    "Briefing",
    "ReportSettings",
    "build_briefing",
    "check_destination",
    "write_briefing",
    "write_report",
]
