"""Curated term list, variant groups and FLR term candidates."""

from __future__ import annotations

import math
import unicodedata

import pandas as pd
import pytest

from compare import Tokenizer, load_terms, read_corpus, stat_term_candidates, tokenize
from compare.errors import TokenizerError
from compare.text.terms import load_variants
from tests.conftest import DATA

#: Terms the domain notes say must stay whole, plus terms named in the tokenizer issue.
REQUIRED = [
    "重層的支援体制",
    "重層的支援体制整備事業",
    "包括的支援体制",
    "多機関協働",
    "地域共生社会",
    "地域福祉コーディネーター",
    "生活支援コーディネーター",
    "成年後見制度",
    "日常生活自立支援事業",
    "権利擁護",
    "生活困窮者",
    "自立支援",
    "社会福祉協議会",
    "地区社会福祉協議会",
    "民生委員児童委員",
    "地域包括支援センター",
    "地域包括ケアシステム",
    "災害ボランティアセンター",
    "避難行動要支援者",
    "要配慮者",
    "子ども食堂",
    "ひきこもり",
    "ヤングケアラー",
    "8050問題",
    "プラットフォーム",
    "アウトリーチ",
    "伴走支援",
    "心のバリアフリー",
    "地域福祉活動計画",
    "地域福祉計画",
    "社会福祉法人",
    "避難行動要支援者名簿",
    "小地域福祉活動",
    "福祉避難所",
    "居住支援",
    "就労支援",
    "地域ケア会議",
    "認知症サポーター",
    "見守り活動",
    "ふれあいいきいきサロン",
    "生活支援体制整備事業",
    "協議体",
    "包括的相談支援事業",
    "参加支援事業",
    "地域づくり事業",
]


def test_curated_list_is_broad_and_clean():
    terms = load_terms()
    assert len(terms) >= 150
    assert len(terms) == len(set(terms))
    assert all(t == unicodedata.normalize("NFKC", t) for t in terms)
    missing = [t for t in REQUIRED if t not in terms]
    assert missing == []


def test_curated_file_documents_its_sources():
    header = (DATA / "terms.txt").read_text(encoding="utf-8").split("\n")[:30]
    text = "\n".join(header)
    assert "社会福祉法" in text and "厚生労働省" in text


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("地域福祉\n地域 福祉\n", 2, "contains"),
        ("# header\n\n計画。\n", 3, "contains '。'"),
        ("地域福祉\nx\n", 2, "shorter than 2"),
        ("地域福祉\n" + "あ" * 65 + "\n", 2, "longer than 64"),
    ],
)
def test_bad_term_file_line(tmp_path, content, line, message):
    path = tmp_path / "mine.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TokenizerError, match=rf"mine\.txt:{line}: .*{message}"):
        load_terms(path)


def test_term_file_must_be_utf8(tmp_path):
    path = tmp_path / "sjis.txt"
    path.write_bytes("地域福祉\n".encode("shift_jis"))
    with pytest.raises(TokenizerError, match="not UTF-8"):
        load_terms(path)


def test_terms_from_an_iterable_are_normalised():
    assert load_terms(["８０５０問題", "地域福祉", "地域福祉"]) == ["8050問題", "地域福祉"]


def test_variant_groups():
    variants = load_variants()
    for spelling, analysed in [("障害", "障がい"), ("子供", "子ども"), ("取り組み", "取組"),
                               ("一人一人", "一人ひとり"), ("プラットホーム", "プラットフォーム")]:  # fmt: skip
        assert variants[spelling] == analysed
        assert variants[analysed] == analysed


@pytest.mark.parametrize(
    ("content", "message"),
    [("障がい\n", "at least two spellings"), ("障がい\t障害\n障碍\t障害\n", "already a variant")],
)
def test_bad_variant_file(tmp_path, content, message):
    path = tmp_path / "variants.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TokenizerError, match=message):
        load_variants(path)


def _tokens(rows: list[list[str]]) -> pd.DataFrame:
    """A token table: one sentence per row, every token a common noun unless marked 'の'."""
    records = []
    for seg_id, sentence in enumerate(rows):
        offset = 0
        for position, surface in enumerate(sentence):
            pos = "助詞,格助詞,*,*" if surface == "の" else "名詞,普通名詞,一般,*"
            records.append(
                {"plan_id": "p" if seg_id < 3 else "q", "seg_id": seg_id, "sent_id": 0,
                 "position": position, "surface": surface, "pos": pos,
                 "start": offset, "end": offset + len(surface)}
            )  # fmt: skip
            offset += len(surface)
    return pd.DataFrame(records)


def test_flr_by_hand():
    # maximal noun sequences: 地域|福祉 twice, 福祉|計画 once, 地域 once
    table = _tokens([["地域", "福祉", "の", "地域"], ["地域", "福祉"], ["福祉", "計画"]])
    result = stat_term_candidates(table, min_parts=1, terms=[]).set_index("term")
    # FL/FR: 地域 (0, 2), 福祉 (2, 1), 計画 (1, 0)
    assert result.loc["地域福祉", "score"] == pytest.approx(2 * (1 * 3 * 3 * 2) ** (1 / 4))
    assert result.loc["福祉計画", "score"] == pytest.approx(1 * (3 * 2 * 2 * 1) ** (1 / 4))
    assert result.loc["地域", "score"] == pytest.approx(math.sqrt(1 * 3))
    assert result.loc["地域福祉", "frequency"] == 2
    assert result.loc["地域福祉", "n_parts"] == 2
    assert (result.loc["地域福祉", "left"], result.loc["地域福祉", "right"]) == (2, 3)
    assert list(result.index) == ["地域福祉", "福祉計画", "地域"]  # best first
    assert result.loc["福祉計画", "plans"] == "p"


def test_candidates_need_adjacent_tokens():
    table = _tokens([["地域", "福祉"]])
    table.loc[1, ["start", "end"]] = [3, 5]  # a space between the two nouns
    assert stat_term_candidates(table, min_parts=2).empty


def test_candidates_on_the_seeds():
    tokens = tokenize(read_corpus(), Tokenizer(compounds=False), cache=False)
    table = stat_term_candidates(tokens)
    assert list(table.columns) == ["term", "score", "lr", "frequency", "left", "right",
                                   "n_parts", "in_dictionary", "n_plans", "plans"]  # fmt: skip
    assert (table["n_parts"] >= 2).all()
    assert table["score"].is_monotonic_decreasing
    assert table.loc[table.term == "地域福祉", "in_dictionary"].item()
    assert table.loc[table.term == "地域福祉", "n_plans"].item() == 5
    # the same input gives the same table
    pd.testing.assert_frame_equal(table, stat_term_candidates(tokens))
    assert len(stat_term_candidates(tokens, top=5)) == 5


def test_candidate_table_needs_token_columns():
    with pytest.raises(TokenizerError, match="lacks column"):
        stat_term_candidates(pd.DataFrame({"word": ["地域"]}))


def test_required_terms_are_one_word_each():
    tokenizer = Tokenizer()
    split = {t: tokenizer.words(t) for t in REQUIRED if tokenizer.words(t) != [t]}
    assert split == {}
