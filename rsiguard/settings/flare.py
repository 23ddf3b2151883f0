"""The rheumatoid arthritis flare day: ``rsiguard flare on|off`` (a small file, no daemon code).

Flares come and go, so they are not a config setting: ``rsiguard flare on`` writes
today's local date to ``$XDG_STATE_HOME/rsiguard/flare`` and asks the daemon to reload.
Loading the configuration (at start and at every reload) reads the date into
``Policy.flare_day``; on that day the core adds ``ra_flare`` to ``avoid``, and at
midnight the setting lapses by itself, because only the day is kept. Standard library
only: the quick CLI imports this.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from pathlib import Path

from rsiguard.base.paths import state_dir

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def flare_file(env: Mapping[str, str]) -> Path:
    """Where the flare day is kept."""
    return state_dir(env) / "flare"


def local_day() -> str:
    """Today's local date, ``YYYY-MM-DD`` (the daemon's day counters use the same)."""
    return time.strftime("%Y-%m-%d")


def read_flare_day(env: Mapping[str, str]) -> str:
    """The day set with ``rsiguard flare on``, or ``""`` (none, unreadable or garbled)."""
    try:
        text = flare_file(env).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return text if _DAY.fullmatch(text) else ""


def set_flare(env: Mapping[str, str], day: str | None) -> Path:
    """Mark ``day`` as a flare day, or (None) clear it; returns the file's path."""
    path = flare_file(env)
    if day is None:
        path.unlink(missing_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".flare.tmp")
    tmp.write_text(day + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
