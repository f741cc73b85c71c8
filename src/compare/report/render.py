"""Render a :class:`~compare.report.model.Briefing` as one HTML page and as Markdown.

The HTML page is self-contained: CSS inline, figures embedded as PNG data
URIs (the SVG and PNG files next to it are linked for download), no script,
no external resource, so it opens offline and from an e-mail attachment.
Every piece of text that comes from a plan or a catalogue is escaped.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from typing import Any

import pandas as pd

from compare.report.model import Briefing, ReportFigure, ReportTable, Section

#: Japanese headers for common table columns (files keep the original names).
COLUMN_LABELS = {
    "plan_id": "計画ID",
    "municipality": "自治体",
    "prefecture": "都道府県",
    "author": "策定主体",
    "plan_type": "計画の種類",
    "title": "名称",
    "edition": "期・次",
    "doc_kind": "文書の種類",
    "n_segments": "段落等",
    "n_headings": "見出し",
    "n_tokens": "語数",
    "covers": "主な見出し（文書が扱う範囲）",
    "period": "計画期間",
    "top_themes": "多いテーマ（該当段落の割合）",
    "name": "計画",
    "name_a": "計画 A",
    "name_b": "計画 B",
    "matched": "対応した目標",
    "only_a": "A のみ",
    "only_b": "B のみ",
    "mean_similarity": "平均類似度",
    "n_shared": "共通語数",
    "words": "特徴語",
    "dim": "次元",
    "eigenvalue": "固有値",
    "share": "説明率",
    "cumulative": "累積",
    "theme_id": "テーマID",
    "theme": "テーマ",
    "label": "ラベル",
    "word": "語",
    "rank": "順位",
    "target": "対象",
    "cosine": "コサイン類似度",
    "jaccard": "Jaccard",
    "similarity": "類似度",
    "p_value": "p 値",
    "test": "検定",
    "count_target": "出現数",
    "per1000_target": "千語あたり",
    "per1000_reference": "千語あたり（他）",
    "g2": "G²",
    "log_ratio": "対数比",
    "frequency": "頻度",
    "community": "グループ",
    "degree": "次数",
}

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
    """The whole report as one self-contained HTML document."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ja">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(briefing.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        '<header class="top">',
        f"<h1>{esc(briefing.title)}</h1>",
        f"<p>{esc(briefing.subtitle)}</p>",
        "</header>",
        '<nav class="toc">',
        *(f'<a href="#{esc(s.key)}">{esc(s.title)}</a>' for s in briefing.sections),
        "</nav>",
        "<main>",
    ]
    parts.extend(_section_html(section, briefing) for section in briefing.sections)
    parts += ["</main>", "</body>", "</html>", ""]
    page = "\n".join(parts)
    return page.replace("<style>", f"<style>{font_face(page)}", 1)


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
    characters = {ord(c) for c in text if not c.isspace()} | set(range(0x20, 0x7F))
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    font = subset.load_font(matplotlib_fontja.get_font_ttf_path(), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(characters))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'@font-face {{ font-family:"{EMBEDDED_FAMILY}"; '
        f'src:url(data:font/woff;base64,{data}) format("woff"); }}\n'
    )


def _section_html(section: Section, briefing: Briefing) -> str:
    out = [f'<section id="{esc(section.key)}">', f"<h2>{esc(section.title)}</h2>"]
    if section.notice:
        out.append(f'<p class="notice">{esc(section.notice)}</p>')
    out.extend(f"<p>{esc(p)}</p>" for p in section.paragraphs)
    if section.bullets:
        out.append("<ul>" + "".join(f"<li>{esc(b)}</li>" for b in section.bullets) + "</ul>")
    tables = {t.key: t for t in section.tables}
    for figure in section.figures:
        block = _figure_html(figure, tables)
        if section.collapsed_figures:
            block = f"<details><summary>{esc(figure.title)}</summary>{block}</details>"
        out.append(block)
    for table in section.tables:
        if table.shown:
            out.append(_table_html(table))
    if section.quotes:
        current = None
        for quote in section.quotes:
            if quote.label != current:
                out.append(f"<h3>{esc(quote.label)}</h3>")
                current = quote.label
            out.append(
                "<blockquote>"
                f"<p>{esc(quote.text)}</p>"
                f'<footer><span class="tag">{esc(quote.plan)}</span>{esc(quote.heading_path)}'
                f"（{esc(quote.lines)}）</footer>"
                "</blockquote>"
            )
    if section.key == "provenance":
        out.append(provenance_html(provenance_items(briefing)))
    out.append("</section>")
    return "\n".join(out)


def _figure_html(figure: ReportFigure, tables: dict[str, ReportTable]) -> str:
    data = base64.b64encode(figure.png).decode("ascii")
    size = f' width="{figure.width_px}" height="{figure.height_px}"' if figure.width_px else ""
    links = [
        f'<a href="figures/{esc(figure.key)}.svg">SVG</a>',
        f'<a href="figures/{esc(figure.key)}.png">PNG</a>',
    ]
    for key in figure.tables:
        name = tables[key].sheet if key in tables else key
        links.append(f'表「{esc(name)}」: <a href="tables/{esc(key)}.csv">CSV</a>')
    return (
        "<figure>"
        f'<img src="data:image/png;base64,{data}" alt="{esc(figure.title)}"{size}>'
        f"<figcaption><strong>{esc(figure.title)}</strong>　{esc(figure.caption)}<br>"
        f"{' · '.join(links)}</figcaption>"
        "</figure>"
    )


def _table_html(table: ReportTable) -> str:
    frame = _preview(table)
    head = "".join(f"<th>{esc(COLUMN_LABELS.get(c, c))}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for value in record:
            css = "num" if _is_number(value) else ("text" if len(str(value)) > 30 else "")
            attr = f' class="{css}"' if css else ""
            cells.append(f"<td{attr}>{esc(format_value(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    total = len(table.frame)
    more = (
        f"全 {total} 行中 {len(frame)} 行を表示。" if total > len(frame) else f"全 {total} 行。"
    ) + (
        f"表全体は tables.xlsx のシート「{esc(table.sheet)}」と "
        f'<a href="tables/{esc(table.key)}.csv">tables/{esc(table.key)}.csv</a>。'
    )
    return (
        f"<h3>{esc(table.title)}</h3>"
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        f'<p class="more">{more}</p>'
    )


def provenance_html(items: list[tuple[str, str]]) -> str:
    """A definition list of provenance items."""
    body = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items)
    return f'<dl class="prov">{body}</dl>'


def _preview(table: ReportTable) -> pd.DataFrame:
    frame = table.frame
    if table.preview is not None:
        frame = frame[[c for c in table.preview if c in frame.columns]]
    return frame.head(table.preview_rows)


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


def md_escape(value: object) -> str:
    """Escape text for Markdown: HTML-significant characters become entities."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split("\n"))


def render_markdown(briefing: Briefing) -> str:
    """The report as Markdown; figures link the PNG files, tables show their first rows."""
    out = [f"# {md_escape(briefing.title)}", "", md_escape(briefing.subtitle), ""]
    for section in briefing.sections:
        out += [f"## {md_escape(section.title)}", ""]
        if section.notice:
            out += [f"> **注意**: {md_escape(section.notice)}", ""]
        for paragraph in section.paragraphs:
            out += [md_escape(paragraph), ""]
        if section.bullets:
            out += [f"- {md_escape(b)}" for b in section.bullets] + [""]
        for figure in section.figures:
            out += [
                f"![{md_escape(figure.title)}](figures/{figure.key}.png)",
                "",
                f"*{md_escape(figure.title)}* — {md_escape(figure.caption)} "
                f"([SVG](figures/{figure.key}.svg))",
                "",
            ]
        for table in section.tables:
            if table.shown:
                out += _table_markdown(table)
        current = None
        for quote in section.quotes:
            if quote.label != current:
                out += [f"### {md_escape(quote.label)}", ""]
                current = quote.label
            out += [
                f"> {md_escape(quote.text)}",
                f"> — {md_escape(quote.plan)}: {md_escape(quote.heading_path)}（{md_escape(quote.lines)}）",
                "",
            ]
        if section.key == "provenance":
            out += [f"- **{md_escape(k)}**: {md_escape(v)}" for k, v in provenance_items(briefing)]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _table_markdown(table: ReportTable) -> list[str]:
    frame = _preview(table)
    header = [md_escape(COLUMN_LABELS.get(c, c)) for c in frame.columns]
    lines = [f"### {md_escape(table.title)}", "", "| " + " | ".join(header) + " |"]
    lines.append(
        "|" + "|".join("---:" if _numeric(frame[c]) else "---" for c in frame.columns) + "|"
    )
    for record in frame.itertuples(index=False):
        lines.append("| " + " | ".join(md_escape(format_value(v)) for v in record) + " |")
    total = len(table.frame)
    shown = f"全 {total} 行中 {len(frame)} 行。" if total > len(frame) else f"全 {total} 行。"
    lines += [
        "",
        f"{shown}表全体は tables.xlsx のシート「{md_escape(table.sheet)}」と "
        f"[tables/{table.key}.csv](tables/{table.key}.csv)。",
        "",
    ]
    return lines


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
