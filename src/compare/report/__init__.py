"""Report: one command from a catalogue to a briefing (HTML, Markdown, Excel, figures).

Modules: ``model`` (the parts of a report: :class:`~compare.report.model.Section`,
tables, figures, quotations, and the corpus model the sections read), ``corpus``
(builds that model from the pipeline's per-plan results and the text of the plans
read in full, the same way for every corpus size), ``sections`` (one function per
section on the counts: runs the analyses, draws the figures), ``text_sections``
(the sections that read the plans' text), ``columns`` (what every table and
column means to a reader: sheet, title, unit, source, headers, rounding),
``parts`` (pieces the sections share: the section's declaration, a table
declared by its key, notices, plan names), ``briefing`` (runs the sections in
order, writes the files), ``render`` with ``templates/`` (HTML and Markdown
from Jinja2 templates), ``files`` (safe destination, atomic replacement).

Adding a section
----------------
1. Write ``section_<name>(corpus, settings) -> Section`` next to the others in
   ``sections.py`` (or ``text_sections.py`` if it reads the text), declared with
   ``@parts.report_section(key, title=…, step=…)``: the title (``{unit}`` reads
   計画 or 自治体), the progress line, ``needs`` (checks that give a notice
   instead of the section, such as ``sections.need_two_units``),
   ``reads_text=True`` for a section built from ``corpus.text`` (the function
   then takes that sample) and ``runs_last=True`` if it reads what other
   sections found.  The function runs the ``stat_*`` and ``plot_*`` functions
   and returns ``Section(paragraphs=…, figures=…, tables=…)``: plain text in
   ``paragraphs`` / ``bullets`` (Japanese, never pre-escaped HTML), figures in
   ``figures`` (a ``ReportFigure`` takes the Axes a ``plot_*`` function returns;
   its linked tables default to the table of its own key) and every table
   behind them in ``tables``: describe each new table once in
   ``columns.TABLES`` (sheet, title, what one row is, where it comes from;
   ``by_unit`` when its rows are the compared units) and build it with
   ``parts.report_table(key, frame, …)`` (``shown=False`` keeps a table out of
   the page but in ``tables.xlsx`` and ``tables/<key>.csv``).
2. Add the function to ``sections.STEPS`` where the section belongs in the report.
3. Nothing else is needed: the generic templates ``section.html.j2`` and
   ``section.md.j2`` show every part.  For a different look, give the section a
   ``kind`` and add ``templates/<kind>.html.j2`` and ``<kind>.md.j2``, each
   extending the generic template and filling its ``extra`` block (as
   ``provenance.*.j2`` do).  Templates autoescape every value (HTML with the
   standard library's entities, Markdown with :func:`~compare.report.render.md_escape`).
"""

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
