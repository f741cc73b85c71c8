"""Slides of a briefing: ``briefing.pptx`` for a client meeting (python-pptx).

A title slide, the main findings, one slide per analysis with its figure
and a one-line takeaway, and the plan list with sources.  Text is set in a
Japanese font for both PowerPoint and LibreOffice (the East Asian typeface
of every run), and the file is byte-for-byte the same for the same report.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compare.report.columns import PLAN_SOURCE_COLUMNS, header
from compare.report.files import normalise_zip
from compare.report.model import Briefing, ReportFigure, Section

if TYPE_CHECKING:
    import pandas as pd

#: Typeface of every text run (Latin and East Asian); LibreOffice and PowerPoint
#: substitute their own Japanese font where it is not installed.
FONT = "IPAexGothic"
_WIDE = (13.333, 7.5)  # inches, 16:9
_SENTENCE = re.compile(r"^(.+?。)")
#: Shorter headers where the slide's narrow columns need them.
SLIDE_HEADERS = {"doc_kind": "文書"}


def takeaway(section: Section, figure: ReportFigure, briefing: Briefing | None = None) -> str:
    """The lead line of a slide: what the figure finds, in words, from the report's own data.

    A summary finding drawn from the section's tables comes first (the themes
    that differ, the most and least similar plans); otherwise a sentence
    written from the section's table (each plan's most distinctive word, the
    plans at either end of the first CA dimension, the largest word group,
    the pair of plans with most matched goals).  Only when none applies does
    the section's first sentence serve.
    """
    keys = {table.key for table in section.tables}
    findings = [
        f for f in _findings(briefing) if getattr(f, "table", "") in keys and str(f).strip()
    ]
    if findings:
        # A tested difference about one theme first, then which themes differ (stable).
        ranked = sorted(findings, key=lambda f: -getattr(f, "weight", 0))
        return str(ranked[0])
    lead = _table_lead(section)
    if lead:
        return lead
    for text in [*section.paragraphs, figure.caption]:
        match = _SENTENCE.match(text.strip())
        if match:
            return match.group(1)
        if text.strip():
            return text.strip()
    return figure.title


def _findings(briefing: Briefing | None) -> list[str]:
    if briefing is None:
        return []
    return next((list(s.bullets) for s in briefing.sections if s.key == "summary"), [])


def _keyness_lead(frame: pd.DataFrame, tables: dict[str, Any]) -> str:
    words = [
        f"{row['name']}「{str(row['特徴語']).split('、')[0]}」"
        for _, row in frame.head(6).iterrows()
        if str(row["特徴語"])
    ]
    # Unit-neutral wording: the rows are plans or, for large corpora, municipalities.
    return "最も特徴的な語（第1位）: " + "、".join(words) + "。" if words else ""


def _ca_lead(frame: pd.DataFrame, tables: dict[str, Any]) -> str:
    if len(frame) < 2:
        return ""
    inertia = tables.get("ca_inertia")
    names = frame["name"] if "name" in frame.columns else frame["label"]
    low, high = frame["dim1"].astype(float).idxmin(), frame["dim1"].astype(float).idxmax()
    share = ""
    if inertia is not None and {"dim", "share"} <= set(inertia.columns) and len(inertia):
        share = f"（違いの {float(inertia['share'].iloc[0]) * 100:.0f}% を説明）"
    return (
        f"語の使い方が最も離れているのは {names[high]} と {names[low]}: "
        f"第1次元{share}の両端にあります。"
    )


def _network_lead(frame: pd.DataFrame, tables: dict[str, Any]) -> str:
    words = "、".join(str(frame["主な語"].iloc[0]).split("、")[:4])
    return f"最も大きな語のグループは「{words}」: これらが同じ段落でよく一緒に語られています。"


def _goals_lead(frame: pd.DataFrame, tables: dict[str, Any]) -> str:
    best = frame.sort_values("matched", ascending=False, kind="stable").iloc[0]
    return (
        f"基本目標の対応が最も多いのは {best['name_a']} と {best['name_b']}"
        f"（{int(best['matched'])} 組）。"
    )


def _outline_lead(frame: pd.DataFrame, tables: dict[str, Any]) -> str:
    counts = frame.groupby("name", sort=False).size()
    if len(counts) < 2:
        return ""
    most, least = counts.idxmax(), counts.idxmin()
    return (
        f"見出しが最も多いのは {most}（{counts[most]} 個）、"
        f"最も少ないのは {least}（{counts[least]} 個）。"
    )


def _policies_lead(frame: pd.DataFrame, tables: dict[str, Any]) -> str:
    if frame.shape[1] < 2:
        return ""
    covered = frame.set_index("計画").notna() & (frame.set_index("計画").astype(str) != "")
    themes = covered.sum(axis=1)
    most, least = themes.idxmax(), themes.idxmin()
    return (
        f"基本目標が扱うテーマが最も多いのは {most}（{int(themes[most])} テーマ）、"
        f"最も少ないのは {least}（{int(themes[least])} テーマ）。"
    )


#: Lead sentences written from a section's tables, by section key: the table the
#: sentence reads, the columns it needs, and the function that writes it from that
#: table (with rows and those columns) and the section's other tables.
_LEADS: dict[str, tuple[str, set[str], Callable[[pd.DataFrame, dict[str, Any]], str]]] = {
    "outline": ("outline", {"name"}, _outline_lead),
    "policies": ("policy_matrix", {"計画"}, _policies_lead),
    "keyness": ("keyness_top", {"name", "特徴語"}, _keyness_lead),
    "ca": ("ca_columns", {"dim1"}, _ca_lead),
    "network": ("network_communities", {"主な語"}, _network_lead),
    "goals": ("goal_pairs", {"name_a", "name_b", "matched"}, _goals_lead),
}


def _table_lead(section: Section) -> str:
    """The lead sentence written from the section's table ("" when it has none to read)."""
    if section.key not in _LEADS:
        return ""
    key, columns, write = _LEADS[section.key]
    tables = {table.key: table.frame for table in section.tables}
    frame = tables.get(key)
    if frame is None or frame.empty or not columns <= set(frame.columns):
        return ""
    return write(frame, tables)


def slide_plan(briefing: Briefing) -> list[tuple[Section, ReportFigure]]:
    """The analyses shown on slides: each section's first figure, in report order."""
    return [(s, s.figures[0]) for s in briefing.sections if s.figures and s.figures[0].png]


def write_pptx(briefing: Briefing, path: Path) -> None:
    """Write the slides of ``briefing`` (figures already rendered) to ``path``."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(_WIDE[0]), Inches(_WIDE[1])
    when = briefing.date if isinstance(briefing.date, dt.date) else dt.date(2000, 1, 1)
    stamp = dt.datetime(when.year, when.month, when.day)
    props = deck.core_properties
    props.title = briefing.title
    props.author = props.last_modified_by = "compare"
    props.created = props.modified = stamp
    props.revision = 1
    _title_slide(deck, briefing)
    findings = next((s.bullets for s in briefing.sections if s.key == "summary"), [])
    if findings:
        _bullet_slide(deck, "主な結果", findings)
    for section, figure in slide_plan(briefing):
        _figure_slide(deck, section, figure, briefing)
    _plans_slide(deck, briefing)
    buffer = io.BytesIO()
    deck.save(buffer)
    path.write_bytes(buffer.getvalue())
    normalise_zip(path, (when.year, when.month, when.day, 0, 0, 0))


def _blank(deck: Any) -> Any:
    return deck.slides.add_slide(deck.slide_layouts[6])


def _text(
    slide: Any,
    text: str,
    box: tuple[float, float, float, float],
    size: float,
    *,
    bold: bool = False,
    color: str = "1F2328",
) -> Any:
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    shape = slide.shapes.add_textbox(*(Inches(v) for v in box))
    frame = shape.text_frame
    frame.word_wrap = True
    for number, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = RGBColor.from_string(color)
        _japanese(run)
    return shape


def _japanese(run: Any) -> None:
    """Set the Latin and the East Asian typeface of a run (PowerPoint reads ``a:ea``)."""
    from pptx.oxml.ns import qn

    run.font.name = FONT
    properties = run._r.get_or_add_rPr()
    for tag in ("a:ea", "a:cs"):
        element = properties.find(qn(tag))
        if element is None:
            element = properties.makeelement(qn(tag), {})
            properties.append(element)
        element.set("typeface", FONT)


def _title_slide(deck: Any, briefing: Briefing) -> None:
    slide = _blank(deck)
    _text(slide, briefing.title, (0.8, 2.4, 11.7, 1.2), 36, bold=True, color="0B4F8A")
    _text(slide, briefing.subtitle, (0.8, 3.7, 11.7, 0.8), 16, color="57606A")


def _bullet_slide(deck: Any, title: str, bullets: list[str]) -> None:
    slide = _blank(deck)
    _text(slide, title, (0.6, 0.4, 12.1, 0.8), 26, bold=True, color="0B4F8A")
    _text(slide, "\n".join(f"・{b}" for b in bullets[:8]), (0.8, 1.4, 11.7, 5.6), 16)


def _figure_slide(
    deck: Any, section: Section, figure: ReportFigure, briefing: Briefing | None = None
) -> None:
    from PIL import Image
    from pptx.util import Inches

    slide = _blank(deck)
    _text(slide, section.title, (0.6, 0.3, 12.1, 0.7), 24, bold=True, color="0B4F8A")
    _text(slide, takeaway(section, figure, briefing), (0.6, 1.0, 12.1, 0.8), 15)
    width, height = Image.open(io.BytesIO(figure.png)).size
    box_w, box_h = 12.1, 5.4
    scale = min(box_w / width, box_h / height)
    w, h = width * scale, height * scale
    slide.shapes.add_picture(
        io.BytesIO(figure.png), Inches(0.6 + (box_w - w) / 2), Inches(1.9), Inches(w), Inches(h)
    )


def _plans_slide(deck: Any, briefing: Briefing) -> None:
    from pptx.util import Inches, Pt

    plans = briefing.summary
    slide = _blank(deck)
    _text(slide, "対象の計画と出典", (0.6, 0.3, 12.1, 0.7), 24, bold=True, color="0B4F8A")
    if plans is None or plans.empty:
        _text(slide, "計画の一覧は報告書（index.html）を参照してください。", (0.6, 1.2, 12, 1), 14)
        return
    columns = [
        (c, SLIDE_HEADERS.get(c) or header(c, "plans"))
        for c in PLAN_SOURCE_COLUMNS
        if c in plans.columns
    ]
    rows = plans.head(14)
    shape = slide.shapes.add_table(
        len(rows) + 1, len(columns), Inches(0.4), Inches(1.1), Inches(12.5), Inches(0.4)
    )
    table = shape.table
    for j, (_, title) in enumerate(columns):
        _cell(table.cell(0, j), title, Pt(11), bold=True)
    for i, record in enumerate(rows.itertuples(index=False), start=1):
        values = record._asdict()
        for j, (column, _) in enumerate(columns):
            value = values.get(column, "")
            _cell(table.cell(i, j), "" if value is None else str(value), Pt(9))
    if len(plans) > len(rows):
        _text(
            slide,
            f"ほか {len(plans) - len(rows)} 件（報告書の計画一覧を参照）",
            (0.6, 6.9, 12, 0.4),
            11,
            color="57606A",
        )


def _cell(cell: Any, text: str, size: Any, *, bold: bool = False) -> None:
    frame = cell.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size = size
    run.font.bold = bold
    _japanese(run)
