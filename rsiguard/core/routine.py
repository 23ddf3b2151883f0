"""The small built-in routines a break plays (the full catalog replaces these later).

Steps carry weights, not seconds: a routine stretches to the break's configured length,
so a 30 s micro-break and a 1 s test break play the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass

from rsiguard.core.policy import BreakKind


@dataclass(frozen=True, slots=True)
class Step:
    """One timed step of a routine."""

    instruction: str
    seconds: float


_BUILTIN: dict[BreakKind, tuple[str, tuple[tuple[str, float], ...]]] = {
    BreakKind.MICRO: (
        "Loosen your hands",
        (
            ("Let your hands drop to your sides and shake them loosely.", 1.0),
            ("Spread your fingers wide, then relax them; repeat slowly.", 1.0),
            ("Look at something far away and breathe out slowly.", 1.0),
        ),
    ),
    BreakKind.REST: (
        "Hand and wrist reset",
        (
            ("Stand up, roll your shoulders back a few times and breathe slowly.", 1.0),
            (
                "Tendon glides: straight hand, hook, full fist, tabletop, straight fist. "
                "Hold each about 5 s; keep your wrist straight.",
                2.0,
            ),
            (
                "Gently stretch each wrist: arm out, palm down, ease the fingers toward you "
                "with the other hand. Mild pull only, no pain.",
                1.0,
            ),
            ("With your thumb, press small circles across the other palm; switch hands.", 2.0),
            ("Touch your thumb to each fingertip in turn, making an O; both hands.", 1.0),
            ("Let your hands rest in your lap and take a few slow breaths.", 1.0),
        ),
    ),
}


def builtin_routine(kind: BreakKind, duration: float) -> tuple[str, tuple[Step, ...]]:
    """Title and steps of the built-in routine for ``kind``, stretched to ``duration`` seconds."""
    title, parts = _BUILTIN[kind]
    total = sum(weight for _, weight in parts)
    return title, tuple(Step(text, duration * weight / total) for text, weight in parts)
