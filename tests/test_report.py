"""`rsiguard report`: one self-contained page whose charts render in a real browser."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest

from rsiguard.faces.cli import main
from tests.browser import fortnight, screenshot
from tests.desktop import require


@pytest.fixture
def report(tmp_path: Path) -> Path:
    fortnight(tmp_path / "state")
    out = tmp_path / "report.html"
    stdout, stderr = io.StringIO(), io.StringIO()
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    assert main(["report", "--days", "14", "--out", str(out)], env, stdout, stderr) == 0
    assert stderr.getvalue() == "" and f"wrote {out}" in stdout.getvalue()
    return out


def test_the_page_needs_nothing_from_anywhere_else(report: Path) -> None:
    text = report.read_text()
    assert "<script" not in text.lower()
    assert not re.search(r"""\b(src|href)\s*=|url\(|@import""", text)
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) == {"http://www.w3.org/2000/svg"}
    assert "default-src 'none'" in text  # and the browser is told so
    for chart in ("active", "load", "breaks", "checkins"):
        assert f'<svg id="{chart}"' in text


def test_the_charts_render_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    require("chromium", "convert")
    shot = tmp_path / "report.png"
    screenshot(report, shot)
    histogram = subprocess.run(
        ["convert", str(shot), "-format", "%c", "histogram:info:-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def pixels(color: str) -> int:
        return sum(
            int(line.split(":")[0])
            for line in histogram.splitlines()
            if color.lower() in line.lower()
        )

    # Keyboard and mouse bars, the heat map's cells and the break bar are all drawn.
    assert pixels("#3F6F8F") > 2000, "no keyboard bars"
    assert pixels("#C08A3E") > 1000, "no mouse bars or snoozed segment"
    assert pixels("#3F8F8A") > 1000, "no taken-breaks segment"
