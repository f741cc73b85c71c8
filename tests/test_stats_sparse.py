"""stat_keyness and stat_similarity on sparse counts (the pipeline's plan × word matrix).

Both report sizes call the same functions: with a TOKENS table for a few plans,
with ``run_pipeline(...).dtm`` for thousands.  On the bundled plans the two
inputs must give the same numbers for the same words (``vocabulary=None``).  In
the comparison vocabulary the token route decides a word's part of speech in
context and the count route word by word, so they agree closely, not exactly
(tested at the end).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from compare import read_corpus, stat_keyness, stat_similarity, tokenize
from compare.errors import AnalysisError
from compare.pipeline import run_pipeline
from compare.stats.matrix import group_dtm, stat_dtm
from compare.stats.similarity import cosine_matrix
from tests.synthetic import make_tokens


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    tokens = tokenize(read_corpus(), cache=False)
    result = run_pipeline(n_jobs=1, cache_dir=tmp_path_factory.mktemp("cache"), progress=False)
    return tokens, result.dtm


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.attrs = {}
    return frame


def test_one_vs_rest_keyness_of_the_pipeline_counts_equals_the_token_table(bundled):
    tokens, dtm = bundled
    expected = stat_keyness(tokens, top=30, min_count=2, vocabulary=None)
    got = stat_keyness(dtm, top=30, min_count=2, vocabulary=None)
    pd.testing.assert_frame_equal(_plain(got), _plain(expected))
    assert got.attrs["params"] == expected.attrs["params"]


def test_sparse_keyness_lists_the_words_each_target_uses(bundled):
    tokens, dtm = bundled
    full = stat_keyness(tokens, vocabulary=None)
    sparse = stat_keyness(dtm, vocabulary=None)
    over = full[full["direction"] == "target"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        _plain(sparse[sparse["direction"] == "target"].reset_index(drop=True)), _plain(over)
    )
    # Every sparse row is a word the target uses; the token table adds the absent ones.
    assert (sparse["count_target"] > 0).all()
    present = full[full["count_target"] > 0].reset_index(drop=True)
    assert len(sparse) == len(present)


@pytest.mark.parametrize(
    "comparison",
    [
        {"target": "sumida"},
        {"target": ["sumida", "tama-6"], "reference": "shimonoseki"},
    ],
)
def test_target_and_reference_keyness_agree(bundled, comparison):
    tokens, dtm = bundled
    expected = stat_keyness(tokens, min_count=2, **comparison, vocabulary=None)
    got = stat_keyness(dtm, min_count=2, **comparison, vocabulary=None)
    pd.testing.assert_frame_equal(_plain(got), _plain(expected))


def test_keyness_by_municipality_sums_the_plans_rows():
    tokens = make_tokens(
        {"a": ["福祉 福祉 防災"], "b": ["福祉 相談"], "c": ["居場所 居場所 相談"]},
        {"b": {"municipality": "a市"}, "a": {"municipality": "a市"}},
    )
    dtm = stat_dtm(tokens, "plan")
    expected = stat_keyness(tokens, by="municipality", vocabulary=None)
    got = stat_keyness(dtm, by="municipality", vocabulary=None)
    over = expected[expected["count_target"] > 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(_plain(got), _plain(over))
    grouped = group_dtm(dtm, "municipality")
    assert grouped.documents["label"].tolist() == ["a市", "c市"]
    assert grouped.counts.toarray().sum(axis=1).tolist() == [5, 3]


def test_similarity_of_the_pipeline_counts_equals_the_token_table(bundled):
    tokens, dtm = bundled
    for pairs in ("all", "unique", "across"):
        expected = stat_similarity(tokens, pairs=pairs, vocabulary=None)
        got = stat_similarity(dtm, pairs=pairs, vocabulary=None)
        pd.testing.assert_frame_equal(_plain(got), _plain(expected))
    square = cosine_matrix(dtm)
    unique = stat_similarity(dtm, pairs="unique", vocabulary=None)
    assert np.allclose(square[unique["doc_a"], unique["doc_b"]], unique["cosine"])
    assert np.allclose(np.diag(square), 1.0)


def test_similarity_among_some_documents_keeps_the_weights_of_all(bundled):
    _, dtm = bundled
    every = stat_similarity(dtm, pairs="unique", vocabulary=None)
    some = stat_similarity(dtm, pairs="unique", among=[1, 3, 4], vocabulary=None)
    chosen = every[every["doc_a"].isin([1, 3, 4]) & every["doc_b"].isin([1, 3, 4])]
    pd.testing.assert_frame_equal(_plain(some), _plain(chosen.reset_index(drop=True)))


def test_count_matrix_refuses_what_needs_tokens(bundled):
    _, dtm = bundled
    with pytest.raises(AnalysisError, match="need a TOKENS table"):
        stat_similarity(dtm, min_df=2)
    with pytest.raises(AnalysisError, match="Cannot group the matrix"):
        group_dtm(dtm, "no_such_column")
    one = stat_dtm(make_tokens({"a": ["福祉 相談"]}), "plan")
    with pytest.raises(AnalysisError, match="at least two groups"):
        stat_keyness(one)


def test_the_comparison_vocabulary_gives_close_results_on_either_input(bundled):
    """Tokens: part of speech in context; counts: word by word (the large report's route)."""
    tokens, dtm = bundled
    by_tokens = stat_keyness(tokens, top=20, min_count=2)
    by_counts = stat_keyness(dtm, top=20, min_count=2)
    shared = sum(
        len(set(group["word"]) & set(by_counts.loc[by_counts["plan_id"] == plan, "word"]))
        for plan, group in by_tokens.groupby("plan_id")
    )
    assert shared >= 0.95 * len(by_tokens)
    assert not {"所沢", "下関", "市", "区", "市民", "区民"} & set(by_counts["word"])
    cosine_tokens = stat_similarity(tokens, pairs="unique")["cosine"]
    cosine_counts = stat_similarity(dtm, pairs="unique")["cosine"]
    assert np.abs(cosine_tokens - cosine_counts).max() < 0.01


def test_correspondence_analysis_of_the_pipeline_counts_equals_the_token_table(bundled):
    """stat_ca takes the pipeline's plan × word matrix as it takes a TOKENS table."""
    from compare import stat_ca

    tokens, dtm = bundled
    expected = stat_ca(tokens, by="plan", min_count=3, max_words=150, vocabulary=None)
    got = stat_ca(dtm, by="plan", min_count=3, max_words=150, vocabulary=None)
    pd.testing.assert_frame_equal(got.inertia, expected.inertia)
    pd.testing.assert_frame_equal(got.rows, expected.rows)
    columns = ["label", "plan_id", "count", "mass", "dim1", "dim2"]
    pd.testing.assert_frame_equal(got.columns[columns], expected.columns[columns])
    by_municipality = stat_ca(dtm, by="municipality", min_count=3, vocabulary=None)
    assert len(by_municipality.columns) == dtm.documents["municipality"].nunique()
