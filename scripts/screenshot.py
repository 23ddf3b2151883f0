"""Take the README's screenshot: a break offer shown by dunst on a private Xvfb desktop.

Run from the repository root: ``.venv/bin/python scripts/screenshot.py [OUTDIR]``; writes
``notification.png`` (a break offer) and ``routine-notification.png`` (a routine step).
Needs xvfb, xdotool, dbus, dunst and imagemagick (``./dev test`` installs them).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.desktop import dunst, dunstctl, session_bus, wait_for, xvfb  # noqa: E402
from tests.integration import FAST_CONFIG, Typist, daemon_env, running_daemon, status  # noqa: E402

DUNSTRC = """
[global]
    font = DejaVu Sans 11
    width = 420
    height = 400
    origin = top-right
    offset = 20x20
    frame_width = 2
    frame_color = "#5b8dd9"
    corner_radius = 6
    padding = 12
    horizontal_padding = 14
    format = "<b>%s</b>\\n%b"
    show_indicators = yes
[urgency_normal]
    background = "#1f2430"
    foreground = "#e6e6e6"
    timeout = 0
"""


def _shot(display: str, out: Path, height: int) -> None:
    crop = f"480x{height}+780+10"
    subprocess.run(
        ["import", "-display", display, "-window", "root", "-crop", crop, "+repage", str(out)],
        check=True,
    )
    print(out)


def main() -> int:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img"
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        with xvfb() as display, session_bus(tmp / "bus") as bus:
            env = daemon_env(tmp, display, bus)
            with dunst(env, display, tmp / "dunst", DUNSTRC) as dunst_env:
                # Real break lengths, a short interval so the offer comes quickly; no
                # break window, so the routine's notification is in plain view.
                config = (
                    FAST_CONFIG.replace('"3s"', '"30s"')
                    .replace('interval = "10s"', 'interval = "31s"')
                    .replace('"4s"', '"5m"')
                ) + "[routines]\nwindow = false\n"
                with running_daemon(env, config):
                    with Typist(display):
                        wait_for(lambda: status(env)["state"] == "due", timeout=60, what="due")
                    _shot(display, outdir / "notification.png", 110)
                    dunstctl(dunst_env, "action", "0")  # click: start the routine
                    wait_for(lambda: status(env)["state"] == "in_break", what="the routine")
                    time.sleep(1)  # let dunst redraw the replaced bubble (a picture, not a test)
                    _shot(display, outdir / "routine-notification.png", 440)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
