"""The streaming pipeline gives the numbers of the table-by-table functions.

Also: the compiled theme rules (folding) give exactly the results of the
plain evaluator, the lean word analysis equals the token table, and the
corpus generator used by the scale bench is deterministic.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compare import (
    Tokenizer,
    code_themes,
    load_themes,
    read_catalog,
    read_corpus,
    stat_dtm,
    stat_theme_shares,
    stat_theme_test,
    themes_wide,
    tokenize,
)
from compare.cli import main
from compare.errors import CompareWarning, InputFileError
from compare.pipeline import run_pipeline
from compare.themes.rules import Passage, RuleSet, evaluate, parse_rule, span_bound

ROOT = Path(__file__).resolve().parents[1]


def _make_corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "bench" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bundled():
    segments = read_corpus()
    tokens = tokenize(segments, cache=False)
    return segments, tokens


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    catalog = _make_corpus_module().make_corpus(folder, chars=60_000, plans=4, seed=3)
    return catalog


def _tables(catalog):
    """SEGMENTS and TOKENS of a corpus, read table by table."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        segments = read_corpus(catalog)
        return segments, tokenize(segments, cache=False)


def _classic(catalog, themes=None):
    """Theme shares and DTM by plan from the table-by-table functions."""
    segments, tokens = _tables(catalog)
    shares = stat_theme_shares(themes_wide(segments, themes, tokens=tokens))
    return shares, stat_dtm(tokens, "plan", vocabulary=None)


def _assert_same(result, shares, dtm):
    pd.testing.assert_frame_equal(result.themes, shares)
    pd.testing.assert_frame_equal(result.dtm.terms, dtm.terms)
    pd.testing.assert_frame_equal(result.dtm.documents, dtm.documents)
    assert result.dtm.counts.shape == dtm.counts.shape
    assert (result.dtm.counts != dtm.counts).nnz == 0


def test_bundled_corpus_matches_the_table_functions(bundled, tmp_path):
    segments, tokens = bundled
    result = run_pipeline(n_jobs=1, cache_dir=tmp_path, progress=False)
    shares = stat_theme_shares(themes_wide(segments, tokens=tokens))
    _assert_same(result, shares, stat_dtm(tokens, "plan", vocabulary=None))
    plans = result.plans
    assert plans["plan_id"].tolist() == list(dict.fromkeys(segments["plan_id"]))
    per_plan = segments.groupby("plan_id", sort=False)
    assert plans["n_segments"].tolist() == per_plan.size().tolist()
    assert (
        plans["n_heading"].tolist()
        == per_plan["kind"].agg(lambda k: int((k == "heading").sum())).tolist()
    )
    assert plans["chars"].tolist() == per_plan["text"].agg(lambda t: sum(map(len, t))).tolist()
    assert result.provenance["themes"] == [t.id for t in load_themes()]
    assert result.provenance["dictionary"] == tokens.attrs["dictionary"]


def test_theme_counts_with_headings_match_the_table_functions(bundled, tmp_path):
    """Passages by default, headings added on request: both equal stat_theme_shares."""
    segments, tokens = bundled
    result = run_pipeline(n_jobs=1, cache_dir=tmp_path, progress=False)
    wide = themes_wide(segments, tokens=tokens)
    pd.testing.assert_frame_equal(
        result.theme_counts(headings=True), stat_theme_shares(wide, headings=True)
    )
    plans = result.plans.set_index("plan_id")
    passages = segments[~segments["kind"].isin(["heading", "meta"])]
    assert plans["n_passages"].to_dict() == passages.groupby("plan_id").size().to_dict()
    n_segments = result.themes.groupby("plan_id")["n_segments"].first()
    assert n_segments.to_dict() == plans["n_passages"].to_dict()


def test_theme_statistics_of_the_counts_equal_those_of_the_coded_passages(bundled, tmp_path):
    """stat_theme_shares and stat_theme_test give the same numbers from the pipeline's counts."""
    segments, tokens = bundled
    result = run_pipeline(n_jobs=1, cache_dir=tmp_path, progress=False)
    wide = themes_wide(segments, tokens=tokens)
    labels = result.plans[["plan_id", "municipality", "plan_type"]]
    counts = result.themes.merge(labels, on="plan_id", how="left")
    for by in ("plan_id", "plan_type"):
        pd.testing.assert_frame_equal(
            stat_theme_shares(counts, by=by), stat_theme_shares(wide, by=by), check_like=False
        )
    for by in ("plan_id", "municipality"):
        pd.testing.assert_frame_equal(stat_theme_test(counts, by=by), stat_theme_test(wide, by=by))
    chosen = stat_theme_shares(counts, themes=["disaster", "platform"], by="plan_type")
    assert list(pd.unique(chosen["theme_id"])) == ["disaster", "platform"]


def test_quotes_are_the_best_matched_hit_of_every_theme(bundled, generated, tmp_path):
    """The pipeline skips evaluations by a span bound; its pick must equal evaluating every hit."""
    for catalog, (segments, tokens) in (
        (None, bundled),
        (generated, _tables(generated)),
    ):
        result = run_pipeline(catalog, n_jobs=1, cache=False, progress=False)
        hits = code_themes(segments, tokens=tokens)
        hits = hits.assign(body=(hits["kind"] != "heading").astype(int))
        ranked = hits.sort_values(
            ["plan_id", "theme_id", "body", "n_matches", "seg_id"],
            ascending=[True, True, False, False, True],
            kind="stable",
        )
        expected = ranked.drop_duplicates(["plan_id", "theme_id"])
        got = result.quotes.sort_values(["plan_id", "theme_id"]).reset_index(drop=True)
        expected = expected.sort_values(["plan_id", "theme_id"]).reset_index(drop=True)
        assert len(got) == len(expected) > 10
        for column in ("plan_id", "theme_id", "seg_id", "n_matches", "evidence", "page_label"):
            assert got[column].astype(str).tolist() == expected[column].astype(str).tolist()


def test_platform_theme_found_where_the_plan_builds_platforms(tmp_path):
    result = run_pipeline(n_jobs=1, cache_dir=tmp_path, progress=False)
    platform = result.themes[result.themes["theme_id"] == "platform"].set_index("plan_id")
    # 墨田区's chapter 計画の基本的視点～プラットフォームによる地域福祉～ is about platforms.
    assert platform.loc["sumida", "segments"] > 0
    assert platform["share"].idxmax() == "sumida"


def test_generated_corpus_workers_cache_and_classic_agree(generated, tmp_path):
    shares, dtm = _classic(generated)
    cold = run_pipeline(generated, n_jobs=2, cache_dir=tmp_path, progress=False)
    _assert_same(cold, shares, dtm)
    assert set(cold.plans["cached"]) == {""}
    warm = run_pipeline(generated, n_jobs=1, cache_dir=tmp_path, progress=False)
    assert set(warm.plans["cached"]) == {"result"}
    _assert_same(warm, shares, dtm)
    pd.testing.assert_frame_equal(
        warm.plans.drop(columns="cached"), cold.plans.drop(columns="cached")
    )


def test_changed_themes_reuse_the_analysed_words(generated, tmp_path):
    run_pipeline(generated, n_jobs=1, cache_dir=tmp_path, progress=False)
    own = {"safety": "防災 or 避難 or section:防災", "link": "seq(地域-連携)[3] or 連携 >= 2"}
    result = run_pipeline(generated, own, n_jobs=1, cache_dir=tmp_path, progress=False)
    assert set(result.plans["cached"]) == {"tokens"}
    shares, dtm = _classic(generated, own)
    _assert_same(result, shares, dtm)


def test_runs_are_deterministic(generated):
    first = run_pipeline(generated, n_jobs=1, cache=False, progress=False)
    second = run_pipeline(generated, n_jobs=2, cache=False, progress=False)
    pd.testing.assert_frame_equal(first.plans, second.plans)
    pd.testing.assert_frame_equal(first.themes, second.themes)
    assert (first.dtm.counts != second.dtm.counts).nnz == 0


def test_unreadable_plan_is_named(tmp_path):
    catalog = read_catalog()
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\x00\x01\x02" * 100)
    catalog.loc[0, "path"] = str(broken)
    with pytest.raises(InputFileError, match=r"sumida.*broken\.txt.*binary"):
        run_pipeline(catalog, n_jobs=1, cache=False, progress=False)


def test_cli_run_writes_result_files(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "--jobs", "1", "--quiet", "--cache-dir", str(tmp_path), "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "5 plans" in printed and "platform" in printed
    plans = pd.read_csv(out / "plans.csv", dtype=str)
    assert plans["plan_id"].tolist()[0] == "sumida"
    import scipy.sparse as sp

    matrix = sp.load_npz(out / "dtm.npz")
    terms = pd.read_csv(out / "terms.csv", keep_default_na=False)
    assert matrix.shape == (5, len(terms))


def test_cli_run_writes_no_field_a_spreadsheet_would_evaluate(tmp_path):
    import csv

    from compare.io.catalog import read_catalog
    from compare.io.spreadsheet import FORMULA_STARTS, neutralise

    payloads = ['=HYPERLINK("http://e.invalid","x")', "+2+2", "-3+3", "@SUM(4+4)"]
    catalog = read_catalog()
    rows = catalog[catalog["plan_id"].isin(["sumida", "tama-6"])].copy()
    for row in rows.itertuples():
        text = (ROOT / "data" / row.path).read_text(encoding="utf-8")
        text += "\n\n" + "\n\n".join(
            f"{p} プラットフォーム づくりを 推進 します。" for p in payloads
        )
        (tmp_path / f"{row.plan_id}.txt").write_text(text, encoding="utf-8")
    rows["path"] = rows["plan_id"] + ".txt"
    rows["sha256"] = ""
    rows["municipality"] = [payloads[0], payloads[1] + "多摩区"]
    rows["title"] = [payloads[2], payloads[3]]
    rows.to_csv(tmp_path / "catalog.csv", index=False)
    out = tmp_path / "out"
    args = ["run", "--catalog", str(tmp_path / "catalog.csv"), "--jobs", "1", "--no-cache"]
    assert main([*args, "--quiet", "--out", str(out)]) == 0
    fields = {}
    for path in sorted(out.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            fields[path.name] = [field for row in csv.reader(handle) for field in row]
    unsafe = [
        (name, field[:40])
        for name, values in fields.items()
        for field in values
        if field.startswith(FORMULA_STARTS) and neutralise(field) != field
    ]
    assert unsafe == []
    # The payloads are kept, behind a quote: from the catalogue and from the plan text.
    assert "'" + payloads[0] in fields["plans.csv"]
    assert "'" + payloads[1] + "多摩区" in fields["plans.csv"]
    quoted = [
        f for f in fields["quotes.csv"] if f.endswith("プラットフォーム づくりを 推進 します。")
    ]
    assert quoted and all(f.startswith("'") for f in quoted)


# --------------------------------------------------------------------------- corpus generator


def test_make_corpus_is_deterministic_and_valid(tmp_path):
    make = _make_corpus_module().make_corpus
    first = make(tmp_path / "a", chars=30_000, plans=3, seed=7)
    second = make(tmp_path / "b", chars=30_000, plans=3, seed=7)
    other = make(tmp_path / "c", chars=30_000, plans=3, seed=8)
    assert first.read_bytes() == second.read_bytes()
    for name in sorted(p.name for p in (tmp_path / "a" / "plans").iterdir()):
        assert (tmp_path / "a/plans" / name).read_bytes() == (
            tmp_path / "b/plans" / name
        ).read_bytes()
    assert first.read_bytes() != other.read_bytes()
    catalog = read_catalog(first)  # validates codes, choices and sha256
    assert len(catalog) == 3
    segments = read_corpus(catalog)
    assert 25_000 < segments["text"].str.len().sum() < 40_000
    assert (segments["kind"] == "heading").groupby(segments["plan_id"]).sum().min() >= 3


# --------------------------------------------------------------------------- compiled rules

WORDS = ["防災", "訓練", "地域", "連携", "見守り", "支え合い", "相談", "支援", "体制", "場", "協働"]
RULES = [
    "防災 or 避難",
    "(防災 or 災害) >= 2 or (kind:heading and 防災)",
    "not 防災 and 地域",
    "seq(地域-連携)[3] or near(相談-支援)[2]",
    "防災+訓練 or section:防災",
    "(見守り or 支え合い) < 1 or heading:計画",
    "not (連携 or kind:paragraph)",
    "text:地域 and 支援体制",
    "重層的支援 or seq(重層-支援)[2] or 狭間",
]


def test_folded_rules_equal_plain_evaluation(bundled):
    segments, tokens = bundled
    from compare.themes.coding import build_corpus

    corpus = build_corpus(segments, tokens=tokens)
    nodes = [parse_rule(r) for r in RULES] + [t.node for t in load_themes()]
    rules = RuleSet(nodes)
    for passage in corpus.passages:
        present, held = rules.present(passage), rules.true_conditions(passage)
        candidates = set(rules.candidates(present, held))
        for index, node in enumerate(nodes):
            folded = evaluate(rules.rule(index, present, held), passage)
            plain = evaluate(node, passage)
            assert (folded.ok, folded.spans, folded.conditions) == (
                plain.ok,
                plain.spans,
                plain.conditions,
            )
            if plain.ok:
                assert index in candidates


def _rule_text(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(
        st.sampled_from(WORDS),
        st.builds(lambda a, b: f"{a}+{b}", st.sampled_from(WORDS), st.sampled_from(WORDS)),
        st.builds(
            lambda k, a, b, n: f"{k}({a}-{b})[{n}]",
            st.sampled_from(["near", "seq"]),
            st.sampled_from(WORDS),
            st.sampled_from(WORDS),
            st.integers(1, 4),
        ),
        st.builds(
            lambda a, op, n: f"{a} {op} {n}",
            st.sampled_from(WORDS),
            st.sampled_from([">=", "<", "==", ">"]),
            st.integers(0, 2),
        ),
        st.sampled_from(["kind:heading", "kind:paragraph", "section:防災", "text:地域"]),
    )
    if depth == 0:
        return leaf
    sub = _rule_text(depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda a: f"not ({a})", sub),
        st.builds(lambda a, b: f"({a}) and ({b})", sub, sub),
        st.builds(lambda a, b: f"({a}) or ({b})", sub, sub),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rule=_rule_text(2),
    words=st.lists(st.sampled_from(WORDS), max_size=8),
    gap=st.integers(0, 7),
    kind=st.sampled_from(["heading", "paragraph"]),
    section=st.sampled_from(["", "防災対策", "地域"]),
)
def test_folding_is_exact_on_random_rules(rule, words, gap, kind, section):
    positions = [k + (1 if k >= gap else 0) for k in range(len(words))]
    passage = Passage(
        words=words,
        positions=positions,
        heading_path=section,
        section=section,
        kind=kind,
        text="".join(words),
    )
    node = parse_rule(rule)
    rules = RuleSet([node])
    folded = evaluate(
        rules.rule(0, rules.present(passage), rules.true_conditions(passage)), passage
    )
    plain = evaluate(node, passage)
    assert (folded.ok, folded.spans, folded.conditions) == (plain.ok, plain.spans, plain.conditions)
    held = rules.holding(passage)
    assert bool(held) == plain.ok
    if held:  # the bound of the folded rule covers every distinct matched span
        assert span_bound(held[0][2], passage) >= len(set(plain.spans))


# --------------------------------------------------------------------------- lean analysis


def _content_from_tokens(engine, text):
    tokens = engine.tokens(text)
    return [t[3] for t in tokens if t[6]], [k for k, t in enumerate(tokens) if t[6]]


def test_lean_analysis_equals_the_token_table(bundled):
    segments, _ = bundled
    engine = Tokenizer()._engine()
    for text in segments["text"]:
        assert engine.content(text) == _content_from_tokens(engine, text)


PIECES = [
    *"地域福祉計画重層的支援体制成年後見制度の推進と１２（）ｶﾞﾊﾟ㈱①が\u3099 。、・ー",
    "プラットフォーム",
    "高齢者",
    "多様性",
    "社会福祉協議会",
    "Ａ",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_lean_analysis_equals_tokens_on_awkward_text(text):
    engine = Tokenizer()._engine()
    words, positions = engine.content(text)
    assert (words, positions) == _content_from_tokens(engine, text)
    assert engine.words(text) == words
    assert positions == sorted(set(positions))
