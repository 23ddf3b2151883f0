"""The logind input backend (IdleHint) against python-dbusmock's logind on a private bus.

The mock speaks logind's real interface on a real dbus-daemon standing in for the
system bus; the monitor runs for real on its supervisor thread.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from jeepney import DBusAddress, new_signal  # type: ignore[import-untyped, unused-ignore]
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped, unused-ignore]
from jeepney.low_level import HeaderFields  # type: ignore[import-untyped, unused-ignore]

from tests.desktop import busctl, dbusmock, logind_mock, session_bus, wait_for
from tests.test_activity import Harness

pytestmark = pytest.mark.integration
LOGIND = "org.freedesktop.login1"


def set_idle(address: str, sid: str, idle: bool) -> None:
    busctl(
        address,
        "call",
        LOGIND,
        f"/org/freedesktop/login1/session/{sid}",
        "org.freedesktop.DBus.Mock",
        "UpdateProperties",
        "sa{sv}",
        "org.freedesktop.login1.Session",
        "1",
        "IdleHint",
        "b",
        "true" if idle else "false",
    )


def add_session(address: str, sid: str = "c1") -> None:
    busctl(address, "call", LOGIND, "/org/freedesktop/login1", "org.freedesktop.DBus.Mock",
           "AddSession", "ssusb", sid, "seat0", "0", "rsitest", "true")  # fmt: skip


def env_for(address: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin",
        "DBUS_SYSTEM_BUS_ADDRESS": address,
        "XDG_SESSION_ID": "c1",
        "XDG_SESSION_TYPE": "wayland",
        "WAYLAND_DISPLAY": "wayland-9",
    }


@contextmanager
def logind_monitor(address: str) -> Iterator[Harness]:
    h = Harness(env_for(address), backend="logind")
    try:
        h.call(h.monitor.start)
        wait_for(
            lambda: h.status() == "logind (Wayland wayland-9): activity only", what="logind ready"
        )
        yield h
    finally:
        assert h.close() < 1.0


def quiet_for(h: Harness, seconds: float) -> int:
    """Posts during an observation window (after letting a pending tick land)."""
    time.sleep(1.1)
    before = len(h.posts)
    time.sleep(seconds)
    return len(h.posts) - before


def test_idle_hint_drives_active_time(tmp_path: Path) -> None:
    with logind_mock(tmp_path) as address, logind_monitor(address) as h:
        assert h.call(lambda: h.monitor.measures) == "activity"
        # IdleHint false at the start: active, one empty sample a second.
        wait_for(lambda: len(h.posts) >= 3, what="active ticks")
        times = [t for t, _, _ in h.posts]
        assert all(b - a >= 0.9 for a, b in itertools.pairwise(times))
        assert all(s == s.__class__() for _, s, _ in h.posts)  # no counts: activity only
        set_idle(address, "c1", True)
        assert quiet_for(h, 1.5) == 0
        # Another session going active changes nothing for ours.
        set_idle(address, "c2", False)
        assert quiet_for(h, 1.5) == 0
        set_idle(address, "c1", False)
        n = len(h.posts)
        wait_for(lambda: len(h.posts) > n, what="active again")


def test_spoofed_idle_hint_from_another_connection_is_ignored(tmp_path: Path) -> None:
    with logind_mock(tmp_path) as address, logind_monitor(address) as h:
        set_idle(address, "c1", True)
        assert quiet_for(h, 0.5) == 0
        conn = open_dbus_connection(address)
        try:
            msg = new_signal(
                DBusAddress(
                    "/org/freedesktop/login1/session/c1",
                    interface="org.freedesktop.DBus.Properties",
                ),
                "PropertiesChanged",
                "sa{sv}as",
                ("org.freedesktop.login1.Session", {"IdleHint": ("b", False)}, []),
            )
            conn.send(msg)
            assert msg.header.fields.get(HeaderFields.sender) is None  # the bus fills it in
            assert quiet_for(h, 1.5) == 0
        finally:
            conn.close()


def test_logind_restart_is_picked_up(tmp_path: Path) -> None:
    ready = "logind (Wayland wayland-9): activity only"
    with session_bus(tmp_path / "system") as address:
        with dbusmock(address, ["-t", "logind"], tmp_path, LOGIND, system=True) as first:
            add_session(address)
            h = Harness(env_for(address), backend="logind")
            h.call(h.monitor.start)
            try:
                wait_for(lambda: h.status() == ready, what="logind ready")
                first.terminate()
                wait_for(lambda: h.status() == "lost: logind went away; retrying", what="lost")
            except BaseException:
                h.close()
                raise
        try:
            n = len(h.posts)
            time.sleep(1.5)
            assert len(h.posts) - n <= 1  # the ticking stopped with its source
            with dbusmock(address, ["-t", "logind"], tmp_path, LOGIND, system=True):
                add_session(address)
                wait_for(lambda: h.status() == ready, timeout=20, what="logind again")
        finally:
            assert h.close() < 1.0
