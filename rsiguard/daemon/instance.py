"""One daemon per user, whatever its environment.

The lock lives in the state directory, the one thing every copy of the daemon shares
(a copy started without ``$XDG_RUNTIME_DIR`` has another socket, but the same
``state.json``). The lock file also names the holder's pid and control socket, for the
"already running" message and for clients started in another environment.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping

from rsiguard.base import lockfile
from rsiguard.base.paths import instance_lock, socket_path
from rsiguard.control.server import AlreadyRunning, UnsafeDirectory, secure_dir


def acquire(env: Mapping[str, str]) -> int:
    """Take this user's instance lock; returns its fd (hold it for the daemon's life).

    Raises :class:`AlreadyRunning` naming the running daemon's pid and socket, or
    :class:`UnsafeDirectory` when the state directory or the lock cannot be used.
    """
    path = instance_lock(env)
    try:
        secure_dir(path.parent, empty_if_open=False)
    except OSError as exc:
        raise UnsafeDirectory(f"cannot use the state directory {path.parent}: {exc}") from None
    try:
        return lockfile.take(path, f"{os.getpid()}\n{socket_path(env)}\n")
    except lockfile.Held as held:
        lines = [*held.args[0].splitlines(), "?", "?"]
        raise AlreadyRunning(
            f"already running for this user (pid {lines[0]}, control socket {lines[1]})"
        ) from None
    except lockfile.LockProblem as exc:
        raise UnsafeDirectory(str(exc)) from None


def release(fd: int | None) -> None:
    """Release the lock taken by :func:`acquire`."""
    with contextlib.suppress(OSError):
        lockfile.release(fd)
