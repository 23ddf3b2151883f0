"""A fake org.freedesktop.Notifications server for tests, plus a client to drive it.

Run it on a private bus (it connects to DBUS_SESSION_BUS_ADDRESS)::

    python -m tests.fakenotify [--no-actions] [--name NAME] [--vendor V] [--version V] [--replace]

It owns ``org.freedesktop.Notifications`` (exit status 1 if the name is taken,
unless ``--replace``; it exits when a ``--replace`` instance takes the name) and
implements GetCapabilities (``["actions", "body"]``, or ``["body"]`` with
``--no-actions``), GetServerInformation (NAME, VENDOR, V, "1.2"), Notify
(ids from 1; a live ``replaces_id`` is reused) and CloseNotification (emits
NotificationClosed(id, 3) for a live id). Every call is
recorded. Test interface ``org.rsiguard.Test`` at ``/org/rsiguard/Test``:

* ``Calls() -> s``: JSON list of recorded calls, oldest first. Every entry has the
  keys ``method``, ``id``, ``app_name``, ``summary``, ``body``, ``actions`` (flat
  list), ``replaces_id``, ``expire_timeout``, ``hints`` (name -> plain value, bytes
  as hex); keys that do not apply to the method are null (``id`` is the returned id
  for Notify, the argument for CloseNotification).
* ``Invoke(u id, s key)``: emit ActionInvoked(id, key) from the server's connection.
* ``Dismiss(u id)``: emit NotificationClosed(id, 2), as if the user closed it.

:class:`FakeNotifyClient` (blocking jeepney) wraps these for tests::

    with FakeNotifyClient(address) as fake:
        wait_for(fake.ready)                     # the server owns its name
        fake.calls("Notify")                     # recorded Notify calls
        fake.invoke(nid, "start"); fake.dismiss(nid)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from types import TracebackType
from typing import Any, cast

from jeepney import (  # type: ignore[import-untyped, unused-ignore]
    DBusAddress,
    HeaderFields,
    MessageType,
    message_bus,
    new_error,
    new_method_call,
    new_method_return,
    new_signal,
)
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped, unused-ignore]
from jeepney.wrappers import unwrap_msg  # type: ignore[import-untyped, unused-ignore]

BUS_NAME = "org.freedesktop.Notifications"
NOTIFICATIONS = DBusAddress("/org/freedesktop/Notifications", BUS_NAME, BUS_NAME)
TEST_IFACE = "org.rsiguard.Test"
TEST = DBusAddress("/org/rsiguard/Test", BUS_NAME, TEST_IFACE)
_FIELDS = ("id", "app_name", "summary", "body", "actions", "replaces_id", "expire_timeout")


def _plain(value: Any) -> Any:
    """A JSON-friendly copy of a D-Bus value (variants arrive as (signature, value))."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return repr(value)


class FakeServer:
    """The server's state and method handlers, independent of the connection."""

    def __init__(
        self,
        conn: Any,
        *,
        actions: bool = True,
        name: str = "fakenotify",
        version: str = "1.0",
        vendor: str = "rsiguard-tests",
    ) -> None:
        self.conn = conn
        self.caps = ["actions", "body"] if actions else ["body"]
        self.info = (name, vendor, version, "1.2")
        self.calls: list[dict[str, Any]] = []
        self.live: set[int] = set()
        self.next_id = 1
        self.signals: list[Any] = []

    def record(self, method: str, **fields: Any) -> None:
        """Remember one call (all keys present, null when not applicable)."""
        entry: dict[str, Any] = {"method": method, "hints": None}
        entry.update(dict.fromkeys(_FIELDS))
        entry.update(fields)
        self.calls.append(entry)

    def emit(self, member: str, signature: str, body: tuple[Any, ...]) -> None:
        """Queue a Notifications signal, sent from this (the owner's) connection."""
        # Sent after the method's reply, as real servers do.
        self.signals.append(new_signal(NOTIFICATIONS, member, signature, body))

    def handle(self, msg: Any) -> None:
        """Answer one method call (signals and replies are ignored)."""
        if msg.header.message_type != MessageType.method_call:
            return
        fields = msg.header.fields
        key = (fields.get(HeaderFields.path), fields.get(HeaderFields.member))
        handler = {
            (NOTIFICATIONS.object_path, "GetCapabilities"): self.get_capabilities,
            (NOTIFICATIONS.object_path, "GetServerInformation"): self.get_server_information,
            (NOTIFICATIONS.object_path, "Notify"): self.notify,
            (NOTIFICATIONS.object_path, "CloseNotification"): self.close_notification,
            (TEST.object_path, "Calls"): self.get_calls,
            (TEST.object_path, "Invoke"): self.invoke,
            (TEST.object_path, "Dismiss"): self.dismiss,
        }.get(key)
        if handler is None:
            reply = new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (str(key),))
        else:
            reply = handler(msg)
        self.conn.send(reply)
        for signal in self.signals:
            self.conn.send(signal)
        self.signals.clear()

    def get_capabilities(self, msg: Any) -> Any:
        """GetCapabilities() -> as."""
        self.record("GetCapabilities")
        return new_method_return(msg, "as", (self.caps,))

    def get_server_information(self, msg: Any) -> Any:
        """GetServerInformation() -> (name, vendor, version, spec version)."""
        self.record("GetServerInformation")
        return new_method_return(msg, "ssss", self.info)

    def notify(self, msg: Any) -> Any:
        """Notify(susssasa{sv}i) -> u: a live replaces_id keeps its id."""
        app_name, replaces_id, icon, summary, body, actions, hints, expire = msg.body
        if replaces_id in self.live:
            nid = replaces_id
        else:
            nid, self.next_id = self.next_id, self.next_id + 1
        self.live.add(nid)
        simple = {k: _plain(v[1]) for k, v in cast(dict[str, Any], hints).items()}
        self.record(
            "Notify",
            id=nid,
            app_name=app_name,
            app_icon=icon,
            summary=summary,
            body=body,
            actions=list(actions),
            replaces_id=replaces_id,
            expire_timeout=expire,
            hints=simple,
        )
        return new_method_return(msg, "u", (nid,))

    def close_notification(self, msg: Any) -> Any:
        """CloseNotification(u): NotificationClosed(id, 3) if it was live."""
        (nid,) = msg.body
        self.record("CloseNotification", id=nid)
        if nid in self.live:
            self.live.discard(nid)
            self.emit("NotificationClosed", "uu", (nid, 3))
        return new_method_return(msg)

    def get_calls(self, msg: Any) -> Any:
        """Calls() -> s: the recorded calls as JSON."""
        return new_method_return(msg, "s", (json.dumps(self.calls),))

    def invoke(self, msg: Any) -> Any:
        """Invoke(u, s): emit ActionInvoked as if the user clicked."""
        nid, key = msg.body
        self.emit("ActionInvoked", "us", (nid, key))
        return new_method_return(msg)

    def dismiss(self, msg: Any) -> Any:
        """Dismiss(u): emit NotificationClosed(id, 2) as if the user closed it."""
        (nid,) = msg.body
        self.live.discard(nid)
        self.emit("NotificationClosed", "uu", (nid, 2))
        return new_method_return(msg)


def serve(
    address: str,
    *,
    actions: bool = True,
    name: str = "fakenotify",
    version: str = "1.0",
    vendor: str = "rsiguard-tests",
    replace: bool = False,
) -> int:
    """Own the Notifications name on ``address`` and answer calls until the bus goes."""
    conn = open_dbus_connection(address)
    # DO_NOT_QUEUE | ALLOW_REPLACEMENT (a --replace instance may take over), and
    # REPLACE_EXISTING with --replace.
    flags = 4 | 1 | (2 if replace else 0)
    (code,) = unwrap_msg(conn.send_and_get_reply(message_bus.RequestName(BUS_NAME, flags)))
    if code != 1:  # 1: primary owner
        print(f"fakenotify: {BUS_NAME} is taken (RequestName -> {code})", file=sys.stderr)
        return 1
    server = FakeServer(conn, actions=actions, name=name, version=version, vendor=vendor)
    try:
        while True:
            msg = conn.receive()
            fields = msg.header.fields
            if fields.get(HeaderFields.member) == "NameLost" and msg.body == (BUS_NAME,):
                return 0  # replaced by another server
            server.handle(msg)
    except (OSError, EOFError):  # the bus went away
        return 0
    finally:
        conn.close()


class FakeNotifyClient:
    """Drives a running fake server over its test interface (blocking jeepney)."""

    def __init__(self, address: str, timeout: float = 5.0) -> None:
        self._conn: Any = open_dbus_connection(address)
        self._timeout = timeout

    def _call(
        self, addr: Any, method: str, signature: str | None = None, body: tuple[Any, ...] = ()
    ) -> tuple[Any, ...]:
        msg = new_method_call(addr, method, signature, body)
        reply = self._conn.send_and_get_reply(msg, timeout=self._timeout)
        return cast(tuple[Any, ...], unwrap_msg(reply))

    def ready(self) -> bool:
        """Whether some process owns org.freedesktop.Notifications (fake or real)."""
        return bool(self._call(message_bus, "NameHasOwner", "s", (BUS_NAME,))[0])

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Recorded calls, oldest first; only those of ``method`` if given."""
        (data,) = self._call(TEST, "Calls")
        calls = cast(list[dict[str, Any]], json.loads(data))
        return [c for c in calls if method is None or c["method"] == method]

    def invoke(self, nid: int, key: str) -> None:
        """Make the server emit ActionInvoked(nid, key)."""
        self._call(TEST, "Invoke", "us", (nid, key))

    def dismiss(self, nid: int) -> None:
        """Make the server emit NotificationClosed(nid, 2) (dismissed by the user)."""
        self._call(TEST, "Dismiss", "u", (nid,))

    def close(self) -> None:
        """Close the client's bus connection."""
        self._conn.close()

    def __enter__(self) -> FakeNotifyClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: serve on DBUS_SESSION_BUS_ADDRESS."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakenotify", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--no-actions", action="store_true", help="do not advertise actions")
    parser.add_argument("--name", default="fakenotify", help="server name to report")
    parser.add_argument("--version", default="1.0", help="server version to report")
    parser.add_argument("--vendor", default="rsiguard-tests", help="server vendor to report")
    parser.add_argument("--replace", action="store_true", help="take the name over")
    args = parser.parse_args(argv)
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if not address:
        parser.error("DBUS_SESSION_BUS_ADDRESS is not set")
    return serve(
        address,
        actions=not args.no_actions,
        name=args.name,
        version=args.version,
        vendor=args.vendor,
        replace=args.replace,
    )


if __name__ == "__main__":
    sys.exit(main())
