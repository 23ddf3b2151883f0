"""The systemd user unit, the XDG autostart entry and the sd_notify adapter."""

from __future__ import annotations

import configparser
import logging
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from rsiguard.adapters import systemd
from tests.desktop import require, wait_for

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "systemd" / "rsiguard.service"
DESKTOP = ROOT / "systemd" / "rsiguard.desktop"


def _ini(path: Path) -> configparser.ConfigParser:
    """Parse a unit or desktop file: repeated keys allowed, case kept, no interpolation."""
    cp = configparser.ConfigParser(strict=False, interpolation=None)
    cp.optionxform = str  # type: ignore[assignment,method-assign]
    cp.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return cp


# --- the unit -------------------------------------------------------------------------


def _verify(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze verify --user`` in a throwaway home and runtime dir.

    verify checks that ExecStart's binary exists: the shipped unit runs
    ``%h/.local/bin/rsiguard``, so a stand-in executable goes there in the fake home.
    """
    home = tmp_path / "home"
    bindir = home / ".local" / "bin"
    bindir.mkdir(parents=True)
    fake = bindir / "rsiguard"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    runtime.chmod(0o700)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "LANG": "C.UTF-8",
        "SYSTEMD_PAGER": "",
        "SYSTEMD_COLORS": "0",
    }
    return subprocess.run(
        ["systemd-analyze", "verify", "--user", str(unit)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    require("systemd-analyze")
    res = _verify(UNIT, tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stderr == "", res.stderr


def test_verify_would_catch_a_bad_key(tmp_path: Path) -> None:
    """verify exits 0 on unknown keys, so the test above must look at stderr: prove it can."""
    require("systemd-analyze")
    bad = tmp_path / "rsiguard.service"
    bad.write_text(UNIT.read_text().replace("\n[Service]\n", "\n[Service]\nRestartSecs=5\n", 1))
    res = _verify(bad, tmp_path)
    assert "RestartSecs" in res.stderr


def test_unit_is_a_notify_service_bound_to_the_graphical_session() -> None:
    unit = _ini(UNIT)
    service = unit["Service"]
    assert service["Type"] == "notify"
    assert service["Restart"] == "on-failure"
    assert "6" in service["RestartPreventExitStatus"].split()
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert service["ExecStart"].split()[-1] == "run"
    # Not $HOME, where a checkout named rsiguard/ could shadow the package.
    assert service["WorkingDirectory"] == "/"
    assert unit["Unit"]["PartOf"] == "graphical-session.target"
    assert unit["Unit"]["After"] == "graphical-session.target"
    assert unit["Install"]["WantedBy"] == "graphical-session.target"
    # The control socket may live under /tmp; a watchdog would kill a busy daemon.
    assert "PrivateTmp" not in service
    assert "WatchdogSec" not in service


# --- the autostart entry --------------------------------------------------------------


def test_desktop_entry_defers_to_systemd() -> None:
    entry = _ini(DESKTOP)["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "rsiguard"
    assert entry["Exec"] == "rsiguard run"
    assert entry["X-GNOME-HiddenUnderSystemd"] == "true"
    assert entry["X-GNOME-Autostart-enabled"] == "true"
    assert entry["NoDisplay"] == "true"
    assert entry["Comment"]


def test_desktop_entry_validates() -> None:
    require("desktop-file-validate")  # fails in CI, skips elsewhere
    res = subprocess.run(
        ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, timeout=30
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout + res.stderr == ""


# --- sd_notify ------------------------------------------------------------------------


def _receiver(sock: socket.socket) -> bytes:
    """The next datagram on ``sock`` (non-blocking), polled with wait_for."""

    def poll() -> bytes | None:
        try:
            return sock.recv(4096)
        except BlockingIOError:
            return None

    got = wait_for(poll, timeout=5, what="a datagram on the notify socket")
    assert isinstance(got, bytes)
    return got


@pytest.fixture
def path_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    """A datagram socket bound to a file in tmp_path, and its NOTIFY_SOCKET value."""
    path = tmp_path / "notify.sock"
    assert len(os.fsencode(path)) < 100, "AF_UNIX path too long"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.setblocking(False)
        yield sock, str(path)


@pytest.fixture
def abstract_socket() -> Iterator[tuple[socket.socket, str]]:
    """A datagram socket in the abstract namespace, and its ``@name`` NOTIFY_SOCKET value."""
    name = f"rsiguard-test-{os.getpid()}-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.setblocking(False)
        yield sock, "@" + name


def test_ready_reaches_a_path_socket(path_socket: tuple[socket.socket, str]) -> None:
    sock, addr = path_socket
    assert systemd.ready({"NOTIFY_SOCKET": addr}, status="watching") is True
    assert _receiver(sock) == b"READY=1\nSTATUS=watching"


def test_ready_reaches_an_abstract_socket(abstract_socket: tuple[socket.socket, str]) -> None:
    sock, addr = abstract_socket
    assert systemd.ready({"NOTIFY_SOCKET": addr}) is True
    assert _receiver(sock).split(b"\n")[0] == b"READY=1"


def test_other_states(path_socket: tuple[socket.socket, str]) -> None:
    sock, addr = path_socket
    env = {"NOTIFY_SOCKET": addr}
    assert systemd.reloading(env, 123456789)
    assert _receiver(sock) == b"RELOADING=1\nMONOTONIC_USEC=123456789"
    assert systemd.status(env, "break in 5 min")
    assert _receiver(sock) == b"STATUS=break in 5 min"
    assert systemd.stopping(env)
    assert _receiver(sock) == b"STOPPING=1"
    assert systemd.notify("EXTEND_TIMEOUT_USEC=1000000", env)
    assert _receiver(sock) == b"EXTEND_TIMEOUT_USEC=1000000"


def test_reloading_defaults_to_now(path_socket: tuple[socket.socket, str]) -> None:
    sock, addr = path_socket
    before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    assert systemd.reloading({"NOTIFY_SOCKET": addr})
    after = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    lines = _receiver(sock).decode().split("\n")
    assert lines[0] == "RELOADING=1"
    key, _, usec = lines[1].partition("=")
    assert key == "MONOTONIC_USEC"
    assert before <= int(usec) <= after


def test_status_text_cannot_add_assignments(path_socket: tuple[socket.socket, str]) -> None:
    sock, addr = path_socket
    assert systemd.ready({"NOTIFY_SOCKET": addr}, status="ok\nSTOPPING=1")
    assert _receiver(sock) == b"READY=1\nSTATUS=ok STOPPING=1"


def test_no_notify_socket_is_a_quiet_no(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="rsiguard.adapters.systemd")
    assert systemd.ready({}) is False
    assert systemd.notify("READY=1", {"NOTIFY_SOCKET": ""}) is False
    assert systemd.stopping({"HOME": "/nonexistent"}) is False
    assert caplog.records == []


@pytest.mark.parametrize(
    "addr",
    [
        "/nonexistent/rsiguard/notify.sock",
        "@rsiguard-test-nobody-listens",  # completed with the pid in the test
        "relative/notify.sock",
        "vsock:2:1234",
        "/tmp/with\0nul",
    ],
)
def test_unreachable_socket_returns_false(addr: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="rsiguard.adapters.systemd")
    if addr.startswith("@"):  # an abstract name no one else can be using
        addr = f"{addr}-{os.getpid()}-{uuid.uuid4().hex}"
    assert systemd.ready({"NOTIFY_SOCKET": addr}) is False
    assert caplog.records, "a failed notification is logged at DEBUG"
    assert all(r.levelno == logging.DEBUG for r in caplog.records)


def test_a_file_that_is_not_a_socket_returns_false(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_text("")
    assert systemd.ready({"NOTIFY_SOCKET": str(plain)}) is False
