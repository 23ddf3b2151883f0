"""The contact sheet in docs/img/: every step's picture beside its words, kept current.

Regenerate with ``.venv/bin/python scripts/contact_sheet.py`` when a test here fails.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rsiguard.settings.catalog import builtin_catalog
from tests.contact_sheet import SCREEN, _layout, cells, manifest, render
from tests.desktop import in_child, require, xvfb

IMG = Path(__file__).resolve().parent.parent / "docs" / "img"
ROUTINES = builtin_catalog().routines


def test_the_sheet_shows_every_step() -> None:
    shown = {(ill, text) for ill, group in cells(ROUTINES) for _, _, text, _ in group}
    assert shown == {(s.illustration, s.instruction) for r in ROUTINES for s in r.steps}


def test_the_committed_sheet_is_the_catalogs() -> None:
    committed = (IMG / "routine-steps.txt").read_text("utf-8")
    assert committed == manifest(ROUTINES), "run scripts/contact_sheet.py"


def _size(png: Path) -> tuple[int, int]:
    done = subprocess.run(
        ["identify", "-format", "%w %h", str(png)], capture_output=True, text=True, check=True
    )
    w, h = done.stdout.split()
    return int(w), int(h)


def _render(display: str, out: Path) -> None:
    render(ROUTINES, display, out)


@pytest.mark.integration
def test_the_sheet_renders_at_the_committed_size(tmp_path: Path) -> None:
    require("Xvfb", "import")
    out = tmp_path / "sheet.png"
    with xvfb(SCREEN) as display:
        in_child(lambda: _render(display, out))
    _, height = _layout(ROUTINES)
    assert _size(out)[1] == height
    assert _size(IMG / "routine-steps.png") == _size(out), "run scripts/contact_sheet.py"
