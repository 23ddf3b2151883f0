"""What the break window shows of a ``status`` reply, as plain values (no Tk).

Parsing is forgiving: an older or newer daemon's reply with missing or odd fields
still gives something to show. The window (:mod:`rsiguard.faces.window`) draws these.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ALL_ACTIONS", "Shown", "clock", "parse", "repetition", "safety_text", "title"]

ALL_ACTIONS = ("next", "snooze", "skip", "stop")


@dataclass(frozen=True, slots=True)
class Shown:
    """What the window shows of one ``status`` reply (defaults for missing fields)."""

    kind: str = "micro"
    routine: str = "Break"
    step: int = 1
    steps: int = 1
    instruction: str = ""
    side: str = ""
    illustration: str = "rest"
    cautions: tuple[str, ...] = ()
    step_seconds: float | None = None
    reps: int | None = None
    pace_s: float | None = None
    step_left_s: float = 0.0
    routine_left_s: float | None = None
    safety: tuple[str, ...] = ()
    # An older daemon sends no "actions": offer everything and let it refuse.
    actions: tuple[str, ...] = ALL_ACTIONS


def _num(value: Any, default: float | None) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else default


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value if v) if isinstance(value, list) else ()


def parse(data: Mapping[str, Any] | None) -> Shown | None:
    """What to show for a status reply, or ``None`` when no break is running."""
    if not data or data.get("state") != "in_break" or not isinstance(data.get("break"), dict):
        return None
    b = data["break"]
    actions = b.get("actions")
    return Shown(
        kind=str(b.get("kind", "micro")),
        routine=str(b.get("routine") or "Break"),
        step=int(_num(b.get("step"), 1) or 1),
        steps=int(_num(b.get("steps"), 1) or 1),
        instruction=str(b.get("instruction", "")),
        side=str(b.get("side") or ""),
        illustration=str(b.get("illustration") or "rest"),
        cautions=_texts(b.get("cautions")),
        step_seconds=_num(b.get("step_seconds"), None),
        reps=int(r) if (r := _num(b.get("reps"), None)) else None,
        pace_s=_num(b.get("pace_s"), None),
        step_left_s=_num(b.get("step_left_s"), 0.0) or 0.0,
        routine_left_s=_num(b.get("routine_left_s"), None),
        safety=_texts(b.get("safety")),
        actions=tuple(str(a) for a in actions) if isinstance(actions, list) else ALL_ACTIONS,
    )


def clock(seconds: float) -> str:
    """``"12"`` under a minute, ``"2:05"`` above (rounded up: 0.2 s left still shows 1)."""
    s = max(0, math.ceil(seconds))
    return f"{s // 60}:{s % 60:02d}" if s >= 60 else str(s)


def safety_text(shown: Shown) -> str:
    """The routine's safety notes, all of them, most important first, on every step: a
    window opened late, or a short first step, must not hide one."""
    return "\n".join(shown.safety)


def repetition(shown: Shown, left: float) -> str:
    """``3 of 12`` for a paced step with ``left`` seconds to go, so the pace can be
    followed (a breath every 10 s, say); ``""`` for a timed step."""
    if not shown.reps or not shown.pace_s:
        return ""
    done = max(0.0, shown.reps * shown.pace_s - left)
    return f"{min(shown.reps, int(done // shown.pace_s) + 1)} of {shown.reps}"


def title(shown: Shown) -> str:
    """The window title; names the step so tests and window lists can tell where it is."""
    return f"rsiguard: step {shown.step} of {shown.steps} - {shown.routine}"
