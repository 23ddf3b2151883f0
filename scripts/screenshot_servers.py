"""Take the README's per-server screenshots: a break offer on each real notification server.

Run from the repository root: ``.venv/bin/python scripts/screenshot_servers.py [OUTDIR]``
(default ``docs/img/servers``). For each server of ``tests/servers.py`` (and dunst), it
starts a private Xvfb, session bus and the server, runs the daemon, asks for a break
and saves what the screen shows around the offer as ``<server>.png``. Needs what
``./dev test`` installs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.desktop import session_bus, wait_for, xvfb  # noqa: E402
from tests.integration import daemon_env, running_daemon, status  # noqa: E402
from tests.servers import OFFER_CONFIG, SERVERS, Server, offer, running_server, visible  # noqa: E402

# A micro-break due after 10 s of typing, which stays offered while nobody types (the
# idle threshold is longer than the picture takes); no break window.
CONFIG = OFFER_CONFIG


def geometry(display: str, window: str) -> tuple[int, int, int, int]:
    """``(x, y, width, height)`` of a mapped window, from xdotool."""
    out = subprocess.run(
        ["xdotool", "getwindowgeometry", "--shell", window],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = dict(line.split("=", 1) for line in out.split())
    return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])


def shoot(display: str, out: Path, margin: int = 12) -> None:
    """Save the smallest screen area that holds every mapped window, plus a margin."""
    boxes = [geometry(display, w) for w in visible(display)]
    left = max(0, min(x for x, _, _, _ in boxes) - margin)
    top = max(0, min(y for _, y, _, _ in boxes) - margin)
    right = max(x + w for x, _, w, _ in boxes) + margin
    bottom = max(y + h for _, y, _, h in boxes) + margin
    crop = f"{right - left}x{bottom - top}+{left}+{top}"
    subprocess.run(
        ["import", "-display", display, "-window", "root", "-crop", crop, "+repage", str(out)],
        check=True,
    )
    print(out, crop)


def one(server: Server, outdir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        with xvfb() as display, session_bus(tmp / "bus") as bus:
            env = daemon_env(tmp, display, bus)
            with (
                running_server(server, env, display, tmp / "server.log"),
                running_daemon(env, CONFIG),
            ):
                wait_for(
                    lambda: status(env)["backends"]["notifications"].startswith("dbus:"),
                    what=f"rsiguard using {server.name}",
                )
                offer(env, display)
                time.sleep(1.5)  # let the server finish drawing (fade-in)
                shoot(display, outdir / f"{server.name}.png")


def main() -> int:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img" / "servers"
    outdir.mkdir(parents=True, exist_ok=True)
    for server in SERVERS:
        one(server, outdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
