"""The small built-in routines, used when no catalog routine can be chosen.

Steps carry weights, not seconds: a routine stretches to the break's configured length,
so a 30 s micro-break and a 1 s test break play the same steps.
"""

from __future__ import annotations

from rsiguard.core.policy import BreakKind
from rsiguard.routines.model import Routine, Step

_BUILTIN: dict[BreakKind, tuple[str, tuple[tuple[str, float, str], ...]]] = {
    BreakKind.MICRO: (
        "Loosen your hands",
        (
            ("Let your hands drop to your sides and shake them loosely.", 1.0, "rest"),
            ("Spread your fingers wide, then relax them; repeat slowly.", 1.0, "finger_fan"),
            ("Look at something far away and breathe out slowly.", 1.0, "look_far"),
        ),
    ),
    BreakKind.REST: (
        "Hand and wrist reset",
        (
            (
                "Stand up, roll your shoulders back a few times and breathe slowly.",
                1.0,
                "breathing",
            ),
            (
                "Tendon glides: straight hand, hook, full fist, tabletop, straight fist. "
                "Hold each about 5 s; keep your wrist straight.",
                2.0,
                "tendon_hook",
            ),
            (
                "Gently stretch each wrist: arm out, palm down, ease the fingers toward you "
                "with the other hand. Mild pull only, no pain.",
                1.0,
                "wrist_flexor_stretch",
            ),
            (
                "With your thumb, press small circles across the other palm; switch hands.",
                2.0,
                "palm_massage",
            ),
            (
                "Touch your thumb to each fingertip in turn, making an O; both hands.",
                1.0,
                "thumb_o",
            ),
            ("Let your hands rest in your lap and take a few slow breaths.", 1.0, "rest"),
        ),
    ),
}


SAFETY = (
    "Move gently and stay within what is comfortable. Stop if numbness, tingling or pain "
    "increases.",
)


def builtin_routine(kind: BreakKind, duration: float) -> Routine:
    """The built-in routine for ``kind``, stretched to ``duration`` seconds."""
    title, parts = _BUILTIN[kind]
    total = sum(weight for _, weight, _ in parts)
    steps = tuple(Step(text, duration * w / total, illustration=ill) for text, w, ill in parts)
    return Routine(f"builtin_{kind.value}", title, kind.value, ("rsi",), steps, SAFETY)
