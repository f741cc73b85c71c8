"""The comparison vocabulary: parts of speech, stop words, place names, folding."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from compare import Vocabulary, read_catalog, read_corpus, stat_keyness, stat_similarity, tokenize
from compare.errors import TokenizerError
from compare.text.vocabulary import BOILERPLATE, TYPE_WORDS, place_names
from tests.conftest import DATA
from tests.synthetic import make_segments

#: Words that say where a plan comes from or what kind of municipality wrote it.
RESIDENT_AND_TYPE = {"市", "区", "町", "村", "市民", "区民", "町民", "村民", "本市", "本区", "本町"}


@pytest.fixture(scope="module")
def corpus() -> tuple[pd.DataFrame, pd.DataFrame]:
    segments = read_corpus()
    return segments, tokenize(segments, cache=False)


def _tokens(text: str, municipality: str = "緑野町") -> pd.DataFrame:
    segments = make_segments({"p": [("paragraph", text)]}, {"p": {"municipality": municipality}})
    return tokenize(segments, cache=False)


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("所沢市", ["所沢市", "所沢"]),
        ("川崎市多摩区", ["川崎市多摩区", "川崎市", "多摩区", "川崎", "多摩"]),
        ("四日市市", ["四日市市", "四日市"]),
        ("町田市", ["町田市", "町田"]),
        ("東村山市", ["東村山市", "東村山"]),
        ("北区", ["北区"]),
        ("神奈川県", ["神奈川県", "神奈川"]),
        ("北海道", ["北海道"]),
        ("三好郡東みよし町", ["三好郡東みよし町", "東みよし町", "東みよし", "三好郡", "三好"]),
        ("", []),
    ],
)
def test_place_names(name: str, forms: list[str]) -> None:
    assert place_names(name) == sorted(forms, key=lambda f: (-len(f), f))


def test_parts_of_speech_and_stop_words() -> None:
    tokens = _tokens("本計画では、地域の見守りを推進し、3つの拠点を新たにつくることとします。")
    words = Vocabulary().words(tokens)
    assert words == ["地域", "見守り", "拠点"]
    with_verbs = Vocabulary(verbs=True, adjectives=True, boilerplate=None).words(tokens)
    assert with_verbs == ["計画", "地域", "見守り", "推進", "拠点", "新た", "つくる"]


def test_resident_and_self_reference_words_fold_for_comparison_only() -> None:
    text = "本市では市民と町民と区民が、市内の住民活動と市民活動を支えます。"
    tokens = _tokens(text)
    before = tokens.copy()
    compared = Vocabulary().compared(tokens)
    assert list(compared["word"]) == ["本自治体", "住民", "住民", "住民", "住民活動", "住民活動"]
    assert list(compared["shown"]) == ["市", "市民", "町民", "区民", "住民活動", "市民活動"]
    # the tokens table is untouched: its words and surfaces are what the plan wrote
    pd.testing.assert_frame_equal(tokens, before)
    assert {"市民", "市民活動"} <= set(tokens["word"])
    # the surfaces still rebuild the shown text
    assert "".join(tokens["surface"]) == text
    # without folding the words stay apart (and the type words are counted)
    plain = Vocabulary(fold=False).words(tokens)
    assert {"市民", "町民", "区民", "市"} <= set(plain)


def test_kwic_and_tokens_table_show_the_written_words(corpus) -> None:
    from compare.stats.themes import stat_kwic

    segments, tokens = corpus
    kwic = stat_kwic(segments, "市民", tokens=tokens)
    assert len(kwic) > 0
    assert kwic["match"].str.startswith("市民").all()
    assert {"市民", "市民アンケート"} <= set(kwic["word"])
    assert (tokens["word"] == "市民").sum() > 0
    assert (Vocabulary().compared(tokens)["word"] == "市民").sum() == 0


def test_place_names_are_removed_however_they_are_split() -> None:
    # 緑野 is a common noun to UniDic: the catalogue's name removes it all the same
    tokens = _tokens("緑野町では、緑野町民と緑野町社会福祉協議会が防災を進めます。")
    assert Vocabulary().words(tokens) == ["社会福祉協議会", "防災"]
    kept = Vocabulary(place_names=False).words(tokens)
    assert "緑野" in kept
    extra = _tokens("狭山市と連携して防災を進めます。", municipality="緑野町")
    assert Vocabulary(names=["狭山市"]).words(extra) == ["連携", "防災"]


def test_user_lists(tmp_path: Path) -> None:
    tokens = _tokens("地域の相談と居場所づくりと計画の推進。")
    assert Vocabulary().words(tokens) == ["地域", "相談", "居場所づくり"]
    stop = tmp_path / "stop.txt"
    stop.write_text("# my list\n相談\n", encoding="utf-8")
    assert Vocabulary(extra_stopwords=stop).words(tokens) == ["地域", "居場所づくり"]
    assert Vocabulary(boilerplate=None).words(tokens) == [
        "地域",
        "相談",
        "居場所づくり",
        "計画",
        "推進",
    ]
    # a user's term is counted whatever the lists say
    assert "計画" in Vocabulary(terms=["計画"]).words(tokens)
    bad = tmp_path / "bad.txt"
    bad.write_text("相談 居場所\n", encoding="utf-8")
    with pytest.raises(TokenizerError, match=r"bad\.txt:1"):
        Vocabulary(extra_stopwords=bad).words(tokens)


def test_settings_block() -> None:
    vocabulary = Vocabulary.from_settings(
        {"verbs": True, "boilerplate": False, "keep_place_names": True}, where="s.yaml"
    )
    assert vocabulary.verbs and vocabulary.boilerplate is None and not vocabulary.place_names
    with pytest.raises(TokenizerError, match=r"s\.yaml: unknown vocabulary setting\(s\) 'verb'"):
        Vocabulary.from_settings({"verb": True}, where="s.yaml")
    with pytest.raises(TokenizerError, match=r"s\.yaml: vocabulary setting verbs must be true"):
        Vocabulary.from_settings({"verbs": "yes"}, where="s.yaml")
    assert Vocabulary() == Vocabulary.from_settings(None)
    assert Vocabulary(verbs=True) != Vocabulary()
    assert "verbs=True" in repr(Vocabulary(verbs=True))


def test_describe_names_the_lists(corpus) -> None:
    _, tokens = corpus
    described = Vocabulary().describe(tokens)
    assert "stopwordsiso" in described["ストップワード (stop words)"]
    assert set(BOILERPLATE) == set(described["計画の定型語 (boilerplate)"])
    assert {"所沢市", "所沢", "多摩区", "下関"} <= set(
        described["除いた地名 (place names removed)"]
    )


def _top_words(tokens: pd.DataFrame, n: int = 20) -> dict[str, list[str]]:
    table = stat_keyness(tokens, top=n, min_count=2)
    return {plan: list(group["word"]) for plan, group in table.groupby("plan_id", sort=False)}


def test_bundled_top_words_name_no_place_and_no_municipality_type(corpus) -> None:
    _, tokens = corpus
    names = set(Vocabulary().names_for(tokens))
    before = _top_words(tokens.assign(), n=20)
    # the raw words show the problem the vocabulary solves
    raw = stat_keyness(tokens, top=20, min_count=2, vocabulary=None)
    raw_words = set(raw["word"])
    assert raw_words & names and raw_words & RESIDENT_AND_TYPE
    for plan, words in before.items():
        assert len(words) == 20, plan
        assert not set(words) & names, plan
        assert not set(words) & RESIDENT_AND_TYPE, plan
        assert not set(words) & set(TYPE_WORDS), plan
        assert not any(name in word for word in words for name in names), plan


def _renamed_corpus(tmp_path: Path) -> Path:
    """A copy of the bundled corpus where 所沢市 is 緑野町, in its text and its catalogue."""
    plans = tmp_path / "plans"
    plans.mkdir()
    with open(DATA / "catalog.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        source = DATA / row["path"]
        target = plans / Path(row["path"]).name
        if row["plan_id"] == "tokorozawa-2":
            text = source.read_text(encoding="utf-8")
            target.write_text(text.replace("所沢", "緑野").replace("市", "町"), encoding="utf-8")
            for column in ("municipality", "title", "identification"):
                row[column] = row[column].replace("所沢", "緑野").replace("市", "町")
            row["sha256"] = ""
        else:
            shutil.copy(source, target)
        row["path"] = f"plans/{target.name}"
    catalog = tmp_path / "catalog.csv"
    with open(catalog, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return catalog


def test_renaming_a_municipality_changes_no_comparison(corpus, tmp_path: Path) -> None:
    _, tokens = corpus
    renamed_catalog = read_catalog(_renamed_corpus(tmp_path))
    assert "緑野町" in set(renamed_catalog["municipality"])
    renamed = tokenize(read_corpus(renamed_catalog), cache=False)
    assert "緑野" in set(renamed["surface"]) and "所沢" not in set(renamed["surface"])

    def ranking(table: pd.DataFrame) -> list[tuple[str, str, float]]:
        ranked = table.sort_values(["cosine", "plan_id_a", "plan_id_b"], ascending=False)
        return [(r.plan_id_a, r.plan_id_b, round(r.cosine, 12)) for r in ranked.itertuples()]

    original = ranking(stat_similarity(tokens, pairs="unique"))
    assert ranking(stat_similarity(renamed, pairs="unique")) == original
    assert _top_words(renamed) == _top_words(tokens)
    # without the vocabulary the renaming shows (the place name is a distinctive word)
    raw_a = stat_keyness(tokens, top=20, vocabulary=None)
    raw_b = stat_keyness(renamed, top=20, vocabulary=None)
    assert list(raw_a["word"]) != list(raw_b["word"])


def test_count_matrices_take_the_vocabulary_word_by_word() -> None:
    import numpy as np
    import scipy.sparse as sp

    from compare.stats.matrix import compare_counts

    terms = ["津", "北", "市民", "区民", "所沢", "所沢市社会福祉協議会", "考える", "計画", "防災"]
    counts = sp.csr_matrix(np.array([[1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 1, 1, 1, 1, 1, 1, 1]]))
    out, words = compare_counts(counts, terms, places=["津市", "所沢市", "埼玉県"])
    # 津 is 津市's stem (a word of its own here), 北 is not a name; 市民 + 区民 fold into 住民
    assert list(words) == ["住民", "北", "社会福祉協議会", "防災"]
    assert out.toarray().tolist() == [[7, 2, 6, 9], [2, 1, 1, 1]]
    same, raw = compare_counts(counts, terms, None)
    assert list(raw) == terms and (same != counts).nnz == 0


def test_curated_terms_count_whatever_their_part_of_speech() -> None:
    # UniDic reads 見守り (a curated term) as a verb; it is compared as the noun it is here
    tokens = _tokens("地域の見守りと支え合いを進める。")
    assert tokens.loc[tokens["word"] == "見守り", "pos"].str.startswith("動詞").all()
    assert Vocabulary().words(tokens) == ["地域", "見守り", "支え合い"]
    from compare.stats.matrix import compare_counts

    _, words = compare_counts(np.ones((1, 2), dtype=np.int64), ["見守り", "進める"])
    assert list(words) == ["見守り"]


def test_tokenizer_words_in_the_comparison_vocabulary() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    from compare import Tokenizer

    text = "本市では市民と区民の見守りを推進し、所沢の計画を進めます。"
    plain = Tokenizer()
    assert plain.words(text) == ["市", "市民", "区民", "見守り", "推進", "所沢", "計画", "進める"]
    tokenizer = Tokenizer(vocabulary=Vocabulary())
    assert tokenizer.words(text) == ["本自治体", "住民", "住民", "見守り"]
    assert tokenizer.words_batch([text, ""]) == [tokenizer.words(text), []]
    # the tokens are what the plan wrote, and the cache key does not change
    assert [t.word for t in tokenizer.tokens(text)] == [t.word for t in plain.tokens(text)]
    assert tokenizer.fingerprint() == plain.fingerprint()
    vectorizer = CountVectorizer(analyzer=Tokenizer(vocabulary="default")).fit([text])
    assert list(vectorizer.get_feature_names_out()) == ["住民", "本自治体", "見守り"]
    with pytest.raises(TokenizerError, match=r"vocabulary must be a compare\.Vocabulary"):
        Tokenizer(vocabulary=3).words(text)


@pytest.mark.parametrize(
    ("city", "town"),
    [
        (
            "本市の市民活動と市社協、市民後見人の養成。",
            "本町の町民活動と町社協、町民後見人の養成。",
        ),
        ("市内の市民アンケートでは、市長と市役所の", "町内の町民アンケートでは、町長と町役場の"),
        (
            "区民の区民活動を区社会福祉協議会が支える。",
            "村民の村民活動を村社会福祉協議会が支える。",
        ),
    ],
)
def test_renaming_the_kind_of_municipality_changes_no_compared_word(city: str, town: str) -> None:
    city_words = Vocabulary().words(_tokens(city, municipality="緑野市"))
    town_words = Vocabulary().words(_tokens(town, municipality="緑野町"))
    assert city_words == town_words and city_words


def test_a_vocabulary_that_leaves_nothing_says_what_to_do() -> None:
    from compare.errors import AnalysisError

    tokens = _tokens("本計画の推進。")
    with pytest.raises(AnalysisError, match=r"leaves no word of the .* pass vocabulary=None"):
        stat_keyness(tokens)
    assert set(Vocabulary(boilerplate=None).words(tokens)) == {"計画", "推進"}
