"""The pynput backend: pynput's keyboard and mouse listener threads count by callback.

Portable (macOS, Windows, X11) but costly: one Python callback per event (see
docs/activity.md). On X11 pynput itself reads RECORD; the key callback never looks at
the key. Threads: ``PynputBackend.attempt``, ``_wait`` and ``_probe_x`` run on the activity
supervisor thread; the callbacks on pynput's own listener threads; ``_stop`` on the
loop thread.
"""

from __future__ import annotations

import functools
import logging
import math
import sys
import threading
from collections.abc import Callable
from typing import Any, Literal

from rsiguard.adapters.input.base import BackendUnavailable, Measures, Ready, Session

log = logging.getLogger(__name__)


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


class PynputBackend:
    """The pynput backend: keyboard and mouse listener threads call back to count."""

    name = "pynput"
    measures: Measures = "counts"

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
