"""Suspend, from logind: save state before the machine sleeps, under a delay inhibitor.

logind's ``Manager.Inhibit("sleep", ..., "delay")`` returns a file descriptor; while
rsiguard holds it, a suspend waits (up to logind's ``InhibitDelayMaxSec``, 5 s by
default) for ``PrepareForSleep(true)`` to be handled: the watcher asks the loop to save
the state file, waits for that (at most ``SAVE_WAIT``), then closes the descriptor so
the suspend goes on. ``PrepareForSleep(false)`` (resumed) takes a new inhibitor. The
sleep itself needs nothing else: the core's clock (CLOCK_BOOTTIME) counts it as idle
time, so it can be a natural break.

Signals count only from the owner of ``org.freedesktop.login1``; a logind restart is
followed (reconnect with backoff, like the input supervisor). No system bus: status
``none: no system bus``, nothing logged above DEBUG.

Threads: one daemon thread ("rsiguard-sleep") owns the connection and blocks in its read;
``start``/``stop``/``status`` run on the loop thread, and ``on_sleep`` is called there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from rsiguard.adapters.input.base import BackendUnavailable
from rsiguard.adapters.input.busconn import BusConnection, Gone, system_bus_address
from rsiguard.adapters.input.logind import MANAGER, NAME

log = logging.getLogger("rsiguard.sleep")
SAVE_WAIT = 3.0  # seconds to wait for the loop's save before letting the suspend go on
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0


class SleepWatcher:
    """Holds a logind delay inhibitor and saves state when a suspend begins."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, on_sleep: Callable[[], None], env: Mapping[str, str]
    ) -> None:
        """Loop thread."""
        self._loop = loop
        self._on_sleep = on_sleep
        self._env = env
        self._stop = threading.Event()
        self._bus: BusConnection | None = None  # the running connection (watcher thread)
        self._lock = threading.Lock()
        self.status = "not started"
        self.inhibitor: Any = None  # the FileDescriptor held (watcher thread; tests read it)

    def start(self) -> None:
        """Loop thread: begin watching; never raises."""
        if system_bus_address(self._env) is None:
            self.status = "none: no system bus"
            return
        self.status = "starting: logind PrepareForSleep"
        threading.Thread(target=self._run, name="rsiguard-sleep", daemon=True).start()

    def stop(self) -> None:
        """Loop thread: stop watching (the inhibitor is released with the connection)."""
        self._stop.set()
        with self._lock:
            if self._bus is not None:
                self._bus.shutdown()

    def _set(self, text: str) -> None:
        """Watcher thread: a new status (read by the loop thread: a str swap is atomic)."""
        self.status = text

    def _run(self) -> None:
        """Watcher thread: connect, hold the inhibitor, follow PrepareForSleep; reconnect."""
        delay = BACKOFF_FIRST
        while not self._stop.is_set():
            try:
                problem = self._attempt()
            except BackendUnavailable as exc:
                problem = str(exc)
            except Exception as exc:  # a bug here must not spin or kill the daemon
                log.exception("sleep watcher failed")
                problem = f"failed ({type(exc).__name__})"
            if self._stop.is_set():
                return
            if problem is not None:
                if not self.status.startswith("none"):
                    log.info("not delaying suspend: %s", problem)
                self._set(f"none: {problem}")
            if self._stop.wait(delay):
                return
            delay = min(delay * 2, BACKOFF_MAX)

    def _attempt(self) -> str | None:
        """Watcher thread: one connection's life; why it ended (None: stopped)."""
        address = system_bus_address(self._env)
        if address is None:
            return "no system bus"
        bus = BusConnection(address, NAME, "system bus", enable_fds=True)
        with self._lock:
            if self._stop.is_set():
                bus.close()
                return None
            self._bus = bus
        try:
            if bus.owner is None:
                return "no logind on the system bus"
            bus.watch_owner()
            bus.subscribe(
                interface=f"{NAME}.Manager", member="PrepareForSleep", path=MANAGER.object_path
            )
            self._inhibit(bus)
            self._set("logind PrepareForSleep (delay inhibitor)")
            while True:
                (sleeping,) = bus.next_signal().body
                if sleeping:
                    self._before_sleep()
                else:
                    log.info("resumed from suspend")
                    self._inhibit(bus)
        except Gone:
            return "logind went away"
        except (OSError, ConnectionError, TimeoutError) as exc:
            return None if self._stop.is_set() else f"lost the system bus ({type(exc).__name__})"
        finally:
            self._release()
            with self._lock:
                self._bus = None
            bus.close()

    def _inhibit(self, bus: BusConnection) -> None:
        """Watcher thread: take a sleep delay inhibitor (if not holding one)."""
        if self.inhibitor is None:
            why = "save today's counts before suspend"
            (self.inhibitor,) = bus.call(
                MANAGER, "Inhibit", "ssss", ("sleep", "rsiguard", why, "delay")
            )

    def _release(self) -> None:
        fd, self.inhibitor = self.inhibitor, None
        if fd is not None:
            with contextlib.suppress(Exception):
                fd.close()

    def _before_sleep(self) -> None:
        """Watcher thread: save on the loop (waiting at most SAVE_WAIT), then let go."""
        done = threading.Event()

        def save() -> None:
            try:
                self._on_sleep()
            finally:
                done.set()

        log.info("suspending: saving state")
        with contextlib.suppress(RuntimeError):  # loop closed: nothing to save
            self._loop.call_soon_threadsafe(save)
        if not done.wait(SAVE_WAIT):
            log.warning("state not saved within %gs; letting the suspend go on", SAVE_WAIT)
        self._release()
