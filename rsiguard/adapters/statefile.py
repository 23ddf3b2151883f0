"""Today's counters and break progress in a small JSON file, written atomically.

A crash loses at most the last few seconds (the daemon saves at most every
:data:`SAVE_DELAY` seconds while something changed). Time spent stopped counts as idle
time when the file is read back, so a restart after lunch does not owe a break.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import stat
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from rsiguard.adapters import statebounds
from rsiguard.adapters.statebounds import ID_MAX, RECENT_MAX, bound
from rsiguard.core.accrual import idle_credit
from rsiguard.core.state import Progress, State, Today

log = logging.getLogger("rsiguard.state")

__all__ = [
    "ID_MAX",
    "MAX_BYTES",
    "RECENT_MAX",
    "SAVE_DELAY",
    "bound",
    "load",
    "restore",
    "save",
    "snapshot",
]

VERSION = 1
SAVE_DELAY = 5.0
# Ours is a few hundred bytes; more is not ours, and is not read into memory.
MAX_BYTES = 1 << 20


def snapshot(state: State, wall: float) -> dict[str, Any]:
    """What to keep of ``state``; ``wall`` is the wall-clock time of the snapshot."""
    return {
        "version": VERSION,
        "saved_at": wall,
        "today": asdict(state.today),
        "progress": asdict(state.progress),
        "snoozes_used": state.snoozes_used,
        "recent": list(state.recent),
        "safety_seen": state.safety_seen,
    }


def restore(state: State, data: object, day: str, wall: float) -> State:
    """``state`` with the saved counters and progress of ``data`` put back.

    Each field is checked on its own (:func:`statebounds.clean`): one that is out of
    bounds is ignored with a warning, the others are kept. Today's counters are kept
    when the saved day is ``day``, and also when it is *later* than ``day``: the wall
    clock went back (NTP, a manual setting), which is logged but never starts the day
    again, so the restored ``today.day`` stays the later one. Only an earlier (or
    missing) saved day starts the counters at zero for ``day``.
    """
    saved = statebounds.clean(data, "saved state")
    today = Today(**saved["today"]) if saved["today"].get("day") else Today(day=day)
    if today.day > day:
        log.warning(
            "the saved day %s is later than today %s (the clock went back?): keeping its counters",
            today.day,
            day,
        )
    elif today.day < day:
        today = Today(day=day)
    progress = Progress(**saved["progress"])
    # Time while the daemon was not running is idle time: it may be a natural break.
    # A saved_at in the future (the clock went back) counts as no time at all.
    saved_at = saved.get("saved_at", wall)
    progress = idle_credit(progress, state.policy, max(0.0, wall - saved_at))
    snoozes = min(saved.get("snoozes_used", 0), state.policy.max_snoozes)
    return replace(
        state,
        today=today,
        progress=progress,
        snoozes_used=snoozes,
        recent=tuple(saved.get("recent", ())),
        safety_seen=saved.get("safety_seen", False),
    )


def load(path: Path) -> dict[str, Any] | None:
    """The saved snapshot at ``path``, its fields checked; None if there is none to use.

    Never blocks and never loses what stood there. The file is opened non-blocking
    and without following a symlink, then ``fstat``ed: a FIFO (whose open would wait
    for a writer forever), a directory, a device, a socket or a symlink is not read.
    A symlink is not followed because the save replaces ``path`` by rename: reading
    through a link would read one file and then silently detach the link and write
    another, and it would let whoever placed the link choose what the daemon reads.
    Anything at ``path`` that is not used (not a regular file, unreadable, larger than
    :data:`MAX_BYTES`, not JSON, an unknown ``version``) is moved aside to
    ``<path>.<reason>-<UTC time>`` with a warning saying where, so that the next
    save writes a fresh regular file and nothing is overwritten. Each field is then
    checked on its own (:func:`statebounds.clean`), with a warning naming the file
    and the field for each one ignored.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NOCTTY
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        _unopenable(path, exc)
        return None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            _not_regular(path, mode)
            return None
        raw = _read_at_most(fd, MAX_BYTES + 1)
    except OSError as exc:
        _set_aside(path, "unreadable", f"cannot read it ({exc.strerror or exc})")
        return None
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:
        _set_aside(path, "too-large", f"it is larger than {MAX_BYTES} bytes")
        return None
    if not raw.strip():
        # Nothing in it to keep aside; the next save writes a proper one.
        log.warning("ignoring saved state %s: the file is empty", path)
        return None
    try:
        data = json.loads(raw, parse_int=statebounds.parse_int)
    except (ValueError, RecursionError) as exc:
        # RecursionError: nesting deeper than the parser's stack, which is not ours either.
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        _set_aside(path, "corrupt", f"it is not JSON ({reason})")
        return None
    if not isinstance(data, dict):
        _set_aside(path, "corrupt", "it is not a JSON object")
        return None
    version = data.get("version")
    if type(version) is not int or version != VERSION:
        _set_aside(
            path,
            "unknown-version",
            f"version {statebounds.show(version)} is not {VERSION}, the one this rsiguard "
            "reads (written by another version?)",
        )
        return None
    return {"version": VERSION, **statebounds.clean(data, str(path))}


_KINDS = (
    (stat.S_ISFIFO, "fifo", "it is a FIFO (named pipe), not a regular file"),
    (stat.S_ISDIR, "directory", "it is a directory, not a regular file"),
    (stat.S_ISCHR, "device", "it is a character device, not a regular file"),
    (stat.S_ISBLK, "device", "it is a block device, not a regular file"),
    (stat.S_ISSOCK, "socket", "it is a socket, not a regular file"),
    (stat.S_ISLNK, "symlink", "it is a symbolic link, and the state file is never one"),
)


def _not_regular(path: Path, mode: int) -> None:
    reason, why = next(
        ((r, w) for test, r, w in _KINDS if test(mode)),
        ("special", "it is a special file, not a regular file"),
    )
    _set_aside(path, reason, why)


def _unopenable(path: Path, exc: OSError) -> None:
    """``path`` exists (or seems to) but open() failed: find out what it is, then set it aside."""
    if exc.errno == errno.ENOTDIR:
        # A component of the directory is a file: nothing to read, and the save says why.
        log.warning("ignoring saved state %s: %s", path, _not_a_directory(path) or exc)
        return
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        log.warning("ignoring saved state %s: %s", path, exc.strerror or exc)
        return
    if not stat.S_ISREG(mode):
        # ELOOP from O_NOFOLLOW (a symlink), ENXIO (a socket), a device refusing us...
        _not_regular(path, mode)
    else:
        _set_aside(path, "unreadable", f"cannot read it ({exc.strerror or exc})")


def _not_a_directory(path: Path) -> str | None:
    """Why the directory of ``path`` cannot hold it, if a file stands in its place."""
    for parent in path.parents:  # the nearest first
        name = "the state directory" if parent == path.parent else "the directory"
        try:
            # stat, not lstat: a state directory may well be a symlink to a directory.
            mode = os.stat(parent).st_mode
        except FileNotFoundError:
            if os.path.islink(parent):
                return f"{name} {parent} is a symbolic link to nothing"
            continue  # save() creates it
        except OSError:
            return None
        return None if stat.S_ISDIR(mode) else f"{name} {parent} is not a directory"
    return None


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _set_aside(path: Path, reason: str, why: str) -> None:
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


def save(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` atomically (temp file, fsync, rename), private to the user."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # A plain string, not path.with_name(): a new Path name every few seconds all day
    # was measured to grow an interned-string table (benchmarks: memory over a day).
    tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
