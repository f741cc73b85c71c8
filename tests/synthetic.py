"""Build small SEGMENTS and TOKENS tables from a compact description.

Used by the tests to make inputs whose answer is known, without running the
segmenter or the tokenizer.  Words are separated by
spaces; every word is a content noun.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from compare.io.catalog import METADATA_COLUMNS

CATALOG_LABELS = METADATA_COLUMNS

#: A segment: ("h", level, text) for a heading, (kind, text) for a body segment.
Segment = tuple


def make_segments(
    plans: Mapping[str, Sequence[Segment]],
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """Return a SEGMENTS table for ``plans`` (plan_id -> list of segments)."""
    rows = []
    for plan_id, segments in plans.items():
        meta = _labels(plan_id, (labels or {}).get(plan_id, {}))
        path: list[tuple[int, str]] = []
        section = 0
        depth = 0
        line = 1
        for seg_id, segment in enumerate(segments):
            if segment[0] == "h":
                _, level, text = segment
                path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, text)]
                section += 1
                depth = level
                kind = "heading"
            else:
                kind, text = segment
                level = depth
            rows.append(
                {
                    "plan_id": plan_id,
                    **meta,
                    "seg_id": seg_id,
                    "kind": kind,
                    "level": level,
                    "heading_path": " > ".join(t for _, t in path),
                    "section_id": f"{plan_id}/s{section}",
                    "text": text,
                    "raw": text + "\n",
                    "cells": None,
                    "line_start": line,
                    "line_end": line,
                }
            )
            line += 2
    return pd.DataFrame(rows)


def tokens_from_segments(segments: pd.DataFrame) -> pd.DataFrame:
    """Split each segment's text on spaces into a TOKENS table."""
    rows = []
    for seg in segments.itertuples(index=False):
        for position, word in enumerate(str(seg.text).split()):
            rows.append(
                {
                    "plan_id": seg.plan_id,
                    "seg_id": seg.seg_id,
                    "sent_id": 0,
                    "position": position,
                    "surface": word,
                    "lemma": word,
                    "word": word,
                    "pos": "名詞,普通名詞,一般,*",
                    "pos1": "名詞",
                    "is_content": True,
                    "is_compound": False,
                    "kind": seg.kind,
                    "section_id": seg.section_id,
                    **{c: getattr(seg, c) for c in CATALOG_LABELS},
                }
            )
    tokens = pd.DataFrame(rows)
    for column in ("municipality", "plan_type", "author", "doc_kind"):
        tokens[column] = tokens[column].astype("category")
    return tokens


def make_tokens(
    plans: Mapping[str, Sequence[str]],
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """TOKENS for plans given as lists of paragraphs (space-separated words)."""
    segments = make_segments(
        {plan: [("paragraph", text) for text in texts] for plan, texts in plans.items()}, labels
    )
    return tokens_from_segments(segments)


def _labels(plan_id: str, given: Mapping[str, str]) -> dict[str, str]:
    meta = {c: "" for c in CATALOG_LABELS}
    meta.update(
        municipality=f"{plan_id}市",
        author="自治体",
        plan_type="地域福祉計画",
        title=f"{plan_id}地域福祉計画",
        doc_kind="full",
    )
    meta.update(given)
    return meta
