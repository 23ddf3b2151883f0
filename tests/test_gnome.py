"""The gnome input backend against a real ``mutter --headless`` on a hermetic session bus.

Input is injected through Mutter's own ``org.gnome.Mutter.RemoteDesktop`` (one
connection owns the remote-desktop session), so it reaches the compositor's idle logic
exactly as a keyboard would. See ../shared/research/desktop-harness.md §2.1.
"""

from __future__ import annotations

import itertools
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from jeepney import DBusAddress, new_method_call, new_signal  # type: ignore[import-untyped, unused-ignore]
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped, unused-ignore]
from jeepney.wrappers import unwrap_msg  # type: ignore[import-untyped, unused-ignore]

from rsiguard.adapters.input import evdev, gnome
from tests.desktop import has_owner, logind_mock, require, session_bus, wait_for
from tests.test_activity import Harness, _switches

pytestmark = pytest.mark.integration
IDLE = "org.gnome.Mutter.IdleMonitor"
RD = "org.gnome.Mutter.RemoteDesktop"
READY = "gnome (Wayland wayland-0): activity only"
UP_TO = f"(up to {gnome.WAIT_FOR_MUTTER:g} s)"
WAITING = f"waiting: gnome: waiting for Mutter's idle monitor {UP_TO}"


@contextmanager
def mutter(address: str, tmp: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A headless mutter on the bus at ``address``; retried once if it does not come up."""
    require("mutter")
    runtime = tmp / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {
        "PATH": "/usr/bin:/bin",
        "DBUS_SESSION_BUS_ADDRESS": address,
        "XDG_RUNTIME_DIR": str(runtime),
        "MUTTER_DEBUG_RESET_IDLETIME": "1",
        "HOME": str(tmp),
    }
    argv = ["mutter", "--headless", "--wayland", "--no-x11", "--virtual-monitor", "1280x800"]
    for attempt in (1, 2):
        log = tmp / f"mutter-{attempt}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: has_owner(address, IDLE), timeout=10, what="mutter's IdleMonitor")
        except AssertionError:
            proc.kill()
            proc.wait(5)
            if attempt == 2:
                raise AssertionError(f"mutter did not start: {log.read_text()[-3000:]}") from None
            continue
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
        return


class RemoteDesktop:
    """One connection driving a Mutter RemoteDesktop session (it dies with the connection)."""

    def __init__(self, address: str) -> None:
        self.conn: Any = open_dbus_connection(address)
        rd = DBusAddress("/org/gnome/Mutter/RemoteDesktop", bus_name=RD, interface=RD)
        (path,) = self.call(rd, "CreateSession")
        self.session = DBusAddress(path, bus_name=RD, interface=f"{RD}.Session")
        self.call(self.session, "Start")
        time.sleep(0.3)  # the first key after Start can be lost (harness notes)

    def call(self, addr: DBusAddress, method: str, sig: str | None = None, *args: Any) -> Any:
        return unwrap_msg(
            self.conn.send_and_get_reply(new_method_call(addr, method, sig, args), timeout=5)
        )

    def key(self, code: int = 30) -> None:
        self.call(self.session, "NotifyKeyboardKeycode", "ub", code, True)
        self.call(self.session, "NotifyKeyboardKeycode", "ub", code, False)

    def move(self) -> None:
        self.call(self.session, "NotifyPointerMotionRelative", "dd", 10.0, 0.0)

    def close(self) -> None:
        try:
            self.call(self.session, "Stop")
        finally:
            self.conn.close()


def env_for(address: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin",
        "DBUS_SESSION_BUS_ADDRESS": address,
        "XDG_SESSION_TYPE": "wayland",
        "WAYLAND_DISPLAY": "wayland-0",
        "XDG_CURRENT_DESKTOP": "GNOME",
    }


@pytest.fixture
def no_devices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No /dev/input (as on CI): auto passes evdev over, as on most GNOME laptops."""
    (tmp_path / "nodev").mkdir()
    monkeypatch.setattr(evdev, "DEV_DIR", tmp_path / "nodev")
    monkeypatch.setattr("rsiguard.adapters.input.busconn.SYSTEM_BUS", str(tmp_path / "nobus"))


def idle_posts(h: Harness, seconds: float) -> tuple[int, int]:
    """(posts, context switches of the supervisor) over an observation window."""
    tids = [t.native_id or 0 for t in threading.enumerate() if t.name == "rsiguard-activity"]
    before, n = _switches(tids), len(h.posts)
    time.sleep(seconds)
    return len(h.posts) - n, _switches(tids) - before


@pytest.mark.usefixtures("no_devices")
def test_auto_on_gnome_uses_the_idle_monitor(tmp_path: Path) -> None:
    with session_bus(tmp_path / "bus") as address, mutter(address, tmp_path):
        h = Harness(env_for(address))
        try:
            h.call(h.monitor.start)
            wait_for(lambda: h.status() == READY, what="gnome chosen")
            assert h.call(lambda: h.monitor.measures) == "activity"
            assert list(h.call(lambda: h.monitor.skipped)) == ["evdev"]
            time.sleep(2.2)  # mutter's idle watch fires after 1 s; the last tick lands
            assert idle_posts(h, 2.0) == (0, 0)  # idle: nothing posted, nobody woke
            rd = RemoteDesktop(address)
            try:
                rd.key()
                wait_for(lambda: len(h.posts) >= 1, what="active after a key")
                n = len(h.posts)
                for _ in range(6):  # 3 s of steady input: about 3 posts, at most 1 a second
                    rd.move()
                    time.sleep(0.5)
                assert 2 <= len(h.posts) - n <= 4
                times = [t for t, _, _ in h.posts]
                assert min(b - a for a, b in itertools.pairwise(times)) >= 0.9
            finally:
                rd.close()
            time.sleep(2.2)
            assert idle_posts(h, 1.5)[0] == 0
        finally:
            assert h.close() < 1.0


@pytest.mark.usefixtures("no_devices")
def test_forged_watch_fired_is_ignored_and_a_restart_is_picked_up(tmp_path: Path) -> None:
    with session_bus(tmp_path / "bus") as address:
        with mutter(address, tmp_path) as first:
            h = Harness(env_for(address), backend="gnome")
            h.call(h.monitor.start)
            try:
                wait_for(lambda: h.status() == READY, what="gnome ready")
                time.sleep(2.2)
                forger = open_dbus_connection(address)
                try:
                    path = "/org/gnome/Mutter/IdleMonitor/Core"
                    for watch in range(1, 10):  # whatever ids the backend got
                        sig = new_signal(
                            DBusAddress(path, interface=IDLE), "WatchFired", "u", (watch,)
                        )
                        forger.send(sig)
                    assert idle_posts(h, 1.5)[0] == 0
                finally:
                    forger.close()
                first.terminate()
                lost = f"lost: Mutter's IdleMonitor went away; waiting for it {UP_TO}"
                wait_for(lambda: h.status() == lost, what="mutter gone")
            except BaseException:
                h.close()
                raise
        try:
            with mutter(address, tmp_path):
                wait_for(lambda: h.status() == READY, timeout=20, what="mutter again")
                rd = RemoteDesktop(address)
                try:
                    n = len(h.posts)
                    rd.key()
                    wait_for(lambda: len(h.posts) > n, what="counting again")
                finally:
                    rd.close()
        finally:
            assert h.close() < 1.0


def key_counts(h: Harness, address: str) -> None:
    """A real key through RemoteDesktop makes the monitor post (activity seen)."""
    rd = RemoteDesktop(address)
    try:
        n = len(h.posts)
        rd.key()
        wait_for(lambda: len(h.posts) > n, what="active after a key")
    finally:
        rd.close()


@pytest.mark.usefixtures("no_devices")
def test_waits_for_mutter_that_starts_after_rsiguard(tmp_path: Path) -> None:
    """At login rsiguard may start first: in a GNOME session it waits for Mutter (no
    polling: nobody wakes while waiting), then watches it as soon as it is up."""
    with session_bus(tmp_path / "bus") as address:
        h = Harness(env_for(address))
        try:
            h.call(h.monitor.start)
            wait_for(lambda: h.status() == WAITING, what="waiting for Mutter")
            assert h.call(lambda: h.monitor.measures) is None
            assert idle_posts(h, 2.5) == (0, 0)  # one blocking read: no posts, no wake-ups
            with mutter(address, tmp_path):
                wait_for(lambda: h.status() == READY, what="gnome once Mutter is up")
                assert h.changes == [WAITING, READY]
                assert list(h.call(lambda: h.monitor.skipped)) == ["evdev"]
                key_counts(h, address)
        finally:
            assert h.close() < 1.0


@pytest.mark.usefixtures("no_devices")
def test_falls_back_after_the_bound_and_switches_when_mutter_appears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the bound logind takes over; Mutter appearing later still wins."""
    monkeypatch.setattr(gnome, "WAIT_FOR_MUTTER", 1.5)
    waiting = "waiting: gnome: waiting for Mutter's idle monitor (up to 1.5 s)"
    fallback = "logind (Wayland wayland-0): activity only"
    with logind_mock(tmp_path / "sys") as system, session_bus(tmp_path / "bus") as address:
        env = {**env_for(address), "DBUS_SYSTEM_BUS_ADDRESS": system, "XDG_SESSION_ID": "c1"}
        h = Harness(env)
        try:
            h.call(h.monitor.start)
            wait_for(lambda: h.status() == fallback, what="logind after the bound")
            skipped = h.call(lambda: h.monitor.skipped)
            assert skipped["gnome"] == (
                "no org.gnome.Mutter.IdleMonitor on the session bus after 1.5 s "
                "(gnome takes over when it appears)"
            )
            with mutter(address, tmp_path):
                wait_for(lambda: h.status() == READY, what="gnome once Mutter is up")
                assert h.changes == [waiting, fallback, READY]
                assert list(h.call(lambda: h.monitor.skipped)) == ["evdev"]
                waiters = [t for t in threading.enumerate() if t.name == "rsiguard-gnome-wait"]
                assert not waiters  # the waiter ended once it handed over
                time.sleep(2.2)  # idle (logind's mock says active; Mutter decides now)
                assert idle_posts(h, 1.5)[0] == 0
                key_counts(h, address)
        finally:
            assert h.close() < 1.0


@pytest.mark.usefixtures("no_devices")
def test_explicit_gnome_past_the_bound_waits_without_polling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing to fall back to: one clear line, and gnome starts when Mutter does."""
    monkeypatch.setattr(gnome, "WAIT_FOR_MUTTER", 1.0)
    gave_up = (
        "none: no org.gnome.Mutter.IdleMonitor on the session bus after 1 s "
        "(gnome takes over when it appears)"
    )
    with session_bus(tmp_path / "bus") as address:
        h = Harness(env_for(address), backend="gnome")
        try:
            h.call(h.monitor.start)
            wait_for(lambda: h.status() == gave_up, what="gave up waiting")
            tids = [
                t.native_id or 0 for t in threading.enumerate() if t.name.startswith("rsiguard-")
            ]
            before = _switches(tids)
            time.sleep(2.0)
            assert _switches(tids) - before == 0  # supervisor and waiter both asleep
            with mutter(address, tmp_path):
                wait_for(lambda: h.status() == READY, what="gnome once Mutter is up")
                key_counts(h, address)
        finally:
            assert h.close() < 1.0
        assert not [t for t in threading.enumerate() if t.name == "rsiguard-gnome-wait"]


def test_daemon_on_gnome_offers_a_break_after_real_activity(tmp_path: Path) -> None:
    """The whole daemon on mutter: status names the backend, injected input makes a break due."""
    from tests.integration import FAST_CONFIG, cli, daemon_env, running_daemon, status

    with session_bus(tmp_path / "bus") as address, mutter(address, tmp_path):
        env = daemon_env(tmp_path / "d", None, address)
        env.update(XDG_SESSION_TYPE="wayland", WAYLAND_DISPLAY="wayland-0")
        env["XDG_CURRENT_DESKTOP"] = "GNOME"
        config = FAST_CONFIG.replace("[activity]\n", '[activity]\nbackend = "gnome"\n')
        with running_daemon(env, config):
            wait_for(lambda: status(env)["backends"]["input"] == READY, what="gnome in status")
            backends = status(env)["backends"]
            assert backends["input_measures"] == "activity"
            assert status(env)["state"] != "due"
            rd = RemoteDesktop(address)
            try:
                deadline = time.monotonic() + 40
                while status(env)["state"] != "due":  # micro interval 10 s of activity
                    assert time.monotonic() < deadline, status(env)
                    rd.key()
                    time.sleep(0.5)
            finally:
                rd.close()
            now = status(env)
            today = now["today"]
            assert today["active_s"] >= 9 and today["keys"] == 0  # active time, no counts
            assert now["intensity"]["load_per_min"] is None  # unknown, not "low"
            assert now["intensity"]["micro_interval_factor"] == 1.0  # the baseline
            report = cli(env, "doctor")
            assert report.returncode == 0, report.stderr
            assert f"input: {READY}; " in report.stdout
            assert "daemon:         running (pid " in report.stdout
            assert "  config: " in report.stdout
