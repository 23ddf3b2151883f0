"""A real ``gnome-shell --headless`` for tests, on hermetic buses (harness notes §2.2).

What it needs, and why (each measured in ../shared/research/desktop-harness.md):

- a **session bus** with no standard service directories, only a private one holding
  ``org.gnome.Shell.Notifications.service`` (the gjs helper that owns
  ``org.freedesktop.Notifications``) and ``org.gnome.ScreenSaver.service`` (the gjs
  helper that owns ``org.gnome.ScreenSaver``), so nothing else installed on the machine
  is ever activated;
- a second bus standing in for the **system bus**, with python-dbusmock's logind
  (gnome-shell picks systemd-logind when ``/run/systemd/seats`` exists, and dies
  without it) holding session ``c1`` of this user (``XDG_SESSION_ID=c1``);
- a **GDM stand-in** (``org.gnome.DisplayManager`` with ``Version`` >= 3.5.91 and
  ``RegisterSession``): without it ``LoginManager.canLock()`` is false and the shell
  has no screen shield (no ``org.gnome.Shell.ScreenShield``).

gnome-shell 43.9 hung right after startup in 2 of 8 runs here (1 of 6 in the harness
notes): its main thread waits in ``g_spawn_async`` for a forked child that deadlocked
running the JS ``child_setup`` of the ``ibus-daemon`` spawn (gdb, both times), just
after it owned its names; once it stayed hung for 28 s, once it went on after 3 s. The
shell skips that spawn only when it runs in a systemd user unit (``sd_pid_get_user_unit``
on its own cgroup), which a test cannot arrange without touching the machine's cgroups.
So a start counts only once the names are owned *and* the shell keeps answering for a
while (``STEADY``). When it stops answering, the harness kills the shell's stuck fork
(a child still running the gnome-shell binary): ``g_spawn_async`` then fails, the shell
logs "Failed to launch ibus-daemon" as it does when ibus is not installed, and goes on;
it must answer again for ``STEADY``. A start that still hangs is killed and retried
once, then the test fails with its log.
Everything runs in process groups of its own and is killed with them; the gjs helpers
that D-Bus activation started are found by their bus names and stopped too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jeepney import (  # type: ignore[import-untyped, unused-ignore]
    DBusAddress,
    HeaderFields,
    message_bus,
    new_method_call,
)
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped, unused-ignore]
from jeepney.wrappers import unwrap_msg  # type: ignore[import-untyped, unused-ignore]

from tests.desktop import (
    _read_fd_line,
    busctl,
    dbusmock,
    has_owner,
    logind_mock,
    require,
    wait_for,
)

SHELL = "org.gnome.Shell"
SHIELD = "org.gnome.Shell.ScreenShield"
SAVER = "org.gnome.ScreenSaver"
NOTIFICATIONS = "org.freedesktop.Notifications"
GDM = "org.gnome.DisplayManager"
SERVICES = ("org.gnome.Shell.Notifications.service", "org.gnome.ScreenSaver.service")
SERVICE_DIR = Path("/usr/share/dbus-1/services")
#: gnome-shell is up in about a second here; 20 s is ample on a loaded 2-core machine.
START_TIMEOUT = 20.0
#: How long the shell must keep answering after it owns its names (the ibus spawn, the
#: only hang seen, comes within half a second of them).
STEADY = 1.5

_SESSION_CONFIG = """<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@dataclass
class Shell:
    """A running gnome-shell: its buses, its environment, its log."""

    session: str  # session bus address
    system: str  # the stand-in system bus's address
    env: dict[str, str]  # gnome-shell's environment (runtime dir, buses, session id)
    log: Path
    proc: subprocess.Popen[bytes]

    def call(self, *args: str, system: bool = False) -> str:
        """``busctl call ARGS`` on the session bus (or the stand-in system bus)."""
        return busctl(self.system if system else self.session, "call", *args)

    def owner_pid(self, name: str) -> int | None:
        """The pid of ``name``'s owner on the session bus, or None."""
        try:
            bus = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
            out = self.call(*bus, "GetConnectionUnixProcessID", "s", name)
        except subprocess.CalledProcessError:
            return None
        return int(out.split()[1])

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group ``proc`` leads, then SIGKILL what is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


@contextmanager
def activating_bus(tmp: Path) -> Iterator[str]:
    """A hermetic session bus that can activate only the two gnome-shell helpers."""
    require("dbus-daemon")
    tmp.mkdir(parents=True, exist_ok=True)
    services = tmp / "services"
    services.mkdir(exist_ok=True)
    for name in SERVICES:
        src = SERVICE_DIR / name
        assert src.is_file(), f"{src} is missing: apt-get install -y gnome-shell"
        shutil.copy(src, services / name)
    conf = tmp / "bus.conf"
    conf.write_text(_SESSION_CONFIG.format(dir=tmp, services=services))
    r, w = os.pipe()
    # Activated helpers inherit the bus's environment: keep them inside tmp too.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "XDG_RUNTIME_DIR": str(tmp)}
    proc = subprocess.Popen(
        ["dbus-daemon", f"--config-file={conf}", "--nofork", f"--print-address={w}"],
        pass_fds=(w,),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.close(w)
    try:
        yield _read_fd_line(r, 20)
    finally:
        os.close(r)
        _kill_group(proc)


@contextmanager
def gdm_mock(system: str, tmp: Path) -> Iterator[None]:
    """A GDM stand-in: ``LoginManager.canLock()`` asks for its Version (>= 3.5.91)."""
    path = "/org/gnome/DisplayManager/Manager"
    iface = "org.gnome.DisplayManager.Manager"
    tmp.mkdir(parents=True, exist_ok=True)
    with dbusmock(system, [GDM, path, iface], tmp, GDM, system=True):
        mock = (GDM, path, "org.freedesktop.DBus.Mock")
        busctl(system, "call", *mock, "AddProperty", "ssv", "", "Version", "s", "43.0")
        busctl(system, "call", *mock, "AddMethod", "sssss", "", "RegisterSession", "a{sv}", "", "")
        yield


def _answers(session: str) -> bool:
    """Whether the shell answers a call within 2 s (a hung main loop does not)."""
    argv = ["busctl", f"--address={session}", "--timeout=2", "call", SHIELD,
            "/org/gnome/ScreenSaver", SAVER, "GetActive"]  # fmt: skip
    try:
        return subprocess.run(argv, capture_output=True, timeout=10).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def _stuck_forks(shell: int) -> list[int]:
    """The shell's children that are still the shell binary: forks that never got to exec.

    (See the module docstring: the ibus-daemon spawn's child deadlocks before its exec.
    Nothing else the shell starts here runs as gnome-shell.)
    """
    binary = os.path.realpath(shutil.which("gnome-shell") or "gnome-shell")
    forks = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            exe = os.readlink(entry / "exe")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == shell and exe == binary:
            forks.append(int(entry.name))
    return forks


def _start(session: str, system: str, tmp: Path, attempt: int) -> Shell | None:
    """One try at starting gnome-shell; None (after killing it) if it does not come up."""
    runtime = tmp / f"runtime-{attempt}"
    runtime.mkdir(mode=0o700)
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_SESSION_ID": "c1",
        "XDG_SESSION_TYPE": "wayland",
        "XDG_CURRENT_DESKTOP": "GNOME",
        "GSETTINGS_BACKEND": "memory",  # the schema defaults, and nothing written
        "DBUS_SESSION_BUS_ADDRESS": session,
        "DBUS_SYSTEM_BUS_ADDRESS": system,
    }
    log = tmp / f"gnome-shell-{attempt}.log"
    argv = ["gnome-shell", "--headless", "--wayland", "--no-x11", "--virtual-monitor", "1280x800"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    shell = Shell(session, system, env, log, proc)

    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"gnome-shell exited {proc.returncode}")
        return all(has_owner(session, n) for n in (SHELL, SHIELD, NOTIFICATIONS))

    try:
        wait_for(up, timeout=START_TIMEOUT, interval=0.1, what="gnome-shell's names")
        steady, unstuck = time.monotonic() + STEADY, False
        while time.monotonic() < steady:
            if not _answers(session):
                forks = [] if unstuck else _stuck_forks(proc.pid)
                if not forks:
                    raise AssertionError("gnome-shell owns its names but stopped answering")
                for pid in forks:  # the shell's own fork, stuck before its exec
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                unstuck = True
                with log.open("a") as note:
                    note.write(f"\n[test harness: killed the stuck fork(s) {forks}]\n")
                steady = time.monotonic() + STEADY  # and it must answer again
            time.sleep(0.2)
    except AssertionError as exc:
        (tmp / f"gnome-shell-{attempt}.why").write_text(str(exc))
        _kill_group(proc)
        return None
    return shell


@contextmanager
def gnome_shell(tmp: Path) -> Iterator[Shell]:
    """gnome-shell headless with its stand-ins, retried once; fails with its log."""
    require("gnome-shell", "gjs", "busctl")
    tmp.mkdir(parents=True, exist_ok=True)
    with logind_mock(tmp / "logind") as system, gdm_mock(system, tmp / "gdm"):
        for attempt in (1, 2):
            with activating_bus(tmp / f"bus-{attempt}") as session:
                shell = _start(session, system, tmp, attempt)
                if shell is None:
                    if attempt == 2:
                        why = (tmp / "gnome-shell-2.why").read_text()
                        log = (tmp / "gnome-shell-2.log").read_text(errors="replace")
                        raise AssertionError(
                            f"gnome-shell did not start twice ({why}); log:\n{log[-4000:]}"
                        )
                    continue
                helpers: set[int] = set()
                try:
                    yield shell
                finally:
                    helpers = {p for n in (NOTIFICATIONS, SAVER) if (p := shell.owner_pid(n))}
                    _kill_group(shell.proc)
                    _stop_helpers(helpers)
                return


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _stop_helpers(pids: set[int]) -> None:
    """Stop the gjs helpers D-Bus activation started, while their bus still reaps them.

    (Once the bus is gone they belong to PID 1, which here reaps nobody.)
    """
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    with contextlib.suppress(AssertionError):
        wait_for(lambda: all(_gone(p) for p in pids), timeout=5, what="the helpers to end")
    for pid in [p for p in pids if not _gone(p)]:  # only those still there
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


class BusWatch:
    """Everything said to or by ``org.freedesktop.Notifications`` on a bus, as it happens.

    A monitor connection (``BecomeMonitor``, as dbus-monitor does) read on a thread:
    ``messages`` holds ``(member, body)`` of each Notify call and each ActionInvoked,
    NotificationClosed signal, in order.
    """

    def __init__(self, address: str) -> None:
        self.messages: list[tuple[str, tuple[Any, ...]]] = []
        self._conn: Any = open_dbus_connection(address)
        rules = [
            "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
            "type='signal',interface='org.freedesktop.Notifications'",
        ]
        monitoring = DBusAddress(
            "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus",
            interface="org.freedesktop.DBus.Monitoring",
        )  # fmt: skip
        msg = new_method_call(monitoring, "BecomeMonitor", "asu", (rules, 0))
        unwrap_msg(self._conn.send_and_get_reply(msg, timeout=5))
        self._thread = threading.Thread(target=self._read, daemon=True, name="bus-watch")
        self._thread.start()

    def _read(self) -> None:
        with contextlib.suppress(Exception):  # the connection closed: done
            while True:
                msg = self._conn.receive()
                member = msg.header.fields.get(HeaderFields.member)
                self.messages.append((str(member), tuple(msg.body)))

    def of(self, member: str) -> list[tuple[Any, ...]]:
        return [body for m, body in list(self.messages) if m == member]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)
        self._conn.close()


def screenshot(shell: Shell, path: Path) -> Path:
    """A picture of the whole screen, taken by the shell (``org.gnome.Shell.Screenshot``).

    The shell answers only the callers it trusts, by bus name; this connection owns
    ``org.gnome.Screenshot`` (gnome-screenshot's name, on the shell's allow list) for the
    call, on the test's private bus.
    """
    conn: Any = open_dbus_connection(shell.session)
    try:
        unwrap_msg(conn.send_and_get_reply(message_bus.RequestName("org.gnome.Screenshot")))
        shot = DBusAddress("/org/gnome/Shell/Screenshot", bus_name="org.gnome.Shell.Screenshot",
                           interface="org.gnome.Shell.Screenshot")  # fmt: skip
        call = new_method_call(shot, "Screenshot", "bbs", (False, False, str(path)))
        ok, _used = unwrap_msg(conn.send_and_get_reply(call, timeout=10))
        assert ok, f"the shell took no screenshot to {path}"
    finally:
        conn.close()
    return path


def grey(png: Path, x: int, y: int, width: int, height: int) -> list[list[int]]:
    """The grey levels (0-255) of an area of a PNG, row by row (ImageMagick)."""
    raw = subprocess.run(
        ["convert", str(png), "-crop", f"{width}x{height}+{x}+{y}", "+repage",
         "-colorspace", "gray", "-depth", "8", "gray:-"],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    assert len(raw) == width * height, f"a {width}x{height} crop came back {len(raw)} bytes"
    return [list(raw[r * width : (r + 1) * width]) for r in range(height)]
