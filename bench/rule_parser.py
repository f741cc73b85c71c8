"""Measurement: would a grammar for a maintained parser library (lark) make a better rule parser?

The rule language (compare.themes.rules) has a hand-written lexer and a
recursive-descent parser whose errors name the theme, the position and what
was expected, with a caret under the rule.  This script builds the same
parser from a lark LALR grammar (the hand-written lexer is kept: its tokens
are fed to lark), with a transformer to the same syntax tree and a mapping
from lark's "unexpected token, expected one of …" to the same messages, and
prints:

* size: non-blank, non-comment lines and branch points (if / elif / ternary /
  loop / boolean operand / except / comprehension filter) of the hand parser
  and of the lark grammar, transformer and error mapping below;
* agreement: the syntax trees of every rule of the bundled themes, and the
  error messages of a set of malformed rules, compared one by one;
* speed: parsing every bundled rule many times (best of rounds, CPU time), and
  the import time of lark itself (a fresh interpreter, best of rounds).

    .venv/bin/python -P bench/rule_parser.py [--rounds 5]

Nothing is asserted; the figures say whether switching would pay off.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import random
import subprocess
import sys
import time
from pathlib import Path

from lark import Lark, Transformer, v_args
from lark import Token as LarkToken
from lark.exceptions import UnexpectedToken
from lark.lexer import Lexer

from compare.errors import ThemeError
from compare.themes import rules
from compare.themes.coding import load_themes
from compare.themes.rules import (
    CONDITIONS,
    DEFAULT_WINDOW,
    KINDS,
    Condition,
    Count,
    Near,
    Not,
    Phrase,
    Term,
    _countable,
    _describe,
    _error,
    _lex,
    normalize,
)

# --------------------------------------------------------------------------- candidate (start)

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr | and_expr (OR and_expr)+  -> either
?and_expr: not_expr | not_expr (AND not_expr)+  -> both
?not_expr: NOT not_expr  -> negation
         | primary
?primary: group | proximity | condition | phrase
group: LPAR or_expr RPAR count?
proximity: PROX LPAR term (MINUS term)+ RPAR window? count?
window: LSQB INT RSQB
condition: WORD COLON term
phrase: term (PLUS term)* count?
term: WORD | STRING | INT
count: CMP INT
%declare WORD STRING INT CMP AND OR NOT PROX LPAR RPAR LSQB RSQB PLUS MINUS COLON COMMA
"""

#: Lark terminal of each token of the hand-written lexer.
_TYPES = {"(": "LPAR", ")": "RPAR", "[": "LSQB", "]": "RSQB", "+": "PLUS", "-": "MINUS"}
_TYPES |= {":": "COLON", ",": "COMMA"}
_KEYWORDS = {"and": "AND", "or": "OR", "not": "NOT", "near": "PROX", "seq": "PROX"}
_NOT_COUNTABLE = {("KEYWORD", "and"), ("KEYWORD", "not"), ("PUNCT", ":")}
_PRIMARY = "a term, '(', 'not', 'near(', 'seq(' or a condition such as heading:"


class _NoLexer(Lexer):
    """Tokens come from the hand-written lexer, fed one by one."""

    def __init__(self, conf: object) -> None:
        pass

    def lex(self, *args: object):
        return iter(())


@v_args(inline=True)
class _Tree(Transformer):
    """Lark's parse tree to the syntax tree of compare.themes.rules."""

    def either(self, *operands):
        return rules.Or(tuple(o for o in operands if not isinstance(o, LarkToken)))

    def both(self, *operands):
        return rules.And(tuple(o for o in operands if not isinstance(o, LarkToken)))

    def negation(self, _not, operand):
        return Not(operand)

    def term(self, token):
        return Term(normalize(token.value).strip())

    def count(self, op, value):
        return ("==" if op.value == "=" else op.value, int(value.value))

    def window(self, _open, value, _close):
        return ("window", int(value.value))

    def group(self, _open, inner, _close, count=None):
        return inner if count is None else Count(_countable(inner), *count)

    def proximity(self, keyword, *parts):
        terms = tuple(p for p in parts if isinstance(p, Term))
        extra = dict(p for p in parts if isinstance(p, tuple) and p[0] == "window")
        node = Near(terms, extra.get("window", DEFAULT_WINDOW), ordered=keyword.value == "seq")
        counts = [p for p in parts if isinstance(p, tuple) and p[0] != "window"]
        return Count((node,), *counts[0]) if counts else node

    def condition(self, name, _colon, value):
        return Condition(name.value.lower(), value.text)

    def phrase(self, *parts):
        terms = tuple(p for p in parts if isinstance(p, Term))
        node = terms[0] if len(terms) == 1 else Phrase(terms)
        counts = [p for p in parts if isinstance(p, tuple)]
        return Count((node,), *counts[0]) if counts else node


_LARK = Lark(GRAMMAR, parser="lalr", lexer=_NoLexer, transformer=_Tree())


def lark_parse(rule: str, theme_id: str = "?") -> rules.Node:
    """parse_rule with the lark grammar: the same tree, the same errors."""
    tokens = _lex(rule, theme_id)
    parser = _LARK.parse_interactive()
    for i, token in enumerate(tokens):
        kind = token.kind if token.kind in ("WORD", "STRING", "INT", "CMP") else None
        kind = kind or _KEYWORDS.get(token.value) or _TYPES.get(token.value) or "$END"
        try:
            if kind == "$END":
                return parser.feed_eof(LarkToken("$END", "", start_pos=token.pos))
            parser.feed_token(LarkToken(kind, token.value, start_pos=token.pos))
        except UnexpectedToken:
            # What this state accepts (lark's own list merges states of the LALR table).
            raise _message(rule, theme_id, tokens, i, set(parser.accepts())) from None
        _check(rule, theme_id, tokens, i)
    raise AssertionError("the lexer always ends with END")


def _check(rule: str, theme_id: str, tokens: list, i: int) -> None:
    """Errors the hand parser finds as soon as it reads a token: conditions, counts."""
    token, before = tokens[i], tokens[i - 1] if i else None
    fail = lambda expected, at: _error(theme_id, rule, at.pos, expected, _describe(at))  # noqa: E731
    if token.value == ":" and token.kind == "PUNCT" and before.value.lower() not in CONDITIONS:
        raise fail(f"a known condition ({', '.join(f'{c}:' for c in CONDITIONS)})", before)
    kind_value = i >= 2 and before.value == ":" and tokens[i - 2].value.lower() == "kind"
    if kind_value and normalize(token.value).strip() not in KINDS:
        raise fail(f"one of {', '.join(KINDS)} after 'kind:'", token)
    if token.kind == "CMP" and (before.kind, before.value) == ("PUNCT", ")"):
        depth, j = 0, i - 1
        while True:  # back to the matching '(' : a count needs terms joined by 'or'
            depth += {")": 1, "(": -1}.get(tokens[j].value if tokens[j].kind == "PUNCT" else "", 0)
            if depth == 0:
                break
            j -= 1
        inner = tokens[j + 1 : i - 1]
        if any(t.kind == "CMP" or (t.kind, t.value) in _NOT_COUNTABLE for t in inner):
            raise _error(
                theme_id,
                rule,
                token.pos,
                "a count only after a term, a phrase, near/seq or a group of these joined by 'or'",
            )


def _message(rule: str, theme_id: str, tokens: list, i: int, expected: set[str]) -> ThemeError:
    """The hand parser's words for what lark expected at token ``i``."""
    token, before = tokens[i], tokens[i - 1] if i else None
    where = before.value if before else ""
    if before is None:
        text = "a term or '(' (the rule is empty)" if token.kind == "END" else _PRIMARY
    elif before.kind == "CMP":
        text = f"a whole number after {where!r}"
    elif where == "+":
        text = "a term after '+'"
    elif where == "-":
        text = "a term after '-'"
    elif before.kind == "KEYWORD" and expected == {"LPAR"}:
        text = f"'(' after {where!r}"
    elif where == "(" and i >= 2 and tokens[i - 2].value in ("near", "seq"):
        text = f"a term inside {tokens[i - 2].value}(…)"
    elif expected == {"MINUS"}:
        text = f"'-' and a second term: {_opener(tokens, i)}(A-B)"
    elif expected == {"MINUS", "RPAR"}:
        text = f"'-' or ')' to close {_opener(tokens, i)}(…)"
    elif where == "[":
        text = "a window size (a whole number) inside '[…]'"
    elif expected == {"RSQB"}:
        text = "']' to close the window size"
    elif where == ":":
        text = f"a value after '{tokens[i - 2].value.lower()}:'"
    elif "$END" in expected:
        hint = " (unbalanced ')')" if token.value == ")" and token.kind == "PUNCT" else ""
        words = " (join terms with 'and' or 'or')" if token.kind in ("WORD", "STRING") else ""
        text = f"'and', 'or' or the end of the rule{hint or words}"
    elif "RPAR" in expected:
        text = f"'and', 'or' or ')' to close '(' at character {_open_paren(tokens, i) + 1}"
    else:
        text = _PRIMARY
    return _error(theme_id, rule, token.pos, text, _describe(token))


def _opener(tokens: list, i: int) -> str:
    """The near/seq keyword whose parentheses are open at token ``i``."""
    return next(t.value for t in reversed(tokens[:i]) if t.value in ("near", "seq"))


def _open_paren(tokens: list, i: int) -> int:
    """Position of the innermost '(' still open at token ``i``."""
    stack = []
    for token in tokens[:i]:
        if token.kind == "PUNCT" and token.value == "(":
            stack.append(token.pos)
        elif token.kind == "PUNCT" and token.value == ")":
            stack.pop()
    return stack[-1]


# --------------------------------------------------------------------------- candidate (end)

#: Malformed rules: every message of the parser, and a few ways to reach each.
BAD_RULES = [
    "",
    "   ",
    "福祉 地域",
    "福祉 'x'",
    "福祉)",
    "(福祉 or 地域",
    "((福祉) and 地域",
    "福祉 and",
    "福祉 or or 地域",
    "not",
    "and 福祉",
    ")",
    "福祉 >=",
    "福祉 >= x",
    "福祉 >= ①",
    "福祉 +",
    "福祉 + and",
    "near",
    "near 福祉",
    "near(",
    "near()",
    "near(福祉)",
    "seq(福祉 地域)",
    "near(福祉-)",
    "near(福祉-地域",
    "near(福祉-地域)[",
    "near(福祉-地域)[x]",
    "near(福祉-地域)[3",
    "near(福祉-地域)[²]",
    "near(福祉-地域) >=",
    "foo:bar",
    "foo:",
    "heading:",
    "heading: and",
    "kind:chapter",
    "KIND:para and 福祉",
    "(福祉 and 地域) >= 2",
    "(not 福祉) > 1",
    "(heading:福祉) >= 1",
    "((福祉 >= 2)) >= 3",
    "(福祉 and 地域) >=",
    "'福祉",
    "福祉 and ''",
    "福祉, 地域",
    "福祉 [2]",
    "福祉 == == 2",
    "防災\nand (地域",
    '"地域 福祉" :x',
    "(福祉 or (地域 and 防災)",
    "kind:heading and (福祉 or",
]


def source_of(objects: list) -> str:
    return "\n".join(inspect.getsource(o) for o in objects)


def candidate_source() -> str:
    text = Path(__file__).read_text(encoding="utf-8")
    start = text.index("# " + "-" * 75 + " candidate (start)")
    return text[start : text.index("# " + "-" * 75 + " candidate (end)")]


def lines_and_branches(source: str) -> tuple[int, int]:
    """Non-blank, non-comment lines and branch points of some Python source."""
    import textwrap

    code = [
        line for line in source.splitlines() if line.strip() and not line.strip().startswith("#")
    ]
    tree = ast.parse(textwrap.dedent(source))
    branches = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.If | ast.IfExp | ast.For | ast.While | ast.ExceptHandler):
            branches += 1
        elif isinstance(node, ast.BoolOp):
            branches += len(node.values) - 1
        elif isinstance(node, ast.comprehension):
            branches += 1 + len(node.ifs)
    return len(code), branches


def outcome(parse, rule: str) -> str:
    try:
        return repr(parse(rule, "demo"))
    except ThemeError as error:
        return f"ThemeError: {error}"
    except Exception as error:  # a crash is an outcome to compare too
        return f"{type(error).__name__}: {error}"


def best_cpu(function, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return min(times)


def import_seconds(module: str, rounds: int) -> float:
    """Best wall time of a fresh interpreter importing ``module`` minus one importing nothing."""

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    bare = min(run("pass") for _ in range(rounds))
    return min(run(f"import {module}") for _ in range(rounds)) - bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=200, help="passes over the bundled rules")
    parser.add_argument("--fuzz", type=int, default=2000, help="random rules compared")
    args = parser.parse_args()

    hand = source_of([rules._Parser, rules._countable, rules.parse_rule])
    # The candidate reuses the hand parser's _countable: count it on both sides.
    candidate = candidate_source() + "\n" + source_of([rules._countable])
    for name, source in (("hand parser", hand), ("lark grammar + code", candidate)):
        lines, branches = lines_and_branches(source)
        print(f"{name:<22} {lines:4d} lines  {branches:3d} branch points")

    bundled = [t.rule for t in load_themes()]
    same_trees = sum(outcome(rules.parse_rule, r) == outcome(lark_parse, r) for r in bundled)
    print(f"bundled rules: {same_trees}/{len(bundled)} identical syntax trees")
    same, different = 0, []
    for rule in BAD_RULES:
        hand_out, lark_out = outcome(rules.parse_rule, rule), outcome(lark_parse, rule)
        if hand_out == lark_out and hand_out.startswith("ThemeError"):
            same += 1
        else:
            different.append((rule, hand_out, lark_out))
    print(f"malformed rules: {same}/{len(BAD_RULES)} identical error messages")
    rng = random.Random(0)
    pieces = ["福祉", "地域", " and ", " or ", "not ", "near", "seq", "(", ")", "[", "]", "+"]
    pieces += ["-", ":", ">=", "=", "heading", "kind", "'", " ", "2", "３", "①", ","]
    fuzz = ["".join(rng.choices(pieces, k=rng.randint(1, 10))) for _ in range(args.fuzz)]
    outcomes = [(outcome(rules.parse_rule, r), outcome(lark_parse, r)) for r in fuzz]
    agree = sum(a == b for a, b in outcomes)
    errors = sum(a.startswith("ThemeError") for a, _ in outcomes)
    print(
        f"random rules (seed 0): {agree}/{len(fuzz)} identical outcomes ({errors} of them errors)"
    )
    different += [(r, a, b) for r, (a, b) in zip(fuzz, outcomes, strict=True) if a != b][:5]
    for rule, hand_out, lark_out in different:
        print(f"  {rule!r}\n    hand: {hand_out!r}\n    lark: {lark_out!r}")

    def parse_all(parse):
        return lambda: [parse(r, "t") for _ in range(args.repeat) for r in bundled]

    hand_cpu = best_cpu(parse_all(rules.parse_rule), args.rounds)
    lark_cpu = best_cpu(parse_all(lark_parse), args.rounds)
    n = args.repeat * len(bundled)
    print(
        f"parsing {n} rules (best of {args.rounds}, CPU): hand {hand_cpu * 1e3:.0f} ms, "
        f"lark {lark_cpu * 1e3:.0f} ms = {lark_cpu / hand_cpu:.1f}× the hand parser"
    )
    reference = import_seconds("compare.themes.rules", args.rounds)
    print(
        f"import time (fresh interpreter, best of {args.rounds}): lark {import_seconds('lark', args.rounds) * 1e3:.0f} ms; "
        f"compare.themes.rules (the reference) {reference * 1e3:.0f} ms"
    )


if __name__ == "__main__":
    main()
