"""Take the README's per-server screenshots: a break offer on each real notification server.

Run from the repository root: ``.venv/bin/python scripts/screenshot_servers.py [OUTDIR
[SERVER...]]`` (default ``docs/img/servers``, every server). For each server of
``tests/servers.py``, it starts a private Xvfb, session bus and the server, runs the
daemon, types until a break is due and saves each window on screen (the bubble, and
the offer window where the server shows no buttons) side by side as ``<server>.png``.
Needs what ``./dev test`` installs.
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

from tests.servers import (  # noqa: E402
    OFFER_CONFIG,
    SERVERS,
    Server,
    offer,
    server_desktop,
    visible,
    wait_until_used,
)

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
    """Save each mapped window (bubble, offer window) with a margin, side by side."""
    parts = []
    for i, window in enumerate(visible(display)):
        x, y, w, h = geometry(display, window)
        left, top = max(0, x - margin), max(0, y - margin)
        crop = f"{w + 2 * margin}x{h + 2 * margin}+{left}+{top}"
        part = out.with_name(f".{out.stem}-{i}.png")
        subprocess.run(
            ["import", "-display", display, "-window", "root", "-crop", crop, "+repage", str(part)],
            check=True,
        )
        parts.append(part)
    subprocess.run(
        ["convert", *map(str, parts), "-background", "black", "-gravity", "north", "+append",
         str(out)],
        check=True,
    )  # fmt: skip
    for part in parts:
        part.unlink()
    print(out)


def one(server: Server, outdir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        with server_desktop(tmp, server, CONFIG) as (display, env):
            wait_until_used(env, server)
            offer(env, display)
            time.sleep(1.5)  # let the server finish drawing (fade-in)
            shoot(display, outdir / f"{server.name}.png")


def main() -> int:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img" / "servers"
    outdir.mkdir(parents=True, exist_ok=True)
    wanted = set(sys.argv[2:])
    for server in SERVERS:
        if not wanted or server.name in wanted:
            one(server, outdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
