"""Exclusive lock files (``flock``) that no one else can plant, link or redirect.

Used for the daemon's instance lock (in the state directory), the control socket's
lock (beside the socket) and the break window's lock. A lock file is opened with
``O_NOFOLLOW`` and checked after opening: it must be a regular file, ours, with no
other hard link. Anything else was put there by someone else (or is a mistake) and is
refused rather than truncated: truncating a planted link would wipe the file it
points to.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from pathlib import Path


class LockProblem(Exception):
    """The lock file is not something we may use; ``str()`` says what it is instead."""


class Held(Exception):
    """Another process holds the lock; ``args[0]`` is what it wrote into the file."""


def _open(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        raise LockProblem(f"cannot open the lock file {path}: {exc.strerror or exc}") from None
    st = os.fstat(fd)
    problem = ""
    if not stat.S_ISREG(st.st_mode):
        problem = "is not a regular file"
    elif st.st_uid != os.getuid():
        problem = f"belongs to uid {st.st_uid}"
    elif st.st_nlink != 1:
        problem = "has another hard link"
    if problem:
        os.close(fd)
        raise LockProblem(f"the lock file {path} {problem}; remove it if it is not yours")
    return fd


def take(path: Path, content: str) -> int:
    """Lock ``path`` (created 0600) and write ``content`` into it; returns the open fd.

    Raises :class:`Held` (with the holder's content) when another process holds it,
    :class:`LockProblem` when the path is a link, someone else's file or not a file.
    Keep the fd open for as long as the lock should last; closing it releases the lock.
    """
    fd = _open(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 4096, 0).decode(errors="replace")
        os.close(fd)
        raise Held(holder) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, content.encode(), 0)
    return fd


def read(path: Path) -> str:
    """What the holder of ``path`` wrote, if the file is one we may trust, else ``""``."""
    try:
        fd = _open_existing(path)
    except (OSError, LockProblem):
        return ""
    try:
        return os.pread(fd, 4096, 0).decode(errors="replace")
    finally:
        os.close(fd)


def _open_existing(path: Path) -> int:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
        os.close(fd)
        raise LockProblem(f"{path} is not our lock file")
    return fd


def release(fd: int | None) -> None:
    """Release a lock returned by :func:`take` (closing its fd)."""
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)
