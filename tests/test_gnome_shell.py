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

from pathlib import Path

import pytest

from tests.desktop import has_owner, wait_for
from tests.gnome_shell import SAVER, SHIELD, Shell, gnome_shell
from tests.integration import daemon_env, running_daemon, status

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
