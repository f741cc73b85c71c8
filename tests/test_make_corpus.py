"""The scale corpus generator: deterministic, and its vocabulary grows like real text's."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def make_corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "bench" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module
    spec.loader.exec_module(module)
    return module


def test_lexicon_holds_real_nouns_and_place_names(make_corpus):
    nouns, places = make_corpus.load_lexicon()
    assert len(nouns) > 50_000 and len(places) > 5_000
    assert {"福祉", "地域", "防災", "ボランティア"} <= set(nouns)
    assert {"宇部", "一之江"} <= set(places)
    assert nouns == sorted(nouns)


def test_generator_is_deterministic_and_vocabulary_grows(make_corpus, tmp_path):
    first = make_corpus.make_corpus(tmp_path / "a", chars=200_000, plans=4, seed=5)
    second = make_corpus.make_corpus(tmp_path / "b", chars=200_000, plans=4, seed=5)
    texts = make_corpus.generated_texts(first)
    assert texts == make_corpus.generated_texts(second)
    assert first.read_bytes() == second.read_bytes()

    from compare import Tokenizer

    tokenizer = Tokenizer()
    words = [w for _, text in texts for line in text.splitlines() for w in tokenizer.words(line)]
    curve = make_corpus.heaps_curve(words)
    quarter = len(set(words[: len(words) // 4]))
    whole = len(set(words))
    # Heaps' law with the real exponent (about 0.64) gives 4**0.64 = 2.4 times the
    # vocabulary for 4 times the tokens; recombined seed clauses alone saturate.
    assert whole / quarter > 4**0.5
    _k, beta = make_corpus.heaps_fit(*zip(*curve, strict=True))
    assert 0.5 < beta < 0.8
    # The growth comes from nouns the bundled plans do not have.
    seed_words = {
        w
        for _, text in make_corpus.real_texts([])
        for line in text.splitlines()
        for w in tokenizer.words(line)
    }
    assert len(set(words) - seed_words) > len(seed_words)


def test_heaps_fit_recovers_a_known_law(make_corpus):
    counts = [100, 1_000, 10_000, 100_000]
    distinct = [3.0 * n**0.6 for n in counts]
    k, beta = make_corpus.heaps_fit(counts, distinct)
    assert beta == pytest.approx(0.6, abs=1e-3)
    assert k == pytest.approx(3.0, rel=1e-2)
