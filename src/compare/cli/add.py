"""``compare add``: add a plan document to a user catalogue.

The file is read and segmented first; only a file that reads and segments
cleanly is catalogued.  The catalogue (``./catalog.csv`` unless ``--catalog``
says otherwise) is created if needed; its path column holds the file's path
relative to the catalogue, its sha256 column the digest of the file's bytes,
and its format and encoding columns what was detected (``pdf``, ``cp932``).
The source file is never copied, moved or changed.  A plan_id already in the
catalogue, or a file already in it (the same resolved path or the same
sha256), is refused.  The catalogue is written to a temporary file in the
same folder, validated with :func:`compare.read_catalog`, and then moved over
the old one in one step (``os.replace``), so an interrupted or refused
``add`` leaves the catalogue as it was.

With ``--include-bundled`` the rows of the bundled five-plan corpus are
copied into the catalogue first, with all their metadata (title, edition,
identification, notes, sha256) and paths relative to the catalogue, so one's
own plans and the bundled ones form one corpus; FILE may then be left out.
A bundled plan already in the catalogue (same plan_id, same file) is kept as
it is; a plan_id used there for another file is an error naming both rows.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

from compare.errors import CatalogError, CatalogWarning, InputFileError
from compare.io.catalog import (
    AUTHORS,
    COLUMNS,
    DOC_KINDS,
    METADATA_COLUMNS,
    OTHER_PLAN_TYPE,
    PLAN_TYPES,
    bundled_catalog_path,
    plan_file,
    plan_type_status,
    read_catalog,
)
from compare.io.readers import sha256_file

#: Default catalogue file, in the current folder.
DEFAULT_CATALOG = "catalog.csv"

#: Catalogue columns set from options of the same name (``fiscal_year_start`` ←
#: ``--fiscal-year-start``).
OPTION_COLUMNS = (*METADATA_COLUMNS, "identification")

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.-]+")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "add",
        help="add a plan document (text, PDF, DOCX, HTML) to a catalogue",
        description=(
            "Read and segment FILE, then add it to a catalogue (created if needed) with its "
            "sha256, format and encoding. The file itself is never copied or changed."
        ),
    )
    parser.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help="the plan document (optional with --include-bundled)",
    )
    parser.add_argument(
        "--municipality", default="", help="e.g. 所沢市 or 川崎市多摩区 (required with FILE)"
    )
    parser.add_argument(
        "--plan-id", help="short unique id (ASCII); default: the file name without extension"
    )
    parser.add_argument("--prefecture", default="")
    parser.add_argument("--municipality-code", default="", help="6-digit 全国地方公共団体コード")
    parser.add_argument("--author", default="", choices=["", *AUTHORS])
    parser.add_argument(
        "--plan-type",
        default="",
        metavar="TYPE",
        help=f"one of {', '.join(PLAN_TYPES)}; several joined with ・ for a joint plan; "
        f"{OTHER_PLAN_TYPE}:NAME for another type",
    )
    parser.add_argument("--title", default="")
    parser.add_argument("--edition", default="", help="e.g. 第2次")
    parser.add_argument("--fiscal-year-start", default="")
    parser.add_argument("--fiscal-year-end", default="")
    parser.add_argument("--published", default="", help="e.g. 2024-03")
    parser.add_argument("--doc-kind", default="", choices=["", *DOC_KINDS])
    parser.add_argument("--identification", default="", help="how the plan was identified")
    parser.add_argument("--notes", default="", help="free text about the document")
    parser.add_argument(
        "--catalog",
        metavar="CSV",
        default=DEFAULT_CATALOG,
        help=f"catalogue to add to, created if missing (default: ./{DEFAULT_CATALOG})",
    )
    parser.add_argument(
        "--include-bundled",
        action="store_true",
        help="also copy the bundled five-plan corpus into the catalogue, with its metadata",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    catalog = Path(args.catalog)
    if not args.file and not args.include_bundled:
        raise CatalogError("give the FILE to add (or --include-bundled to add the bundled plans)")
    existing = _existing_rows(catalog)
    bundled, kept = _bundled_rows(catalog, existing) if args.include_bundled else ([], [])
    rows = [_file_row(args, catalog, existing + bundled)] if args.file else []
    _write_catalog(catalog, [*bundled, *rows])
    if args.include_bundled:
        already = f" ({len(kept)} already there)" if kept else ""
        print(f"added {len(bundled)} bundled plan(s) to {catalog}{already}")
    for row in rows:
        print(
            f"added {row['plan_id']!r} ({row['format']}, {row['_segments']} segments, "
            f"{row['_headings']} headings) to {catalog}"
        )
    return 0


def _bundled_rows(
    catalog: Path, existing: list[dict[str, str]]
) -> tuple[list[dict[str, str]], list[str]]:
    """Rows of the bundled catalogue not yet in ``catalog`` (paths made relative to it),
    and the plan_ids of the bundled plans that it already holds."""
    bundled = read_catalog(bundled_catalog_path())
    mine = {row["plan_id"]: row for row in existing}
    root = catalog.resolve().parent
    rows, kept = [], []
    for record in bundled.to_dict(orient="records"):
        source = plan_file(bundled, record["plan_id"])
        if record["plan_id"] in mine:
            listed = _resolve(root, mine[record["plan_id"]]["path"])
            if listed == source.resolve():
                kept.append(record["plan_id"])
                continue
            raise CatalogError(
                f"duplicate plan_id {record['plan_id']!r}: "
                f"{catalog}: line {mine[record['plan_id']]['_line']} ({listed.name}) and "
                f"{bundled.attrs['catalog_path']}: line {bundled.attrs['lines'][record['plan_id']]}"
                " (bundled); give your plan another plan_id, nothing was added"
            )
        rows.append({**record, "path": _relative_path(source, catalog)})
    return rows, kept


def _resolve(root: Path, path: str) -> Path:
    candidate = Path(path)
    return (candidate if candidate.is_absolute() else root / candidate).resolve()


def _file_row(
    args: argparse.Namespace, catalog: Path, existing: list[dict[str, str]]
) -> dict[str, str]:
    """The catalogue row of FILE, after checking that it reads, segments and is new."""
    if not args.municipality.strip():
        raise CatalogError(f"{args.file}: give the plan's municipality with --municipality")
    status = plan_type_status(args.plan_type)
    if status == "unknown":
        raise CatalogError(
            f"--plan-type {args.plan_type!r} is not one of {', '.join(PLAN_TYPES)}; "
            f"write {OTHER_PLAN_TYPE}:{args.plan_type} for a type outside this list"
        )
    if status == "other":
        warnings.warn(
            f"plan_type {args.plan_type!r} is outside the list of plan types; it is kept as given",
            CatalogWarning,
            stacklevel=2,
        )
    source = Path(args.file)
    plan_id = args.plan_id or _default_plan_id(source)
    values = {column: getattr(args, column) for column in OPTION_COLUMNS}
    if source.is_file():  # a missing file is reported by the reader
        _refuse_duplicate_file(catalog, existing, source, sha256_file(source))
    _refuse_duplicate_id(catalog, existing, plan_id)
    segments = _read_and_segment(source, plan_id, values)
    digest = segments.attrs["sha256"][plan_id]
    row = {column: "" for column in COLUMNS}
    row.update(values)
    row.update(
        plan_id=plan_id,
        path=_relative_path(source, catalog),
        notes=args.notes.strip(),
        sha256=digest,
        format=segments.attrs.get("format", {}).get(plan_id, "text"),
        encoding=segments.attrs.get("encoding", {}).get(plan_id, "") or "",
    )
    row["_segments"] = str(len(segments))
    row["_headings"] = str(int((segments["kind"] == "heading").sum()))
    return row


def _default_plan_id(source: Path) -> str:
    plan_id = _UNSAFE_ID.sub("-", source.stem).strip("-._")
    if not plan_id:
        raise CatalogError(
            f"{source}: cannot make a plan_id from the file name {source.name!r}; "
            "give one with --plan-id (ASCII letters, digits, '-', '_', '.')"
        )
    return plan_id


def _existing_rows(catalog: Path) -> list[dict[str, str]]:
    """Rows of an existing catalogue (validated), or [] if there is none yet."""
    if not catalog.exists():
        return []
    frame = read_catalog(catalog, check_files=False)
    lines = frame.attrs.get("lines", {})
    return [
        {**row, "_line": str(lines.get(row["plan_id"], "?"))} for row in frame.to_dict("records")
    ]


def _refuse_duplicate_id(catalog: Path, rows: list[dict[str, str]], plan_id: str) -> None:
    for row in rows:
        if row["plan_id"] == plan_id:
            where = f"line {row['_line']}" if "_line" in row else "the bundled corpus"
            raise CatalogError(
                f"{catalog}: plan_id {plan_id!r} is already in the catalogue ({where}); "
                "choose another with --plan-id"
            )


def _read_and_segment(source: Path, plan_id: str, values: dict[str, str]) -> Any:
    from compare.structure.segment import read_plan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # shown when the corpus is read, not here
        segments = read_plan(source, plan_id=plan_id, **values)
    if segments.empty:
        raise InputFileError(f"{source}: no text segments were found; nothing to catalogue")
    return segments


def _refuse_duplicate_file(
    catalog: Path, rows: list[dict[str, str]], source: Path, digest: str
) -> None:
    root = catalog.resolve().parent
    resolved = source.resolve()
    for row in rows:
        listed = Path(row["path"])
        listed = (listed if listed.is_absolute() else root / listed).resolve()
        same_file = listed == resolved
        sha = row["sha256"].lower()
        if not sha and not same_file and listed.is_file():
            sha = sha256_file(listed)
        if same_file or sha == digest:
            why = "the same file" if same_file else "a file with the same content (sha256)"
            raise CatalogError(
                f"{catalog}: {source} is already in the catalogue as plan {row['plan_id']!r} "
                f"({why}); nothing was added"
            )


def _relative_path(source: Path, catalog: Path) -> str:
    try:
        return Path(os.path.relpath(source.resolve(), catalog.resolve().parent)).as_posix()
    except ValueError:  # another drive (Windows): keep the absolute path
        return source.resolve().as_posix()


def _write_catalog(catalog: Path, rows: list[dict[str, str]]) -> None:
    """Write the catalogue with ``rows`` added: temp file, validate, replace."""
    if not rows:
        return
    text = catalog.read_text(encoding="utf-8-sig") if catalog.exists() else ""
    header, records = _parse(text)
    missing = [c for c in COLUMNS if c not in header and any(row[c] for row in rows)]
    buffer = io.StringIO()
    if not text or missing:
        header = header + [c for c in COLUMNS if c not in header] if text else list(COLUMNS)
        writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    else:
        buffer.write(text if text.endswith("\n") else text + "\n")
        writer = csv.DictWriter(
            buffer, fieldnames=header, lineterminator="\n", extrasaction="ignore"
        )
    writer.writerows({column: row.get(column, "") for column in header} for row in rows)
    folder = catalog.resolve().parent
    if not folder.is_dir():
        raise CatalogError(f"{catalog}: folder {folder} does not exist")
    handle, temp = tempfile.mkstemp(prefix=f".{catalog.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(buffer.getvalue())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # The new file was just read; the other rows' files are not re-hashed.
            read_catalog(temp, check_files=False)
        os.replace(temp, catalog)
    except CatalogError as exc:
        message = str(exc).replace(temp, str(catalog))
        raise CatalogError(f"{message} (nothing was added)") from exc
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _parse(text: str) -> tuple[list[str], list[dict[str, str]]]:
    if not text:
        return [], []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    records = [{k.strip(): v for k, v in record.items() if k is not None} for record in reader]
    return header, records
