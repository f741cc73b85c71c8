"""What the comparison vocabulary changes on a generated national-style corpus, and what it costs.

A corpus of ``--plans`` generated plans (``bench/make_corpus.py``: clauses of
the bundled plans, each plan naming its own municipality now and then, as
real plans do) goes through the streaming pipeline once.  Its plan × word
counts are summed to municipalities, and each municipality's most
distinctive word (one-vs-rest G², :func:`compare.stat_keyness`) is taken
twice: from the words as analysed (``vocabulary=None``) and in the comparison
vocabulary (:class:`compare.Vocabulary`, the report's default).  The script
prints the share of municipalities whose top word is their own name (or a
form of it), whose top word is any catalogued place name or municipality-type
word, and whose top word looks like one of the generator's local names
(地区 or 自治会 names made of a fixed stock of characters), with the top words.

Cost: the time to put the municipality counts in the vocabulary
(:func:`compare.stats.matrix.compare_dtm`) against the pipeline's wall time on
the same corpus, and on the bundled corpus the time of
:meth:`compare.Vocabulary.compared` against :func:`compare.tokenize` (cold).

Run from the repository root::

    python -P bench/vocabulary.py [--plans 30] [--chars 3M] [--seed 0] [--jobs 2]
"""

# ruff: noqa: E402
from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse
import importlib.util
import re
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from compare import Vocabulary, read_corpus, stat_keyness, tokenize
from compare.errors import CompareWarning
from compare.pipeline import run_pipeline
from compare.stats.matrix import compare_dtm, group_dtm
from compare.text.vocabulary import TYPE_WORDS, place_names


def _make_corpus_module():
    path = Path(_HERE) / "make_corpus.py"
    spec = importlib.util.spec_from_file_location("make_corpus", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module
    spec.loader.exec_module(module)
    return module


def _size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def top_words(dtm, vocabulary) -> pd.DataFrame:
    """Each municipality's most distinctive word (G², one against the rest)."""
    table = stat_keyness(dtm, by="municipality", top=1, min_count=2, vocabulary=vocabulary)
    return table[["municipality", "word", "g2"]].reset_index(drop=True)


def own_forms(municipality: str) -> set[str]:
    """The forms of a name, with its stem however short (津 of 津市)."""
    return {*place_names(municipality), municipality[:-1]}


def classify(top: pd.DataFrame, municipalities: list[str], local: re.Pattern) -> dict[str, int]:
    """How many top words are the municipality's own name, any place name, a local name."""
    every = {form for m in municipalities for form in own_forms(m)}
    own = sum(
        1
        for row in top.itertuples(index=False)
        if row.word in own_forms(row.municipality)
        or any(len(form) > 1 and form in row.word for form in own_forms(row.municipality))
    )
    places = sum(1 for w in top["word"] if w in every or w in TYPE_WORDS)
    local_names = sum(1 for w in top["word"] if local.fullmatch(w))
    return {"own name": own, "place or type word": places, "generated local name": local_names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plans", type=int, default=30)
    parser.add_argument("--chars", default="3M")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    make_corpus = _make_corpus_module()
    # Local names are UniDic place names or made-up katakana, with or without a suffix.
    places = "|".join(map(re.escape, sorted(make_corpus.load_lexicon()[1], key=len, reverse=True)))
    local = re.compile(
        f"(?:{places}|[{make_corpus.NAME_KANA}]{{3,5}})(?:{'|'.join(make_corpus.NAME_SUFFIXES)})?"
    )
    print(f"load average: {os.getloadavg()[0]:.2f} (1 min)")
    with tempfile.TemporaryDirectory() as root, warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        catalog = make_corpus.make_corpus(
            Path(root) / "corpus", chars=_size(args.chars), plans=args.plans, seed=args.seed
        )
        start = time.perf_counter()
        result = run_pipeline(catalog, n_jobs=args.jobs, cache_dir=Path(root) / "cache")
        pipeline_s = time.perf_counter() - start
        grouped = group_dtm(result.dtm, ["prefecture", "municipality"])
        municipalities = list(pd.unique(result.plans["municipality"]))
        start = time.perf_counter()
        compared = compare_dtm(grouped, Vocabulary())
        vocabulary_s = time.perf_counter() - start

        chars = int(result.plans["chars"].sum())
        print(
            f"corpus: {len(result.plans)} plans, {len(municipalities)} municipalities, "
            f"{chars:,} characters; words {grouped.shape[1]:,} as analysed, "
            f"{compared.shape[1]:,} in the comparison vocabulary"
        )
        n = len(municipalities)
        rows = []
        for name, dtm in (("as analysed", grouped), ("comparison vocabulary", compared)):
            top = top_words(dtm, None)
            counts = classify(top, municipalities, local)
            rows.append({"words": name, **{k: f"{v}/{n} ({v / n:.0%})" for k, v in counts.items()}})
            print(f"\n== top word per municipality, {name}")
            print(
                "、".join(
                    f"{m}: {w}" for m, w in zip(top["municipality"], top["word"], strict=True)
                )
            )
        print()
        print(pd.DataFrame(rows).to_string(index=False))
        print(
            f"\ncost: compare_dtm {vocabulary_s:.2f} s against the pipeline's {pipeline_s:.2f} s "
            f"wall ({vocabulary_s / pipeline_s:.1%})"
        )

    segments = read_corpus()
    start = time.perf_counter()
    tokens = tokenize(segments, cache=False, n_jobs=1)
    tokenize_s = time.perf_counter() - start
    start = time.perf_counter()
    Vocabulary().compared(tokens)
    compared_s = time.perf_counter() - start
    print(
        f"bundled corpus ({len(tokens):,} tokens): Vocabulary().compared {compared_s:.3f} s "
        f"against tokenize (cold) {tokenize_s:.3f} s ({compared_s / tokenize_s:.1%})"
    )


if __name__ == "__main__":
    main()
