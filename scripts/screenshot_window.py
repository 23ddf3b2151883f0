"""Take the README's break-window screenshot on a private Xvfb desktop.

Starts Xvfb, the real daemon (with a test config) and ``python -m rsiguard window`` on
a rest break, then saves the window alone (no desktop around it).

Run from the repository root::

    .venv/bin/python scripts/screenshot_window.py [OUT.png] [--kind micro|rest] [--step N]

Needs xvfb, xdotool and imagemagick (``./dev test`` installs them).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.desktop import require, wait_for, xvfb  # noqa: E402
from tests.integration import (  # noqa: E402
    FAST_CONFIG,
    RSIGUARD,
    cli,
    daemon_env,
    running_daemon,
    status,
)

# Real break lengths so the countdown reads naturally; the daemon must not open its
# own window (this script starts one it can find).
CONFIG = (
    FAST_CONFIG.replace('duration = "3s"', 'duration = "40s"').replace(
        'interval = "10s"', 'interval = "10m"'
    )
    + "\n[routines]\nwindow = false\n"
)


def _window_id(display: str) -> str:
    """The X id of the break window, once it is mapped ('' until then)."""
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", "^rsiguard: step"],
        env={"DISPLAY": display, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    return found.stdout.split()[0] if found.stdout.split() else ""


def shoot(out: Path, kind: str = "rest", step: int = 1) -> Path:
    """Show a ``kind`` break at ``step`` in the window and save it as ``out``."""
    require("Xvfb", "xdotool", "import")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmpdir, xvfb() as display:
        env = daemon_env(Path(tmpdir), display, None)
        with running_daemon(env, CONFIG):
            done = cli(env, "break", kind)
            assert done.returncode == 0, done.stderr
            for _ in range(step - 1):
                cli(env, "next")
            want = f"step {step} of"
            with subprocess.Popen(
                [*RSIGUARD, "window"], env=env, stdout=subprocess.DEVNULL
            ) as window:
                try:
                    wid = str(wait_for(lambda: _window_id(display), what="the break window"))
                    wait_for(
                        lambda: (
                            want
                            in subprocess.run(
                                ["xdotool", "getwindowname", wid],
                                env={**env, "DISPLAY": display},
                                capture_output=True,
                                text=True,
                            ).stdout
                        ),
                        what=f"the window at {want!r}",
                    )
                    # Let a poll and a few countdown ticks land so the bars have moved.
                    st = status(env)["break"]
                    left = st["step_left_s"]
                    wait_for(
                        lambda: status(env)["break"]["step_left_s"] <= left - 1.5,
                        what="the countdown to move",
                    )
                    subprocess.run(
                        ["import", "-display", display, "-window", wid, str(out)], check=True
                    )
                finally:
                    window.terminate()
    return out


def main() -> int:
    """Parse the command line and take the screenshot."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", nargs="?", default=str(ROOT / "docs" / "img" / "window.png"))
    p.add_argument("--kind", choices=["micro", "rest"], default="rest")
    p.add_argument("--step", type=int, default=1)
    args = p.parse_args()
    print(shoot(Path(args.out), args.kind, args.step))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
