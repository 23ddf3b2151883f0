"""rsiguard's own offer window, where no bubble can carry the buttons, on a real desktop.

A real Xvfb with a real window manager (openbox) and a focused editor window (a small
Tk text box) that a person is typing into; a private session bus with no notification
server at all, so ``notifications.offer = "auto"`` has to use the window. Checked:

- the window appears beside the (logged) plain offer and takes no keyboard focus:
  the typing goes on into the editor and presses nothing;
- its buttons, found from a picture of it and clicked with the pointer, reach the
  daemon (Snooze), and it goes once the offer is handled;
- closing it with its ✕ is a dismissal the user is told about: the log and ``status``
  say when the offer comes back.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.desktop import process, require, session_bus, wait_for, xvfb
from tests.integration import Typist, cli, daemon_env, running_daemon, status, xdotool
from tests.screen import buttons, geometry
from tests.servers import OFFER_CONFIG, offer_windows

pytestmark = pytest.mark.integration

EDITOR = """
import tkinter as tk
root = tk.Tk()
root.title("editor")
root.geometry("500x300+40+40")
text = tk.Text(root)
text.pack(fill="both", expand=True)
text.focus_set()
root.mainloop()
"""


def _x(display: str, *args: str) -> str:
    done = subprocess.run(
        args, env={**os.environ, "DISPLAY": display}, capture_output=True, text=True
    )
    return done.stdout.strip()


@contextmanager
def _desktop(tmp: Path) -> Iterator[tuple[str, dict[str, str], str]]:
    """Xvfb, openbox, a focused editor and a bus without a notification server."""
    require("openbox", "wmctrl", "xdotool")  # wmctrl: is openbox managing windows yet?
    with xvfb() as display, session_bus(tmp / "bus") as bus:
        env = daemon_env(tmp, display, bus)
        xenv = {**env, "DISPLAY": display}
        with (
            process(["openbox", "--sm-disable"], xenv, log=tmp / "openbox.log"),
            process([sys.executable, "-c", EDITOR], xenv, log=tmp / "editor.log"),
        ):
            wait_for(lambda: "Openbox" in _x(display, "wmctrl", "-m"), timeout=40, what="openbox")
            editor = wait_for(
                lambda: _x(display, "xdotool", "search", "--onlyvisible", "--name", "^editor$"),
                timeout=40,  # a Tk start on a loaded two-core machine
                what="the editor",
            )
            assert isinstance(editor, str)
            xdotool(display, "windowactivate", "--sync", editor.split()[0])
            yield display, env, _focused(display)


def _focused(display: str) -> str:
    """The toplevel that has the keyboard focus, by its title."""
    return _x(display, "xdotool", "getwindowfocus", "getwindowname")


def _due_with_window(env: dict[str, str], display: str) -> str:
    """Type into the editor until the break is due; the offer window's id."""
    with Typist(display):
        wait_for(lambda: status(env).get("state") == "due", timeout=60, what="a due break")
        found = wait_for(lambda: offer_windows(display), what="the offer window")
        assert isinstance(found, list)
    return str(found[0])


def test_the_window_offers_the_break_without_taking_the_keyboard(tmp_path: Path) -> None:
    with _desktop(tmp_path) as (display, env, editor), running_daemon(env, OFFER_CONFIG):
        assert editor == "editor"
        assert status(env)["backends"]["notifications"] == "log"
        window = _due_with_window(env, display)
        # Typing goes on into the editor while the window is up, and presses nothing.
        with Typist(display, "  \n\n  "):
            wait_for(lambda: offer_windows(display), what="the window to stay")
            assert _focused(display) == "editor"
        assert status(env)["state"] == "due"
        assert _focused(display) == "editor"
        row = wait_for(
            lambda: len(found := buttons(display, window)) == 3 and found,
            what="Start routine, Snooze and Skip in the window",
        )
        assert isinstance(row, list)
        _start, snooze, _skip = row
        x, y = snooze.centre
        xdotool(display, "mousemove", str(x), str(y), "click", "1")
        wait_for(lambda: status(env)["state"] == "snoozed", what="Snooze to arrive")
        wait_for(lambda: not offer_windows(display), what="the window to go")
        assert _focused(display) == "editor"


def test_closing_the_window_says_when_the_offer_comes_back(tmp_path: Path) -> None:
    log = tmp_path / "daemon.log"
    with (
        _desktop(tmp_path) as (display, env, _editor),
        running_daemon(env, OFFER_CONFIG, log=log),
    ):
        window = _due_with_window(env, display)
        # Its ✕, top right (the corner a bubble's close button sits in).
        box = geometry(display, window)
        xdotool(display, "mousemove", str(box.x + box.width - 24), str(box.y + 24), "click", "1")
        wait_for(lambda: not offer_windows(display), what="the window to close")
        data = wait_for(
            lambda: (s := status(env))["offer"] and s["offer"]["again_in_s"] and s,
            what="status to say when the offer comes back",
        )
        assert isinstance(data, dict) and data["state"] == "due"
        assert 280 <= data["offer"]["again_in_s"] <= 300  # one snooze length: 5 min
        assert re.search(
            r"its offer was closed; shown again in [45] min", cli(env, "status").stdout
        )
        wait_for(lambda: "dismissed; offered again in 5 min" in log.read_text(), what="log")


@pytest.mark.parametrize(
    ("code", "failed", "dismissed"), [(1, True, 0), (7, False, 1), (0, False, 0)]
)
def test_how_the_daemon_reads_the_offer_windows_exit(
    code: int, failed: bool, dismissed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1 (no Tk, a bad display): buttons back on the bubble for good; 7: a dismissal."""
    import asyncio

    from rsiguard.daemon import faces

    monkeypatch.setattr(
        faces, "python_argv", lambda *_a: [sys.executable, "-c", f"raise SystemExit({code})"]
    )
    closed: list[None] = []
    f = faces.Faces({"DISPLAY": ":0"}, lambda: closed.append(None))
    assert asyncio.run(f.offer_window(lambda: True)) is failed
    assert f.offer_failed is failed and len(closed) == dismissed
    if failed:  # never tried again in this session
        assert asyncio.run(f.offer_window(lambda: True)) is True
