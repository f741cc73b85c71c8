"""Speed work keeps every per-plan output: segments, tokens, theme coding and counts.

``tests/data/pinned/expected.json.gz`` holds the outputs of the code before
the speed work of the read → segment → tokenize → code → count stages (see
:mod:`tests.pinned_outputs`), on the bundled plans, a small generated corpus
(UTF-8, CP932 and EUC-JP files made by ``bench/make_corpus.py``) and the
corpus-dev excerpts when they are beside the checkout.  A deliberate change of
behaviour rewrites that file (``python -m tests.pinned_outputs``) and says so
in its commit.
"""

from __future__ import annotations

import gzip
import json

import pytest

from tests.pinned_outputs import EXPECTED, corpus_dev_texts, outputs


@pytest.fixture(scope="module")
def expected() -> dict:
    with gzip.open(EXPECTED, "rt", encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def actual() -> dict:
    return outputs()


def _differences(old: dict, new: dict) -> list[str]:
    keys = sorted(set(old) | set(new), key=lambda k: (len(k), k))
    return [f"segment {k}" for k in keys if old.get(k) != new.get(k)]


def test_every_plan_is_covered(expected, actual):
    assert len(expected) >= 10  # 5 bundled + 3 generated plans + 2 pipeline runs
    wanted = {k for k in expected if not k.startswith("corpus-dev/") or corpus_dev_texts()}
    assert set(actual) == wanted


@pytest.mark.parametrize("stage", ["segments", "tokens", "content"])
def test_segments_and_tokens_are_unchanged(expected, actual, stage):
    bad = []
    for plan, new in actual.items():
        if plan.endswith("/pipeline"):
            continue
        wrong = _differences(expected[plan][stage], new[stage])
        if wrong:
            bad.append(f"{plan}: {stage} differ in {', '.join(wrong[:5])} ({len(wrong)} in all)")
    assert not bad, "\n".join(bad)


def test_theme_coding_and_evidence_are_unchanged(expected, actual):
    total = 0
    for plan, new in actual.items():
        if plan.endswith("/pipeline"):
            continue
        old_hits = [tuple(h) for h in expected[plan]["themes"]]
        new_hits = [tuple(h) for h in new["themes"]]
        missing = sorted(set(old_hits) - set(new_hits))
        extra = sorted(set(new_hits) - set(old_hits))
        assert not missing and not extra, f"{plan}: lost {missing[:3]}, gained {extra[:3]}"
        assert new_hits == old_hits, f"{plan}: hits in another order"
        assert new["wide"] == expected[plan]["wide"], f"{plan}: themes_wide differs"
        total += len(new_hits)
    assert total > 1000  # the corpora code many passages, with evidence


@pytest.mark.parametrize("corpus", ["bundled", "generated"])
def test_pipeline_tables_are_unchanged(expected, actual, corpus):
    old, new = expected[f"{corpus}/pipeline"], actual[f"{corpus}/pipeline"]
    for table in ("plans", "themes", "quotes"):
        assert new[table] == old[table], f"{corpus}: pipeline {table} differ"
    assert new["dtm"] == old["dtm"], f"{corpus}: document-term matrix differs"
    assert len(old["quotes"]) > 20
