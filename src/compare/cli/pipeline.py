"""``compare run``: the whole pipeline over a (large) corpus, with small result files."""

from __future__ import annotations

import argparse
from pathlib import Path

from compare.cli._options import add_cache_options, add_catalog_option, add_themes_option
from compare.cli._output import print_table
from compare.cli._scheduler import add_scheduler_options, dask_client


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="read, segment, tokenize and theme-code a whole corpus; count words by plan",
        description=(
            "Run the streaming pipeline (compare.pipeline.run_pipeline) on every plan of a "
            "catalogue, in worker processes or on a Dask cluster (--scheduler), with a cache for "
            "instant re-runs.  Prints theme "
            "shares summed over the corpus; --out writes the per-plan tables, the theme "
            "shares and the document-term matrix."
        ),
    )
    add_catalog_option(parser)
    add_themes_option(parser)
    parser.add_argument(
        "--jobs", type=int, metavar="N", help="worker processes (default: every CPU, at most 8)"
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="write result files into DIR")
    add_cache_options(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_scheduler_options(parser, also="(--jobs is then ignored)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from compare.pipeline import run_pipeline

    with dask_client(args.scheduler, args.scheduler_timeout) as client:
        result = run_pipeline(
            args.catalog,
            args.themes,
            n_jobs=args.jobs,
            cache=not args.no_cache,
            cache_dir=args.cache_dir,
            progress=False if args.quiet else None,
            client=client,
        )
    plans = result.plans
    print(
        f"{len(plans):,} plans, {int(plans['chars'].sum()):,} characters, "
        f"{int(plans['n_segments'].sum()):,} segments, {int(plans['n_tokens'].sum()):,} "
        f"content words; {result.timings['wall']:.1f} s"
    )
    themes = result.themes
    summary = (
        themes.groupby(["theme_id", "label"], sort=False)[["segments", "n_segments"]]
        .sum()
        .reset_index()
    )
    summary["share"] = (summary["segments"] / summary["n_segments"]).round(4)
    summary["plans_with_theme"] = (
        themes.assign(hit=themes["segments"] > 0).groupby("theme_id", sort=False)["hit"].sum()
    ).to_numpy()
    print_table(summary.drop(columns="n_segments"))
    if args.out is not None:
        written = result.write(args.out)
        print(f"wrote {', '.join(p.name for p in written)} to {args.out}")
    return 0
