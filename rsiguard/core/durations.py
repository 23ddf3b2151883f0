"""Parse and format durations such as ``30s``, ``20m``, ``1h30m`` (pure; config and CLI)."""

from __future__ import annotations

import math
import re

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(h|m|s|ms)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_EXAMPLE = "use for example 30s, 20m or 1h30m"

#: No duration rsiguard uses comes near a year; anything longer is refused here, so that
#: nothing downstream (timers, datetimes, ``round``) can overflow on ``1e400`` or
#: ``999999999999999999999h``. Settings have their own, much lower, limits.
LONGEST = 365 * 86400.0


class DurationTooLong(ValueError):
    """A duration longer than :data:`LONGEST` (``1e400``, ``inf``, a 400-digit integer)."""


def _quoted(text: str | float | int) -> str:
    """``text`` for a message: repr, cut short (a value may be megabytes long)."""
    if isinstance(text, int) and text.bit_length() > 200:
        return f"an integer of {int(math.log10(abs(text))) + 1} digits"
    shown = repr(text[:41] if isinstance(text, str) else text)
    return shown if len(shown) <= 42 else shown[:40] + "...'"


def _checked(seconds: float, text: str | float | int) -> float:
    if math.isnan(seconds):
        raise ValueError(f"{_quoted(text)} is not a duration; {_EXAMPLE}")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    if seconds > LONGEST:
        raise DurationTooLong(f"{_quoted(text)} is too long: a duration is at most a year")
    return seconds


def parse_duration(text: str | float | int) -> float:
    """Seconds in ``text``: a number of seconds, or parts like ``1h30m``, ``20m``, ``45s``.

    Raises ValueError with a short reason for anything else (negative, empty, unknown unit,
    NaN), and its subclass :class:`DurationTooLong` beyond :data:`LONGEST` (never
    OverflowError).
    """
    if isinstance(text, bool):
        raise ValueError("expected a duration such as 30s, 20m or 1h30m, not a boolean")
    if isinstance(text, int):
        try:
            return _checked(float(text), text)
        except OverflowError:  # more than a float holds
            return _checked(-math.inf if text < 0 else math.inf, text)
    if isinstance(text, float):
        return _checked(text, text)
    s = text.strip().lower().replace(" ", "")
    if not s:
        raise ValueError(f"empty duration; {_EXAMPLE}")
    try:
        value = float(s)
    except ValueError:
        pass
    else:
        return _checked(value, text)
    pos, total = 0, 0.0
    for match in _PART.finditer(s):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(s) or pos == 0:
        raise ValueError(f"{_quoted(text)} is not a duration; {_EXAMPLE}")
    return _checked(total, text)


def format_duration(seconds: float) -> str:
    """Short human form: ``45 s``, ``5 min``, ``1 h 30 min``."""
    sec = max(0, round(seconds))
    if sec < 60:
        return f"{sec} s"
    hours, rest = divmod(sec, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    if secs and not hours:
        parts.append(f"{secs} s")
    return " ".join(parts)


def compact_duration(seconds: float) -> str:
    """Compact form that :func:`parse_duration` reads back: ``1h30m``, ``45s``."""
    sec = round(seconds)
    if sec == 0:
        return "0s"
    hours, rest = divmod(sec, 3600)
    minutes, secs = divmod(rest, 60)
    return "".join(f"{v}{u}" for v, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if v)
