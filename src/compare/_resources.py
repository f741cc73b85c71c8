"""Where the bundled data files live: the repository's ``data`` folder."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def source_root() -> Path:
    """The folder that holds ``src/`` in a source checkout (the repository root)."""
    return Path(__file__).resolve().parents[2]


def data_file(name: str) -> Path | None:
    """Path of ``data/<name>`` shipped with the package, or None when it is missing.

    A source checkout keeps ``data/`` at the repository root, two folders above
    the package; an installed copy may carry it inside the package.
    """
    for root in (source_root(), Path(str(resources.files("compare")))):
        candidate = root / "data" / name
        if candidate.exists():
            return candidate
    return None
