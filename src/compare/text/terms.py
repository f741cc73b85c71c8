"""Domain terms: the curated compound dictionary and automatic term candidates.

``load_terms`` reads the curated list of welfare-policy compounds that the
tokenizer keeps whole (``data/terms.txt``) or a user's own list;
``load_variants`` reads the orthographic variant groups (``data/variants.tsv``).
``stat_term_candidates`` scores the noun sequences of a token table with
TermExtract's FLR so a researcher sees which compounds a corpus contains and
can add them to a term list.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from compare._resources import data_file
from compare.errors import TokenizerError

#: Characters a term may not contain: whitespace, sentence punctuation, controls.
_BAD_TERM_CHARS = re.compile(r"[\s。、，,．.!?！？\x00-\x1f\x7f]")

#: Longest term accepted (characters).
MAX_TERM_LENGTH = 64


def data_path(name: str) -> Path:
    """Path of a file shipped in the repository's ``data`` folder."""
    path = data_file(name)
    if path is not None:
        return path
    raise TokenizerError(f"the bundled file data/{name} is missing from this installation")


def _read_lines(path: str | Path, what: str) -> list[tuple[int, str]]:
    """(line number, line) of the non-comment, non-blank lines of a UTF-8 file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TokenizerError(f"{what} file {path} does not exist") from None
    except UnicodeDecodeError as exc:
        raise TokenizerError(
            f"{what} file {path} is not UTF-8 ({exc.reason} at byte {exc.start}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise TokenizerError(f"cannot read {what} file {path}: {exc.strerror}") from None
    out = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        out.append((number, line))
    return out


def _check_term(term: str, where: str) -> str:
    term = unicodedata.normalize("NFKC", term.strip())
    bad = _BAD_TERM_CHARS.search(term)
    if bad:
        char = bad.group()
        shown = repr(char) if not char.isprintable() or char.isspace() else f"'{char}'"
        raise TokenizerError(
            f"{where}: term {term!r} contains {shown}; write one term per line, "
            "without spaces or sentence punctuation"
        )
    if len(term) < 2:
        raise TokenizerError(f"{where}: term {term!r} is shorter than 2 characters; remove it")
    if len(term) > MAX_TERM_LENGTH:
        raise TokenizerError(
            f"{where}: term {term[:20]!r}… is longer than {MAX_TERM_LENGTH} characters"
        )
    return term


def load_terms(source: str | Path | Iterable[str] | None = None) -> list[str]:
    """Read a list of compound terms.

    Parameters
    ----------
    source
        None for the curated list shipped with the package (``data/terms.txt``:
        welfare-policy compounds from 社会福祉法, 厚生労働省 terminology and
        common plan vocabulary); a path to a UTF-8 text file with one term per
        line (blank lines and lines starting with ``#`` are ignored); or an
        iterable of terms.

    Returns
    -------
    list of str
        The terms, NFKC-normalised, without duplicates, in file order.

    Raises
    ------
    TokenizerError
        If the file cannot be read or a line is not a valid term (spaces,
        sentence punctuation, a single character, more than 64 characters);
        the message names the file and line number.
    """
    if source is None:
        source = data_path("terms.txt")
    if isinstance(source, (str, Path)):
        items = [(f"{source}:{n}", line) for n, line in _read_lines(source, "term")]
    else:
        if isinstance(source, bytes):
            raise TokenizerError("terms must be a path or an iterable of strings, not bytes")
        items = []
        for k, term in enumerate(source):
            if not isinstance(term, str):
                raise TokenizerError(f"term #{k + 1} is {type(term).__name__}, not a string")
            items.append((f"term #{k + 1}", term))
    seen: dict[str, None] = {}
    for where, term in items:
        seen.setdefault(_check_term(term, where), None)
    return list(seen)


def load_variants(
    source: str | Path | Iterable[Iterable[str]] | dict[str, str] | None = None,
) -> dict[str, str]:
    """Read orthographic variant groups as a mapping spelling -> analysed form.

    Parameters
    ----------
    source
        None for the shipped groups (``data/variants.tsv``); a path to a UTF-8
        file with one group per line, spellings separated by tabs, the first
        being the analysed form; an iterable of groups; or a mapping
        ``{variant: analysed form}``.

    Returns
    -------
    dict
        Every spelling (NFKC) mapped to its analysed form; the analysed form
        maps to itself.

    Raises
    ------
    TokenizerError
        For a group with fewer than two spellings, a spelling with spaces, or
        a spelling that appears in two groups (message with the line number).
    """
    if source is None:
        source = data_path("variants.tsv")
    if isinstance(source, dict):
        groups = [(f"variant {k!r}", [v, k]) for k, v in source.items()]
    elif isinstance(source, (str, Path)):
        groups = [(f"{source}:{n}", line.split("\t")) for n, line in _read_lines(source, "variant")]
    else:
        groups = [(f"variant group #{k + 1}", list(g)) for k, g in enumerate(source)]
    mapping: dict[str, str] = {}
    origin: dict[str, str] = {}
    for where, spellings in groups:
        spellings = [unicodedata.normalize("NFKC", s.strip()) for s in spellings if s.strip()]
        if len(spellings) < 2:
            raise TokenizerError(
                f"{where}: a variant group needs at least two spellings separated by tabs "
                "(the first is the analysed form)"
            )
        canonical = spellings[0]
        for spelling in spellings:
            if re.search(r"\s", spelling):
                raise TokenizerError(f"{where}: spelling {spelling!r} contains a space")
            known = mapping.get(spelling)
            if known is not None and known != canonical:
                raise TokenizerError(
                    f"{where}: {spelling!r} is already a variant of {known!r} "
                    f"({origin[spelling]}); keep each spelling in one group"
                )
            mapping[spelling] = canonical
            origin.setdefault(spelling, where)
    return mapping


def canonical_term(term: str, variants: dict[str, str]) -> str:
    """Analysed form of a term: variant spellings inside it replaced, longest first.

    Analysed forms compete with their variants in the same longest-first scan,
    so a spelling that is a prefix of its own analysed form (見守 / 見守り)
    is never replaced inside it.
    """
    whole = variants.get(term)
    if whole is not None:
        return whole
    keys = sorted((k for k in variants if k in term), key=lambda k: (-len(k), k))
    if not any(variants[k] != k for k in keys):
        return term
    pattern = re.compile("|".join(re.escape(k) for k in keys))
    return pattern.sub(lambda m: variants[m.group()], term)


def expand_terms(terms: Iterable[str], variants: dict[str, str]) -> dict[str, str]:
    """Written forms -> analysed form for every term and its variant spellings.

    Each spelling of a variant group that occurs inside a term is swapped for
    the other spellings of the group (at most 32 written forms per term).
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for spelling, canonical in variants.items():
        groups[canonical].append(spelling)
    for spellings in groups.values():
        spellings.sort(key=lambda s: (-len(s), s))
    out: dict[str, str] = {}
    for term in terms:
        canonical = canonical_term(term, variants)
        forms = {term, canonical}
        for group_canonical, spellings in groups.items():
            if group_canonical not in canonical:
                continue
            new = set()
            for form in forms:
                if group_canonical in form:
                    new.update(form.replace(group_canonical, s) for s in spellings)
            forms |= new
            if len(forms) > 32:
                break
        for form in sorted(forms):
            out.setdefault(form, canonical)
    return out


# -- automatic term candidates (FLR) --------------------------------------------------------

#: Suffixes that end a noun sequence instead of joining it (plural and listing markers).
_NON_TERM_SUFFIXES = frozenset(
    ("等", "など", "たち", "達", "ら", "さん", "様", "ごと", "毎", "中", "内", "向け", "方")
)


def _part_kind(pos: str, surface: str) -> str | None:
    """'noun', 'prefix' or 'suffix' for a token that can be part of a compound noun."""
    if pos.startswith(("名詞,普通名詞", "名詞,固有名詞", "形状詞,一般")):
        return "noun"
    if pos.startswith("接頭辞"):
        return "prefix"
    if pos.startswith(("接尾辞,名詞的", "接尾辞,形状詞的")) and surface not in _NON_TERM_SUFFIXES:
        return "suffix"
    return None


def _noun_sequences(tokens: pd.DataFrame) -> Iterable[tuple[str, list[str]]]:
    """(plan_id, parts) of every maximal compound-noun sequence, in table order.

    Parts are NFKC surfaces.  A sequence is a run of adjacent tokens of one
    sentence (no gap between them when offsets are known) made of nouns,
    prefixes at its start and word-forming suffixes after its start.
    """
    columns = ["plan_id", "seg_id", "sent_id", "position", "surface", "pos"]
    missing = [c for c in columns if c not in tokens.columns]
    if missing:
        raise TokenizerError(
            f"the token table lacks column(s) {', '.join(missing)}; build it with compare.tokenize()"
        )
    plan = tokens["plan_id"].astype(str).tolist()
    seg = tokens["seg_id"].tolist()
    sent = tokens["sent_id"].tolist()
    position = tokens["position"].tolist()
    surface = tokens["surface"].astype(str).tolist()
    pos = tokens["pos"].astype(str).tolist()
    has_offsets = "start" in tokens.columns and "end" in tokens.columns
    start = tokens["start"].tolist() if has_offsets else None
    end = tokens["end"].tolist() if has_offsets else None

    parts: list[str] = []
    kinds: list[str] = []
    owner = None
    for k in range(len(plan)):
        kind = _part_kind(pos[k], surface[k])
        adjacent = (
            parts
            and owner == (plan[k], seg[k], sent[k])
            and position[k] == position[k - 1] + 1
            and (not has_offsets or start[k] == end[k - 1])
        )
        if kind is not None and (adjacent or kind != "suffix"):
            if kind == "prefix" and parts and adjacent:
                yield from _emit(owner, parts, kinds)
                parts, kinds = [], []
            if not adjacent and parts:
                yield from _emit(owner, parts, kinds)
                parts, kinds = [], []
            parts.append(unicodedata.normalize("NFKC", surface[k]))
            kinds.append(kind)
            owner = (plan[k], seg[k], sent[k])
        elif parts:
            yield from _emit(owner, parts, kinds)
            parts, kinds = [], []
    if parts:
        yield from _emit(owner, parts, kinds)


def _emit(owner, parts: list[str], kinds: list[str]) -> Iterable[tuple[str, list[str]]]:
    while kinds and kinds[-1] == "prefix":
        parts, kinds = parts[:-1], kinds[:-1]
    if parts:
        yield owner[0], list(parts)


def stat_term_candidates(
    tokens: pd.DataFrame,
    *,
    min_parts: int = 2,
    min_freq: int = 1,
    terms: str | Path | Iterable[str] | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Compound-noun candidates of a token table, scored with TermExtract's FLR.

    Every maximal sequence of adjacent nouns in a sentence (with prefixes at
    its start and word-forming suffixes such as 者, 的, 性 after it) is a
    candidate.  Following Nakagawa & Mori (2003), each component noun N gets
    connection counts FL(N) and FR(N): how often another noun stands
    directly left / right of it inside the candidates (counted per
    occurrence, TermExtract's default 延べ数).  For a candidate CN = N1 … NL
    occurring f(CN) times as a maximal sequence::

        LR(CN)  = ( prod_i (FL(Ni) + 1) * (FR(Ni) + 1) ) ** (1 / (2 L))
        FLR(CN) = f(CN) * LR(CN)

    Works on tokens made with or without compound merging; a merged curated
    term counts as one component.

    References: H. Nakagawa and T. Mori, "Automatic term recognition based on
    statistics of compound nouns and their components", *Terminology* 9(2),
    2003, pp. 201-219; 中川裕志・森辰則・湯本紘彰「出現頻度と連接頻度に基づく
    専門用語抽出」『自然言語処理』10(1), 2003, pp. 27-45 (the TermExtract tool).

    Parameters
    ----------
    tokens
        A TOKENS table (:func:`compare.tokenize`).
    min_parts
        Fewest components a candidate needs (2: compounds only; 1 also scores
        single nouns).
    min_freq
        Fewest occurrences.
    terms
        Term list for the ``in_dictionary`` flag: None for the curated list
        (with its variant spellings), a path or an iterable.
    top
        Keep only the best ``top`` rows.

    Returns
    -------
    pandas.DataFrame
        One row per candidate, best first (score, then frequency descending,
        then term): ``term`` (NFKC surfaces joined), ``score`` (FLR),
        ``lr`` (the geometric mean LR), ``frequency``, ``left`` and ``right``
        (sums of the component nouns' left / right connection counts),
        ``n_parts``, ``in_dictionary`` (bool: the term or a variant spelling
        is in the term list), ``n_plans`` and ``plans`` (comma-separated plan
        ids in table order).
    """
    if not isinstance(min_parts, int) or min_parts < 1:
        raise TokenizerError(f"min_parts must be a positive integer, not {min_parts!r}")
    sequences = list(_noun_sequences(tokens))
    frequency: Counter[tuple[str, ...]] = Counter()
    plans: dict[tuple[str, ...], dict[str, None]] = defaultdict(dict)
    left: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for plan, parts in sequences:
        key = tuple(parts)
        frequency[key] += 1
        plans[key].setdefault(plan, None)
        for a, b in itertools.pairwise(parts):
            right[a] += 1
            left[b] += 1

    variants = load_variants()
    known = set(expand_terms(load_terms(terms), variants))
    rows = []
    for key, freq in frequency.items():
        if len(key) < min_parts or freq < min_freq:
            continue
        log_lr = sum(math.log((left[n] + 1) * (right[n] + 1)) for n in key) / (2 * len(key))
        lr = math.exp(log_lr)
        term = "".join(key)
        rows.append(
            {
                "term": term,
                "score": freq * lr,
                "lr": lr,
                "frequency": freq,
                "left": sum(left[n] for n in key),
                "right": sum(right[n] for n in key),
                "n_parts": len(key),
                "in_dictionary": term in known,
                "n_plans": len(plans[key]),
                "plans": ",".join(plans[key]),
            }
        )
    columns = ["term", "score", "lr", "frequency", "left", "right", "n_parts", "in_dictionary",
               "n_plans", "plans"]  # fmt: skip
    table = pd.DataFrame(rows, columns=columns)
    table = table.sort_values(
        ["score", "frequency", "term"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)
    if top is not None:
        table = table.head(top).reset_index(drop=True)
    return table.astype({"frequency": "int64", "left": "int64", "right": "int64",
                         "n_parts": "int64", "n_plans": "int64", "in_dictionary": "bool"})  # fmt: skip
