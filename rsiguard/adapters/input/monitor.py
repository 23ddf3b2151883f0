"""Activity monitor: runs the chosen input backend and posts ``ActivitySample`` to the loop.

It counts, and never records which key. The candidates come from ``chooser.py``; each
backend says what it measures: full counts (xrecord, pynput, evdev) or activity only
(gnome, wayland, logind). docs/activity.md has the semantics, the threads, the status strings
and the measurements.

Posting, counting backends: the first event after a quiet period asks the loop
(``call_soon_threadsafe``, once) to schedule a flush one second later; the flush swaps
the counters under a lock and calls ``post`` on the loop thread: at most one post a
second, and with no input no timer and no wake-up (every thread blocks without a
timeout). Activity-only backends report transitions (active, idle); while active the
loop posts an empty sample once a second (active time, no counts), while idle nothing
runs.

Threads (each function's docstring names its own): the loop thread; one supervisor thread
per start ("rsiguard-activity"), which runs the backend and reconnects with backoff (it
is the reader too for xrecord, evdev, gnome, wayland and logind; pynput counts in its own
listener threads). All but the loop thread are daemons.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping

from rsiguard.adapters.input import chooser
from rsiguard.adapters.input.base import Backend, BackendUnavailable, Measures, Session
from rsiguard.core.events import ActivitySample

log = logging.getLogger(__name__)

BACKENDS = chooser.BACKENDS
FLUSH_DELAY = 1.0  # seconds from the first event of a burst to its post
BACKOFF_FIRST = 1.0  # seconds before the first retry once the display is gone
BACKOFF_MAX = 30.0
ACTIVITY_ONLY = ": activity only"  # status suffix of the activity-only backends
PLATFORM = sys.platform  # a module constant so tests can pretend another platform
_NAMES = tuple(b for b in BACKENDS if b not in ("auto", "none"))


def counting(status: str) -> bool:
    """Any thread: whether ``status`` means the monitor measures input (or is about to)."""
    return status.startswith((*_NAMES, "starting"))


def measures(status: str) -> Measures | None:
    """Any thread: what a status says is measured: "counts", "activity", or None."""
    if not counting(status) or status.startswith("starting"):
        return None
    return "activity" if status.endswith(ACTIVITY_ONLY) else "counts"


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
        """Any thread. ``backend``: one of ``BACKENDS`` (``activity.backend``)."""
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
        self._plan: chooser.Plan | None = None  # loop thread: what the last start() chose from
        self._measures: Measures | None = None  # loop thread: what the running backend gives
        self._ticker: asyncio.TimerHandle | None = None  # loop thread: active, activity-only
        self._last_post = -1e9  # loop thread: time.monotonic() of the last post

    def __repr__(self) -> str:
        return f"ActivityMonitor(backend={self._backend!r}, status={self._status!r})"

    @property
    def status(self) -> str:
        """Loop thread: what the monitor is doing, for humans (see docs/activity.md)."""
        return self._status

    @property
    def measures(self) -> Measures | None:
        """Loop thread: "counts", "activity" (no counts: intensity unknown) or None."""
        return self._measures if counting(self._status) else None

    @property
    def skipped(self) -> dict[str, str]:
        """Loop thread: why ``auto`` passed over earlier candidates (name -> reason)."""
        session = self._session
        return dict(session.skipped) if session is not None else {}

    @property
    def plan(self) -> chooser.Plan | None:
        """Loop thread: the session kind and candidates of the last ``start()``."""
        return self._plan

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
        plan = chooser.plan(self._env, self._backend, PLATFORM)
        self._plan, self._measures = plan, None
        if plan.refusal is not None:
            self._change(f"none: {plan.refusal}")
            return
        if plan.display is not None:
            for var in ("DISPLAY", "XAUTHORITY"):  # pynput and Xlib read only os.environ
                value = self._env.get(var)
                if value and os.environ.get(var) != value:
                    os.environ[var] = value
        session = Session(plan.display, plan.label, [self._make(name) for name in plan.names])
        with self._lock:
            self._pending, self._armed, self._accepting = ActivitySample(), False, True
        self._session = session
        self._change(f"starting: {plan.names[0]} ({plan.label})")
        threading.Thread(
            target=self._supervise, args=(session,), name="rsiguard-activity", daemon=True
        ).start()

    def _make(self, name: str) -> Backend:
        """Loop thread: the backend called ``name`` (imported only when it is a candidate)."""
        if name == "xrecord":
            from rsiguard.adapters.input.xrecord import XRecordBackend  # standard library only

            return XRecordBackend(self._env, self._add, self._ready)
        if name == "evdev":
            from rsiguard.adapters.input.evdev import EvdevBackend

            return EvdevBackend(self._add, self._ready)
        if name == "gnome":
            from rsiguard.adapters.input.gnome import MutterIdleBackend

            return MutterIdleBackend(self._env, self._active, self._ready, self._report)
        if name == "wayland":
            from rsiguard.adapters.input.wayland import WaylandIdleBackend

            return WaylandIdleBackend(self._env, self._active, self._ready)
        if name == "logind":
            from rsiguard.adapters.input.logind import LogindIdleBackend

            return LogindIdleBackend(self._env, self._active, self._ready)
        from rsiguard.adapters.input.pynput_listeners import PynputBackend

        return PynputBackend(self._add, self._ready)

    def stop(self) -> None:
        """Loop thread: stop counting and posting; drops unposted counts. Joins nothing:
        the backend's daemon threads end soon after (pynput's at its next X event)."""
        session, self._session = self._session, None
        if session is None:
            return
        with self._lock:
            self._accepting = False
        for handle in (self._timer, self._ticker):
            if handle is not None:
                handle.cancel()
        self._timer = self._ticker = None
        with session.lock:
            session.stopping = True
            for halt in (session.halt, *session.closers):
                if halt is not None:
                    halt()
        session.wake.set()
        self._change("stopped")

    def _change(self, text: str, notify: bool = False) -> None:
        """Loop thread: set the status; call ``on_change`` if ``notify`` and it changed
        (start() and stop() do not notify: their caller reads ``status`` right after)."""
        if text == self._status:
            return
        self._status = text
        if notify and self._on_change is not None:
            self._on_change(text)

    def _set_status(self, session: Session, text: str, measures: Measures | None = None) -> None:
        """Loop thread, from the supervisor: apply a status unless its session is over."""
        if session is self._session:
            if measures is not None:
                self._measures = measures
            if not counting(text):
                self._set_active(session, False)
            self._change(text, notify=True)

    def _report(self, session: Session, text: str, measures: Measures | None = None) -> None:
        """Supervisor thread: hand a status change to the loop thread."""
        with contextlib.suppress(RuntimeError):  # loop closed: nobody left to tell
            self._loop.call_soon_threadsafe(self._set_status, session, text, measures)

    def _ready(self, session: Session, name: str, reconnecting: bool) -> None:
        """Supervisor thread: a backend works now; say so (and log it if it came back)."""
        if reconnecting:
            log.info("activity monitor: %s counting again on %s", name, session.label)
        names = [b.name for b in session.backends]
        for later in names[names.index(name) :] if name in names else ():
            session.skipped.pop(later, None)  # passed over before it (gnome, Mutter late)
        kind: Measures = next((b.measures for b in session.backends if b.name == name), "counts")
        suffix = ACTIVITY_ONLY if kind == "activity" else ""
        self._report(session, f"{name} ({session.label}){suffix}", kind)

    # ---- activity-only backends: active time without counts ----------------------------

    def _active(self, session: Session, active: bool) -> None:
        """Backend threads: the user became active (or idle); at most one post a second."""
        with contextlib.suppress(RuntimeError):  # loop closed after stop(): nothing to do
            self._loop.call_soon_threadsafe(self._set_active, session, active)

    def _set_active(self, session: Session, active: bool) -> None:
        """Loop thread: while active, tick once a second; while idle, nothing runs."""
        if session is not self._session:  # a report from a stopped session: not ours
            return
        if not active:
            if self._ticker is not None:
                self._ticker.cancel()
                self._ticker = None
            return
        if self._ticker is None:
            wait = max(0.0, self._last_post + FLUSH_DELAY - time.monotonic())
            self._ticker = self._loop.call_later(wait, self._tick)

    def _tick(self) -> None:
        """Loop thread: one second of activity: an empty sample (active time, no counts)."""
        self._last_post = time.monotonic()
        self._ticker = self._loop.call_later(FLUSH_DELAY, self._tick)
        self._post(ActivitySample())

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
            self._last_post = time.monotonic()
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
            except BackendUnavailable as exc:  # the last choice cannot work here
                self._report(session, f"none: {exc}")
                with session.lock:
                    final = not session.awaiting and session.preferred is None
                if final:  # nothing can change that: for good
                    return
                session.wake.wait()  # until a waiting candidate's source appears, or stop()
                problem, was_ready = None, False
            if self._switch(session):
                ever_ready = ever_ready or was_ready
                warned, delay = False, BACKOFF_FIRST
                continue
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
            if session.wake.wait(delay):
                if not self._switch(session):
                    return
                warned, delay = False, BACKOFF_FIRST
                continue
            delay = min(delay * 2, BACKOFF_MAX)

    def _switch(self, session: Session) -> bool:
        """Supervisor thread: whether a preferred candidate appeared (see Session.prefer);
        if so, forget it and say so: the caller starts over from the first candidate."""
        with session.lock:
            name, session.preferred = session.preferred, None
            if name is None or session.stopping:
                return False
            session.wake.clear()
        log.info("activity monitor: %s can work now; switching to it", name)
        return True

    def _attempt(self, session: Session, reconnecting: bool) -> tuple[str | None, bool]:
        """Supervisor thread: run the first available candidate until it ends;
        BackendUnavailable (naming why each was passed over) if none is."""
        for backend in session.backends:
            try:
                result = backend.attempt(session, reconnecting)
            except BackendUnavailable as exc:
                session.skipped[backend.name] = str(exc)
                if backend is not session.backends[-1] and not session.fell_back:
                    session.fell_back = True
                    log.info("activity monitor: %s; using the next backend", exc)
                continue
            session.skipped.pop(backend.name, None)
            return result
        if len(session.backends) == 1:
            raise BackendUnavailable(session.skipped[session.backends[0].name])
        why = "; ".join(f"{name}: {text}" for name, text in session.skipped.items())
        raise BackendUnavailable(f"no input source ({why})")
