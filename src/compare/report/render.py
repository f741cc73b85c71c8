"""Render a :class:`~compare.report.model.Briefing` as one HTML page and as Markdown.

The HTML page is self-contained: CSS inline, figures embedded as PNG data
URIs (the SVG and PNG files next to it are linked for download), no script,
no external resource, so it opens offline and from an e-mail attachment.
Every piece of text that comes from a plan or a catalogue is escaped.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import math
import re
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from compare.report.model import Briefing, ReportTable, Section

_CSS = """
:root { --ink:#1f2328; --muted:#57606a; --line:#d0d7de; --accent:#0b4f8a; --bg:#ffffff; --soft:#f6f8fa; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font-family: "Hiragino Sans","Hiragino Kaku Gothic ProN","Yu Gothic UI","Yu Gothic","Meiryo",
  "Noto Sans CJK JP","IPAexGothic","compare-embedded-gothic",system-ui,sans-serif; line-height:1.7; font-size:15px; }
header.top { background:var(--accent); color:#fff; padding:28px 40px 20px; }
header.top h1 { margin:0 0 4px; font-size:26px; }
header.top p { margin:0; opacity:.9; }
nav.toc { background:var(--soft); border-bottom:1px solid var(--line); padding:10px 40px; font-size:14px; }
nav.toc a { color:var(--accent); margin-right:16px; text-decoration:none; white-space:nowrap; }
main { max-width:1080px; margin:0 auto; padding:8px 40px 40px; }
section { border-bottom:1px solid var(--line); padding:12px 0 24px; }
h2 { font-size:21px; color:var(--accent); margin:18px 0 8px; }
h3 { font-size:16px; margin:18px 0 6px; }
p.notice { background:#fff8c5; border:1px solid #d4a72c; padding:8px 12px; border-radius:6px; }
figure { margin:16px 0 22px; }
figure img { max-width:100%; height:auto; border:1px solid var(--line); border-radius:4px; background:#fff; }
figcaption { color:var(--muted); font-size:13px; margin-top:4px; }
figcaption a, p.more a { color:var(--accent); }
div.table-wrap { overflow-x:auto; margin:8px 0 4px; }
table { border-collapse:collapse; font-size:13px; }
th, td { border:1px solid var(--line); padding:3px 8px; vertical-align:top; text-align:left; }
th { background:var(--soft); white-space:nowrap; }
td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.text { min-width:12em; max-width:36em; }
p.more { color:var(--muted); font-size:12.5px; margin:0 0 14px; }
blockquote { margin:10px 0; padding:6px 14px; border-left:4px solid #9ecae1; background:var(--soft); }
blockquote p { margin:0; white-space:pre-wrap; }
blockquote footer { color:var(--muted); font-size:12.5px; margin-top:4px; }
span.tag { display:inline-block; background:#ddf4ff; color:#0a3069; border-radius:10px;
  padding:0 8px; font-size:12px; margin-right:6px; }
details { margin:6px 0; } summary { cursor:pointer; color:var(--accent); }
dl.prov { display:grid; grid-template-columns:max-content 1fr; gap:2px 16px; font-size:13px; }
dl.prov dt { color:var(--muted); } dl.prov dd { margin:0; word-break:break-all; }
@media print { nav.toc { display:none; } header.top { color:#000; background:#fff; } }
"""

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"

#: Family name of the embedded font subset (the page's last-resort Japanese font).
EMBEDDED_FAMILY = "compare-embedded-gothic"


def esc(value: object) -> str:
    """HTML-escape any value (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def render_html(briefing: Briefing) -> str:
    """The whole report as one self-contained HTML document (``templates/page.html.j2``)."""
    page = (
        _environment("html")
        .get_template("page.html.j2")
        .render(briefing=briefing, css=Markup(_CSS), csp=Markup(_CSP))
    )
    return page.replace("<style>", f"<style>{font_face(page)}", 1)


def render_markdown(briefing: Briefing) -> str:
    """The report as Markdown (``templates/page.md.j2``); figures link the PNG files."""
    text = _environment("md").get_template("page.md.j2").render(briefing=briefing)
    return text.rstrip("\n") + "\n"


def section_template(section: Section, ext: str) -> str:
    """The template file of a section: ``<kind>.<ext>.j2`` (``section`` for most)."""
    return f"{section.kind}.{ext}.j2"


@functools.cache
def _environment(ext: str) -> jinja2.Environment:
    """The template environment of one output format.

    HTML autoescapes every value with :func:`esc` (the escaping of the
    standard library, so entities stay ``&#x27;`` and ``&quot;``); Markdown
    escapes every value with :func:`md_escape`.  A value meant to be written
    as it is must be :class:`markupsafe.Markup` (``|raw`` in a template).
    """
    html_output = ext == "html"
    escape = esc if html_output else md_escape
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("compare.report", "templates"),
        autoescape=html_output,
        finalize=lambda value: value if isinstance(value, Markup) else Markup(escape(value)),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(
        base64=lambda data: base64.b64encode(data).decode("ascii"),
        cell_class=_cell_class,
        format_value=format_value,
        raw=lambda value: Markup(str(value)),
    )
    environment.globals.update(
        column_label=column_label,
        format_cell=format_cell,
        numeric=_numeric,
        preview=_preview,
        provenance_items=provenance_items,
        section_template=section_template,
        sheet_names=lambda section: {t.key: t.sheet for t in section.tables},
        source_of=source_of,
        source_note=source_note,
    )
    return environment


def source_of(briefing: Briefing, finding: object) -> tuple[Section, ReportTable] | None:
    """The section and table a summary finding comes from (None for plain text)."""
    key = getattr(finding, "table", "")
    for section in briefing.sections if key else []:
        for table in section.tables:
            if table.key == key:
                return section, table
    return None


def source_note(briefing: Briefing, finding: object) -> str:
    """Where a finding comes from, for the Markdown: （→ 節「…」の表「…」）, or ""."""
    source = source_of(briefing, finding)
    if source is None:
        return ""
    return f"（→ 節「{source[0].title}」の表「{source[1].title}」）"


def _cell_class(value: Any) -> Markup:
    """The class attribute of a table cell: numbers right-aligned, long text wrapped."""
    css = "num" if _is_number(value) else ("text" if len(str(value)) > 30 else "")
    return Markup(f' class="{css}"' if css else "")


def font_face(text: str) -> str:
    """An @font-face rule embedding the Japanese font, subset to the characters of ``text``.

    The page then shows Japanese on a machine without Japanese fonts (the
    embedded IPAexGothic subset is the last family tried, after the usual
    system fonts).  Returns "" when the font or fontTools is unavailable.
    """
    try:
        import matplotlib_fontja
        from fontTools import subset
    except ImportError:
        return ""
    # set(text) first: the page holds megabytes of text but a few thousand distinct characters.
    characters = {ord(c) for c in set(text) if not c.isspace()} | set(range(0x20, 0x7F))
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    # Loaded from memory: a font loaded from its path keeps the file open until
    # it is garbage-collected.
    source = io.BytesIO(Path(matplotlib_fontja.get_font_ttf_path()).read_bytes())
    font = subset.load_font(source, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(characters))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    font.close()
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'@font-face {{ font-family:"{EMBEDDED_FAMILY}"; '
        f'src:url(data:font/woff;base64,{data}) format("woff"); }}\n'
    )


def _preview(table: ReportTable) -> pd.DataFrame:
    frame = table.frame
    if table.preview is not None:
        frame = frame[[c for c in table.preview if c in frame.columns]]
    return frame.head(table.preview_rows)


def column_label(column: str, table: str = "") -> str:
    """The header of a column in the page: the workbook's header (label and unit), from
    :data:`compare.report.columns.COLUMNS`, the one place that names columns; a column
    it does not know keeps its own name."""
    from compare.report.columns import header

    return header(str(column), table)


def format_cell(value: Any, column: str, table: str = "") -> str:
    """A table cell as the page shows it: scaled and rounded as its column says.

    The workbook rounds to the same places, so the two agree; a column
    without a rule falls back to :func:`format_value`.
    """
    from compare.report.columns import TABLE_COLUMNS, rounded
    from compare.report.columns import column as describe

    spec = describe(str(column), table) or TABLE_COLUMNS.get(table)
    if spec is None or isinstance(value, bool) or not _is_number(_scalar(value)):
        return format_value(value)
    number = rounded(_scalar(value), spec)
    if isinstance(number, float) and math.isnan(number):
        return ""
    if isinstance(spec.digits, int) and spec.digits > 0:
        return f"{number:,.{spec.digits}f}"
    return format_value(number)


def _scalar(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def format_value(value: Any) -> str:
    """Format a cell for reading: numbers rounded sensibly, lists joined, NaN empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "○" if value else ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value == 0:
            return "0"
        magnitude = abs(value)
        if magnitude < 0.001:
            return f"{value:.1e}"
        if magnitude < 1:
            return f"{value:.3f}"
        if magnitude < 100:
            return f"{value:.2f}"
        return f"{value:,.0f}"
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    if hasattr(value, "item"):
        return format_value(value.item())
    return str(value)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")
#: "<" that could open an HTML tag, comment or autolink (CommonMark needs an ASCII
#: letter, "/", "!" or "?" after it); any other "<" is plain text.
_MD_TAG = re.compile(r"<(?=[A-Za-z/!?])")
#: "&" that would start a named entity ("&#" is already broken by the escaped "#").
_MD_ENTITY = re.compile(r"&(?=[A-Za-z0-9]+;)")


def md_escape(value: object) -> str:
    """Escape text for Markdown with Markdown's own backslash escapes.

    Emphasis, code, link, table and heading characters are always escaped;
    "<", "&" and a leading ">" only where Markdown would read them as a tag,
    an entity or a quotation, so "p < .05" stays as written in the file and a
    plan's "<script>" shows as text.  HTML entities are never written: the
    file is read as plain text as often as it is rendered.
    """
    text = "" if value is None else str(value)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_TAG.sub(r"\\<", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    text = " ".join(text.split("\n"))
    return "\\" + text if text.startswith(">") else text


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def provenance_items(briefing: Briefing) -> list[tuple[str, str]]:
    """Provenance as (label, value) pairs in a fixed order."""
    items = []
    for key, value in briefing.provenance.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            value = ", ".join(map(str, value))
        items.append((key, str(value)))
    return items
