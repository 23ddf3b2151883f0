"""gnome backend: GNOME's own idle tracking, Mutter's ``org.gnome.Mutter.IdleMonitor``.

Activity only: Mutter says when the user became idle or active, never how many keys,
clicks or pixels, so intensity is unknown and the schedule uses the baseline. It is
event-driven, on one persistent session-bus connection (watches belong to the
connection that added them):

- ``AddIdleWatch(IDLE_MS)`` fires each time the idle time reaches 1 s: the user went idle;
- ``AddUserActiveWatch()`` fires once, on the next input: active again (it is one-shot,
  so it is added again each time the idle watch fires);
- ``WatchFired(u)`` carries the watch id and counts only from the owner of
  ``org.gnome.Mutter.IdleMonitor`` (a forged signal from another connection is ignored);
- ``GetIdletime()`` once at the start says whether the user is active right now.

While idle nothing runs; while active the monitor posts one empty sample a second.

Mutter not there yet. At login rsiguard may start before gnome-shell owns the name. In
a GNOME session (``XDG_CURRENT_DESKTOP`` contains ``GNOME``), or after the backend
worked once, a missing name means "not yet": the backend waits for it on the same
connection through ``NameOwnerChanged`` (one blocking read, no polling), at most
``WAIT_FOR_MUTTER`` seconds, with the status ``waiting: gnome: waiting for Mutter's idle
monitor``. When the name appears the watches are added and the status is the ready line.
When the bound passes the next candidate (logind) takes over, and a waiter thread keeps
that connection blocked on ``NameOwnerChanged``: the moment Mutter appears it ends the
stand-in (``Session.prefer``) and the supervisor switches to gnome. A Mutter restart
(the name changes owner) re-adds the watches for the new owner on the same connection.
Threads: ``attempt`` on the supervisor thread; the waiter ("rsiguard-gnome-wait") on its
own; the halts they install on any thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

from jeepney import DBusAddress  # type: ignore[import-untyped, unused-ignore]

from rsiguard.adapters.input.base import (
    Active,
    ActivityOnly,
    BackendUnavailable,
    Ready,
    Report,
    Session,
)
from rsiguard.adapters.input.busconn import BusConnection, Gone
from rsiguard.adapters.notify.freedesktop import session_bus_address

NAME = "org.gnome.Mutter.IdleMonitor"
PATH = "/org/gnome/Mutter/IdleMonitor/Core"
IDLE_MS = 1000  # idle after this long without input (ms): the resolution of active time
# Seconds a GNOME session waits for Mutter's IdleMonitor (at login, or after Mutter went
# away) before the next candidate takes over: gnome-shell owns it within a second or two
# of a normal login; 30 s covers a slow, loaded login without leaving the user uncounted
# for long. Mutter appearing later still switches to gnome (docs/activity.md).
WAIT_FOR_MUTTER = 30.0
MONITOR = DBusAddress(PATH, bus_name=NAME, interface=NAME)

log = logging.getLogger(__name__)


def expect_gnome(env: Mapping[str, str]) -> bool:
    """Whether this is a GNOME session, where IdleMonitor missing means "not yet"."""
    return "GNOME" in env.get("XDG_CURRENT_DESKTOP", "").upper().split(":")


class MutterIdleBackend(ActivityOnly):
    """The ``gnome`` activity backend: the supervisor thread waits for WatchFired."""

    name = "gnome"

    def __init__(
        self, env: Mapping[str, str], active: Active, ready: Ready, report: Report
    ) -> None:
        """Loop thread; one instance per session. ``report`` sets a status line."""
        super().__init__(env, active, ready)
        self._report = report
        # Set once the wait timed out in this session: the waiter thread watches for
        # Mutter from then on, and attempt() passes gnome over at once (this reason).
        self._gave_up: str | None = None

    def attempt(self, session: Session, reconnecting: bool) -> tuple[str | None, bool]:
        """Supervisor thread: watch Mutter's idle time until the bus goes away or stop()."""
        address = session_bus_address(self._env)
        if address is None:
            raise BackendUnavailable("no session bus")
        bus = BusConnection(address, NAME, "session bus")
        handed_off = False
        try:
            if bus.owner is None and not (self._worked or expect_gnome(self._env)):
                raise BackendUnavailable(f"no {NAME} on the session bus (not GNOME)")
            if bus.owner is None and self._gave_up is not None:
                raise BackendUnavailable(self._gave_up)
            bus.watch_owner()  # before looking again: an owner arriving now is not missed
            bus.subscribe(interface=NAME, member="WatchFired", path=PATH)
            if not session.install_halt(bus.shutdown):
                return None, False
            owner = bus.owner_of(NAME)
            wait = "waiting: gnome: waiting for Mutter's idle monitor"
            while True:
                if owner is None:
                    self._report(session, f"{wait} (up to {WAIT_FOR_MUTTER:g} s)")
                    owner = bus.await_owner(WAIT_FOR_MUTTER)
                    if owner is None:
                        handed_off = self._give_up(session, bus)
                        raise BackendUnavailable(self._gave_up)
                bus.owner = owner
                try:
                    self._watch(session, bus, reconnecting or self._worked)
                except Gone as gone:
                    owner = gone.args[0] or None
                    what = "restarted" if owner else "went away"
                    log.info("activity monitor: Mutter's IdleMonitor %s", what)
                    self._active(session, False)
                    wait = f"lost: Mutter's IdleMonitor {what}; waiting for it"
        except (OSError, ConnectionError) as exc:
            if session.stopping or session.preferred is not None:
                return None, True
            return f"lost the session bus ({type(exc).__name__})", True
        except BackendUnavailable:
            raise
        except Exception as exc:  # a D-Bus error reply: an IdleMonitor we cannot use
            if session.stopping:
                return None, True
            return f"Mutter's IdleMonitor failed ({type(exc).__name__})", True
        finally:
            with session.lock:
                session.halt = None
            if not handed_off:
                bus.close()

    def _watch(self, session: Session, bus: BusConnection, reconnecting: bool) -> None:
        """Supervisor thread: add the watches for the current owner, then follow them
        until the name changes owner (Gone) or the connection ends."""
        (idle_id,) = bus.call(MONITOR, "AddIdleWatch", "t", (IDLE_MS,))
        (active_id,) = bus.call(MONITOR, "AddUserActiveWatch")
        (idle_ms,) = bus.call(MONITOR, "GetIdletime")
        self._ready(session, self.name, reconnecting)
        self._worked = True
        self._active(session, idle_ms < IDLE_MS)
        while True:
            (fired,) = bus.next_signal().body
            if fired == idle_id:
                self._active(session, False)
                (active_id,) = bus.call(MONITOR, "AddUserActiveWatch")
            elif fired == active_id:
                self._active(session, True)

    def _give_up(self, session: Session, bus: BusConnection) -> bool:
        """Supervisor thread: the wait timed out; let the next candidate run, and hand
        ``bus`` to a waiter thread that switches back when Mutter appears. False (the
        caller closes ``bus``) when stop() came first."""
        self._gave_up = (
            f"no {NAME} on the session bus after {WAIT_FOR_MUTTER:g} s "
            "(gnome takes over when it appears)"
        )
        log.warning(
            "activity monitor: gnome: Mutter's idle monitor did not appear within %g s; "
            "using the next backend until it does",
            WAIT_FOR_MUTTER,
        )
        with session.lock:
            if session.stopping:
                return False
            session.awaiting.add(self.name)
            session.closers.append(bus.shutdown)
        waiter = threading.Thread(
            target=self._await, args=(session, bus), name="rsiguard-gnome-wait", daemon=True
        )
        waiter.start()
        return True

    def _await(self, session: Session, bus: BusConnection) -> None:
        """Waiter thread: block (no timeout) until Mutter owns the name, or stop()."""
        try:
            owner = bus.await_owner(None)
        except Exception:  # the bus closed, or stop(): nothing to switch to
            owner = None
        finally:
            bus.close()
        if owner is None:
            with session.lock:
                session.awaiting.discard(self.name)
            session.wake.set()  # the supervisor may be waiting for us: re-evaluate
            return
        log.info("activity monitor: Mutter's IdleMonitor appeared; switching to gnome")
        self._gave_up = None
        session.prefer(self.name)
