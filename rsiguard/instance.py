"""One daemon per user, whatever its environment.

The lock lives in the state directory, the one thing every copy of the daemon shares
(a copy started without ``$XDG_RUNTIME_DIR`` has another socket, but the same
``state.json``). The lock file also names the holder's pid and control socket, for the
"already running" message and for clients started in another environment.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from rsiguard import lockfile
from rsiguard.paths import instance_lock, socket_path
from rsiguard.server import AlreadyRunning, UnsafeDirectory


def _private_dir(path: Path) -> None:
    """The state directory: ours and private (created 0700, tightened if needed)."""
    if not path.is_symlink():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise UnsafeDirectory(f"cannot use the state directory {path}: {exc.strerror}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeDirectory(f"the state directory {path} is not a directory")
    if st.st_uid != os.getuid():
        raise UnsafeDirectory(f"the state directory {path} belongs to uid {st.st_uid}")
    if st.st_mode & 0o077:
        os.chmod(path, 0o700)


def acquire(env: Mapping[str, str]) -> int:
    """Take this user's instance lock; returns its fd (hold it for the daemon's life).

    Raises :class:`AlreadyRunning` naming the running daemon's pid and socket, or
    :class:`UnsafeDirectory` when the state directory or the lock cannot be used.
    """
    path = instance_lock(env)
    try:
        _private_dir(path.parent)
    except FileExistsError:
        raise UnsafeDirectory(f"the state directory {path.parent} is not a directory") from None
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
