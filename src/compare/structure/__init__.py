"""Segment: a plan's text as headings, paragraphs, list items and table rows, losslessly."""

from compare.structure.plan import plan_model
from compare.structure.segment import outline, read_corpus, read_plan, segment_text
from compare.structure.tables import stat_indicators, stat_policy_table

__all__ = [
    "outline",
    "plan_model",
    "read_corpus",
    "read_plan",
    "segment_text",
    "stat_indicators",
    "stat_policy_table",
]
