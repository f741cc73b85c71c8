"""File handling of the briefing report: safe tables, a safe destination and an atomic swap.

Tables are written so that no cell can become a spreadsheet formula: every
text cell of the workbook is stored as a string (never a formula), and a CSV
field that a spreadsheet would evaluate (one beginning with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return that is not a number) is prefixed
with a single quote, as the OWASP guidance on CSV injection recommends.

The report is built in a temporary sibling of the destination and renamed
into place only when every file is written, so a crash or an error leaves
either the previous report or nothing, never half a report.  A directory is
only replaced when it is empty or carries the marker file that this module
writes into every report (or when the user passes ``force``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from compare._version import __version__
from compare.errors import ReportError
from compare.io.spreadsheet import neutralise

if TYPE_CHECKING:
    from compare.report.model import ReportTable

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")

#: The manifest of a report directory: every file the command wrote, with its SHA-256.
#: Its presence marks a directory as written by ``compare report``.
MANIFEST = ".compare-report"
MARKER = MANIFEST
#: Files an operating system drops into folders it shows; never a user's work.
_SYSTEM_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
#: How many changed files an error message names before it abbreviates.
_NAMED = 10


@dataclass(frozen=True)
class Destination:
    """A checked output directory: ``path`` (absolute) and whether it already exists."""

    path: Path
    exists: bool


def check_destination(out: str | os.PathLike, *, force: bool = False) -> Destination:
    """Check that a report may be written to ``out``; raise :class:`ReportError` if not.

    Checked before any analysis runs, so a bad ``--out`` fails at once, and
    again just before the new report replaces the old one.  A non-empty
    directory is replaced only when its manifest shows that it holds exactly
    what ``compare report`` wrote there: a file added or changed since (notes,
    an edited ``briefing.md``) makes it refuse, naming the files, unless
    ``force`` is given.
    """
    path = Path(out).expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise ReportError(
            f"--out {out} is a file, not a directory; give a directory path for the report."
        )
    parent = path.parent
    if not parent.exists():
        # Created on writing; the nearest existing ancestor must be writable.
        ancestor = next((p for p in parent.parents if p.exists()), None)
        if ancestor is None or not ancestor.is_dir():
            raise ReportError(f"Cannot create {path}: no existing parent directory.")
        _require_writable(ancestor, out)
    else:
        if not parent.is_dir():
            raise ReportError(f"Cannot write to {out}: {parent} is not a directory.")
        _require_writable(parent, out)
    if path.is_dir():
        _require_writable(path, out)
        if not force:
            _require_unchanged(path, out)
    return Destination(path=path, exists=path.is_dir())


def _require_unchanged(path: Path, out: str | os.PathLike) -> None:
    """Refuse a non-empty directory that holds anything the command did not write."""
    if not any(path.iterdir()):
        return
    if not (path / MANIFEST).is_file():
        raise ReportError(
            f"{out} is a non-empty directory that compare report did not create; "
            "choose another --out, empty it, or pass --force to replace it."
        )
    changed = changes_since_written(path)
    if changed:
        named = ", ".join(changed[:_NAMED])
        if len(changed) > _NAMED:
            named += f" and {len(changed) - _NAMED} more"
        raise ReportError(
            f"{out} was written by compare report, but files in it were added or changed "
            f"since: {named}. Move them elsewhere or choose another --out to keep them, "
            "or pass --force to replace the directory and lose them."
        )


def changes_since_written(path: Path) -> list[str]:
    """Files of a report directory added or changed since ``compare report`` wrote it.

    Each entry is the relative path, followed by " (added)" or " (changed)".
    Files the command
    wrote and the user deleted are not listed (nothing is lost by replacing
    them).  A manifest of an older version without hashes counts every file
    modified after it as changed.
    """
    manifest = path / MANIFEST
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        recorded = None
    if not isinstance(recorded, dict):
        return _changed_after(path, manifest.stat().st_mtime)
    out: list[str] = []
    for entry, relative in _entries(path):
        if entry.is_dir() and not entry.is_symlink():
            continue  # an added directory shows through the files in it
        if relative not in recorded:
            out.append(f"{relative} (added)")
        elif entry.is_symlink() or not entry.is_file() or sha256_of(entry) != recorded[relative]:
            out.append(f"{relative} (changed)")
    return out


def _changed_after(path: Path, stamp: float) -> list[str]:
    """Entries modified after ``stamp`` (for a marker file without a manifest)."""
    return [
        f"{relative} (changed)"
        for entry, relative in _entries(path)
        if entry.is_symlink() or (entry.is_file() and entry.stat().st_mtime > stamp)
    ]


def _entries(path: Path) -> list[tuple[Path, str]]:
    """Every file and directory below ``path`` (not the manifest) with its relative path.

    Symbolic links are listed, never followed.
    """
    out = []
    for root, directories, files in os.walk(path):
        for name in directories + files:
            entry = Path(root) / name
            relative = entry.relative_to(path).as_posix()
            if relative != MANIFEST and name not in _SYSTEM_FILES:
                out.append((entry, relative))
    return sorted(out, key=lambda item: item[1])


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder: Path) -> None:
    """Record every file in ``folder`` with its SHA-256 (written last, into ``folder``)."""
    files = {
        relative: sha256_of(entry)
        for entry, relative in _entries(folder)
        if entry.is_file() and not entry.is_symlink()
    }
    blob = {
        "written_by": f"compare report (compare {__version__})",
        "note": "Files listed here are replaced by the next run; a run refuses to replace "
        "this directory when a file was added or changed (unless --force).",
        "files": files,
    }
    (folder / MANIFEST).write_text(
        json.dumps(blob, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def _require_writable(directory: Path, out: str | os.PathLike) -> None:
    mode = directory.stat().st_mode
    # The mode bits count as well as access(): a directory made read-only stays
    # read-only for this command even when it runs with administrator rights.
    if not os.access(directory, os.W_OK | os.X_OK) or not mode & (
        stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    ):
        raise ReportError(
            f"Cannot write the report to {out}: {directory} is read-only; "
            "choose a writable --out directory."
        )


def _scratch_pattern(name: str) -> re.Pattern[str]:
    """Names of the scratch directories of a run: ``.NAME.partial-PID-…``, ``.NAME.old-PID-…``."""
    return re.compile(rf"\.{re.escape(name)}\.(?:partial|old)-(?:(\d+)-)?[A-Za-z0-9_]+")


def remove_stale(destination: Path) -> list[Path]:
    """Remove scratch directories next to ``destination`` left by a run that was killed.

    A scratch directory names the process that made it; it is removed only
    when that process no longer runs (one of an older version without a
    process id is always removed).  Returns the removed directories.
    """
    pattern = _scratch_pattern(destination.name)
    removed = []
    try:
        entries = sorted(destination.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if not match or entry.is_symlink() or not entry.is_dir():
            continue
        if match.group(1) and _running(int(match.group(1))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def staging_directory(destination: Destination) -> Path:
    """Create the temporary sibling directory in which the report is built.

    Scratch directories of an earlier run that was killed are removed first.
    """
    parent = destination.path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_stale(destination.path)
        return Path(
            tempfile.mkdtemp(prefix=f".{destination.path.name}.partial-{os.getpid()}-", dir=parent)
        )
    except OSError as error:
        raise ReportError(f"Cannot write the report next to {destination.path}: {error}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def publish(staging: Path, destination: Destination, *, force: bool = False) -> Path:
    """Move the finished report from ``staging`` to its destination.

    The manifest is written, the directory gets the permissions of one made
    under the user's umask (``tempfile`` makes it private), and the
    destination is checked once more (a file added while the report was
    built keeps it).  An existing destination is first renamed aside and
    removed only after the new report is in place; if the final rename
    fails, the old one is restored.
    """
    write_manifest(staging)
    staging.chmod(0o777 & ~_umask())
    target = destination.path
    old: Path | None = None
    try:
        if target.is_dir() and not force:
            _require_unchanged(target, target)
        if target.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent)
            )
            old.rmdir()
            target.rename(old)
        staging.rename(target)
    except OSError as error:
        if old is not None and old.exists() and not target.exists():
            old.rename(target)
        discard(staging)
        raise ReportError(f"Cannot move the report into {target}: {error}") from None
    except ReportError:
        discard(staging)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def discard(staging: Path) -> None:
    """Remove a partly written report."""
    shutil.rmtree(staging, ignore_errors=True)


def normalise_zip(path: Path, date_time: tuple[int, int, int, int, int, int]) -> None:
    """Rewrite a zip container (xlsx) with fixed times so equal input gives equal bytes.

    Entry times become ``date_time``, and so does the "modified" property of
    an Office document, which openpyxl sets to the clock time when saving.
    """
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*date_time).encode("ascii")
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    entries = [
        (info, _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data))
        if info.filename == "docProps/core.xml"
        else (info, data)
        for info, data in entries
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=date_time)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, data)
    path.write_bytes(buffer.getvalue())


# --------------------------------------------------------------------------- tables

#: Control characters that an xlsx file cannot hold (openpyxl refuses them).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as UTF-8 CSV with BOM (for Excel), formula-like text neutralised.

    Rows end in CRLF (RFC 4180), which also makes the writer quote a field
    holding a lone carriage return instead of splitting the row there.
    """
    export = exportable(frame)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(str(c)) for c in export.columns])
    for record in export.itertuples(index=False):
        writer.writerow([_csv_field(v) for v in record])
    path.write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))


def _csv_field(value: Any) -> Any:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    return neutralise(value)


def write_xlsx(tables: Sequence[ReportTable], path: Path, when: dt.date) -> None:
    """Write ``tables`` to one workbook, a sheet each, with fixed metadata and zip times.

    The first sheet, 説明, lists every sheet with its content, unit of
    analysis, source and CSV file, then every column with its unit.  Headers
    are Japanese with units, numbers rounded (and fractions shown as
    percentages) as the report shows them, and every text cell is stored as
    a string, so no value becomes a formula.

    The sheets are streamed (openpyxl's write-only mode): a table of a
    million cells is written row by row instead of being held as a million
    cell objects, which is several times faster and keeps memory flat.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    stamp = dt.datetime(when.year, when.month, when.day)
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    workbook.properties.creator = f"compare {__version__}"
    used: set[str] = set()
    guide = workbook.create_sheet(sheet_name(GUIDE_SHEET, used))
    labels = theme_labels(tables)
    names = [sheet_name(table.sheet, used) for table in tables]
    for table, name in zip(tables, names, strict=True):
        _write_sheet(workbook.create_sheet(name), exportable(table.frame), table.key, labels)
    _write_guide(guide, tables, names, labels)
    _save_workbook(workbook, path)
    normalise_zip(path, (when.year, when.month, when.day, 0, 0, 0))


def _save_workbook(workbook: Any, path: Path) -> None:
    """Save ``workbook`` uncompressed: :func:`normalise_zip` compresses it once, afterwards."""
    from openpyxl.writer.excel import ExcelWriter

    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()


#: Name of the workbook's first sheet, which explains the others.
GUIDE_SHEET = "説明"


def theme_labels(tables: Sequence[ReportTable]) -> dict[str, str]:
    """Theme id → label, from any table that has both columns (names theme-id columns)."""
    labels: dict[str, str] = {}
    for table in tables:
        frame = table.frame
        if {"theme_id", "label"} <= set(frame.columns):
            for theme_id, label in zip(frame["theme_id"], frame["label"], strict=True):
                labels.setdefault(str(theme_id), f"{label}（該当）")
    return labels


def _write_guide(
    sheet: Any, tables: Sequence[ReportTable], names: list[str], labels: dict[str, str]
) -> None:
    """The 説明 sheet: one row per sheet, then one row per column."""
    from compare.report.columns import TABLES, column

    rows: list[list[Any]] = [["シート", "内容", "行の単位", "出典", "CSV ファイル"]]
    for table, name in zip(tables, names, strict=True):
        spec = TABLES.get(table.key)
        unit = table.unit or (spec.unit if spec else "")
        source = table.source or (spec.source if spec else "")
        rows.append([name, table.title, unit, source, f"tables/{table.key}.csv"])
    rows += [
        [],
        [
            "数値は報告書と同じ桁に丸め、割合は %（百分率）で示しています。"
            "CSV（tables/*.csv）は英語の列名と丸めない値（割合は 0–1）を持ちます。"
        ],
        [],
        ["シート", "列", "CSV の列名", "単位"],
    ]
    for table, name in zip(tables, names, strict=True):
        for original in table.frame.columns:
            spec = column(str(original), table.key)
            label = labels.get(str(original)) or (spec.label if spec else str(original))
            unit = spec.unit if spec else ""
            rows.append([name, label, str(original), unit])
    _fit_columns(sheet, rows)
    sheet.freeze_panes = "A2"
    _append_rows(sheet, rows)


def _write_sheet(
    sheet: Any, frame: pd.DataFrame, key: str = "", labels: dict[str, str] | None = None
) -> None:
    """One table as a sheet: Japanese headers, values as the report shows them."""
    from compare.report.columns import TABLE_COLUMNS, VALUES, column, header, number_format

    specs = [column(str(name), key) or TABLE_COLUMNS.get(key) for name in frame.columns]
    headers = [header(str(name), key, labels) for name in frame.columns]
    columns = [
        _shown_column(frame.iloc[:, number], specs[number], VALUES.get(str(name), {}))
        for number, name in enumerate(frame.columns)
    ]
    rows = [headers, *map(list, zip(*columns, strict=True))] if columns else [headers]
    # Column widths fit the header and the first 200 rows.
    _fit_columns(sheet, rows[:201])
    sheet.freeze_panes = "A2"
    formats = [(n, f) for n, f in enumerate(number_format(spec) for spec in specs) if f]
    _append_rows(sheet, rows, formats)


def _shown_column(values: pd.Series, spec: Any, words: dict[str, str]) -> list[Any]:
    """The values of one column as the report shows them: plain scalars (None: no cell),
    coded words spelled out, yes/no as ○ or empty, numbers rounded."""
    from compare.report.columns import rounded

    out: list[Any] = []
    for value in values.tolist():
        value = plain(value)
        if isinstance(value, str):
            value = words.get(value, value)
        elif isinstance(value, bool):
            value = "○" if value else ""
        else:
            value = rounded(value, spec)
        out.append(value)
    return out


def _append_rows(
    sheet: Any, rows: list[list[Any]], formats: Sequence[tuple[int, str]] = ()
) -> None:
    """Stream ``rows`` into a write-only sheet; the numbers of the data rows (all but the
    first) in column ``n`` get the number format ``f`` of each ``(n, f)`` in ``formats``."""
    from openpyxl.cell import WriteOnlyCell

    for index, row in enumerate(rows):
        cells = [_cell_value(value, sheet) for value in row]
        if index:
            for number, chosen in formats:
                value = cells[number]
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell = WriteOnlyCell(sheet, value)
                    cell.number_format = chosen
                    cells[number] = cell
        sheet.append(cells)


def _fit_columns(sheet: Any, rows: list[list[Any]]) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in rows:
        for index, value in enumerate(row, start=1):
            width = _display_width("" if value is None else str(value))
            widths[index] = max(widths.get(index, 0), width)
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 6), 60)


def _cell_value(value: Any, sheet: Any) -> Any:
    """A cell's value in ``sheet``: None for no cell; text stays text (never a formula or
    an error code), control characters an xlsx file cannot hold replaced."""
    from openpyxl.cell import WriteOnlyCell

    value = plain(value)
    if not isinstance(value, str):
        return value
    value = _XML_ILLEGAL.sub("\ufffd", value)
    if value.startswith("=") or value.startswith("#"):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name (at most 31 characters, no []:*?/\\)."""
    base = name.translate(_SHEET_FORBIDDEN).strip("'") or "表"
    candidate = base[:31]
    number = 2
    while candidate.lower() in used:
        suffix = f"_{number}"
        candidate = base[: 31 - len(suffix)] + suffix
        number += 1
    used.add(candidate.lower())
    return candidate


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text[:80])


def exportable(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose cells are plain scalars (lists joined), without attrs."""
    out = frame.copy()
    out.attrs = {}
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(
                lambda v: "、".join(map(str, v)) if isinstance(v, (list, tuple)) else v
            )
        elif isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(object)
    return out


def plain(value: Any) -> Any:
    """A cell value as a Python scalar: None for missing values, numpy scalars unwrapped."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return plain(value.item())
    if isinstance(value, (str, int, float, bool)):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)
