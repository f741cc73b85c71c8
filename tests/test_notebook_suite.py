"""Running the notebook suite on a corpus of one's own, and opening it in JupyterLab."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_passes_lab_args_through() -> None:
    args = "--port=8890 --no-browser --allow-root --IdentityProvider.token=abc"
    dry_run = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "lab", f"LAB_ARGS={args}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    launch = [line for line in dry_run.splitlines() if "jupyter lab" in line]
    assert launch == [f".venv/bin/jupyter lab notebooks/ {args}"]
