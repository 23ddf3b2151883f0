"""The control socket server (asyncio), with single-instance locking and peer checks.

Runs on the daemon's loop thread. The socket lives in a 0700 directory, is itself 0600,
and every connection's peer uid is checked with SO_PEERCRED: a daemon answers only its
own user (root included: root's daemon refuses other uids, and another uid is refused
by a user's daemon even if it is root). There is never a network port.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path

from rsiguard.base import lockfile
from rsiguard.base.exitcodes import Exit
from rsiguard.control.client import peer_uid
from rsiguard.control.protocol import (
    MAX_MESSAGE,
    ProtocolError,
    Request,
    Response,
    decode_request,
    error,
)
from rsiguard.control.protocol import encode_response as _encode

log = logging.getLogger("rsiguard.server")

READ_TIMEOUT = 5.0
#: Connections served at once; more get a short "busy" reply (a burst cannot pile up).
MAX_CLIENTS = 64
BUSY_READ_TIMEOUT = 0.5
#: Pending connections the kernel queues before connect() fails with EAGAIN.
BACKLOG = 256
#: sun_path holds 108 bytes, one of them the terminating NUL.
MAX_SOCKET_PATH = 107

Handler = Callable[[Request], Awaitable[Response]]


class AlreadyRunning(Exception):
    """Another daemon of this user holds the lock; ``str()`` says which and where."""


class UnsafeDirectory(Exception):
    """The socket's directory (or path) cannot be used safely; ``str()`` says why."""


def _make_parents(path: Path) -> None:
    """Create missing parents of ``path`` as 0700 (``makedirs`` gives them the umask)."""
    missing = []
    for parent in path.parents:
        if parent.exists():
            break
        missing.append(parent)
    for parent in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(parent, 0o700)


def secure_dir(path: Path, *, empty_if_open: bool = True) -> bool:
    """Create ``path`` as 0700, or check that an existing one is a directory of ours.

    An existing one that others could write to is made private, and (unless
    ``empty_if_open`` is false: the state directory, whose files are checked one by
    one) everything it held is removed: while it was open, anyone could have planted a
    file or a link there.
    Returns whether it had to be tightened. Raises :class:`UnsafeDirectory`.
    """
    _make_parents(path)
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeDirectory(
            f"{path} exists but is not a directory (a file or a link someone left there)"
        )
    if st.st_uid != os.getuid():
        raise UnsafeDirectory(
            f"{path} belongs to uid {st.st_uid}, not to uid {os.getuid()}: someone else made it"
        )
    if not st.st_mode & 0o077:
        return False
    os.chmod(path, 0o700)
    if not empty_if_open:
        return True
    for entry in os.scandir(path):
        if entry.is_dir(follow_symlinks=False):
            raise UnsafeDirectory(f"{path} was open to others and holds a directory {entry.name}")
        os.unlink(entry.path)
    log.warning("%s was open to others: made it private and emptied it", path)
    return True


class ControlServer:
    """Serve one JSON request per connection on a Unix socket (loop thread only)."""

    def __init__(self, path: Path, handle: Handler) -> None:
        self.path = path
        self._handle = handle
        self._server: asyncio.AbstractServer | None = None
        self._lock_fd: int | None = None
        self._clients = 0

    def _take_lock(self) -> None:
        # One server per socket: a second one must not unlink a live socket.
        lock_path = self.path.parent / "socket.lock"
        try:
            self._lock_fd = lockfile.take(lock_path, f"{os.getpid()}\n")
        except lockfile.Held as held:
            pid = held.args[0].strip() or "?"
            raise AlreadyRunning(
                f"another rsiguard daemon (pid {pid}) serves {self.path}"
            ) from None
        except lockfile.LockProblem as exc:
            raise UnsafeDirectory(str(exc)) from None

    async def start(self) -> None:
        """Take the socket's lock, remove a stale socket, and listen (mode 0600)."""
        if len(os.fsencode(self.path)) > MAX_SOCKET_PATH:
            raise UnsafeDirectory(
                f"the control socket path {self.path} is {len(os.fsencode(self.path))} bytes "
                f"long; Unix sockets allow {MAX_SOCKET_PATH} (use a shorter XDG_RUNTIME_DIR)"
            )
        secure_dir(self.path.parent)
        self._take_lock()
        # We hold the lock, so a socket file left here is from a crashed daemon.
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        old = os.umask(0o177)
        try:
            self._server = await asyncio.start_unix_server(
                self._serve, path=str(self.path), limit=MAX_MESSAGE + 1, backlog=BACKLOG
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
        lockfile.release(self._lock_fd)
        self._lock_fd = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._clients += 1
        try:
            try:
                resp = await self._answer(reader, writer, busy=self._clients > MAX_CLIENTS)
                data = _encode(resp)
            except (ConnectionError, TimeoutError):
                raise
            except Exception:  # ours, not the client's: say so, keep the traceback, serve on
                log.exception("control request failed")
                data = _encode(error("internal error in the daemon (see its log)", Exit.ERROR))
            writer.write(data)
            await writer.drain()
        except (ConnectionError, TimeoutError):
            pass
        finally:
            self._clients -= 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, busy: bool
    ) -> Response:
        sock = writer.get_extra_info("socket")
        uid = peer_uid(sock) if sock is not None else None
        stranger = uid is not None and uid != os.getuid()
        # The request is read even when it will be refused: closing with it unread
        # would reset the connection, and the client would never see why.
        try:
            raw = await asyncio.wait_for(
                reader.readuntil(b"\n"), BUSY_READ_TIMEOUT if busy or stranger else READ_TIMEOUT
            )
        except asyncio.LimitOverrunError:
            return error(f"request larger than {MAX_MESSAGE} bytes")
        except asyncio.IncompleteReadError as exc:
            raw = exc.partial
            if len(raw) > MAX_MESSAGE:
                return error(f"request larger than {MAX_MESSAGE} bytes")
        except TimeoutError:
            if not (busy or stranger):
                return error(f"incomplete request: no end of line within {READ_TIMEOUT:.0f} s")
            raw = b""
        if stranger:
            log.warning("refused a control connection from uid %d", uid)
            return error(f"refused: uid {uid} does not own this daemon", Exit.REFUSED)
        if busy:
            return error(
                f"busy: more than {MAX_CLIENTS} connections at once; try again", Exit.REFUSED
            )
        try:
            req = decode_request(raw)
        except ProtocolError as exc:
            return error(str(exc))
        return await self._handle(req)
