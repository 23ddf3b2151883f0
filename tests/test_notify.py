"""The notification adapter against a fake server, real dunst, plyer and no bus at all.

Each D-Bus test gets a private bus (``session_bus``) and runs the fake server of
``tests.fakenotify`` as a subprocess. The notifier runs in ``asyncio.run``; waiting
for a condition hands ``wait_for`` to a thread so the loop keeps handling signals.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from rsiguard.adapters.notify import freedesktop as dbus_notify
from rsiguard.adapters.notify.backends import (
    LogNotifier,
    Notifier,
    PlyerNotifier,
    _backend_chain,
    open_notifier,
)
from rsiguard.adapters.notify.freedesktop import session_bus_address
from rsiguard.core.effects import Notify
from tests.desktop import dunst, dunstctl, process, session_bus, wait_for, xvfb
from tests.fakenotify import FakeNotifyClient

ROOT = Path(__file__).resolve().parents[1]
LOGGER = "rsiguard.notify"

BREAK = Notify(
    slot="break",
    title="Time for a break",
    body="Stand up & stretch",
    actions=(("start", "Start"), ("snooze", "Snooze 5 min"), ("skip", "Skip")),
    cli_hint="rsiguard start | snooze | skip",
)
NOTICE = Notify(slot="notice", title="Snoozed", body="Next break in 5 min")


class Recorder:
    """Collects the notifier's callbacks, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, ...]] = []

    def on_action(self, slot: str, key: str) -> None:
        self.events.append(("action", slot, key))

    def on_dismissed(self, slot: str) -> None:
        self.events.append(("dismissed", slot))


def child_env(addr: str) -> dict[str, str]:
    """Environment for helper processes on the private bus."""
    return {**os.environ, "DBUS_SESSION_BUS_ADDRESS": addr, "PYTHONPATH": str(ROOT)}


@contextmanager
def fake_server(
    addr: str, log: Path, *args: str
) -> Iterator[tuple[FakeNotifyClient, subprocess.Popen[bytes]]]:
    """Run ``python -m tests.fakenotify ARGS`` on ``addr`` until it owns its name."""
    argv = [sys.executable, "-m", "tests.fakenotify", *args]
    with process(argv, child_env(addr), log=log) as proc, FakeNotifyClient(addr) as fake:
        wait_for(lambda: fake.ready() or proc.poll() is not None, what="fake server")
        assert proc.poll() is None, log.read_text()
        yield fake, proc


async def until(cond: Callable[[], object], what: str) -> None:
    """Wait for ``cond`` in a thread while this loop goes on handling D-Bus signals."""
    await asyncio.to_thread(wait_for, cond, 10.0, 0.02, what)


async def open_dbus(addr: str, rec: Recorder, backend: str = "dbus") -> Notifier:
    return await open_notifier(
        backend, rec.on_action, rec.on_dismissed, {"DBUS_SESSION_BUS_ADDRESS": addr}
    )


# -- against the fake server ----------------------------------------------------------


@pytest.mark.integration
def test_actions_default_and_replacement(tmp_path: Path) -> None:
    rec = Recorder()
    with session_bus(tmp_path) as addr, fake_server(addr, tmp_path / "fake.log") as (fake, _):

        async def main() -> None:
            n = await open_dbus(addr, rec, backend="auto")
            try:
                assert n.name == "dbus: fakenotify 1.0 (actions)"
                await n.show(BREAK)
                await n.show(replace(BREAK, title="Break now", urgent=True))
                await n.show(NOTICE)
            finally:
                await n.aclose()

        asyncio.run(main())
        first, again, notice = fake.calls("Notify")

    assert first["actions"] == [
        *("start", "Start", "snooze", "Snooze 5 min", "skip", "Skip"),
        *("default", "Start"),
    ]
    assert first["summary"] == "Time for a break"
    assert first["body"] == "Stand up & stretch"  # no cli hint when there are buttons
    assert first["app_name"] == "rsiguard"
    assert (first["replaces_id"], first["expire_timeout"]) == (0, 0)
    assert first["hints"]["urgency"] == 1
    assert first["hints"]["desktop-entry"] == "rsiguard"
    assert first["hints"]["category"] == "x-rsiguard.break"
    # The application icon: a PNG shipped in the package (the servers draw it).
    icon = Path(first["app_icon"])
    assert icon.is_absolute() and icon.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The same slot replaces its bubble; another slot gets its own.
    assert (again["replaces_id"], again["id"]) == (first["id"], first["id"])
    assert again["hints"]["urgency"] == 2
    assert notice["replaces_id"] == 0 and notice["id"] != first["id"]
    assert (notice["actions"], notice["expire_timeout"]) == ([], -1)
    assert rec.events == []


@pytest.mark.integration
def test_actions_are_reported_and_foreign_ones_ignored(tmp_path: Path) -> None:
    rec = Recorder()
    with session_bus(tmp_path) as addr, fake_server(addr, tmp_path / "fake.log") as (fake, _):

        async def main() -> None:
            n = await open_dbus(addr, rec)
            try:
                await n.show(BREAK)
                nid = fake.calls("Notify")[-1]["id"]
                fake.invoke(nid, "snooze")
                fake.invoke(nid, "default")  # clicking the bubble: the first action
                fake.invoke(nid + 100, "start")  # someone else's notification
                fake.invoke(nid, "bogus")  # not one of ours
                fake.dismiss(nid)  # closing after a click is no dismissal
                # Signals from one sender arrive in order: once this dismissal is
                # reported, everything above has been handled.
                await n.show(NOTICE)
                fake.dismiss(fake.calls("Notify")[-1]["id"])
                await until(lambda: ("dismissed", "notice") in rec.events, "dismissal")
            finally:
                await n.aclose()

        asyncio.run(main())

    assert rec.events == [
        ("action", "break", "snooze"),
        ("action", "break", "start"),
        ("dismissed", "notice"),
    ]


@pytest.mark.integration
def test_dismiss_reported_close_not(tmp_path: Path) -> None:
    rec = Recorder()
    with session_bus(tmp_path) as addr, fake_server(addr, tmp_path / "fake.log") as (fake, _):

        async def main() -> None:
            n = await open_dbus(addr, rec)
            try:
                await n.show(BREAK)
                fake.dismiss(fake.calls("Notify")[-1]["id"])
                await until(lambda: rec.events, "dismissal")
                await n.show(BREAK)  # a dismissed bubble is not replaced: a new one
                await n.close("break")  # the server answers with NotificationClosed(3)
                await n.close("break")  # nothing shown any more: no call
                await n.close("notice")
                await n.show(NOTICE)  # ordering marker, as above
                fake.dismiss(fake.calls("Notify")[-1]["id"])
                await until(lambda: len(rec.events) > 1, "second dismissal")
            finally:
                await n.aclose()

        asyncio.run(main())
        first, second, _notice = fake.calls("Notify")
        closes = fake.calls("CloseNotification")

    assert rec.events == [("dismissed", "break"), ("dismissed", "notice")]
    assert second["replaces_id"] == 0 and second["id"] != first["id"]
    assert [c["id"] for c in closes] == [second["id"]]


@pytest.mark.integration
def test_server_without_actions_gets_the_cli_hint(tmp_path: Path) -> None:
    rec = Recorder()
    with (
        session_bus(tmp_path) as addr,
        fake_server(addr, tmp_path / "fake.log", "--no-actions", "--name", "mako") as (fake, _),
    ):

        async def main() -> None:
            n = await open_dbus(addr, rec)
            try:
                assert n.name == "dbus: mako 1.0 (no actions)"
                await n.show(BREAK)
            finally:
                await n.aclose()

        asyncio.run(main())
        (call,) = fake.calls("Notify")

    assert call["actions"] == []
    assert call["body"] == "Stand up & stretch\nrsiguard start | snooze | skip"


# -- degrading --------------------------------------------------------------------------


@pytest.mark.integration
def test_bus_without_server_falls_back_to_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    rec = Recorder()
    with session_bus(tmp_path) as addr:

        async def main() -> str:
            n = await open_dbus(addr, rec, backend="auto")
            try:
                await n.show(BREAK)
                await n.close("break")
                return n.name
            finally:
                await n.aclose()

        assert asyncio.run(main()) == "log"

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "ServiceUnknown" in warnings[0].getMessage()
    assert "Time for a break: Stand up & stretch" in caplog.text


@pytest.mark.parametrize("env", ["bad-address", "nothing"])
def test_no_bus_falls_back_to_log(
    env: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    environ = (
        {"DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-such-bus"}
        if env == "bad-address"
        else {"XDG_RUNTIME_DIR": str(tmp_path)}  # and no bus socket in it
    )

    async def main() -> str:
        n = await open_notifier("auto", Recorder().on_action, print, environ)
        try:
            await n.show(NOTICE)
            await n.close("notice")
            return n.name
        finally:
            await n.aclose()

    assert asyncio.run(main()) == "log"
    assert [r.levelname for r in caplog.records] == ["WARNING", "INFO"]
    assert "Snoozed: Next break in 5 min" in caplog.records[1].getMessage()


@pytest.mark.integration
def test_server_gone_and_back(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    rec = Recorder()
    with session_bus(tmp_path) as addr:

        async def main() -> None:
            with fake_server(addr, tmp_path / "fake1.log") as (fake, _):
                n = await open_dbus(addr, rec)
                await n.show(BREAK)
                assert len(fake.calls("Notify")) == 1
            # The server stopped: NameOwnerChanged tells the notifier.
            await until(lambda: n.name == "log", "notifier noticing the server left")
            await n.show(NOTICE)  # logged, does not raise
            assert "Snoozed: Next break in 5 min" in caplog.text
            with fake_server(addr, tmp_path / "fake2.log", "--no-actions") as (fake, _):
                await until(lambda: "server appeared" in caplog.text, "NameOwnerChanged")
                # Capabilities are asked again: this server has no buttons.
                await n.show(BREAK)
                assert n.name == "dbus: fakenotify 1.0 (no actions)"
                (call,) = fake.calls("Notify")
                assert call["replaces_id"] == 0  # the old server's ids mean nothing here
                assert call["body"].endswith("rsiguard start | snooze | skip")
            await n.aclose()

        asyncio.run(main())


@pytest.mark.integration
def test_hung_server_times_out_and_is_retried_later(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    monkeypatch.setattr(dbus_notify, "CALL_TIMEOUT", 0.3)
    rec = Recorder()
    with session_bus(tmp_path) as addr, fake_server(addr, tmp_path / "fake.log") as (fake, proc):

        async def main() -> None:
            n = await open_dbus(addr, rec)
            try:
                await n.show(BREAK)
                proc.send_signal(signal.SIGSTOP)
                try:
                    await n.show(NOTICE)  # times out: logged instead
                    assert n.name == "log"
                    await n.show(NOTICE)  # within RETRY_INTERVAL: not even tried
                finally:
                    proc.send_signal(signal.SIGCONT)
            finally:
                await n.aclose()

        asyncio.run(main())
        notifies = fake.calls("Notify")

    assert [c["summary"] for c in notifies] == ["Time for a break", "Snoozed"]
    assert sum(r.levelno == logging.WARNING for r in caplog.records) == 1
    assert "no reply within 0.3 s" in caplog.text
    assert caplog.text.count("Snoozed: Next break") == 2


@pytest.mark.integration
def test_bus_gone_then_reconnect(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bus dies; a new one appears at the same address (a symlink here)."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    monkeypatch.setattr(dbus_notify, "RETRY_INTERVAL", 0.0)
    link = tmp_path / "bus"
    rec = Recorder()

    def point_link_at(addr: str) -> None:
        match = re.search(r"path=([^,;]+)", addr)
        assert match
        link.unlink(missing_ok=True)
        link.symlink_to(match.group(1))

    async def main() -> None:
        with session_bus(tmp_path / "one") as addr:
            point_link_at(addr)
            with fake_server(addr, tmp_path / "fake1.log"):
                # Found through $XDG_RUNTIME_DIR/bus, DBUS_SESSION_BUS_ADDRESS unset.
                n = await open_notifier(
                    "dbus", rec.on_action, rec.on_dismissed, {"XDG_RUNTIME_DIR": str(tmp_path)}
                )
                assert n.name.startswith("dbus: fakenotify")
                await n.show(BREAK)
        await n.show(BREAK)  # both gone: logged, no exception
        assert n.name == "log"
        assert "session bus connection was lost" in caplog.text
        with session_bus(tmp_path / "two") as addr:
            point_link_at(addr)
            with fake_server(addr, tmp_path / "fake2.log") as (fake, _):
                await n.show(BREAK)
                assert n.name.startswith("dbus: fakenotify")
                (call,) = fake.calls("Notify")
                assert call["replaces_id"] == 0
        await n.aclose()

    asyncio.run(main())


# -- real dunst -------------------------------------------------------------------------


@pytest.mark.integration
def test_dunst(tmp_path: Path) -> None:
    rec = Recorder()
    with xvfb() as display, session_bus(tmp_path / "bus") as addr:
        config = "[global]\n    font = Monospace 8\n"
        with dunst(child_env(addr), display, tmp_path / "dunst", config) as env:

            async def main() -> None:
                n = await open_dbus(addr, rec)
                try:
                    assert n.name.startswith("dbus: dunst ") and n.name.endswith("(actions)")
                    await n.show(BREAK)
                    await until(lambda: dunstctl(env, "count", "displayed") == "1", "shown")
                    dunstctl(env, "action", "0")  # the default action of the top bubble
                    await until(lambda: rec.events, "ActionInvoked from dunst")
                    await n.close("break")
                    await until(lambda: dunstctl(env, "count", "displayed") == "0", "closed")
                finally:
                    await n.aclose()

            asyncio.run(main())

    assert rec.events == [("action", "break", "start")]


# -- plyer, choosing, addresses ---------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The Python dbus package is not installed")
def test_plyer_failure_falls_back_to_log(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import plyer

    caplog.set_level(logging.INFO, logger=LOGGER)
    sent: list[dict[str, object]] = []

    def ok(**kwargs: object) -> None:
        sent.append(kwargs)

    def boom(**kwargs: object) -> None:
        raise NotImplementedError("no usable implementation")

    async def main() -> list[str]:
        n = await open_notifier("plyer", print, print, {})
        assert isinstance(n, PlyerNotifier)
        names = []
        monkeypatch.setattr(plyer.notification, "notify", ok)
        await n.show(BREAK)
        names.append(n.name)
        monkeypatch.setattr(plyer.notification, "notify", boom)
        await n.show(BREAK)
        await n.show(NOTICE)
        names.append(n.name)
        await n.close("break")
        await n.aclose()
        return names

    assert asyncio.run(main()) == ["plyer", "log"]
    (kwargs,) = sent
    assert kwargs["title"] == "Time for a break"
    assert kwargs["message"] == "Stand up & stretch\nrsiguard start | snooze | skip"
    assert kwargs["app_name"] == "rsiguard"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "NotImplementedError" in warnings[0].getMessage()
    assert "Snoozed: Next break in 5 min" in caplog.text


def test_backend_choice() -> None:
    assert _backend_chain("auto", "linux") == ("dbus", "log")
    assert _backend_chain("auto", "darwin") == ("plyer", "log")
    assert _backend_chain("auto", "win32") == ("plyer", "log")
    assert _backend_chain("log", "linux") == ("log",)
    n = asyncio.run(open_notifier("log", print, print, {}))
    assert isinstance(n, LogNotifier) and n.name == "log"
    with pytest.raises(ValueError, match="unknown notification backend"):
        asyncio.run(open_notifier("growl", print, print, {}))


def test_session_bus_address(tmp_path: Path) -> None:
    import socket

    run = tmp_path / "run, user"
    run.mkdir()
    assert session_bus_address({"XDG_RUNTIME_DIR": str(run)}) is None
    (run / "bus").write_text("not a socket")
    assert session_bus_address({"XDG_RUNTIME_DIR": str(run)}) is None
    (run / "bus").unlink()
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(run / "bus"))
        found = session_bus_address({"XDG_RUNTIME_DIR": str(run)})
    # The comma and space are escaped: the address stays parseable.
    assert found == f"unix:path={tmp_path}/run%2c%20user/bus"
    explicit = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x", "XDG_RUNTIME_DIR": str(run)}
    assert session_bus_address(explicit) == "unix:path=/x"


# -- server quirks (rsiguard.adapters.notify.quirks), one test per row ------------------------

STEP = Notify(
    slot="break",
    title="Step 1 of 3",
    body="Spread your fingers.",
    actions=(("next", "Next"), ("stop", "Stop")),
)


def _quirk_run(tmp_path: Path, *server: str) -> list[dict[str, Any]]:
    """Offer, step (other actions), close: the calls the server saw."""
    rec = Recorder()
    with (
        session_bus(tmp_path) as addr,
        fake_server(addr, tmp_path / "f.log", *server) as (
            fake,
            _,
        ),
    ):

        async def main() -> None:
            n = await open_dbus(addr, rec)
            try:
                await n.show(BREAK)
                await n.show(STEP)
                await n.close("break")
            finally:
                await n.aclose()

        asyncio.run(main())
        return [c for c in fake.calls() if c["method"] in ("Notify", "CloseNotification")]


@pytest.mark.integration
def test_quirk_gnome_notification_daemon_closes_by_an_expiring_bubble(tmp_path: Path) -> None:
    _offer, step, close = _quirk_run(tmp_path, "--name", "Notification Daemon", "--vendor", "GNOME")
    # CloseNotification leaves a ghost there: the bubble is replaced by one that expires.
    assert close["method"] == "Notify" and close["replaces_id"] == step["id"]
    assert close["expire_timeout"] == 500 and close["actions"] == []


@pytest.mark.integration
def test_quirk_mate_notification_daemon_needs_nothing(tmp_path: Path) -> None:
    offer, step, close = _quirk_run(tmp_path, "--name", "Notification Daemon", "--vendor", "MATE")
    assert close["method"] == "CloseNotification" and close["id"] == step["id"]
    assert offer["actions"][-2:] == ["default", "Start"] and step["replaces_id"] == offer["id"]


@pytest.mark.integration
def test_quirk_lxqt_gets_a_new_bubble_for_new_actions_and_no_default(tmp_path: Path) -> None:
    calls = _quirk_run(tmp_path, "--name", "lxqt-notificationd", "--vendor", "lxqt.org")
    offer, closed, step, close = calls
    assert "default" not in offer["actions"] and len(offer["actions"]) == 6  # three buttons
    assert all(" " not in label for label in offer["actions"][1::2])  # one-word labels
    assert offer["app_icon"] == "" and step["app_icon"] == ""  # the text keeps its width
    assert closed == {**closed, "method": "CloseNotification", "id": offer["id"]}
    assert step["method"] == "Notify" and step["replaces_id"] == 0
    assert close["method"] == "CloseNotification" and close["id"] == step["id"]


@pytest.mark.integration
def test_quirk_xfce_gets_an_unlabelled_default(tmp_path: Path) -> None:
    offer, _step, _close = _quirk_run(tmp_path, "--name", "Xfce Notify Daemon", "--vendor", "Xfce")
    assert offer["actions"][-2:] == ["default", ""]


def _buttons(tmp_path: Path, *server: str) -> bool:
    """Whether the notifier says the server shows our buttons (what auto's offer follows)."""
    with (
        session_bus(tmp_path) as addr,
        fake_server(addr, tmp_path / "f.log", *server),
    ):

        async def main() -> bool:
            n = await open_dbus(addr, Recorder())
            try:
                await n.prepare()
                return n.buttons
            finally:
                await n.aclose()

        return asyncio.run(main())


@pytest.mark.integration
def test_quirk_dunst_hides_its_actions_so_offers_get_the_window(tmp_path: Path) -> None:
    assert not _buttons(tmp_path / "dunst", "--name", "dunst", "--vendor", "knopwob")
    assert _buttons(tmp_path / "mate", "--name", "Notification Daemon", "--vendor", "MATE")
    assert not _buttons(tmp_path / "none", "--no-actions")


def test_offer_by_window_follows_the_setting_and_the_display() -> None:
    from rsiguard.daemon.faces import offer_by_window

    assert offer_by_window("auto", buttons=False, display=True)
    assert not offer_by_window("auto", buttons=True, display=True)
    assert offer_by_window("window", buttons=True, display=True)
    assert not offer_by_window("bubble", buttons=False, display=True)
    # No display: nothing to open a window on, the bubble (or log) names the commands.
    assert not offer_by_window("window", buttons=False, display=False)


def test_the_offer_window_reads_only_a_due_offer() -> None:
    from rsiguard.faces.offer_window import buttons_of, offer_of

    offer = {"title": "T", "body": "B", "actions": [["start", "Start routine"], ["skip", "Skip"]]}
    assert offer_of({"state": "due", "offer": offer}) == offer
    assert offer_of({"state": "in_break", "offer": offer}) is None
    assert offer_of({"state": "due", "offer": None}) is None
    assert offer_of("garbage") is None
    # Unknown or malformed actions are left out rather than drawn as buttons.
    odd = {"actions": [["start", "Start"], ["rm", "Remove"], ["skip"], "x", ["skip", "Skip"]]}
    assert buttons_of(odd) == [("start", "Start"), ("skip", "Skip")]


@pytest.mark.integration
def test_quirk_dunst_still_gets_the_actions_and_names_the_commands(tmp_path: Path) -> None:
    """Its menu (with dmenu) can reach the actions; the bubble names the commands too."""
    offer, _step, _close = _quirk_run(tmp_path, "--name", "dunst", "--vendor", "knopwob")
    assert offer["actions"][:2] == ["start", "Start"]
    assert offer["body"].endswith(BREAK.cli_hint)


def test_short_labels_keep_short_ones_whole() -> None:
    from rsiguard.adapters.notify.freedesktop import _short

    assert [_short(x) for x in ("Start routine", "Snooze 5 min", "Skip", "Check in", "")] == [
        "Start",
        "Snooze",
        "Skip",
        "Check in",
        "",
    ]
