"""The activity monitor adapter, driven for real: Xvfb, xdotool input, the default backend.

The default backend ("auto") is xrecord on X11 and pynput elsewhere; the tests that
matter most for either (wake-ups, privacy, display loss) run against both. Each test
runs an asyncio loop in a background thread (the daemon's situation: the monitor is
started and stopped on the loop thread) and waits on conditions with ``wait_for``; the
only fixed waits are observation windows for "nothing happens".
"""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import inspect
import itertools
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from rsiguard.adapters.input import xrecord
from rsiguard.adapters.input.monitor import ActivityMonitor, counting
from rsiguard.adapters.input.pynput_listeners import PynputBackend
from rsiguard.core.events import ActivitySample
from tests.desktop import process, require, wait_for, xvfb

T = TypeVar("T")
X11 = sys.platform not in ("darwin", "win32")
LOGGER = "rsiguard.adapters"  # both activity.py and xrecord.py log below it
DEFAULT = "xrecord" if X11 else "pynput"  # what "auto" runs
# Threads a started monitor adds besides the loop: xrecord's supervisor reads RECORD
# itself; pynput's supervisor waits while a keyboard and a mouse listener count.
THREADS = {"auto": 1 if X11 else 3, "pynput": 3}
BOTH = pytest.mark.parametrize("backend", ["auto", "pynput"])


def ready_status(backend: str, display: str) -> str:
    """The status once ``backend`` counts on ``display``."""
    return f"{DEFAULT if backend == 'auto' else backend} (X11 {display})"


class Harness:
    """An event loop in a thread with a monitor on it; records posts and status changes."""

    def __init__(self, env: Mapping[str, str], backend: str = "auto") -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-loop", daemon=True)
        self.thread.start()
        self.lock = threading.Lock()
        self.posts: list[tuple[float, ActivitySample, int]] = []  # (when, sample, thread id)
        self.changes: list[str] = []  # what on_change was told, in order
        self.final_status = ""  # status right after stop()
        self.monitor = ActivityMonitor(self.loop, self._post, env, backend, self._changed)

    def _post(self, sample: ActivitySample) -> None:
        with self.lock:
            self.posts.append((time.monotonic(), sample, threading.get_ident()))

    def _changed(self, status: str) -> None:
        with self.lock:
            self.changes.append(status)

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the loop thread (where the daemon calls the monitor) and return."""
        fut: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                fut.set_result(fn())
            except BaseException as exc:
                fut.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return fut.result(5)

    def status(self) -> str:
        return self.call(lambda: self.monitor.status)

    def samples(self) -> list[ActivitySample]:
        with self.lock:
            return [s for _, s, _ in self.posts]

    def total(self) -> ActivitySample:
        ss = self.samples()
        return ActivitySample(
            sum(s.keys for s in ss),
            sum(s.clicks for s in ss),
            sum(s.scroll for s in ss),
            sum(s.pointer_px for s in ss),
        )

    def close(self) -> float:
        """Stop the monitor and the loop; return how long stop() took."""
        t0 = time.monotonic()
        self.call(self.monitor.stop)
        took = time.monotonic() - t0
        self.final_status = self.status()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()
        return took


def xdo(display: str, *args: str) -> None:
    """Run xdotool against ``display``; it returns once the server has the events."""
    env = {**os.environ, "DISPLAY": display}
    subprocess.run(["xdotool", *args], env=env, check=True, timeout=20)


@contextmanager
def running(
    display: str, monkeypatch: pytest.MonkeyPatch, backend: str = "auto"
) -> Iterator[Harness]:
    """A started monitor whose backend counts (status says so), stopped after."""
    # DISPLAY only in env: the monitor must export it for pynput itself.
    monkeypatch.delenv("DISPLAY", raising=False)
    h = Harness({"DISPLAY": display}, backend)
    ready = ready_status(backend, display)
    try:
        h.call(h.monitor.start)
        assert os.environ.get("DISPLAY") == display
        wait_for(lambda: h.status() == ready, what="backend ready")
        yield h
    finally:
        took = h.close()
        assert took < 1.0, f"stop() took {took:.2f}s"
    assert h.final_status == "stopped"
    # start() and stop() set the status silently; on_change hears only what came later.
    assert h.changes == [ready]


def drained(h: Harness, window: float) -> None:
    """Assert nothing more is posted during ``window`` seconds (absence: fixed wait is ok)."""
    before = len(h.samples())
    time.sleep(window)
    assert h.samples()[before:] == []


# --- counting -------------------------------------------------------------------------


@pytest.mark.integration
def test_typing_counts_each_press_once(display: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "thequickbrownfoxjumps"  # lowercase: xdotool adds no Shift presses
    with running(display, monkeypatch) as h:
        xdo(display, "type", text)
        wait_for(lambda: h.total().keys >= len(text), what="key presses posted")
        drained(h, 1.2)
        assert h.total() == ActivitySample(keys=len(text))
        loop_thread = h.thread.ident
        assert all(tid == loop_thread for _, _, tid in h.posts), "post() off the loop thread"


@pytest.mark.integration
def test_clicks_count_presses_not_releases(display: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with running(display, monkeypatch) as h:
        for _ in range(3):
            xdo(display, "click", "1")
        wait_for(lambda: h.total() == ActivitySample(clicks=3), timeout=5, what="3 clicks")


@pytest.mark.integration
def test_scroll_counts_steps(display: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with running(display, monkeypatch) as h:
        for _ in range(5):
            xdo(display, "click", "4")  # button 4: one step up; not a click
        wait_for(lambda: h.total() == ActivitySample(scroll=5), timeout=5, what="5 steps")


@pytest.mark.integration
def test_pointer_distance(display: str, monkeypatch: pytest.MonkeyPatch) -> None:
    xdo(display, "mousemove", "10", "10")  # not 100,100: the next move must be an event
    with running(display, monkeypatch) as h:
        xdo(display, "mousemove", "100", "100")  # first position: sets the origin only
        xdo(display, "mousemove", "400", "500")  # 300 x 400: 500 px
        wait_for(lambda: h.total().pointer_px > 0, timeout=5, what="pointer distance")
        drained(h, 1.2)
        total = h.total()
        assert (total.keys, total.clicks, total.scroll) == (0, 0, 0)
        assert total.pointer_px == pytest.approx(500, abs=1)


@pytest.mark.integration
def test_at_most_one_post_a_second(display: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "abcdefghij" * 10  # 100 keys; xdotool spends about half the delay per key: 3.4 s
    with running(display, monkeypatch) as h:
        xdo(display, "type", "--delay", "60", text)
        wait_for(lambda: h.total().keys >= len(text), what="burst posted")
        times = [t for t, _, _ in h.posts]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert len(times) >= 3, times
        assert min(gaps) >= 0.9, gaps
        assert h.total().keys == len(text)


def _switches(tids: list[int]) -> int:
    """Context switches (voluntary and not) of these threads so far: wake-ups, roughly."""
    total = 0
    for tid in tids:
        status = Path(f"/proc/self/task/{tid}/status").read_text()
        for line in status.splitlines():
            if "ctxt_switches:" in line:
                total += int(line.split()[1])
    return total


@pytest.mark.integration
@BOTH
def test_idle_means_no_posts_and_no_wakeups(
    display: str, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    if not Path("/proc/self/task").is_dir():
        pytest.skip("no /proc: cannot count wake-ups")
    earlier = set(threading.enumerate())  # e.g. earlier tests' listeners awaiting an event
    with running(display, monkeypatch, backend) as h:
        ours = [t.native_id for t in set(threading.enumerate()) - earlier if t.native_id]
        assert len(ours) == 1 + THREADS[backend], ours  # the loop and the monitor's
        quiet = _switches(ours)
        xdo(display, "key", "a")
        wait_for(lambda: h.total().keys == 1, what="one key")
        time.sleep(0.1)  # let the loop finish the flush callback before counting
        before = _switches(ours)
        assert before > quiet  # the measurement does see wake-ups
        drained(h, 2.0)
        assert _switches(ours) == before, "monitor threads woke up while idle"
        assert h.total() == ActivitySample(keys=1)


# --- privacy --------------------------------------------------------------------------


def _reachable(root: object, depth: int) -> Iterator[object]:
    """Objects reachable from ``root`` through attributes and containers, ``depth`` deep.

    It does not look inside pynput, Xlib or asyncio objects (their reprs are checked).
    """
    seen: set[int] = set()
    stack: list[tuple[object, int]] = [(root, depth)]
    while stack:
        obj, d = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        yield obj
        if d == 0:
            continue
        children: list[object] = []
        if isinstance(obj, dict):
            children = [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set | frozenset):
            children = list(obj)
        elif isinstance(obj, types.MethodType):  # e.g. a backend's halt: its object
            children = [obj.__self__]
        elif hasattr(obj, "__dict__") and not str(type(obj).__module__).startswith(
            ("pynput", "Xlib", "asyncio", "threading", "concurrent")
        ):
            children = list(vars(obj).values())
        elif hasattr(type(obj), "__slots__") and type(obj).__module__.startswith("rsiguard"):
            slots = getattr(type(obj), "__slots__", ())
            children = [getattr(obj, n) for n in slots if hasattr(obj, n)]
        stack.extend((c, d - 1) for c in children)


def test_key_callback_never_touches_the_key() -> None:
    """Static proof: pynput's press callback's key parameter is not referenced at all.

    (xrecord's counterpart, that the keycode byte is never read, is in test_backends.py.)
    """
    fn = PynputBackend._on_press
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    params = [a.arg for a in func.args.args[1:]]
    used = {n.id for n in ast.walk(func) if isinstance(n, ast.Name)}
    assert params and not set(params) & used, (params, used)
    assert not hasattr(PynputBackend, "_on_release")  # releases are not even listened to


@pytest.mark.integration
@BOTH
def test_no_key_identity_leaks(
    display: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    backend: str,
) -> None:
    import pynput.keyboard

    secret = "hunterzwosecret"
    caplog.set_level(logging.DEBUG)
    with running(display, monkeypatch, backend) as h:
        xdo(display, "type", secret)
        wait_for(lambda: h.total().keys >= len(secret), what="secret typed")
        assert h.total().keys == len(secret)
        texts = [repr(s) for s in h.samples()]
        texts += [repr(h.monitor), h.status(), *h.changes]
        for obj in _reachable(vars(h.monitor), depth=6):
            assert not isinstance(obj, pynput.keyboard.Key | pynput.keyboard.KeyCode), obj
            # Raw X data (xrecord's 32-byte units, keycodes in byte 1) is never kept.
            assert not isinstance(obj, bytes | bytearray | memoryview), obj
            texts.append(repr(obj))
        out, err = capfd.readouterr()
        texts += [out, err, caplog.text]
        texts += [repr(r.args) + r.getMessage() for r in caplog.records]
        for text in texts:
            assert secret not in text
            assert "hunter" not in text


# --- no input to count ----------------------------------------------------------------


@pytest.mark.skipif(not X11, reason="macOS/Windows need no DISPLAY")
def test_no_display_is_a_status_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Explicit xrecord without DISPLAY: refused at once, no thread started."""
    monkeypatch.delenv("DISPLAY", raising=False)
    # An earlier test's supervisor may still be winding down: count only new threads.
    before = set(threading.enumerate())
    h = Harness({"PATH": "/usr/bin"}, backend="xrecord")
    try:
        h.call(h.monitor.start)  # must not raise
        assert h.status() == "none: no DISPLAY"
        assert h.changes == []  # set during start(): the caller reads it, no callback
        new = set(threading.enumerate()) - before
        assert not [t for t in new if t.name == "rsiguard-activity"]
    finally:
        h.close()


@pytest.mark.skipif(not X11, reason="Linux consoles only")
def test_console_auto_says_why_each_source_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No display, no readable devices, no system bus: one message naming each reason."""
    monkeypatch.setattr("rsiguard.adapters.input.evdev.DEV_DIR", tmp_path)
    monkeypatch.setattr("rsiguard.adapters.input.busconn.SYSTEM_BUS", str(tmp_path / "nobus"))
    h = Harness({"PATH": "/usr/bin"})
    want = (
        f"none: no input source (evdev: no keyboard or pointer in {tmp_path}; "
        "logind: no system bus)"
    )
    try:
        h.call(h.monitor.start)
        wait_for(lambda: h.status() == want, what="the combined reason")
        assert h.call(lambda: h.monitor.skipped) == {
            "evdev": f"no keyboard or pointer in {tmp_path}",
            "logind": "no system bus",
        }
    finally:
        h.close()
    assert h.posts == []


def test_backend_none_starts_nothing() -> None:
    threads = set(threading.enumerate())
    h = Harness({"DISPLAY": ":0"}, backend="none")
    try:
        h.call(h.monitor.start)
        assert h.status() == "none: disabled by config"
        assert set(threading.enumerate()) - threads == {h.thread}
    finally:
        h.close()
    assert h.posts == []


def test_unknown_backend_is_refused() -> None:
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(ValueError, match="bogus"):
            ActivityMonitor(loop, lambda s: None, {}, backend="bogus")
    finally:
        loop.close()


def _free_display() -> str:
    """A display number nobody serves (no lock file, no socket)."""
    n = next(
        n
        for n in range(180, 400)
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists()
    )
    return f":{n}"


@pytest.mark.skipif(not X11, reason="X11 only")
def test_unreachable_display_waits_and_stops_promptly(monkeypatch: pytest.MonkeyPatch) -> None:
    name = _free_display()
    monkeypatch.delenv("DISPLAY", raising=False)
    h = Harness({"DISPLAY": name})
    want = f"waiting: cannot open X display {name}; retrying"
    try:
        # Read in the same loop callback: the supervisor's reports queue up behind it.
        def start_and_read() -> str:
            h.monitor.start()
            return h.monitor.status

        started = h.call(start_and_read)
        assert started == f"starting: {DEFAULT} (X11 {name})"
        wait_for(lambda: h.status() == want, timeout=5, what="waiting status")
    finally:
        assert h.close() < 1.0
    assert h.changes == [want]
    assert h.final_status == "stopped"
    # stop() cut the backoff wait short: the supervisor is gone, not sleeping.
    wait_for(
        lambda: not [t for t in threading.enumerate() if t.name == "rsiguard-activity"],
        timeout=2,
        what="supervisor thread to end",
    )


@pytest.mark.integration
@pytest.mark.skipif(not X11, reason="X11 only")
def test_display_that_appears_later_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """The daemon may start before the X server (an early systemd user unit)."""
    require("Xvfb", "xdotool")
    name = _free_display()
    monkeypatch.delenv("DISPLAY", raising=False)
    h = Harness({"DISPLAY": name})
    waiting = f"waiting: cannot open X display {name}; retrying"
    try:
        h.call(h.monitor.start)
        wait_for(lambda: h.status() == waiting, timeout=5, what="waiting status")
        argv = ["Xvfb", name, "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"]
        with process(argv, os.environ):
            ready = ready_status("auto", name)
            wait_for(lambda: h.status() == ready, timeout=10, what="connect")
            xdo(name, "key", "a")
            wait_for(lambda: h.total() == ActivitySample(keys=1), what="counting")
            h.close()
    finally:
        if h.thread.is_alive():
            h.close()
    assert h.changes == [waiting, ready]


# --- the X server goes away -----------------------------------------------------------


def _our_xvfbs() -> set[int]:
    """Pids of the Xvfb processes this test process started (xvfb() does not expose them)."""
    me, found = os.getpid(), set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            comm, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")", 1)[1]
            if comm == "Xvfb" and int(rest.split()[1]) == me:
                found.add(int(entry.name))
    return found


@pytest.mark.integration
@BOTH
def test_display_lost_then_back(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    backend: str,
) -> None:
    require("Xvfb", "xdotool")
    caplog.set_level(logging.INFO, logger=LOGGER)
    monkeypatch.delenv("DISPLAY", raising=False)
    before = _our_xvfbs()
    with xvfb() as name:
        (pid,) = _our_xvfbs() - before
        h = Harness({"DISPLAY": name}, backend)
        try:
            h.call(h.monitor.start)
            ready = ready_status(backend, name)
            wait_for(lambda: h.status() == ready, what="backend ready")
            xdo(name, "click", "1")
            wait_for(lambda: h.total().clicks == 1, what="a click")

            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)  # reap our child now (xvfb() copes: its poll() sees ECHILD)
            lost = f"lost: X display {name} closed; retrying"
            wait_for(lambda: h.status() == lost, timeout=5, what="lost status")
            assert lost in h.changes
            warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert len(warnings) == 1, warnings

            argv = ["Xvfb", name, "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"]
            with process(argv, os.environ):
                wait_for(lambda: h.status() == ready, timeout=10, what="reconnected")
                xdo(name, "click", "1")
                wait_for(lambda: h.total().clicks == 2, what="counting again")
                assert h.changes == [ready, lost, ready]
                assert h.thread.is_alive()
                h.close()
        finally:
            if h.thread.is_alive():
                h.close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception in thread" not in err, err
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


# --- choosing a backend ---------------------------------------------------------------


def test_counting_names_the_working_statuses() -> None:
    for status in ("xrecord (X11 :1)", "pynput (darwin)", "starting: xrecord (X11 :1)"):
        assert counting(status), status
    for status in ("none: no DISPLAY", "lost: X display :1 closed; retrying", "stopped"):
        assert not counting(status), status


def test_xrecord_needs_x11(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rsiguard.adapters.input.monitor.PLATFORM", "darwin")
    h = Harness({}, backend="xrecord")
    try:
        h.call(h.monitor.start)
        assert h.status() == "none: xrecord needs X11, not darwin"
    finally:
        h.close()


@pytest.mark.integration
@pytest.mark.skipif(not X11, reason="X11 only")
def test_auto_falls_back_to_pynput_when_xrecord_is_unavailable(
    display: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(self: xrecord.RecordReader) -> None:
        raise xrecord.RecordUnavailable("RECORD extension missing")

    monkeypatch.setattr(xrecord.RecordReader, "open", refuse)
    caplog.set_level(logging.INFO, logger=LOGGER)
    monkeypatch.delenv("DISPLAY", raising=False)
    h = Harness({"DISPLAY": display})
    try:
        h.call(h.monitor.start)
        wait_for(lambda: h.status() == f"pynput (X11 {display})", what="pynput instead")
        xdo(display, "key", "a")
        wait_for(lambda: h.total() == ActivitySample(keys=1), what="counting")
    finally:
        assert h.close() < 1.0
    assert h.changes == [f"pynput (X11 {display})"]
    said = [r.getMessage() for r in caplog.records if "xrecord unavailable" in r.getMessage()]
    assert said == [
        "activity monitor: xrecord unavailable (RECORD extension missing); using the next backend"
    ]


@pytest.mark.integration
@pytest.mark.skipif(not X11, reason="X11 only")
def test_xrecord_without_the_record_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server without RECORD: explicit xrecord gives up for good, with the reason."""
    require("Xvfb")
    name = _free_display()
    argv = ["Xvfb", name, "-nolisten", "tcp", "-noreset", "-extension", "RECORD"]
    with process(argv, os.environ):
        wait_for(lambda: Path(f"/tmp/.X11-unix/X{name[1:]}").exists(), what="Xvfb socket")
        monkeypatch.delenv("DISPLAY", raising=False)
        h = Harness({"DISPLAY": name}, backend="xrecord")
        want = "none: xrecord unavailable (RECORD extension missing)"
        try:
            h.call(h.monitor.start)
            wait_for(lambda: h.status() == want, timeout=10, what="unavailable status")
        finally:
            h.close()
        assert h.changes == [want]
