"""Plan structure: lossless segmentation of plan text into a heading hierarchy.

``read_plan`` and ``read_corpus`` return the SEGMENTS table, one row per
segment (heading, paragraph, list item, table row or meta line) with the
plan's catalogue columns repeated on every row, so that every later number can
point back to the lines it came from.  Headings are found from the document's
own evidence: marker styles (第N章, 1, (1), ①, ア, Ⅰ, A, 基本目標N, ◆, ●, ■,
◎, 【…】 …), number sequences, line length and punctuation, blank lines.
See :mod:`compare.structure._hierarchy` for how.  Two kinds of lines that look
like headings or tables are not: a bracketed figure or table caption left by
PDF extraction (【…イメージ図】) is a ``paragraph``, and the rows of a
term/definition table under a glossary heading (用語, 解説 …) are ``meta``
(reference material, not coded as themes).

PDF, DOCX and HTML documents are read with
:func:`compare.io.readers.read_document`; what their format states is used
directly: heading styles and ``<h1>``–``<h6>`` give headings and depths,
running headers, footers and page numbers become ``meta``, table rows stay
table rows, and a paragraph broken by a page end is one segment.  Line
numbers of such a document are lines of its extracted text; every segment of
a PDF records the page it starts on (``page``) and that page's printed label
(``page_label``), and ``df.attrs["pages"]`` gives the first line of each page.

Lossless: the ``raw`` texts of a plan's segments, in order, contain every
non-whitespace character of the source exactly once and in order, and each
``raw`` is exactly source lines ``line_start..line_end``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from compare.errors import SegmentationWarning
from compare.io.catalog import COLUMNS, METADATA_COLUMNS, plan_file, read_catalog
from compare.io.readers import SourceText, read_document
from compare.structure._hierarchy import HEADING, TABLE_ROW, Unit, parse_lines
from compare.structure._lines import clean

#: Columns of the SEGMENTS table, in order.
SEGMENT_COLUMNS = (
    "plan_id",
    *METADATA_COLUMNS,
    "seg_id",
    "kind",
    "level",
    "heading_path",
    "section_id",
    "text",
    "raw",
    "cells",
    "line_start",
    "line_end",
    "page",
    "page_label",
)

#: Columns of the outline table returned by :func:`outline`.
OUTLINE_COLUMNS = (
    "plan_id",
    "seg_id",
    "line",
    "line_end",
    "depth",
    "text",
    "heading_path",
    "section_id",
    "parent_seg_id",
    "page",
    "page_label",
)

#: Separator of heading texts in ``heading_path``.
PATH_SEPARATOR = " > "

#: Catalogue columns accepted by read_plan but not repeated on segments.
_CATALOG_ONLY = tuple(c for c in COLUMNS if c != "plan_id" and c not in METADATA_COLUMNS)


def segment_text(text: str, *, plan_id: str = "text", **metadata: Any) -> pd.DataFrame:
    """Segment a plan text that is already in memory.

    Parameters
    ----------
    text : str
        The plan text; lines are split on ``"\\n"`` only, so line ``i`` of the
        result is ``text.split("\\n")[i - 1]``.
    plan_id : str
        Identifier written to every row.
    **metadata
        Catalogue values (municipality, author, plan_type …) repeated on every
        row; missing ones are ``""``.

    Returns
    -------
    pandas.DataFrame
        The SEGMENTS table: plan_id, municipality, prefecture,
        municipality_code, author, plan_type, title, edition,
        fiscal_year_start, fiscal_year_end, published, doc_kind, seg_id, kind,
        level, heading_path, section_id, text, raw, cells, line_start,
        line_end, page (the 1-based page the segment starts on, for PDFs;
        ``<NA>`` otherwise) and page_label (the page's printed label where
        the PDF defines one, else its number; ``""`` without pages).

    Warns
    -----
    SegmentationWarning
        When no heading is recognised: the whole text is one section.
    """
    meta = _metadata(plan_id, metadata)
    return _segment(text.split("\n"), meta)


def _segment(
    lines: list[str],
    meta: dict[str, str],
    source: SourceText | None = None,
) -> pd.DataFrame:
    """Segment source lines, using the hints and page starts of ``source`` if given."""
    plan_id = meta["plan_id"]
    if source is not None:
        units = parse_lines(
            lines, source.hints, source.page_starts, source.line_pages, source.wrapped
        )
    else:
        units = parse_lines(lines)
    if units and not any(unit.kind == HEADING for unit in units):
        warnings.warn(
            f"{plan_id}: no headings recognised; the whole text is treated as one section. "
            "Check that the file is a plan text with numbered or marked headings",
            SegmentationWarning,
            stacklevel=3,
        )
    return _frame(_columns(units, lines, meta, source))


def read_plan(path: str | Path, /, **metadata: Any) -> pd.DataFrame:
    """Read one plan file and segment it.

    Parameters
    ----------
    path : str or Path
        A plan document: a text file (UTF-8, CP932 or EUC-JP; see
        :func:`compare.read_text`), a PDF with a text layer, a DOCX or an
        HTML page (see :func:`compare.io.readers.read_document`).
    **metadata
        Catalogue values for the plan: ``plan_id`` (default: the file name
        without extension), municipality, prefecture, author, plan_type …
        Extra catalogue-only columns (path, sha256, identification, notes) are
        accepted and ignored.

    Returns
    -------
    pandas.DataFrame
        The SEGMENTS table (see :func:`segment_text`).  ``attrs`` holds
        ``encoding``, ``sha256``, ``source``, ``newline``, ``format`` and
        ``pages`` (the 1-based first line of each page; empty without pages),
        each a dict keyed by plan_id.

    Raises
    ------
    InputFileError
        If the file is missing, empty, binary, undecodable, damaged,
        encrypted or (a PDF) without a text layer.
    """
    # A format recorded in the catalogue is used as given; otherwise it is detected.
    source = read_document(path, format=metadata.get("format") or None)
    metadata = {k: v for k, v in metadata.items() if k not in _CATALOG_ONLY}
    plan_id = str(metadata.pop("plan_id", None) or Path(path).stem)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = _segment(source.lines, _metadata(plan_id, metadata), source)
    for warning in caught:
        warnings.warn(f"{source.path}: {warning.message}", warning.category, stacklevel=2)
    frame.attrs.update(
        encoding={plan_id: source.encoding},
        sha256={plan_id: source.sha256},
        source={plan_id: str(source.path)},
        newline={plan_id: source.newline},
        format={plan_id: source.format},
        pages={plan_id: [start + 1 for start in source.page_starts]},
    )
    return frame


def read_corpus(catalog: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and segment every plan of a catalogue, in catalogue order.

    Parameters
    ----------
    catalog : str, Path, DataFrame or None
        None for the bundled corpus, a catalogue CSV path, or a catalogue
        already read with :func:`compare.read_catalog`.

    Returns
    -------
    pandas.DataFrame
        The SEGMENTS table of all plans.  ``attrs`` holds ``encoding``,
        ``sha256``, ``source`` and ``newline`` (dicts keyed by plan_id) and the
        catalogue's ``catalog_path`` and ``catalog_sha256``.
    """
    cat = catalog if isinstance(catalog, pd.DataFrame) else read_catalog(catalog)
    frames = []
    provenance: dict[str, dict[str, str]] = {
        "encoding": {},
        "sha256": {},
        "source": {},
        "newline": {},
        "format": {},
        "pages": {},
    }
    for record in cat.to_dict(orient="records"):
        plan_id = str(record["plan_id"])
        frame = read_plan(plan_file(cat, plan_id), **record)
        for key, values in provenance.items():
            values.update(frame.attrs.get(key, {}))
        frame.attrs = {}
        frames.append(frame)
    if frames:
        corpus = pd.concat(frames, ignore_index=True)
    else:
        corpus = _frame({column: [] for column in SEGMENT_COLUMNS})
    corpus.attrs = {
        **provenance,
        "catalog_path": cat.attrs.get("catalog_path", ""),
        "catalog_sha256": cat.attrs.get("catalog_sha256", ""),
    }
    return corpus


def outline(segments: pd.DataFrame) -> pd.DataFrame:
    """The headings of a SEGMENTS table: each plan's outline.

    Parameters
    ----------
    segments : pandas.DataFrame
        A SEGMENTS table from :func:`read_plan`, :func:`read_corpus` or
        :func:`segment_text`.

    Returns
    -------
    pandas.DataFrame
        One row per heading, in plan and source order: plan_id, seg_id, line
        (the heading's first source line), line_end, page and page_label
        (PDF sources; ``<NA>`` and ``""`` otherwise), depth (1 = top), text,
        heading_path, section_id, parent_seg_id (seg_id of the enclosing
        heading; <NA> at the top level).
    """
    heads = segments.loc[segments["kind"] == HEADING]
    parents: list[Any] = []
    open_: list[tuple[int, int]] = []  # (depth, seg_id) of the open headings
    current = None
    for plan_id, depth, seg_id in zip(
        heads["plan_id"], heads["level"], heads["seg_id"], strict=True
    ):
        if plan_id != current:
            open_, current = [], plan_id
        while open_ and open_[-1][0] >= depth:
            open_.pop()
        parents.append(open_[-1][1] if open_ else pd.NA)
        open_.append((int(depth), int(seg_id)))
    result = pd.DataFrame(
        {
            "plan_id": heads["plan_id"].to_numpy(dtype=object),
            "seg_id": heads["seg_id"].to_numpy(dtype="int64"),
            "line": heads["line_start"].to_numpy(dtype="int64"),
            "line_end": heads["line_end"].to_numpy(dtype="int64"),
            "page": pd.array(heads["page"], dtype="Int64"),
            "page_label": heads["page_label"].to_numpy(dtype=object),
            "depth": heads["level"].to_numpy(dtype="int64"),
            "text": heads["text"].to_numpy(dtype=object),
            "heading_path": heads["heading_path"].to_numpy(dtype=object),
            "section_id": heads["section_id"].to_numpy(dtype=object),
            "parent_seg_id": pd.array(parents, dtype="Int64"),
        }
    )
    return result[list(OUTLINE_COLUMNS)]


# --- helpers ---------------------------------------------------------------------------


def _metadata(plan_id: str, metadata: Mapping[str, Any]) -> dict[str, str]:
    unknown = sorted(set(metadata) - set(METADATA_COLUMNS) - set(_CATALOG_ONLY))
    if unknown:
        raise TypeError(
            f"unknown metadata {', '.join(unknown)}; use catalogue columns: {', '.join(METADATA_COLUMNS)}"
        )
    meta = {"plan_id": str(plan_id)}
    for column in METADATA_COLUMNS:
        value = metadata.get(column, "")
        meta[column] = "" if value is None else str(value)
    return meta


def _page_of(source: SourceText | None) -> tuple[list[Any], tuple[str, ...]]:
    """The 1-based page of every line (``pd.NA`` without pages) and the page labels."""
    if source is None or not source.page_starts:
        return [], ()
    if source.line_pages:
        return list(source.line_pages), source.page_labels
    pages: list[Any] = []
    starts = [*source.page_starts, len(source.lines)]
    for number in range(len(source.page_starts)):
        pages.extend([number + 1] * (starts[number + 1] - starts[number]))
    return pages, source.page_labels


def _columns(
    units: list[Unit], lines: list[str], meta: dict[str, str], source: SourceText | None = None
) -> dict[str, list[Any]]:
    """The SEGMENTS columns of one plan, as lists."""
    line_pages, labels = _page_of(source)
    plan_id = meta["plan_id"]
    cols: dict[str, list[Any]] = {name: [] for name in SEGMENT_COLUMNS[len(METADATA_COLUMNS) + 1 :]}
    path: list[str] = []  # heading texts of the open headings
    ordinals: list[int] = []  # position of each open heading among its siblings
    counters: list[int] = [0]  # children seen so far at each depth
    section_id = f"{plan_id}/0"
    level = 0
    heading_path = ""
    for seg_id, unit in enumerate(units):
        cells = None
        if unit.kind == TABLE_ROW:
            cells = [clean(cell) for cell in lines[unit.start].split("\t")]
            text = "\t".join(cells).strip()
        else:
            text = clean(unit.text)
        if unit.kind == HEADING:
            depth = unit.depth
            del path[depth - 1 :]
            del ordinals[depth - 1 :]
            del counters[depth:]
            counters[depth - 1] += 1
            counters.append(0)
            path.append(text)
            ordinals.append(counters[depth - 1])
            section_id = f"{plan_id}/" + ".".join(map(str, ordinals))
            heading_path = PATH_SEPARATOR.join(path)
            level = depth
        cols["seg_id"].append(seg_id)
        cols["kind"].append(unit.kind)
        cols["level"].append(level)
        cols["heading_path"].append(heading_path)
        cols["section_id"].append(section_id)
        cols["text"].append(text)
        cols["raw"].append(
            lines[unit.start]
            if unit.start == unit.end
            else "\n".join(lines[unit.start : unit.end + 1])
        )
        cols["cells"].append(cells)
        cols["line_start"].append(unit.start + 1)
        cols["line_end"].append(unit.end + 1)
        page = line_pages[unit.start] if unit.start < len(line_pages) else pd.NA
        cols["page"].append(page)
        cols["page_label"].append(_label(page, labels))
    n = len(units)
    return {**{name: [meta[name]] * n for name in ("plan_id", *METADATA_COLUMNS)}, **cols}


def _label(page: Any, labels: tuple[str, ...]) -> str:
    """The printed label of a page: the PDF's page label, else its number; ``""`` without pages."""
    if page is pd.NA:
        return ""
    if 1 <= page <= len(labels) and labels[page - 1]:
        return labels[page - 1]
    return str(page)


#: Integer columns of the SEGMENTS table; ``page`` is nullable (``Int64``), the rest are objects.
_INT_COLUMNS = frozenset({"seg_id", "level", "line_start", "line_end"})


def _frame(columns: dict[str, list[Any]]) -> pd.DataFrame:
    """The SEGMENTS table from its columns as lists, each built in its final dtype.

    Strings stay Python objects (``object`` dtype): building the frame from
    lists would first infer pandas' string dtype, and converting back costs
    more than segmenting a short plan.
    """
    data = {
        name: (
            np.asarray(columns[name], dtype=np.int64)
            if name in _INT_COLUMNS
            else pd.array(columns[name], dtype="Int64")
            if name == "page"
            else pd.Series(columns[name], dtype=object)
        )
        for name in SEGMENT_COLUMNS
    }
    return pd.DataFrame(data, columns=list(SEGMENT_COLUMNS))
