"""The catalogue: one row per plan, the single source of truth of a corpus.

A catalogue is a UTF-8 CSV file.  Paths in it are relative to the catalogue
file, so a user's own corpus works wherever it is stored.  Reading validates
every row and reports problems by catalogue line number; nothing is written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import warnings
from pathlib import Path

import pandas as pd

from compare._resources import data_file
from compare.errors import CatalogError, CatalogWarning
from compare.io.formats import FORMATS
from compare.io.readers import sha256_file

#: Catalogue columns that travel with every table (segments, tokens, theme
#: hits, statistics), so nobody has to join them by hand.
METADATA_COLUMNS = (
    "municipality",
    "prefecture",
    "municipality_code",
    "author",
    "plan_type",
    "title",
    "edition",
    "fiscal_year_start",
    "fiscal_year_end",
    "published",
    "doc_kind",
)

#: All catalogue columns, in order.
COLUMNS = (
    "plan_id",
    "path",
    *METADATA_COLUMNS,
    "identification",
    "notes",
    "sha256",
    "format",
    "encoding",
)


#: Columns a catalogue must have; the others are optional and default to "".
REQUIRED_COLUMNS = ("plan_id", "path", "municipality", "author", "plan_type", "doc_kind")

AUTHORS = ("自治体", "社会福祉協議会")
PLAN_TYPES = ("地域福祉計画", "地域福祉活動計画", "地域福祉支援計画")
DOC_KINDS = ("full", "summary", "draft", "excerpt")

_PLAN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_YEAR = re.compile(r"^(19|20)\d\d$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def bundled_catalog_path() -> Path:
    """Return the path of the catalogue of the bundled five-plan corpus."""
    path = data_file("catalog.csv")
    if path is not None:
        return path
    raise CatalogError("the bundled catalogue data/catalog.csv is missing from this installation")


def municipality_check_digit(code5: str) -> int:
    """Check digit of a 5-digit 全国地方公共団体コード (JIS X 0402, modulus 11)."""
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def is_valid_municipality_code(code: str) -> bool:
    """True if ``code`` is six digits whose last digit is the correct check digit."""
    return bool(re.fullmatch(r"\d{6}", code)) and int(code[5]) == municipality_check_digit(code[:5])


def read_catalog(path: str | Path | None = None, *, check_files: bool = True) -> pd.DataFrame:
    """Read and validate a catalogue.

    Parameters
    ----------
    path : str or Path, optional
        A catalogue CSV.  Defaults to the bundled corpus's ``data/catalog.csv``.
    check_files : bool
        Check that every plan file exists and that its sha256, where given,
        matches (a mismatch warns: the file changed since it was catalogued).

    Returns
    -------
    pandas.DataFrame
        One row per plan with the columns of :data:`COLUMNS` (all strings,
        ``""`` where unknown) in catalogue order.  ``attrs`` holds
        ``catalog_path`` (the file read), ``root`` (the folder that paths are
        relative to) and ``catalog_sha256``.

    Raises
    ------
    CatalogError
        Naming the file and line for a missing column, an empty or duplicate
        plan_id, an invalid value, or a missing plan file.
    """
    path = Path(path) if path is not None else bundled_catalog_path()
    raw = _read_catalog_bytes(path)
    rows = _parse_rows(raw, path)
    frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)
    frame.attrs.update(
        catalog_path=str(path),
        root=str(path.resolve().parent),
        catalog_sha256=hashlib.sha256(raw).hexdigest(),
    )
    if check_files:
        for line, row in zip(_row_lines(len(rows)), rows, strict=True):
            _check_file(path, line, row)
    return frame


def plan_file(catalog: pd.DataFrame, plan_id: str) -> Path:
    """Absolute path of a plan's source file, resolved against the catalogue's folder."""
    match = catalog.loc[catalog["plan_id"] == plan_id, "path"]
    if match.empty:
        known = ", ".join(catalog["plan_id"])
        raise CatalogError(f"unknown plan_id {plan_id!r}; the catalogue has: {known}")
    return _resolve(Path(catalog.attrs.get("root", ".")), match.iloc[0])


def _resolve(root: Path, relative: str) -> Path:
    candidate = Path(relative)
    return candidate if candidate.is_absolute() else root / candidate


def _read_catalog_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise CatalogError(f"{path}: catalogue not found")
    raw = path.read_bytes()
    if not raw.strip():
        raise CatalogError(
            f"{path}: catalogue is empty; it needs a header row and one row per plan"
        )
    return raw


def _row_lines(n: int) -> list[int]:
    """Catalogue file line of each data row (header is line 1)."""
    return list(range(2, n + 2))


def _parse_rows(raw: bytes, path: Path) -> list[dict[str, str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(
            f"{path}: catalogue is not UTF-8 ({exc.reason}); save it as UTF-8 CSV"
        ) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise CatalogError(
            f"{path}: line 1: missing column(s) {', '.join(missing)}; "
            f"a catalogue needs at least {', '.join(REQUIRED_COLUMNS)}"
        )
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        warnings.warn(
            f"{path}: line 1: ignoring unknown column(s) {', '.join(unknown)}",
            CatalogWarning,
            stacklevel=3,
        )
    rows: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        row = {col: (record.get(col) or "").strip() for col in COLUMNS}
        if None in record:
            raise CatalogError(f"{path}: line {line}: more fields than header columns")
        _validate_row(path, line, row, seen)
        rows.append(row)
    if not rows:
        raise CatalogError(f"{path}: catalogue has a header but no plans")
    return rows


def _validate_row(path: Path, line: int, row: dict[str, str], seen: dict[str, int]) -> None:
    where = f"{path}: line {line}"
    plan_id = row["plan_id"]
    if not plan_id:
        raise CatalogError(f"{where}: plan_id is empty; give every plan a short unique id")
    if not _PLAN_ID.match(plan_id):
        raise CatalogError(
            f"{where}: plan_id {plan_id!r} may use only ASCII letters, digits, '-', '_' and '.'"
        )
    if plan_id in seen:
        raise CatalogError(
            f"{where}: duplicate plan_id {plan_id!r} (first used on line {seen[plan_id]})"
        )
    seen[plan_id] = line
    for column in ("path", "municipality"):
        if not row[column]:
            raise CatalogError(f"{where}: {column} is empty for plan {plan_id!r}")
    _check_choice(where, row, "author", AUTHORS)
    _check_choice(where, row, "plan_type", PLAN_TYPES)
    _check_choice(where, row, "doc_kind", DOC_KINDS)
    _check_choice(where, row, "format", FORMATS)
    code = row["municipality_code"]
    if code and not is_valid_municipality_code(code):
        raise CatalogError(
            f"{where}: municipality_code {code!r} is not a valid 6-digit 全国地方公共団体コード "
            "(wrong length or check digit); leave it empty if unknown"
        )
    for column in ("fiscal_year_start", "fiscal_year_end"):
        if row[column] and not _YEAR.match(row[column]):
            raise CatalogError(f"{where}: {column} {row[column]!r} must be a year such as 2024")
    if row["sha256"] and not _SHA256.match(row["sha256"].lower()):
        raise CatalogError(f"{where}: sha256 {row['sha256']!r} is not a 64-digit hex digest")


def _check_choice(where: str, row: dict[str, str], column: str, choices: tuple[str, ...]) -> None:
    value = row[column]
    if value and value not in choices:
        raise CatalogError(
            f"{where}: {column} {value!r} is not one of {', '.join(choices)} (or empty if unknown)"
        )


def _check_file(catalog_path: Path, line: int, row: dict[str, str]) -> None:
    source = _resolve(catalog_path.resolve().parent, row["path"])
    where = f"{catalog_path}: line {line}"
    if not source.is_file():
        raise CatalogError(
            f"{where}: plan {row['plan_id']!r}: file {row['path']!r} not found "
            "(paths are relative to the catalogue file)"
        )
    expected = row["sha256"].lower()
    if expected and sha256_file(source) != expected:
        warnings.warn(
            f"{where}: plan {row['plan_id']!r}: {row['path']} changed since it was catalogued "
            "(sha256 mismatch); results may differ from earlier runs",
            CatalogWarning,
            stacklevel=3,
        )
