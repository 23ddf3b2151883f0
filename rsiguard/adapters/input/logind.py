"""logind backend: the session's ``IdleHint`` on the system bus, the last activity source.

Activity only, and coarse: the desktop sets ``IdleHint`` (GNOME after its idle delay,
often minutes), so active time is over-counted by that delay at the end of each active
stretch. It serves where nothing better works (a compositor without an idle protocol,
a console without readable devices). One persistent system-bus connection; the
session's ``PropertiesChanged`` signals count only from the owner of
``org.freedesktop.login1``; a logind restart (``NameOwnerChanged``) reconnects.

The session is ``XDG_SESSION_ID`` (``GetSession``), else this process's
(``GetSessionByPID``), else the user's display session (``User.Display``): a systemd
user service runs outside any session.
Threads: ``attempt`` on the supervisor thread; the halt it installs on any thread.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from jeepney import DBusAddress  # type: ignore[import-untyped, unused-ignore]

from rsiguard.adapters.input.base import ActivityOnly, BackendUnavailable, Session
from rsiguard.adapters.input.busconn import BusConnection, Gone, system_bus_address

NAME = "org.freedesktop.login1"
MANAGER = DBusAddress("/org/freedesktop/login1", bus_name=NAME, interface=f"{NAME}.Manager")
SESSION_IFACE = f"{NAME}.Session"
PROPS = "org.freedesktop.DBus.Properties"


def session_path(bus: BusConnection, env: Mapping[str, str]) -> str:
    """Supervisor thread: the object path of our logind session (see the docstring)."""
    sid = env.get("XDG_SESSION_ID", "")
    tries: list[tuple[str, str, tuple[Any, ...]]] = []
    if sid:
        tries.append(("GetSession", "s", (sid,)))
    tries.append(("GetSessionByPID", "u", (os.getpid(),)))
    for method, sig, args in tries:
        try:
            return str(bus.call(MANAGER, method, sig, args)[0])
        except Exception:  # no such session, or the method is missing
            continue
    try:
        (user,) = bus.call(MANAGER, "GetUser", "u", (os.getuid(),))
        props = DBusAddress(user, bus_name=NAME, interface=PROPS)
        (value,) = bus.call(props, "Get", "ss", (f"{NAME}.User", "Display"))
        path = str(value[1][1])
        if path != "/":
            return path
    except Exception:
        pass
    raise BackendUnavailable("no logind session for this process (XDG_SESSION_ID unset)")


class LogindIdleBackend(ActivityOnly):
    """The ``logind`` activity backend: the supervisor thread waits for IdleHint changes."""

    name = "logind"

    def attempt(self, session: Session, reconnecting: bool) -> tuple[str | None, bool]:
        """Supervisor thread: follow IdleHint until logind goes away or stop()."""
        address = system_bus_address(self._env)
        if address is None:
            raise BackendUnavailable("no system bus")
        bus = BusConnection(address, NAME, "system bus")
        try:
            if bus.owner is None:
                if self._worked:
                    return "no logind on the system bus (yet)", False
                raise BackendUnavailable("no logind on the system bus")
            path = session_path(bus, self._env)
            bus.watch_owner()
            bus.subscribe(interface=PROPS, member="PropertiesChanged", path=path)
            props = DBusAddress(path, bus_name=NAME, interface=PROPS)
            (idle,) = bus.call(props, "Get", "ss", (SESSION_IFACE, "IdleHint"))
            if not session.install_halt(bus.shutdown):
                return None, False
            self._ready(session, self.name, reconnecting)
            self._worked = True
            self._active(session, not idle[1])
            while True:
                iface, changed, _ = bus.next_signal().body
                if iface == SESSION_IFACE and "IdleHint" in changed:
                    self._active(session, not changed["IdleHint"][1])
        except Gone as gone:
            return f"logind {'restarted' if gone.args[0] else 'went away'}", True
        except (OSError, ConnectionError, TimeoutError) as exc:
            if session.stopping:
                return None, True
            return f"lost the system bus ({type(exc).__name__})", True
        except BackendUnavailable:
            raise
        except Exception as exc:  # a D-Bus error reply
            if session.stopping:
                return None, True
            return f"logind failed ({type(exc).__name__})", True
        finally:
            with session.lock:
                session.halt = None
            bus.close()
