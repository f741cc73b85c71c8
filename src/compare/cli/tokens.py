"""``compare tokens`` and ``compare terms``: look at the tokenizer's output.

``compare tokens FILE_OR_PLAN_ID`` prints the counted words of each segment
of a plan; ``compare tokens --text "…"`` tokenizes one string (``--json``: a
list of the words, as ``Tokenizer().words`` returns them).  ``compare terms
[PLAN…]`` prints the compound-noun candidates of plans scored by FLR, so a
researcher can add the good ones to a term file.
"""

from __future__ import annotations

import argparse

import pandas as pd

from compare.cli._options import add_catalog_option, add_json_option, select_plans
from compare.cli._output import print_json, print_table
from compare.cli.outline import load_segments
from compare.errors import CompareError
from compare.io.catalog import read_catalog


def register(subparsers: argparse._SubParsersAction) -> None:
    tokens = subparsers.add_parser(
        "tokens",
        help="print the tokens of a plan's segments or of a text",
        description="Print the counted words of each segment of a plan (a catalogue plan id "
        "or a text file), or the tokens of one text given with --text.",
    )
    tokens.add_argument("source", nargs="?", metavar="FILE_OR_PLAN_ID")
    tokens.add_argument("--text", help="tokenize this text instead of a plan")
    add_json_option(tokens)
    _add_tokenizer_options(tokens)
    add_catalog_option(tokens)
    tokens.set_defaults(func=run_tokens)

    terms = subparsers.add_parser(
        "terms",
        help="print compound-term candidates (FLR) of plans",
        description="Score the compound nouns of plans with TermExtract's FLR and print the "
        "best candidates; add good ones to a term file (--terms).",
    )
    terms.add_argument("plans", nargs="*", metavar="PLAN", help="plan ids (default: all)")
    terms.add_argument("--top", type=int, default=30, help="rows to print (default 30)")
    terms.add_argument("--min-parts", type=int, default=2, help="fewest components (default 2)")
    add_json_option(terms, help="print JSON records")
    _add_tokenizer_options(terms)
    add_catalog_option(terms)
    terms.set_defaults(func=run_terms)


def _add_tokenizer_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--terms", metavar="FILE", help="extra compound terms, one per line (UTF-8)"
    )
    parser.add_argument(
        "--no-compounds", action="store_true", help="keep MeCab's units (no merging)"
    )


def _tokenizer(args: argparse.Namespace):
    from compare.text.tokenizer import Tokenizer

    return Tokenizer(compounds=not args.no_compounds, user_terms=args.terms)


def run_tokens(args: argparse.Namespace) -> int:
    from compare.text.tokenizer import tokenize

    tokenizer = _tokenizer(args)
    if args.text is not None:
        if args.source is not None:
            raise CompareError("give either FILE_OR_PLAN_ID or --text, not both")
        if args.json:
            print_json(tokenizer.words(args.text))
            return 0
        rows = [t._asdict() for t in tokenizer.tokens(args.text)]
        columns = ["sent_id", "surface", "word", "pos", "is_content", "is_compound"]
        print_table(pd.DataFrame(rows, columns=list(columns)))
        return 0
    if args.source is None:
        raise CompareError("give a plan id or a text file, or --text; see compare tokens -h")
    segments = load_segments(args.source, args.catalog)
    table = tokenize(segments, tokenizer, progress=False)
    content = table[table["is_content"]]
    words = content.groupby(["plan_id", "seg_id"], sort=False)["word"].agg(list)
    if args.json:
        columns = ["surface", "lemma", "word", "pos", "is_content", "is_compound"]
        by_segment = {
            key: group[columns].to_dict(orient="records")
            for key, group in table.groupby(["plan_id", "seg_id"], sort=False, observed=True)
        }
        records = []
        for row in segments.itertuples(index=False):
            records.append(
                {
                    "plan_id": row.plan_id,
                    "seg_id": int(row.seg_id),
                    "kind": row.kind,
                    "words": words.get((row.plan_id, row.seg_id), []),
                    "tokens": by_segment.get((row.plan_id, row.seg_id), []),
                }
            )
        print_json(records)
        return 0
    for row in segments.itertuples(index=False):
        seg_words = words.get((row.plan_id, row.seg_id), [])
        print(f"{row.plan_id}\t{row.seg_id}\t{row.kind}\t{' '.join(seg_words)}")
    return 0


def run_terms(args: argparse.Namespace) -> int:
    from compare.structure.segment import read_corpus
    from compare.text.terms import load_terms, stat_term_candidates
    from compare.text.tokenizer import tokenize

    catalog = read_catalog(args.catalog)
    catalog = select_plans(catalog, args.plans)
    if args.top < 1:
        raise CompareError("--top must be a positive number")
    tokens = tokenize(read_corpus(catalog), _tokenizer(args), progress=False)
    known = load_terms() + (load_terms(args.terms) if args.terms else [])
    table = stat_term_candidates(tokens, min_parts=args.min_parts, terms=known, top=args.top)
    if args.json:
        print_json(table.to_dict(orient="records"))
    else:
        table = table.assign(score=table["score"].round(2), lr=table["lr"].round(2))
        print_table(table)
    return 0
