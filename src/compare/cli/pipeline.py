"""``compare run``: the whole pipeline over a (large) corpus, with small result files."""

from __future__ import annotations

import argparse
import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from compare.cli._options import add_catalog_option, add_themes_option
from compare.cli._output import print_table
from compare.errors import CompareError

#: ``dask://HOST:PORT`` (Dask's own ``tcp://``/``tls://`` also accepted).
_SCHEDULER = re.compile(r"^(?:(dask|tcp|tls)://)?(\[[0-9A-Fa-f:.]+\]|[^\s/:\[\]]+):(\d{1,5})$")


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
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--cache-dir", type=Path, metavar="DIR", help="cache folder")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--scheduler",
        metavar="dask://HOST:PORT",
        help=(
            "run each plan as a task on the Dask cluster whose scheduler listens at HOST:PORT "
            "(needs the cluster extra: pip install 'compare[cluster]'); its workers must reach "
            "the plan files and the cache folder by the same paths (--jobs is then ignored)"
        ),
    )
    parser.add_argument(
        "--scheduler-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="give up connecting to the scheduler after SECONDS (default 10)",
    )
    parser.set_defaults(func=run)


def scheduler_address(text: str) -> str:
    """The Dask address (``tcp://HOST:PORT``) of a ``dask://HOST:PORT`` option value."""
    match = _SCHEDULER.match(text.strip())
    if not match or not 0 < int(match.group(3)) < 65536:
        raise CompareError(
            f"--scheduler {text!r} is not a scheduler address; write dask://HOST:PORT, "
            "e.g. dask://10.0.0.5:8786 (the address `dask scheduler` prints)"
        )
    scheme, host, port = match.groups()
    return f"{'tcp' if scheme in (None, 'dask') else scheme}://{host}:{port}"


@contextlib.contextmanager
def _client(scheduler: str | None, timeout: float) -> Iterator[Any]:
    """A ``distributed.Client`` connected to ``scheduler`` (None: no client), closed afterwards."""
    if scheduler is None:
        yield None
        return
    address = scheduler_address(scheduler)
    if not timeout > 0:
        raise CompareError(
            f"--scheduler-timeout must be a positive number of seconds, not {timeout}"
        )
    try:
        from distributed import Client
    except ImportError:
        raise CompareError(
            "--scheduler needs the Dask distributed package: pip install 'compare[cluster]' "
            "(or pip install distributed)"
        ) from None
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise CompareError(
            f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s ({exc}); "
            "check that `dask scheduler` runs there and the port is open, or raise "
            "--scheduler-timeout"
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise CompareError(
                f"the Dask scheduler at {scheduler} has no workers after {timeout:g} s; start "
                f"some with `dask worker {address}`"
            ) from None
        yield client
    finally:
        client.close()


def run(args: argparse.Namespace) -> int:
    from compare.pipeline import run_pipeline

    with _client(args.scheduler, args.scheduler_timeout) as client:
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
