"""The report in a real browser: headless Chromium renders index.html without errors."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from compare.report.model import Briefing, Quote, Section
from compare.report.render import render_html
from tests.test_report import bundled_report

CHROMIUM = next(
    (
        shutil.which(name)
        for name in ("chromium", "chromium-browser", "google-chrome")
        if shutil.which(name)
    ),
    None,
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian: apt-get install chromium); CI installs it",
)

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]


def chromium(page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on a local page with a fresh profile."""
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *action, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def console_errors(stderr: str) -> list[str]:
    """Messages the page itself logged or raised (not the browser's own start-up noise)."""
    return [
        line
        for line in stderr.splitlines()
        if "CONSOLE" in line or "Uncaught" in line or "Refused to" in line
    ]


def test_report_renders_a_non_blank_page_without_console_errors(tmp_path: Path):
    page = bundled_report() / "index.html"
    shot = tmp_path / "page.png"
    result = chromium(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000")
    assert shot.is_file(), result.stderr[-2000:]
    assert console_errors(result.stderr) == []
    image = Image.open(shot).convert("L")
    assert image.size == (1280, 2000)
    histogram = image.histogram()
    # Not blank: a real page has text and figures, so many pixels differ from the background.
    background = max(range(256), key=histogram.__getitem__)
    assert sum(histogram) - histogram[background] > 0.05 * sum(histogram)
    dark = sum(histogram[:128])
    assert dark > 0.005 * sum(histogram)  # text is drawn


def test_script_in_a_plan_shows_as_text_and_never_runs(tmp_path: Path):
    hostile = '<script>document.title="pwned"</script><img src=x onerror="document.title=1">'
    briefing = Briefing(
        title="安全性の確認",
        subtitle=hostile,
        sections=[
            Section(
                key="q",
                title="引用",
                paragraphs=[hostile],
                quotes=[
                    Quote(
                        label="防災",
                        plan="〇〇市",
                        heading_path=hostile,
                        lines="1 行目",
                        text=hostile,
                    )
                ],
            )
        ],
        provenance={"date": "2025-01-01"},
    )
    page = tmp_path / "index.html"
    page.write_text(render_html(briefing), encoding="utf-8")
    result = chromium(page, tmp_path / "profile", "--dump-dom")
    dom = result.stdout
    assert re.search(r"<title>安全性の確認</title>", dom), dom[:500]
    assert "pwned" in dom  # present, but as text
    assert "&lt;script&gt;document.title" in dom
    assert "<script" not in dom.lower()
    assert console_errors(result.stderr) == []
