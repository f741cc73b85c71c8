"""Score a found outline against a hand-checked one (heading P/R/F1, parent accuracy).

An outline is a list of ``{"line": int, "depth": int, "text": str}`` in source
order, the format of ``compare outline --json``.  A found heading matches an
expected one when both start on the same source line.  Parent accuracy is
measured on the matched headings: the parent (nearest earlier heading with a
smaller depth) must start on the same line in both outlines, or both must be
top-level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def parents(outline: Sequence[Mapping[str, Any]]) -> dict[int, int | None]:
    """Map each heading's line to its parent's line (None at the top level)."""
    result: dict[int, int | None] = {}
    stack: list[tuple[int, int]] = []  # (depth, line)
    for item in outline:
        depth, line = int(item["depth"]), int(item["line"])
        while stack and stack[-1][0] >= depth:
            stack.pop()
        result[line] = stack[-1][1] if stack else None
        stack.append((depth, line))
    return result


def score_outline(
    expected: Sequence[Mapping[str, Any]], found: Sequence[Mapping[str, Any]]
) -> dict[str, float]:
    """Precision, recall, F1 of heading lines and the share of matched headings with the right parent.

    Returns a dict with ``expected``, ``found``, ``matched``, ``precision``,
    ``recall``, ``f1``, ``parent_accuracy`` (1.0 when nothing matched and
    nothing was expected).
    """
    want = parents(expected)
    got = parents(found)
    matched = sorted(set(want) & set(got))
    precision = len(matched) / len(got) if got else float(not want)
    recall = len(matched) / len(want) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    right = sum(1 for line in matched if want[line] == got[line])
    parent_accuracy = right / len(matched) if matched else float(not want)
    return {
        "expected": float(len(want)),
        "found": float(len(got)),
        "matched": float(len(matched)),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "parent_accuracy": parent_accuracy,
    }


def total_score(
    pairs: Sequence[tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]],
) -> dict[str, float]:
    """Micro-averaged :func:`score_outline` over several (expected, found) pairs."""
    counts = {"expected": 0.0, "found": 0.0, "matched": 0.0, "right": 0.0}
    for expected, found in pairs:
        single = score_outline(expected, found)
        for key in ("expected", "found", "matched"):
            counts[key] += single[key]
        counts["right"] += single["parent_accuracy"] * single["matched"]
    precision = counts["matched"] / counts["found"] if counts["found"] else 0.0
    recall = counts["matched"] / counts["expected"] if counts["expected"] else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    parent = counts["right"] / counts["matched"] if counts["matched"] else 0.0
    return {
        **{k: counts[k] for k in ("expected", "found", "matched")},
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "parent_accuracy": parent,
    }
