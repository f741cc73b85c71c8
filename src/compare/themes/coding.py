"""Theme coding: which segments of a plan talk about which theme.

A *theme* (プラットフォーム, 重層的支援, 防災 …) is defined by a rule in a
small boolean language in the spirit of KH Coder's coding rules (see
:mod:`compare.themes.rules` for the grammar).  The default catalogue is the data
file ``data/themes.yaml``; users edit it or pass their own.

Coding works on the structure of the plan: every segment except ``meta``
segments (title pages, publisher addresses) and table-of-contents entries
(a dot leader run followed by a page number, :func:`is_toc_entry`) is a
unit; headings are coded
like other segments (a heading names its topic), and rules can also look at
the headings above a segment (``heading:``/``section:`` conditions).  Terms
are matched on the analysed word forms of :func:`compare.tokenize`.

Public functions
----------------
load_themes
    Read and check a theme catalogue.
code_themes
    One row per (segment, theme) hit, with the matched words as evidence.
themes_wide
    One row per segment, one boolean column per theme.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from compare._resources import data_file
from compare.errors import ThemeError, ThemeWarning
from compare.io.catalog import METADATA_COLUMNS
from compare.themes.rules import (
    Node,
    Passage,
    Result,
    RuleSet,
    parse_rule,
    rule_conditions,
    rule_terms,
)

#: Keys allowed in a theme entry.
THEME_KEYS = ("id", "label", "description", "rule")
#: Segment kinds that are never coded (title pages, addresses, page furniture).
EXCLUDED_KINDS = ("meta",)
#: Catalogue columns carried into the coded tables (when present).
CATALOG_COLUMNS = METADATA_COLUMNS
#: Segment columns carried into the coded tables (when present).
SEGMENT_INFO = (
    "kind",
    "level",
    "heading_path",
    "section_id",
    "line_start",
    "line_end",
    "page",
    "page_label",
    "text",
)

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: A dot leader (five or more leader dots) followed by a page number: a table-of-contents entry.
_TOC_LEADER = re.compile(r"[・·．.‥…･⋯]{5,}\s*(?:[pP][.．]?\s*)?[0-9０-９]+")


def is_toc_entry(text: str) -> bool:
    """True if ``text`` holds a table-of-contents entry (title, dot leaders, page number).

    PDF extracts keep the contents pages of a plan; their entries name every
    topic of the plan without talking about any, so they are not coded, and a
    heading that is such an entry gives no ``section:`` context.
    """
    return bool(_TOC_LEADER.search(text))


@dataclass(frozen=True)
class Theme:
    """One theme: id, Japanese label, description and rule (parsed on creation).

    ``pd.DataFrame(load_themes())`` gives a readable table of the catalogue.
    """

    id: str
    label: str
    rule: str
    description: str = ""
    source: str = ""
    node: Node = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _ID.match(self.id):
            raise ThemeError(
                f"{self._where()}theme id {self.id!r} is invalid: use ASCII letters, digits "
                "and '_', starting with a letter (e.g. 'disaster')"
            )
        if not isinstance(self.rule, str) or not self.rule.strip():
            raise ThemeError(f"{self._where()}theme {self.id!r}: the rule is empty")
        try:
            node = parse_rule(self.rule.strip(), self.id)
        except ThemeError as exc:
            raise ThemeError(f"{self._where()}{exc}") from None
        object.__setattr__(self, "node", node)

    def _where(self) -> str:
        return f"{self.source}: " if self.source else ""

    @property
    def terms(self) -> list[str]:
        """The distinct terms of the rule (normalised), in order."""
        return rule_terms(self.node)


# --------------------------------------------------------------------------- loading


def default_themes_path() -> Path:
    """Return the path of the bundled theme catalogue ``data/themes.yaml``."""
    path = data_file("themes.yaml")
    if path is not None:
        return path
    raise ThemeError(
        "the bundled theme catalogue data/themes.yaml is missing from this installation"
    )


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that records the line of each mapping."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_themes(path: str | Path | None = None, ids: Iterable[str] | None = None) -> list[Theme]:
    """Read a theme catalogue (YAML) and parse every rule.

    Parameters
    ----------
    path
        A YAML file with a top-level ``themes:`` list (or a bare list) of
        entries with ``id``, ``label``, ``rule`` and optional
        ``description``.  None reads the bundled default catalogue.
    ids
        Keep only these theme ids, in this order.

    Returns
    -------
    list of Theme
        In file order (or in the order of ``ids``).

    Raises
    ------
    ThemeError
        If the file is missing or malformed (naming the file and line), an
        entry lacks a key or has an unknown one, an id is duplicated, a rule
        does not parse (naming the theme and the position in the rule), or
        an id in ``ids`` is not in the catalogue.
    """
    file = Path(path) if path is not None else default_themes_path()
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ThemeError(f"theme file {file} not found; pass an existing YAML file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeError(f"theme file {file} cannot be read as UTF-8 text: {exc}") from None
    try:
        data = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ThemeError(f"{file}{where}: malformed YAML: {problem}") from None
    entries = data.get("themes") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not entries:
        raise ThemeError(
            f"{file}: expected a non-empty list of themes under 'themes:' "
            "(each with id, label and rule)"
        )
    themes = [_theme_from_entry(file, i, entry) for i, entry in enumerate(entries, 1)]
    seen: dict[str, str] = {}
    for theme in themes:
        if theme.id in seen:
            raise ThemeError(f"{theme.source}: theme id {theme.id!r} repeats {seen[theme.id]}")
        seen[theme.id] = theme.source
    return select_themes(themes, ids) if ids is not None else themes


def _theme_from_entry(file: Path, number: int, entry: Any) -> Theme:
    if not isinstance(entry, dict):
        raise ThemeError(f"{file}: theme entry {number} is not a mapping with id, label and rule")
    line = entry.pop("__line__", None)
    where = f"{file} line {line}" if line else f"{file} entry {number}"
    unknown = sorted(set(entry) - set(THEME_KEYS))
    if unknown:
        raise ThemeError(
            f"{where}: unknown key(s) {', '.join(unknown)}; a theme has {', '.join(THEME_KEYS)}"
        )
    for key in ("id", "label", "rule"):
        if entry.get(key) in (None, ""):
            label = f"theme {entry['id']!r}" if entry.get("id") else f"theme entry {number}"
            what = "the rule is empty" if key == "rule" else f"'{key}' is missing"
            raise ThemeError(f"{where}: {label}: {what}")
    return Theme(
        id=str(entry["id"]),
        label=str(entry["label"]),
        rule=str(entry["rule"]),
        description=str(entry.get("description") or "").strip(),
        source=where,
    )


def select_themes(themes: Sequence[Theme], ids: Iterable[str]) -> list[Theme]:
    """Return the themes with these ids, in the order given; ThemeError for unknown ids."""
    by_id = {t.id: t for t in themes}
    wanted = [ids] if isinstance(ids, str) else list(ids)
    unknown = [i for i in wanted if i not in by_id]
    if unknown:
        raise ThemeError(
            f"unknown theme id(s) {', '.join(map(repr, unknown))}; known: {', '.join(by_id)}"
        )
    return [by_id[i] for i in wanted]


def resolve_themes(themes: Any = None) -> tuple[list[Theme], bool]:
    """Turn the ``themes`` argument of the coding functions into Theme objects.

    Accepts None (the default catalogue), a path to a YAML file, a theme id
    or a list of ids (from the default catalogue), a list of Theme objects,
    or a mapping ``{id: rule}``.  Returns the themes and whether they are
    the user's own (as opposed to the bundled defaults).
    """
    if themes is None:
        return load_themes(), False
    if isinstance(themes, Path) or (
        isinstance(themes, str) and (themes.endswith((".yaml", ".yml")) or Path(themes).is_file())
    ):
        return load_themes(themes), True
    if isinstance(themes, str):
        return select_themes(load_themes(), [themes]), False
    if isinstance(themes, Theme):
        return [themes], True
    if isinstance(themes, Mapping):
        return [Theme(id=str(k), label=str(k), rule=str(v)) for k, v in themes.items()], True
    items = list(themes)
    if all(isinstance(t, Theme) for t in items):
        if not items:
            raise ThemeError("no themes given; pass None for the default catalogue")
        return items, True
    if all(isinstance(t, str) for t in items):
        return select_themes(load_themes(), items), False
    raise ThemeError(
        "themes must be None, a YAML path, theme ids, Theme objects or a mapping {id: rule}"
    )


# --------------------------------------------------------------------------- corpus view


@dataclass
class CodingCorpus:
    """Segments, their tokens and the passages the rules see (internal)."""

    segments: pd.DataFrame  # one row per coded (non-meta) segment, in order
    tokens: pd.DataFrame  # TOKENS rows of those segments
    passages: list[Passage]  # aligned with segments
    n_words: list[int]  # content words per segment
    has_headings: bool
    offsets: list[tuple[list[int], list[int]]]  # char start/end of each content word


def build_corpus(
    data: pd.DataFrame,
    tokenizer: Any = None,
    tokens: pd.DataFrame | None = None,
) -> CodingCorpus:
    """Prepare SEGMENTS and/or TOKENS for coding (internal, shared with the stats)."""
    if not isinstance(data, pd.DataFrame):
        raise ThemeError(
            f"expected a SEGMENTS or TOKENS DataFrame, not {type(data).__name__}; "
            "build one with compare.read_corpus() or compare.tokenize()"
        )
    for column in ("plan_id", "seg_id"):
        if column not in data.columns:
            raise ThemeError(
                f"the table lacks column {column!r}; pass a SEGMENTS table "
                "(compare.read_corpus) or a TOKENS table (compare.tokenize)"
            )
    if "word" in data.columns and tokens is None:
        tokens, segments = data, _segments_from_tokens(data)
    else:
        segments = data
        if "text" not in segments.columns:
            raise ThemeError("the segments table lacks column 'text'")
    if tokens is None:
        from compare.text.tokenizer import tokenize

        tokens = tokenize(segments, tokenizer)
    if "kind" in segments.columns:
        segments = segments[~segments["kind"].astype(str).isin(EXCLUDED_KINDS)]
    if len(segments):
        segments = segments[~segments["text"].fillna("").astype(str).map(is_toc_entry)]
    segments = segments.reset_index(drop=True)
    return _assemble_corpus(segments, tokens)


def _segments_from_tokens(tokens: pd.DataFrame) -> pd.DataFrame:
    """Minimal segment rows rebuilt from a TOKENS table (no heading information)."""
    extra = [c for c in (*CATALOG_COLUMNS, "kind", "section_id") if c in tokens.columns]
    grouped = tokens.groupby(["plan_id", "seg_id"], sort=False, observed=True)
    rows = grouped["surface"].agg(lambda s: "".join(map(str, s))).rename("text").reset_index()
    if extra:
        firsts = grouped[extra].first().reset_index(drop=True)
        rows = pd.concat([rows[["plan_id", "seg_id"]], firsts, rows[["text"]]], axis=1)
    for column in ("plan_id", "kind", "section_id", *CATALOG_COLUMNS):
        if column in rows.columns:
            rows[column] = rows[column].astype(str)
    return rows


def _assemble_corpus(segments: pd.DataFrame, tokens: pd.DataFrame) -> CodingCorpus:
    has_headings = "heading_path" in segments.columns
    content = tokens[tokens["is_content"].astype(bool)] if "is_content" in tokens else tokens
    by_key: dict[tuple[str, int], tuple[list[str], list[int], list[int], list[int]]] = {}
    plans = content["plan_id"].astype(str).to_numpy()
    segs = content["seg_id"].to_numpy()
    words = content["word"].astype(str).to_numpy()
    positions = content["position"].to_numpy() if "position" in content else None
    starts = content["start"].to_numpy() if "start" in content else None
    ends = content["end"].to_numpy() if "end" in content else None
    for i in range(len(content)):
        key = (plans[i], int(segs[i]))
        entry = by_key.setdefault(key, ([], [], [], []))
        entry[0].append(words[i])
        entry[1].append(int(positions[i]) if positions is not None else len(entry[1]))
        entry[2].append(int(starts[i]) if starts is not None else -1)
        entry[3].append(int(ends[i]) if ends is not None else -1)
    passages: list[Passage] = []
    n_words: list[int] = []
    offsets: list[tuple[list[int], list[int]]] = []
    texts = segments["text"].fillna("").astype(str).tolist()
    kinds = segments["kind"].astype(str).tolist() if "kind" in segments else None
    paths = segments["heading_path"].fillna("").astype(str).tolist() if has_headings else None
    for row, (plan, seg) in enumerate(
        zip(segments["plan_id"].astype(str), segments["seg_id"], strict=True)
    ):
        seg_words, seg_pos, seg_starts, seg_ends = by_key.get((plan, int(seg)), ([], [], [], []))
        path = paths[row] if paths is not None else ""
        section = path.rsplit(" > ", 1)[-1]
        passages.append(
            Passage(
                words=seg_words,
                positions=seg_pos,
                heading_path=path,
                section="" if is_toc_entry(section) else section,
                kind=kinds[row] if kinds is not None else "paragraph",
                text=texts[row],
            )
        )
        n_words.append(len(seg_words))
        offsets.append((seg_starts, seg_ends))
    return CodingCorpus(segments, tokens, passages, n_words, has_headings, offsets)


# --------------------------------------------------------------------------- coding


def _run_rules(
    corpus: CodingCorpus, themes: list[Theme], warn_unmatched: bool, explain: bool = True
) -> list[tuple[int, Theme, Result | None]]:
    """Evaluate every theme on every passage; return (row, theme, result) hits.

    ``result`` records the evidence; with ``explain`` false it is None (the
    wide table needs only whether a theme holds).
    """
    if not corpus.has_headings and any(_uses_headings(t) for t in themes):
        warnings.warn(
            "the table has no heading_path column, so heading:/section: conditions never "
            "match; pass the SEGMENTS table (code_themes(segments, tokens=tokens))",
            ThemeWarning,
            stacklevel=3,
        )
    rules = RuleSet([t.node for t in themes])
    hits = [
        (row, themes[index], result)
        for row, passage in enumerate(corpus.passages)
        for index, result in rules.hits(passage, explain)
    ]
    if warn_unmatched:
        _warn_unmatched(corpus, themes, rules)
    return hits


def _uses_headings(theme: Theme) -> bool:
    return any(c.name in ("heading", "section") for c in rule_conditions(theme.node))


def _warn_unmatched(corpus: CodingCorpus, themes: list[Theme], rules: RuleSet) -> None:
    every = {term for theme in themes for term in theme.terms}
    matched: set[str] = set()
    for passage in corpus.passages:
        todo = (rules.present(passage) & every) - matched
        matched.update(term for term in todo if passage.matches(term))
        if len(matched) == len(every):
            return
    for theme in themes:
        missing = [term for term in theme.terms if term not in matched]
        if missing:
            warnings.warn(
                f"theme {theme.id!r}: term(s) {', '.join(missing)} match nothing in the corpus; "
                "check the spelling and use dictionary forms of the analysed words "
                "(see compare.Tokenizer().words(text))",
                ThemeWarning,
                stacklevel=4,
            )


def _evidence_text(evidence: list[str]) -> str:
    return ", ".join(dict.fromkeys(e for e in evidence if e))


def _info_columns(segments: pd.DataFrame) -> list[str]:
    wanted = ("plan_id", "seg_id", *SEGMENT_INFO, *CATALOG_COLUMNS)
    return [c for c in wanted if c in segments.columns]


def code_themes(
    segments_or_tokens: pd.DataFrame,
    themes: Any = None,
    tokenizer: Any = None,
    *,
    tokens: pd.DataFrame | None = None,
    warn_unmatched: bool | None = None,
) -> pd.DataFrame:
    """Code the segments of plans with themes: one row per (segment, theme) hit.

    Parameters
    ----------
    segments_or_tokens
        A SEGMENTS table (:func:`compare.read_corpus`) or a TOKENS table
        (:func:`compare.tokenize`).  With SEGMENTS the text is tokenized
        here; a TOKENS table alone lacks heading paths and source lines, so
        pass SEGMENTS with ``tokens=`` to reuse tokens.
    themes
        None for the default catalogue, a YAML path, theme ids, Theme
        objects or a mapping ``{id: rule}``.
    tokenizer
        The :class:`compare.Tokenizer` used when tokenizing SEGMENTS.
    tokens
        A TOKENS table of ``segments_or_tokens`` (skips tokenizing).
    warn_unmatched
        Warn (:class:`ThemeWarning`) about rule terms that match nothing in
        the corpus.  None warns for user themes, not for the defaults (a
        small corpus never uses every default term).

    Returns
    -------
    pandas.DataFrame
        One row per (segment, theme) hit, plans and segments in input order,
        themes in catalogue order.  Columns: ``plan_id``, ``seg_id``,
        ``theme_id``, ``label``, ``evidence`` (the matched analysed words and
        conditions, comma-separated, in order of first appearance),
        ``n_matches`` (matched occurrences), ``kind``, ``level``,
        ``heading_path``, ``section_id``, ``line_start``, ``line_end``,
        ``page`` and ``page_label`` (where the segment is printed, for PDF
        sources: see :func:`compare.read_plan`), ``text``, then the
        catalogue columns (``municipality`` …).  ``meta``
        segments are never coded.  ``attrs["themes"]`` lists the theme ids.
    """
    theme_list, own = resolve_themes(themes)
    corpus = build_corpus(segments_or_tokens, tokenizer, tokens)
    hits = _run_rules(corpus, theme_list, own if warn_unmatched is None else warn_unmatched)
    info = corpus.segments[_info_columns(corpus.segments)]
    rows = [
        {
            "row": row,
            "theme_id": theme.id,
            "label": theme.label,
            "evidence": _evidence_text(result.evidence(corpus.passages[row])),
            "n_matches": len(set(result.spans)),
        }
        for row, theme, result in hits
    ]
    hit_frame = pd.DataFrame(rows, columns=["row", "theme_id", "label", "evidence", "n_matches"])
    joined = info.iloc[hit_frame["row"].to_numpy()].reset_index(drop=True)
    front = joined[["plan_id", "seg_id"]]
    rest = joined.drop(columns=["plan_id", "seg_id"])
    out = pd.concat([front, hit_frame.drop(columns="row"), rest], axis=1)
    out["n_matches"] = out["n_matches"].astype("int64")
    for column in ("theme_id", "label", "evidence"):
        out[column] = out[column].astype("str")
    out.attrs = {"themes": [t.id for t in theme_list], **_provenance(corpus)}
    return out


def themes_wide(
    segments_or_tokens: pd.DataFrame,
    themes: Any = None,
    tokenizer: Any = None,
    *,
    tokens: pd.DataFrame | None = None,
    warn_unmatched: bool | None = None,
) -> pd.DataFrame:
    """Code the segments with themes: one row per segment, one boolean column per theme.

    Parameters are those of :func:`code_themes`.

    Returns
    -------
    pandas.DataFrame
        One row per coded (non-``meta``) segment in input order.  Columns:
        ``plan_id``, ``seg_id``, ``kind``, ``level``, ``heading_path``,
        ``section_id``, ``line_start``, ``line_end``, ``page``,
        ``page_label``, ``text``, the catalogue columns, ``n_tokens``
        (analysed content tokens, the words the rules see and the
        denominator of per-1,000-token rates), then one bool column per
        theme id.
        ``attrs["themes"]`` lists the theme ids and ``attrs["labels"]`` maps
        them to labels.
    """
    theme_list, own = resolve_themes(themes)
    corpus = build_corpus(segments_or_tokens, tokenizer, tokens)
    warn = own if warn_unmatched is None else warn_unmatched
    hits = _run_rules(corpus, theme_list, warn, explain=False)
    return _wide_frame(corpus, theme_list, hits)


def _wide_frame(
    corpus: CodingCorpus, theme_list: list[Theme], hits: list[tuple[int, Theme, Result | None]]
) -> pd.DataFrame:
    wide = corpus.segments[_info_columns(corpus.segments)].copy()
    wide["n_tokens"] = pd.Series(corpus.n_words, index=wide.index, dtype="int64")
    flags = {t.id: [False] * len(wide) for t in theme_list}
    for row, theme, _ in hits:
        flags[theme.id][row] = True
    for theme in theme_list:
        if theme.id in wide.columns:
            raise ThemeError(f"theme id {theme.id!r} clashes with a column of the segments table")
        wide[theme.id] = pd.Series(flags[theme.id], index=wide.index, dtype=bool)
    wide.attrs = {
        "themes": [t.id for t in theme_list],
        "labels": {t.id: t.label for t in theme_list},
        **_provenance(corpus),
    }
    return wide


def _provenance(corpus: CodingCorpus) -> dict[str, Any]:
    attrs = corpus.tokens.attrs
    keep = ("dictionary", "dictionary_version", "tokenizer")
    return {k: attrs[k] for k in keep if k in attrs}
