"""The plan model: every plan's policy hierarchy as one tidy table.

Researchers compare plans level by level: 基本理念 with 基本理念, 基本目標 with
基本目標, 施策 with 施策, and the 成果指標 that measure them.  Plans lay that
hierarchy out in many ways, so :func:`plan_model` reads it wherever a plan
puts it:

* **headings** that carry a level label (「基本目標１ …」, 「◆ 基本理念1 … ◆」,
  「基本方針Ⅰ」, 「◎重点的な取組 …」) or sit under a heading that names a level
  (「2 計画の基本目標」 over 「1 …」, 「2 …」; 「《基本理念》」 over the statement);
* **lists**: numbered lines that continue a labelled line (「基本方針 １ …」 /
  「２ …」), numbered or bulleted short lines under a level heading;
* **施策体系 / 行動計画 tables** (:func:`compare.stat_policy_table`);
* **成果指標 tables** (:func:`compare.stat_indicators`): each indicator row
  attaches to the goal it measures;
* as a last resort, **sentences** that name a level with quoted titles
  (「『…』を基本理念に掲げ」, 「「A」、「B」、「C」の3つを基本目標に」), used only
  when the plan gives that level nowhere else.

Levels
------
Every row has the plan's own label (``label``: 基本方針, 基本施策, 行動計画,
重点的な取組 …) and one of the common levels of :data:`LEVELS`, mapped by
:data:`LABEL_LEVELS`.  One label is ambiguous: 基本方針 is the goal level
(基本目標) in a plan that has no 基本目標 above it (所沢市: 基本理念 > 基本方針Ⅰ–Ⅲ >
基本施策), and the policy level below the goals otherwise (多摩区: 基本目標 >
基本方針).  Items without a label of their own take the level of the heading
that names them (「計画の基本目標」 → 基本目標); short items listed under a goal
or policy take the next level down.

Parents
-------
A row's parent is the row it sits under: the goal whose section holds a
policy, the goal cell of a table row, the goal an indicator measures.  Rows
with nothing above them (goals, cross-cutting 重点施策) hang under the plan's
基本理念 when the plan states exactly one, and have no parent otherwise.

The same item met twice (a 重点施策 listed in a summary and again as a
heading, a goal given as a heading and in the 施策体系 table) is one row,
anchored at its heading when it has one.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from compare.errors import SegmentationWarning
from compare.io.catalog import METADATA_COLUMNS
from compare.structure._lines import BULLET_MARKS, clean, nfkc, parse_marker, roman_value
from compare.structure.tables import stat_indicators, stat_policy_table

#: Common levels, from the top of a plan's hierarchy down.
LEVELS: tuple[str, ...] = ("基本理念", "基本目標", "基本方針", "施策", "事業", "重点施策", "指標")

#: A plan's own label -> common level.  基本方針 is resolved per plan (see the module docstring).
LABEL_LEVELS: dict[str, str] = {
    "基本理念": "基本理念",
    "理念": "基本理念",
    "スローガン": "基本理念",
    "基本目標": "基本目標",
    "目標": "基本目標",
    "推進の柱": "基本目標",
    "施策の柱": "基本目標",
    "基本方針": "基本方針",
    "基本施策": "基本方針",
    "施策の方向性": "基本方針",
    "施策の方向": "基本方針",
    "施策の展開": "基本方針",
    "方針": "基本方針",
    "施策": "施策",
    "行動計画": "施策",
    "具体的な取組": "施策",
    "主な取組": "施策",
    "取組": "施策",
    "推進項目": "施策",
    "事業": "事業",
    "重点施策": "重点施策",
    "重点的な取組": "重点施策",
    "重点的取組": "重点施策",
    "重点取組": "重点施策",
    "重点課題": "重点施策",
    "重点プロジェクト": "重点施策",
    "指標": "指標",
    "成果指標": "指標",
}

#: Catalogue columns repeated on every row; the plan's title becomes ``plan_title``.
_META = tuple("plan_title" if c == "title" else c for c in METADATA_COLUMNS)

#: Columns of the plan model, in order.
PLAN_MODEL_COLUMNS: tuple[str, ...] = (
    "plan_id",
    *_META,
    "row",
    "level",
    "label",
    "number",
    "number_int",
    "title",
    "subtitle",
    "parent",
    "parent_title",
    "section_id",
    "seg_id",
    "line_start",
    "line_end",
    "page",
    "source",
)

#: The columns a reader needs to follow the tree (report table, notebook listing).
PLAN_MODEL_SUMMARY: tuple[str, ...] = (
    "row",
    "level",
    "label",
    "number",
    "title",
    "parent",
    "parent_title",
    "line_start",
    "source",
)

#: Where a row was read from.
SOURCES = ("heading", "list", "paragraph", "施策体系 table", "indicator table", "sentence")

_TIER = {
    "基本理念": 0,
    "基本目標": 1,
    "重点施策": 1.5,
    "基本方針": 2,
    "施策": 3,
    "事業": 4,
    "指標": 5,
}
_NEXT = {"基本目標": "基本方針", "基本方針": "施策", "施策": "事業"}
_GOAL_LABELS = ("基本目標", "目標", "推進の柱", "施策の柱")

_LABEL_ALT = "|".join(
    sorted(
        [
            *LABEL_LEVELS,
            "取り組み",
            "取組み",
            "重点的な取組み",
            "重点的な取り組み",
            "具体的な取組み",
            "具体的な取り組み",
            "主な取組み",
            "主な取り組み",
        ],
        key=len,
        reverse=True,
    )
)
_NUM = (
    r"(?:[0-9０-９]{1,3}(?:[-－‐ー−][0-9０-９]{1,2})?|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]{1,3}"
    r"|[IVX]{1,4}(?![A-Za-z])|[①-⑳]|[一二三四五六七八九十]{1,3}(?![つ年月日人か箇ヶ番回度]))"
)
_DECOR = "◆◇●■□◎○★☆▼▶◉♦▲►・ \u3000\t"
_BRACKET_PAIRS = {
    "【": "】",
    "《": "》",
    "≪": "≫",
    "〈": "〉",
    "＜": "＞",
    "<": ">",
    "〔": "〕",
    "［": "］",
}
_QUOTES = {"「": "」", "『": "』", "“": "”", '"': '"', "《": "》", "【": "】"}
_TILDES = "～~〜—―"
_RE_LABELLED = re.compile(
    rf"^(?P<open>[(（])?(?P<label>{_LABEL_ALT})(?:[ \u3000]*(?P<num>{_NUM}))?(?P<close>[)）])?"
    r"(?P<sep>[ \u3000\t]*[:：.．、]?[ \u3000\t]*)(?P<title>.*)$"
)
_RE_CONTAINER = re.compile(
    rf"^(?:[0-9０-９一二三四五六七八九十]+つ?の)?(?:計画の|本計画の)?(?P<label>{_LABEL_ALT})"
    rf"(?:[・、と及び]+(?:計画の)?(?:{_LABEL_ALT}))*"
    r"(?:について)?(?:[(（][^()（）]*[)）])?$"
)
_RE_PRIORITY_TAIL = re.compile(
    r"[\s\u3000]*[◎○●★☆][\s\u3000]*重点(?:的な)?(?:取組み?|取り組み|施策)?[\s\u3000]*$"
)
_RE_QUOTED_TAIL = re.compile(
    r"^[～~〜—―-]\s*(?P<sub>.+?)\s*[～~〜—―-][\s\u3000]*[「『](?P<title>[^」』]+)[」』]$"
)
_RE_SUBTITLE_TAIL = re.compile(
    r"^(?P<title>.+?)[\s\u3000]*[～~〜—―](?P<sub>[^～~〜—―]+)[～~〜—―]?$"
)
_RE_VISION_AFTER = re.compile(
    r"[「『](?P<title>[^」』「『]{4,80})[」』][\s\u3000]*(?:を|の|と|が|は)?[\s\u3000]*(?:本計画の|計画の)?基本理念"
)
_RE_VISION_BEFORE = re.compile(
    r"基本理念(?:を|は|として|に|:|：)?[\s\u3000]*[「『](?P<title>[^」』「『]{4,80})[」』]"
)
_RE_GOALS_INLINE = re.compile(
    r"(?P<titles>(?:[「『][^」』「『]{2,60}[」』][、，,・\s\u3000]*){2,})(?:の|を)?[\s\u3000]*"
    r"(?:[0-9０-９一二三四五六七八九十]+つ)?(?:の|を)?[\s\u3000]*(?:計画の)?基本目標"
)
_RE_QUOTED = re.compile(r"[「『](?P<title>[^」』「『]+)[」』]")
_LONG_LINE = 200
_INLINE_LABELS = "基本目標|基本方針|基本施策|重点施策|施策|目標|方針"
_RE_INLINE_LABEL = re.compile(rf"(?:^|(?<=\s))[(（]?(?:{_INLINE_LABELS})[ \u3000]*{_NUM}[)）]?")
_RE_INLINE_CUT = re.compile(
    rf"(?:^|\s+)(?=[(（]?(?:{_INLINE_LABELS})[ \u3000]*{_NUM}[)）]?)|\s+(?=[・•])"
)
_RE_MEASURE = re.compile(r"(?:割合|認知度|満足度|[率数]|件数|人数|回数)$")
_SENTENCE_END = ("。", "．", "ます", "です", "ました", "する。")
_MAX_TITLE = 80
_MAX_ITEM = 60


@dataclass
class _Unit:
    """A heading, or one non-blank source line of any other segment."""

    seg_id: int
    kind: str
    depth: int
    section_id: str
    line_start: int
    line_end: int
    text: str
    block: str = ""  # the whole segment's text, for statements broken over lines
    first_line: bool = True

    @property
    def heading(self) -> bool:
        return self.kind == "heading"


@dataclass
class _Row:
    level: str
    label: str
    number: str
    title: str
    unit: _Unit | None
    source: str
    parent: int | None = None
    subtitle: str = ""
    table_anchor: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Scope:
    depth: int  # heading depth; -1 for a scope opened by a line
    heading: bool
    label: str = ""  # container: the level label it names
    level: str = ""  # container: the common level of its items
    row: int | None = None  # item scope: the row
    child_depth: int | None = None
    child_style: str | None = None
    vision_done: bool = False
    heading_children: bool = False


def plan_model(segments: pd.DataFrame) -> pd.DataFrame:
    """Every plan's policy hierarchy as one tidy table.

    Parameters
    ----------
    segments : pandas.DataFrame
        A SEGMENTS table (:func:`compare.read_corpus`, :func:`compare.read_plan`).

    Returns
    -------
    pandas.DataFrame
        One row per policy element, plans in the order of ``segments``, rows
        in hierarchy order within a plan.  Columns: ``plan_id``, the catalogue
        columns (the plan's title as ``plan_title``), ``row`` (0-based position within the plan), ``level`` (one of
        :data:`LEVELS`), ``label`` (the plan's own word: 基本方針, 基本施策,
        行動計画, 重点的な取組 …; empty when the item has none), ``number`` (as
        printed, "" without one), ``number_int`` (Int64), ``title``,
        ``subtitle`` (a ～…～ line or a slogan's gloss, else ""), ``parent``
        (Int64: the ``row`` of the parent within the same plan, <NA> for a
        root), ``parent_title``, ``section_id``, ``seg_id``, ``line_start``,
        ``line_end`` (source lines), ``page`` (Int64, PDF sources only) and
        ``source`` (heading, list, paragraph, 施策体系 table, indicator table,
        sentence).
        ``attrs["missing"]`` maps each plan id to the levels among 基本理念,
        基本目標 it gives no row for.

    Warns
    -----
    SegmentationWarning
        For a plan in which no goal level (基本目標) was recognised; its other
        rows are still returned.
    """
    _check(segments)
    frames, missing = [], {}
    pages = segments.attrs.get("pages", {}) or {}
    for plan_id, plan in segments.groupby(segments["plan_id"].astype(object), sort=False):
        plan = plan.reset_index(drop=True)
        rows = _PlanReader(plan).read()
        frames.append(_frame(plan, rows, pages.get(plan_id, [])))
        lacking = [lv for lv in ("基本理念", "基本目標") if lv not in {r.level for r in rows}]
        missing[str(plan_id)] = lacking
        if "基本目標" in lacking:
            warnings.warn(
                f"{plan_id}: no goal level (基本目標 or an equivalent such as 基本方針Ⅰ) found "
                "in its headings, lists or tables; the plan model has no goal rows for it.",
                SegmentationWarning,
                stacklevel=2,
            )
    out = pd.concat(frames, ignore_index=True) if frames else _empty()
    out = _typed(out)
    out.attrs["missing"] = missing
    return out


# --------------------------------------------------------------------------- reading


class _PlanReader:
    """Reads one plan's rows from its segments."""

    def __init__(self, plan: pd.DataFrame) -> None:
        self.plan = plan
        self.units = list(_units(plan))
        self.rows: list[_Row] = []
        self.goal_labelled = self._has_goal_labels()

    # -- public -----------------------------------------------------------------------
    def read(self) -> list[_Row]:
        self._walk()
        self._flattened()
        self._tables()
        self._indicators()
        self._sentences()
        return _finish(self.rows)

    # -- levels -----------------------------------------------------------------------
    def _has_goal_labels(self) -> bool:
        for unit in self.units:
            match = _labelled(unit.text)
            if match and _canonical(match[0]) in _GOAL_LABELS:
                return True
        for cells in self.plan.loc[self.plan["kind"].astype(object) == "table_row", "cells"]:
            if cells is not None and any(str(c).strip().startswith("基本目標") for c in cells):
                return True
        return False

    def level_of(self, label: str) -> str:
        label = _canonical(label)
        level = LABEL_LEVELS.get(label, "")
        if label == "基本方針" and not self.goal_labelled:
            return "基本目標"
        return level

    # -- rows -------------------------------------------------------------------------
    def add(self, row: _Row) -> int:
        """Add a row, or merge it into the same item met before; return its index."""
        key = (row.level, _norm(row.title), row.parent)
        for index, old in enumerate(self.rows):
            if (old.level, _norm(old.title), old.parent) == key:
                if old.source != "heading" and row.source == "heading":
                    old.unit, old.source = row.unit, row.source
                if not old.number and row.number:
                    old.number = row.number
                return index
        self.rows.append(row)
        return len(self.rows) - 1

    def find(self, level: str, title: str, number: int | None) -> int | None:
        """The row of ``level`` with this title (or, failing that, this number)."""
        wanted = _norm(title)
        for index, row in enumerate(self.rows):
            if row.level == level and wanted and _norm(row.title) == wanted:
                return index
        if number is not None:
            same = [
                i for i, r in enumerate(self.rows) if r.level == level and _int(r.number) == number
            ]
            if len(same) == 1:
                return same[0]
        return None

    # -- headings and lines -------------------------------------------------------------
    def _walk(self) -> None:
        scopes: list[_Scope] = []
        run: tuple[str, int, int | None] | None = None  # (label, last number, parent)
        for i, unit in enumerate(self.units):
            if unit.kind == "table_row":
                run = None
                continue
            if unit.heading:
                scopes = [s for s in scopes if s.heading and s.depth < unit.depth]
                run = None
            parent = _parent_scope(scopes)
            labelled = _labelled(unit.text)
            if labelled and self._take_labelled(unit, labelled, scopes, i):
                label, number = labelled[0], labelled[1]
                run = (label, _int(number) or 0, self.rows[-1].parent) if number else None
                continue
            if _container(unit.text):
                scopes = self._open_container(unit, scopes)
                run = None
                continue
            if run and not unit.heading and self._continue_run(unit, run):
                run = (run[0], run[1] + 1, run[2])
                continue
            self._child(unit, scopes, parent)

    def _take_labelled(
        self, unit: _Unit, labelled: tuple[str, str, str], scopes: list[_Scope], i: int
    ) -> bool:
        label, number, title = labelled
        if not title and i + 1 < len(self.units) and not self.units[i + 1].heading:
            nxt = self.units[i + 1]
            if _item_like(nxt.text, _MAX_TITLE):
                title = nxt.text
        title, subtitle = _split_title(title)
        if not title or not _item_like(title, _MAX_TITLE):
            return False
        level = self.level_of(label)
        if not level:
            return False
        parent = None if level == "基本理念" else _owner(self.rows, scopes, level)
        index = self.add(
            _Row(level, _canonical(label), number, title, unit, _source(unit), parent, subtitle)
        )
        if unit.heading and level != "基本理念":
            scopes.append(_Scope(depth=unit.depth, heading=True, row=index))
        return True

    def _continue_run(self, unit: _Unit, run: tuple[str, int, int | None]) -> bool:
        marker = parse_marker(unit.text)
        if marker is None or marker.number != run[1] + 1 or marker.style.startswith("label:"):
            return False
        title, subtitle = _split_title(marker.rest)
        if not _item_like(title, _MAX_ITEM):
            return False
        self.add(
            _Row(
                self.level_of(run[0]),
                _canonical(run[0]),
                _printed_number(unit.text),
                title,
                unit,
                "list",
                run[2],
                subtitle,
            )
        )
        return True

    def _open_container(self, unit: _Unit, scopes: list[_Scope]) -> list[_Scope]:
        text = _strip_marker(unit.text)
        labels = re.findall(_LABEL_ALT, text)
        scope = _Scope(depth=unit.depth if unit.heading else -1, heading=unit.heading)
        if len(labels) == 1:
            scope.label = _canonical(labels[0])
            scope.level = self.level_of(labels[0])
        elif "基本理念" in labels:
            scope.label, scope.level = "基本理念", "基本理念"
            scope.child_style = "-"  # several levels named: take only the statement
        scope.child_depth = unit.depth + 1 if unit.heading else None
        if not unit.heading:
            scopes = [s for s in scopes if s.heading]
        return [*scopes, scope]

    def _child(self, unit: _Unit, scopes: list[_Scope], parent: _Scope | None) -> None:
        if parent is None:
            return
        if parent.level == "基本理念" and parent.row is None:
            self._vision(unit, parent)
            return
        if parent.row is None and parent.level and parent.child_style != "-":
            self._container_child(unit, scopes, parent)
            return
        if parent.row is not None:
            self._item_child(unit, scopes, parent)

    def _vision(self, unit: _Unit, scope: _Scope) -> None:
        if scope.vision_done or unit.heading or not unit.first_line:
            if unit.heading and unit.depth == scope.child_depth:
                scope.vision_done = True
            return
        for text in (unit.block, unit.text):
            statement = _statement(text)
            if statement:
                title, subtitle = statement
                self.add(
                    _Row("基本理念", "基本理念", "", title, unit, _source(unit), None, subtitle)
                )
                scope.vision_done = True
                return

    def _container_child(self, unit: _Unit, scopes: list[_Scope], scope: _Scope) -> None:
        if unit.heading:
            if unit.depth != scope.child_depth:
                return
            scope.heading_children = True
            marker = parse_marker(unit.text)
            title = marker.rest if marker is not None else unit.text
        else:
            if scope.heading_children:
                return
            marker = parse_marker(unit.text)
            if marker is None or marker.number is None:
                return
            if scope.child_style is None:
                scope.child_style = marker.style
            if marker.style != scope.child_style:
                return
            title = marker.rest
        title, subtitle = _split_title(_strip_decor(title))
        if not _item_like(title, _MAX_ITEM):
            return
        number = _printed_number(unit.text) if marker is not None else ""
        index = self.add(
            _Row(
                scope.level,
                scope.label,
                number,
                title,
                unit,
                _source(unit),
                _owner(self.rows, scopes, scope.level),
                subtitle,
            )
        )
        if unit.heading:
            scopes.append(_Scope(depth=unit.depth, heading=True, row=index))

    def _item_child(self, unit: _Unit, scopes: list[_Scope], scope: _Scope) -> None:
        """Short numbered or bulleted items under a goal or policy: the next level down."""
        owner = self.rows[scope.row]
        level = _NEXT.get(owner.level)
        if level is None:
            return
        if unit.heading:
            if unit.depth != scope.depth + 1:
                return
            marker = parse_marker(unit.text)
            if marker is None or marker.number is None:
                return
            title = marker.rest
        else:
            text = unit.text.strip()
            marker = parse_marker(text)
            if (
                marker is not None
                and marker.number is not None
                and not marker.style.startswith("label:")
            ):
                title = marker.rest
            elif text[:1] in BULLET_MARKS:
                title = text.lstrip(BULLET_MARKS + " \u3000")
            else:
                return
        if not _item_like(title, _MAX_ITEM):
            return
        title, subtitle = _split_title(_strip_decor(title))
        if len(title) < 4 or not _item_like(title, _MAX_ITEM):
            return
        index = self.add(
            _Row(
                level,
                "",
                _printed_number(unit.text) if marker else "",
                title,
                unit,
                _source(unit),
                scope.row,
                subtitle,
            )
        )
        if unit.heading:
            scopes.append(_Scope(depth=unit.depth, heading=True, row=index))

    # -- whole pages flattened onto one line ---------------------------------------------
    def _flattened(self) -> None:
        """Labelled items inside one long line (a page flattened by extraction).

        The line is cut before every numbered label (「目標1」, 「(施策1-1)」) and
        every bullet; an item's title is its first space-delimited chunk.  In a
        line about indicators (指標), bulleted chunks and the rest of an item's
        chunk that read like an indicator (…の割合, …の認知度) are 指標 rows of
        the item before them.
        """
        for unit in self.units:
            if unit.heading or len(unit.text) < _LONG_LINE:
                continue
            starts = [m.start() for m in _RE_INLINE_LABEL.finditer(unit.text)]
            if len(starts) < 2:
                continue
            indicators = "指標" in unit.text
            current: list[int] = []  # open rows, outermost first
            for piece in _RE_INLINE_CUT.split(unit.text[starts[0] :]):
                piece = piece.strip()
                labelled = _labelled(piece) if piece else None
                if labelled and labelled[1]:
                    label, number, rest = labelled
                    level = self.level_of(label)
                    if not level:
                        continue
                    title, _, tail = rest.partition(" ")
                    while current and _TIER[self.rows[current[-1]].level] >= _TIER[level]:
                        current.pop()
                    parent = current[-1] if current else None
                    index = self.add(
                        _Row(level, _canonical(label), number, title, unit, "paragraph", parent)
                    )
                    current.append(index)
                    pieces = [tail]
                elif piece[:1] in BULLET_MARKS:
                    pieces = [piece.lstrip(BULLET_MARKS + " \u3000")]
                else:
                    continue
                for text in pieces:
                    text = text.strip()
                    if (
                        indicators
                        and current
                        and _RE_MEASURE.search(text)
                        and _item_like(text, _MAX_TITLE)
                    ):
                        self.add(_Row("指標", "", "", text, unit, "paragraph", current[-1]))

    # -- tables -----------------------------------------------------------------------
    def _tables(self) -> None:
        table = stat_policy_table(self.plan)
        for rec in table.to_dict(orient="records"):
            anchor = {"seg_id": rec["seg_id"], "line": rec["line"], "section_id": rec["table_id"]}
            if rec["vision"] and not any(r.level == "基本理念" for r in self.rows):
                self.add(
                    _Row(
                        "基本理念",
                        "基本理念",
                        "",
                        _split_title(rec["vision"])[0],
                        None,
                        "施策体系 table",
                        None,
                        "",
                        anchor,
                    )
                )
            parent = None
            for label_key, text_key, no_key in (
                ("goal_label", "goal", "goal_no"),
                ("policy_label", "policy", "policy_no"),
            ):
                if not rec.get(text_key):
                    continue
                parent = self._table_item(
                    rec[label_key], rec[text_key], rec.get(no_key), parent, anchor
                )
            level = self.level_of(rec["measure_label"])
            if not level:
                continue
            number = rec["measure_no"]
            self.add(
                _Row(
                    level,
                    _canonical(rec["measure_label"]),
                    "" if pd.isna(number) else str(int(number)),
                    _split_title(rec["measure"])[0],
                    None,
                    "施策体系 table",
                    parent,
                    "",
                    anchor,
                )
            )

    def _table_item(
        self, label: str, cell: str, number: Any, parent: int | None, anchor: dict[str, Any]
    ) -> int | None:
        level = self.level_of(label)
        if not level:
            return parent
        printed = _printed_number(cell)
        title = _split_title(_strip_marker(cell))[0]
        number = None if number is None or pd.isna(number) else int(number)
        found = self.find(level, title, number)
        if found is not None:
            return found
        return self.add(
            _Row(
                level, _canonical(label), printed, title, None, "施策体系 table", parent, "", anchor
            )
        )

    def _indicators(self) -> None:
        table = stat_indicators(self.plan)
        for rec in table.to_dict(orient="records"):
            anchor = {"seg_id": rec["seg_id"], "line": rec["line"], "section_id": rec["table_id"]}
            parent = None
            if rec["goal"]:
                label = self._goal_header(rec["table_id"])
                level = self.level_of(label) or "基本目標"
                number = None if pd.isna(rec["goal_no"]) else int(rec["goal_no"])
                title = _split_title(_strip_marker(rec["goal"]))[0]
                parent = self.find(level, title, number)
                if parent is None:
                    parent = self.find("基本方針", title, None) or self.find("施策", title, None)
                if parent is None:
                    parent = self.add(
                        _Row(
                            level,
                            _canonical(label),
                            _printed_number(rec["goal"]),
                            title,
                            None,
                            "indicator table",
                            None,
                            "",
                            anchor,
                        )
                    )
            self.add(
                _Row(
                    "指標",
                    "指標",
                    "",
                    rec["indicator"].strip(),
                    None,
                    "indicator table",
                    parent,
                    "",
                    anchor,
                )
            )

    def _goal_header(self, table_id: str) -> str:
        rows = self.plan.loc[
            (self.plan["kind"].astype(object) == "table_row")
            & (self.plan["section_id"].astype(object) == table_id)
        ]
        for cells in rows["cells"]:
            for cell in cells if cells is not None else ():
                match = _RE_LABELLED.match(str(cell).strip())
                if match and self.level_of(match.group("label")) in (
                    "基本目標",
                    "基本方針",
                    "施策",
                ):
                    return match.group("label")
            break
        return "基本目標"

    # -- sentences (fallback) -----------------------------------------------------------
    def _sentences(self) -> None:
        if not any(r.level == "基本理念" for r in self.rows):
            for unit in self.units:
                if not unit.first_line or unit.heading:
                    continue
                match = _RE_VISION_AFTER.search(unit.block) or _RE_VISION_BEFORE.search(unit.block)
                if match:
                    title, subtitle = _split_title(match.group("title"), quoted_head=True)
                    self.add(
                        _Row("基本理念", "基本理念", "", title, unit, "sentence", None, subtitle)
                    )
                    break
        if not any(r.level == "基本目標" for r in self.rows):
            for unit in self.units:
                if not unit.first_line or unit.heading:
                    continue
                match = _RE_GOALS_INLINE.search(unit.block)
                if match:
                    for quoted in _RE_QUOTED.finditer(match.group("titles")):
                        self.add(
                            _Row(
                                "基本目標",
                                "基本目標",
                                "",
                                quoted.group("title").strip(),
                                unit,
                                "sentence",
                                None,
                            )
                        )
                    break


# --------------------------------------------------------------------------- helpers


def _check(segments: pd.DataFrame) -> None:
    from compare.errors import AnalysisError

    needed = (
        "plan_id",
        "seg_id",
        "kind",
        "level",
        "section_id",
        "text",
        "raw",
        "cells",
        "line_start",
        "line_end",
    )
    lacking = [c for c in needed if c not in segments.columns]
    if lacking:
        raise AnalysisError(
            f"plan_model needs a SEGMENTS table (from read_corpus or read_plan); "
            f"missing columns: {', '.join(lacking)}."
        )


def _units(plan: pd.DataFrame) -> Iterator[_Unit]:
    for rec in plan.to_dict(orient="records"):
        kind = str(rec["kind"])
        base = dict(
            seg_id=int(rec["seg_id"]),
            kind=kind,
            depth=int(rec["level"]),
            section_id=str(rec["section_id"]),
        )
        if kind in ("heading", "table_row"):
            yield _Unit(
                **base,
                line_start=int(rec["line_start"]),
                line_end=int(rec["line_end"]),
                text=clean(str(rec["text"])),
                block=clean(str(rec["text"])),
            )
            continue
        block = clean(str(rec["text"]))
        first = True
        for offset, line in enumerate(str(rec["raw"]).splitlines()):
            text = clean(line)
            if not text:
                continue
            number = int(rec["line_start"]) + offset
            yield _Unit(
                **base, line_start=number, line_end=number, text=text, block=block, first_line=first
            )
            first = False


def _canonical(label: str) -> str:
    """A label with its 取り組み / 取組み spelling variants folded to 取組."""
    return re.sub(r"取り?組み?", "取組", label)


def _labelled(text: str) -> tuple[str, str, str] | None:
    """(label, number as printed, title) of a line that starts with a level label."""
    stripped = _strip_decor(text)
    bracketed = _bracketed_label(stripped)
    if bracketed is not None:
        return bracketed
    match = _RE_LABELLED.match(stripped)
    if not match:
        return None
    number, title, sep = match.group("num") or "", match.group("title").strip(), match.group("sep")
    if match.group("open") and not match.group("close"):
        return None
    if not number and not sep:
        return None
    if not number and not title:
        return None
    title = _strip_decor(_RE_PRIORITY_TAIL.sub("", title))
    return match.group("label"), number, title


def _bracketed_label(text: str) -> tuple[str, str, str] | None:
    """「《基本理念》 『…』」, 「【基本目標1】 …」: a level named in brackets, the title after them."""
    close = _BRACKET_PAIRS.get(text[:1])
    end = text.find(close, 1) if close else -1
    if end < 2 or end > 20:
        return None
    inner, rest = text[1:end].strip(), _strip_decor(text[end + 1 :])
    match = _RE_LABELLED.match(inner)
    if not match or match.group("title").strip() or not rest:
        return None
    return match.group("label"), match.group("num") or "", rest


def _container(text: str) -> bool:
    return bool(_RE_CONTAINER.match(_strip_marker(text)))


def _strip_marker(text: str) -> str:
    """Text without its leading marker (1, (1), Ⅰ, ●, 【…】 brackets) and decorations."""
    text = text.strip()
    first = text[:1]
    if first in _BRACKET_PAIRS and text.endswith(_BRACKET_PAIRS[first]):
        return _strip_decor(text[1:-1])
    marker = parse_marker(text)
    if (
        marker is not None
        and not marker.style.startswith("label:")
        and not marker.style.startswith("bracket")
    ):
        text = marker.rest
    return _strip_decor(text)


def _strip_decor(text: str) -> str:
    text = text.strip(_DECOR)
    first = text[:1]
    if first in _BRACKET_PAIRS and text.endswith(_BRACKET_PAIRS[first]):
        text = text[1:-1].strip(_DECOR)
    return text


def _split_title(text: str, quoted_head: bool = False) -> tuple[str, str]:
    """(title, subtitle) of an item's text.

    「～sub～ 「name」」 gives name; 「name ～sub～」 gives name; enclosing quotes
    are dropped.  With ``quoted_head`` (a 基本理念 statement), a quoted head
    followed by a gloss (「『name』 誰もが…を目指して」) gives name, the gloss as
    the subtitle; elsewhere such a head is part of the title (“catchword” goal).
    """
    text = " ".join(text.split())
    text = _RE_PRIORITY_TAIL.sub("", text).strip()
    match = _RE_QUOTED_TAIL.match(text)
    if match:
        return match.group("title").strip(), match.group("sub").strip()
    if text[:1] in _TILDES and text[-1:] in _TILDES and len(text) > 2:
        text = text[1:-1].strip()
    elif text[:1] in _QUOTES:
        close = _QUOTES[text[0]]
        end = text.find(close, 1)
        if end == len(text) - 1:
            text = text[1:-1].strip()
        elif end > 1 and quoted_head:
            rest = text[end + 1 :].strip(_TILDES + " \u3000")
            return text[1:end].strip(), rest
    match = _RE_SUBTITLE_TAIL.match(text)
    if match and len(match.group("title")) >= 4:
        return match.group("title").strip(), match.group("sub").strip()
    return text, ""


def _item_like(text: str, limit: int) -> bool:
    """A title, not a sentence: short, and not ending like a sentence."""
    text = text.strip()
    return 1 < len(text) <= limit and not text.endswith(_SENTENCE_END)


def _statement(text: str) -> tuple[str, str] | None:
    """A 基本理念 statement: a short line, quoted or not, that is not a sentence."""
    text = " ".join(text.split())
    if not text or len(text) > _MAX_TITLE + 30 or "。" in text:
        return None
    title, subtitle = _split_title(text, quoted_head=True)
    if not _item_like(title, _MAX_TITLE) or "。" in title:
        return None
    return title, subtitle


def _printed_number(text: str) -> str:
    stripped = _strip_decor(text)
    match = _RE_LABELLED.match(stripped)
    if match and match.group("num"):
        return match.group("num")
    match = re.match(
        rf"^[(（]?({_NUM}|[A-ZＡ-Ｚ]|[ア-ン])[)）.．、]?(?:[ \u3000]|(?=\S))", stripped
    )
    return match.group(1) if match and parse_marker(stripped) is not None else ""


def _int(number: str) -> int | None:
    """The integer a printed number stands for (１ → 1, Ⅲ → 3, ③ → 3, A → 1), or None."""
    if not number:
        return None
    text = nfkc(number)
    if "-" in text:
        return None
    if text.isdigit():
        return int(text)
    if set(text) <= set("IVX"):
        return roman_value(text)
    if len(text) == 1 and "A" <= text <= "Z":
        return ord(text) - 64
    kanji = "〇一二三四五六七八九"
    if set(number) <= set(kanji + "十"):
        if number == "十":
            return 10
        tens, _, ones = number.partition("十")
        if "十" in number:
            return (kanji.index(tens) if tens else 1) * 10 + (kanji.index(ones) if ones else 0)
        return kanji.index(number) if len(number) == 1 else None
    return None


def _norm(title: str) -> str:
    """A title folded for matching: NFKC, no spaces, quotes or brackets."""
    text = unicodedata.normalize("NFKC", title)
    return re.sub(r"[\s\u3000「」『』“”\"'()（）【】《》〈〉～~〜—―・、,。]", "", text)


def _source(unit: _Unit) -> str:
    return {"heading": "heading", "list_item": "list"}.get(unit.kind, "paragraph")


def _parent_scope(scopes: list[_Scope]) -> _Scope | None:
    return scopes[-1] if scopes else None


def _owner(rows: list[_Row], scopes: list[_Scope], level: str) -> int | None:
    """The innermost open item above ``level`` (a goal holds its policies and priorities)."""
    tier = _TIER[level]
    for scope in reversed(scopes):
        if scope.row is None:
            continue
        owner = rows[scope.row]
        if _TIER[owner.level] < tier and owner.level != "重点施策":
            return scope.row
    return None


def _finish(rows: list[_Row]) -> list[_Row]:
    """Hang root rows under the plan's single 基本理念; order rows depth-first."""
    visions = [i for i, r in enumerate(rows) if r.level == "基本理念"]
    if len(visions) == 1:
        for row in rows:
            if row.parent is None and row.level != "基本理念":
                row.parent = visions[0]
    children: dict[int | None, list[int]] = {}
    for index, row in enumerate(rows):
        children.setdefault(row.parent, []).append(index)
    order: list[int] = []

    def visit(parent: int | None) -> None:
        kids = sorted(children.get(parent, []), key=lambda k: (_TIER[rows[k].level] == 5, k))
        for kid in kids:
            order.append(kid)
            visit(kid)

    visit(None)
    position = {old: new for new, old in enumerate(order)}
    out = []
    for old in order:
        row = rows[old]
        row.parent = position[row.parent] if row.parent is not None else None
        out.append(row)
    return out


def _frame(plan: pd.DataFrame, rows: list[_Row], page_starts: list[int]) -> pd.DataFrame:
    meta = {
        name: plan[c].iloc[0] if c in plan.columns and len(plan) else ""
        for c, name in zip(METADATA_COLUMNS, _META, strict=True)
    }
    plan_id = plan["plan_id"].iloc[0] if len(plan) else ""
    records = []
    for index, row in enumerate(rows):
        if row.unit is not None:
            where = {
                "section_id": row.unit.section_id,
                "seg_id": row.unit.seg_id,
                "line_start": row.unit.line_start,
                "line_end": row.unit.line_end,
            }
        else:
            anchor = row.table_anchor
            where = {
                "section_id": anchor.get("section_id", ""),
                "seg_id": anchor.get("seg_id", -1),
                "line_start": anchor.get("line", 0),
                "line_end": anchor.get("line", 0),
            }
        page = _page(plan, where["seg_id"], where["line_start"], page_starts)
        records.append(
            {
                "plan_id": plan_id,
                **meta,
                "row": index,
                "level": row.level,
                "label": row.label,
                "number": row.number,
                "number_int": _int(row.number),
                "title": row.title,
                "subtitle": row.subtitle,
                "parent": row.parent,
                "parent_title": rows[row.parent].title if row.parent is not None else "",
                **where,
                "page": page,
                "source": row.source,
            }
        )
    return pd.DataFrame(records, columns=list(PLAN_MODEL_COLUMNS))


def _page(plan: pd.DataFrame, seg_id: int, line: int, page_starts: list[int]) -> int | None:
    """The page of a row: its segment's ``page`` when the segments have one, else from the line."""
    if "page" in plan.columns and seg_id >= 0:
        match = plan.loc[plan["seg_id"] == seg_id, "page"]
        if len(match) and not pd.isna(match.iloc[0]):
            return int(match.iloc[0])
    return bisect.bisect_right(page_starts, line) if page_starts else None


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PLAN_MODEL_COLUMNS})


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in ("number_int", "parent", "page"):
        frame[column] = pd.array(
            [None if pd.isna(v) else int(v) for v in frame[column]], dtype="Int64"
        )
    for column in ("row", "seg_id", "line_start", "line_end"):
        frame[column] = frame[column].astype("int64")
    return frame.reset_index(drop=True)


def levels_present(model: pd.DataFrame) -> Mapping[str, list[str]]:
    """Levels each plan of a plan model has rows for, in :data:`LEVELS` order."""
    present: dict[str, list[str]] = {}
    for plan_id, group in model.groupby(model["plan_id"].astype(object), sort=False):
        have = set(group["level"])
        present[str(plan_id)] = [lv for lv in LEVELS if lv in have]
    return present
