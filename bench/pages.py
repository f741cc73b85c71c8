"""Are the pages cited for PDF plans right?  Quotations, KWIC rows and headings, end to end.

Usage::

    python -P bench/pages.py            # kept PDFs only
    python -P bench/pages.py --print    # also seeds printed by LibreOffice, across and 縦書き

The PDFs are the kept LibreOffice prints of ``tests/data/docs`` (running
header, ``- N -`` footer, table, text box, two-column pages; one set in
vertical text) and, with ``--print``, three seeds laid out the same way and in
vertical text (``tests/pdf_layouts.py``).  They are read as a catalogue with
:func:`compare.pipeline.run_pipeline` and :func:`compare.read_corpus`; what
each page holds is read with pypdf, an extractor independent of the one the
package uses (text without white space).

Printed figures:

- quotation candidates whose first 10 characters are printed on the page they
  cite, and those whose whole (clipped) text is on that page (the others run
  onto the next page, or pypdf orders a two-column page differently);
- KWIC rows of 地域福祉 whose match (with its context) is on the cited page;
- headings whose first word is on the cited page.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
DOCS = ROOT / "tests" / "data" / "docs"
KEPT = {
    "sumida": ("layout-sumida.pdf", "墨田区"),
    "tokorozawa": ("layout-tokorozawa-2.pdf", "所沢市"),
    "tokorozawa-vertical": ("layout-vertical.pdf", "所沢市"),
}
PRINTED = {"tama-6": "多摩区", "shimonoseki": "下関市", "odawara-shakyo-4": "小田原市"}


def _ink(text: str) -> str:
    return re.sub(r"\s", "", text)


def _pages(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    return [_ink(page.extract_text() or "") for page in PdfReader(pdf).pages]


def _print_seeds(folder: Path) -> dict[str, tuple[Path, str]]:
    from tests.pdf_layouts import layout_docx, to_pdf, vertical_docx

    plans = {}
    for seed, town in PRINTED.items():
        lines = (ROOT / "data" / "plans" / f"{seed}.txt").read_text(encoding="utf-8").split("\n")
        for name, build in ((seed, layout_docx), (f"{seed}-vertical", vertical_docx)):
            work = folder / name
            work.mkdir()
            build(lines, work / f"{name}.docx", "地域福祉計画（案）")
            plans[name] = (to_pdf(work / f"{name}.docx", work), town)
    return plans


def _catalog(folder: Path, plans: dict[str, tuple[Path, str]]) -> Path:
    rows = ["plan_id,path,municipality,author,plan_type,doc_kind"]
    for plan_id, (pdf, town) in plans.items():
        (folder / f"{plan_id}.pdf").write_bytes(pdf.read_bytes())
        rows.append(f"{plan_id},{plan_id}.pdf,{town},自治体,地域福祉計画,full")
    path = folder / "catalog.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--print", action="store_true", help="also print seeds with LibreOffice")
    args = parser.parse_args()
    from compare import read_corpus, stat_kwic
    from compare.pipeline import run_pipeline

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plans = {p: (DOCS / name, town) for p, (name, town) in KEPT.items()}
        if args.print:
            plans.update(_print_seeds(folder))
        catalog = _catalog(folder, plans)
        printed = {p: _pages(folder / f"{p}.pdf") for p in plans}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quotes = run_pipeline(catalog, n_jobs=1, cache=False, progress=False).quotes
            segments = read_corpus(catalog)
            kwic = stat_kwic(segments, "地域福祉", width=4)
    on = [
        (_ink(text)[:10] in printed[p][page - 1], _ink(text) in printed[p][page - 1])
        for p, page, text in zip(quotes["plan_id"], quotes["page"], quotes["text"], strict=True)
    ]
    rows = [
        _ink(left + match)[-6:] in printed[p][page - 1]
        or _ink(match + right)[:6] in printed[p][page - 1]
        for p, page, left, match, right in zip(
            kwic["plan_id"], kwic["page"], kwic["left"], kwic["match"], kwic["right"], strict=True
        )
    ]
    heads = segments[segments["kind"] == "heading"]
    headings = [
        _ink(text.split()[0])[:6] in printed[p][page - 1]
        for p, page, text in zip(heads["plan_id"], heads["page"], heads["text"], strict=True)
    ]
    print(f"plans: {len(plans)}, pages: {sum(map(len, printed.values()))}")
    print(
        f"quotations: {len(on)}, start on the cited page: {sum(a for a, _ in on)}, "
        f"whole text on the cited page: {sum(b for _, b in on)}"
    )
    print(f"kwic rows (地域福祉): {len(rows)}, on the cited page: {sum(rows)}")
    print(f"headings: {len(headings)}, on the cited page: {sum(headings)}")


if __name__ == "__main__":
    main()
