"""What a saved state may hold: every field checked where it enters, one at a time.

The state file is the user's (they may edit it, a crash or another program may
garble it), so nothing in it is trusted: a number that is not finite, negative or
absurdly large would crash the start (``OverflowError``) or poison ``status`` (bare
``NaN`` is not JSON). :func:`clean` keeps each field that is within bounds and drops
each one that is not, with a warning naming it; one bad field never costs the others.
"""

from __future__ import annotations

import datetime
import logging
import math
import re
from dataclasses import dataclass, fields
from typing import Any

from rsiguard.core.machine import RECENT
from rsiguard.core.policy import MIN_FACTOR
from rsiguard.core.state import Progress, Today

log = logging.getLogger("rsiguard.state")

# Counts of one day: a billion key presses is far beyond anyone (about 11 000 a
# second, all day), yet small enough for every later sum and round() to stay exact.
COUNT_MAX = 10**9
# Pixels add up faster than presses (a fast pointer moves thousands a second).
PIXELS_MAX = 1e12
# Active time of one local day: 25 h, the longest day (the autumn DST change).
DAY_SECONDS_MAX = 25 * 3600.0
# Active time since a break: a week of typing without one is already absurd.
PROGRESS_MAX = 7 * 86400.0
# Weighted load of a minute: the weights are the user's, so a generous bound.
LOAD_MAX = 1e12
# Snoozes of one break: the configuration allows at most 10; restore() then clamps
# to the policy in force.
SNOOZES_MAX = 100
# Routine ids remembered for rotation: the machine keeps RECENT, and ids are short.
RECENT_MAX = RECENT
ID_MAX = 100
# saved_at: a wall-clock time before 2200 (from 1970 on: a machine without a
# battery-backed clock starts there until NTP answers); anything else is not a time
# this program wrote.
SAVED_AT_MAX = 7_258_118_400.0

_BOUNDS: dict[str, float] = {
    "keys": COUNT_MAX,
    "clicks": COUNT_MAX,
    "scroll": COUNT_MAX,
    "breaks_taken": COUNT_MAX,
    "breaks_natural": COUNT_MAX,
    "breaks_skipped": COUNT_MAX,
    "snoozes": COUNT_MAX,
    "pointer_px": PIXELS_MAX,
    "active_s": DAY_SECONDS_MAX,
    "week_before_s": 6 * DAY_SECONDS_MAX,
    "micro_active": PROGRESS_MAX,
    "rest_active": PROGRESS_MAX,
    "bucket_active": PROGRESS_MAX,
    # Each active second adds 1/factor, and the factor is at least MIN_FACTOR.
    "micro_credit": PROGRESS_MAX / MIN_FACTOR,
    "load_per_min": LOAD_MAX,
    "bucket_load": LOAD_MAX,
}

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class HugeInt:
    """An integer too long to be a count, as read from JSON (never converted: see parse_int)."""

    digits: int


def parse_int(text: str) -> int | HugeInt:
    """``json.loads``'s ``parse_int``: long integers stay text-sized, never int() past its limit.

    ``int()`` refuses more than 4300 digits (ValueError, which would make the whole
    file unreadable) and is slow well before that; no field holds more than 20.
    """
    return int(text) if len(text) <= 40 else HugeInt(len(text.lstrip("-")))


def bound(name: str) -> float:
    """The largest value the numeric field ``name`` of Today or Progress may restore to."""
    return _BOUNDS[name]


def show(value: object) -> str:
    """``value`` for a warning: short, and safe for any size (no 5000-digit repr)."""
    if isinstance(value, HugeInt):
        return f"an integer of {value.digits} digits"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        if value.bit_length() > 64:
            # str() of a huge int is slow, and refused past 4300 digits.
            return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else f"a string of {len(value)} characters"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _number(value: object, top: float, whole: bool) -> int | float | None:
    """``value`` as a count (``whole``) or a float in ``[0, top]``, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        # Compared as ints first: float() of a huge int would overflow.
        if not 0 <= value <= top:
            return None
        return value if whole else float(value)
    if isinstance(value, float):
        if not (math.isfinite(value) and 0.0 <= value <= top):
            return None
        if whole:
            return int(value) if value.is_integer() else None
        return value
    return None


def _reason(whole: bool, top: float) -> str:
    kind = "a whole number" if whole else "a number"
    return f"must be {kind} from 0 to {top:g}"


def valid_day(value: object) -> str | None:
    """``value`` if it is a real ``YYYY-MM-DD`` date, else None."""
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        return None
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return value


def _fields(cls: type[Any], data: object, prefix: str, source: str) -> dict[str, Any]:
    """The fields of ``cls`` in ``data`` that are within bounds; a warning for each other."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        log.warning("%s: ignoring %s = %s: must be an object", source, prefix, show(data))
        return {}
    kept: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value, default, name = data[f.name], f.default, f"{prefix}.{f.name}"
        good: object = None
        if isinstance(default, bool):
            good, reason = (value if isinstance(value, bool) else None), "must be true or false"
        elif isinstance(default, str):
            good, reason = valid_day(value), "must be a date YYYY-MM-DD"
        else:
            whole = isinstance(default, int)
            good, reason = _number(value, bound(f.name), whole), _reason(whole, bound(f.name))
            if default is None and value is None:
                kept[f.name] = None  # load_per_min: not measured yet
                continue
        if good is None:
            log.warning("%s: ignoring %s = %s: %s", source, name, show(value), reason)
        else:
            kept[f.name] = good
    return kept


def _recent(value: object, source: str) -> list[str]:
    if not isinstance(value, list):
        log.warning("%s: ignoring recent = %s: must be a list of routine ids", source, show(value))
        return []
    ids = [r for r in value if isinstance(r, str) and 0 < len(r) <= ID_MAX]
    if len(ids) != len(value):
        log.warning(
            "%s: recent: ignoring %d entries that are not routine ids (at most %d characters)",
            source,
            len(value) - len(ids),
            ID_MAX,
        )
    # Oldest first: the newest are the ones rotation needs.
    return ids[-RECENT_MAX:]


def clean(data: object, source: str) -> dict[str, Any]:
    """The fields of a saved snapshot that are within bounds, in the snapshot's shape.

    Each field that is missing is left out; each that is present but out of bounds,
    not finite or of the wrong type is left out with a warning naming ``source`` and
    the field. Cleaning what :func:`clean` returned warns about nothing.
    """
    if not isinstance(data, dict):
        log.warning("%s: ignoring the saved state: not a JSON object", source)
        return {}
    out: dict[str, Any] = {
        "today": _fields(Today, data.get("today"), "today", source),
        "progress": _fields(Progress, data.get("progress"), "progress", source),
    }
    if "saved_at" in data:
        at = _number(data["saved_at"], SAVED_AT_MAX, whole=False)
        if at is None:
            log.warning(
                "%s: ignoring saved_at = %s: must be a time in seconds from 1970 to 2200",
                source,
                show(data["saved_at"]),
            )
        else:
            out["saved_at"] = at
    if "snoozes_used" in data:
        n = _number(data["snoozes_used"], SNOOZES_MAX, whole=True)
        if n is None:
            value = show(data["snoozes_used"])
            reason = _reason(True, SNOOZES_MAX)
            log.warning("%s: ignoring snoozes_used = %s: %s", source, value, reason)
        else:
            out["snoozes_used"] = n
    if "recent" in data:
        out["recent"] = _recent(data["recent"], source)
    if "safety_seen" in data:
        if isinstance(data["safety_seen"], bool):
            out["safety_seen"] = data["safety_seen"]
        else:
            value = show(data["safety_seen"])
            log.warning("%s: ignoring safety_seen = %s: must be true or false", source, value)
    return out
