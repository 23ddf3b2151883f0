"""Regenerate the routine steps' contact sheet (docs/img/routine-steps.png and .txt).

Run from the repository root::

    .venv/bin/python scripts/contact_sheet.py

Needs xvfb and imagemagick (``./dev test`` installs them).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rsiguard.settings.catalog import builtin_catalog  # noqa: E402
from tests.contact_sheet import SCREEN, manifest, render  # noqa: E402
from tests.desktop import require, xvfb  # noqa: E402

PNG = ROOT / "docs" / "img" / "routine-steps.png"


def main() -> int:
    """Render the sheet and write its manifest beside it."""
    require("Xvfb", "import")
    routines = builtin_catalog().routines
    with xvfb(SCREEN) as display:
        render(routines, display, PNG)
    PNG.with_suffix(".txt").write_text(manifest(routines), encoding="utf-8")
    print(PNG)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
