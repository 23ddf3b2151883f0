"""Suspend from logind: a delay inhibitor, state saved before sleep, released, taken again.

python-dbusmock's logind on a private system bus hands out real inhibitor fds
(``ListInhibitors`` shows whether rsiguard still holds one) and emits PrepareForSleep.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from jeepney import DBusAddress, new_signal  # type: ignore[import-untyped, unused-ignore]
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped, unused-ignore]

from rsiguard.adapters.session.sleep import SleepWatcher
from tests.desktop import busctl, logind_mock, wait_for

pytestmark = pytest.mark.integration
LOGIND = "org.freedesktop.login1"
READY = "logind PrepareForSleep (delay inhibitor)"


def inhibitors(address: str) -> int:
    out = busctl(address, "call", LOGIND, "/org/freedesktop/login1",
                 f"{LOGIND}.Manager", "ListInhibitors")  # fmt: skip
    return int(out.split()[1])


def prepare(address: str, sleeping: bool) -> None:
    busctl(address, "call", LOGIND, "/org/freedesktop/login1", "org.freedesktop.DBus.Mock",
           "EmitSignal", "sssav", f"{LOGIND}.Manager", "PrepareForSleep", "b", "1", "b",
           "true" if sleeping else "false")  # fmt: skip


@contextmanager
def watching(env: dict[str, str]) -> Iterator[tuple[SleepWatcher, list[float]]]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    saves: list[float] = []
    watcher = SleepWatcher(loop, lambda: saves.append(time.monotonic()), env)
    loop.call_soon_threadsafe(watcher.start)
    try:
        yield watcher, saves
    finally:
        loop.call_soon_threadsafe(watcher.stop)
        time.sleep(0.1)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def test_state_is_saved_before_sleep_under_a_delay_inhibitor(tmp_path: Path) -> None:
    with (
        logind_mock(tmp_path) as address,
        watching({"DBUS_SYSTEM_BUS_ADDRESS": address}) as (
            w,
            saves,
        ),
    ):
        wait_for(lambda: w.status == READY, what="inhibitor taken")
        assert inhibitors(address) == 1
        prepare(address, True)
        wait_for(lambda: inhibitors(address) == 0, what="inhibitor released")
        assert len(saves) == 1  # saved before the release
        prepare(address, False)
        wait_for(lambda: inhibitors(address) == 1, what="inhibitor taken again")
        assert len(saves) == 1


def test_spoofed_prepare_for_sleep_is_ignored(tmp_path: Path) -> None:
    with (
        logind_mock(tmp_path) as address,
        watching({"DBUS_SYSTEM_BUS_ADDRESS": address}) as (
            w,
            saves,
        ),
    ):
        wait_for(lambda: w.status == READY, what="inhibitor taken")
        with open_dbus_connection(address) as conn:
            where = DBusAddress("/org/freedesktop/login1", interface=f"{LOGIND}.Manager")
            conn.send(new_signal(where, "PrepareForSleep", "b", (True,)))
            time.sleep(0.5)
        assert saves == [] and inhibitors(address) == 1


def test_logind_restart_takes_a_new_inhibitor(tmp_path: Path) -> None:
    from tests.desktop import dbusmock, session_bus

    with session_bus(tmp_path / "system") as address:
        env = {"DBUS_SYSTEM_BUS_ADDRESS": address}
        with watching(env) as (w, _):
            with dbusmock(address, ["-t", "logind"], tmp_path, LOGIND, system=True):
                wait_for(lambda: w.status == READY, what="inhibitor taken")
            wait_for(lambda: w.status == "none: logind went away", what="lost")
            with dbusmock(address, ["-t", "logind"], tmp_path, LOGIND, system=True):
                wait_for(lambda: w.status == READY, timeout=20, what="inhibitor again")
                assert inhibitors(address) == 1


def test_no_system_bus_is_a_clean_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rsiguard.adapters.input.busconn.SYSTEM_BUS", str(tmp_path / "nobus"))
    with watching({}) as (w, saves):
        time.sleep(0.2)
        assert w.status == "none: no system bus" and saves == []
        assert not [t for t in threading.enumerate() if t.name == "rsiguard-sleep"]
