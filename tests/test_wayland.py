"""The wayland input backend against a real headless sway, run as a non-root test user.

sway refuses to run as root; it runs as ``rsitest`` (created here when missing, as the
security tests do) with its own 0700 runtime directory, Xwayland disabled. Keys come
from ``wtype`` (virtual-keyboard-v1), which reaches the compositor's idle logic.
Debian 12's sway 1.7 offers ``org_kde_kwin_idle``; sway 1.9+ offers only
``ext_idle_notifier_v1``: the backend picks whichever the compositor lists.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pwd
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rsiguard.adapters.input import evdev
from rsiguard.adapters.input.wayland import IdleClient
from rsiguard.faces.cli import main
from tests.desktop import require, session_bus, wait_for
from tests.test_activity import Harness, _switches

pytestmark = pytest.mark.integration
USER = "rsitest"
CONFIG = "xwayland disable\noutput HEADLESS-1 resolution 1280x800\nseat seat0 fallback true\n"


def _user() -> pwd.struct_passwd:
    if os.getuid() != 0:
        pytest.skip("sway needs a second user to run as (CI runs as root)")
    require("sway", "wtype", "setpriv", "useradd")
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        argv = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER]
        subprocess.run(argv, check=True)
        return pwd.getpwnam(USER)


@pytest.fixture
def runtime() -> Iterator[Path]:
    """A 0700 runtime directory of the test user (sway's socket appears in it)."""
    user = _user()
    path = Path(tempfile.mkdtemp(prefix="rsg-sway-", dir="/tmp"))
    os.chown(path, user.pw_uid, user.pw_gid)
    (path / "config").write_text(CONFIG)
    yield path
    subprocess.run(["rm", "-rf", str(path)], check=False)


@contextmanager
def sway(runtime: Path) -> Iterator[str]:
    """Headless sway as the test user; yields its socket name. Retried once."""
    user = pwd.getpwnam(USER)
    argv = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
            "env", "-i", "PATH=/usr/bin:/bin", f"HOME={runtime}", f"XDG_RUNTIME_DIR={runtime}",
            "WLR_BACKENDS=headless", "WLR_LIBINPUT_NO_DEVICES=1", "WLR_RENDERER=pixman",
            "WLR_HEADLESS_OUTPUTS=1", "sway", "-c", str(runtime / "config")]  # fmt: skip
    for attempt in (1, 2):
        log = runtime.parent / f"{runtime.name}-sway-{attempt}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)

        def socket(proc: subprocess.Popen[bytes] = proc) -> str | None:
            names = [p.name for p in runtime.glob("wayland-*") if not p.name.endswith(".lock")]
            return names[0] if names and proc.poll() is None else None

        try:
            name = wait_for(socket, timeout=5, what="sway's socket")
        except AssertionError:
            proc.kill()
            proc.wait(5)
            if attempt == 2:
                raise AssertionError(f"sway did not start: {log.read_text()[-3000:]}") from None
            continue
        try:
            yield str(name)
        finally:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
            log.unlink(missing_ok=True)
        return


def wtype(runtime: Path, display: str, text: str = "x") -> None:
    env = {"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(runtime), "WAYLAND_DISPLAY": display}
    subprocess.run(["wtype", text], env=env, check=True, timeout=10)


@pytest.fixture
def no_other_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nodev").mkdir()
    monkeypatch.setattr(evdev, "DEV_DIR", tmp_path / "nodev")
    monkeypatch.setattr("rsiguard.adapters.input.busconn.SYSTEM_BUS", str(tmp_path / "nobus"))


def env_for(runtime: Path, display: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin",
        "XDG_SESSION_TYPE": "wayland",
        "WAYLAND_DISPLAY": display,
        "XDG_RUNTIME_DIR": str(runtime),
    }


def supervisor_window(h: Harness, seconds: float) -> tuple[int, int]:
    """(posts, context switches of the supervisor thread) over an observation window."""
    tids = [t.native_id or 0 for t in threading.enumerate() if t.name == "rsiguard-activity"]
    before, n = _switches(tids), len(h.posts)
    time.sleep(seconds)
    return len(h.posts) - n, _switches(tids) - before


def test_the_client_picks_the_offered_protocol(runtime: Path) -> None:
    with sway(runtime) as display:
        client = IdleClient(str(runtime / display))
        try:
            offered = client.globals()
            want = (
                "ext_idle_notifier_v1" if "ext_idle_notifier_v1" in offered else "org_kde_kwin_idle"
            )
            client.close()
            client = IdleClient(str(runtime / display))
            assert client.watch(500).startswith(want)
            assert client.next_change() is False  # idled after 0.5 s without input
            wtype(runtime, display)
            assert client.next_change() is True  # resumed
        finally:
            client.close()


@pytest.mark.usefixtures("no_other_sources")
def test_auto_on_sway_follows_idle_and_survives_a_restart(runtime: Path, tmp_path: Path) -> None:
    # A session bus without Mutter, as on a real sway desktop: gnome is passed over
    # every time, also when reconnecting after sway went away.
    with session_bus(tmp_path / "bus") as bus:
        with sway(runtime) as display:
            ready = f"wayland (Wayland {display}): activity only"
            h = Harness({**env_for(runtime, display), "DBUS_SESSION_BUS_ADDRESS": bus})
            h.call(h.monitor.start)
            try:
                wait_for(lambda: h.status() == ready, what="wayland chosen")
                assert set(h.call(lambda: h.monitor.skipped)) == {"evdev", "gnome"}
                time.sleep(2.2)  # idled after 1 s; the last tick has landed
                assert supervisor_window(h, 2.0) == (0, 0)  # idle: no posts, no wake-ups
                n = len(h.posts)
                for _ in range(3):
                    wtype(runtime, display)
                    time.sleep(0.7)
                wait_for(lambda: len(h.posts) >= n + 2, what="active time from keys")
                time.sleep(2.2)
                assert supervisor_window(h, 1.5)[0] == 0
            except BaseException:
                h.close()
                raise
        try:
            wait_for(lambda: h.status().startswith("lost: Wayland"), what="lost")
            with sway(runtime) as again:
                assert again == display
                wait_for(lambda: h.status() == ready, timeout=20, what="sway again")
                n = len(h.posts)
                wtype(runtime, display)
                wait_for(lambda: len(h.posts) > n, what="active again")
        finally:
            assert h.close() < 1.0


@pytest.mark.usefixtures("no_other_sources")
def test_doctor_names_the_idle_protocol(runtime: Path) -> None:
    with sway(runtime) as display:
        out = io.StringIO()
        assert main(["doctor", "--json"], env_for(runtime, display), out, io.StringIO()) == 0
        data = json.loads(out.getvalue())
        assert data["input"]["chosen"] == "wayland"
        probe = next(p for p in data["input"]["probes"] if p["name"] == "wayland")
        assert probe["usable"] and "idle" in probe["detail"]


def xwayland_display(runtime: Path) -> str | None:
    """The X display a lazy-Xwayland sway listens on for ``runtime`` (from its lock file:
    it holds sway's pid, whose environment names the runtime directory)."""
    for lock in Path("/tmp").glob(".X*-lock"):
        try:
            pid = int(lock.read_bytes().strip(b" \n\0"))
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        if f"XDG_RUNTIME_DIR={runtime}".encode() in environ:
            return ":" + lock.name.removeprefix(".X").removesuffix("-lock")
    return None


def xwayland_pids(display: str) -> list[int]:
    """Xwayland servers running for ``display`` (sway starts one on the first X client)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if argv[0].endswith(b"Xwayland") and display.encode() in argv[1:]:
            pids.append(int(cmdline.parent.name))
    return pids


@pytest.mark.usefixtures("no_other_sources")
@pytest.mark.parametrize("backend", ["auto", "xrecord", "pynput"])
def test_xwayland_is_neither_started_nor_counted(
    runtime: Path, tmp_path: Path, backend: str
) -> None:
    """WAYLAND_DISPLAY set and DISPLAY pointing at sway's lazy Xwayland: rsiguard (and
    doctor) never connects to it, so no Xwayland starts, and xrecord is never reported
    as counting. An X client of the session's user does start it (the check can see it)."""
    (runtime / "config").write_text(CONFIG.replace("xwayland disable", "xwayland enable"))
    with session_bus(tmp_path / "bus") as bus, sway(runtime) as display:
        x = str(wait_for(lambda: xwayland_display(runtime), timeout=5, what="sway's X socket"))
        assert xwayland_pids(x) == []  # lazy: nothing runs before an X client comes
        # WAYLAND_DISPLAY alone says Wayland (no XDG_SESSION_TYPE, as under a bare sway)
        env = {"PATH": "/usr/bin", "XDG_RUNTIME_DIR": str(runtime), "WAYLAND_DISPLAY": display,
               "DISPLAY": x, "DBUS_SESSION_BUS_ADDRESS": bus}  # fmt: skip
        h = Harness(env, backend=backend)
        try:
            h.call(h.monitor.start)
            if backend == "auto":
                ready = f"wayland (Wayland {display}): activity only"
                wait_for(lambda: h.status() == ready, what="wayland chosen")
                assert h.call(lambda: h.monitor.measures) == "activity"
            else:
                refused = f"none: {backend} would see only input to X11 windows (through Xwayland)"
                assert h.status().startswith(refused)
            wtype(runtime, display)  # input in the session: still nobody talks to X
            out = io.StringIO()
            assert main(["doctor", "--json"], env, out, io.StringIO()) == 0
            data = json.loads(out.getvalue())
            xrecord = next(p for p in data["input"]["probes"] if p["name"] == "xrecord")
            assert not xrecord["usable"] and "Xwayland" in xrecord["detail"]
            time.sleep(1.5)  # an Xwayland started by a connection is up within 0.1 s
            counting_x = ("xrecord", "pynput", "starting: xrecord", "starting: pynput")
            assert not any(c.startswith(counting_x) for c in [h.status(), *h.changes])
            if backend != "auto":
                assert h.call(lambda: h.monitor.measures) is None
            assert xwayland_pids(x) == []
        finally:
            assert h.close() < 1.0
        user = pwd.getpwnam(USER)
        probe = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
                 "env", "-i", f"DISPLAY={x}", "xdpyinfo"]  # fmt: skip
        try:
            subprocess.run(probe, capture_output=True, check=True, timeout=10)
            assert xwayland_pids(x)  # the same check sees an Xwayland that did start
        finally:
            for pid in xwayland_pids(x):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
