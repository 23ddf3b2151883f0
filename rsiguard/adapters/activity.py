"""Activity monitor: counts input and posts ``ActivitySample`` to the loop.

It counts, and never records which key. Backends: "xrecord" (``xrecord.py``: X11 RECORD
read from its own socket, raw events counted by type), "pynput" (portable: macOS,
Windows, X11), "auto" (X11: xrecord, falling back to pynput when xrecord is unavailable;
elsewhere pynput), "none". Both count the same; docs/activity.md has the semantics, the
threads, the status strings and the measurements.

Posting: the first event after a quiet period asks the loop (``call_soon_threadsafe``,
once) to schedule a flush one second later; the flush swaps the counters under a lock and
calls ``post`` on the loop thread: at most one post a second, and with no input no timer
and no wake-up (every thread blocks without a timeout).

Threads (each function's docstring names its own): the loop thread; one supervisor thread
per start ("rsiguard-activity"), which runs the backend and reconnects with backoff (with
xrecord it is the reader too; pynput counts in its own listener threads). All but the
loop thread are daemons.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol

from rsiguard.core.events import ActivitySample

log = logging.getLogger(__name__)

BACKENDS = ("auto", "xrecord", "pynput", "none")
FLUSH_DELAY = 1.0  # seconds from the first event of a burst to its post
BACKOFF_FIRST = 1.0  # seconds before the first retry once the display is gone
BACKOFF_MAX = 30.0
X11 = sys.platform not in ("darwin", "win32")  # elsewhere input comes from an X display
Ready = Callable[["Session", str, bool], None]  # (session, backend name, reconnecting)


def counting(status: str) -> bool:
    """Any thread: whether ``status`` means the monitor counts (or is about to)."""
    return status.startswith(("xrecord", "pynput", "starting"))


class BackendUnavailable(Exception):
    """A backend cannot work here (not installed, extension missing): try the next one."""


class Session:
    """State of one ``start()``..``stop()`` span, shared by loop and supervisor threads."""

    def __init__(self, display: str | None, label: str, backends: list[Backend]) -> None:
        self.display = display  # X display name; None on macOS/Windows
        self.label = label  # "X11 :1" or sys.platform, for the status text
        self.backends = backends  # to try in order (auto: xrecord, then pynput)
        self.stop_event = threading.Event()  # set by stop(): cuts a backoff wait short
        self.stopping = False  # set under lock by the loop thread
        self.fell_back = False  # auto already said why it uses its second choice
        # Set under lock by the running backend: stops it without blocking (stop() calls it).
        self.halt: Callable[[], None] | None = None
        self.lock = threading.Lock()  # orders stop() against starting/halting a backend


class Backend(Protocol):
    name: str

    def attempt(self, session: Session, reconnecting: bool) -> tuple[str | None, bool]:
        """Supervisor thread: one life of the backend (``ActivityMonitor._supervise``)."""
        ...


class ActivityMonitor:
    """Counts key presses, clicks, scroll steps and pointer distance; posts ActivitySample."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        post: Callable[[ActivitySample], None],
        env: Mapping[str, str],
        backend: str = "auto",
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        """Any thread. ``backend``: "auto", "xrecord", "pynput" or "none"."""
        if backend not in BACKENDS:
            raise ValueError(f"unknown activity backend {backend!r}; use one of {BACKENDS}")
        self._loop = loop
        self._post = post
        self._env = env
        self._backend = backend
        self._on_change = on_change
        self._status = "not started"
        self._session: Session | None = None  # loop thread only
        self._timer: asyncio.TimerHandle | None = None  # loop thread only
        self._lock = threading.Lock()  # guards _pending, _armed and _accepting
        self._accepting = False
        self._armed = False  # a flush is scheduled, or about to be
        self._pending = ActivitySample()  # counted, not posted yet

    def __repr__(self) -> str:
        return f"ActivityMonitor(backend={self._backend!r}, status={self._status!r})"

    @property
    def status(self) -> str:
        """Loop thread: what the monitor is doing, for humans (see docs/activity.md)."""
        return self._status

    # ---- lifecycle (loop thread) -------------------------------------------------------

    def start(self) -> None:
        """Loop thread: begin counting. Never raises: problems end up in ``status``."""
        if self._session is not None:
            return
        try:
            self._start()
        except Exception as exc:  # a bug here must not take the daemon down
            log.exception("activity monitor failed to start")
            self._change(f"none: failed to start ({type(exc).__name__})")

    def _start(self) -> None:
        if self._backend == "none":
            self._change("none: disabled by config")
            return
        if self._backend == "xrecord" and not X11:
            self._change(f"none: xrecord needs X11, not {sys.platform}")
            return
        display: str | None = None
        label = sys.platform
        if X11:
            display = self._env.get("DISPLAY", "")
            if not display:
                self._change("none: no DISPLAY")
                return
            for var in ("DISPLAY", "XAUTHORITY"):  # pynput and Xlib read only os.environ
                value = self._env.get(var)
                if value and os.environ.get(var) != value:
                    os.environ[var] = value
            label = f"X11 {display}"
        auto = ["xrecord", "pynput"] if X11 else ["pynput"]
        names = auto if self._backend == "auto" else [self._backend]
        session = Session(display, label, [self._make(name) for name in names])
        with self._lock:
            self._pending, self._armed, self._accepting = ActivitySample(), False, True
        self._session = session
        self._change(f"starting: {names[0]} ({label})")
        threading.Thread(
            target=self._supervise, args=(session,), name="rsiguard-activity", daemon=True
        ).start()

    def _make(self, name: str) -> Backend:
        """Loop thread: the backend called ``name`` ("xrecord" or "pynput")."""
        if name == "xrecord":
            from rsiguard.adapters.xrecord import XRecordBackend  # standard library only

            return XRecordBackend(self._env, self._add, self._ready)
        return _Pynput(self._add, self._ready)

    def stop(self) -> None:
        """Loop thread: stop counting and posting; drops unposted counts. Joins nothing:
        the backend's daemon threads end soon after (pynput's at its next X event)."""
        session, self._session = self._session, None
        if session is None:
            return
        with self._lock:
            self._accepting = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        with session.lock:
            session.stopping = True
            if session.halt is not None:
                session.halt()
        session.stop_event.set()
        self._change("stopped")

    def _change(self, text: str, notify: bool = False) -> None:
        """Loop thread: set the status; call ``on_change`` if ``notify`` and it changed
        (start() and stop() do not notify: their caller reads ``status`` right after)."""
        if text == self._status:
            return
        self._status = text
        if notify and self._on_change is not None:
            self._on_change(text)

    def _set_status(self, session: Session, text: str) -> None:
        """Loop thread, from the supervisor: apply a status unless its session is over."""
        if session is self._session:
            self._change(text, notify=True)

    def _report(self, session: Session, text: str) -> None:
        """Supervisor thread: hand a status change to the loop thread."""
        with contextlib.suppress(RuntimeError):  # loop closed: nobody left to tell
            self._loop.call_soon_threadsafe(self._set_status, session, text)

    def _ready(self, session: Session, name: str, reconnecting: bool) -> None:
        """Supervisor thread: a backend counts now; say so (and log it if it came back)."""
        if reconnecting:
            log.info("activity monitor: %s counting again on %s", name, session.label)
        self._report(session, f"{name} ({session.label})")

    # ---- counting (backend threads) and posting (loop thread) --------------------------

    def _add(
        self, keys: int = 0, clicks: int = 0, scroll: int = 0, pointer_px: float = 0.0
    ) -> None:
        """Backend threads: add to the counters; the first event of a burst arms a flush."""
        with self._lock:
            if not self._accepting:
                return
            p = self._pending
            self._pending = ActivitySample(
                p.keys + keys, p.clicks + clicks, p.scroll + scroll, p.pointer_px + pointer_px
            )
            if self._armed:
                return
            self._armed = True
        with contextlib.suppress(RuntimeError):  # loop closed after stop(): nothing to do
            self._loop.call_soon_threadsafe(self._arm)

    def _arm(self) -> None:
        """Loop thread: schedule the flush one second after the burst began."""
        if self._session is not None and self._timer is None:
            self._timer = self._loop.call_later(FLUSH_DELAY, self._flush)

    def _flush(self) -> None:
        """Loop thread: swap the counters out and post them, if anything was counted."""
        self._timer = None
        with self._lock:
            sample, self._pending, self._armed = self._pending, ActivitySample(), False
        if sample != ActivitySample():  # e.g. only the first pointer position: nothing
            self._post(sample)

    # ---- supervision (supervisor thread) ------------------------------------------------

    def _supervise(self, session: Session) -> None:
        """Supervisor thread: run the backend; when it ends, report and reconnect.

        A backend's ``attempt`` returns (why it ended, whether it got ready); None for the
        reason means stopped. Retries wait 1, 2, 4, ... up to 30 s, only while the display
        is unusable. Each episode logs one WARNING and changes the status once.
        """
        delay = BACKOFF_FIRST
        ever_ready = warned = False
        while not session.stopping:
            try:
                problem, was_ready = self._attempt(session, ever_ready)
            except BackendUnavailable as exc:  # the last choice cannot work here: for good
                self._report(session, f"none: {exc}")
                return
            if problem is None or session.stopping:
                return
            if was_ready:
                ever_ready, warned, delay = True, False, BACKOFF_FIRST
            if not warned:
                log.warning("activity monitor: %s; retrying (backoff to %gs)", problem, BACKOFF_MAX)
                self._report(session, f"{'lost' if ever_ready else 'waiting'}: {problem}; retrying")
                warned = True
            else:
                log.debug("activity monitor: still %s", problem)
            if session.stop_event.wait(delay):
                return
            delay = min(delay * 2, BACKOFF_MAX)

    def _attempt(self, session: Session, reconnecting: bool) -> tuple[str | None, bool]:
        """Supervisor thread: run the first available backend (auto: xrecord, then
        pynput) until it ends; BackendUnavailable if none is."""
        *firsts, last = session.backends
        for backend in firsts:
            try:
                return backend.attempt(session, reconnecting)
            except BackendUnavailable as exc:
                if not session.fell_back:
                    session.fell_back = True
                    log.info("activity monitor: %s; using the next backend", exc)
        return last.attempt(session, reconnecting)


def _probe_x(name: str) -> str | None:
    """Supervisor thread: None if display ``name`` opens, else why not (asked before
    ``import pynput``, whose failure says little and leaves half-imported modules)."""
    try:
        import Xlib.display

        Xlib.display.Display(name).close()
    except Exception:
        return f"cannot open X display {name}"
    return None


def _quiet(base: Any) -> Any:
    """Subclass a pynput listener so the supervisor learns when it is ready and when it ends.

    It also catches what kills the thread (Xlib ``ConnectionClosedError`` when the X server
    dies), which ``threading.excepthook`` would print on every loss. Only a description of
    the error is kept, not the exception: its traceback frames could hold raw event data.
    """

    class Quiet(base):  # type: ignore[misc]
        def __init__(self, changed: threading.Event, **callbacks: Any) -> None:
            super().__init__(**callbacks)
            self.rs_changed = changed
            self.rs_ready = self.rs_ended = self.rs_halted = self.rs_lost_display = False
            self.rs_error: str | None = None

        def run(self) -> None:
            """Listener thread: pynput's loop; however it ends, the supervisor wakes."""
            try:
                super().run()
            except Exception as exc:
                self.rs_error = f"{type(exc).__name__}: {exc}"
                xerr = sys.modules.get("Xlib.error")  # loaded wherever X is in use
                self.rs_lost_display = isinstance(exc, OSError) or (
                    xerr is not None
                    and isinstance(exc, xerr.ConnectionClosedError | xerr.DisplayError)
                )
            finally:
                self.rs_ended = True
                self.rs_changed.set()

        def _mark_ready(self) -> None:
            """Listener thread: pynput calls this once it is set up (RECORD on X11)."""
            super()._mark_ready()
            self.rs_ready = True
            self.rs_changed.set()

    return Quiet


@functools.cache
def _listener_classes() -> tuple[Any, Any]:
    """Supervisor thread: import pynput lazily (on X11 the import opens the display and
    raises ImportError without one). The cache keeps successes only: failures retry."""
    import pynput

    return _quiet(pynput.keyboard.Listener), _quiet(pynput.mouse.Listener)


class _Pynput:
    """The pynput backend: keyboard and mouse listener threads call back to count."""

    name = "pynput"

    def __init__(self, add: Callable[..., None], ready: Ready) -> None:
        """Loop thread; one instance per session."""
        self._add = add
        self._ready = ready
        self._last_pos: tuple[int, int] | None = None  # mouse listener thread only
        self._listeners: list[Any] = []  # replaced under session.lock by the supervisor
        self._changed = threading.Event()  # a listener got ready or ended, or stop()

    def _on_press(self, _key: object, _injected: object = None) -> None:
        """Keyboard listener thread: one key press. The key is deliberately never used."""
        self._add(keys=1)

    def _on_move(self, x: int, y: int, _injected: object = None) -> None:
        """Mouse listener thread: the pointer is now at (x, y)."""
        self._add(pointer_px=self._travel(x, y))

    def _on_click(
        self, x: int, y: int, _button: object, pressed: bool, _injected: object = None
    ) -> None:
        """Mouse listener thread: a button went down (counted) or up (not counted)."""
        self._add(clicks=1 if pressed else 0, pointer_px=self._travel(x, y))

    def _on_scroll(self, x: int, y: int, dx: int, dy: int, _injected: object = None) -> None:
        """Mouse listener thread: a wheel event of |dx| + |dy| steps."""
        self._add(scroll=abs(dx) + abs(dy), pointer_px=self._travel(x, y))

    def _travel(self, x: int, y: int) -> float:
        """Mouse listener thread: distance from the previous position (0 for the first)."""
        last, self._last_pos = self._last_pos, (x, y)
        return 0.0 if last is None else math.hypot(x - last[0], y - last[1])

    def attempt(self, session: Session, reconnecting: bool) -> tuple[str | None, bool]:
        """Supervisor thread: one life of the listeners, from start until they end."""
        if session.display is not None and (problem := _probe_x(session.display)):
            return problem, False
        try:
            keyboard_cls, mouse_cls = _listener_classes()
        except ImportError as exc:
            if session.display is not None and not isinstance(exc, ModuleNotFoundError):
                return f"cannot open X display {session.display}", False  # gone again
            why = (str(exc).splitlines() or [""])[0]
            raise BackendUnavailable(f"pynput unavailable ({type(exc).__name__}: {why})") from None
        self._last_pos = None  # before the mouse thread starts; then it owns _last_pos
        keyboard = keyboard_cls(self._changed, on_press=self._on_press)  # no releases
        mouse = mouse_cls(
            self._changed, on_move=self._on_move, on_click=self._on_click, on_scroll=self._on_scroll
        )
        keyboard.name, mouse.name = "rsiguard-keys", "rsiguard-pointer"
        with session.lock:
            if session.stopping:
                return None, False
            self._listeners = [keyboard, mouse]
            session.halt = self._stop
            keyboard.start()
            mouse.start()
        self._wait(session, "ready")
        was_ready = not session.stopping and not any(lsn.rs_ended for lsn in self._listeners)
        if was_ready:
            self._ready(session, self.name, reconnecting)
            self._wait(session, "end")
        self._wait(session, "settled")  # stopped, or one ended by itself: halt the rest
        if session.stopping:
            return None, was_ready
        errors = [lsn for lsn in self._listeners if lsn.rs_error]
        if session.display is not None and (
            not errors or any(lsn.rs_lost_display for lsn in errors)
        ):
            return f"X display {session.display} closed", was_ready
        return f"input listener failed ({errors[0].rs_error if errors else 'ended'})", was_ready

    def _wait(self, session: Session, until: Literal["ready", "end", "settled"]) -> None:
        """Supervisor thread: block until ``until`` holds; ``Event.wait()`` has no timeout.

        "ready": all listeners ready, one ended, or stop(). "end": one ended, or stop().
        "settled": each one halted or ended; halts the ready ones every time round, as
        one that got ready late would otherwise count forever next to its replacement.
        """
        while True:
            self._changed.clear()  # clear before checking: a later set() is never missed
            listeners = self._listeners
            if until == "settled":
                with session.lock:
                    self._halt()
                done = all(lsn.rs_ready or lsn.rs_ended for lsn in listeners)
            else:
                done = (
                    session.stopping
                    or any(lsn.rs_ended for lsn in listeners)
                    or (until == "ready" and all(lsn.rs_ready for lsn in listeners))
                )
            if done:
                return
            self._changed.wait()

    def _stop(self) -> None:
        """Loop thread, from stop(), holding ``session.lock``: halt, wake the supervisor."""
        self._halt()
        self._changed.set()

    def _halt(self) -> None:
        """Loop or supervisor thread, holding ``session.lock``: stop the ready listeners.

        Only ready ones: pynput's stop() on one that is not ready blocks in ``wait()``.
        Otherwise it does not block; it raises if the display is gone, which is fine.
        """
        for lsn in self._listeners:
            if lsn.rs_ready and not lsn.rs_ended and not lsn.rs_halted:
                lsn.rs_halted = True
                try:
                    lsn.stop()
                except Exception as exc:
                    log.debug("activity monitor: listener stop: %s", type(exc).__name__)
