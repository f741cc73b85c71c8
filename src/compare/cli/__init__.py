"""The ``compare`` command: a thin layer over the library.

Each module in this package defines one or more sub-commands through
``register(subparsers)``; modules are discovered automatically, so a stage
adds its command without touching this file.  A sub-command's handler is
stored as ``func`` on its parser and returns the exit code.

User mistakes (:class:`~compare.errors.CompareError`) print one line,
``error: <message>``, to standard error and exit with status 2; warnings
print as ``warning: <message>``.  Other exceptions are bugs and keep their
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import warnings
from collections.abc import Sequence

from compare._version import __version__
from compare.errors import CompareError

EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every discovered sub-command."""
    parser = argparse.ArgumentParser(
        prog="compare",
        description="Compare Japanese municipal welfare plans (地域福祉計画・地域福祉活動計画).",
    )
    parser.add_argument("--version", action="version", version=f"compare {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(subparsers)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USER_ERROR
    # Restored afterwards: main() also runs inside notebooks, which show warnings their way.
    shown, warnings.showwarning = warnings.showwarning, _show_warning
    try:
        return int(args.func(args) or 0)
    except CompareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        warnings.showwarning = shown


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
