"""Tokenizer and token tables.

Expected words are stated against unidic-lite 1.0.8 (UniDic 2.1.2 for MeCab)
as shipped with the package; the POS and lemma facts used below (重層 / 的 /
支援, プラットホーム-platform, 所沢 -> トコロザワ) are those of that
dictionary.
"""

from __future__ import annotations

import pickle
import re
import unicodedata
from importlib import metadata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare import Tokenizer, load_terms, read_corpus, tokenize
from compare.errors import TokenizerError
from compare.text._engine import prepare
from tests.conftest import SEED_FILES

TOK = Tokenizer()


def test_dictionary_is_the_one_the_expectations_are_written_for():
    assert metadata.version("unidic-lite") == "1.0.8"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # domain compounds that UniDic splits stay whole
        ("重層的支援体制の整備", ["重層的支援体制", "整備"]),
        ("成年後見制度を利用する", ["成年後見制度", "利用"]),
        ("地域共生社会の実現", ["地域共生社会", "実現"]),
        ("地域包括ケアシステムの構築", ["地域包括ケアシステム", "構築"]),
        ("災害ボランティアセンターを設置", ["災害ボランティアセンター", "設置"]),
        ("避難行動要支援者名簿の作成", ["避難行動要支援者名簿", "作成"]),
        ("生活困窮者への自立支援", ["生活困窮者", "自立支援"]),
        # the longest curated term wins
        ("地域福祉活動計画", ["地域福祉活動計画"]),
        ("地域福祉計画", ["地域福祉計画"]),
        # a noun takes a word-forming suffix
        ("高齢者と障害者", ["高齢者", "障がい者"]),
        ("多様性の尊重", ["多様性", "尊重"]),
        # lemma: inflection removed, gloss stripped, written kana kept
        ("地域で取り組んでいます", ["地域", "取り組む"]),
        ("安心して暮らせる", ["安心", "暮らす"]),
        ("つながりを大切に", ["つながり", "大切"]),
        # proper nouns keep their written form (UniDic's lemma is a reading)
        ("所沢の魅力", ["所沢", "魅力"]),
        # NFKC for analysis
        ("８０５０問題", ["8050問題"]),
        ("ﾎﾞﾗﾝﾃｨｱ", ["ボランティア"]),
        # particles, auxiliaries, light verbs and formal nouns are not content
        ("することができる", []),
    ],
)
def test_words(text, expected):
    assert TOK.words(text) == expected


@pytest.mark.parametrize(
    "spellings",
    [
        ("障がいのある人", "障害のある人", "障碍のある人"),
        ("子どもの居場所", "子供の居場所", "こどもの居場所"),
        ("地域の取組", "地域の取り組み"),
        ("一人ひとりの尊厳", "一人一人の尊厳"),
        ("プラットフォームづくり", "プラットホームづくり", "ﾌﾟﾗｯﾄﾌｫｰﾑづくり"),
        ("子ども食堂", "子供食堂", "こども食堂"),
        ("民生委員児童委員", "民生委員・児童委員"),
        ("見守り活動", "みまもり活動"),
    ],
)
def test_variants_share_one_analysed_form(spellings):
    analysed = {tuple(TOK.words(text)) for text in spellings}
    assert len(analysed) == 1
    for text in spellings:  # the surface stays as written
        assert "".join(t.surface for t in TOK.tokens(text)) == text


def test_lemma_cleanup():
    (token,) = TOK.tokens("プラットフォーム")
    assert token.lemma == "プラットホーム"  # UniDic: プラットホーム-platform
    assert token.word == "プラットフォーム"
    (unknown,) = Tokenizer(compounds=False).tokens("Zqxv")
    assert unknown.lemma == "Zqxv"  # no lemma in the dictionary: the surface


def test_pos_filter_and_stopwords():
    text = "安心して暮らせる地域のことを考える"
    assert "暮らす" in TOK.words(text)
    assert Tokenizer(pos=["名詞"]).words(text) == ["安心", "地域"]
    assert "こと" not in TOK.words(text)
    assert "こと" in Tokenizer(stopwords=None).words(text)
    assert "地域" not in Tokenizer(stopwords=["地域"]).words(text)
    everything = Tokenizer(pos=None, stopwords=None).words(text)
    assert "の" in everything and "を" in everything


def test_compounds_off_gives_dictionary_units():
    assert Tokenizer(compounds=False).words("重層的支援体制") == ["重層", "支援", "体制"]
    assert Tokenizer(compounds=False).words("高齢者") == ["高齢"]


def test_user_terms_from_list_and_file(tmp_path):
    text = "まちの縁側を広げる"
    assert "まちの縁側" not in TOK.words(text)
    assert Tokenizer(user_terms=["まちの縁側"]).words(text)[0] == "まちの縁側"
    path = tmp_path / "my_terms.txt"
    path.write_text("# my terms\nまちの縁側\n\n", encoding="utf-8")
    assert Tokenizer(user_terms=path).words(text)[0] == "まちの縁側"


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("地域福祉\n地域 福祉\n", 2),
        ("# comment\n\n地域福祉\n計画。\n", 4),
        ("a\n", 1),
    ],
)
def test_bad_user_term_file_names_the_line(tmp_path, content, line):
    path = tmp_path / "terms.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TokenizerError, match=rf"terms\.txt:{line}:"):
        Tokenizer(user_terms=path).words("地域")


@pytest.mark.parametrize(
    ("settings_", "message"),
    [
        ({"pos": 3}, "pos must be"),
        ({"pos": []}, "pos must be"),
        ({"stopwords": "none"}, "stopwords must be"),
        ({"compounds": "yes"}, "compounds must be"),
        ({"dictionary": "no-such-dictionary"}, "dictionary 'no-such-dictionary'"),
        ({"user_terms": "missing-file.txt"}, "does not exist"),
    ],
)
def test_settings_are_checked_when_the_work_runs(settings_, message):
    tokenizer = Tokenizer(**settings_)  # storing settings never fails
    assert tokenizer.get_params()[next(iter(settings_))] == next(iter(settings_.values()))
    with pytest.raises(TokenizerError, match=message):
        tokenizer.words("地域")


def test_non_text_is_rejected():
    with pytest.raises(TokenizerError, match="expected a text"):
        TOK.words(None)


def test_scikit_learn_conventions():
    from sklearn.base import clone
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    docs = ["重層的支援体制の整備を進める", "成年後見制度と重層的支援体制"]
    tokenizer = Tokenizer(stopwords=["進める"])
    vectorizer = CountVectorizer(analyzer=tokenizer.words)
    matrix = vectorizer.fit_transform(docs)
    vocabulary = list(vectorizer.get_feature_names_out())
    assert "重層的支援体制" in vocabulary and "重層" not in vocabulary
    assert matrix[:, vocabulary.index("重層的支援体制")].sum() == 2
    tfidf = clone(TfidfVectorizer(analyzer=tokenizer)).fit(docs)
    assert "成年後見制度" in tfidf.get_feature_names_out()
    assert tokenizer.set_params(compounds=False) is tokenizer
    assert "重層" in tokenizer.words(docs[0])


def test_tokenizer_pickles():
    tokenizer = Tokenizer(user_terms=["まちの縁側"])
    tokenizer.words("地域")  # builds the tagger, which must not be pickled
    clone = pickle.loads(pickle.dumps(tokenizer))
    assert clone.get_params() == tokenizer.get_params()
    assert clone.words("まちの縁側と重層的支援") == tokenizer.words("まちの縁側と重層的支援")


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\t\u3000",
        "😀🏠👍",
        "\x00\x01\x1b\x7f\ud800地域",
        "ｼｬｶｲﾌｸｼｷｮｳｷﾞｶｲ",
        "ア" * 20_000,
        "a" * 20_000,
        "重層的支援体制" * 3_000,
    ],
)
def test_awkward_input(text):
    words = TOK.words(text)
    tokens = TOK.tokens(text)
    assert all(isinstance(w, str) and w for w in words)
    assert words == [t.word for t in tokens if t.is_content]


def test_one_megabyte_single_line():
    sentence = "地域共生社会の実現に向けて、重層的支援体制整備事業を推進します。"
    text = sentence * (1_000_000 // len(sentence) + 1)
    words = TOK.words(text)
    assert words.count("重層的支援体制整備事業") == text.count("重層的支援体制整備事業")


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("地域福祉の計画ｱｲｳﾞ８、。 \n①㈱😀a-Ａ子ども・支援者的"), max_size=60
    )
)
def test_tokens_point_back_into_the_text(text):
    tokens = TOK.tokens(text)
    previous_end = 0
    for token in tokens:
        assert previous_end <= token.start < token.end <= len(text)
        assert text[token.start : token.end] == token.surface
        previous_end = token.end

    # every character that is not white space after NFKC belongs to a token
    def visible(s):
        return "".join(c for c in unicodedata.normalize("NFKC", s) if not c.isspace())

    assert visible("".join(t.surface for t in tokens)) == visible(text)
    assert TOK.words(text) == [t.word for t in tokens if t.is_content]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("地域ｱｲｳﾞﾟ８Ａ①㈱ｶ\u3099e\u0301a。 "), max_size=12),
        max_size=6,
    )
)
def test_normalisation_equals_the_character_by_character_form(texts):
    # The fast path shares a growing table across calls, so a sequence of
    # texts checks that what one text taught never changes another's form.
    for text in texts:
        norm, _, _, exact = prepare(text)
        chunks = re.findall(r".[\u0300-\u036f\u3099\u309a\uff9e\uff9f]*", text, re.S)
        expected = "".join(unicodedata.normalize("NFKC", chunk) for chunk in chunks)
        assert norm == expected
        if exact:
            assert len(norm) == len(text)


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=40))
def test_any_text_tokenizes(text):
    assert TOK.words(text) == [t.word for t in TOK.tokens(text) if t.is_content]


# -- the real seed texts ------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return read_corpus()


@pytest.fixture(scope="module")
def tokens(corpus, tmp_path_factory) -> pd.DataFrame:
    return tokenize(corpus, cache_dir=tmp_path_factory.mktemp("cache"))


def test_curated_terms_come_out_whole_in_every_seed():
    terms = load_terms()
    broken = []
    for path in SEED_FILES:
        text = unicodedata.normalize("NFKC", path.read_text(encoding="utf-8"))
        spans = [(t.start, t.end) for t in TOK.tokens(text)]
        for term in terms:
            start = text.find(term)
            while start >= 0:
                end = start + len(term)
                if not any(s <= start and end <= e for s, e in spans):
                    broken.append((path.name, term, start))
                start = text.find(term, start + 1)
    assert broken == []


def test_token_table_contract(corpus, tokens):
    expected = ["plan_id", "seg_id", "sent_id", "position", "surface", "lemma", "word", "pos",
                "pos1", "is_content", "is_compound", "kind", "section_id", "municipality",
                "plan_type"]  # fmt: skip
    assert set(expected) <= set(tokens.columns)
    assert list(dict.fromkeys(tokens["plan_id"])) == list(dict.fromkeys(corpus["plan_id"]))
    for column in ("municipality", "plan_type", "author", "kind", "section_id"):
        assert isinstance(tokens[column].dtype, pd.CategoricalDtype)
    # positions count tokens within each segment; sentences never go back
    for _, seg in tokens.groupby(["plan_id", "seg_id"], sort=False):
        assert seg["position"].tolist() == list(range(len(seg)))
        assert seg["sent_id"].is_monotonic_increasing
    # offsets point into the segment text
    texts = corpus.set_index(["plan_id", "seg_id"])["text"]
    sample = tokens.iloc[::97]
    for row in sample.itertuples():
        assert texts[(row.plan_id, row.seg_id)][row.start : row.end] == row.surface
    assert not tokens["lemma"].str.contains("-platform").any()
    assert tokens.attrs["dictionary"] == "unidic-lite"
    assert tokens.attrs["dictionary_version"] == metadata.version("unidic-lite")
    assert tokens.attrs["tokenizer"]["compounds"] is True


def test_table_words_equal_tokenizer_words(corpus, tokens):
    for row in corpus.iloc[::7].itertuples():
        words = tokens[(tokens.plan_id == row.plan_id) & (tokens.seg_id == row.seg_id)]
        assert words.loc[words.is_content, "word"].tolist() == TOK.words(row.text)


def test_domain_terms_counted_in_seeds(tokens):
    words = set(tokens.loc[tokens.is_content, "word"])
    for term in ("地域共生社会", "プラットフォーム", "成年後見制度", "社会福祉協議会", "権利擁護"):
        assert term in words
    assert "プラットホーム" not in words


def test_cache_hit_returns_an_identical_table(corpus, tmp_path):
    corpus = corpus[corpus.plan_id.isin(["sumida", "tama-6"])]
    first = tokenize(corpus, cache_dir=tmp_path)
    files = sorted((tmp_path / "tokens").glob("*.parquet"))
    assert len(files) == 2  # one per plan
    stamps = [f.stat().st_mtime_ns for f in files]
    second = tokenize(corpus, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(first, second)
    assert first.attrs == second.attrs
    assert [f.stat().st_mtime_ns for f in files] == stamps  # read, not rewritten
    # other settings are cached apart
    tokenize(corpus, Tokenizer(compounds=False), cache_dir=tmp_path)
    assert len(list((tmp_path / "tokens").glob("*.parquet"))) == 4


def test_cache_dir_from_environment(corpus, cache_dir):
    tokenize(corpus[corpus.plan_id == "sumida"])
    assert list((cache_dir / "tokens").glob("*.parquet"))


def test_deterministic(corpus, tokens):
    pd.testing.assert_frame_equal(tokenize(corpus, cache=False), tokens)


def test_worker_processes_give_the_same_table(corpus, tokens, monkeypatch):
    import compare.text.tokenizer as module

    monkeypatch.setattr(module, "_TASK_CHARS", 5_000)  # several tasks for two workers
    parallel = tokenize(corpus, cache=False, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(parallel, tokens)
    texts = corpus["text"].tolist()
    assert TOK.words_batch(texts, n_jobs=2) == [TOK.words(t) for t in texts]


def test_a_worker_built_from_settings_matches_an_inherited_engine(corpus):
    # Forked workers reuse the parent's engine; spawned ones (macOS, Windows)
    # rebuild it from pickled settings.  Both must give the same words.
    from compare.text import _engine as core

    texts = corpus["text"].head(200).tolist()
    engine = TOK._engine()
    settings = pickle.loads(pickle.dumps(engine.settings))
    try:
        core.worker_init(settings)
        rebuilt = core.worker_task(("words", texts))
        assert core._WORKER is not engine
        core.worker_init(engine)
        assert core._WORKER is engine
        inherited = core.worker_task(("words", texts))
    finally:
        core._WORKER = None
    assert rebuilt == inherited == [TOK.words(t) for t in texts]


def test_hand_made_segments_table():
    segments = pd.DataFrame(
        {
            "plan_id": ["b", "b", "a"],
            "seg_id": [0, 1, 0],
            "kind": ["heading", "paragraph", "paragraph"],
            "municipality": ["所沢市", "所沢市", "墨田区"],
            "text": ["第１章 計画の策定", "子供食堂！ひきこもり。", ""],
        }
    )
    table = tokenize(segments, cache=False)
    assert list(dict.fromkeys(table.plan_id)) == ["b"]  # the empty segment has no tokens
    row = table[table.word == "子ども食堂"].iloc[0]
    assert (row.surface, row.sent_id, row.is_compound) == ("子供食堂", 0, True)
    assert table.loc[table.word == "ひきこもり", "sent_id"].tolist() == [1]
    assert set(table.municipality.cat.categories) == {"所沢市", "墨田区"}


def test_segments_table_needs_text():
    with pytest.raises(TokenizerError, match="lacks column"):
        tokenize(pd.DataFrame({"plan_id": ["a"], "seg_id": [0]}))


def test_tokenizers_in_one_thread_share_one_tagger_and_threads_do_not():
    """Each tagger maps the dictionary again: same settings, same thread, one tagger."""
    import threading

    first, second = Tokenizer()._engine(), Tokenizer(stopwords=["計画"])._engine()
    assert first is not second
    assert first.tagger is second.tagger
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(Tokenizer()._engine().tagger))
    thread.start()
    thread.join()
    assert other and other[0] is not first.tagger
