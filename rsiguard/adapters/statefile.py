"""Today's counters and break progress in a small JSON file, written atomically.

A crash loses at most the last few seconds (the daemon saves at most every
:data:`SAVE_DELAY` seconds while something changed). Time spent stopped counts as idle
time when the file is read back, so a restart after lunch does not owe a break.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
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
    """The saved snapshot, or None if there is none or it cannot be read."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring saved state %s: %s", path, exc)
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        log.warning("ignoring saved state %s: unknown format", path)
        return None
    return data


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
