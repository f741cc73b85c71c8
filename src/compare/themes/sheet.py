"""Coding sheets: a sample of passages for a human coder, written to and read from Excel.

A researcher validates the theme coding by coding a sample of passages
herself.  :func:`write_coding_sheet` draws a stratified random sample (by
plan and by predicted theme, fixed seed) and writes a workbook with

``coding`` (shown)
    one row per passage: ``passage`` (``plan_id:first-last line``),
    ``plan_id``, ``municipality``, ``lines``, ``heading_path``, ``text``,
    ``note`` (free comments), then one empty column per theme id;
``themes`` (shown)
    how to fill the sheet and what each theme means;
``predictions`` (hidden)
    the coding of the same passages when the sheet was written (0/1);
``about`` (hidden)
    the catalogue, theme source, sample size, seed and theme ids.

:func:`read_coding_sheet` reads a filled sheet back and checks every cell:
a theme that applies is ``1`` or ``○``; one that does not is ``0``, ``×``
or blank; a row with no mark at all is not coded yet.  Problems are
reported as :class:`~compare.errors.ThemeError` naming the file, sheet, row
and column.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from compare._version import __version__
from compare.errors import ThemeError, ThemeWarning

#: Marker stored in the hidden ``about`` sheet: what wrote the workbook.
SHEET_FORMAT = "compare coding sheet"
SHEET_VERSION = 1
CODING, THEMES, PREDICTIONS, ABOUT = "coding", "themes", "predictions", "about"
#: Columns of the ``coding`` sheet before the theme columns.
FIXED_COLUMNS = ("passage", "plan_id", "municipality", "lines", "heading_path", "text", "note")
#: Marks a coder may write: theme applies / does not apply.
YES = frozenset({"1", "○", "〇", "◯"})
NO = frozenset({"0", "×", "✕"})

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class CodingSheet:
    """A coding sheet read back: the human coding, the stored predictions and settings.

    ``human`` and ``predictions`` have one row per coded passage with
    ``passage``, ``plan_id``, ``line_start``, ``line_end``, ``text``, ``row``
    (the Excel row) and one bool column per theme; ``about`` holds the
    settings recorded when the sheet was written.
    """

    path: Path
    themes: list[str]
    human: pd.DataFrame
    predictions: pd.DataFrame
    about: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- sampling


def sample_passages(wide: pd.DataFrame, n: int = 120, random_state: int = 0) -> pd.DataFrame:
    """A stratified random sample of the passages of a :func:`compare.themes_wide` table.

    Passages are the coded segments other than headings (a heading names a
    topic; it is not a passage a coder reads).
    Strata are (plan, rarest theme the passage is coded with, or none), so
    every plan and every theme the coding uses is represented, the
    uncoded passages too.  Each stratum gets one passage (while ``n``
    allows), the rest is shared in proportion to the strata's sizes
    (largest remainders); passages within a stratum are drawn at random.
    Same table and seed, same sample.  Returns the sampled rows in corpus
    order (all rows when ``n`` is at least the number of passages).
    """
    if n < 1:
        raise ThemeError(f"the sample size must be at least 1, not {n}")
    ids = list(wide.attrs.get("themes", []))
    if not ids:
        raise ThemeError("expected a table from compare.themes_wide (attrs['themes'] is missing)")
    if "kind" in wide.columns:
        wide = wide[wide["kind"].astype(str) != "heading"]
    if wide.empty:
        raise ThemeError("the corpus has no passage to sample (only headings or nothing coded)")
    if n >= len(wide):
        return wide.copy()
    flags = wide[ids].to_numpy(dtype=bool)
    frequency = flags.sum(axis=0)
    order = np.argsort(frequency, kind="stable")  # rarest theme first
    rarest = [next((ids[j] for j in order if row[j]), "") for row in flags]  # the stratum's theme
    keys = pd.Series(
        [
            f"{plan}\x1f{theme}"
            for plan, theme in zip(wide["plan_id"].astype(str), rarest, strict=True)
        ]
    )
    strata = sorted(keys.unique())
    members = {key: np.flatnonzero(keys.to_numpy() == key) for key in strata}
    rng = np.random.default_rng(random_state)
    take = _allocate({k: len(members[k]) for k in strata}, n, rng)
    chosen = [
        int(i) for k in strata if take[k] for i in rng.choice(members[k], take[k], replace=False)
    ]
    return wide.iloc[sorted(chosen)].copy()


def _allocate(sizes: dict[str, int], n: int, rng: np.random.Generator) -> dict[str, int]:
    """How many passages each stratum gives: one each first, the rest by size."""
    keys = list(sizes)
    if n < len(keys):
        picked = set(rng.choice(len(keys), n, replace=False).tolist())
        return {k: int(i in picked) for i, k in enumerate(keys)}
    take = dict.fromkeys(keys, 1)
    rest = n - len(keys)
    spare = {k: sizes[k] - 1 for k in keys}
    total = sum(spare.values())
    if rest <= 0 or total == 0:
        return take
    quota = {k: rest * spare[k] / total for k in keys}
    for k in keys:
        take[k] += min(int(quota[k]), spare[k])
    left = n - sum(take.values())
    by_remainder = sorted(keys, key=lambda k: (-(quota[k] - int(quota[k])), k))
    while left > 0:
        moved = False
        for k in by_remainder:
            if left and take[k] < sizes[k]:
                take[k] += 1
                left -= 1
                moved = True
        if not moved:
            break
    return take


# --------------------------------------------------------------------------- writing


def write_coding_sheet(
    wide: pd.DataFrame,
    path: str | os.PathLike,
    *,
    n: int = 120,
    random_state: int = 0,
    catalog: str = "",
    themes_source: str = "",
    descriptions: dict[str, str] | None = None,
    force: bool = False,
) -> Path:
    """Write a coding sheet of ``n`` sampled passages of ``wide`` (see the module docstring).

    ``catalog`` and ``themes_source`` are recorded so that the sheet can be
    validated later against the same corpus.  An existing file is replaced
    only with ``force`` and only if it is a coding sheet this function
    wrote; the file is written to a temporary name and then renamed.
    """
    out = Path(path)
    if out.suffix.lower() != ".xlsx":
        raise ThemeError(f"{out}: a coding sheet is an Excel workbook; name it *.xlsx")
    if out.exists():
        if not force:
            raise ThemeError(
                f"{out} exists; choose another name, or pass --force to replace a coding sheet "
                "written by compare (a filled sheet would be lost)"
            )
        if not _is_coding_sheet(out):
            raise ThemeError(
                f"{out} exists and is not a coding sheet written by compare; not replaced"
            )
    if not out.parent.is_dir():
        raise ThemeError(f"{out.parent} is not a folder; create it first")
    ids = list(wide.attrs.get("themes", []))
    labels = dict(wide.attrs.get("labels", {}))
    silent = [t for t in ids if not wide[t].any()]
    if silent:
        what = "no theme" if len(silent) == len(ids) else f"theme(s) {', '.join(silent)}"
        warnings.warn(
            f"the theme rules code nothing in this corpus for {what}: the sheet still measures "
            "what the rules miss (recall), but check the rules (compare kwic TERM)",
            ThemeWarning,
            stacklevel=2,
        )
    sample = sample_passages(wide, n, random_state)
    passages = _passage_ids(sample)
    book = _workbook(sample, passages, ids, labels, descriptions or {})
    about = {
        "format": SHEET_FORMAT,
        "version": str(SHEET_VERSION),
        "compare": __version__,
        "catalog": catalog,
        "themes": themes_source,
        "n": str(len(sample)),
        "random_state": str(random_state),
        "theme_ids": ",".join(ids),
    }
    sheet = book.create_sheet(ABOUT)
    for key, value in about.items():
        sheet.append([key, _text(value)])
    sheet.sheet_state = "hidden"
    _save(book, out)
    return out


def _passage_ids(sample: pd.DataFrame) -> list[str]:
    ids = []
    seen: dict[str, int] = {}
    for plan, first, last in zip(
        sample["plan_id"].astype(str), sample["line_start"], sample["line_end"], strict=True
    ):
        base = f"{plan}:{int(first)}-{int(last)}"
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return ids


def _workbook(
    sample: pd.DataFrame,
    passages: list[str],
    ids: list[str],
    labels: dict[str, str],
    descriptions: dict[str, str],
) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    coding = book.active
    coding.title = CODING
    coding.append([*FIXED_COLUMNS, *ids])
    municipality = (
        sample["municipality"].astype(str).tolist()
        if "municipality" in sample
        else [""] * len(sample)
    )
    path = sample["heading_path"].fillna("").astype(str) if "heading_path" in sample else None
    for i, (passage, row) in enumerate(zip(passages, sample.itertuples(index=False), strict=True)):
        first, last = int(row.line_start), int(row.line_end)
        values = [
            passage,
            str(row.plan_id),
            municipality[i],
            str(first) if first == last else f"{first}-{last}",
            path.iloc[i] if path is not None else "",
            str(row.text),
            "",
        ]
        coding.append([_text(v) for v in values] + [None] * len(ids))
    for cell in coding[1]:
        cell.font = Font(bold=True)
    widths = {"passage": 22, "plan_id": 14, "municipality": 12, "lines": 8, "heading_path": 30}
    widths.update({"text": 70, "note": 20})
    for j, name in enumerate([*FIXED_COLUMNS, *ids], start=1):
        coding.column_dimensions[get_column_letter(j)].width = widths.get(
            name, max(6, len(name) + 2)
        )
    text_column = get_column_letter(FIXED_COLUMNS.index("text") + 1)
    for cell in coding[text_column][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    coding.freeze_panes = coding.cell(row=2, column=len(FIXED_COLUMNS) + 1)

    guide = book.create_sheet(THEMES)
    guide.append(["記入方法"])
    guide.append(["各行の本文を読み、該当するテーマの列に 1 または ○ を記入します。"])
    guide.append(["該当しないテーマは 0・× または空欄のままにします。"])
    guide.append(
        [
            "どのテーマにも該当しない行は、いずれかの列に 0 または × を記入します（空の行は未記入とみなします）。"
        ]
    )
    guide.append(["note 列には自由にメモを書けます。列や行を追加・削除しないでください。"])
    guide.append([])
    guide.append(["theme_id", "label", "description"])
    for theme in ids:
        guide.append([theme, _text(labels.get(theme, theme)), _text(descriptions.get(theme, ""))])
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 24
    guide.column_dimensions["C"].width = 90

    predictions = book.create_sheet(PREDICTIONS)
    predictions.append(["passage", *ids])
    flags = sample[ids].to_numpy(dtype=bool)
    for passage, row in zip(passages, flags, strict=True):
        predictions.append([passage, *(int(v) for v in row)])
    predictions.sheet_state = "hidden"
    return book


def _text(value: Any) -> Any:
    """A cell value that stays text: never a formula, no control characters."""
    if not isinstance(value, str):
        return value
    return _ILLEGAL.sub(" ", value)


def _save(book: Any, out: Path) -> None:
    """Save with fixed times (same input, same bytes), to a temporary name, then rename."""
    stamp = _stamp()
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = f"compare {__version__}"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text starting with '=' stays text
    buffer = io.BytesIO()
    book.save(buffer)
    data = _fixed_zip(buffer.getvalue(), stamp)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as target:
            target.write(data)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _stamp() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime(2000, 1, 1)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The workbook's zip with every entry time (and the modified property) set to ``stamp``."""
    when = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    text = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + text + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=when)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    return out.getvalue()


# --------------------------------------------------------------------------- reading


def _is_coding_sheet(path: Path) -> bool:
    try:
        return _about(_load(path)).get("format") == SHEET_FORMAT
    except ThemeError:
        return False


def _load(path: Path) -> Any:
    from openpyxl import load_workbook

    if not path.is_file():
        raise ThemeError(f"{path}: no such file")
    try:
        return load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a non-workbook
        raise ThemeError(f"{path}: not an Excel workbook (.xlsx) that can be read: {exc}") from None


def _about(book: Any) -> dict[str, str]:
    if ABOUT not in book.sheetnames:
        return {}
    return {
        str(row[0]): "" if row[1] is None else str(row[1])
        for row in book[ABOUT].iter_rows(values_only=True)
        if row and row[0] is not None and len(row) > 1
    }


def read_coding_sheet(path: str | os.PathLike) -> CodingSheet:
    """Read a filled coding sheet and check it; see the module docstring for the marks.

    Raises
    ------
    ThemeError
        Naming the file, sheet, row and column: the workbook is not a
        coding sheet, a column is unknown or missing, a cell holds something
        other than 0/1/○/×/blank, a passage is listed twice, some rows are
        coded and others left empty (the empty rows are listed), or no row
        is coded at all.
    """
    file = Path(path)
    book = _load(file)
    about = _about(book)
    if about.get("format") != SHEET_FORMAT or CODING not in book.sheetnames:
        raise ThemeError(
            f"{file}: not a coding sheet written by compare coding-sheet (its hidden sheet "
            f"'{ABOUT}' is missing); make one with compare coding-sheet"
        )
    ids = [t for t in about.get("theme_ids", "").split(",") if t]
    sheet = book[CODING]
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise ThemeError(f"{file}, sheet '{CODING}': the sheet is empty")
    header = ["" if v is None else str(v).strip() for v in rows[0]]
    while header and not header[-1]:
        header.pop()
    _check_header(file, header, ids)
    where = {name: j for j, name in enumerate(header)}
    records = []
    empty_rows = []
    coded_rows = []
    for number, values in enumerate(rows[1:], start=2):
        cells = list(values) + [None] * (len(header) - len(values))
        for j in range(len(header), len(values)):
            if values[j] not in (None, ""):
                raise ThemeError(
                    f"{file}, sheet '{CODING}', row {number}, column {_letter(j)}: a value "
                    "outside the sheet's columns; remove it"
                )
        if all(c in (None, "") for c in cells[: len(FIXED_COLUMNS) - 1]) and all(
            _blank(cells[where[t]]) for t in ids
        ):
            continue  # a blank line at the end of the sheet
        marks = {t: _mark(file, number, where[t], t, cells[where[t]]) for t in ids}
        if all(m is None for m in marks.values()):
            empty_rows.append(number)
        else:
            coded_rows.append(number)
        records.append((number, cells, marks))
    if not coded_rows:
        raise ThemeError(
            f"{file}, sheet '{CODING}': no row is coded yet; mark each passage's themes with 1 or ○ "
            "(a passage with no theme gets a 0 or × in any column)"
        )
    if empty_rows:
        raise ThemeError(
            f"{file}, sheet '{CODING}': {len(empty_rows)} of {len(records)} rows are not coded "
            f"yet ({'row' if len(empty_rows) == 1 else 'rows'} {_ranges(empty_rows)}); mark them (a passage with no theme gets a 0 or × "
            "in any column) and validate again"
        )
    human = _frame(file, records, where, ids, lambda marks, t: bool(marks[t]))
    predictions = _predictions(file, book, human, ids)
    human.attrs = {"themes": ids}
    predictions.attrs = {"themes": ids}
    return CodingSheet(file, ids, human, predictions, about)


def _check_header(file: Path, header: list[str], ids: list[str]) -> None:
    expected = [*FIXED_COLUMNS, *ids]
    known = set(expected)
    for j, name in enumerate(header):
        if name not in known:
            raise ThemeError(
                f"{file}, sheet '{CODING}', row 1, column {_letter(j)}: unknown column "
                f"{name!r}; the sheet's theme columns are {', '.join(ids)}"
            )
    missing = [name for name in expected if name not in header]
    if missing:
        raise ThemeError(
            f"{file}, sheet '{CODING}', row 1: column(s) {', '.join(missing)} are missing; "
            "do not delete or rename columns"
        )
    if len(set(header)) != len(header):
        twice = sorted({h for h in header if header.count(h) > 1})
        raise ThemeError(
            f"{file}, sheet '{CODING}', row 1: column(s) {', '.join(twice)} appear twice"
        )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _mark(file: Path, row: int, column: int, theme: str, value: Any) -> bool | None:
    """True (applies), False (does not), None (blank); ThemeError for anything else."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ThemeError(
        f"{file}, sheet '{CODING}', row {row}, column {_letter(column)} ({theme}): {value!r} is "
        "not a mark; write 1 or ○ when the theme applies, 0, × or nothing when it does not"
    )


def _frame(
    file: Path, records: list, where: dict[str, int], ids: list[str], value: Any
) -> pd.DataFrame:
    out = []
    seen: dict[str, int] = {}
    for number, cells, marks in records:
        passage = "" if cells[where["passage"]] is None else str(cells[where["passage"]]).strip()
        plan = "" if cells[where["plan_id"]] is None else str(cells[where["plan_id"]]).strip()
        first, last = _lines(file, number, where["lines"], cells[where["lines"]])
        if not passage or not plan:
            raise ThemeError(
                f"{file}, sheet '{CODING}', row {number}: the passage or plan_id cell is empty; "
                "do not edit the passage columns"
            )
        if passage in seen:
            raise ThemeError(
                f"{file}, sheet '{CODING}', row {number}: passage {passage} is listed twice "
                f"(also row {seen[passage]})"
            )
        seen[passage] = number
        text = "" if cells[where["text"]] is None else str(cells[where["text"]])
        out.append(
            {
                "row": number,
                "passage": passage,
                "plan_id": plan,
                "line_start": first,
                "line_end": last,
                "text": text,
                **{t: value(marks, t) for t in ids},
            }
        )
    return pd.DataFrame(
        out, columns=["row", "passage", "plan_id", "line_start", "line_end", "text", *ids]
    )


def _lines(file: Path, row: int, column: int, value: Any) -> tuple[int, int]:
    text = "" if value is None else str(value).strip()
    match = re.fullmatch(r"(\d+)(?:\.0)?(?:-(\d+))?", text)
    if not match:
        raise ThemeError(
            f"{file}, sheet '{CODING}', row {row}, column {_letter(column)} (lines): {value!r} is "
            "not a line or a range such as 12-14; do not edit the passage columns"
        )
    first = int(match.group(1))
    return first, int(match.group(2) or first)


def _predictions(file: Path, book: Any, human: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """The hidden predictions of the coded passages (False where the sheet has none)."""
    stored: dict[str, dict[str, bool]] = {}
    if PREDICTIONS in book.sheetnames:
        rows = list(book[PREDICTIONS].iter_rows(values_only=True))
        if rows:
            header = [str(v) for v in rows[0]]
            for values in rows[1:]:
                record = dict(zip(header, values, strict=False))
                stored[str(record.get("passage"))] = {t: record.get(t) == 1 for t in ids}
    out = human.copy()
    for t in ids:
        out[t] = [stored.get(p, {}).get(t, False) for p in human["passage"]]
    return out


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _ranges(numbers: list[int]) -> str:
    parts = []
    start = prev = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == prev + 1:
            prev = number
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        if number is not None:
            start = prev = number
    if len(parts) > 12:
        parts = [*parts[:12], "…"]
    return ", ".join(parts)


__all__ = ["CodingSheet", "read_coding_sheet", "sample_passages", "write_coding_sheet"]
