"""Theme coding accuracy on development data: corpus-dev halves and the bundled seeds.

Run: python bench/theme_accuracy.py [--corpus-dev DIR] [--themes YAML] [--per-theme]

corpus-dev (real excerpts of other plans, with blind gold theme units) is
split deterministically in two halves: file ids sorted, alternate ids to
half A and half B.  Rules are tuned on half A only; half B is the held-out
check.  Each half is scored exactly as the external measure scores
``compare themes FILE --json``: a gold unit maps to the segments whose
line range holds its line and whose text holds its snippet; units mapped
to the same segments are scored together; borderline themes are neither
right nor wrong; meta/toc units carry no themes.

The seeds are scored against both hand codings in ``tests/data`` (the
project's own and the independent one), a passage per gold line range, the
predicted themes the union over overlapping segments.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import sys
import unicodedata
from pathlib import Path

# bench/ holds scripts named like standard modules (tokenize.py); keep them off the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from compare import code_themes, load_themes, read_corpus, read_plan  # noqa: E402

ROOT = _HERE.parent
#: Where corpus-dev is looked for: beside the checkout, or beside its parent folder.
DEV_PLACES = (ROOT.parent / "shared" / "corpus-dev", ROOT.parent.parent / "shared" / "corpus-dev")
SEED_GOLD = (
    ("project", ROOT / "tests" / "data" / "theme_gold.csv"),
    ("independent", ROOT / "tests" / "data" / "independent" / "themes.csv"),
)

Counts = dict[str, list[int]]  # theme -> [tp, fp, fn]


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def find_corpus_dev() -> Path | None:
    """The corpus-dev folder (texts/ and gold/), or None when it is not on this machine."""
    return next((p for p in DEV_PLACES if (p / "gold" / "themes.json").is_file()), None)


def halves(dev: Path) -> dict[str, list[str]]:
    """The two halves of corpus-dev: sorted ids, alternating (A gets the first)."""
    ids = sorted(p.stem for p in (dev / "texts").glob("*.txt"))
    return {"A": ids[0::2], "B": ids[1::2]}


def predict(path: Path, themes: object) -> list[dict]:
    """What ``compare themes FILE --json`` prints, computed in process."""
    segments = read_plan(path)
    coded = code_themes(segments, themes, warn_unmatched=False)
    by_seg: dict[int, set[str]] = collections.defaultdict(set)
    for seg, theme in zip(coded["seg_id"], coded["theme_id"], strict=True):
        by_seg[int(seg)].add(str(theme))
    return [
        {
            "line_start": int(r.line_start),
            "line_end": int(r.line_end),
            "text": str(r.text),
            "themes": by_seg.get(int(r.seg_id), set()),
        }
        for r in segments.itertuples(index=False)
    ]


def score_dev_file(units: list[dict], segs: list[dict], counts: Counts) -> None:
    """Add one file's (tp, fp, fn) per theme, as the external scorer counts them."""
    groups: dict[tuple[int, ...], list[dict]] = collections.defaultdict(list)
    for unit in units:
        cover = [i for i, s in enumerate(segs) if s["line_start"] <= unit["line"] <= s["line_end"]]
        if not any(_norm(unit["snippet"]) in _norm(segs[i]["text"]) for i in cover):
            for theme in unit["themes"]:
                counts[theme][2] += 1
            continue
        groups[tuple(cover)].append(unit)
    for key, group in groups.items():
        multi = len({u["line"] for u in group}) > 1
        gold: set[str] = set()
        border: set[str] = set()
        for unit in group:
            prefix = "paragraph_" if multi and "paragraph_themes" in unit else ""
            gold |= set(unit[prefix + "themes"])
            border |= set(unit.get(prefix + "borderline_themes", []))
        pred = set().union(*(segs[i]["themes"] for i in key))
        for theme in pred & gold:
            counts[theme][0] += 1
        for theme in pred - gold - border:
            counts[theme][1] += 1
        for theme in gold - pred:
            counts[theme][2] += 1


def score_dev(
    dev: Path, names: list[str], themes: object, gold_units: list[dict], show: object = None
) -> Counts:
    """(tp, fp, fn) per theme over the corpus-dev files ``names``."""
    counts: Counts = collections.defaultdict(lambda: [0, 0, 0])
    for name in names:
        segs = predict(dev / "texts" / f"{name}.txt", themes)
        units = [u for u in gold_units if u["file"] == name]
        score_dev_file(units, segs, counts)
        if callable(show):
            show(name, units, segs)
    return counts


def score_seeds(gold_csv: Path, themes: object, ids: list[str]) -> Counts:
    """(tp, fp, fn) per theme on the seeds against one hand coding."""
    segments = read_corpus()
    coded = code_themes(segments, themes, warn_unmatched=False)
    hits = coded.groupby(["plan_id", "seg_id"])["theme_id"].agg(set).to_dict()
    spans = [
        (str(p), int(a), int(b), hits.get((str(p), int(s)), set()))
        for p, a, b, s in zip(
            segments["plan_id"],
            segments["line_start"],
            segments["line_end"],
            segments["seg_id"],
            strict=True,
        )
    ]
    counts: Counts = collections.defaultdict(lambda: [0, 0, 0])
    with gold_csv.open(encoding="utf-8") as handle:
        for unit in csv.DictReader(handle):
            start, end = int(unit["line_start"]), int(unit["line_end"])
            pred: set[str] = set()
            for plan, a, b, found in spans:
                if plan == unit["plan_id"] and a <= end and b >= start:
                    pred |= found
            gold = set(unit["themes"].split())
            for theme in ids:
                if theme in pred and theme in gold:
                    counts[theme][0] += 1
                elif theme in pred:
                    counts[theme][1] += 1
                elif theme in gold:
                    counts[theme][2] += 1
    return counts


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0 when undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def summary(name: str, counts: Counts, per_theme: bool) -> str:
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    p, r, f = prf(tp, fp, fn)
    lines = [f"{name:24s} micro P {p:.2f} R {r:.2f} F1 {f:.2f}  (tp {tp} fp {fp} fn {fn})"]
    if per_theme:
        for theme, (a, b, c) in sorted(counts.items()):
            lines.append(f"    {theme:20s} tp {a:3d} fp {b:3d} fn {c:3d}  F1 {prf(a, b, c)[2]:.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus-dev", type=Path, default=find_corpus_dev())
    parser.add_argument("--themes", default=None, help="theme catalogue (default: bundled)")
    parser.add_argument("--per-theme", action="store_true")
    parser.add_argument("--misses", choices=("A", "B"), help="print unit-level errors of a half")
    args = parser.parse_args()
    if args.corpus_dev is None:
        parser.error("corpus-dev not found; pass --corpus-dev DIR")
    theme_list = load_themes(args.themes)
    ids = [t.id for t in theme_list]
    gold_units = json.loads((args.corpus_dev / "gold" / "themes.json").read_text("utf-8"))
    total: Counts = collections.defaultdict(lambda: [0, 0, 0])
    for half, names in halves(args.corpus_dev).items():
        show = _print_misses if args.misses == half else None
        counts = score_dev(args.corpus_dev, names, theme_list, gold_units, show)
        for theme, c in counts.items():
            for i in range(3):
                total[theme][i] += c[i]
        print(summary(f"corpus-dev half {half}", counts, args.per_theme))
    print(summary("corpus-dev all", total, args.per_theme))
    for name, path in SEED_GOLD:
        print(summary(f"seeds ({name} gold)", score_seeds(path, theme_list, ids), args.per_theme))


def _print_misses(name: str, units: list[dict], segs: list[dict]) -> None:
    """Per segment group (as scored): missed (-) and wrong (+) themes, with the text."""
    counts: Counts = collections.defaultdict(lambda: [0, 0, 0])
    groups: dict[tuple[int, ...], list[dict]] = collections.defaultdict(list)
    for unit in units:
        cover = [i for i, s in enumerate(segs) if s["line_start"] <= unit["line"] <= s["line_end"]]
        groups[tuple(cover)].append(unit)
    for key, group in groups.items():
        before = sum(c[1] + c[2] for c in counts.values())
        score_dev_file(group, segs, counts)
        if sum(c[1] + c[2] for c in counts.values()) == before:
            continue
        multi = len({u["line"] for u in group}) > 1
        prefix = "paragraph_" if multi and "paragraph_themes" in group[0] else ""
        gold = set().union(*(set(u[prefix + "themes"]) for u in group))
        border = set().union(*(set(u.get(prefix + "borderline_themes", [])) for u in group))
        pred = set().union(*(segs[i]["themes"] for i in key)) if key else set()
        text = " ".join(segs[i]["text"] for i in key).replace("\n", " ")[:200]
        lines = ",".join(str(u["line"]) for u in group)
        print(
            f"{name}:{lines} [{group[0]['kind']}] -{sorted(gold - pred)} "
            f"+{sorted(pred - gold - border)} ~{sorted(border)} | {text}"
        )


if __name__ == "__main__":
    main()
