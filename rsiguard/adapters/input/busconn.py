"""One blocking D-Bus connection for a backend thread: calls, owned signals, a clean stop.

The activity-only backends (gnome, logind) each keep one persistent jeepney connection
on the supervisor thread and block in its read while nothing happens: no polling, no
timers. Signals are asked for with ``sender=<well-known name>`` in the bus-side match
rule (so the bus drops other senders) and checked again here against the name's
current unique owner (jeepney's local filters compare unique names, so the local rule
carries no sender). ``NameOwnerChanged`` for the name ends the attempt: the service
restarted or left, and the supervisor reconnects.

Threads: all on the supervisor thread, except ``shutdown()`` (any thread, from stop()):
it shuts the socket down, which wakes the blocked read with end of file.
"""

from __future__ import annotations

import collections
import contextlib
import os
import socket
import stat
import time
from collections.abc import Mapping
from typing import Any

from jeepney import (  # type: ignore[import-untyped, unused-ignore]
    DBusAddress,
    HeaderFields,
    MatchRule,
    MessageType,
    message_bus,
    new_method_call,
)
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped, unused-ignore]
from jeepney.wrappers import unwrap_msg  # type: ignore[import-untyped, unused-ignore]

from rsiguard.adapters.input.base import BackendUnavailable

CALL_TIMEOUT = 2.0  # seconds for each method call
SYSTEM_BUS = "/run/dbus/system_bus_socket"


def system_bus_address(env: Mapping[str, str]) -> str | None:
    """The system bus address, or None when there plainly is none (no socket)."""
    addr = env.get("DBUS_SYSTEM_BUS_ADDRESS", "").strip()
    if addr:
        return addr
    with contextlib.suppress(OSError):
        if stat.S_ISSOCK(os.stat(SYSTEM_BUS).st_mode):
            return f"unix:path={SYSTEM_BUS}"
    return None


class Gone(Exception):
    """The watched name lost or changed its owner (the service restarted or left)."""


class BusConnection:
    """A blocking connection that delivers only the signals of one well-known name."""

    def __init__(self, address: str, name: str, what: str, enable_fds: bool = False) -> None:
        """Supervisor thread: connect; BackendUnavailable if the bus or ``name`` is not there.

        ``enable_fds``: needed to receive a file descriptor (logind's Inhibit).
        """
        self.name = name
        try:
            self.conn: Any = open_dbus_connection(
                address, enable_fds=enable_fds, auth_timeout=CALL_TIMEOUT
            )
        except (OSError, TimeoutError, ValueError) as exc:
            why = f"cannot connect to the {what} ({type(exc).__name__})"
            raise BackendUnavailable(why) from None
        self.queue: collections.deque[Any] = collections.deque()
        self._filters: list[Any] = []
        try:
            self.owner = self.owner_of(name)
        except BaseException:
            self.close()
            raise

    def owner_of(self, name: str) -> str | None:
        """Supervisor thread: the unique name owning ``name``, or None."""
        reply = self.conn.send_and_get_reply(message_bus.GetNameOwner(name), timeout=CALL_TIMEOUT)
        if reply.header.message_type == MessageType.error:
            return None
        return str(reply.body[0])

    def call(
        self, address: DBusAddress, method: str, sig: str | None = None, body: tuple[Any, ...] = ()
    ) -> Any:
        """Supervisor thread: a method call; its reply body (DBusErrorResponse on error)."""
        msg = new_method_call(address, method, sig, body)
        return unwrap_msg(self.conn.send_and_get_reply(msg, timeout=CALL_TIMEOUT))

    def subscribe(self, **rule: Any) -> None:
        """Supervisor thread: receive signals matching ``rule`` from the name's owner."""
        local = MatchRule(type="signal", **rule)
        self._filters.append(self.conn.filter(local, queue=self.queue))
        remote = MatchRule(type="signal", sender=self.name, **rule)
        unwrap_msg(self.conn.send_and_get_reply(message_bus.AddMatch(remote), timeout=CALL_TIMEOUT))

    def watch_owner(self) -> None:
        """Supervisor thread: end ``next_signal`` with Gone when the name changes owner."""
        rule = MatchRule(
            type="signal",
            interface="org.freedesktop.DBus",
            member="NameOwnerChanged",
            path="/org/freedesktop/DBus",
        )
        rule.add_arg_condition(0, self.name)
        self._filters.append(self.conn.filter(rule, queue=self.queue))
        unwrap_msg(self.conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT))

    def next_signal(self) -> Any:
        """Supervisor thread: block until the next signal from the owner; skips spoofs.

        Raises Gone when the owner changed, ConnectionError when the bus went away or
        shutdown() was called.
        """
        while True:
            msg = self.conn.recv_until_filtered(self.queue)
            fields = msg.header.fields
            if fields.get(HeaderFields.member) == "NameOwnerChanged":
                if fields.get(HeaderFields.sender) == "org.freedesktop.DBus":
                    raise Gone(msg.body[2] or "")
                continue
            if fields.get(HeaderFields.sender) == self.owner:
                return msg

    def await_owner(self, timeout: float | None) -> str | None:
        """Supervisor or waiter thread, after ``watch_owner``: block until the name gets
        an owner (its unique name, also kept as ``owner``), or None once ``timeout``
        seconds passed (None: no bound). One read, woken only by the bus: no polling.
        Other queued signals are dropped (they came from no owner worth hearing).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            try:
                msg = self.conn.recv_until_filtered(self.queue, timeout=left)
            except TimeoutError:
                return None
            fields = msg.header.fields
            if (
                fields.get(HeaderFields.member) == "NameOwnerChanged"
                and fields.get(HeaderFields.sender) == "org.freedesktop.DBus"
                and msg.body[2]
            ):
                self.owner = str(msg.body[2])
                return self.owner

    def shutdown(self) -> None:
        """Any thread: wake a blocked ``next_signal`` (it raises ConnectionError)."""
        with contextlib.suppress(OSError):
            self.conn.sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Supervisor thread: close the connection (idempotent)."""
        for handle in self._filters:
            with contextlib.suppress(Exception):
                handle.close()
        self._filters.clear()
        with contextlib.suppress(Exception):
            self.conn.close()
