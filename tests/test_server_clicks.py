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

On dunst, whose bubbles show no buttons, the three are in rsiguard's offer window, and
nowhere else; on the others, in the bubble and no offer window opens. A second test
clicks Next through a rest routine's steps and checks that Next and Stop stay put.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import pytest

from tests.desktop import wait_for
from tests.integration import cli, status, xdotool
from tests.screen import Box, buttons, geometry
from tests.servers import (
    SERVERS,
    Server,
    offer,
    offer_windows,
    server_desktop,
    visible,
    wait_until_used,
)

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
    with server_desktop(tmp_path, server) as (display, env):
        # Start routine, then Stop on the step bubble.
        offer(env, display)
        start, _snooze, _skip = _wait_buttons(display, 3, "the offer's three buttons")
        _check_offer_window(display, server, start)
        _click(display, start)
        wait_for(lambda: status(env)["state"] == "in_break", what="the routine to start")
        if server.offer_window:
            # The offer window goes; the step bubble has no buttons (nor the window:
            # routines.window is off here), so the routine is stopped by command.
            wait_for(lambda: not offer_windows(display), what="the offer window to go")
            assert cli(env, "stop").returncode == 0
        else:
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
        wait_for(lambda: status(env)["today"]["breaks_skipped"] > skipped, what="Skip to arrive")

        # Snooze.
        offer(env, display)
        _start, snooze, _skip = _wait_buttons(display, 3, "the third offer's buttons")
        _click(display, snooze)
        wait_for(lambda: status(env)["state"] == "snoozed", what="Snooze to arrive")
        wait_for(lambda: not visible(display), timeout=20, what="the bubble to go")


def _at_step(env: dict[str, str], n: int) -> bool:
    return bool(status(env)["break"]["step"] == n)


def _check_offer_window(display: str, server: Server, start: Box) -> None:
    """The buttons are in the offer window exactly where the server shows none."""
    windows = offer_windows(display)
    if server.offer_window:
        assert len(windows) == 1, "no offer window where the bubble shows no buttons"
        box = geometry(display, windows[0])
        assert box.x <= start.centre[0] <= box.x + box.width, "Start is not in the window"
    else:
        assert not windows, "an offer window beside a bubble that shows the buttons"


@pytest.mark.parametrize("server", [s for s in SERVERS if not s.offer_window], ids=lambda s: s.name)
def test_the_step_buttons_hold_still_from_step_to_step(tmp_path: Path, server: Server) -> None:
    """Next moves on a step, and Next and Stop are where they were: the bubble keeps its
    size (a rest break's steps are long enough to look at them)."""
    with server_desktop(tmp_path, server) as (display, env):
        wait_until_used(env, server)
        assert cli(env, "break", "rest").returncode == 0
        steps = status(env)["break"]["steps"]
        assert steps >= 3, "a rest routine with too few steps to compare"
        before = _wait_buttons(display, 2, "step 1's Next and Stop")
        for n in (2, 3):
            _click(display, before[0])
            wait_for(functools.partial(_at_step, env, n), what=f"step {n}")
            after = _wait_buttons(display, 2, f"step {n}'s Next and Stop", stale=3)
            for old, new in zip(before, after, strict=True):
                assert abs(old.centre[0] - new.centre[0]) <= 2, (n, before, after)
                assert abs(old.centre[1] - new.centre[1]) <= 2, (n, before, after)
        assert cli(env, "stop").returncode == 0
        wait_for(lambda: not visible(display), timeout=20, what="the step bubble to go")
