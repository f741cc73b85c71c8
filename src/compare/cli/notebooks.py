"""``compare notebooks``: run the whole notebook suite on a corpus.

Each notebook of ``notebooks/`` is executed top to bottom with its parameters
(catalogue, themes, plans, output folder) set from the options; the executed
``.ipynb`` files, their HTML copies and an ``index.html`` go to ``--out``.
A failing notebook stops the run with its name and the cell that failed.
"""

from __future__ import annotations

import argparse
import sys

from compare.cli._options import add_catalog_option, add_plans_option, add_themes_option

#: Default output folder, relative to the current folder.
DEFAULT_OUT = "out/notebooks"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "notebooks",
        help="run the notebook suite on a corpus (executed .ipynb + HTML + index page)",
        description=(
            "Execute every notebook of the suite on a catalogue and write the executed "
            ".ipynb files, HTML copies and an index.html to --out. Needs the notebook extra."
        ),
    )
    add_catalog_option(parser)
    parser.add_argument(
        "--out", metavar="DIR", default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    add_themes_option(parser)
    add_plans_option(parser, help="plan ids to focus on (default: all)")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="PREFIX",
        help="run only the notebooks whose names start so (e.g. 01 03)",
    )
    parser.add_argument(
        "--force", action="store_true", help="write into an existing folder not made by compare"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from compare.report.notebooks import run_notebooks

    runs = run_notebooks(
        args.catalog,
        args.out,
        themes=args.themes,
        plans=args.plans,
        select=args.only,
        force=args.force,
        progress=lambda done: print(f"{done.name + '.py':<48} {done.seconds:6.1f} s", flush=True),
    )
    total = sum(done.seconds for done in runs)
    print(f"{'total':<48} {total:6.1f} s  ({len(runs)} notebooks)")
    print(f"index: {runs[0].html.parent / 'index.html'}" if runs else "no notebooks ran")
    sys.stdout.flush()
    return 0
