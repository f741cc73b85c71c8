"""The theme rule language: lexer, recursive-descent parser and evaluator.

A rule is a small boolean expression in the spirit of KH Coder's coding
rules.  It is evaluated on one *passage* (a segment): the sequence of its
analysed content words plus its heading path, nearest heading and kind.

Grammar (keywords are case-insensitive; a term containing spaces or one of
the characters ``()[]+-<>=:,"'`` must be quoted with ``"…"`` or ``'…'``)::

    rule      := or_expr END
    or_expr   := and_expr ("or" and_expr)*
    and_expr  := not_expr ("and" not_expr)*
    not_expr  := "not" not_expr | primary
    primary   := "(" or_expr ")" [CMP INT]          -- a count on a group of terms
               | ("near" | "seq") "(" term ("-" term)+ ")" ["[" INT "]"]
               | NAME ":" term                      -- heading:, section:, kind:, text:
               | phrase [CMP INT]                   -- a count condition
    phrase    := term ("+" term)*
    CMP       := ">=" | ">" | "<=" | "<" | "==" | "="

Semantics
---------
term
    Matches an analysed word that equals the term or contains it (so
    ``防災`` matches the compound ``防災訓練``).  A one-character term
    matches only at the start of a word (``場`` matches ``場づくり``, but
    ``心`` does not match ``関心``).  A term that the tokenizer
    split into several words still matches: ``成年後見`` matches the adjacent
    words ``成年`` ``後見``.  Comparison is on NFKC-normalised, case-folded
    text, so ``ＳＮＳ`` and ``sns`` match ``SNS``.
``A+B``
    A phrase: ``A`` immediately followed by ``B`` (adjacent tokens).
``near(A-B-…)[n]``
    Every term occurs, in any order, within a window of ``n`` content words
    (default 10).
``seq(A-B-…)[n]``
    The terms occur in this order, each within ``n`` content words of the
    previous one (default 10).
``X >= n``
    The term, phrase or parenthesised group of terms occurs at least ``n``
    times in the passage (a group counts the occurrences of all its terms).
``heading:X``
    ``X`` occurs in the text of any heading above the passage (for a
    heading, including itself).
``section:X``
    ``X`` occurs in the nearest heading (the last entry of the heading path).
``kind:K``
    The passage is of kind ``K`` (heading, paragraph, list_item, table_row).
``text:X``
    ``X`` occurs in the passage text as written (an escape hatch for
    expressions the tokenizer splits unpredictably).

The parser never calls ``eval``.  Every syntax error is a
:class:`~compare.errors.ThemeError` naming the theme, the 1-based character
position in the rule and what was expected there.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Union

from compare.errors import ThemeError

#: Default window for ``near`` and ``seq`` (content words), as in KH Coder.
DEFAULT_WINDOW = 10
#: Condition names accepted before a colon.
CONDITIONS = ("heading", "section", "kind", "text")
#: Values accepted by ``kind:``.
KINDS = ("heading", "paragraph", "list_item", "table_row")
#: Longest run of adjacent words a single term may span.
MAX_SPAN = 4

_KEYWORDS = {"and", "or", "not", "near", "seq"}
_SPECIAL = set("()[]+-<>=:,\"'")
_COMPARATORS = (">=", "<=", "==", ">", "<", "=")


def normalize(text: str) -> str:
    """Return ``text`` NFKC-normalised and case-folded (the form rules compare)."""
    return unicodedata.normalize("NFKC", text).casefold()


_NORMALIZED: dict[str, str] = {}


def normalize_words(words: Iterable[str]) -> list[str]:
    """:func:`normalize` of each word, remembering the (few distinct) words seen."""
    cache = _NORMALIZED
    words = words if isinstance(words, list | tuple) else list(words)
    out = list(map(cache.get, words))  # C-level look-ups: the common case is all known
    if None not in out:
        return out
    if len(cache) > 500_000:
        cache.clear()
    for word in words:
        if word not in cache:
            cache[word] = normalize(word)
    return list(map(cache.__getitem__, words))


# --------------------------------------------------------------------------- lexer


@dataclass(frozen=True)
class Token:
    """One lexical token of a rule: its kind, value and 0-based offset."""

    kind: str  # WORD, STRING, INT, CMP, KEYWORD, PUNCT, END
    value: str
    pos: int


def _lex(rule: str, theme_id: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(rule)
    while i < n:
        ch = rule[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "\"'":
            end = rule.find(ch, i + 1)
            if end < 0:
                raise _error(theme_id, rule, i, f"a closing {ch} for the quoted term")
            if end == i + 1:
                raise _error(theme_id, rule, i, "a non-empty quoted term")
            tokens.append(Token("STRING", rule[i + 1 : end], i))
            i = end + 1
            continue
        cmp = next((c for c in _COMPARATORS if rule.startswith(c, i)), None)
        if cmp:
            tokens.append(Token("CMP", cmp, i))
            i += len(cmp)
            continue
        if ch in _SPECIAL:
            tokens.append(Token("PUNCT", ch, i))
            i += 1
            continue
        start = i
        while i < n and not rule[i].isspace() and rule[i] not in _SPECIAL:
            i += 1
        word = rule[start:i]
        # Decimal digits only (also full-width ３): int() rejects ① or ², which isdigit() accepts.
        if word.isdecimal():
            tokens.append(Token("INT", word, start))
        elif word.lower() in _KEYWORDS:
            tokens.append(Token("KEYWORD", word.lower(), start))
        else:
            tokens.append(Token("WORD", word, start))
    tokens.append(Token("END", "", n))
    return tokens


def _error(
    theme_id: str, rule: str, pos: int, expected: str, found: str | None = None
) -> ThemeError:
    found_text = f", found {found}" if found is not None else ""
    line_start = rule.rfind("\n", 0, pos) + 1
    line_end = rule.find("\n", pos)
    line = rule[line_start : line_end if line_end >= 0 else len(rule)]
    where = f"character {pos + 1}"
    if "\n" in rule:
        where += f" (rule line {rule.count(chr(10), 0, pos) + 1})"
    pointer = " " * _display_width(rule[line_start:pos]) + "^"
    return ThemeError(
        f"theme {theme_id!r}: rule error at {where}: expected {expected}{found_text}\n"
        f"    {line}\n    {pointer}"
    )


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _describe(token: Token) -> str:
    if token.kind == "END":
        return "the end of the rule"
    if token.kind == "STRING":
        return f'"{token.value}"'
    return repr(token.value)


# --------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Term:
    """A term: matches words that equal or contain ``text``."""

    text: str


@dataclass(frozen=True)
class Phrase:
    """Adjacent terms, in order (``A+B``)."""

    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Near:
    """All terms within ``window`` content words; ``ordered`` for ``seq``."""

    terms: tuple[Term, ...]
    window: int
    ordered: bool


@dataclass(frozen=True)
class Count:
    """The summed occurrences of ``items`` compared with ``value``."""

    items: tuple[Term | Phrase | Near, ...]
    op: str
    value: int


@dataclass(frozen=True)
class Condition:
    """A condition on the passage's headings, kind or raw text."""

    name: str
    value: str


@dataclass(frozen=True)
class Const:
    """A constant truth value: what a sub-rule folds to when its terms are absent."""

    value: bool


@dataclass(frozen=True)
class Not:
    """Logical negation."""

    operand: Node


@dataclass(frozen=True)
class And:
    """Logical conjunction."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Logical disjunction."""

    operands: tuple[Node, ...]


Node = Union[Term, Phrase, Near, Count, Condition, Const, Not, And, Or]  # noqa: UP007


# --------------------------------------------------------------------------- parser


class _Parser:
    """Recursive-descent parser over the token list of one rule."""

    def __init__(self, rule: str, theme_id: str) -> None:
        self.rule = rule
        self.theme_id = theme_id
        self.tokens = _lex(rule, theme_id)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, expected: str, token: Token | None = None) -> ThemeError:
        token = token or self.tok
        return _error(self.theme_id, self.rule, token.pos, expected, _describe(token))

    def expect_punct(self, value: str, expected: str) -> Token:
        if self.tok.kind == "PUNCT" and self.tok.value == value:
            return self.advance()
        raise self.fail(expected)

    def is_keyword(self, value: str) -> bool:
        return self.tok.kind == "KEYWORD" and self.tok.value == value

    def parse(self) -> Node:
        if self.tok.kind == "END":
            raise self.fail("a term or '(' (the rule is empty)")
        node = self.or_expr()
        if self.tok.kind != "END":
            if self.tok.kind == "PUNCT" and self.tok.value == ")":
                raise self.fail("'and', 'or' or the end of the rule (unbalanced ')')")
            hint = " (join terms with 'and' or 'or')" if self.tok.kind in ("WORD", "STRING") else ""
            raise self.fail(f"'and', 'or' or the end of the rule{hint}")
        return node

    def or_expr(self) -> Node:
        operands = [self.and_expr()]
        while self.is_keyword("or"):
            self.advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Node:
        operands = [self.not_expr()]
        while self.is_keyword("and"):
            self.advance()
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_expr(self) -> Node:
        if self.is_keyword("not"):
            self.advance()
            return Not(self.not_expr())
        return self.primary()

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "PUNCT" and tok.value == "(":
            return self.group()
        if tok.kind == "KEYWORD" and tok.value in ("near", "seq"):
            return self.proximity()
        following = self.tokens[min(self.i + 1, len(self.tokens) - 1)]
        if tok.kind == "WORD" and following.kind == "PUNCT" and following.value == ":":
            return self.condition()
        if tok.kind in ("WORD", "STRING", "INT"):
            phrase = self.phrase()
            return self.maybe_count((phrase,), phrase)
        raise self.fail("a term, '(', 'not', 'near(', 'seq(' or a condition such as heading:")

    def group(self) -> Node:
        open_tok = self.advance()
        inner = self.or_expr()
        if not (self.tok.kind == "PUNCT" and self.tok.value == ")"):
            where = f"')' to close '(' at character {open_tok.pos + 1}"
            raise self.fail(f"'and', 'or' or {where}")
        self.advance()
        if self.tok.kind == "CMP":
            items = _countable(inner)
            if items is None:
                raise _error(
                    self.theme_id,
                    self.rule,
                    self.tok.pos,
                    "a count only after a term, a phrase, near/seq or a group of these "
                    "joined by 'or'",
                )
            return self.maybe_count(items, inner)
        return inner

    def maybe_count(self, items: tuple[Term | Phrase | Near, ...], node: Node) -> Node:
        if self.tok.kind != "CMP":
            return node
        op = self.advance().value
        if self.tok.kind != "INT":
            raise self.fail(f"a whole number after {op!r}")
        value = int(self.advance().value)
        return Count(items, "==" if op == "=" else op, value)

    def phrase(self) -> Term | Phrase:
        terms = [self.term()]
        while self.tok.kind == "PUNCT" and self.tok.value == "+":
            self.advance()
            terms.append(self.term("a term after '+'"))
        return terms[0] if len(terms) == 1 else Phrase(tuple(terms))

    def term(self, expected: str = "a term") -> Term:
        if self.tok.kind in ("WORD", "STRING", "INT"):
            text = normalize(self.advance().value).strip()
            return Term(text)
        raise self.fail(expected)

    def proximity(self) -> Node:
        keyword = self.advance().value
        self.expect_punct("(", f"'(' after {keyword!r}")
        terms = [self.term(f"a term inside {keyword}(…)")]
        while self.tok.kind == "PUNCT" and self.tok.value == "-":
            self.advance()
            terms.append(self.term("a term after '-'"))
        if len(terms) < 2:
            raise self.fail(f"'-' and a second term: {keyword}(A-B)")
        self.expect_punct(")", f"'-' or ')' to close {keyword}(…)")
        window = DEFAULT_WINDOW
        if self.tok.kind == "PUNCT" and self.tok.value == "[":
            self.advance()
            if self.tok.kind != "INT":
                raise self.fail("a window size (a whole number) inside '[…]'")
            window = int(self.advance().value)
            self.expect_punct("]", "']' to close the window size")
        node = Near(tuple(terms), window, ordered=keyword == "seq")
        return self.maybe_count((node,), node)

    def condition(self) -> Condition:
        name_tok = self.advance()
        name = name_tok.value.lower()
        if name not in CONDITIONS:
            known = ", ".join(f"{c}:" for c in CONDITIONS)
            raise self.fail(f"a known condition ({known})", name_tok)
        self.advance()  # the colon
        if self.tok.kind not in ("WORD", "STRING", "INT"):
            raise self.fail(f"a value after '{name}:'")
        value_tok = self.advance()
        value = normalize(value_tok.value).strip()
        if name == "kind" and value not in KINDS:
            raise self.fail(f"one of {', '.join(KINDS)} after 'kind:'", value_tok)
        return Condition(name, value)


def _countable(node: Node) -> tuple[Term | Phrase | Near, ...] | None:
    """Flatten a disjunction of terms, phrases and near/seq; None if anything else occurs."""
    if isinstance(node, Term | Phrase | Near):
        return (node,)
    if isinstance(node, Or):
        items: list[Term | Phrase | Near] = []
        for operand in node.operands:
            sub = _countable(operand)
            if sub is None:
                return None
            items.extend(sub)
        return tuple(items)
    return None


def parse_rule(rule: str, theme_id: str = "?") -> Node:
    """Parse ``rule`` into a syntax tree; raise ThemeError naming ``theme_id`` on error."""
    if not isinstance(rule, str):
        raise ThemeError(f"theme {theme_id!r}: the rule must be text, not {type(rule).__name__}")
    return _Parser(rule, theme_id).parse()


def _leaves(node: Node) -> Iterator[Node]:
    """The leaves of a rule (terms, phrases, ``near``, conditions, constants), in order."""
    if isinstance(node, Count):
        yield from node.items
    elif isinstance(node, Not):
        yield from _leaves(node.operand)
    elif isinstance(node, And | Or):
        for operand in node.operands:
            yield from _leaves(operand)
    else:
        yield node


def rule_terms(node: Node) -> list[str]:
    """Return the distinct terms of a rule in order of first appearance."""
    seen: dict[str, None] = {}
    for leaf in _leaves(node):
        if isinstance(leaf, Term):
            seen.setdefault(leaf.text)
        elif isinstance(leaf, Phrase | Near):
            for term in leaf.terms:
                seen.setdefault(term.text)
    return list(seen)


# --------------------------------------------------------------------------- evaluation


@dataclass
class Passage:
    """What a rule sees of one segment.

    Parameters
    ----------
    words
        Analysed content words in order (the TOKENS ``word`` column).
    positions
        Token positions of ``words`` within the segment; adjacent tokens
        differ by one.  Defaults to ``0..len(words)-1``.
    heading_path, section, kind, text
        The segment's heading path, nearest heading, kind and text.
    """

    words: list[str]
    positions: list[int] | None = None
    heading_path: str = ""
    section: str = ""
    kind: str = "paragraph"
    text: str = ""
    _norm: list[str] = field(default_factory=list, repr=False)
    _cache: dict[str, list[tuple[int, int]]] = field(default_factory=dict, repr=False)
    _joined: str = field(default="", repr=False)
    _starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._norm = normalize_words(self.words)
        self._joined = "".join(self._norm)
        if self.positions is None:
            self.positions = list(range(len(self.words)))
        self.heading_path = normalize_words((self.heading_path,))[0]
        self.section = normalize_words((self.section,))[0]
        self.text = normalize(self.text)

    def matches(self, term: str) -> list[tuple[int, int]]:
        """Return the (first, last) word indices of each occurrence of ``term``."""
        hit = self._cache.get(term)
        if hit is None:
            hit = self._find(term)
            self._cache[term] = hit
        return hit

    def _find(self, term: str) -> list[tuple[int, int]]:
        """Spans of ``term``: a word containing it, or the fewest adjacent words that do.

        A word that contains the term gives ``(i, i)``.  Otherwise an
        occurrence that starts inside word ``i`` and ends in word ``j`` gives
        ``(i, j)`` for the smallest such ``j``, if words ``i..j`` are
        adjacent tokens and at most MAX_SPAN words long.  Occurrences are found
        in the joined words (C-level search), not word by word.
        """
        joined = self._joined
        at = joined.find(term)
        if at < 0:  # every match is a substring of the joined words
            return []
        words = self._norm
        if len(term) == 1:
            return [(i, i) for i, word in enumerate(words) if word.startswith(term)]
        starts = self._starts
        if not starts:
            starts += accumulate(map(len, words), initial=0)
        size = len(term) - 1
        after = joined.find(term, at + 1)
        if after < 0:  # one occurrence: the common case
            first = bisect_right(starts, at) - 1
            last = bisect_right(starts, at + size) - 1
            pos = self.positions
            assert pos is not None
            if last == first or (
                last - first < MAX_SPAN
                and all(pos[k] == pos[k - 1] + 1 for k in range(first + 1, last + 1))
            ):
                return [(first, last)]
            return []
        best: dict[int, int] = {}  # first word -> smallest last word of an occurrence
        while at >= 0:
            first = bisect_right(starts, at) - 1
            last = bisect_right(starts, at + size) - 1
            if last < best.get(first, last + 1):
                best[first] = last
            at = joined.find(term, at + 1)
        pos = self.positions
        assert pos is not None
        found: list[tuple[int, int]] = []
        for first in sorted(best):
            last = best[first]
            if last == first:
                found.append((first, first))
            elif last - first < MAX_SPAN and all(
                pos[k] == pos[k - 1] + 1 for k in range(first + 1, last + 1)
            ):
                found.append((first, last))
        return found


@dataclass
class Result:
    """The outcome of a rule on a passage.

    ``spans`` are the (first, last) word indices of the matched terms and
    ``conditions`` the heading/kind/text conditions that held.
    """

    ok: bool
    spans: list[tuple[int, int]] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)

    def evidence(self, passage: Passage) -> list[str]:
        """Matched words (as analysed) in text order, then the conditions that held."""
        return _span_words(passage, sorted(set(self.spans))) + self.conditions


def holds(node: Node, passage: Passage) -> bool:
    """True if the rule holds; short-circuits, so it is cheaper than :func:`evaluate`."""
    kind = type(node)  # node classes are final: identity tests, commonest first
    if kind is Term:
        return bool(passage.matches(node.text))
    if kind is Or:
        return any(holds(operand, passage) for operand in node.operands)
    if kind is And:
        return all(holds(operand, passage) for operand in node.operands)
    if kind is Const:
        return node.value
    if kind is Not:
        return not holds(node.operand, passage)
    return evaluate(node, passage).ok


def evaluate(node: Node, passage: Passage) -> Result:
    """Evaluate a parsed rule on a passage; the result records what matched."""
    if isinstance(node, Term):
        spans = passage.matches(node.text)
        return Result(bool(spans), list(spans))
    if isinstance(node, Phrase):
        spans = _phrase_spans(node, passage)
        return Result(bool(spans), spans)
    if isinstance(node, Near):
        spans = _near_spans(node, passage)
        return Result(bool(spans), spans)
    if isinstance(node, Count):
        spans = sorted({s for item in node.items for s in _item_spans(item, passage)})
        ok = _compare(len(spans), node.op, node.value)
        return Result(ok, spans if ok else [])
    if isinstance(node, Condition):
        return _condition(node, passage)
    if isinstance(node, Const):
        return Result(node.value)
    if isinstance(node, Not):
        return Result(not holds(node.operand, passage))
    if isinstance(node, And):
        spans: list[tuple[int, int]] = []
        conditions: list[str] = []
        if not all(holds(o, passage) for o in node.operands):
            return Result(False)
        for operand in node.operands:
            sub = evaluate(operand, passage)
            spans.extend(sub.spans)
            conditions.extend(sub.conditions)
        return Result(True, spans, conditions)
    if isinstance(node, Or):
        result = Result(False)
        for operand in node.operands:
            sub = evaluate(operand, passage)
            if sub.ok:
                result.ok = True
                result.spans.extend(sub.spans)
                result.conditions.extend(sub.conditions)
        return result
    raise TypeError(f"unknown rule node {node!r}")  # pragma: no cover


def _item_spans(item: Term | Phrase | Near, passage: Passage) -> list[tuple[int, int]]:
    if isinstance(item, Term):
        return passage.matches(item.text)
    if isinstance(item, Near):
        return [(m[0][0], m[-1][1]) for m in _near_matches(item, passage)]
    return _phrase_spans(item, passage)


def _phrase_spans(node: Phrase, passage: Passage) -> list[tuple[int, int]]:
    pos = passage.positions
    assert pos is not None
    spans = passage.matches(node.terms[0].text)
    for term in node.terms[1:]:
        following = {first: last for first, last in passage.matches(term.text)}
        nxt = []
        for first, last in spans:
            j = last + 1
            if j in following and pos[j] == pos[last] + 1:
                nxt.append((first, following[j]))
        spans = nxt
    return spans


def _near_spans(node: Near, passage: Passage) -> list[tuple[int, int]]:
    """The spans of every term occurrence that takes part in a match."""
    return sorted({span for match in _near_matches(node, passage) for span in match})


def _near_matches(node: Near, passage: Passage) -> list[list[tuple[int, int]]]:
    """One list of term spans (sorted) per occurrence of the first term that matches."""
    hits = [passage.matches(t.text) for t in node.terms]
    if not all(hits):
        return []
    matches: list[list[tuple[int, int]]] = []
    for anchor in hits[0]:
        chosen = [anchor]
        if node.ordered:
            end = anchor[1]
            for term_hits in hits[1:]:
                nxt = [h for h in term_hits if h[0] > end and h[0] - end <= node.window]
                if not nxt:
                    break
                chosen.append(nxt[0])
                end = nxt[0][1]
            else:
                matches.append(chosen)
            continue
        for term_hits in hits[1:]:
            chosen.append(min(term_hits, key=lambda h: (abs(h[0] - anchor[0]), h[0])))
        starts = [h[0] for h in chosen]
        if max(starts) - min(starts) <= node.window:
            matches.append(sorted(chosen))
    return matches


def _compare(count: int, op: str, value: int) -> bool:
    return {
        ">=": count >= value,
        ">": count > value,
        "<=": count <= value,
        "<": count < value,
        "==": count == value,
    }[op]


def _condition(node: Condition, passage: Passage) -> Result:
    if node.name == "heading":
        ok = node.value in passage.heading_path
    elif node.name == "section":
        ok = node.value in passage.section
    elif node.name == "kind":
        ok = passage.kind == node.value
    else:  # text
        ok = node.value in passage.text
    return Result(ok, [], [f"{node.name}:{node.value}"] if ok else [])


def _span_words(passage: Passage, spans: list[tuple[int, int]]) -> list[str]:
    return ["".join(passage.words[a : b + 1]) for a, b in spans]


# --------------------------------------------------------------------------- compiled rule sets
#
# Evaluating every rule on every passage walks each rule tree and looks up
# every term: about 3 ms per passage for the fifteen default themes.  A term
# can match only if it is a substring of the passage's joined words (see
# Passage._find), and most passages contain few of a catalogue's terms.  So
# a RuleSet first finds the terms present in a passage, all rules at once, in
# one pass of an Aho-Corasick automaton over the joined words (pyahocorasick),
# then evaluates each rule *folded* for that set of terms: every sub-rule that
# needs an absent term becomes a constant, which usually leaves a constant or
# a small tree.  Folding keeps the results exactly: a folded rule gives the
# same Result (ok, spans and conditions) as the whole rule on any passage
# whose present terms are the ones it was folded for.  Terms and conditions
# are bits of one integer, so finding a rule's folded form for a passage is
# an AND and a dictionary look-up.

_FALSE = Const(False)
_TRUE = Const(True)


def fold(
    node: Node,
    present: frozenset[str] | set[str],
    conditions: frozenset[Condition] | set[Condition] | None = None,
) -> Node:
    """``node`` with every sub-rule that needs a term not in ``present`` made constant.

    With ``conditions`` (the conditions that hold on the passage), the other
    conditions become constant False as well.

    Invariant (what makes it exact): for a passage whose terms with a
    possible match are a subset of ``present`` (and whose true conditions
    are ``conditions``), ``evaluate(fold(node))`` equals ``evaluate(node)``
    (ok, spans and conditions), and a Const replaces only sub-rules whose
    evaluation carries no spans or conditions.
    """
    kind = type(node)  # node classes are final: identity tests, commonest first
    if kind is Or:
        return _fold_or(node, present, conditions)
    if kind is And:
        return _fold_and(node, present, conditions)
    if kind is Term:
        return node if node.text in present else _FALSE
    if kind is Near or kind is Phrase:
        return node if all(t.text in present for t in node.terms) else _FALSE
    if kind is Not:
        inner = fold(node.operand, present, conditions)
        return Const(not inner.value) if type(inner) is Const else Not(inner)
    if kind is Count:
        if any(_live(item, present) for item in node.items):
            return node
        return Const(_compare(0, node.op, node.value))
    if kind is Condition:
        return node if conditions is None or node in conditions else _FALSE
    if kind is Const:
        return node
    raise TypeError(f"unknown rule node {node!r}")  # pragma: no cover


def _fold_and(
    node: And,
    present: frozenset[str] | set[str],
    conditions: frozenset[Condition] | set[Condition] | None,
) -> Node:
    kept: list[Node] = []
    for operand in node.operands:
        if type(operand) is Term:  # the common leaf, folded inline
            if operand.text not in present:
                return _FALSE
            kept.append(operand)
            continue
        sub = fold(operand, present, conditions)
        if type(sub) is Const:
            if not sub.value:
                return _FALSE  # a failing And carries nothing
            continue  # a constant True contributes no spans or conditions
        kept.append(sub)
    if not kept:
        return _TRUE
    return kept[0] if len(kept) == 1 else And(tuple(kept))


def _fold_or(
    node: Or,
    present: frozenset[str] | set[str],
    conditions: frozenset[Condition] | set[Condition] | None,
) -> Node:
    kept: list[Node] = []
    has_true = False
    for operand in node.operands:
        if type(operand) is Term:  # the common leaf, folded inline (absent: False, dropped)
            if operand.text in present:
                kept.append(operand)
            continue
        sub = fold(operand, present, conditions)
        if type(sub) is Const:
            if sub.value and not has_true:
                has_true = True
                kept.append(_TRUE)
            continue
        kept.append(sub)
    if not kept:
        return _FALSE
    if all(type(k) is Const for k in kept):
        return _TRUE
    return kept[0] if len(kept) == 1 else Or(tuple(kept))


def _live(item: Term | Phrase | Near, present: frozenset[str] | set[str]) -> bool:
    if isinstance(item, Term):
        return item.text in present
    return all(t.text in present for t in item.terms)


def _bound_terms(node: Node) -> list[str]:
    """The terms whose spans bound a rule's spans (see :meth:`RuleSet.span_bound`).

    Each distinct term once, plus the first term of every phrase and ``near``
    once more (each of its spans can start one derived span).
    """
    derived = [leaf.terms[0].text for leaf in _leaves(node) if isinstance(leaf, Phrase | Near)]
    return rule_terms(node) + derived


def span_bound(terms: Sequence[str], passage: Passage) -> int:
    """An upper bound on the distinct spans of a rule's result on ``passage``.

    ``terms`` are the rule's bound terms (:func:`_bound_terms`).  Every span
    of a result is a span of one of the rule's terms, or is derived from a
    span of the first term of a ``+`` phrase or ``near`` (at most one each),
    so the bound sums those term spans.  It lets a caller skip evaluations
    that cannot beat a better-matched passage.
    """
    joined = passage._joined  # a term absent from it has no span (cheap C-level test)
    return sum(len(passage.matches(t)) for t in terms if t in joined)


def rule_conditions(node: Node) -> list[Condition]:
    """The distinct conditions (heading:, section:, kind:, text:) of a rule."""
    found = dict.fromkeys(leaf for leaf in _leaves(node) if isinstance(leaf, Condition))
    return list(found)


class RuleSet:
    """Several parsed rules compiled for fast evaluation on many passages.

    ``present(passage)`` finds the rules' terms that occur in a passage's
    joined normalised words, ``true_conditions(passage)`` the rules'
    conditions that hold on it; ``rule(i, present, true)`` is rule ``i``
    folded for those (memoised per distinct combination for the rule).
    :meth:`holding` does all three for every rule at once.
    """

    def __init__(self, nodes: Sequence[Node]) -> None:
        import ahocorasick

        self.nodes = list(nodes)
        self.terms = [frozenset(rule_terms(n)) for n in self.nodes]
        self.conditions = [frozenset(rule_conditions(n)) for n in self.nodes]
        every = sorted(set().union(*self.terms)) if self.terms else []
        conditions = set().union(*self.conditions) if self.conditions else set()
        # One bit per term and per condition, terms first (sorted: deterministic).
        items: list[str | Condition] = [*every, *sorted(conditions, key=_condition_key)]
        self._bit: dict[str | Condition, int] = {item: 1 << k for k, item in enumerate(items)}
        self._items = items
        self._always = frozenset(t for t in every if not t)
        self._always_bits = self._mask(self._always)
        self._automaton = None  # None without terms: an empty automaton cannot search
        if any(every):
            self._automaton = ahocorasick.Automaton()
            for term in every:
                if term:
                    self._automaton.add_word(term, self._bit[term])
            self._automaton.make_automaton()
        self._structural = [c for c in conditions if c.name != "text"]
        self._text = [(c, self._bit[c]) for c in conditions if c.name == "text"]
        self._structural_bits = [(c.name, c.value, self._bit[c]) for c in self._structural]
        self._by_place: dict[tuple[str, str, str], int] = {}
        self._masks = [
            self._mask(terms) | self._mask(conds)
            for terms, conds in zip(self.terms, self.conditions, strict=True)
        ]
        self._folded: list[dict[int, tuple[Node, tuple[str, ...]]]] = [{} for _ in self.nodes]
        none: frozenset[Condition] = frozenset()
        self._empty = [
            (folded, tuple(_bound_terms(folded)))
            for folded in (fold(n, frozenset(), none) for n in self.nodes)
        ]
        #: Rules that may hold with no term and no condition (e.g. ``not X``).
        self._always_check = tuple(i for i, e in enumerate(self._empty) if e[0] is not _FALSE)
        self._plan = [
            (index, mask, self._folded[index], index in self._always_check)
            for index, mask in enumerate(self._masks)
        ]
        #: Whether any rule looks at the passage text (``text:``).
        self.uses_text = bool(self._text)

    def _mask(self, items: Iterable[str | Condition]) -> int:
        bits = 0
        for item in items:
            bits |= self._bit.get(item, 0)
        return bits

    def _unmask(self, bits: int) -> tuple[frozenset[str], frozenset[Condition]]:
        """The terms and the conditions whose bits are set in ``bits``."""
        terms: list[str] = []
        conditions: list[Condition] = []
        items = self._items
        while bits:
            low = bits & -bits
            item = items[low.bit_length() - 1]
            (conditions if isinstance(item, Condition) else terms).append(item)
            bits ^= low
        return frozenset(terms), frozenset(conditions)

    def hits(self, passage: Passage, explain: bool = False) -> list[tuple[int, Result | None]]:
        """``(index, result)`` of each rule that holds on ``passage``, in rule order.

        ``result`` (matched spans and conditions, :func:`evaluate`) only with
        ``explain``, else None: most rules tried do not hold, and
        :func:`holds` short-circuits, so evidence costs extra.
        """
        if not explain:
            return [(index, None) for index, _, _ in self.holding(passage)]
        return [(index, evaluate(node, passage)) for index, node, _ in self.holding(passage)]

    def holding(self, passage: Passage) -> list[tuple[int, Node, tuple[str, ...]]]:
        """``(index, folded rule, bound terms)`` of each rule that holds on ``passage``.

        The one place rules are run on passages (theme coding and the
        streaming pipeline both come here).  :func:`evaluate` of the folded
        rule on this passage gives the rule's result; the bound terms give
        :func:`span_bound`.
        """
        bits = self._present_bits(passage) | self._condition_bits(passage)
        out = []
        for index, mask, memo, always in self._plan:
            mine = bits & mask
            if mine:
                entry = memo.get(mine)
                if entry is None:
                    entry = self._fold_entry(index, mine)
            elif always:
                entry = self._empty[index]
            else:
                continue
            node = entry[0]
            if node is not _FALSE and (node is _TRUE or holds(node, passage)):
                out.append((index, node, entry[1]))
        return out

    def _fold_entry(self, index: int, mine: int) -> tuple[Node, tuple[str, ...]]:
        """Rule ``index`` folded for the terms and conditions of the bits ``mine``."""
        memo = self._folded[index]
        if len(memo) > 50_000:
            memo.clear()
        present, held = self._unmask(mine)
        node = fold(self.nodes[index], present, held)
        entry = memo[mine] = (node, tuple(_bound_terms(node)))
        return entry

    def candidates(self, present: frozenset[str], conditions: frozenset[Condition]) -> list[int]:
        """Indices (ascending) of the rules that can hold given what a passage contains.

        Every other rule folds to constant False for this passage.
        """
        bits = self._mask(present) | self._mask(conditions)
        return [index for index, mask, _, always in self._plan if bits & mask or always]

    def present(self, passage: Passage) -> frozenset[str]:
        """The rules' terms that occur in the passage's joined words (substring test)."""
        return self._unmask(self._present_bits(passage))[0]

    def _present_bits(self, passage: Passage) -> int:
        """Bits of the rules' terms in the passage's joined words: one automaton pass."""
        bits = self._always_bits
        if self._automaton is not None:
            for _, bit in self._automaton.iter(passage._joined):
                bits |= bit
        return bits

    def true_conditions(self, passage: Passage) -> frozenset[Condition]:
        """The rules' conditions that hold on ``passage``."""
        return self._unmask(self._condition_bits(passage))[1]

    def _condition_bits(self, passage: Passage) -> int:
        """Bits of the rules' conditions that hold (structural ones cached per place)."""
        place = (passage.heading_path, passage.section, passage.kind)
        bits = self._by_place.get(place)
        if bits is None:
            if len(self._by_place) > 100_000:
                self._by_place.clear()
            bits = self._by_place[place] = self._place_bits(*place)
        if self._text:
            text = passage.text
            for condition, bit in self._text:
                if condition.value in text:
                    bits |= bit
        return bits

    def _place_bits(self, heading_path: str, section: str, kind: str) -> int:
        """Bits of the structural conditions that hold at a place (as :func:`_condition`)."""
        bits = 0
        for name, value, bit in self._structural_bits:
            if (
                (value in heading_path)
                if name == "heading"
                else (value in section)
                if name == "section"
                else (kind == value)
            ):
                bits |= bit
        return bits

    def rule(
        self,
        index: int,
        present: frozenset[str],
        conditions: frozenset[Condition] = frozenset(),
    ) -> Node:
        """Rule ``index`` folded for the terms ``present`` and the ``conditions`` that hold."""
        mine = (self._mask(present) | self._mask(conditions)) & self._masks[index]
        if not mine:
            return self._empty[index][0]
        entry = self._folded[index].get(mine)
        return (entry or self._fold_entry(index, mine))[0]


def _condition_key(condition: Condition) -> tuple[str, str]:
    return condition.name, condition.value
