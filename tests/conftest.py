"""Shared fixtures: the bundled corpus and its catalogue; comparing two written reports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
PLANS = DATA / "plans"
SEED_FILES = sorted(PLANS.glob("*.txt"))

# Matplotlib must never try to open a window in tests.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def catalog_path() -> Path:
    return DATA / "catalog.csv"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the token cache at a fresh folder so tests never share state."""
    path = tmp_path / "cache"
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(path))
    return path


def assert_same_report(first: Path, second: Path) -> None:
    """Two report folders hold the same files (index.html among them), byte for byte."""
    one, two = (
        {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
        for root in (first, second)
    )
    assert sorted(one) == sorted(two) and Path("index.html") in one
    for name in one:
        assert one[name] == two[name], name
