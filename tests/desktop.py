"""A private desktop for integration tests: Xvfb, a session bus, notification servers.

Nothing here touches the real display or bus. In CI (``CI=true``) a missing tool is
a failure with the apt command to fix it; on a developer machine it is a skip.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# tool -> Debian package
PACKAGES = {
    "Xvfb": "xvfb",
    "xdotool": "xdotool",
    "dbus-daemon": "dbus",
    "dunst": "dunst",
    "openbox": "openbox",
    "wmctrl": "wmctrl",
    "dunstctl": "dunst",
    "import": "imagemagick",
    "systemd-analyze": "systemd",
    "setpriv": "util-linux",
    "tmux": "tmux",
    "desktop-file-validate": "desktop-file-utils",
    "faketime": "faketime",
    "chromium": "chromium",
    "convert": "imagemagick",
    "useradd": "passwd",
    "mutter": "mutter",
    "gnome-shell": "gnome-shell",
    "gjs": "gjs",
    "sway": "sway",
    "wtype": "wtype",
    "kwin_wayland": "kwin-wayland",
    "dbus-run-session": "dbus",
    "busctl": "systemd",
}

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def require(*tools: str) -> None:
    """Fail (in CI) or skip (elsewhere) unless every tool is on PATH."""
    missing = [t for t in tools if shutil.which(t) is None]
    if not missing:
        return
    pkgs = sorted({PACKAGES.get(t, t) for t in missing})
    msg = f"missing {', '.join(missing)}: apt-get install -y {' '.join(pkgs)}"
    if IN_CI:
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


def wait_for(
    cond: Callable[[], object], timeout: float = 15.0, interval: float = 0.05, what: str = ""
) -> object:
    """Poll ``cond`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        last = cond()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or cond}: last={last!r}")


def _read_fd_line(fd: int, timeout: float) -> str:
    """Read one line the child writes to the pipe ``fd`` (used by -displayfd/--print-address)."""
    import select

    data = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError(f"child did not report its address in {timeout}s")
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.decode().strip()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextmanager
def xvfb(screen: str = "1280x800x24") -> Iterator[str]:
    """Start Xvfb on a free display with a ``screen`` (WxHxD); yield its name (``:N``)."""
    require("Xvfb")
    r, w = os.pipe()
    proc = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(w),
            "-screen",
            "0",
            screen,
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(w,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(w)
    try:
        number = _read_fd_line(r, 20)
        yield f":{number}"
    finally:
        os.close(r)
        _stop(proc)


@contextmanager
def session_bus(tmp: Path) -> Iterator[str]:
    """Start a private session bus with no service directories (so nothing auto-starts)."""
    require("dbus-daemon")
    tmp.mkdir(parents=True, exist_ok=True)
    conf = tmp / "bus.conf"
    # A socket path holds at most 107 bytes: under xdist a test's own folder can be too
    # deep for one (dbus-daemon then prints no address), so the socket gets a short one.
    sockets = tmp if len(str(tmp)) < 80 else Path(tempfile.mkdtemp(prefix="rsg-bus-"))
    conf.write_text(_BUS_CONFIG.format(dir=sockets))
    r, w = os.pipe()
    proc = subprocess.Popen(
        ["dbus-daemon", f"--config-file={conf}", "--nofork", f"--print-address={w}"],
        pass_fds=(w,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(w)
    try:
        address = _read_fd_line(r, 20)
        assert address, f"dbus-daemon printed no address (config {conf})"
        yield address
    finally:
        os.close(r)
        _stop(proc)
        if sockets != tmp:
            shutil.rmtree(sockets, ignore_errors=True)


@contextmanager
def process(
    argv: list[str], env: Mapping[str, str], log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a helper process for the duration of a test, stopping it afterwards."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(argv, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        _stop(proc)
        if log:
            out.close()  # type: ignore[union-attr]


def dunstctl(env: Mapping[str, str], *args: str) -> str:
    """Run ``dunstctl ARGS`` against the dunst on ``env``'s bus; return its output."""
    done = subprocess.run(
        ["dunstctl", *args], env=dict(env), check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@contextmanager
def dunst(
    env: Mapping[str, str], display: str, tmp: Path, config: str = "[global]\n"
) -> Iterator[dict[str, str]]:
    """Run dunst on ``display`` and ``env``'s bus with its own config; yield its env."""
    require("dunst", "dunstctl", "dbus-send")
    tmp.mkdir(parents=True, exist_ok=True)
    rc = tmp / "dunstrc"
    rc.write_text(config)
    # Keep the developer's own dunstrc out.
    denv = {**env, "DISPLAY": display, "XDG_CONFIG_HOME": str(tmp), "XDG_DATA_HOME": str(tmp)}

    def up() -> bool:
        probe = subprocess.run(["dunstctl", "is-paused"], env=denv, capture_output=True)
        return probe.returncode == 0

    with process(["dunst", "-config", str(rc)], denv, log=tmp / "dunst.log"):
        wait_for(up, what="dunst on the bus")
        yield denv


def in_child(check: Callable[[], None], timeout: float = 120.0) -> None:
    """Run ``check`` in a forked child and fail with its traceback if it fails.

    For tests that use Tk in-process: Tk keeps its X connection after the last window
    is destroyed, and Xlib ends the whole process (status 1, no traceback) when that
    Xvfb later goes away. In a child, the connection dies with the child.
    """
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def run() -> None:
        try:
            check()
            send.send("")
        except BaseException:  # the child reports everything, then ends
            send.send(traceback.format_exc())

    proc = ctx.Process(target=run)
    proc.start()
    try:
        failure = receive.recv() if receive.poll(timeout) else f"no answer in {timeout:.0f} s"
    except EOFError:
        failure = "the child ended without a word"
    proc.join(10)
    if failure:
        pytest.fail(failure, pytrace=False)


def require_dbusmock() -> None:
    """Fail (in CI) or skip unless Debian's python3 can run python-dbusmock."""
    ok = (
        shutil.which("/usr/bin/python3")
        and (
            subprocess.run(["/usr/bin/python3", "-c", "import dbusmock"], capture_output=True)
        ).returncode
        == 0
    )
    if ok:
        return
    msg = "missing python-dbusmock: apt-get install -y python3-dbusmock"
    if IN_CI:
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


def busctl(address: str, *args: str) -> str:
    """``busctl --address=ADDRESS ARGS`` (a private bus); its output."""
    done = subprocess.run(
        ["busctl", f"--address={address}", *args], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def has_owner(address: str, name: str) -> bool:
    """Whether ``name`` has an owner on the bus at ``address``."""
    out = subprocess.run(
        [
            "busctl",
            f"--address={address}",
            "call",
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "NameHasOwner",
            "s",
            name,
        ],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() == "b true"


@contextmanager
def dbusmock(
    address: str, args: list[str], tmp: Path, name: str, system: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``python3 -m dbusmock ARGS`` on the bus at ``address`` until ``name`` is owned."""
    require("busctl")
    require_dbusmock()
    var = "DBUS_SYSTEM_BUS_ADDRESS" if system else "DBUS_SESSION_BUS_ADDRESS"
    env = {"PATH": "/usr/bin:/bin", var: address}
    argv = ["/usr/bin/python3", "-m", "dbusmock", *(["--system"] if system else []), *args]
    log = tmp / f"dbusmock-{name}.log"
    with process(argv, env, log=log) as proc:
        try:
            wait_for(lambda: has_owner(address, name), timeout=10, what=f"{name} mock")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; log: {log.read_text()[-2000:]}") from None
        yield proc


@contextmanager
def logind_mock(tmp: Path, uid: int | None = None) -> Iterator[str]:
    """A private "system" bus with python-dbusmock's logind and session c1 of ``uid``.

    Yields the bus address (for ``DBUS_SYSTEM_BUS_ADDRESS``); the session is
    ``/org/freedesktop/login1/session/c1`` (give the daemon ``XDG_SESSION_ID=c1``).
    """
    uid = os.getuid() if uid is None else uid
    with (
        session_bus(tmp / "system") as address,
        dbusmock(address, ["-t", "logind"], tmp, "org.freedesktop.login1", system=True),
    ):
        for sid in ("c1", "c2"):
            busctl(
                address,
                "call",
                "org.freedesktop.login1",
                "/org/freedesktop/login1",
                "org.freedesktop.DBus.Mock",
                "AddSession",
                "ssusb",
                sid,
                "seat0",
                str(uid),
                "rsitest",
                "true",
            )
        yield address
