"""Take the README's screenshots: a break offer and a routine step, on a real server.

Run from the repository root: ``.venv/bin/python scripts/screenshot.py [OUTDIR]``; writes
``notification.png`` (a break offer) and ``routine-notification.png`` (the first step of
a first rest routine, with the safety notes that open it), as mate-notification-daemon
shows them on a private Xvfb desktop. Needs what ``./dev test`` installs.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from screenshot_servers import shoot  # noqa: E402

from tests.desktop import wait_for  # noqa: E402
from tests.integration import cli, status  # noqa: E402
from tests.servers import SERVERS, offer, server_desktop, visible  # noqa: E402

SERVER = next(s for s in SERVERS if s.name == "mate-notification-daemon")


def main() -> int:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img"
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        with server_desktop(tmp, SERVER) as (display, env):
            offer(env, display)
            time.sleep(1.5)  # let the server finish drawing (a picture, not a test)
            shoot(display, outdir / "notification.png")
            assert cli(env, "skip").returncode == 0
            wait_for(lambda: not visible(display), what="the offer to go")
            assert cli(env, "break", "rest").returncode == 0
            wait_for(lambda: status(env)["state"] == "in_break", what="the routine")
            time.sleep(1.5)
            shoot(display, outdir / "routine-notification.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
