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
from collections.abc import Iterable, Sequence
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
    "source_url",
    "retrieved",
    "sha256",
    "format",
    "encoding",
)


#: Columns a catalogue must have; the others are optional and default to "".
REQUIRED_COLUMNS = ("plan_id", "path", "municipality", "author", "plan_type", "doc_kind")

AUTHORS = ("自治体", "社会福祉協議会")

#: The controlled list of plan types.  Beside the three kinds of 地域福祉 plan,
#: real corpora hold the plans that the 社会福祉法 and related laws ask
#: municipalities to make alongside (or inside) them, and plans drafted jointly
#: by a municipality and its 社会福祉協議会.  A joint plan may also be written as
#: any listed types joined with "・" (e.g. 地域福祉計画・成年後見制度利用促進計画).
PLAN_TYPES = (
    "地域福祉計画",
    "地域福祉活動計画",
    "地域福祉支援計画",
    "地域福祉計画・地域福祉活動計画",
    "重層的支援体制整備事業実施計画",
    "成年後見制度利用促進計画",
    "再犯防止推進計画",
    "保健福祉計画",
)

#: The escape for a plan type outside :data:`PLAN_TYPES`: ``other`` or
#: ``other:NAME`` (e.g. ``other:保健福祉総合計画``).  Such a plan is read and
#: reported with a :class:`~compare.errors.CatalogWarning`, never refused.
OTHER_PLAN_TYPE = "other"

#: Separator of the plan types of a joint plan.
JOINT_SEPARATOR = "・"
DOC_KINDS = ("full", "summary", "draft", "excerpt")

_PLAN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_YEAR = re.compile(r"^(19|20)\d\d$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_URL = re.compile(r"^https?://[^\s]+$")
_DATE = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")


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


def read_catalog(
    path: str | Path | Sequence[str | Path | None] | pd.DataFrame | None = None,
    *,
    check_files: bool = True,
    plans: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read and validate a catalogue, or several catalogues as one corpus.

    Parameters
    ----------
    path : str, Path, list of them, or None
        A catalogue CSV.  Defaults to the bundled corpus's ``data/catalog.csv``.
        A list reads each catalogue (``None`` in the list stands for the
        bundled one) and combines them in order, every row keeping the
        metadata of its own catalogue: ``read_catalog([None, "mine.csv"])`` is
        the bundled plans followed by one's own.  A catalogue already read is
        returned as it is.
    check_files : bool
        Check that every plan file exists and that its sha256, where given,
        matches (a mismatch warns: the file changed since it was catalogued).
    plans : list of str, optional
        Keep only these plan_ids (in catalogue order); None keeps every plan.

    Returns
    -------
    pandas.DataFrame
        One row per plan with the columns of :data:`COLUMNS` (all strings,
        ``""`` where unknown) in catalogue order.  ``attrs`` holds
        ``catalog_path`` (the file read), ``root`` (the folder that paths are
        relative to), ``catalog_sha256``, ``lines`` (plan_id -> catalogue line)
        and ``roots`` (plan_id -> the folder its path is relative to).  For
        several catalogues, ``catalog_path`` joins their paths with ``"; "``,
        ``catalog_sha256`` is the digest of their digests (one per line, in
        order) and ``catalogs`` lists each path with its digest.

    Raises
    ------
    CatalogError
        Naming the file and line for a missing column, an empty or duplicate
        plan_id (for several catalogues: both rows), an invalid value, or a
        missing plan file.
    """
    if isinstance(path, pd.DataFrame):
        # already read: lets a notebook cell that reads its catalogue run twice
        return select_plans(path, plans)
    if isinstance(path, list | tuple):
        combined = combine_catalogs([read_catalog(item, check_files=check_files) for item in path])
        return select_plans(combined, plans)
    path = Path(path) if path is not None else bundled_catalog_path()
    raw = _read_catalog_bytes(path)
    rows, lines = _parse_rows(raw, path)
    frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)
    root = str(path.resolve().parent)
    frame.attrs.update(
        catalog_path=str(path),
        root=root,
        catalog_sha256=hashlib.sha256(raw).hexdigest(),
        lines=dict(zip((row["plan_id"] for row in rows), lines, strict=True)),
        roots={row["plan_id"]: root for row in rows},
    )
    if check_files:
        for line, row in zip(lines, rows, strict=True):
            _check_file(path, line, row)
    return select_plans(frame, plans)


def select_plans(catalog: pd.DataFrame, plans: Sequence[str] | None) -> pd.DataFrame:
    """The rows of ``plans`` (catalogue order, metadata kept); all rows for None.

    Raises
    ------
    CatalogError
        Naming the plan_ids that the catalogue does not hold.
    """
    if plans is None:
        return catalog
    if isinstance(plans, str):
        plans = [plans]
    unknown = [plan for plan in plans if plan not in set(catalog["plan_id"])]
    if unknown:
        raise CatalogError(
            f"{catalog.attrs.get('catalog_path', 'catalogue')}: no plan {', '.join(unknown)}; "
            f"the catalogue has: {', '.join(catalog['plan_id'])}"
        )
    chosen = catalog.loc[catalog["plan_id"].isin(list(plans))].reset_index(drop=True)
    chosen.attrs = dict(catalog.attrs)
    return chosen


def combine_catalogs(catalogs: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Combine catalogues read with :func:`read_catalog` into one, in order.

    Each plan keeps its row (and so all its metadata) and the folder its path
    is relative to.  A plan_id used in two catalogues is an error that names
    both rows; the same file (same sha256) catalogued twice under two ids is
    reported with a :class:`~compare.errors.CatalogWarning`.
    """
    if not catalogs:
        raise CatalogError("no catalogues to combine; give at least one catalogue")
    if len(catalogs) == 1:
        return catalogs[0]
    first_row: dict[str, str] = {}
    first_sha: dict[str, str] = {}
    for catalog in catalogs:
        for record in catalog[["plan_id", "sha256"]].to_dict(orient="records"):
            where = _row_location(catalog, record["plan_id"])
            if record["plan_id"] in first_row:
                raise CatalogError(
                    f"duplicate plan_id {record['plan_id']!r}: {first_row[record['plan_id']]} "
                    f"and {where}; give one of the plans another plan_id"
                )
            first_row[record["plan_id"]] = where
            sha = record["sha256"].lower()
            if sha and sha in first_sha:
                warnings.warn(
                    f"{where}: plan {record['plan_id']!r} is the same file (sha256) as "
                    f"{first_sha[sha]}; it is counted twice",
                    CatalogWarning,
                    stacklevel=3,
                )
            if sha:
                first_sha.setdefault(sha, where)
    frame = pd.concat(list(catalogs), ignore_index=True)
    paths = [str(catalog.attrs.get("catalog_path", "")) for catalog in catalogs]
    digests = [str(catalog.attrs.get("catalog_sha256", "")) for catalog in catalogs]
    frame.attrs = {
        "catalog_path": "; ".join(paths),
        "root": catalogs[0].attrs.get("root", "."),
        "catalog_sha256": hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest(),
        "lines": {k: v for c in catalogs for k, v in c.attrs.get("lines", {}).items()},
        "roots": {
            plan_id: c.attrs.get("roots", {}).get(plan_id, c.attrs.get("root", "."))
            for c in catalogs
            for plan_id in c["plan_id"]
        },
        "catalogs": [{"path": p, "sha256": d} for p, d in zip(paths, digests, strict=True)],
    }
    return frame


def _row_location(catalog: pd.DataFrame, plan_id: str) -> str:
    """``"<catalogue>: line N"`` of a plan's row, for messages."""
    line = catalog.attrs.get("lines", {}).get(plan_id)
    where = str(catalog.attrs.get("catalog_path", "catalogue"))
    return f"{where}: line {line}" if line else f"{where} (plan {plan_id!r})"


def example_ids(available: Iterable[str], preferred: Sequence[str]) -> list[str]:
    """Ids for worked examples: each preferred id if available, else a stand-in.

    Notebooks written on the bundled corpus name its plans (and the default
    themes) in their examples.  On another corpus each missing id is replaced
    by the next available id not used yet (repeating them when there are
    fewer), so the examples keep their number and order.  Returns [] when
    nothing is available.
    """
    pool = list(dict.fromkeys(str(item) for item in available))
    if not pool:
        return []
    chosen = [item if item in pool else None for item in preferred]
    spare = iter([item for item in pool if item not in chosen] or pool)
    out = []
    for item in chosen:
        if item is None:
            item = next(spare, None)
            if item is None:
                spare = iter(pool)
                item = next(spare)
        out.append(item)
    return out


def plan_file(catalog: pd.DataFrame, plan_id: str) -> Path:
    """Absolute path of a plan's source file, resolved against the catalogue's folder."""
    match = catalog.loc[catalog["plan_id"] == plan_id, "path"]
    if match.empty:
        known = ", ".join(catalog["plan_id"])
        raise CatalogError(f"unknown plan_id {plan_id!r}; the catalogue has: {known}")
    root = catalog.attrs.get("roots", {}).get(plan_id, catalog.attrs.get("root", "."))
    return _resolve(Path(root), match.iloc[0])


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


def _parse_rows(raw: bytes, path: Path) -> tuple[list[dict[str, str]], list[int]]:
    """The validated rows of a catalogue and the file line each starts on."""
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
    lines: list[int] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        row = {col: (record.get(col) or "").strip() for col in COLUMNS}
        if None in record:
            raise CatalogError(f"{path}: line {line}: more fields than header columns")
        _validate_row(path, line, row, seen)
        rows.append(row)
        lines.append(line)
    if not rows:
        raise CatalogError(f"{path}: catalogue has a header but no plans")
    return rows, lines


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
    _check_plan_type(where, row)
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
    if row["source_url"] and not _URL.match(row["source_url"]):
        raise CatalogError(
            f"{where}: source_url {row['source_url']!r} must be a web address starting with "
            "http:// or https:// (where the plan was obtained), or empty"
        )
    if row["retrieved"] and not _DATE.match(row["retrieved"]):
        raise CatalogError(
            f"{where}: retrieved {row['retrieved']!r} must be the date the file was obtained, "
            "as YYYY-MM-DD (or YYYY-MM), or empty"
        )


def plan_type_status(value: str) -> str:
    """Classify a plan_type value: ``"listed"``, ``"joint"``, ``"other"`` or ``"unknown"``.

    ``""`` (not known) counts as listed.  A joint plan is two or more listed
    types joined with "・"; ``other`` and ``other:NAME`` are the escape for
    types outside the list.
    """
    if not value or value in PLAN_TYPES:
        return "listed"
    if value == OTHER_PLAN_TYPE or value.startswith(f"{OTHER_PLAN_TYPE}:"):
        return "other"
    parts = value.split(JOINT_SEPARATOR)
    if len(parts) > 1 and all(part in PLAN_TYPES for part in parts):
        return "joint"
    return "unknown"


def _check_plan_type(where: str, row: dict[str, str]) -> None:
    value = row["plan_type"]
    status = plan_type_status(value)
    if status == "unknown":
        raise CatalogError(
            f"{where}: plan_type {value!r} is not one of {', '.join(PLAN_TYPES)}; "
            f"write other:{value} for a type outside this list (or leave it empty if unknown)"
        )
    if status == "other":
        name = value.partition(":")[2]
        hint = f" ({name} is in the list: write it without other:)" if name in PLAN_TYPES else ""
        warnings.warn(
            f"{where}: plan {row['plan_id']!r} has plan_type {value!r}, outside the list of "
            "plan types; it is read as given, and comparisons by plan_type treat it as its "
            f"own group{hint}",
            CatalogWarning,
            stacklevel=4,
        )


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
