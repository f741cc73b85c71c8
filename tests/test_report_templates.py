"""The report templates: every value escaped, the page layout, section kinds."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from compare.report.model import Briefing, Quote, ReportFigure, ReportTable, Section
from compare.report.render import md_escape, render_html, render_markdown, section_template

#: Markup, quotes and Markdown syntax in every kind of text a plan or catalogue can supply.
HOSTILE = "<script>alert('x')</script> \"引用\" & *強調* [リンク](http://e.invalid) | #"


def hostile_briefing() -> Briefing:
    table = ReportTable(
        key="t1",
        sheet=f"シート{HOSTILE}",
        title=f"表{HOSTILE}",
        frame=pd.DataFrame({"name": [HOSTILE, "短い"], HOSTILE: [1.5, 2]}),
    )
    hidden = ReportTable(key="t2", sheet="隠す", title="隠す表", frame=table.frame, shown=False)
    figure = ReportFigure(
        key="f1",
        title=f"図{HOSTILE}",
        caption=f"説明{HOSTILE}",
        figure=None,
        tables=["t1", "elsewhere"],
        png=b"\x89PNG",
        width_px=10,
        height_px=20,
    )
    quote = Quote(label=HOSTILE, plan=HOSTILE, heading_path=HOSTILE, lines="1 行目", text=HOSTILE)
    sections = [
        Section(
            key="s1",
            title=f"節{HOSTILE}",
            paragraphs=[f"段落{HOSTILE}"],
            bullets=[f"箇条{HOSTILE}"],
            figures=[figure],
            tables=[table, hidden],
            quotes=[quote, quote],
        ),
        Section(
            key="s2",
            title="注意の節",
            notice=f"注意{HOSTILE}",
            figures=[figure],
            collapsed_figures=True,
        ),
        Section(key="provenance", kind="provenance", title="出典"),
    ]
    return Briefing(
        title=f"題{HOSTILE}",
        subtitle=f"副題{HOSTILE}",
        sections=sections,
        provenance={"値": HOSTILE, "一覧": [HOSTILE, "b"], "辞書": {"k": HOSTILE}},
    )


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(hostile_briefing())


def test_every_value_is_escaped_with_the_standard_library_entities(page: str):
    assert "<script" not in page
    escaped = html.escape(HOSTILE, quote=True)
    assert "&#x27;" in escaped and "&quot;" in escaped
    # Title, subtitle, section title, paragraph, bullet, figure title and caption, table
    # title, sheet, column, cell, quotation label, plan, heading and text, notice, provenance.
    assert page.count(escaped) >= 18
    assert "&#39;" not in page and "&#34;" not in page


def test_page_structure_is_one_line_per_block(page: str):
    lines = page.splitlines()
    assert lines[:3] == ["<!DOCTYPE html>", '<html lang="ja">', "<head>"]
    assert page.endswith("</main>\n</body>\n</html>\n")
    assert sum(line.startswith('<a href="#') for line in lines) == 3
    assert sum(line.startswith("<section id=") for line in lines) == 3
    assert lines.count("</section>") == 3
    assert "Content-Security-Policy\" content=\"default-src 'none';" in page  # not escaped
    # The figure's table link is named by its sheet when the section holds the table.
    assert f'表「{html.escape("シート" + HOSTILE)}」: <a href="tables/t1.csv">CSV</a>' in page
    assert '表「elsewhere」: <a href="tables/elsewhere.csv">CSV</a>' in page
    assert 'width="10" height="20"' in page
    # Hidden tables stay out of the page; repeated quotation labels get one heading.
    assert "隠す表" not in page
    assert page.count(f"<h3>{html.escape(HOSTILE)}</h3>") == 1
    assert page.count("<blockquote>") == 2
    assert f"<details><summary>{html.escape('図' + HOSTILE)}</summary><figure>" in page
    assert '<td class="text">' in page and '<td class="num">1.50</td>' in page
    assert '<dl class="prov"><dt>値</dt>' in page


def test_markdown_escapes_markup_and_markdown_syntax():
    text = render_markdown(hostile_briefing())
    assert not re.search(r"(?<!\\)<script", text)
    assert "\\<script>" in text and "&lt;" not in text and "&amp;" not in text
    # Rendered by a CommonMark parser, the markup is text and no tag reaches the HTML.
    rendered = MarkdownIt("commonmark").render(text)
    assert "<script" not in rendered and "&lt;script&gt;alert(" in rendered
    assert "<em>強調</em>" not in rendered and '<a href="http://e.invalid"' not in rendered
    assert "\\*強調\\*" in text and "\\[リンク\\]" in text and "\\|" in text
    assert "![図" in text and "](figures/f1.png)" in text
    assert "[tables/t1.csv](tables/t1.csv)" in text
    assert "| 計画 | " in text  # a known column gets its Japanese label
    assert "|---|---:|" in text
    assert "> **注意**: 注意" in text
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "隠す表" not in text


def test_each_section_kind_names_its_templates():
    assert section_template(Section(key="a", title="a"), "html") == "section.html.j2"
    assert section_template(Section(key="p", title="p", kind="provenance"), "md") == (
        "provenance.md.j2"
    )


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("補正 p < .05", "補正 p < .05"),  # a "<" that opens no tag is left as written
        ("a<b>c", "a\\<b>c"),
        ("</p>", "\\</p>"),
        ("<!-- x -->", "\\<!-- x -->"),
        ("<計画>", "<計画>"),  # a tag name starts with an ASCII letter
        ("A & B", "A & B"),
        ("&lt; &#60;", "\\&lt; &\\#60;"),
        ("> 引用ではない", "\\> 引用ではない"),
        ("a > b", "a > b"),
        ("*x* _y_ [z] `c` | #", "\\*x\\* \\_y\\_ \\[z\\] \\`c\\` \\| \\#"),
        ("一行目\n二行目", "一行目 二行目"),
    ],
)
def test_markdown_escaping_uses_backslashes_only_where_markdown_needs_them(text, escaped):
    assert md_escape(text) == escaped
    # Whatever is escaped, a CommonMark renderer shows the original characters as text.
    rendered = MarkdownIt("commonmark").render("段落 " + md_escape(text))
    assert html.unescape(re.sub(r"</?p>\n?", "", rendered)) == "段落 " + " ".join(text.split("\n"))


def test_embedded_font_subset_leaves_no_file_open():
    """The @font-face subset is read from the font file, which must be closed again.

    An open font file is closed only by the garbage collector, which warns
    (ResourceWarning) at an arbitrary later point of the run.
    """
    import gc
    import warnings

    from compare.report.render import font_face

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        css = font_face("地域福祉計画")
        gc.collect()
    assert css.startswith("@font-face")
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
