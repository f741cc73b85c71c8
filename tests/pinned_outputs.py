"""Per-plan outputs of every analysis stage, pinned so speed work cannot change them.

``outputs()`` computes, for the bundled plans, a small generated corpus kept
in ``tests/data/pinned/`` and (when present) the corpus-dev excerpts:

* segments (kind, level, heading path, section, text, raw, lines) per segment;
* every token of :func:`compare.tokenize` per segment;
* the content words and positions the streaming pipeline analyses
  (``Engine.content``) per segment;
* every theme hit of :func:`compare.code_themes` with its evidence and
  number of matches (the transparent rule output shown to users), and the
  theme flags of :func:`compare.themes_wide`;
* the tables of :func:`compare.pipeline.run_pipeline` (one worker, no
  cache): per-plan counts, theme shares, quotation candidates and the
  document-term matrix.

Bulky values are stored as short digests per segment (a failure still names
the plan, segment and stage); theme evidence and quotations are stored as
they are.  Run ``python -m tests.pinned_outputs`` from the repository root to
write ``tests/data/pinned/expected.json.gz``; that file was written by the
code as it was before the speed work, so the test compares new code with old
behaviour, not with itself.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PINNED = ROOT / "tests" / "data" / "pinned"
EXPECTED = PINNED / "expected.json.gz"

SEGMENT_FIELDS = (
    "kind",
    "level",
    "heading_path",
    "section_id",
    "text",
    "raw",
    "line_start",
    "line_end",
)
#: Columns of the pipeline's plan table when the expectations were written (less
#: ``cached``; columns added later are not pinned here).
PLAN_FIELDS = (
    "plan_id",
    "municipality",
    "prefecture",
    "municipality_code",
    "author",
    "plan_type",
    "title",
    "edition",
    "fiscal_year_start",
    "fiscal_year_end",
    "published",
    "doc_kind",
    "chars",
    "n_segments",
    "n_heading",
    "n_paragraph",
    "n_list_item",
    "n_table_row",
    "n_meta",
    "n_coded",
    "n_tokens",
    "sha256",
    "covers",
    "coverage",
)
#: Columns of the pipeline's quotation candidates when the expectations were written
#: (columns added later, such as the page, are not pinned here).
QUOTE_FIELDS = (
    "plan_id",
    "theme_id",
    "label",
    "seg_id",
    "kind",
    "heading_path",
    "line_start",
    "line_end",
    "n_matches",
    "evidence",
    "text",
)
TOKEN_FIELDS = (
    "sent_id",
    "surface",
    "lemma",
    "word",
    "pos",
    "pos1",
    "is_content",
    "is_compound",
    "start",
    "end",
)


def digest(value: Any) -> str:
    """A short, stable digest of a JSON-able value."""
    blob = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def corpus_dev_texts() -> list[Path]:
    """The corpus-dev excerpts beside the checkout (empty when absent)."""
    for base in (
        ROOT.parent / "shared" / "corpus-dev",
        ROOT.parent.parent / "shared" / "corpus-dev",
    ):
        if (base / "texts").is_dir():
            return sorted((base / "texts").glob("*.txt"))
    return []


def plan_outputs(segments: Any, tokenizer: Any, themes: list[Any]) -> dict[str, Any]:
    """Segments, tokens, content words and theme coding of one plan's SEGMENTS table."""
    from compare import code_themes, themes_wide, tokenize

    engine = tokenizer._engine()
    tokens = tokenize(segments, tokenizer, cache=False)
    by_segment: dict[int, list[list[Any]]] = {}
    for row in tokens[["seg_id", *TOKEN_FIELDS]].itertuples(index=False):
        by_segment.setdefault(int(row[0]), []).append(
            [v.item() if hasattr(v, "item") else v for v in row[1:]]
        )
    out: dict[str, Any] = {"segments": {}, "tokens": {}, "content": {}}
    for record in segments.to_dict(orient="records"):
        seg = str(int(record["seg_id"]))
        fields = [
            record[f] if not hasattr(record[f], "item") else record[f].item()
            for f in SEGMENT_FIELDS
        ]
        out["segments"][seg] = digest(fields)
        out["tokens"][seg] = digest(by_segment.get(int(record["seg_id"]), []))
        out["content"][seg] = digest(list(engine.content(str(record["text"] or ""))))
    coded = code_themes(segments, themes, tokens=tokens, warn_unmatched=False)
    out["themes"] = [
        [int(r.seg_id), r.theme_id, r.evidence, int(r.n_matches)]
        for r in coded.itertuples(index=False)
    ]
    wide = themes_wide(segments, themes, tokens=tokens, warn_unmatched=False)
    ids = wide.attrs["themes"]
    out["wide"] = digest(
        [
            [int(s), int(n), *map(bool, flags)]
            for s, n, *flags in wide[["seg_id", "n_tokens", *ids]].itertuples(index=False)
        ]
    )
    return out


def pipeline_outputs(catalog: Path) -> dict[str, Any]:
    """The tables of one uncached single-worker pipeline run."""
    from compare.pipeline import run_pipeline

    result = run_pipeline(catalog, n_jobs=1, cache=False, progress=False)
    plans = result.plans[list(PLAN_FIELDS)]
    # Theme counts were of every coded segment when the expectations were
    # written; passages and headings are counted apart since.
    themes = result.theme_counts(headings=True)
    quotes = result.quotes[list(QUOTE_FIELDS)].copy()
    quotes["text"] = quotes["text"].map(digest)
    dtm = result.dtm
    return {
        "plans": plans.astype(str).values.tolist(),
        "themes": themes.astype(str).values.tolist(),
        "quotes": quotes.astype(str).values.tolist(),
        "dtm": digest(
            [
                dtm.terms.astype(str).values.tolist(),
                dtm.documents.astype(str).values.tolist(),
                dtm.counts.toarray().tolist(),
            ]
        )
        if dtm is not None
        else None,
    }


def outputs() -> dict[str, Any]:
    """Every pinned output, keyed by corpus and plan."""
    from compare import Tokenizer, read_catalog, read_plan
    from compare.errors import CompareWarning
    from compare.io.catalog import plan_file
    from compare.themes.coding import resolve_themes

    tokenizer = Tokenizer()
    themes, _ = resolve_themes(None)
    result: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        for name, catalog in (
            ("bundled", ROOT / "data" / "catalog.csv"),
            ("generated", PINNED / "catalog.csv"),
        ):
            cat = read_catalog(catalog)
            for plan_id in cat["plan_id"].astype(str):
                segments = read_plan(plan_file(cat, plan_id), plan_id=plan_id)
                result[f"{name}/{plan_id}"] = plan_outputs(segments, tokenizer, themes)
            result[f"{name}/pipeline"] = pipeline_outputs(catalog)
        for path in corpus_dev_texts():
            segments = read_plan(path, plan_id=path.stem)
            result[f"corpus-dev/{path.stem}"] = plan_outputs(segments, tokenizer, themes)
    return result


def main() -> int:
    data = outputs()
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0).encode("utf-8")
    with gzip.GzipFile(EXPECTED, "wb", mtime=0) as handle:
        handle.write(blob)
    print(f"wrote {EXPECTED.relative_to(ROOT)}: {len(data)} plans/runs, {len(blob):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
