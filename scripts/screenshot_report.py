"""Take the README's report screenshot: a synthetic fortnight rendered by headless Chromium.

Run from the repository root: ``.venv/bin/python scripts/screenshot_report.py [OUT.png]``
(default ``docs/img/report.png``). Needs chromium (``./dev test`` installs it).
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rsiguard.faces.cli import main  # noqa: E402
from tests.browser import fortnight, screenshot  # noqa: E402


def run(out: Path) -> None:
    """Write the screenshot to ``out``."""
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        fortnight(state)
        page = Path(tmp) / "report.html"
        code = main(
            ["report", "--days", "14", "--out", str(page)],
            {"XDG_STATE_HOME": str(state)},
            io.StringIO(),
            sys.stderr,
        )
        if code:
            raise SystemExit(code)
        screenshot(page, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img" / "report.png")
