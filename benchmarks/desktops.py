"""The activity-only desktop backends' cost: wake-ups and messages, idle and active.

``gnome`` runs against a real ``mutter --headless`` on a hermetic session bus (input
through Mutter's RemoteDesktop), ``wayland`` against a real headless sway run as the
test user ``rsitest`` (keys from ``wtype``). Each backend runs in a child process of its
own: an asyncio loop thread with an ``ActivityMonitor`` on it, as in the daemon, and
the monitor's supervisor thread (the backend's reader). After it is ready and has gone
idle, nothing touches it for the idle window; then a key is injected every
``INJECT_EVERY`` seconds for the active window. Measured in each window:

* wake-ups: ``voluntary_ctxt_switches`` of the loop and supervisor threads (read by the
  child's main thread from ``/proc/self/task/TID/status``, which wakes neither);
* messages: D-Bus messages the backend's connection received and sent (jeepney's
  blocking ``receive``/``send``), Wayland events received and requests sent (the
  wire client's reads and writes), counted in the child;
* posts: the empty activity samples the monitor posted (one a second while active).

Run: ``python -m benchmarks.desktops [--seconds N] [--backend gnome|wayland]`` (JSON on
stdout; ``--seconds`` shortens both windows, 60 by default, for a smoke test). Linux,
root (sway runs as a second user), mutter and sway installed; a backend that cannot
run here gets ``{"error": ...}``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

INJECT_EVERY = 0.5  # seconds between injected keys in the active window
SETTLE = 2.5  # seconds after ready: the 1 s idle watch fired, the last tick landed
USER = "rsitest"
SWAY_CONFIG = "xwayland disable\noutput HEADLESS-1 resolution 1280x800\nseat seat0 fallback true\n"


# ---- the child: one monitor, counting its own messages ---------------------------------


def _count_messages(counts: collections.Counter[str]) -> None:
    """Wrap the wire clients' send and receive so every message is counted."""
    from jeepney.io import blocking  # type: ignore[import-untyped, unused-ignore]

    from rsiguard.adapters.input import wayland

    conn_cls: Any = blocking.DBusConnection
    send, receive = conn_cls.send, conn_cls.receive

    def counted_send(self: Any, message: Any, serial: Any = None) -> Any:
        counts["dbus_out"] += 1
        return send(self, message, serial)

    def counted_receive(self: Any, *, timeout: Any = None) -> Any:
        msg = receive(self, timeout=timeout)
        counts["dbus_in"] += 1
        return msg

    conn_cls.send, conn_cls.receive = counted_send, counted_receive
    client: Any = wayland.IdleClient
    wl_send, wl_events = client._send, client._events

    def counted_wl_send(self: Any, obj: int, opcode: int, payload: bytes = b"") -> None:
        counts["wayland_out"] += 1
        wl_send(self, obj, opcode, payload)

    def counted_wl_events(self: Any) -> Any:
        events = wl_events(self)
        counts["wayland_in"] += len(events)
        for obj, opcode, _args in events:  # by object: the idle watch, the seat, other
            if obj == wayland._WATCH:
                what = ("idled", "resumed")[opcode] if opcode < 2 else f"watch {opcode}"
            elif obj == wayland._SEAT:
                what = ("seat capabilities", "seat name")[opcode] if opcode < 2 else "seat"
            else:
                what = "other"
            counts[f"wayland_in_{what}"] += 1
        return events

    client._send, client._events = counted_wl_send, counted_wl_events


def _switches(tid: int) -> int:
    for line in Path(f"/proc/self/task/{tid}/status").read_text().splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            return int(line.split()[1])
    return 0


def child(backend: str) -> int:
    """The measured process: answers ``status`` and ``snap`` lines on stdin."""
    from rsiguard.adapters.input.monitor import ActivityMonitor

    counts: collections.Counter[str] = collections.Counter()
    _count_messages(counts)
    loop = asyncio.new_event_loop()
    loop_thread = threading.Thread(target=loop.run_forever, name="loop", daemon=True)
    loop_thread.start()

    def post(_sample: object) -> None:
        counts["posts"] += 1

    monitor = ActivityMonitor(loop, post, dict(os.environ), backend)
    loop.call_soon_threadsafe(monitor.start)
    for line in sys.stdin:
        if line.strip() == "status":  # wakes the loop: only asked outside the windows
            fut = asyncio.run_coroutine_threadsafe(_status(monitor), loop)
            reply: dict[str, Any] = {"status": fut.result(5)}
        elif line.strip() == "snap":
            threads = {t.name: t.native_id for t in threading.enumerate()}
            wakeups = {
                name: _switches(tid)
                for name, tid in threads.items()
                if tid is not None and name in ("loop", "rsiguard-activity")
            }
            reply = {"wakeups": wakeups, "counts": dict(counts)}
        else:
            break
        print(json.dumps(reply), flush=True)
    loop.call_soon_threadsafe(monitor.stop)
    time.sleep(0.2)
    loop.call_soon_threadsafe(loop.stop)
    loop_thread.join(5)
    return 0


async def _status(monitor: Any) -> str:
    return str(monitor.status)


# ---- the parent: a desktop, the child, two windows ------------------------------------


class Child:
    """The child process and its line protocol."""

    def __init__(self, backend: str, env: dict[str, str]) -> None:
        root = Path(__file__).resolve().parent.parent
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.desktops", "--child", backend],
            cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def ask(self, what: str) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(what + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {what!r} answer never came (child exited)")
        data = json.loads(line)
        assert isinstance(data, dict)
        return data

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
                self.proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(5)


def _window(child: Child, seconds: float, inject: Callable[[], None] | None) -> dict[str, Any]:
    """Differences over one window; ``inject`` called every INJECT_EVERY seconds."""
    a = child.ask("snap")
    t0 = time.monotonic()
    injected = 0
    if inject is None:
        time.sleep(seconds)
    while inject is not None and time.monotonic() - t0 < seconds:
        inject()
        injected += 1
        next_at = t0 + injected * INJECT_EVERY
        time.sleep(max(0.0, min(next_at, t0 + seconds) - time.monotonic()))
    b = child.ask("snap")
    took = round(time.monotonic() - t0, 2)
    wake = {k: b["wakeups"].get(k, 0) - v for k, v in a["wakeups"].items()}
    counts = {k: b["counts"].get(k, 0) - a["counts"].get(k, 0) for k in b["counts"]}
    return {
        "seconds": took,
        "injected": injected,
        "wakeups": {"loop": wake.get("loop", 0), "supervisor": wake.get("rsiguard-activity", 0)},
        "wakeups_total": sum(wake.values()),
        "messages_in": counts.get("dbus_in", 0) + counts.get("wayland_in", 0),
        "messages_out": counts.get("dbus_out", 0) + counts.get("wayland_out", 0),
        "posts": counts.get("posts", 0),
        "wayland_events": {
            k.removeprefix("wayland_in_"): v
            for k, v in counts.items()
            if k.startswith("wayland_in_") and v
        },
    }


def _measure(
    backend: str, env: dict[str, str], inject: Callable[[], None], seconds: float
) -> dict[str, Any]:
    child = Child(backend, env)
    try:
        deadline = time.monotonic() + 20
        status = ""
        while not status.startswith(backend):
            if time.monotonic() > deadline:
                return {"error": f"{backend} not ready after 20 s: {status}"}
            time.sleep(0.1)
            status = str(child.ask("status")["status"])
        time.sleep(SETTLE)
        idle = _window(child, seconds, None)
        active = _window(child, seconds, inject)
        return {"status": status, "idle": idle, "active": active}
    finally:
        child.close()


def gnome(tmp: Path, seconds: float) -> dict[str, Any]:
    """The gnome backend on a real headless mutter."""
    if not shutil.which("mutter"):
        return {"error": "mutter is not installed (apt-get install mutter)"}
    from tests.desktop import session_bus
    from tests.test_gnome import RemoteDesktop, mutter

    with session_bus(tmp / "bus") as address, mutter(address, tmp):
        env = {"PATH": "/usr/bin:/bin", "DBUS_SESSION_BUS_ADDRESS": address,
               "XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0",
               "XDG_CURRENT_DESKTOP": "GNOME",
               "PYTHONPATH": os.environ.get("PYTHONPATH", "")}  # fmt: skip
        rd = RemoteDesktop(address)
        try:
            row = _measure("gnome", env, rd.key, seconds)
        finally:
            rd.close()
    row["compositor"] = _version(["mutter", "--version"])
    return row


@contextmanager
def _sway_runtime() -> Iterator[Path]:
    user = pwd.getpwnam(USER)
    path = Path(tempfile.mkdtemp(prefix="rsg-bench-sway-", dir="/tmp"))
    os.chown(path, user.pw_uid, user.pw_gid)
    (path / "config").write_text(SWAY_CONFIG)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def wayland(seconds: float) -> dict[str, Any]:
    """The wayland backend on a real headless sway, run as the test user."""
    if os.getuid() != 0:
        return {"error": "needs root: sway runs as a second user (rsitest)"}
    if not (shutil.which("sway") and shutil.which("wtype")):
        return {"error": "sway or wtype is not installed (apt-get install sway wtype)"}
    try:
        pwd.getpwnam(USER)
    except KeyError:
        argv = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER]
        subprocess.run(argv, check=True)
    from tests.test_wayland import sway, wtype

    with _sway_runtime() as runtime, sway(runtime) as display:
        env = {"PATH": "/usr/bin:/bin", "XDG_SESSION_TYPE": "wayland",
               "WAYLAND_DISPLAY": display, "XDG_RUNTIME_DIR": str(runtime),
               "PYTHONPATH": os.environ.get("PYTHONPATH", "")}  # fmt: skip
        row = _measure("wayland", env, lambda: wtype(runtime, display), seconds)
        row["protocol"] = _protocol(runtime, display)
    row["compositor"] = _version(["sway", "--version"])
    return row


def _protocol(runtime: Path, display: str) -> str:
    from rsiguard.adapters.input.wayland import EXT, KDE, IdleClient

    client = IdleClient(str(runtime / display))
    try:
        found = client.globals()
    finally:
        client.close()
    return next((p for p in (EXT, KDE) if p in found), "none")


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    lines = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return lines[-1] if lines else "?"


def measure(seconds: float, backends: list[str]) -> dict[str, Any]:
    """Every backend asked for; each row or its error."""
    rows: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rsiguard-bench-desktops-") as scratch:
        for name in backends:
            try:
                if name == "gnome":
                    (Path(scratch) / name).mkdir()
                    rows[name] = gnome(Path(scratch) / name, seconds)
                else:
                    rows[name] = wayland(seconds)
            except Exception as exc:  # a desktop that fails to come up: say so, go on
                rows[name] = {"error": f"{type(exc).__name__}: {str(exc)[-500:]}"}
    return {"seconds": seconds, "inject_every_s": INJECT_EVERY, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    """Measure and print JSON."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.desktops")
    p.add_argument("--seconds", type=float, default=60.0, help="each window (60)")
    p.add_argument("--backend", action="append", choices=("gnome", "wayland"), default=[])
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child(args.child)
    print(json.dumps(measure(args.seconds, args.backend or ["gnome", "wayland"]), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
