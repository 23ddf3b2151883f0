"""The break offer on the real notification servers Debian ships for X11 desktops.

Each server runs on its own Xvfb and private session bus. What is checked here is what
a person sees: the offer's window is mapped while the break is offered and running, and
once the break ends nothing of ours is left on screen (notification-daemon's ghost
bubbles, answered by the quirks table, are the case this catches).
"""

from __future__ import annotations

import glob
import os
import subprocess
from pathlib import Path

import pytest

from tests.desktop import IN_CI, has_owner, process, session_bus, wait_for, xvfb
from tests.integration import cli, daemon_env, running_daemon, status

pytestmark = pytest.mark.integration

BUS_NAME = "org.freedesktop.Notifications"

# (server, the binary's path pattern, its Debian package, extra arguments)
SERVERS = [
    ("notification-daemon", "/usr/lib/notification-daemon/notification-daemon",
     "notification-daemon", ["-r"]),
    ("xfce4-notifyd", "/usr/lib/*/xfce4/notifyd/xfce4-notifyd", "xfce4-notifyd", []),
    ("mate-notification-daemon", "/usr/lib/mate-notification-daemon/mate-notification-daemon",
     "mate-notification-daemon", []),
    ("lxqt-notificationd", "/usr/bin/lxqt-notificationd", "lxqt-notificationd", []),
]  # fmt: skip
CONFIG = """
[breaks.micro]
interval = "10m"
duration = "20s"
[routines]
window = false
"""


def _binary(pattern: str, package: str) -> str:
    found = sorted(glob.glob(pattern))
    if not found:
        message = f"{pattern} is missing: apt-get install -y {package}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found[0]


def _visible(display: str) -> list[str]:
    done = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--class", "."],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
    )
    return done.stdout.split()


@pytest.mark.parametrize(("server", "pattern", "package", "extra"), SERVERS)
def test_the_offer_shows_and_nothing_stays_when_the_break_ends(
    tmp_path: Path, server: str, pattern: str, package: str, extra: list[str]
) -> None:
    binary = _binary(pattern, package)
    with xvfb() as display, session_bus(tmp_path / "bus") as bus:
        env = daemon_env(tmp_path, display, bus)
        server_env = {**env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        log = tmp_path / "server.log"
        with process([binary, *extra], server_env, log=log):
            # A first start on a fresh machine can be slow (Qt and GTK caches): the
            # server must own its name before the daemon looks for it.
            try:
                wait_for(lambda: has_owner(bus, BUS_NAME), timeout=60, what=f"{server} on the bus")
            except AssertionError:
                raise AssertionError(f"{server} did not start:\n{log.read_text()}") from None
            # Nothing on screen before the first offer (a server may map a window briefly
            # while it starts).
            wait_for(lambda: not _visible(display), what=f"{server}'s screen to be empty")
            with running_daemon(env, CONFIG):
                wait_for(
                    lambda: status(env)["backends"]["notifications"].startswith("dbus:"),
                    what=f"rsiguard using {server}",
                )
                assert cli(env, "break").returncode == 0
                wait_for(lambda: _visible(display), what=f"the bubble on {server}")
                assert cli(env, "skip").returncode == 0
                # Nothing of ours stays: a ghost here would block every later offer.
                wait_for(lambda: not _visible(display), timeout=20, what="the bubble to go")
                assert cli(env, "break").returncode == 0
                wait_for(lambda: _visible(display), what="the next bubble")
