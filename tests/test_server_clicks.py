"""A person clicks the offer's buttons on each real notification server.

Each server runs on its own Xvfb and private session bus with the real daemon. The
buttons are found the way a person finds them, by looking: ``tests/screen.py`` takes a
picture of the server's window and finds the labels in its lowest row. Then the pointer
clicks there (xdotool), and the daemon's state shows that the click arrived:

- Start routine: the routine runs, and the bubble now carries the routine's two
  buttons, Next and Stop (LXQt used to keep the offer's three: a stale action list);
  Stop, clicked the same way, ends it.
- Skip: the break is skipped.
- Snooze: the break is snoozed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.desktop import session_bus, wait_for, xvfb
from tests.integration import daemon_env, running_daemon, status, xdotool
from tests.screen import Box, buttons
from tests.servers import OFFER_CONFIG, SERVERS, Server, offer, running_server, visible

pytestmark = pytest.mark.integration


def _click(display: str, box: Box) -> None:
    x, y = box.centre
    xdotool(display, "mousemove", str(x), str(y), "click", "1")
    # Park the pointer where no bubble is, so later typing goes nowhere of ours.
    xdotool(display, "mousemove", "640", "700")


def _rows(display: str) -> dict[str, list[Box]]:
    """Each mapped window's button labels."""
    found = {}
    for window in visible(display):
        try:
            found[window] = buttons(display, window)
        except (subprocess.CalledProcessError, AssertionError):  # it went away as we looked
            continue
    return found


def _one_with(display: str, count: int) -> list[Box] | None:
    """The buttons of the one window with ``count`` of them, once the screen is settled."""
    rows = _rows(display)
    matching = [row for row in rows.values() if len(row) == count]
    return matching[0] if len(matching) == 1 else None


def _wait_buttons(display: str, count: int, what: str, *, stale: int | None = None) -> list[Box]:
    """Wait for one window with ``count`` buttons (and, if given, none with ``stale``)."""

    def settled() -> list[Box] | None:
        if stale is not None and _one_with(display, stale):
            return None
        return _one_with(display, count)

    found = wait_for(settled, what=what)
    assert isinstance(found, list)
    return found


@pytest.mark.parametrize("server", SERVERS, ids=lambda s: s.name)
def test_each_button_is_reachable_with_the_pointer(tmp_path: Path, server: Server) -> None:
    with xvfb() as display, session_bus(tmp_path / "bus") as bus:
        env = daemon_env(tmp_path, display, bus)
        with (
            running_server(server, env, display, tmp_path / "server.log"),
            running_daemon(env, OFFER_CONFIG),
        ):
            # Start routine, then Stop on the step bubble.
            offer(env, display)
            start, _snooze, _skip = _wait_buttons(display, 3, "the offer's three buttons")
            _click(display, start)
            wait_for(lambda: status(env)["state"] == "in_break", what="the routine to start")
            step = _wait_buttons(
                display, 2, "the step bubble with Next and Stop, and no stale offer", stale=3
            )
            _click(display, step[1])
            wait_for(lambda: status(env)["state"] != "in_break", what="Stop to end the routine")

            # Skip.
            skipped = status(env)["today"]["breaks_skipped"]
            offer(env, display)
            _start, _snooze, skip = _wait_buttons(display, 3, "the next offer's buttons")
            _click(display, skip)
            wait_for(
                lambda: status(env)["today"]["breaks_skipped"] > skipped, what="Skip to arrive"
            )

            # Snooze.
            offer(env, display)
            _start, snooze, _skip = _wait_buttons(display, 3, "the third offer's buttons")
            _click(display, snooze)
            wait_for(lambda: status(env)["state"] == "snoozed", what="Snooze to arrive")
            wait_for(lambda: not visible(display), timeout=20, what="the bubble to go")
