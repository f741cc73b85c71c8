"""Score headings and theme coding against independent hand annotations.

The annotations under ``tests/data/independent`` were written from the raw plan
texts alone, without looking at the library's output or at the other gold files,
so these figures measure agreement with a second, independent reader.

Headings
    ``outlines/<plan_id>.json`` lists every heading as a careful reader sees it
    (first source line, depth, text).  A library heading matches a gold heading
    when both start on the same source line (exact match: every gold heading
    starts on a non-blank line, and the library reports the first line of a
    heading, so no tolerance is needed).  Matching is one-to-one.  Parent
    accuracy is the share of matched headings whose parent is the library
    heading matched to the gold parent (or both have no parent).

Themes
    ``themes.csv`` codes every passage (paragraph, heading, list item, table
    row) by source line range.  Both sides are scored against the other by line
    overlap, per theme:

    * recall: a gold passage coded T is found when at least one library segment
      overlapping its lines is coded T;
    * precision: a library segment coded T is correct when it overlaps at least
      one gold passage coded T.

    Micro-averages pool the counts over all themes.

Run ``pytest tests/test_independent_gold.py -s`` to print the tables.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from compare import code_themes, load_themes, outline, read_corpus

GOLD = Path(__file__).resolve().parent / "data" / "independent"
PLANS_DIR = Path(__file__).resolve().parents[1] / "data" / "plans"
PLAN_IDS = ("sumida", "tama-6", "tokorozawa-2", "odawara-shakyo-4", "shimonoseki")

# Floors sit a little below the figures measured when the annotations were made,
# so that a real regression fails while small, justified changes pass.
# Measured first: heading P 0.94 R 1.00 F1 0.97, parent accuracy 0.97; theme micro P 0.88,
# R 0.88, F1 0.88; platform 1.00, multilayer_support 0.92, disaster 0.95 (F1).
# Measured after captions, slogan labels, out-of-sequence 第N章 and glossary tables were
# handled and the broad theme terms tightened: heading P 1.00 R 1.00 F1 1.00, parent
# accuracy 0.98; theme micro P 0.92, R 0.92, F1 0.92; platform 1.00, multilayer_support
# 0.96, disaster 1.00 (F1).
HEADING_F1_FLOOR = 0.96
HEADING_RECALL_FLOOR = 0.97
PARENT_ACCURACY_FLOOR = 0.95
THEME_MICRO_F1_FLOOR = 0.89
THEME_MICRO_PRECISION_FLOOR = 0.89
THEME_MICRO_RECALL_FLOOR = 0.89
PRIORITY_THEME_F1_FLOOR = {"platform": 0.95, "multilayer_support": 0.92, "disaster": 0.95}


# --------------------------------------------------------------------------- gold


@dataclass(frozen=True)
class Heading:
    """One heading: first source line, depth (1 = top) and text."""

    line: int
    depth: int
    text: str


@dataclass(frozen=True)
class Passage:
    """One coded stretch of source lines (inclusive) and its theme ids."""

    start: int
    end: int
    themes: frozenset[str]


def load_gold_outline(plan_id: str) -> list[Heading]:
    """Read the independent outline of one plan."""
    rows = json.loads((GOLD / "outlines" / f"{plan_id}.json").read_text(encoding="utf-8"))
    return [Heading(int(r["line"]), int(r["depth"]), str(r["text"])) for r in rows]


def load_gold_passages() -> dict[str, list[Passage]]:
    """Read the independent theme coding, keyed by plan_id, in source order."""
    out: dict[str, list[Passage]] = {p: [] for p in PLAN_IDS}
    with (GOLD / "themes.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["plan_id"]].append(
                Passage(
                    int(row["line_start"]),
                    int(row["line_end"]),
                    frozenset(row["themes"].split()),
                )
            )
    return out


def parents(headings: list[Heading]) -> dict[int, int | None]:
    """Map each heading's line to its parent's line: the nearest earlier shallower heading."""
    out: dict[int, int | None] = {}
    stack: list[Heading] = []
    for h in headings:
        while stack and stack[-1].depth >= h.depth:
            stack.pop()
        out[h.line] = stack[-1].line if stack else None
        stack.append(h)
    return out


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class HeadingScore:
    """Counts for one plan (or pooled): matches, gold, predicted, correct parents."""

    matched: int
    gold: int
    predicted: int
    parent_ok: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)

    @property
    def parent_accuracy(self) -> float:
        return self.parent_ok / self.matched if self.matched else 1.0

    def __add__(self, other: HeadingScore) -> HeadingScore:
        return HeadingScore(
            self.matched + other.matched,
            self.gold + other.gold,
            self.predicted + other.predicted,
            self.parent_ok + other.parent_ok,
        )


def f1(precision: float, recall: float) -> float:
    """Harmonic mean; 0 when both are 0."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_headings(
    gold: list[Heading], predicted_lines: list[int], predicted_parent: Mapping[int, int | None]
) -> HeadingScore:
    """Match headings by first line and check that matched headings share their parent.

    ``predicted_parent`` maps a predicted heading's line to its parent's line (None at
    the top).  A matched heading's parent is right when the gold parent's line equals
    the predicted parent's line (lines identify headings on both sides once matched).
    """
    gold_parent = parents(gold)
    gold_lines = {h.line for h in gold}
    matched = sorted(gold_lines & set(predicted_lines))
    parent_ok = sum(gold_parent[line] == predicted_parent.get(line) for line in matched)
    return HeadingScore(len(matched), len(gold_lines), len(set(predicted_lines)), parent_ok)


@dataclass(frozen=True)
class ThemeCounts:
    """Per-theme counts: gold passages found / all, library segments right / all."""

    gold_found: int = 0
    gold_total: int = 0
    pred_correct: int = 0
    pred_total: int = 0

    @property
    def precision(self) -> float:
        return self.pred_correct / self.pred_total if self.pred_total else 1.0

    @property
    def recall(self) -> float:
        return self.gold_found / self.gold_total if self.gold_total else 1.0

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)

    def __add__(self, other: ThemeCounts) -> ThemeCounts:
        return ThemeCounts(
            self.gold_found + other.gold_found,
            self.gold_total + other.gold_total,
            self.pred_correct + other.pred_correct,
            self.pred_total + other.pred_total,
        )


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """True when two inclusive line ranges share a line."""
    return a[0] <= b[1] and b[0] <= a[1]


def score_themes(
    gold: Iterable[Passage],
    predicted: Iterable[tuple[int, int, frozenset[str]]],
    theme_ids: Iterable[str],
) -> dict[str, ThemeCounts]:
    """Score one plan's coding per theme, each side judged by overlap with the other.

    ``predicted`` holds every library segment as (line_start, line_end, theme ids),
    segments without themes included (they simply contribute no predictions).
    """
    gold = list(gold)
    predicted = list(predicted)
    out = {}
    for theme in theme_ids:
        gold_t = [(p.start, p.end) for p in gold if theme in p.themes]
        pred_t = [(s, e) for s, e, themes in predicted if theme in themes]
        out[theme] = ThemeCounts(
            gold_found=sum(any(overlaps(g, s) for s in pred_t) for g in gold_t),
            gold_total=len(gold_t),
            pred_correct=sum(any(overlaps(s, g) for g in gold_t) for s in pred_t),
            pred_total=len(pred_t),
        )
    return out


# --------------------------------------------------------------------------- library runs


@pytest.fixture(scope="module")
def segments() -> pd.DataFrame:
    return read_corpus()


@pytest.fixture(scope="module")
def heading_scores(segments: pd.DataFrame) -> dict[str, HeadingScore]:
    heads = outline(segments)
    out = {}
    for plan_id in PLAN_IDS:
        plan = heads[heads["plan_id"] == plan_id]
        line_of = dict(zip(plan["seg_id"].astype(int), plan["line"].astype(int), strict=True))
        parent = {
            int(row.line): (None if pd.isna(row.parent_seg_id) else line_of[int(row.parent_seg_id)])
            for row in plan.itertuples()
        }
        out[plan_id] = score_headings(
            load_gold_outline(plan_id), [int(x) for x in plan["line"]], parent
        )
    return out


@pytest.fixture(scope="module")
def theme_scores(segments: pd.DataFrame) -> dict[str, ThemeCounts]:
    theme_ids = [t.id for t in load_themes()]
    coded = code_themes(segments)
    hits = coded.groupby(["plan_id", "seg_id"])["theme_id"].agg(frozenset).to_dict()
    gold = load_gold_passages()
    total = {t: ThemeCounts() for t in theme_ids}
    for plan_id in PLAN_IDS:
        plan = segments[segments["plan_id"] == plan_id]
        predicted = [
            (int(s), int(e), hits.get((plan_id, int(seg)), frozenset()))
            for s, e, seg in zip(plan["line_start"], plan["line_end"], plan["seg_id"], strict=True)
        ]
        for theme, counts in score_themes(gold[plan_id], predicted, theme_ids).items():
            total[theme] = total[theme] + counts
    return total


def micro(scores: Mapping[str, ThemeCounts]) -> ThemeCounts:
    out = ThemeCounts()
    for counts in scores.values():
        out = out + counts
    return out


def pooled(scores: Mapping[str, HeadingScore]) -> HeadingScore:
    out = HeadingScore(0, 0, 0, 0)
    for s in scores.values():
        out = out + s
    return out


# --------------------------------------------------------------------------- gold integrity


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_gold_passages_cover_every_nonblank_line_once(plan_id: str) -> None:
    lines = (PLANS_DIR / f"{plan_id}.txt").read_text(encoding="utf-8").split("\n")
    covered: dict[int, int] = {}
    for p in load_gold_passages()[plan_id]:
        assert lines[p.start - 1].strip() and lines[p.end - 1].strip()
        for i in range(p.start, p.end + 1):
            covered[i] = covered.get(i, 0) + 1
    nonblank = {i for i, text in enumerate(lines, 1) if text.strip()}
    assert {i for i in nonblank if covered.get(i) != 1} == set()


def test_gold_theme_ids_are_default_catalogue_ids() -> None:
    known = {t.id for t in load_themes()}
    used = {t for ps in load_gold_passages().values() for p in ps for t in p.themes}
    assert used <= known


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_gold_outline_lines_hold_their_heading_text(plan_id: str) -> None:
    lines = (PLANS_DIR / f"{plan_id}.txt").read_text(encoding="utf-8").split("\n")
    gold = load_gold_outline(plan_id)
    assert [h.line for h in gold] == sorted({h.line for h in gold})
    for h in gold:
        assert h.text.startswith(lines[h.line - 1].strip()[:6])
        assert h.depth >= 1


# --------------------------------------------------------------------------- scorer edge cases

GOLD_TREE = [Heading(1, 1, "A"), Heading(3, 2, "A.1"), Heading(5, 2, "A.2"), Heading(7, 1, "B")]


@pytest.mark.parametrize(
    ("pred_lines", "pred_parent", "expected"),
    [
        ([1, 3, 5, 7], {1: None, 3: 1, 5: 1, 7: None}, (4, 4, 4, 4)),
        ([1, 3, 5, 7], {1: None, 3: 1, 5: 3, 7: None}, (4, 4, 4, 3)),  # A.2 mis-nested
        ([1, 5, 9], {1: None, 5: 1, 9: None}, (2, 4, 3, 2)),  # one missed, one spurious
        ([], {}, (0, 4, 0, 0)),
    ],
)
def test_score_headings_counts(
    pred_lines: list[int], pred_parent: dict[int, int | None], expected: tuple[int, ...]
) -> None:
    s = score_headings(GOLD_TREE, pred_lines, pred_parent)
    assert (s.matched, s.gold, s.predicted, s.parent_ok) == expected


def test_score_themes_is_symmetric_under_swap() -> None:
    a = [Passage(1, 2, frozenset({"x"})), Passage(4, 4, frozenset())]
    b = [(2, 4, frozenset({"x"})), (6, 6, frozenset({"x"}))]
    ab = score_themes(a, b, ["x"])["x"]
    b_as_gold = [Passage(s, e, t) for s, e, t in b]
    a_as_pred = [(p.start, p.end, p.themes) for p in a]
    ba = score_themes(b_as_gold, a_as_pred, ["x"])["x"]
    assert (ab.gold_found, ab.gold_total, ab.pred_correct, ab.pred_total) == (1, 1, 1, 2)
    assert (ba.pred_correct, ba.pred_total, ba.gold_found, ba.gold_total) == (1, 1, 1, 2)
    assert ab.precision == ba.recall == 0.5


# --------------------------------------------------------------------------- measured agreement


def test_heading_agreement(heading_scores: dict[str, HeadingScore]) -> None:
    print("\nplan                 gold pred match    P     R    F1  parent")
    for plan_id, s in [*heading_scores.items(), ("ALL", pooled(heading_scores))]:
        print(
            f"{plan_id:<20}{s.gold:>5}{s.predicted:>5}{s.matched:>6}"
            f"{s.precision:>6.2f}{s.recall:>6.2f}{s.f1:>6.2f}{s.parent_accuracy:>7.2f}"
        )
    total = pooled(heading_scores)
    assert total.f1 >= HEADING_F1_FLOOR
    assert total.recall >= HEADING_RECALL_FLOOR
    assert total.parent_accuracy >= PARENT_ACCURACY_FLOOR


def test_theme_agreement(theme_scores: dict[str, ThemeCounts]) -> None:
    print("\ntheme                gold found  pred right    P     R    F1")
    for theme, c in [*theme_scores.items(), ("MICRO", micro(theme_scores))]:
        print(
            f"{theme:<20}{c.gold_total:>5}{c.gold_found:>6}{c.pred_total:>6}{c.pred_correct:>6}"
            f"{c.precision:>6.2f}{c.recall:>6.2f}{c.f1:>6.2f}"
        )
    total = micro(theme_scores)
    assert total.precision >= THEME_MICRO_PRECISION_FLOOR
    assert total.recall >= THEME_MICRO_RECALL_FLOOR
    assert total.f1 >= THEME_MICRO_F1_FLOOR


@pytest.mark.parametrize(("theme", "floor"), sorted(PRIORITY_THEME_F1_FLOOR.items()))
def test_priority_theme_agreement(
    theme_scores: dict[str, ThemeCounts], theme: str, floor: float
) -> None:
    """The three themes users name first must each hold up on their own."""
    assert theme_scores[theme].f1 >= floor
