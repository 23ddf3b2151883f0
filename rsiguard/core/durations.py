"""Parse and format durations such as ``30s``, ``20m``, ``1h30m`` (pure; config and CLI)."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(h|m|s|ms)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration(text: str | float | int) -> float:
    """Seconds in ``text``: a number of seconds, or parts like ``1h30m``, ``20m``, ``45s``.

    Raises ValueError with a short reason for anything else (negative, empty, unknown unit).
    """
    if isinstance(text, bool):
        raise ValueError("expected a duration such as 30s, 20m or 1h30m, not a boolean")
    if isinstance(text, int | float):
        if text < 0:
            raise ValueError("a duration cannot be negative")
        return float(text)
    s = text.strip().lower().replace(" ", "")
    if not s:
        raise ValueError("empty duration; use for example 30s, 20m or 1h30m")
    try:
        value = float(s)
    except ValueError:
        pass
    else:
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return value
    pos, total = 0, 0.0
    for match in _PART.finditer(s):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(s) or pos == 0:
        raise ValueError(f"{text!r} is not a duration; use for example 30s, 20m or 1h30m")
    return total


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
