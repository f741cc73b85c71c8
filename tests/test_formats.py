"""Reading PDF, DOCX and HTML documents: text, pages, hints and bad input."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from compare import read_plan, read_text
from compare.errors import InputFileError
from compare.io.formats import detect_format
from compare.io.readers import read_document
from tests.conftest import PLANS

DOCS = Path(__file__).resolve().parent / "data" / "docs"
SEEDS = ["sumida", "tama-6", "tokorozawa-2", "odawara-shakyo-4", "shimonoseki"]
# The running header each seed PDF was printed with (see data/docs/make_docs.py).
HEADERS = {
    "sumida": "墨田区地域福祉計画",
    "tama-6": "第６期多摩区地域福祉計画（案）",
    "tokorozawa-2": "第2次所沢市地域福祉計画 概要版",
    "odawara-shakyo-4": "第4期 地域福祉活動計画",
    "shimonoseki": "下関市地域福祉計画",
}


def _no_space(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sumida.pdf", "pdf"),
        ("owner-locked.pdf", "pdf"),
        ("sumida.docx", "docx"),
        ("styled.docx", "docx"),
        ("plan.html", "html"),
        ("plan-sjis.html", "html"),
    ],
)
def test_format_is_detected_from_content(tmp_path: Path, name: str, expected: str):
    assert detect_format(DOCS / name) == expected
    renamed = tmp_path / "document.txt"  # the extension does not decide
    renamed.write_bytes((DOCS / name).read_bytes())
    assert detect_format(renamed) == expected


def test_plan_texts_with_html_inside_stay_text():
    # odawara's table cells hold <ul><li> lists: HTML fragments do not make a page.
    assert [detect_format(path) for path in sorted(PLANS.glob("*.txt"))] == ["text"] * 5


@pytest.mark.parametrize("seed", SEEDS)
def test_docx_made_from_a_seed_gives_back_its_lines(seed: str):
    text = read_text(PLANS / f"{seed}.txt")
    source = read_document(DOCS / f"{seed}.docx")
    assert source.format == "docx"
    expected = text.lines[:-1] if text.lines[-1] == "" else text.lines
    assert source.lines == expected


@pytest.mark.parametrize("seed", SEEDS)
def test_pdf_text_layer_is_the_seed_text_plus_running_lines(seed: str):
    text = read_text(PLANS / f"{seed}.txt")
    source = read_document(DOCS / f"{seed}.pdf")
    meta = {i for i, hint in source.hints.items() if hint.kind == "meta"}
    body = "".join(line for i, line in enumerate(source.lines) if i not in meta)
    assert _no_space(body) == _no_space(text.text)
    # What was marked meta is exactly the running header and the "- N -" footers.
    marked = {_no_space(source.lines[i]) for i in meta}
    pages = {f"-{n}-" for n in range(1, source.pages + 1)}
    assert marked == {_no_space(HEADERS[seed])} | pages


@pytest.mark.parametrize("seed", SEEDS)
def test_pdf_positions_are_page_and_line(seed: str):
    source = read_document(DOCS / f"{seed}.pdf")
    assert source.pages >= 2 and len(source.line_pages) == len(source.lines)
    # Each page's running header is printed on that page.
    headers = [
        i
        for i, line in enumerate(source.lines)
        if _no_space(line) == _no_space(HEADERS[seed]) and i in source.hints
    ]
    assert [source.position(i + 1)[0] for i in headers] == list(range(1, source.pages + 1))
    for page, start in enumerate(source.page_starts, start=1):
        assert source.line_pages[start] == page  # the first line in reading order of the page
        assert page not in source.line_pages[:start]
    last = len(source.lines)
    assert source.position(last) == (source.pages, source.line_pages.count(source.pages))


def test_text_files_have_no_pages():
    source = read_document(PLANS / "sumida.txt")
    assert (source.format, source.pages, source.position(3), dict(source.hints)) == (
        "text",
        0,
        None,
        {},
    )


def test_owner_locked_pdf_opens_without_a_password():
    # Many municipal PDFs forbid editing or printing but open freely.
    locked = read_document(DOCS / "owner-locked.pdf")
    assert locked.lines == read_document(DOCS / "sumida.pdf").lines


def test_docx_heading_styles_become_heading_hints():
    source = read_document(DOCS / "styled.docx")
    headings = {
        source.lines[i]: hint.depth for i, hint in source.hints.items() if hint.kind == "heading"
    }
    assert headings == {
        "計画の策定にあたって": 1,  # a user style with outline level 0
        "計画策定の趣旨": 2,  # a user style named 見出し 2
        "計画の位置づけ": 2,
        "基本理念と基本目標": 1,  # built-in Heading 1
    }
    kinds = {source.lines[i]: hint.kind for i, hint in source.hints.items()}
    assert kinds["見守り活動の推進"] == "list_item"
    assert kinds["指標\t現状値\t目標値"] == "table_row"
    # A merged cell is written once; the empty row is left out.
    assert "出典：市民アンケート\t令和5年度" in source.lines
    assert "\t\t" not in source.text
    # A manual line break inside a paragraph starts a new line.
    assert source.lines[-2:] == [
        "地域で支え合う仕組みをつくります。",
        "重層的支援体制を整備します。",
    ]


@pytest.mark.parametrize(
    ("paragraph", "line"),
    [
        ("第1章\t計画の策定にあたって", "第1章 計画の策定にあたって"),
        ("（１）\t関連計画との関係", "（１） 関連計画との関係"),
        ("①\t見守り", "① 見守り"),
        ("住民・地域\t市社協、福祉施設", "住民・地域\t市社協、福祉施設"),
        ("基本理念\t基本方針\t基本施策", "基本理念\t基本方針\t基本施策"),
    ],
)
def test_docx_tab_after_a_heading_number_is_a_space(tmp_path: Path, paragraph: str, line: str):
    document = Document()
    document.add_paragraph(paragraph)
    path = tmp_path / "tabs.docx"
    document.save(str(path))
    assert read_document(path).lines == [line]


def test_docx_japanese_heading_style_with_fullwidth_digit(tmp_path: Path):
    document = Document()
    style = document.styles.add_style("見出し１", 1)
    document.add_paragraph("計画の基本理念", style=style)
    document.add_paragraph("本文です。")
    path = tmp_path / "ja.docx"
    document.save(str(path))
    source = read_document(path)
    assert source.hints[0].kind == "heading" and source.hints[0].depth == 1


@pytest.mark.parametrize("name", ["plan.html", "plan-sjis.html"])
def test_html_main_text_without_navigation(name: str):
    source = read_document(DOCS / name)
    assert source.encoding == ("cp932" if "sjis" in name else "utf-8-sig")
    for dropped in (
        "ホーム",
        "公式ホームページ",
        "トップ",
        "ナビゲーション",
        "広告",
        "JavaScript",
        "関連リンク",
        "電話",
    ):
        assert dropped not in source.text, dropped
    headings = [(source.lines[i], h.depth) for i, h in source.hints.items() if h.kind == "heading"]
    assert headings == [
        ("第３次サンプル市地域福祉計画", 1),
        ("第１章\u3000計画の策定にあたって", 2),
        ("1\u3000計画策定の趣旨", 3),
        ("2\u3000計画の位置づけ", 3),
        ("第２章\u3000基本目標", 2),
    ]
    # A source line break between Japanese characters is not a space; <br> is a new line.
    assert "少子高齢化の進行により、地域の支え合いの力が弱まっています。" in source.lines
    assert "このため、住民と行政が協働して地域福祉を推進します。" in source.lines
    assert "地域活動に参加している人の割合\t25.3%\t30.0% （増加）" in source.lines
    assert "本計画は社会福祉法第107条に基づく“地域福祉計画”です。" in source.lines


def test_html_without_main_drops_navigation_by_id_and_class(tmp_path: Path):
    page = (
        "<html><body><div id='gnavi'><a>くらし</a></div>"
        "<div class='breadcrumb'>トップ &gt; 福祉</div>"
        "<div id='contents'><h2>地域福祉計画</h2><p>計画を策定しました。</p></div>"
        "<div id='tmp_footer'>問い合わせ先</div></body></html>"
    )
    path = tmp_path / "page.htm"
    path.write_text(page, encoding="utf-8")
    assert read_document(path).lines == ["地域福祉計画", "計画を策定しました。"]


def test_vertical_text_is_read_column_by_column_from_the_right():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        segments = read_plan(DOCS / "vertical.pdf")
    source = (PLANS / "sumida.txt").read_text(encoding="utf-8").split("\n")
    prose = [line for line in source[:12] if line.endswith("。")]
    assert len(prose) == 2
    # Each paragraph whole and in the source's order (次の3点 without a space: an
    # upright digit stands in a full-width cell).
    assert [text for text in segments["text"] if text.endswith("。")] == prose
    assert segments["text"].iloc[0].replace(" ", "") == "1計画の基本理念"


def test_seed_pdfs_read_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for seed in SEEDS:
            read_document(DOCS / f"{seed}.pdf")


def _truncated_pdf(tmp_path: Path) -> Path:
    data = (DOCS / "sumida.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    return path


def _text_named_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "plan.pdf"
    path.write_text("<!DOCTYPE html><p>404 Not Found</p>", encoding="utf-8")
    return path


def _png_named_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    return path


def _sparse(tmp_path: Path, name: str, head: bytes, size: int) -> Path:
    path = tmp_path / name
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)
    return path


MB = 1024 * 1024

BAD_INPUTS = [
    ("scanned", lambda tmp: DOCS / "scanned.pdf", "no text layer.*OCR needed"),
    ("encrypted", lambda tmp: DOCS / "encrypted.pdf", "encrypted and needs a password"),
    ("zero-bytes", lambda tmp: DOCS / "empty.pdf", r"file is empty \(0 bytes\)"),
    ("fake-docx", lambda tmp: DOCS / "fake.docx", "not a Word document.*readme.txt"),
    ("truncated-pdf", _truncated_pdf, "PDF is truncated"),
    ("text-named-pdf", _text_named_pdf, "named .pdf but it is not a PDF"),
    ("png-named-pdf", _png_named_pdf, "PNG image.*OCR needed"),
    (
        "200MB-text",
        lambda tmp: _sparse(tmp, "huge.txt", "第1章\n".encode(), 200 * MB),
        "larger than the 105 MB limit for one text plan document",
    ),
    (
        "200MB-pdf",
        lambda tmp: _sparse(tmp, "huge.pdf", b"%PDF-1.7\n", 200 * MB),
        "PDF is truncated",
    ),
    (
        "200MB-docx",
        lambda tmp: _sparse(tmp, "huge.docx", b"PK\x03\x04", 200 * MB),
        "damaged ZIP archive",
    ),
]


@pytest.mark.parametrize(
    ("make", "message"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_documents_get_one_clear_error(tmp_path: Path, make, message: str):
    path = make(tmp_path)
    before = path.stat()
    with pytest.raises(InputFileError, match=message) as info:
        read_document(path)
    assert str(path) in str(info.value)
    assert path.stat().st_mtime_ns == before.st_mtime_ns  # never touched


def test_docx_size_limit_says_why(monkeypatch: pytest.MonkeyPatch):
    import compare.io.readers

    monkeypatch.setattr(compare.io.readers, "MAX_DOCX_BYTES", 1000)
    with pytest.raises(InputFileError, match="python-docx loads the whole package"):
        read_document(DOCS / "styled.docx")


# --- the segmenter on documents ------------------------------------------------------------


def _quiet_plan(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_plan(path)


@pytest.mark.parametrize("seed", SEEDS)
def test_docx_form_segments_like_the_text_form(seed: str):
    text = _quiet_plan(PLANS / f"{seed}.txt")
    docx = _quiet_plan(DOCS / f"{seed}.docx")
    columns = ["kind", "level", "heading_path", "text", "line_start", "line_end"]
    pd.testing.assert_frame_equal(docx[columns], text[columns])
    assert docx.attrs["format"] == {seed: "docx"}


def _heading_f1(expected: list[str], found: list[str]) -> tuple[int, int, int]:
    matched = sum((Counter(expected) & Counter(found)).values())
    return matched, len(expected), len(found)


def test_pdf_forms_find_the_headings_of_the_text_forms():
    matched = expected = found = 0
    for seed in SEEDS:
        text, pdf = _quiet_plan(PLANS / f"{seed}.txt"), _quiet_plan(DOCS / f"{seed}.pdf")
        heads = [
            [_no_space(t) for t in frame.loc[frame["kind"] == "heading", "text"]]
            for frame in (text, pdf)
        ]
        m, e, f = _heading_f1(*heads)
        matched, expected, found = matched + m, expected + e, found + f
    precision, recall = matched / found, matched / expected
    assert 2 * precision * recall / (precision + recall) >= 0.85


@pytest.mark.parametrize("seed", SEEDS)
def test_pdf_segments_record_pages_and_running_lines_are_meta(seed: str):
    segments = _quiet_plan(DOCS / f"{seed}.pdf")
    source = read_document(DOCS / f"{seed}.pdf")
    starts = segments.attrs["pages"][seed]
    assert len(starts) >= 2 and starts[0] == 1
    # Every segment records the page its first line is printed on.
    assert segments["page"].tolist() == [source.line_pages[i - 1] for i in segments["line_start"]]
    assert segments["page_label"].tolist() == [str(p) for p in segments["page"]]
    # Each page's running header is a meta segment of its own, on that page.
    hinted = (segments["line_start"] - 1).isin(list(source.hints))
    header = hinted & (segments["text"].map(_no_space) == _no_space(HEADERS[seed]))
    assert (segments.loc[header, "kind"] == "meta").all()
    assert segments.loc[header, "page"].tolist() == list(range(1, len(starts) + 1))
    body = segments.loc[segments["kind"] != "meta", "text"]
    assert not body.str.contains(r"- \d+ -").any()
    title = _no_space(HEADERS[seed])  # in the body only as often as in the text form's body
    text = _quiet_plan(PLANS / f"{seed}.txt")
    in_text = text.loc[text["kind"] != "meta", "text"]
    assert sum(_no_space(t).count(title) for t in body) == sum(
        _no_space(t).count(title) for t in in_text
    )


def test_docx_styles_give_headings_and_depths():
    segments = _quiet_plan(DOCS / "styled.docx")
    heads = segments.loc[segments["kind"] == "heading"]
    outline = list(zip(heads["text"], heads["level"], strict=True))
    assert outline == [
        ("計画の策定にあたって", 1),
        ("計画策定の趣旨", 2),
        ("計画の位置づけ", 2),
        ("（１）関連計画との関係", 3),  # numbered in the text, nested below the styled heading
        ("基本理念と基本目標", 1),
    ]
    kinds = dict(zip(segments["text"], segments["kind"], strict=True))
    assert kinds["見守り活動の推進"] == "list_item"
    assert kinds["指標\t現状値\t目標値"] == "table_row"


def test_html_headings_nest_without_skipping_levels(tmp_path: Path):
    page = "<main><h1>計画</h1><h3>趣旨</h3><p>本文です。</p><h2>目標</h2><p>本文です。</p></main>"
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    segments = _quiet_plan(path)
    heads = segments.loc[segments["kind"] == "heading"]
    assert list(zip(heads["text"], heads["level"], strict=True)) == [
        ("計画", 1),
        ("趣旨", 2),
        ("目標", 2),
    ]
    assert list(heads["heading_path"]) == ["計画", "計画 > 趣旨", "計画 > 目標"]
