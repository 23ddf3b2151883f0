"""Today's counters and break progress in a small JSON file, written atomically.

A crash loses at most the last few seconds (the daemon saves at most every
:data:`SAVE_DELAY` seconds while something changed). Time spent stopped counts as idle
time when the file is read back, so a restart after lunch does not owe a break.

The file is the user's, so nothing read from it is trusted: :func:`load` never
blocks, never follows a symlink and never loses what it cannot use (it is moved
aside), and every field is bounded where it enters (:mod:`statebounds`). The daemon:

- at start, holding its instance lock: :func:`clean_leftovers`, then :func:`load`
  and, if that gave a snapshot, :func:`restore`;
- to save: ``Saver(path).save(snapshot(state, wall))``, which logs each distinct
  problem once rather than every :data:`SAVE_DELAY` seconds.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from rsiguard.adapters import statebounds, statepath
from rsiguard.adapters.statebounds import ID_MAX, RECENT_MAX, bound
from rsiguard.core.accrual import idle_credit
from rsiguard.core.state import Progress, State, Today

log = logging.getLogger("rsiguard.state")

__all__ = [
    "ID_MAX",
    "MAX_BYTES",
    "RECENT_MAX",
    "SAVE_DELAY",
    "Saver",
    "bound",
    "clean_leftovers",
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
        statepath.unopenable(path, exc)
        return None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            statepath.not_regular(path, mode)
            return None
        raw = statepath.read_at_most(fd, MAX_BYTES + 1)
    except OSError as exc:
        statepath.set_aside(path, "unreadable", f"cannot read it ({exc.strerror or exc})")
        return None
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:
        statepath.set_aside(path, "too-large", f"it is larger than {MAX_BYTES} bytes")
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
        statepath.set_aside(path, "corrupt", f"it is not JSON ({reason})")
        return None
    if not isinstance(data, dict):
        statepath.set_aside(path, "corrupt", "it is not a JSON object")
        return None
    version = data.get("version")
    if type(version) is not int or version != VERSION:
        statepath.set_aside(
            path,
            "unknown-version",
            f"version {statebounds.show(version)} is not {VERSION}, the one this rsiguard "
            "reads (written by another version?)",
        )
        return None
    return {"version": VERSION, **statebounds.clean(data, str(path))}


def save(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` atomically (temp file, fsync, rename), private to the user.

    The temp file ``.<name>.<pid>.tmp`` is created with ``O_EXCL | O_NOFOLLOW``: a
    file or symlink already there (left by a failed save, or planted) is removed and
    never written through. Raises OSError; a state directory that is a file is
    reported as such (not as ``[Errno 17] File exists``).
    """
    parent = path.parent
    try:
        parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        why = statepath.not_a_directory(path)
        if why is None:
            raise
        raise NotADirectoryError(why) from exc
    # A plain string, not path.with_name(): a new Path name every few seconds all day
    # was measured to grow an interned-string table (benchmarks: memory over a day).
    tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.{os.getpid()}.tmp")
    fd = _create(tmp)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    # The rename itself reaches the disk only with the directory.
    with contextlib.suppress(OSError):
        dfd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def _create(tmp: str) -> int:
    """A new temp file of our own at ``tmp``; whatever stood there is unlinked, not followed."""
    try:
        return os.open(tmp, _CREATE, 0o600)
    except FileExistsError:
        # Our pid's name, so a leftover of ours, or something planted (a symlink to a
        # file of the user's): unlink removes the name, never what a link points to.
        os.unlink(tmp)
        return os.open(tmp, _CREATE, 0o600)


def clean_leftovers(path: Path) -> list[Path]:
    """Remove the temp files (``.<name>.<pid>.tmp``) that interrupted saves left beside ``path``.

    A kill -9 or a power cut during a save leaves one behind, and a restart has a
    new pid, so nothing else would ever remove it. Call once at start, while holding
    the instance lock: then no other save can be in progress, whatever its pid.
    Symlinks there are removed, never followed; directories are left alone. Returns
    what was removed.
    """
    prefix, suffix = f".{path.name}.", ".tmp"
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []  # no state directory yet (or not one): nothing left over
    removed: list[Path] = []
    for name in sorted(names):
        pid = name[len(prefix) : -len(suffix)]
        if not (name.startswith(prefix) and name.endswith(suffix)):
            continue
        if not (pid.isascii() and pid.isdigit()):
            continue  # not a name save() makes: not ours to remove
        leftover = path.parent / name
        try:
            if stat.S_ISDIR(os.lstat(leftover).st_mode):
                continue
            os.unlink(leftover)
        except OSError as exc:
            log.warning("cannot remove %s, left by an interrupted save: %s", leftover, exc)
            continue
        log.info("removed %s, left by a save that was interrupted (a crash or kill -9)", leftover)
        removed.append(leftover)
    return removed


class Saver:
    """Saves the state file, and says once what goes wrong rather than at every save.

    The daemon saves every few seconds while something changes, so a problem that
    lasts (a full disk, a read-only or missing directory) would repeat its warning
    each time. Each distinct problem is logged once, and once more when saving
    works again.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem: str | None = None

    def save(self, data: dict[str, Any]) -> bool:
        """Write ``data`` to the state file (see :func:`save`); False if it could not be."""
        try:
            save(self.path, data)
        except OSError as exc:
            problem = str(exc)
            if problem != self.problem:
                log.warning(
                    "cannot save state to %s: %s (said once until it changes or is fixed)",
                    self.path,
                    problem,
                )
                self.problem = problem
            return False
        if self.problem is not None:
            log.info("saving state to %s works again", self.path)
            self.problem = None
        return True
