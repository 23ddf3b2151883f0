"""The screen lock watcher against python-dbusmock services on private buses.

- GNOME: gnome-shell emits ``org.gnome.ScreenSaver.ActiveChanged`` from the owner of
  ``org.gnome.Shell.ScreenShield`` (harness notes §2.4): a dbusmock owning that name
  emits it; rsiguard used to reject it as "not the screensaver" and miss the lock.
- logind: ``Session.Lock``/``Unlock`` and ``LockedHint`` of this session count, another
  session's do not.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from rsiguard.adapters.session.screenlock import ScreenLockWatcher
from tests.desktop import busctl, dbusmock, logind_mock, session_bus, wait_for

pytestmark = pytest.mark.integration
SHIELD = "org.gnome.Shell.ScreenShield"


class Watching:
    """A watcher on an event loop in a thread; records what it reports."""

    def __init__(self, env: dict[str, str]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.changes: list[bool] = []
        self.watcher = ScreenLockWatcher(self.changes.append, env)
        self.run(self.watcher.start)

    def run(self, fn: Callable[[], Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(fn(), self.loop).result(10)

    def close(self) -> None:
        self.run(self.watcher.aclose)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@contextmanager
def watching(env: dict[str, str]) -> Iterator[Watching]:
    w = Watching(env)
    try:
        yield w
    finally:
        w.close()


def settle() -> None:
    time.sleep(0.5)  # observation window for "nothing more is reported"


def emit_active(address: str, name: str, locked: bool) -> None:
    busctl(address, "call", name, "/org/gnome/ScreenSaver", "org.freedesktop.DBus.Mock",
           "EmitSignal", "sssav", "org.gnome.ScreenSaver", "ActiveChanged", "b", "1", "b",
           "true" if locked else "false")  # fmt: skip


def test_gnome_shell_screen_shield_lock_is_seen_once(tmp_path: Path) -> None:
    with session_bus(tmp_path / "bus") as address:
        mock = [SHIELD, "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"]
        with (
            dbusmock(address, mock, tmp_path, SHIELD),
            watching({"DBUS_SESSION_BUS_ADDRESS": address}) as w,
        ):
            assert w.watcher.status == "dbus ActiveChanged"
            emit_active(address, SHIELD, True)
            wait_for(lambda: w.changes == [True], what="locked")
            emit_active(address, SHIELD, True)  # the helper's copy: the same state
            emit_active(address, SHIELD, False)
            wait_for(lambda: w.changes == [True, False], what="unlocked")
            settle()
            assert w.changes == [True, False]


def test_active_changed_from_anyone_else_is_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with session_bus(tmp_path / "bus") as address:
        spoof = ["org.example.Spoof", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"]
        with (
            dbusmock(address, spoof, tmp_path, "org.example.Spoof"),
            watching({"DBUS_SESSION_BUS_ADDRESS": address}) as w,
        ):
            emit_active(address, "org.example.Spoof", True)
            wait_for(lambda: "not the screensaver" in caplog.text, what="the warning")
            assert w.changes == []


def _session(address: str, sid: str, method: str, *args: str) -> None:
    busctl(address, "call", "org.freedesktop.login1", f"/org/freedesktop/login1/session/{sid}",
           "org.freedesktop.login1.Session", method, *args)  # fmt: skip


def test_logind_lock_and_unlock_of_this_session_only(tmp_path: Path) -> None:
    with logind_mock(tmp_path) as system:
        env = {"DBUS_SYSTEM_BUS_ADDRESS": system, "XDG_SESSION_ID": "c1"}
        with watching(env) as w:
            assert w.watcher.status == "logind session c1"
            _session(system, "c2", "Lock")  # another session: nothing
            settle()
            assert w.changes == []
            _session(system, "c1", "Lock")
            wait_for(lambda: w.changes == [True], what="locked")
            _session(system, "c1", "SetLockedHint", "b", "true")  # the same state again
            _session(system, "c1", "Unlock")
            wait_for(lambda: w.changes == [True, False], what="unlocked")
            _session(system, "c1", "SetLockedHint", "b", "true")
            wait_for(lambda: w.changes == [True, False, True], what="locked by hint")
            settle()
            assert w.changes == [True, False, True]


def test_no_buses_is_a_clean_status(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("rsiguard.adapters.input.busconn.SYSTEM_BUS", str(tmp_path / "nobus"))
    with watching({}) as w:
        assert w.watcher.status == "none: no session bus"
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
