"""Fuzzing: random and damaged input never crashes the readers or the segmenter.

Every input either reads (and then segments losslessly) or fails with one
:class:`InputFileError` that names the file.
"""

from __future__ import annotations

import html
import warnings
from pathlib import Path

import pandas as pd
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compare import read_plan
from compare.errors import InputFileError
from compare.io.readers import SourceText, read_document

DOCS = Path(__file__).resolve().parent / "data" / "docs"
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PREFIXES = [b"", b"%PDF-1.7\n", b"PK\x03\x04", b"<!DOCTYPE html><html><body>", b"\xef\xbb\xbf"]
SAMPLES = {name: (DOCS / name).read_bytes() for name in ("sumida.pdf", "sumida.docx", "plan.html")}


def _read_or_fail(path: Path) -> SourceText | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return read_document(path)
        except InputFileError as exc:
            assert str(path) in str(exc)
            return None


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@FUZZ
@given(
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(max_size=3000),
    ext=st.sampled_from([".txt", ".pdf", ".docx", ".html", ""]),
)
def test_random_bytes_read_or_fail_cleanly(tmp_path_factory, prefix: bytes, body: bytes, ext: str):
    path = _write(tmp_path_factory.mktemp("bytes"), f"doc{ext}", prefix + body)
    source = _read_or_fail(path)
    if source is not None:
        assert "\r" not in source.text
        assert all(0 <= i < len(source.lines) for i in source.hints)


@FUZZ
@given(name=st.sampled_from(sorted(SAMPLES)), cut=st.floats(min_value=0.0, max_value=1.0))
def test_truncated_documents_read_or_fail_cleanly(tmp_path_factory, name: str, cut: float):
    data = SAMPLES[name]
    path = _write(tmp_path_factory.mktemp("cut"), name, data[: int(len(data) * cut)])
    _read_or_fail(path)


@FUZZ
@given(
    name=st.sampled_from(sorted(SAMPLES)),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_damaged_documents_read_or_fail_cleanly(tmp_path_factory, name: str, flips):
    data = bytearray(SAMPLES[name])
    for where, value in flips:
        data[min(int(where * len(data)), len(data) - 1)] = value
    path = _write(tmp_path_factory.mktemp("flip"), name, bytes(data))
    _read_or_fail(path)


# --- the segmenter on documents with format hints -----------------------------------------

LINE = st.text(
    alphabet=st.sampled_from(list("地域福祉計画の推進。、（）1２①・◆第章 \tア")),
    min_size=0,
    max_size=30,
)
BLOCKS = st.lists(
    st.tuples(st.sampled_from(["p", "h1", "h2", "h3", "h5", "li", "tr", "br"]), LINE),
    min_size=1,
    max_size=25,
)


def _html_page(blocks: list[tuple[str, str]]) -> str:
    parts = ["<html><body><main>"]
    for tag, text in blocks:
        text = html.escape(text)
        if tag == "tr":
            parts.append(f"<table><tr><td>{text}</td><td>{text[::-1]}</td></tr></table>")
        elif tag == "li":
            parts.append(f"<ul><li>{text}</li></ul>")
        elif tag == "br":
            parts.append(f"<p>{text}<br>{text}</p>")
        else:
            parts.append(f"<{tag}>{text}</{tag}>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _docx(blocks: list[tuple[str, str]], path: Path) -> None:
    document = Document()
    for tag, text in blocks:
        if tag.startswith("h"):
            document.add_paragraph(text, style=f"Heading {tag[1]}")
        elif tag == "tr":
            table = document.add_table(rows=1, cols=2)
            table.rows[0].cells[0].text = text
            table.rows[0].cells[1].text = text[::-1]
        elif tag == "li":
            document.add_paragraph(text, style="List Bullet")
        else:
            document.add_paragraph(text)
    document.save(str(path))


def _check_lossless(segments: pd.DataFrame, source: SourceText) -> None:
    lines = source.lines
    covered: list[int] = []
    for row in segments.itertuples():
        assert 1 <= row.line_start <= row.line_end <= len(lines)
        assert row.raw == "\n".join(lines[row.line_start - 1 : row.line_end])
        covered.extend(range(row.line_start, row.line_end + 1))
        if row.kind == "heading":
            assert row.level >= 1 and row.heading_path.endswith(row.text)
    assert covered == sorted(set(covered))  # in order, no overlap
    # Every non-blank line is covered, so no source character is lost.
    assert {i + 1 for i, line in enumerate(lines) if line.strip()} <= set(covered)
    levels = segments.loc[segments["kind"] == "heading", "level"].tolist()
    assert all(b <= a + 1 for a, b in zip([0, *levels], levels, strict=False))  # no skipped level


@FUZZ
@given(blocks=BLOCKS, fmt=st.sampled_from(["html", "docx"]))
def test_segmenter_is_lossless_on_documents_with_hints(tmp_path_factory, blocks, fmt: str):
    folder = tmp_path_factory.mktemp("seg")
    path = folder / f"doc.{fmt}"
    if fmt == "html":
        path.write_text(_html_page(blocks), encoding="utf-8")
    else:
        _docx(blocks, path)
    source = _read_or_fail(path)
    if source is None:
        return  # e.g. no text at all: refused with a message
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segments = read_plan(path, plan_id="fuzz")
    _check_lossless(segments, source)
    headings = {i for i, h in source.hints.items() if h.kind == "heading"}
    found = set(segments.loc[segments["kind"] == "heading", "line_start"] - 1)
    assert headings <= found  # a hinted heading is always a heading


@FUZZ
@given(text=st.text(min_size=1, max_size=400))
def test_segmenter_reads_any_text_file_losslessly(tmp_path_factory, text: str):
    path = tmp_path_factory.mktemp("txt") / "plan.txt"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    source = _read_or_fail(path)
    if source is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segments = read_plan(path, plan_id="fuzz")
    _check_lossless(segments, source)
