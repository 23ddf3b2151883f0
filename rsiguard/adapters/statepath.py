"""What stands at the state path, and setting aside what is not ours to read or overwrite.

Helpers of :mod:`rsiguard.adapters.statefile`: naming a directory that is a file,
telling a FIFO or a symlink from a regular file, reading at most so many bytes, and
renaming a file that is not used to ``<path>.<reason>-<UTC time>`` so that nothing
the user had is lost when the next save writes a fresh one.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import time
from pathlib import Path

log = logging.getLogger("rsiguard.state")


_KINDS = (
    (stat.S_ISFIFO, "fifo", "it is a FIFO (named pipe), not a regular file"),
    (stat.S_ISDIR, "directory", "it is a directory, not a regular file"),
    (stat.S_ISCHR, "device", "it is a character device, not a regular file"),
    (stat.S_ISBLK, "device", "it is a block device, not a regular file"),
    (stat.S_ISSOCK, "socket", "it is a socket, not a regular file"),
    (stat.S_ISLNK, "symlink", "it is a symbolic link, and the state file is never one"),
)


def not_regular(path: Path, mode: int) -> None:
    """Set aside ``path``, which is not a regular file (``mode`` from its stat)."""
    reason, why = next(
        ((r, w) for test, r, w in _KINDS if test(mode)),
        ("special", "it is a special file, not a regular file"),
    )
    set_aside(path, reason, why)


def unopenable(path: Path, exc: OSError) -> None:
    """``path`` exists (or seems to) but open() failed: find out what it is, then set it aside."""
    if exc.errno == errno.ENOTDIR:
        # A component of the directory is a file: nothing to read, and the save says why.
        log.warning("ignoring saved state %s: %s", path, not_a_directory(path) or exc)
        return
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        log.warning("ignoring saved state %s: %s", path, exc.strerror or exc)
        return
    if not stat.S_ISREG(mode):
        # ELOOP from O_NOFOLLOW (a symlink), ENXIO (a socket), a device refusing us...
        not_regular(path, mode)
    else:
        set_aside(path, "unreadable", f"cannot read it ({exc.strerror or exc})")


def not_a_directory(path: Path) -> str | None:
    """Why the directory of ``path`` cannot hold it, if a file stands in its place."""
    for parent in path.parents:  # the nearest first
        name = "the state directory" if parent == path.parent else "the directory"
        try:
            # stat, not lstat: a state directory may well be a symlink to a directory.
            mode = os.stat(parent).st_mode
        except (FileNotFoundError, NotADirectoryError):
            if os.path.islink(parent):
                return f"{name} {parent} is a symbolic link to nothing"
            continue  # save() creates it
        except OSError:
            return None
        return None if stat.S_ISDIR(mode) else f"{name} {parent} is not a directory"
    return None


def read_at_most(fd: int, limit: int) -> bytes:
    """Up to ``limit`` bytes from ``fd``: enough to tell a file that is too large."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def set_aside(path: Path, reason: str, why: str) -> None:
    """Rename ``path`` to ``<path>.<reason>-<UTC time>`` (never deleted), and say so."""
    base = f"{path}.{reason}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    dest, n = base, 1
    while os.path.lexists(dest):  # twice in one second: keep both
        n += 1
        dest = f"{base}.{n}"
    try:
        os.rename(path, dest)
    except OSError as exc:
        log.warning(
            "ignoring saved state %s: %s; could not move it aside (%s), so it is left as it is",
            path,
            why,
            exc.strerror or exc,
        )
        return
    log.warning(
        "ignoring saved state %s: %s; moved it to %s and starting with fresh counters",
        path,
        why,
        dest,
    )
