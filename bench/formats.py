"""PDF/DOCX forms of the seeds vs their text; reading speed; memory on a large PDF.

Usage::

    python bench/formats.py               # speed on the test documents
    python bench/formats.py --large       # also: peak memory reading a ~200 MB PDF
    python bench/formats.py --extractors  # also: pypdf vs pypdfium2 vs pdfminer (LibreOffice)

Agreement: each seed is read from its text, PDF and DOCX forms; the script
prints heading F1 between forms (headings matched by text), depth agreement
on matched headings, and the share of identical segment texts.

Pages per second are measured on the generated seed documents in
``tests/data/docs`` (LibreOffice output, A4).  A DOCX has no fixed pages; its
page count is the one the producer stored in ``docProps/app.xml``.  The large
PDF holds 100 text pages, each with a 2 MB image, built in a temporary folder;
its peak resident memory is measured in a child process.  The reference for
speed is plain pypdf (``extract_text`` of every page) on the same files in the
same run: the reader's time is printed as a multiple of it.

Extractors (``--extractors``, needs LibreOffice): the seeds are laid out as
municipalities' PDFs are (running header, ``- N -`` footer, a table, a text
box, two-column pages; ``tests/pdf_layouts.py``) and printed by LibreOffice.
For each extractor the body is scored against the source: non-white-space
characters in order (difflib matching blocks over the longer of the two),
after dropping lines that are the running header or a page number.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This folder holds scripts named like standard modules (tokenize.py): keep it off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
DOCS = ROOT / "tests" / "data" / "docs"
SEEDS = ("sumida", "tama-6", "tokorozawa-2", "odawara-shakyo-4", "shimonoseki")


def _norm(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text))


def _f1(expected: Counter, found: Counter) -> float:
    matched = sum((expected & found).values())
    if not expected and not found:
        return 1.0
    precision = matched / max(1, sum(found.values()))
    recall = matched / max(1, sum(expected.values()))
    return 2 * precision * recall / (precision + recall) if matched else 0.0


def form_agreement(seed: str, fmt: str) -> dict[str, float]:
    """Headings and segments of a seed read from its PDF or DOCX form vs its text form.

    Headings are matched by text (NFKC, white space removed), since line
    numbers differ between forms; depth agreement is measured on matched
    headings.  ``same_segments`` is the share of the text form's non-meta
    segment texts that occur identically (white space ignored) in the other form.
    """
    import warnings

    from compare.structure.segment import read_plan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = read_plan(ROOT / "data" / "plans" / f"{seed}.txt")
        other = read_plan(DOCS / f"{seed}.{fmt}")

    def heads(frame):
        rows = frame.loc[frame["kind"] == "heading"]
        return [(_norm(t), int(d)) for t, d in zip(rows["text"], rows["level"], strict=True)]

    def bodies(frame):
        return Counter(_norm(t) for t in frame.loc[frame["kind"] != "meta", "text"])

    base_heads, other_heads = heads(base), heads(other)
    depth_base = dict(base_heads)
    matched = [(t, d) for t, d in other_heads if t in depth_base]
    same_depth = sum(1 for t, d in matched if depth_base[t] == d)
    base_bodies, other_bodies = bodies(base), bodies(other)
    return {
        "headings_text": len(base_heads),
        f"headings_{fmt}": len(other_heads),
        "heading_f1": _f1(Counter(t for t, _ in base_heads), Counter(t for t, _ in other_heads)),
        "depth_agreement": same_depth / len(matched) if matched else 1.0,
        "same_segments": sum((base_bodies & other_bodies).values()) / sum(base_bodies.values()),
    }


def agreement() -> None:
    for fmt in ("pdf", "docx"):
        for seed in SEEDS:
            scores = form_agreement(seed, fmt)
            shown = ", ".join(
                f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in scores.items()
            )
            print(f"{fmt} {seed}: {shown}")


def docx_pages(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        app = archive.read("docProps/app.xml").decode("utf-8")
    match = re.search(r"<Pages>(\d+)</Pages>", app)
    return int(match.group(1)) if match else 1


def speed(repeat: int) -> None:
    from compare.io.readers import read_document

    pages, started = 0, time.perf_counter()
    for _ in range(repeat):
        for seed in SEEDS:
            pages += _plain_pypdf(DOCS / f"{seed}.pdf")[0]
    reference = pages / (time.perf_counter() - started)
    print(f"reference: plain pypdf extract_text {reference:.1f} pages/s")
    for fmt in ("pdf", "docx"):
        read_document(DOCS / f"sumida.{fmt}")  # warm up: imports, first-use caches
        pages = 0
        started = time.perf_counter()
        for _ in range(repeat):
            for seed in SEEDS:
                path = DOCS / f"{seed}.{fmt}"
                source = read_document(path)
                pages += source.pages if fmt == "pdf" else docx_pages(path)
        elapsed = time.perf_counter() - started
        ratio = f" = {pages / elapsed / reference:.2f} x plain pypdf" if fmt == "pdf" else ""
        print(
            f"{fmt}: {pages} pages in {elapsed:.2f} s = {pages / elapsed:.1f} pages/s{ratio} "
            f"({repeat} x {len(SEEDS)} seed documents)"
        )


def _plain_pypdf(path: Path) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def _plain_pdfium(path: Path) -> tuple[int, str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    return len(texts), "\n".join(texts)


def _plain_pdfminer(path: Path) -> tuple[int, str]:
    from pdfminer.high_level import extract_text

    text = extract_text(str(path))
    return text.count("\f") or 1, text


def _reader(path: Path) -> tuple[int, str]:
    """The project's reader: its lines less those it marked as page furniture."""
    import warnings

    from compare.io.readers import read_document

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = read_document(path)
    body = [line for i, line in enumerate(source.lines) if i not in source.hints]
    return source.pages, "\n".join(body)


EXTRACTORS = {
    "pypdf": _plain_pypdf,
    "pypdfium2": _plain_pdfium,
    "pdfminer": _plain_pdfminer,
    "reader": _reader,
}


def char_accuracy(expected: str, found: str) -> float:
    """Share of non-white-space characters matched in order (difflib) over the longer text."""
    import difflib

    a, b = _ink(expected), _ink(found)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / max(len(a), len(b), 1)


def _ink(text: str) -> str:
    return re.sub(r"\s", "", text)


def _without_furniture(text: str, title: str) -> str:
    page_number = re.compile(r"^[-‐－—–]?\s*[0-9]{1,4}\s*[-‐－—–]?$")
    kept = [
        line
        for line in text.split("\n")
        if _ink(line) != _ink(title) and not page_number.match(line.strip())
    ]
    return "\n".join(kept)


def extractors(folder: Path) -> None:
    """Character accuracy and pages per second of each extractor on LibreOffice PDFs."""
    sys.path.insert(0, str(ROOT / "tests"))
    from compare.io.readers import read_document
    from pdf_layouts import layout_docx, to_pdf

    cases = []
    for seed in SEEDS:
        lines = (ROOT / "data" / "plans" / f"{seed}.txt").read_text(encoding="utf-8").split("\n")
        title = f"{seed} 地域福祉計画"
        layout = layout_docx(lines, folder / f"{seed}.docx", title)
        cases.append((to_pdf(folder / f"{seed}.docx", folder), layout))
    read_document(cases[0][0])  # warm up imports
    for name, extract in EXTRACTORS.items():
        if name == "pdfminer" and importlib.util.find_spec("pdfminer") is None:
            print("extractor pdfminer : not installed (pip install pdfminer.six), left out")
            continue
        scores, pages, started = [], 0, time.process_time()
        for pdf, layout in cases:
            n, text = extract(pdf)
            pages += n
            if name != "reader":
                text = _without_furniture(text, layout.title)
            scores.append(char_accuracy("\n".join(layout.body), text))
        elapsed = time.process_time() - started
        shown = " ".join(f"{score:.4f}" for score in scores)
        print(
            f"extractor {name:9}: body char accuracy mean {sum(scores) / len(scores):.4f} "
            f"min {min(scores):.4f} ({shown}); {pages} pages, {pages / elapsed:.1f} pages/s CPU"
        )


def make_large_pdf(path: Path, pages: int = 100, image_mb: float = 2.0) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    template = PdfReader(str(DOCS / "sumida.pdf")).pages[0]
    writer = PdfWriter()
    side = int((image_mb * 1024 * 1024 / 3) ** 0.5)
    for n in range(pages):
        page = writer.add_page(template)
        image = DecodedStreamObject()
        image.set_data(os.urandom(side * side * 3))
        image.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(side),
                NameObject("/Height"): NumberObject(side),
                NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                NameObject("/BitsPerComponent"): NumberObject(8),
            }
        )
        resources = page["/Resources"].get_object()
        xobjects = DictionaryObject({NameObject(f"/Im{n}"): writer._add_object(image)})
        resources[NameObject("/XObject")] = xobjects
        content = page.get_contents()
        data = content.get_data() + f"\nq 100 0 0 100 0 0 cm /Im{n} Do Q\n".encode()
        content.set_data(data)
        page.replace_contents(content)
    with path.open("wb") as handle:
        writer.write(handle)


def large() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.pdf"
        # Built in a child so that this process stays small: a child's peak RSS
        # starts from its parent's.
        subprocess.run([sys.executable, __file__, "--make-large", str(path)], check=True, cwd=ROOT)
        size = path.stat().st_size / 1e6
        # VmHWM (peak resident memory of this process image) resets on exec,
        # unlike ru_maxrss, which a child inherits from its parent.
        code = (
            "import re, time\n"
            "def hwm():\n"
            "    status = open('/proc/self/status').read()\n"
            "    return int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)) // 1024\n"
            "from compare.io.readers import read_document\n"
            "import pypdf\n"
            "base = hwm()\n"
            "t = time.perf_counter()\n"
            f"s = read_document({str(path)!r})\n"
            "t = time.perf_counter() - t\n"
            "print(s.pages, round(t, 2), base, hwm())\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
        pages, seconds, base, peak = out
        print(
            f"large pdf: {size:.0f} MB, {pages} pages read in {seconds} s; peak RSS {peak} MB "
            f"(after imports {base} MB, so reading added {int(peak) - int(base)} MB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--large", action="store_true", help="also measure a ~200 MB PDF")
    parser.add_argument(
        "--extractors", action="store_true", help="also compare PDF extractors (LibreOffice)"
    )
    parser.add_argument("--make-large", metavar="PDF", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_large:
        make_large_pdf(Path(args.make_large))
        return
    agreement()
    speed(args.repeat)
    if args.extractors:
        with tempfile.TemporaryDirectory() as folder:
            extractors(Path(folder))
    if args.large:
        large()


if __name__ == "__main__":
    main()
