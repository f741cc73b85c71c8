"""The options several sub-commands share: ``--catalog``, ``--themes``, ``--plans``, ``--json``,
``--cache-dir``/``--no-cache``, and the plans that ``--plans`` selects.

Each is declared once here, with the help most commands use; a command whose
option means something more specific passes its own ``help``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from compare.errors import CompareError


def add_catalog_option(parser: Any) -> None:
    """Add the common ``--catalog`` option (bundled corpus by default)."""
    parser.add_argument(
        "--catalog",
        metavar="CSV",
        help="catalogue of plans (default: the bundled five-plan corpus)",
    )


def add_themes_option(
    parser: Any, help: str = "theme catalogue (default: the bundled themes, data/themes.yaml)"
) -> None:
    """Add the common ``--themes`` option (the bundled themes by default)."""
    parser.add_argument("--themes", metavar="YAML", help=help)


def add_plans_option(parser: Any, help: str = "only these plan ids (default: every plan)") -> None:
    """Add the common ``--plans ID …`` option (every plan of the catalogue by default)."""
    parser.add_argument("--plans", nargs="+", metavar="ID", help=help)


def add_json_option(parser: Any, help: str = "print JSON") -> None:
    """Add the common ``--json`` switch (a table for people by default)."""
    parser.add_argument("--json", action="store_true", help=help)


def add_cache_options(parser: Any) -> None:
    """Add ``--cache-dir DIR`` and ``--no-cache``: where the pipeline keeps each plan's results."""
    parser.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help="cache folder of the per-plan results (default: COMPARE_CACHE_DIR, else the user "
        "cache folder); a second run reuses every plan not changed since",
    )
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")


def select_plans(catalog: pd.DataFrame, plan_ids: list[str] | None) -> pd.DataFrame:
    """The catalogue rows of ``plan_ids`` (all rows when none are given).

    An unknown id is a user mistake: the error lists the ids the catalogue has.
    """
    if not plan_ids:
        return catalog
    unknown = [p for p in plan_ids if p not in set(catalog["plan_id"])]
    if unknown:
        raise CompareError(
            f"unknown plan id(s) {', '.join(unknown)}; plan ids: {', '.join(catalog['plan_id'])}"
        )
    return catalog[catalog["plan_id"].isin(plan_ids)].reset_index(drop=True)
