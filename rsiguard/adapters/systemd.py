"""Tell systemd about the daemon's state (the sd_notify protocol), with no library.

The service manager passes the address of a datagram socket in ``$NOTIFY_SOCKET``
(a filesystem path, or ``@name`` for the abstract namespace); each datagram is a few
``KEY=value`` lines. Outside systemd the variable is unset and every call here is a
quiet no-op that returns False. Nothing here raises: a lost notification must never
take the daemon down.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)

#: how long a send may block when the manager's queue is full
_SEND_TIMEOUT = 2.0


def _address(raw: str) -> bytes | None:
    """The socket address for ``raw``, or None for forms we do not speak (e.g. ``vsock:``)."""
    if raw.startswith("@"):
        return b"\0" + os.fsencode(raw[1:])
    if raw.startswith("/"):
        return os.fsencode(raw)
    return None


def _one_line(text: str) -> str:
    """``text`` with line breaks folded, so it cannot smuggle in another assignment."""
    return " ".join(text.splitlines())


def notify(state: str, env: Mapping[str, str]) -> bool:
    """Send ``state`` (newline-separated ``KEY=value`` lines) to ``env["NOTIFY_SOCKET"]``.

    Returns True when the datagram was handed to the socket, False when there is no
    socket to notify (not started by systemd, or ``Type=`` is not ``notify``) or sending
    failed. Never raises; failures are logged at DEBUG.
    """
    raw = env.get("NOTIFY_SOCKET", "")
    if not raw:
        return False
    addr = _address(raw)
    if addr is None:
        log.debug("sd_notify: unsupported NOTIFY_SOCKET %r", raw)
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.settimeout(_SEND_TIMEOUT)
            sock.sendto(state.encode("utf-8", "replace"), addr)
    except (OSError, ValueError) as exc:
        log.debug("sd_notify to %r failed: %s", raw, exc)
        return False
    return True


def ready(env: Mapping[str, str], status: str = "") -> bool:
    """Startup (or a reload) finished: send ``READY=1`` and set the status text.

    The status line is always sent, so an empty ``status`` clears a stale
    "reloading…" text.
    """
    return notify(f"READY=1\nSTATUS={_one_line(status)}", env)


def reloading(env: Mapping[str, str], monotonic_usec: int | None = None) -> bool:
    """A reload (SIGHUP) started: send ``RELOADING=1`` with ``MONOTONIC_USEC``.

    ``monotonic_usec`` is CLOCK_MONOTONIC in microseconds when the reload began
    (default: now). systemd >= 253 uses it to tell this reload cycle from earlier
    ones; older versions ignore the timestamp. Follow with :func:`ready`
    when the new configuration is in effect.
    """
    if monotonic_usec is None:
        monotonic_usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    return notify(f"RELOADING=1\nMONOTONIC_USEC={monotonic_usec}", env)


def status(env: Mapping[str, str], text: str) -> bool:
    """Set the one-line status shown by ``systemctl --user status rsiguard``."""
    return notify(f"STATUS={_one_line(text)}", env)


def stopping(env: Mapping[str, str]) -> bool:
    """Shutdown began: send ``STOPPING=1``."""
    return notify("STOPPING=1", env)
