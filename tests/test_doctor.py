"""``rsiguard doctor``: a plain report of what rsiguard uses here, exit 0, in seconds."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from rsiguard.adapters.input import evdev
from rsiguard.faces.cli import main
from tests.desktop import dbusmock, logind_mock, session_bus
from tests.test_gnome import mutter


@pytest.fixture(autouse=True)
def no_devices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nodev").mkdir()
    monkeypatch.setattr(evdev, "DEV_DIR", tmp_path / "nodev")
    monkeypatch.setattr("rsiguard.adapters.input.busconn.SYSTEM_BUS", str(tmp_path / "nobus"))


def doctor(env: dict[str, str], *args: str) -> str:
    out = io.StringIO()
    t0 = time.monotonic()
    assert main(["doctor", *args], env, out, io.StringIO()) == 0
    assert time.monotonic() - t0 < 5.0
    return out.getvalue()


def test_no_display_no_bus_says_so(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin", "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path)}
    text = doctor(env)
    assert "session:        console (no display variables)" in text
    assert "nothing usable" in text
    assert f"no  evdev    [counts] no keyboard or pointer in {tmp_path}/nodev" in text
    assert "no  logind   [activity] no system bus" in text
    assert "session bus:    none" in text
    assert "daemon:         not running" in text
    assert "rsiguard cannot see your input" in text
    data = json.loads(doctor(env, "--json"))
    assert data["input"]["chosen"] is None and data["input"]["candidates"] == ["evdev", "logind"]
    assert data["session_bus"] == {"bus": "none"}


def test_wayland_session_never_probes_x(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin", "HOME": str(tmp_path), "WAYLAND_DISPLAY": "wayland-0"}
    env["DISPLAY"] = ":9999"  # Xwayland's: must not be connected to (it may be lazy)
    data = json.loads(doctor(env, "--json"))
    xrecord = next(p for p in data["input"]["probes"] if p["name"] == "xrecord")
    assert not xrecord["usable"] and "Xwayland" in xrecord["detail"]
    assert data["session"]["kind"] == "wayland"


@pytest.mark.integration
def test_gnome_with_logind_and_a_notification_server(tmp_path: Path) -> None:
    with (
        session_bus(tmp_path / "bus") as address,
        mutter(address, tmp_path),
        dbusmock(address, ["-t", "notification_daemon"], tmp_path, "org.freedesktop.Notifications"),
        logind_mock(tmp_path) as system,
    ):
        env = {
            "PATH": "/usr/bin",
            "HOME": str(tmp_path),
            "DBUS_SESSION_BUS_ADDRESS": address,
            "DBUS_SYSTEM_BUS_ADDRESS": system,
            "XDG_SESSION_TYPE": "wayland",
            "WAYLAND_DISPLAY": "wayland-0",
            "XDG_CURRENT_DESKTOP": "GNOME",
            "XDG_SESSION_ID": "c1",
        }
        text = doctor(env)
        assert "uses gnome: activity only (active time; intensity unknown)" in text
        assert "ok  gnome    [activity] org.gnome.Mutter.IdleMonitor owned by :1." in text
        assert "ok  logind   [activity] logind :1." in text
        assert "notifications:  " in text and "no server running" not in text
        assert "gnome gives active time only (intensity unknown); join the 'input' group" in text
        data = json.loads(doctor(env, "--json"))
        assert data["input"]["chosen"] == "gnome"
        assert data["input"]["candidates"] == ["evdev", "gnome", "wayland", "logind"]
        assert data["session_bus"]["notifications"]["name"]
