"""The rule lexer: what counts as a number, and that no rule text escapes as a non-ThemeError."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.errors import ThemeError
from compare.themes.rules import Count, Near, Term, parse_rule


@pytest.mark.parametrize(
    ("rule", "position"),
    [
        ("福祉 >= ①", 7),  # circled digit
        ("福祉 > ²", 6),  # superscript
        ("near(地域-福祉)[③]", 13),
        ("(福祉 or 地域) >= ⅲ", 15),  # roman numeral
    ],
)
def test_digit_like_characters_are_not_a_count(rule: str, position: int):
    with pytest.raises(ThemeError) as error:
        parse_rule(rule, "demo")
    message = str(error.value)
    assert message.startswith(f"theme 'demo': rule error at character {position}: expected ")
    assert "whole number" in message or "window size" in message
    line, caret = message.splitlines()[1:]
    assert line == f"    {rule}"
    assert caret.endswith("^")


def test_decimal_digits_in_any_width_are_a_count():
    assert parse_rule("福祉 >= ３") == Count((Term("福祉"),), ">=", 3)
    assert parse_rule("福祉 >= 12") == Count((Term("福祉"),), ">=", 12)
    assert parse_rule("near(地域-福祉)[１５]") == Near((Term("地域"), Term("福祉")), 15, False)


def test_a_digit_like_character_is_still_a_term():
    assert parse_rule("①") == Term("1")  # NFKC, as any term
    assert parse_rule("第②期") == Term("第2期")


#: Rule characters, digits of several kinds and a few words.
_PIECES = st.sampled_from(
    [
        "福祉",
        "地域",
        "and",
        "or",
        "not",
        "near",
        "seq",
        "(",
        ")",
        "[",
        "]",
        "+",
        "-",
        ":",
        ">=",
        "=",
        "<",
        "heading",
        "kind",
        "'",
        '"',
        " ",
        "1",
        "３",
        "①",
        "²",
        "Ⅳ",
        "٣",
        "〇",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_any_rule_text_parses_or_raises_a_theme_error(rule: str):
    try:
        parse_rule(rule, "fuzz")
    except ThemeError as error:
        assert str(error).startswith("theme 'fuzz': ")
