"""The control client used by the CLI: blocking, standard library only, with a timeout.

It talks only to a daemon of its own user: after connecting it asks the kernel who is
on the other end (SO_PEERCRED) and refuses a stranger, so a socket someone else put
in our path can neither read our requests nor forge replies.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import struct
import time
from collections.abc import Mapping
from pathlib import Path

from rsiguard.control.protocol import (
    MAX_MESSAGE,
    Request,
    Response,
    decode_response,
    encode_request,
)

# connect() on a full listen queue fails at once with EAGAIN: retry this often.
BUSY_RETRY = 0.05


class NoDaemon(Exception):
    """No daemon of ours answers on the control socket; ``str()`` says why."""


class Stranger(NoDaemon):
    """Another user's program listens on our socket path; we do not talk to it."""


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process on the other end, or None where the OS cannot tell (the
    server asks it of every client, the client of the server)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


def _connect(sock: socket.socket, path: Path, deadline: float) -> None:
    while True:
        try:
            sock.connect(str(path))
            return
        except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError) as exc:
            raise NoDaemon(f"no rsiguard daemon is running ({path}: {exc.strerror})") from None
        except BlockingIOError:
            # The daemon's listen queue is full (a burst of clients): wait our turn.
            if time.monotonic() + BUSY_RETRY > deadline:
                raise TimeoutError(
                    errno.EAGAIN, "the daemon is busy (its connection queue stayed full)"
                ) from None
            time.sleep(BUSY_RETRY)


def call(path: Path, req: Request, timeout: float = 5.0) -> Response:
    """Send one request and return the reply; raise :class:`NoDaemon` if none of ours runs."""
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        _connect(sock, path, deadline)
        uid = peer_uid(sock)
        if uid is not None and uid != os.getuid():
            raise Stranger(
                f"no rsiguard daemon of yours: {path} is served by uid {uid}, not by you "
                "(someone else's program; not talking to it)"
            )
        # The daemon may have answered and closed already: then read what it said.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(encode_request(req))
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_MESSAGE:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if chunk.endswith(b"\n"):
                break
    return decode_response(b"".join(chunks))


def running_socket(env: Mapping[str, str]) -> Path | None:
    """The socket the running daemon named in its instance lock, if that is not ours.

    A CLI started without the daemon's ``$XDG_RUNTIME_DIR`` (over ssh, from cron) looks
    for the socket elsewhere; the daemon's lock in the shared state directory says where.
    """
    from rsiguard.base import lockfile
    from rsiguard.base.paths import instance_lock

    lines = lockfile.read(instance_lock(env)).splitlines()
    return Path(lines[1]) if len(lines) > 1 and lines[1].startswith("/") else None


def call_daemon(env: Mapping[str, str], req: Request, timeout: float = 5.0) -> Response:
    """:func:`call` on this environment's socket, else on the one the running daemon uses."""
    from rsiguard.base.paths import socket_path

    path = socket_path(env)
    try:
        return call(path, req, timeout)
    except Stranger:
        raise
    except NoDaemon:
        other = running_socket(env)
        if other is None or other == path:
            raise
    return call(other, req, timeout)
