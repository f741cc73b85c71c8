"""File handling of the briefing report: a safe destination and an atomic swap.

The report is built in a temporary sibling of the destination and renamed
into place only when every file is written, so a crash or an error leaves
either the previous report or nothing, never half a report.  A directory is
only replaced when it is empty or carries the marker file that this module
writes into every report (or when the user passes ``force``).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from compare.errors import ReportError

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")

#: File that marks a directory as written by ``compare report``.
MARKER = ".compare-report"


@dataclass(frozen=True)
class Destination:
    """A checked output directory: ``path`` (absolute) and whether it already exists."""

    path: Path
    exists: bool


def check_destination(out: str | os.PathLike, *, force: bool = False) -> Destination:
    """Check that a report may be written to ``out``; raise :class:`ReportError` if not.

    Checked before any analysis runs, so a bad ``--out`` fails at once.
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
        if any(path.iterdir()) and not (path / MARKER).is_file() and not force:
            raise ReportError(
                f"{out} is a non-empty directory that compare report did not create; "
                "choose another --out, empty it, or pass --force to replace it."
            )
    return Destination(path=path, exists=path.is_dir())


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


def staging_directory(destination: Destination) -> Path:
    """Create the temporary sibling directory in which the report is built."""
    parent = destination.path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{destination.path.name}.partial-", dir=parent))
    except OSError as error:
        raise ReportError(f"Cannot write the report next to {destination.path}: {error}") from None


def publish(staging: Path, destination: Destination) -> Path:
    """Move the finished report from ``staging`` to its destination.

    An existing destination is first renamed aside and removed only after the
    new report is in place; if the final rename fails, the old one is restored.
    """
    (staging / MARKER).write_text(
        "This directory was written by `compare report`; it may be replaced by the next run.\n",
        encoding="utf-8",
    )
    target = destination.path
    old: Path | None = None
    try:
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            old.rmdir()
            target.rename(old)
        staging.rename(target)
    except OSError as error:
        if old is not None and old.exists() and not target.exists():
            old.rename(target)
        discard(staging)
        raise ReportError(f"Cannot move the report into {target}: {error}") from None
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
