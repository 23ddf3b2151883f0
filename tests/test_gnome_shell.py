"""The daemon on a real ``gnome-shell --headless`` (harness notes §2.2 and §2.4).

- **Screen shield**: logind (the stand-in) tells the shell to lock, as ``loginctl
  lock-session`` or a suspend would; the shell locks its screen shield and emits
  ``org.gnome.ScreenSaver.ActiveChanged`` from the owner of ``org.gnome.Shell.ScreenShield``
  while nothing has activated the ``org.gnome.ScreenSaver`` helper (the case rsiguard
  used to miss entirely). The daemon must say ``screen_locked`` and count the lock once,
  with or without logind's own signals.
- **Break offer on GNOME's own notification server**: activity injected through Mutter's
  RemoteDesktop makes a break due; the offer reaches gnome-shell with its actions, and
  the actions invoked the way the shell does it change the daemon's state.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

import pytest

from tests.desktop import has_owner, require, wait_for
from tests.gnome_shell import (
    NOTIFICATIONS,
    SAVER,
    SHIELD,
    BusWatch,
    Shell,
    gnome_shell,
    grey,
    screenshot,
)
from tests.integration import daemon_env, running_daemon, status
from tests.screen import Box, _labels
from tests.servers import OFFER_CONFIG
from tests.test_gnome import RemoteDesktop

pytestmark = pytest.mark.integration
SESSION = "/org/freedesktop/login1/session/c1"
LOCK_CONFIG = """
[activity]
backend = "gnome"
"""


def shell_env(shell: Shell, tmp: Path, logind: bool) -> dict[str, str]:
    """The daemon's environment in the shell's session; on the logind stand-in or not."""
    env = daemon_env(tmp, None, shell.session)
    env.update(XDG_SESSION_TYPE="wayland", WAYLAND_DISPLAY="wayland-0", XDG_CURRENT_DESKTOP="GNOME")
    if logind:
        env.update(DBUS_SYSTEM_BUS_ADDRESS=shell.system, XDG_SESSION_ID="c1")
    else:  # no system bus at all: only the shell can say the screen is locked
        env["DBUS_SYSTEM_BUS_ADDRESS"] = f"unix:path={tmp / 'no-system-bus'}"
    return env


def lock_status(env: dict[str, str]) -> str:
    return str(status(env).get("backends", {}).get("screen_lock"))


def shield_active(shell: Shell) -> bool:
    """The shell's own answer (asked of the shell's name: the helper stays unactivated)."""
    out = shell.call(SHIELD, "/org/gnome/ScreenSaver", SAVER, "GetActive")
    return out == "b true"


def logind(shell: Shell, method: str) -> None:
    shell.call("org.freedesktop.login1", SESSION, "org.freedesktop.login1.Session", method,
               system=True)  # fmt: skip


@pytest.mark.parametrize("with_logind", [False, True], ids=["shell-only", "shell+logind"])
def test_screen_shield_lock_and_unlock_reach_the_daemon_once(
    tmp_path: Path, with_logind: bool
) -> None:
    with gnome_shell(tmp_path / "shell") as shell:
        env = shell_env(shell, tmp_path / "d", with_logind)
        log = tmp_path / "daemon.log"
        with running_daemon(env, LOCK_CONFIG, log=log):
            expected = "dbus ActiveChanged" + ("; logind session c1" if with_logind else "")
            wait_for(lambda: lock_status(env) == expected, what=f"screen_lock {expected!r}")
            assert status(env)["screen_locked"] is False
            logind(shell, "Lock")  # what `loginctl lock-session` does
            wait_for(lambda: shield_active(shell), timeout=10, what="the shell's screen shield")
            wait_for(lambda: status(env)["screen_locked"] is True, what="locked in status")
            # The bug's condition: nothing activated the org.gnome.ScreenSaver helper, so
            # the shell's own signal was the only one on the session bus.
            assert not has_owner(shell.session, SAVER)
            logind(shell, "Unlock")
            wait_for(lambda: not shield_active(shell), timeout=10, what="the shield gone")
            wait_for(lambda: status(env)["screen_locked"] is False, what="unlocked in status")
        text = log.read_text()
        assert text.count("screen locked (") == 1, text
        assert text.count("screen unlocked (") == 1, text
        assert "screen locked (org.gnome.ScreenSaver)" in text or with_logind, text
        assert "not the screensaver" not in text, text


#: Where gnome-shell 43 shows a banner: top centre of the 1280x800 monitor, under the top
#: bar. Banners are at most 500 px wide; the area leaves the top bar out.
BANNER_AREA = Box(240, 34, 800, 560)
SCREEN = (1280, 800)  # gnome_shell()'s virtual monitor
KEY_ESC = 1
KEY_LEFTSHIFT = 42  # activity that types nothing (a letter would search the overview)
BTN_LEFT = 0x110


class Person(RemoteDesktop):
    """Keyboard and pointer of someone at the shell: Mutter's RemoteDesktop, one connection.

    The pointer moves only relatively; pushing it far down-right pins it in that corner
    (mutter keeps it on the monitor), and from there ``point`` goes to absolute screen
    positions, each in one jump (from the banner to its button without leaving it).
    (Not the top-left corner: that is the hot corner, which toggles the overview.)
    """

    at: tuple[int, int] | None = None  # where the pointer is, once pinned

    def move_by(self, dx: int, dy: int) -> None:
        """Move the pointer by (dx, dy) in one event (it jumps: nothing in between sees it)."""
        self.call(self.session, "NotifyPointerMotionRelative", "dd", float(dx), float(dy))
        if self.at is not None:
            self.at = (self.at[0] + dx, self.at[1] + dy)

    def point(self, x: int, y: int) -> None:
        """Put the pointer at (x, y): straight there once its place is known."""
        if self.at is None:
            self.move_by(5000, 5000)
            self.at = (SCREEN[0] - 1, SCREEN[1] - 1)
        self.move_by(x - self.at[0], y - self.at[1])

    def leave_overview(self) -> None:
        """gnome-shell starts in the overview; Escape leaves it, as for a person."""
        self.key(KEY_ESC)
        time.sleep(0.5)  # the overview's closing animation

    def click(self, x: int, y: int) -> None:
        self.point(x, y)
        time.sleep(0.2)
        self.call(self.session, "NotifyPointerButton", "ib", BTN_LEFT, True)
        self.call(self.session, "NotifyPointerButton", "ib", BTN_LEFT, False)
        self.point(640, 700)  # off the banner, which then goes back to its short form

    def work_until_due(self, env: dict[str, str]) -> None:
        """Type (Shift) until the daemon says the break is due."""
        self.point(640, 700)
        deadline = time.monotonic() + 60
        while status(env).get("state") != "due":
            assert time.monotonic() < deadline, f"no break due: {status(env)}"
            self.key(KEY_LEFTSHIFT)
            time.sleep(0.4)


def banner_buttons(shell: Shell, person: Person, count: int, tmp: Path) -> list[Box]:
    """The labels of the banner's buttons, found by looking (``count`` of them).

    A gnome-shell banner shows its buttons only while the pointer is over it, and hides
    once the pointer leaves it: point at its top once, then take the shell's screenshot
    and find the lowest row of labels in the area where banners appear (tests/screen.py's
    reading of a bubble).
    """
    shots = itertools.count()
    a = BANNER_AREA

    person.point(640, 60)  # on the banner's title: leaving it would hide the banner
    nudge = itertools.cycle((1, -1))

    def look() -> list[Box] | None:
        # A small move keeps the pointer on the banner and tells the shell it is there.
        person.move_by(next(nudge), 0)
        time.sleep(0.3)  # the banner unfolds
        png = screenshot(shell, tmp / f"screen-{time.monotonic():.1f}-{next(shots)}.png")
        found = _labels(grey(png, a.x, a.y, a.width, a.height), word_gap=14)
        boxes = [Box(a.x + x0, a.y + y0, x1 - x0 + 1, y1 - y0 + 1) for x0, y0, x1, y1 in found]
        return boxes if len(boxes) == count else None

    found = wait_for(look, timeout=20, interval=0.2, what=f"a banner with {count} buttons")
    assert isinstance(found, list)
    return found


def invoked(watch: BusWatch, key: str) -> bool:
    """Whether the shell's Notifications helper told the daemon that ``key`` was clicked."""
    return any(body[1] == key for body in watch.of("ActionInvoked"))


def test_break_offer_on_gnome_shell_is_clicked(tmp_path: Path) -> None:
    """GNOME's own notification server shows the offer's buttons; clicking them works.

    The clicks are real pointer clicks (RemoteDesktop) on the buttons found in the
    shell's own screenshot, so the action reaches the daemon the way a user's does: the
    shell's banner, then ActionInvoked from the helper that owns
    org.freedesktop.Notifications. (``org.gnome.Shell.Eval`` is off outside unsafe mode,
    and nothing here needs it.)
    """
    require("convert")
    config = OFFER_CONFIG.replace("[activity]\n", '[activity]\nbackend = "gnome"\n')
    with gnome_shell(tmp_path / "shell") as shell:
        info = shell.call(NOTIFICATIONS, "/org/freedesktop/Notifications", NOTIFICATIONS,
                          "GetServerInformation")  # fmt: skip
        assert info.startswith('ssss "gnome-shell" "GNOME" '), info
        env = shell_env(shell, tmp_path / "d", logind=False)
        watch = BusWatch(shell.session)
        person = Person(shell.session)
        try:
            with running_daemon(env, config, log=tmp_path / "daemon.log"):
                person.leave_overview()
                name = status(env)["backends"]["notifications"]
                assert name.startswith("dbus: gnome-shell ") and name.endswith(" (actions)")

                # The offer, with its three actions, on the bus and on screen.
                person.work_until_due(env)
                wait_for(lambda: watch.of("Notify"), what="the offer's Notify")
                actions = watch.of("Notify")[-1][5]
                # (and "default": a click on the banner itself starts the routine)
                assert actions[::2] == ["start", "snooze", "skip", "default"], actions
                start, _snooze, _skip = banner_buttons(shell, person, 3, tmp_path)
                person.click(*start.centre)
                wait_for(lambda: invoked(watch, "start"), what="ActionInvoked start")
                wait_for(lambda: status(env)["state"] == "in_break", what="the routine")
                # The step bubble: Next and Stop.
                _next, stop = banner_buttons(shell, person, 2, tmp_path)
                person.click(*stop.centre)
                wait_for(lambda: status(env)["state"] != "in_break", what="Stop to end it")

                # Skip.
                skipped = status(env)["today"]["breaks_skipped"]
                person.work_until_due(env)
                _start, _snooze, skip = banner_buttons(shell, person, 3, tmp_path)
                person.click(*skip.centre)
                wait_for(lambda: invoked(watch, "skip"), what="ActionInvoked skip")
                wait_for(lambda: status(env)["today"]["breaks_skipped"] > skipped, what="skip")

                # Snooze.
                person.work_until_due(env)
                _start, snooze, _skip = banner_buttons(shell, person, 3, tmp_path)
                person.click(*snooze.centre)
                wait_for(lambda: invoked(watch, "snooze"), what="ActionInvoked snooze")
                wait_for(lambda: status(env)["state"] == "snoozed", what="snoozed")
        finally:
            person.close()
            watch.close()


def test_stuck_forks_are_the_shells_children_still_running_its_binary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The harness's unsticking finds exactly those (here with Python as "the shell")."""
    import subprocess
    import sys

    from tests import gnome_shell as harness

    monkeypatch.setattr("tests.gnome_shell.shutil.which", lambda name: sys.executable)
    same = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    other = subprocess.Popen(["sleep", "30"])
    try:
        assert harness._stuck_forks(os.getpid()) == [same.pid]
    finally:
        for proc in (same, other):
            proc.kill()
            proc.wait(5)
