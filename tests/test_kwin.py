"""The wayland input backend against a real KWin (``kwin_wayland --virtual``).

KWin 5.27 offers both ``ext_idle_notifier_v1`` and ``org_kde_kwin_idle``, so this is
where the ext path runs for real on Debian 12 (its sway offers only the KDE one).
Recipe from the harness notes §3: a copy of the binary (the packaged one has file
capabilities that exec refuses here), the test user, a hermetic session bus, input
through ``org_kde_kwin_fake_input`` (KWin lists it only to clients of its own user,
with ``KWIN_WAYLAND_NO_PERMISSION_CHECKS=1``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rsiguard.adapters.input.wayland import IdleClient
from tests.desktop import _BUS_CONFIG, require, wait_for
from tests.test_activity import Harness
from tests.test_wayland import USER, _user, no_other_sources, runtime, supervisor_window

__all__ = ["no_other_sources", "runtime"]  # fixtures shared with test_wayland
pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parent.parent
SOCKET = "wayland-kw"
INJECT = """
import struct, sys
from rsiguard.adapters.input.wayland import IdleClient, _string
f = IdleClient(sys.argv[1]); found = f.globals()
name, version = found["org_kde_kwin_fake_input"]
f._bind(name, "org_kde_kwin_fake_input", min(version, 4), 4)  # new ids come in order
f._send(4, 0, _string("rsiguard tests") + _string("inject input"))  # authenticate
for what in sys.argv[2:]:
    if what == "key":  # keyboard_key(KEY_A, pressed), then released
        f._send(4, 10, struct.pack("=II", 30, 1)); f._send(4, 10, struct.pack("=II", 30, 0))
    else:  # pointer_motion(10.0, 0.0) in wl_fixed
        f._send(4, 1, struct.pack("=ii", 10 * 256, 0))
f._send(1, 0, struct.pack("=I", 5))  # sync: return once KWin has handled all of it
while not any(obj == 5 for obj, _, _ in f._events()):
    pass
"""


@contextmanager
def kwin(runtime: Path) -> Iterator[Path]:
    """kwin_wayland --virtual as the test user; yields its socket path. Retried once."""
    require("kwin_wayland", "dbus-run-session")
    _user()
    user = pwd.getpwnam(USER)
    binary = runtime / "kwin_wayland"
    shutil.copy(shutil.which("kwin_wayland") or "", binary)  # a copy has no file caps
    (runtime / "bus.conf").write_text(_BUS_CONFIG.format(dir=runtime))
    # The injector runs as the test user, who may not be able to read this checkout.
    shutil.copytree(REPO / "rsiguard", runtime / "pkg" / "rsiguard", dirs_exist_ok=True)
    for path in (binary, runtime / "bus.conf", *runtime.joinpath("pkg").rglob("*")):
        os.chown(path, user.pw_uid, user.pw_gid)
    os.chown(runtime / "pkg", user.pw_uid, user.pw_gid)
    argv = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
            "env", "-i", "PATH=/usr/bin:/bin", f"HOME={runtime}", f"XDG_RUNTIME_DIR={runtime}",
            "QT_QPA_PLATFORM=offscreen", "KWIN_WAYLAND_NO_PERMISSION_CHECKS=1",
            "dbus-run-session", f"--config-file={runtime / 'bus.conf'}", "--", str(binary),
            "--virtual", "--no-lockscreen", "--socket", SOCKET, "--width", "1280",
            "--height", "800"]  # fmt: skip
    sock = runtime / SOCKET
    for attempt in (1, 2):
        log = runtime.parent / f"{runtime.name}-kwin-{attempt}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            wait_for(lambda: sock.exists() and _answers(sock), timeout=15, what="KWin's socket")
        except AssertionError:
            _kill(proc)
            if attempt == 2:
                raise AssertionError(f"kwin did not start: {log.read_text()[-3000:]}") from None
            continue
        try:
            yield sock
        finally:
            _kill(proc)
            log.unlink(missing_ok=True)
        return


def _answers(sock: Path) -> bool:
    try:
        client = IdleClient(str(sock))
    except OSError:
        return False
    try:
        return "ext_idle_notifier_v1" in client.globals()
    except OSError:
        return False
    finally:
        client.close()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Stop the whole process group (dbus-run-session, its bus, KWin)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(5)
            return
        except subprocess.TimeoutExpired:
            continue


def inject(sock: Path, *what: str) -> None:
    """Fake input as the test user (KWin hides fake_input from other users' clients)."""
    user = pwd.getpwnam(USER)
    argv = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
            "env", "-i", f"PYTHONPATH={sock.parent / 'pkg'}", "/usr/bin/python3", "-c", INJECT,
            str(sock), *what]  # fmt: skip
    subprocess.run(argv, check=True, timeout=20, capture_output=True)


def test_kwin_offers_both_and_ext_is_chosen(runtime: Path) -> None:
    with kwin(runtime) as sock:
        client = IdleClient(str(sock))
        try:
            assert client.watch(500) == "ext_idle_notifier_v1 v1"
            assert client.next_change() is False  # idled
            inject(sock, "key")
            assert client.next_change() is True  # resumed on a key
            assert client.next_change() is False
            inject(sock, "move")
            assert client.next_change() is True  # resumed on pointer motion
        finally:
            client.close()


@pytest.mark.usefixtures("no_other_sources")
def test_auto_on_kwin_counts_active_time_not_idle_time(runtime: Path) -> None:
    with kwin(runtime) as sock:
        env = {"PATH": "/usr/bin", "XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": str(sock)}
        h = Harness(env)
        try:
            h.call(h.monitor.start)
            want = f"wayland (Wayland {sock}): activity only"
            wait_for(lambda: h.status() == want, what="wayland chosen")
            time.sleep(2.2)
            assert supervisor_window(h, 2.0) == (0, 0)
            n = len(h.posts)
            for what in ("key", "move", "key"):
                inject(sock, what)
                time.sleep(0.6)
            wait_for(lambda: len(h.posts) >= n + 2, what="active time from fake input")
        finally:
            assert h.close() < 1.0
