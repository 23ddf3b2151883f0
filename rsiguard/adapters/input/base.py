"""What every input backend shares: the session of one start, the Backend interface.

A backend is an object with a ``name``, a ``measures`` ("counts": keys, clicks, scroll
and pointer travel; "activity": only whether the user is active) and an ``attempt``
that runs one life of it on the supervisor thread. It reports through the callables it
was built with (all safe from any thread): ``add`` for counts, ``active`` for
activity-only transitions, ``ready`` once it works. ``BackendUnavailable`` from
``attempt`` means "cannot work here": the chooser tries the next candidate.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Literal, Protocol

Measures = Literal["counts", "activity"]
Ready = Callable[["Session", str, bool], None]  # (session, backend name, reconnecting)
Add = Callable[..., None]  # add(keys=0, clicks=0, scroll=0, pointer_px=0.0)
Active = Callable[["Session", bool], None]  # (session, the user is active now)
Report = Callable[["Session", str], None]  # (session, a status line: "waiting: ...")


class BackendUnavailable(Exception):
    """A backend cannot work here (not installed, no device, no service): try the next."""


class Session:
    """State of one ``start()``..``stop()`` span, shared by loop and supervisor threads."""

    def __init__(self, display: str | None, label: str, backends: list[Backend]) -> None:
        self.display = display  # X display name; None when no X11 backend may run
        self.label = label  # "X11 :1", "Wayland wayland-0", "console" or sys.platform
        self.backends = backends  # candidates in order (see chooser.py)
        # Set by stop() and by prefer(): cuts the supervisor's wait short.
        self.wake = threading.Event()
        self.stopping = False  # set under lock by the loop thread
        # A better candidate became available while a later one runs (or none does): the
        # supervisor starts over from the first candidate at once (see prefer()).
        self.preferred: str | None = None
        # Candidates waiting, on threads of their own, for their source to appear (each
        # ends when it does or at stop()): while any waits, "nothing works" is not final.
        self.awaiting: set[str] = set()
        self.closers: list[Callable[[], None]] = []  # stop() calls each (waiters' halts)
        self.fell_back = False  # auto already said why it uses a later choice
        # Why each candidate before the running one was passed over (supervisor thread
        # writes, loop thread reads a copy): what `rsiguard status` and doctor show.
        self.skipped: dict[str, str] = {}
        # Set under lock by the running backend: stops it without blocking (stop() calls it).
        self.halt: Callable[[], None] | None = None
        self.lock = threading.Lock()  # orders stop() against starting/halting a backend

    def install_halt(self, halt: Callable[[], None]) -> bool:
        """Supervisor thread: let stop() and prefer() end the running backend through
        ``halt``; False (install nothing) when either already happened: return at once."""
        with self.lock:
            if self.stopping or self.preferred is not None:
                return False
            self.halt = halt
            return True

    def prefer(self, name: str) -> None:
        """Any thread (a waiter): candidate ``name`` can work now; end whatever runs in
        its place so that the supervisor starts over from the first candidate."""
        with self.lock:
            self.awaiting.discard(name)
            if self.stopping:
                return
            self.preferred = name
            if self.halt is not None:
                self.halt()
        self.wake.set()


class Backend(Protocol):
    """One input source. ``attempt`` is called on the supervisor thread only."""

    name: str
    measures: Measures

    def attempt(self, session: Session, reconnecting: bool) -> tuple[str | None, bool]:
        """Supervisor thread: one life of the backend, until it ends or stop().

        Returns (why it ended, whether it got ready); None for the reason means stopped.
        Raises BackendUnavailable when it cannot work here at all.
        """
        ...


class ActivityOnly:
    """What the activity-only backends (gnome, logind, wayland) share: their callbacks,
    and whether they worked in this session."""

    measures: Measures = "activity"

    def __init__(self, env: Mapping[str, str], active: Active, ready: Ready) -> None:
        """Loop thread; one instance per session."""
        self._env = env
        self._active = active
        self._ready = ready
        # This backend worked in this session: its source missing now means "restarting"
        # (retry), not "not here". ``reconnecting`` cannot say that: it is true when any
        # candidate worked, and a passed-over one would then block the one that did.
        self._worked = False
