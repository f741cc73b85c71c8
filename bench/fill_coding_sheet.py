"""Fill a coding sheet of corpus-dev from its blind gold coding, then validate it.

Run: python bench/fill_coding_sheet.py [--n 120] [--out DIR] [--corpus-dev DIR]

Writes a catalogue of the corpus-dev texts and a coding sheet of ``n``
sampled passages (``compare coding-sheet``), fills each row from the gold
theme units on its lines (as the external scorer reads them: the union of
the units' themes, paragraph-level themes when several lines share the
passage; borderline themes count as absent), drops rows that no gold unit
covers (the gold has no judgement there), saves the filled sheet and prints
``compare validate`` on it.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import warnings
from pathlib import Path

# bench/ holds scripts named like standard modules (tokenize.py); keep them off the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from openpyxl import load_workbook  # noqa: E402

from compare import read_corpus, themes_wide, write_coding_sheet  # noqa: E402

DEV_PLACES = (
    _HERE.parent.parent / "shared" / "corpus-dev",
    _HERE.parents[2] / "shared" / "corpus-dev",
)


def write_catalog(dev: Path, out: Path) -> Path:
    """A catalogue of the corpus-dev texts (one row per text, paths absolute)."""
    path = out / "corpus-dev-catalog.csv"
    with (dev / "sources.csv").open(encoding="utf-8") as handle:
        sources = {row["id"]: row for row in csv.DictReader(handle)}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["plan_id", "path", "municipality", "author", "plan_type", "doc_kind", "title"]
        )
        for text in sorted((dev / "texts").glob("*.txt")):
            row = sources.get(text.stem, {})
            writer.writerow(
                [
                    text.stem,
                    str(text),
                    row.get("municipality") or text.stem,
                    "自治体",
                    "地域福祉計画",
                    "excerpt",
                    row.get("title") or text.stem,
                ]
            )
    return path


def gold_themes(units: list[dict], first: int, last: int) -> set[str] | None:
    """The gold themes of a passage on lines first..last (None: no gold unit there)."""
    inside = [u for u in units if first <= u["line"] <= last]
    if not inside:
        return None
    multi = len({u["line"] for u in inside}) > 1
    out: set[str] = set()
    for unit in inside:
        prefix = "paragraph_" if multi and "paragraph_themes" in unit else ""
        out |= set(unit[prefix + "themes"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    found = next((p for p in DEV_PLACES if (p / "gold" / "themes.json").is_file()), None)
    parser.add_argument("--corpus-dev", type=Path, default=found)
    parser.add_argument("--n", type=int, default=120)
    parser.add_argument("--out", type=Path, default=Path("out") / "coding-sheet")
    args = parser.parse_args()
    if args.corpus_dev is None:
        parser.error("corpus-dev not found; pass --corpus-dev DIR")
    args.out.mkdir(parents=True, exist_ok=True)
    catalog = write_catalog(args.corpus_dev, args.out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # excerpts without headings warn
        wide = themes_wide(read_corpus(catalog), warn_unmatched=False)
    sheet = args.out / "corpus-dev-sheet.xlsx"
    write_coding_sheet(wide, sheet, n=args.n, catalog=str(catalog.resolve()), force=sheet.exists())
    units: dict[str, list[dict]] = {}
    for unit in json.loads((args.corpus_dev / "gold" / "themes.json").read_text("utf-8")):
        units.setdefault(unit["file"], []).append(unit)
    book = load_workbook(sheet)
    coding = book["coding"]
    header = [c.value for c in coding[1]]
    ids = header[header.index("note") + 1 :]
    dropped = []
    for number in range(coding.max_row, 1, -1):
        plan = coding.cell(number, header.index("plan_id") + 1).value
        lines = str(coding.cell(number, header.index("lines") + 1).value)
        first, _, last = lines.partition("-")
        gold = gold_themes(units.get(plan, []), int(first), int(last or first))
        if gold is None:
            dropped.append(f"{plan}:{lines}")
            coding.delete_rows(number)
            continue
        for j, theme in enumerate(ids, start=header.index("note") + 1):
            coding.cell(number, j + 1).value = "○" if theme in gold else "×"
    filled = args.out / "corpus-dev-sheet-filled.xlsx"
    book.save(filled)
    kept = args.n - len(dropped)
    print(
        f"sheet: {sheet}; filled from the gold: {filled} ({kept} passages; {len(dropped)} "
        "sampled passages had no gold unit and were dropped)"
    )
    compare = Path(sys.executable).with_name("compare")
    subprocess.run([str(compare), "validate", str(filled)], check=True)


if __name__ == "__main__":
    main()
