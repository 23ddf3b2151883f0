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
A Mutter restart (``NameOwnerChanged``) ends the attempt and the supervisor reconnects.
Threads: ``attempt`` on the supervisor thread; the halt it installs on any thread.
"""

from __future__ import annotations

from collections.abc import Mapping

from jeepney import DBusAddress  # type: ignore[import-untyped, unused-ignore]

from rsiguard.adapters.input.base import ActivityOnly, BackendUnavailable, Session
from rsiguard.adapters.input.busconn import BusConnection, Gone
from rsiguard.adapters.notify.freedesktop import session_bus_address

NAME = "org.gnome.Mutter.IdleMonitor"
PATH = "/org/gnome/Mutter/IdleMonitor/Core"
IDLE_MS = 1000  # idle after this long without input (ms): the resolution of active time
MONITOR = DBusAddress(PATH, bus_name=NAME, interface=NAME)


def _expect_gnome(env: Mapping[str, str]) -> bool:
    """Whether this is a GNOME session, where IdleMonitor missing means "not yet"."""
    return "GNOME" in env.get("XDG_CURRENT_DESKTOP", "").upper().split(":")


class MutterIdleBackend(ActivityOnly):
    """The ``gnome`` activity backend: the supervisor thread waits for WatchFired."""

    name = "gnome"

    def attempt(self, session: Session, reconnecting: bool) -> tuple[str | None, bool]:
        """Supervisor thread: watch Mutter's idle time until it goes away or stop()."""
        address = session_bus_address(self._env)
        if address is None:
            raise BackendUnavailable("no session bus")
        bus = BusConnection(address, NAME, "session bus")
        try:
            if bus.owner is None:
                why = f"no {NAME} on the session bus"
                if self._worked or _expect_gnome(self._env):
                    return f"{why} (yet)", False  # GNOME starting or restarting: retry
                raise BackendUnavailable(f"{why} (not GNOME)")
            bus.watch_owner()
            bus.subscribe(interface=NAME, member="WatchFired", path=PATH)
            (idle_id,) = bus.call(MONITOR, "AddIdleWatch", "t", (IDLE_MS,))
            (active_id,) = bus.call(MONITOR, "AddUserActiveWatch")
            (idle_ms,) = bus.call(MONITOR, "GetIdletime")
            with session.lock:
                if session.stopping:
                    return None, False
                session.halt = bus.shutdown
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
        except Gone as gone:
            return f"Mutter's IdleMonitor {'restarted' if gone.args[0] else 'went away'}", True
        except (OSError, ConnectionError, TimeoutError) as exc:
            if session.stopping:
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
            bus.close()
