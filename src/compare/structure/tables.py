"""Structured tables inside plans: 成果指標 (indicators) and 施策体系 (policy structure).

PDF extraction flattens a plan's tables into tab-separated rows; the segmenter
keeps them as ``table_row`` segments with their ``cells``.  This module reads
two kinds of table back into tidy form:

* 成果指標 tables: one row per indicator with the goal it belongs to, the
  current value (number and unit), the survey or year it comes from, and the
  target value or direction (↗ …);
* 施策体系 tables: one row per measure saying which goal (and policy) it
  belongs to.

Tables are recognised by their header row (the first row of a run of table
rows): the names in it, not a plan's wording, decide what each column holds.
Merged cells arrive empty and are filled from the row above.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd

from compare.io.catalog import METADATA_COLUMNS
from compare.structure._lines import nfkc, parse_marker

INDICATOR_COLUMNS = (
    "plan_id",
    *METADATA_COLUMNS,
    "table_id",
    "seg_id",
    "line",
    "goal_no",
    "goal",
    "indicator",
    "current",
    "current_value",
    "current_unit",
    "survey",
    "target",
    "target_value",
    "target_unit",
    "direction",
)

POLICY_COLUMNS = (
    "plan_id",
    *METADATA_COLUMNS,
    "table_id",
    "seg_id",
    "line",
    "vision",
    "goal_label",
    "goal_no",
    "goal",
    "policy_label",
    "policy",
    "measure_label",
    "measure_no",
    "measure",
    "details",
)

_GOAL_HEAD = re.compile(r"^(?:基本目標|基本方針|施策|分野|取組|目標名|政策|領域)")
_CURRENT_HEAD = re.compile(r"現状|基準|実績|直近|策定時")
_TARGET_HEAD = re.compile(r"目標値|方向|目指す|めざす|将来|目標\s*[(（]|^目標$")
_NOTE_MARK = re.compile(r"[*＊※]")
_PERIOD = re.compile(r"[(（]([^()（）]*(?:年|年度)[^()（）]*)[)）]")
_VALUE = re.compile(
    r"([0-9]+(?:[.,][0-9]+)*)\s*(%|％|ポイント|人日|人|件|回|か所|箇所|ヶ所|団体|世帯|地区|点|割|時間|日)?"
)
_UP = re.compile(r"[↗↑⇧⬆➚]|増加|向上|上昇|拡大|増やす")
_DOWN = re.compile(r"[↘↓⇩⬇➘]|減少|低下|減らす|縮小")
_FLAT = re.compile(r"[→➡⇒]|維持")

_LEVEL_NAMES = re.compile(
    r"^(基本理念|基本目標|基本方針|基本施策|施策の方向性?|施策の柱|施策|行動計画|主な取組み?|取組み?|"
    r"重点施策|推進項目|方向性|具体的な取組み?|事業)"
)
_VISION = "基本理念"
_DETAIL_NAMES = ("方向性", "具体的な取組", "具体的な取組み", "事業")


def stat_indicators(segments: pd.DataFrame) -> pd.DataFrame:
    """Tidy table of the 成果指標 (outcome indicator) tables of each plan.

    A run of table rows is an indicator table when its header names an
    indicator column (指標) and a current (現状値 …) or target (目標値, 目標の方向 …)
    column.  A goal cell left empty (a merged cell) takes the goal above it.

    Parameters
    ----------
    segments : pandas.DataFrame
        A SEGMENTS table (:func:`compare.read_corpus`).

    Returns
    -------
    pandas.DataFrame
        One row per indicator, with columns: plan_id, the catalogue columns,
        table_id (section_id of the table), seg_id and line (of the row),
        goal_no (Int64: the goal's number, if written), goal, indicator,
        current (as written), current_value (float), current_unit, survey
        (the survey or year of the current value, from a footnote marked in
        the header or a year in the header), target (as written),
        target_value (float), target_unit, direction ('increase',
        'decrease', 'maintain' or '': from arrows such as ↗, words such as
        増加, or target versus current value).
    """
    rows: list[dict[str, Any]] = []
    for table, after in _tables(segments):
        header = [nfkc(cell) for cell in table[0]["cells"]]
        roles = _indicator_roles(header)
        if "indicator" not in roles or not ({"current", "target"} & set(roles)):
            continue
        survey = _survey(list(table[0]["cells"]), roles, after)
        goal = ""
        for seg in table[1:]:
            cells = list(seg["cells"]) + [""] * len(header)
            get = {role: cells[index].strip() for role, index in roles.items()}
            if get.get("goal"):
                goal = get["goal"]
            if not get.get("indicator"):
                continue
            current_value, current_unit = _value(get.get("current", ""))
            target_value, target_unit = _value(get.get("target", ""))
            rows.append(
                {
                    **_meta(seg),
                    "table_id": seg["section_id"],
                    "seg_id": seg["seg_id"],
                    "line": seg["line_start"],
                    "goal_no": _number(goal),
                    "goal": goal,
                    "indicator": get["indicator"],
                    "current": get.get("current", ""),
                    "current_value": current_value,
                    "current_unit": current_unit,
                    "survey": survey,
                    "target": get.get("target", ""),
                    "target_value": target_value,
                    "target_unit": target_unit,
                    "direction": _direction(get.get("target", ""), current_value, target_value),
                }
            )
    frame = pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))
    frame["goal_no"] = frame["goal_no"].astype("Int64")
    for column in ("current_value", "target_value"):
        frame[column] = frame[column].astype("float64")
    for column in ("seg_id", "line"):
        frame[column] = frame[column].astype("int64")
    return frame


def stat_policy_table(segments: pd.DataFrame) -> pd.DataFrame:
    """Tidy table of the 施策体系 (policy structure) tables of each plan.

    A run of table rows is a policy table when its header names at least two
    levels of the plan's hierarchy (基本理念, 基本目標, 基本方針, 基本施策,
    施策の方向, 行動計画, 取組 …).  The first level after the vision is the goal,
    the last is the measure, one level between them is the policy; columns
    after them (方向性 …) are details.  Several numbered measures packed into
    one cell ("1 … 2 … 3 …") become one row each.

    Parameters
    ----------
    segments : pandas.DataFrame
        A SEGMENTS table (:func:`compare.read_corpus`).

    Returns
    -------
    pandas.DataFrame
        One row per measure, with columns: plan_id, the catalogue columns,
        table_id (section_id of the table), seg_id and line (of the row the
        measure is on), vision (基本理念 text given in the header, or ""),
        goal_label (header name, e.g. 基本方針), goal_no (Int64), goal,
        policy_label, policy ("" without a middle level), measure_label
        (e.g. 基本施策), measure_no (Int64), measure, details (the remaining
        cells joined by " / ").
    """
    rows: list[dict[str, Any]] = []
    for table, _ in _tables(segments):
        layout = _policy_layout(table[0]["cells"])
        if layout is None:
            continue
        vision, levels, detail_columns = layout
        carried = [""] * len(levels)
        for seg in table[1:]:
            cells = [cell.strip() for cell in seg["cells"]] + [""] * 8
            for k, (_, index) in enumerate(levels):
                if cells[index]:
                    carried[k] = cells[index]
                    carried[k + 1 :] = [""] * (len(levels) - k - 1)
            measure_cell = cells[levels[-1][1]]
            if not measure_cell:
                continue
            details = " / ".join(cells[i] for i in detail_columns if cells[i])
            goal = carried[0] if len(levels) > 1 else ""
            policy = carried[1] if len(levels) > 2 else ""
            for number, measure in _split_items(measure_cell):
                rows.append(
                    {
                        **_meta(seg),
                        "table_id": seg["section_id"],
                        "seg_id": seg["seg_id"],
                        "line": seg["line_start"],
                        "vision": vision,
                        "goal_label": levels[0][0] if len(levels) > 1 else "",
                        "goal_no": _number(goal),
                        "goal": goal,
                        "policy_label": levels[1][0] if len(levels) > 2 else "",
                        "policy": policy,
                        "measure_label": levels[-1][0],
                        "measure_no": number,
                        "measure": measure,
                        "details": details,
                    }
                )
    frame = pd.DataFrame(rows, columns=list(POLICY_COLUMNS))
    for column in ("goal_no", "measure_no"):
        frame[column] = frame[column].astype("Int64")
    for column in ("seg_id", "line"):
        frame[column] = frame[column].astype("int64")
    return frame


# --- helpers ------------------------------------------------------------------------------


def _tables(segments: pd.DataFrame) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Runs of table rows on consecutive lines (a blank line ends a table), with the segments after."""
    records = segments.to_dict(orient="records")
    i = 0
    while i < len(records):
        if records[i]["kind"] != "table_row":
            i += 1
            continue
        j = i
        while (
            j + 1 < len(records)
            and records[j + 1]["kind"] == "table_row"
            and records[j + 1]["plan_id"] == records[i]["plan_id"]
            and records[j + 1]["line_start"] == records[j]["line_end"] + 1
        ):
            j += 1
        after = [
            rec
            for rec in records[j + 1 : j + 4]
            if rec["plan_id"] == records[i]["plan_id"]
            and rec["section_id"] == records[j]["section_id"]
        ]
        yield records[i : j + 1], after
        i = j + 1


def _meta(seg: dict[str, Any]) -> dict[str, Any]:
    return {"plan_id": seg["plan_id"], **{column: seg[column] for column in METADATA_COLUMNS}}


def _indicator_roles(header: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _NOTE_MARK.sub("", cell).strip()
        if "指標" in name and "indicator" not in roles:
            roles["indicator"] = index
        elif _CURRENT_HEAD.search(name) and "current" not in roles:
            roles["current"] = index
        elif _GOAL_HEAD.match(name) and "goal" not in roles:
            roles["goal"] = index
        elif _TARGET_HEAD.search(name) and "target" not in roles:
            roles["target"] = index
    return roles


def _survey(header: list[str], roles: dict[str, int], after: list[dict[str, Any]]) -> str:
    """Where the current values come from: a footnote marked in the header, or a year in it."""
    if "current" not in roles:
        return ""
    cell = header[roles["current"]]
    mark = _NOTE_MARK.search(cell)
    if mark:
        for seg in after:
            text = seg["text"].strip()
            if text and nfkc(text[0]) == nfkc(mark.group(0)):
                return text[1:].strip()
    period = _PERIOD.search(cell)
    return period.group(1).strip() if period else ""


def _value(text: str) -> tuple[float | None, str]:
    match = _VALUE.search(nfkc(text))
    if not match:
        return None, ""
    return float(match.group(1).replace(",", "")), match.group(2) or ""


def _direction(target: str, current: float | None, value: float | None) -> str:
    text = nfkc(target)
    if _UP.search(text):
        return "increase"
    if _DOWN.search(text):
        return "decrease"
    if _FLAT.search(text):
        return "maintain"
    if current is not None and value is not None:
        return "increase" if value > current else "decrease" if value < current else "maintain"
    return ""


def _number(text: str) -> int | None:
    if not text:
        return None
    marker = parse_marker(text.strip())
    return marker.number if marker is not None else None


def _policy_layout(cells: list[str]) -> tuple[str, list[tuple[str, int]], list[int]] | None:
    """(vision, [(level name, column)], detail columns) of a 施策体系 header, or None."""
    vision = ""
    levels: list[tuple[str, int]] = []
    details: list[int] = []
    for index, raw in enumerate(cells):
        cell = raw.strip()
        match = _LEVEL_NAMES.match(cell)
        if not match:
            if levels:
                details.append(index)
            continue
        name = match.group(1)
        if name == _VISION:
            vision = cell[len(name) :].strip()
        elif name in _DETAIL_NAMES and levels:
            details.append(index)
        else:
            levels.append((name, index))
    if (
        len(levels) + bool(vision or any(c.strip().startswith(_VISION) for c in cells)) < 2
        or not levels
    ):
        return None
    return vision, levels, details


def _split_items(cell: str) -> list[tuple[int | None, str]]:
    """Split "1 A 2 B 3 C" into numbered items when the numbers run in sequence."""
    parts = re.split(r"(?:^|\s+)([0-9]{1,2})\s+", nfkc(cell).strip())
    if len(parts) >= 5 and parts[0] == "":
        numbers = [int(n) for n in parts[1::2]]
        if all(b == a + 1 for a, b in itertools.pairwise(numbers)):
            return [(n, text.strip()) for n, text in zip(numbers, parts[2::2], strict=True)]
    marker = parse_marker(cell)
    if marker is not None and marker.number is not None and marker.rest:
        return [(marker.number, marker.rest)]
    return [(None, cell)]
