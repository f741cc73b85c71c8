"""Shared fixtures: the bundled corpus and its catalogue."""

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
