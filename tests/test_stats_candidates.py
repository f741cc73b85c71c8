"""stat_theme_candidates: words, compounds and passages a theme's rule may miss."""

from __future__ import annotations

import pandas as pd
import pytest

from compare import segment_text, stat_theme_candidates, themes_wide, tokenize
from compare.errors import AnalysisError
from compare.themes import Theme

TEXT = """1 取組

地域の避難訓練を行い、避難所の運営を話し合います。

避難の手順を確認し、避難所の備蓄と家具転倒防止を点検します。

災害に備えて避難経路と家具転倒防止を見直します。

地域の祭りで交流を深めます。

子どもの居場所をつくります。

日頃から備蓄を心がけ、家族で話し合います。
"""

#: A deliberately narrow rule: 避難 only.
THEME = Theme(id="evac", label="避難", rule="避難")


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    segments = segment_text(TEXT, plan_id="c")
    tokens = tokenize(segments)
    return tokens, themes_wide(segments, [THEME], tokens=tokens)


def test_words_the_rule_misses_are_listed(tables) -> None:
    tokens, wide = tables
    table = stat_theme_candidates(tokens, wide, "evac", [THEME], min_count=2)
    words = table[table["kind"] == "word"].set_index("candidate")
    assert "家具" in words.index  # in two of the three coded passages, nowhere else
    assert words.loc["家具", "n_theme"] == 2 and words.loc["家具", "n_other"] == 0
    assert "備蓄" not in words.index  # once with the theme: below min_count
    assert not any("避難" in w for w in words.index)  # the rule's own term is left out
    assert words["g2"].is_monotonic_decreasing
    assert (words["lift"] > 1).all()
    assert "交流" not in words.index  # never with the theme


def test_compounds_are_written_as_rule_phrases(tables) -> None:
    tokens, wide = tables
    table = stat_theme_candidates(tokens, wide, "evac", [THEME], min_count=2)
    compounds = set(table.loc[table["kind"] == "compound", "candidate"])
    assert {"家具+転倒", "転倒+防止"} <= compounds


def test_uncoded_passages_most_like_the_coded_ones(tables) -> None:
    tokens, wide = tables
    table = stat_theme_candidates(tokens, wide, "evac", [THEME], passages=2)
    similar = table[table["kind"] == "passage"]
    # 日頃から備蓄… shares 備蓄 and 話し合う with the coded passages; the festival shares 地域
    assert list(similar["line_start"]) == [13, 9]
    assert similar["similarity"].is_monotonic_decreasing
    assert not wide.set_index("line_start").loc[list(similar["line_start"]), "evac"].any()


def test_errors(tables) -> None:
    tokens, wide = tables
    with pytest.raises(AnalysisError, match="not a column of the coded table"):
        stat_theme_candidates(tokens, wide, "disaster", [THEME])
    none = Theme(id="evac", label="x", rule="宇宙")
    empty = themes_wide(
        segment_text(TEXT, plan_id="c"), [none], tokens=tokens, warn_unmatched=False
    )
    with pytest.raises(AnalysisError, match="codes no passage"):
        stat_theme_candidates(tokens, empty, "evac", [none])
