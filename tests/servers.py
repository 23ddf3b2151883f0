"""The notification servers Debian 12 ships for X11 desktops, and how to run one for a test.

Shared by ``tests/test_servers.py``, ``tests/test_server_clicks.py`` and
``scripts/screenshot_servers.py``: each server
runs on its own Xvfb and private session bus, and must own its bus name before the
daemon looks for it.
"""

from __future__ import annotations

import glob
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.desktop import IN_CI, has_owner, process, session_bus, wait_for, xvfb
from tests.integration import Typist, daemon_env, running_daemon, status, xdotool

BUS_NAME = "org.freedesktop.Notifications"


@dataclass(frozen=True)
class Server:
    name: str
    pattern: str  # where the binary is (a glob: the multiarch folder varies)
    package: str  # its Debian package
    args: tuple[str, ...] = ()
    #: Its bubbles show no buttons, so the offer comes in rsiguard's own offer window.
    offer_window: bool = False


SERVERS = [
    Server("notification-daemon", "/usr/lib/notification-daemon/notification-daemon",
           "notification-daemon", ("-r",)),
    Server("xfce4-notifyd", "/usr/lib/*/xfce4/notifyd/xfce4-notifyd", "xfce4-notifyd"),
    Server("mate-notification-daemon",
           "/usr/lib/mate-notification-daemon/mate-notification-daemon",
           "mate-notification-daemon"),
    Server("lxqt-notificationd", "/usr/bin/lxqt-notificationd", "lxqt-notificationd"),
    # With Debian's own dunstrc (/etc/xdg/dunst/dunstrc: XDG_CONFIG_HOME holds none).
    Server("dunst", "/usr/bin/dunst", "dunst", offer_window=True),
]  # fmt: skip
#: The title of rsiguard's offer window (rsiguard.faces.offer_window.TITLE).
OFFER_TITLE = "rsiguard: break offer"


def binary(server: Server) -> str:
    """The server's binary; a clear failure in CI (a skip elsewhere) when it is missing."""
    found = sorted(glob.glob(server.pattern))
    if not found:
        message = f"{server.pattern} is missing: apt-get install -y {server.package}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found[0]


def visible(display: str) -> list[str]:
    """The ids of every mapped window on ``display``: bubbles, and rsiguard's windows."""
    done = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--class", "."],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
    )
    return done.stdout.split()


@contextmanager
def running_server(server: Server, env: dict[str, str], display: str, log: Path) -> Iterator[None]:
    """Run ``server`` on ``display`` and the bus in ``env``, until it owns its name."""
    server_env = {**env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    bus = env["DBUS_SESSION_BUS_ADDRESS"]
    with process([binary(server), *server.args], server_env, log=log):
        # A first start on a fresh machine can be slow (Qt and GTK caches).
        try:
            wait_for(lambda: has_owner(bus, BUS_NAME), timeout=60, what=f"{server.name} on the bus")
        except AssertionError:
            raise AssertionError(f"{server.name} did not start:\n{log.read_text()}") from None
        # A server may map a window briefly while it starts.
        wait_for(lambda: not visible(display), what=f"{server.name}'s screen to be empty")
        yield


#: A micro-break due after 10 s of typing (5 s long, so a routine ends soon), offered for
#: as long as a test needs: the idle threshold is longer than a test takes to look and
#: click. No break window. (A rest break keeps its default length, minutes.)
OFFER_CONFIG = """
[breaks.micro]
interval = "10s"
min_interval = "10s"
duration = "5s"
[breaks]
snooze = "5m"
[activity]
idle_threshold = "2m"
[routines]
window = false
"""


def offer(env: dict[str, str], display: str) -> list[str]:
    """Type until the break is due and its offer is on screen; the offer's window ids."""
    # Keys go to the window under the pointer (no window manager): keep it off the
    # corners where servers put their bubbles.
    xdotool(display, "mousemove", "640", "700")
    with Typist(display):
        wait_for(lambda: status(env).get("state") == "due", timeout=60, what="a due break")
    wait_for(lambda: visible(display), what="the offer on screen")
    return visible(display)


def window_name(display: str, window: str) -> str:
    """A window's title ("" once it is gone)."""
    done = subprocess.run(
        ["xdotool", "getwindowname", window],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def offer_windows(display: str) -> list[str]:
    """The mapped windows that are rsiguard's offer window."""
    return [w for w in visible(display) if window_name(display, w) == OFFER_TITLE]


def wait_until_used(env: dict[str, str], server: Server) -> None:
    """Wait until the daemon shows its bubbles through ``server`` (not the log)."""
    wait_for(
        lambda: status(env)["backends"]["notifications"].startswith("dbus:"),
        what=f"rsiguard using {server.name}",
    )


@contextmanager
def server_desktop(
    tmp: Path, server: Server, config: str | None = None
) -> Iterator[tuple[str, dict[str, str]]]:
    """An Xvfb, a private bus, ``server`` on them and the daemon with ``config``
    (OFFER_CONFIG by default); yields the display and the daemon's environment."""
    with xvfb() as display, session_bus(tmp / "bus") as bus:
        env = daemon_env(tmp, display, bus)
        with (
            running_server(server, env, display, tmp / "server.log"),
            running_daemon(env, OFFER_CONFIG if config is None else config),
        ):
            yield display, env
