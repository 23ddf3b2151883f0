"""The whole daemon for real: Xvfb, xdotool input, a private bus, notification servers."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.desktop import dunst, dunstctl, process, require, session_bus, wait_for, xvfb
from tests.fakenotify import FakeNotifyClient
from tests.integration import (
    FAST_CONFIG,
    Typist,
    cli,
    daemon_env,
    input_ready,
    running_daemon,
    status,
    xdotool,
)

pytestmark = pytest.mark.integration


@dataclass
class Desktop:
    display: str
    bus: str
    fake: FakeNotifyClient
    tmp: Path


@pytest.fixture(scope="module")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desktop]:
    require("Xvfb", "xdotool", "dbus-daemon")
    tmp = tmp_path_factory.mktemp("desktop")
    with xvfb() as display, session_bus(tmp / "bus") as bus:
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus}
        with process([sys.executable, "-m", "tests.fakenotify"], env, tmp / "fake.log"):
            fake = FakeNotifyClient(bus)
            wait_for(lambda: _answers(fake), what="the fake notification server")
            yield Desktop(display, bus, fake, tmp)


def _answers(fake: FakeNotifyClient) -> bool:
    try:
        fake.calls()
    except Exception:
        return False
    return True


def _break_offers(fake: FakeNotifyClient, since: int) -> list[dict[str, Any]]:
    return [
        c
        for c in fake.calls()[since:]
        if c["method"] == "Notify" and str(c["summary"]).startswith("Time for")
    ]


def _wait_due(d: Desktop, env: dict[str, str], since: int) -> dict[str, Any]:
    """Keep typing until the daemon offers a break; return that Notify call."""
    with Typist(d.display):
        offers = wait_for(lambda: _break_offers(d.fake, since), timeout=60, what="a break offer")
    assert isinstance(offers, list)
    return dict(offers[-1])


def test_counts_input_within_two_seconds(desktop: Desktop, tmp_path: Path) -> None:
    env = daemon_env(tmp_path, desktop.display, desktop.bus)
    with running_daemon(env):
        wait_for(lambda: input_ready(env), what="input")
        xdotool(desktop.display, "type", "--delay", "20", "hello world")
        xdotool(desktop.display, "click", "--repeat", "3", "1")
        xdotool(desktop.display, "click", "--repeat", "4", "5")
        xdotool(desktop.display, "mousemove", "10", "10")
        xdotool(desktop.display, "mousemove", "310", "410")

        def counted() -> bool:
            t = status(env)["today"]
            return bool(t["keys"] >= 11 and t["clicks"] >= 3 and t["scroll"] >= 4)

        wait_for(counted, timeout=3, interval=0.2, what="input counted within 2 s")
        today = status(env)["today"]
        assert today["keys"] == 11 and today["clicks"] == 3 and today["scroll"] == 4
        assert today["pointer_px"] >= 500


def test_break_offer_actions_snooze_skip_start(desktop: Desktop, tmp_path: Path) -> None:
    env = daemon_env(tmp_path, desktop.display, desktop.bus)
    fake = desktop.fake
    with running_daemon(env):
        offer = _wait_due(desktop, env, len(fake.calls()))
        assert status(env)["state"] == "due"
        keys = offer["actions"][::2]
        assert {"start", "snooze", "skip", "default"} <= set(keys)

        fake.invoke(offer["id"], "snooze")
        wait_for(lambda: status(env)["state"] == "snoozed", what="snoozed")
        assert status(env)["snoozes_left"] == 1

        offer = _wait_due(desktop, env, len(fake.calls()))
        fake.invoke(offer["id"], "skip")
        wait_for(lambda: status(env)["today"]["breaks_skipped"] == 1, what="skipped")
        assert status(env)["state"] in ("active", "idle")

        mark = len(fake.calls())
        offer = _wait_due(desktop, env, mark)
        fake.invoke(offer["id"], "default")  # clicking the bubble starts the routine
        wait_for(lambda: status(env)["state"] == "in_break", what="in break")
        steps = wait_for(
            lambda: [c for c in fake.calls()[mark:] if "step 1 of" in str(c["summary"])],
            what="the first routine step",
        )
        assert isinstance(steps, list)
        assert steps[0]["replaces_id"] == offer["id"]  # the same bubble, updated
        assert status(env)["break"]["step"] == 1
        step_id = steps[0]["id"]
        assert steps[0]["actions"][::2] == ["next", "stop", "default"]
        fake.invoke(step_id, "next")
        wait_for(lambda: status(env)["break"]["step"] == 2, what="the next step")
        fake.invoke(step_id, "stop")  # early: counted as skipped
        wait_for(lambda: status(env)["state"] != "in_break", what="routine stopped")
        assert status(env)["today"]["breaks_skipped"] == 2
        closes = [c for c in fake.calls()[mark:] if c["method"] == "CloseNotification"]
        assert closes


def test_natural_break_closes_the_offer(desktop: Desktop, tmp_path: Path) -> None:
    env = daemon_env(tmp_path, desktop.display, desktop.bus)
    fake = desktop.fake
    with running_daemon(env):
        offer = _wait_due(desktop, env, len(fake.calls()))
        mark = len(fake.calls())
        # Stop typing: after max(idle_threshold, micro duration) the break counts as taken.
        wait_for(
            lambda: any(
                c["method"] == "CloseNotification" and c["id"] == offer["id"]
                for c in fake.calls()[mark:]
            ),
            timeout=20,
            what="the offer closed after idle time",
        )
        data = status(env)
        assert data["state"] == "idle"
        assert data["today"]["breaks_natural"] == 1


def test_privacy_typed_text_is_never_kept(desktop: Desktop, tmp_path: Path) -> None:
    secret = "zebrapassphrase"
    env = daemon_env(tmp_path, desktop.display, desktop.bus)
    with running_daemon(env) as proc:
        wait_for(lambda: input_ready(env), what="input")
        xdotool(desktop.display, "type", "--delay", "20", secret)
        wait_for(lambda: status(env)["today"]["keys"] >= len(secret), what="secret counted")
        outputs = [cli(env, "status").stdout, cli(env, "status", "--json").stdout]
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
    outputs.append(json.dumps(desktop.fake.calls()))
    # The statistics database is among the files searched, and it did count the keys.
    db = Path(env["XDG_STATE_HOME"]) / "rsiguard" / "stats.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT SUM(keys) FROM minutes").fetchone()[0] >= len(secret)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            outputs.append(path.read_bytes().decode("utf-8", "replace"))
    assert outputs and not [o for o in outputs if secret in o.lower() or "zebra" in o.lower()]


def test_second_instance_exits_6_and_cli_commands(desktop: Desktop, tmp_path: Path) -> None:
    env = daemon_env(tmp_path, desktop.display, desktop.bus)
    with running_daemon(env):
        second = cli(env, "run")
        assert second.returncode == 6
        assert "already running" in second.stderr
        assert cli(env, "snooze").returncode == 4  # nothing due: refused
        pause = cli(env, "pause", "30m")
        assert pause.returncode == 0 and "paused" in pause.stdout
        assert status(env)["state"] == "paused"
        assert cli(env, "pause", "5h").returncode == 4  # above pause.max
        assert cli(env, "resume").returncode == 0
        assert cli(env, "break", "rest").returncode == 0
        assert status(env)["break"]["kind"] == "rest"
        assert cli(env, "next").returncode == 0
        assert status(env)["break"]["step"] == 2
        assert cli(env, "stop").returncode == 0
        assert status(env)["state"] in ("active", "idle")
        assert cli(env, "snooze", "soon").returncode == 2
    assert cli(env, "status").returncode == 3


def test_reload_keeps_last_good_config(desktop: Desktop, tmp_path: Path) -> None:
    env = daemon_env(tmp_path, desktop.display, desktop.bus)
    with running_daemon(env):
        cfg = Path(env["XDG_CONFIG_HOME"]) / "test.toml"
        cfg.write_text('[breaks]\nsnooze = "soon"\n')
        bad = cli(env, "reload")
        assert bad.returncode == 5
        assert "breaks.snooze" in bad.stderr and str(cfg) in bad.stderr
        assert status(env)["snoozes_left"] == 2  # still running on the old config
        cfg.write_text("[breaks]\nmax_snoozes = 1\n")
        assert cli(env, "reload").returncode == 0
        assert status(env)["snoozes_left"] == 1


def test_state_survives_a_restart(desktop: Desktop, tmp_path: Path) -> None:
    env = daemon_env(tmp_path, desktop.display, desktop.bus)
    with running_daemon(env):
        wait_for(lambda: input_ready(env), what="input")
        xdotool(desktop.display, "type", "--delay", "20", "abcdef")
        wait_for(lambda: status(env)["today"]["keys"] >= 6, what="keys counted")
    assert (tmp_path / "state" / "rsiguard" / "state.json").exists()
    with running_daemon(env):
        assert status(env)["today"]["keys"] == 6


def test_status_matches_the_schema(desktop: Desktop, tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads((Path(__file__).parent.parent / "docs" / "status.schema.json").read_text())
    env = daemon_env(tmp_path, desktop.display, desktop.bus)
    with running_daemon(env):
        jsonschema.validate(status(env), schema)
        cli(env, "break")
        jsonschema.validate(status(env), schema)
        cli(env, "pause", "1m")
        jsonschema.validate(status(env), schema)


# --- degraded desktops ------------------------------------------------------------


def test_no_notification_server_logs_and_keeps_running(desktop: Desktop, tmp_path: Path) -> None:
    with session_bus(tmp_path / "emptybus") as bus:
        env = daemon_env(tmp_path, desktop.display, bus)
        log = tmp_path / "daemon.log"
        with running_daemon(env, log=log):
            assert status(env)["backends"]["notifications"] == "log"
            assert cli(env, "break").returncode == 0
            # Once a bubble was attempted, status says why it went to the log.
            wait_for(
                lambda: (
                    "org.freedesktop.Notifications" in status(env)["backends"]["notifications_why"]
                ),
                what="the reason in status",
            )
            wait_for(lambda: "step 1 of" in log.read_text(), what="the step in the log")


def test_no_display_and_no_bus(tmp_path: Path) -> None:
    env = daemon_env(tmp_path, None, None)
    with running_daemon(env):
        data = status(env)
        assert data["backends"]["input"].startswith("none")
        assert data["backends"]["notifications"] == "log"
        assert data["backends"]["notifications_why"].startswith("no session bus")
        assert "notify:  log (no session bus" in cli(env, "status").stdout
        assert cli(env, "break").returncode == 0


def test_real_dunst_shows_the_offer_and_its_action_starts_the_routine(
    desktop: Desktop, tmp_path: Path
) -> None:
    """With ``offer = "bubble"`` the actions stay on dunst's bubble (its context menu,
    with dmenu installed, or its middle click); by default dunst gets the offer window."""
    config = FAST_CONFIG + '\n[notifications]\noffer = "bubble"\n'
    with session_bus(tmp_path / "dunstbus") as bus:
        env = daemon_env(tmp_path, desktop.display, bus)
        with (
            dunst(env, desktop.display, tmp_path / "dunst") as dunst_env,
            running_daemon(env, config),
        ):
            assert "actions" in status(env)["backends"]["notifications"]
            with Typist(desktop.display):
                wait_for(lambda: status(env)["state"] == "due", timeout=60, what="due")
            wait_for(
                lambda: dunstctl(dunst_env, "count", "displayed") not in ("", "0"),
                what="dunst displaying the offer",
            )
            dunstctl(dunst_env, "action", "0")  # the default action of the top bubble
            wait_for(lambda: status(env)["state"] == "in_break", what="routine started")


def test_ready_reaches_systemd_once_listening(desktop: Desktop, tmp_path: Path) -> None:
    import socket

    env = daemon_env(tmp_path, desktop.display, desktop.bus)
    sock_path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(sock_path))
        sock.settimeout(30)
        env["NOTIFY_SOCKET"] = str(sock_path)
        cfg = Path(env["XDG_CONFIG_HOME"]) / "test.toml"
        cfg.write_text("")
        log = tmp_path / "daemon.log"
        with (
            open(log, "wb") as out,
            subprocess.Popen(
                [sys.executable, "-m", "rsiguard", "run", "--config", str(cfg)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            ) as proc,
        ):
            try:
                message = sock.recv(4096).decode()
                assert "READY=1" in message.splitlines()
                assert status(env)["state"] in ("active", "idle")  # listening by then
                proc.send_signal(signal.SIGHUP)
                assert "RELOADING=1" in sock.recv(4096).decode()
                assert "READY=1" in sock.recv(4096).decode()
                proc.send_signal(signal.SIGTERM)
                assert "STOPPING=1" in sock.recv(4096).decode()
                assert proc.wait(15) == 0
            finally:
                if proc.poll() is None:
                    proc.kill()


def test_sighup_with_a_bad_file_keeps_running(desktop: Desktop, tmp_path: Path) -> None:
    env = daemon_env(tmp_path, desktop.display, desktop.bus)
    log = tmp_path / "daemon.log"
    with running_daemon(env, log=log) as proc:
        cfg = Path(env["XDG_CONFIG_HOME"]) / "test.toml"
        cfg.write_text("[breaks\n")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "invalid TOML" in log.read_text(), what="the reason in the log")
        assert str(cfg) in log.read_text()
        assert status(env)["snoozes_left"] == 2
        assert proc.poll() is None


def test_display_lost_is_reported_and_the_cli_keeps_working(tmp_path: Path) -> None:
    require("Xvfb", "dbus-daemon")
    with xvfb() as display:
        env = daemon_env(tmp_path, display, None)
        daemon = running_daemon(env)
        daemon.__enter__()
        wait_for(lambda: input_ready(env), what="input")
    try:
        # The display is gone now; the daemon must still answer and say so.
        wait_for(
            lambda: status(env).get("backends", {}).get("input", "").startswith("lost"),
            what="input reported lost",
        )
        assert cli(env, "break").returncode == 0
    finally:
        daemon.__exit__(None, None, None)


class FakeScreenSaver:
    """Owns org.freedesktop.ScreenSaver on the bus and sends ActiveChanged like a locker."""

    def __init__(self, bus: str) -> None:
        from jeepney import DBusAddress
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.conn = open_dbus_connection(bus)
        self.conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.ScreenSaver", 4))
        self.addr = DBusAddress(
            "/org/freedesktop/ScreenSaver", interface="org.freedesktop.ScreenSaver"
        )

    def active(self, locked: bool) -> None:
        from jeepney import new_signal

        self.conn.send(new_signal(self.addr, "ActiveChanged", "b", (locked,)))

    def close(self) -> None:
        self.conn.close()


def _spoof_lock(bus: str) -> None:
    """Someone who is not the screensaver claims the screen is locked."""
    from jeepney import DBusAddress, new_signal
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus) as conn:
        addr = DBusAddress("/org/freedesktop/ScreenSaver", interface="org.freedesktop.ScreenSaver")
        conn.send(new_signal(addr, "ActiveChanged", "b", (True,)))


def test_locked_screen_closes_the_offer_and_unlock_brings_it_back(
    desktop: Desktop, tmp_path: Path
) -> None:
    env = daemon_env(tmp_path, desktop.display, desktop.bus)
    fake = desktop.fake
    # A break long enough that the lock and unlock (slow on a busy machine) never last
    # as long as it: then the idle time would count as the break, and no offer return.
    with running_daemon(env, FAST_CONFIG.replace('duration = "3s"', 'duration = "9s"')):
        wait_for(lambda: status(env)["backends"]["screen_lock"] == "dbus ActiveChanged")
        offer = _wait_due(desktop, env, len(fake.calls()))
        mark = len(fake.calls())
        _spoof_lock(desktop.bus)
        saver = FakeScreenSaver(desktop.bus)
        try:
            saver.active(True)
            wait_for(lambda: status(env)["screen_locked"], what="locked")
            closes = [c for c in fake.calls()[mark:] if c["method"] == "CloseNotification"]
            assert closes and closes[0]["id"] == offer["id"]
            saver.active(False)
            wait_for(lambda: _break_offers(fake, mark), what="the offer again after unlock")
        finally:
            saver.close()
        log = (tmp_path / "home" / "daemon.log").read_text()
        assert "not the screensaver" in log  # the spoofed signal was ignored


def test_a_check_in_reminder_comes_once_statistics_are_a_week_old(
    desktop: Desktop, tmp_path: Path
) -> None:
    from rsiguard.adapters.store import MinuteRow, StatsStore

    env = daemon_env(tmp_path, desktop.display, desktop.bus)
    store = StatsStore(Path(env["XDG_STATE_HOME"]) / "rsiguard" / "stats.db")
    assert store.open()
    store.write([MinuteRow(int((time.time() - 8 * 86400) // 60), keys=5, active_s=30)], [])
    store.close()
    mark = len(desktop.fake.calls())
    with running_daemon(env):
        asks = wait_for(
            lambda: [
                c
                for c in desktop.fake.calls()[mark:]
                if c["method"] == "Notify" and c["summary"] == "How do your hands feel?"
            ],
            what="the check-in reminder",
        )
    assert isinstance(asks, list) and len(asks) == 1
    # A server with buttons gets one that opens the check-in window (no CLI hint then).
    assert "checkin" in asks[0]["actions"]
