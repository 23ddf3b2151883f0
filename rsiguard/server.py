"""The control socket server (asyncio), with single-instance locking and peer checks.

Runs on the daemon's loop thread. The socket lives in a 0700 directory, is itself 0600,
and every connection's peer uid is checked with SO_PEERCRED: a daemon answers only its
own user (root included: root's daemon refuses other uids, and another uid is refused
by a user's daemon even if it is root). There is never a network port.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import socket
import stat
import struct
from collections.abc import Awaitable, Callable
from pathlib import Path

from rsiguard.control import MAX_MESSAGE, ProtocolError, Request, Response, decode_request, error
from rsiguard.control import encode_response as _encode
from rsiguard.exitcodes import Exit

log = logging.getLogger("rsiguard.server")

READ_TIMEOUT = 5.0

Handler = Callable[[Request], Awaitable[Response]]


class AlreadyRunning(Exception):
    """Another daemon of this user holds the instance lock."""


class UnsafeDirectory(Exception):
    """The runtime directory exists but belongs to someone else or is open to others."""


def secure_dir(path: Path) -> None:
    """Create ``path`` as 0700, or check that an existing one is ours and private."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = path.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        raise UnsafeDirectory(f"{path} is not a directory owned by uid {os.getuid()}")
    if st.st_mode & 0o077:
        os.chmod(path, 0o700)


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process on the other end, or None where the OS cannot tell."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


class ControlServer:
    """Serve one JSON request per connection on a Unix socket."""

    def __init__(self, path: Path, handle: Handler) -> None:
        self.path = path
        self._handle = handle
        self._server: asyncio.AbstractServer | None = None
        self._lock_fd: int | None = None

    def _take_lock(self) -> None:
        lock_path = self.path.parent / "daemon.lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunning(f"another rsiguard daemon holds {lock_path}") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd

    async def start(self) -> None:
        """Take the instance lock, remove a stale socket, and listen (mode 0600)."""
        secure_dir(self.path.parent)
        self._take_lock()
        # We hold the lock, so a socket file left here is from a crashed daemon.
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        old = os.umask(0o177)
        try:
            self._server = await asyncio.start_unix_server(
                self._serve, path=str(self.path), limit=MAX_MESSAGE + 1
            )
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)

    async def close(self) -> None:
        """Stop listening, remove the socket and release the lock."""
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                resp = await self._answer(reader, writer)
            except (ConnectionError, TimeoutError):
                raise
            except Exception:  # ours, not the client's: say so, keep the traceback, serve on
                log.exception("control request failed")
                resp = error("internal error in the daemon (see its log)", Exit.ERROR)
            writer.write(_encode(resp))
            await writer.drain()
        except (ConnectionError, TimeoutError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Response:
        sock = writer.get_extra_info("socket")
        uid = peer_uid(sock) if sock is not None else None
        if uid is not None and uid != os.getuid():
            log.warning("refused a control connection from uid %d", uid)
            return error(f"refused: uid {uid} does not own this daemon", Exit.REFUSED)
        try:
            raw = await asyncio.wait_for(reader.readuntil(b"\n"), READ_TIMEOUT)
        except asyncio.LimitOverrunError:
            return error(f"request larger than {MAX_MESSAGE} bytes")
        except asyncio.IncompleteReadError as exc:
            raw = exc.partial
            if len(raw) > MAX_MESSAGE:
                return error(f"request larger than {MAX_MESSAGE} bytes")
        try:
            req = decode_request(raw)
        except ProtocolError as exc:
            return error(str(exc))
        return await self._handle(req)
