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
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any

from rsiguard.core.accrual import idle_credit
from rsiguard.core.state import Progress, State, Today

log = logging.getLogger("rsiguard.state")

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


def _pick(cls: type[Any], data: object) -> dict[str, Any]:
    """Fields of ``cls`` found in ``data`` with the type of their default; the rest dropped."""
    if not isinstance(data, dict):
        return {}
    picked: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value, default = data[f.name], f.default
        if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if default is None and isinstance(value, int | float) and not isinstance(value, bool):
            picked[f.name] = float(value)
        elif isinstance(value, type(default)) and isinstance(value, bool) == isinstance(
            default, bool
        ):
            picked[f.name] = value
    return picked


def restore(state: State, data: dict[str, Any], day: str, wall: float) -> State:
    """``state`` with saved counters put back: today's only if the day is the same."""
    try:
        today = Today(**_pick(Today, data.get("today")))
        progress = Progress(**_pick(Progress, data.get("progress")))
        snoozes = int(data.get("snoozes_used", 0))
        saved_at = float(data.get("saved_at", wall))
        recent = tuple(str(r) for r in data.get("recent", ()) if isinstance(r, str))
        safety_seen = data.get("safety_seen") is True
    except (TypeError, ValueError) as exc:
        log.warning("ignoring unreadable saved state: %s", exc)
        return state
    if today.day != day:
        today = Today(day=day)
    # Time while the daemon was not running is idle time: it may be a natural break.
    progress = idle_credit(progress, state.policy, max(0.0, wall - saved_at))
    snoozes = max(0, min(snoozes, state.policy.max_snoozes))
    return replace(
        state,
        today=today,
        progress=progress,
        snoozes_used=snoozes,
        recent=recent,
        safety_seen=safety_seen,
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
