"""The small built-in routines, used when no catalog routine can be chosen.

Steps carry weights, not seconds: a routine stretches to the break's configured length,
so a 30 s micro-break and a 1 s test break play the same steps. The built-in routines
are played exactly when ``avoid`` has ruled out every catalog routine of a kind, so
they honour ``avoid`` (and the targets' own advice) step by step: a step that does
something a condition keeps out is dropped. The steps that move nothing (looking
far away, breathing, standing up) always stay, so a routine is never empty.
"""

from __future__ import annotations

from collections.abc import Collection

from rsiguard.core.policy import BreakKind
from rsiguard.core.routines.model import Routine, Step
from rsiguard.core.routines.properties import EXCLUDES, UNSUITABLE, closure, contraindications_of

#: (instruction, weight, illustration, what it does beyond its picture)
_Part = tuple[str, float, str, tuple[str, ...]]

_BUILTIN: dict[BreakKind, tuple[str, tuple[_Part, ...]]] = {
    BreakKind.MICRO: (
        "Loosen up",
        (
            (
                "Let your arms hang by your sides and shake your hands loosely.",
                1.0,
                "hands_shake",
                (),
            ),
            ("Spread your fingers wide, then relax them; repeat slowly.", 1.0, "finger_fan", ()),
            ("Look at something far away and breathe out slowly.", 1.0, "look_far", ()),
        ),
    ),
    BreakKind.REST: (
        "Stand, move and breathe",
        (
            ("Stand up and walk a few steps, then sit back down.", 1.0, "stand_walk", ()),
            ("Roll your shoulders up, back and down, slowly.", 1.0, "shoulder_roll", ()),
            (
                "Tendon glides: straight hand, hook, full fist, tabletop, straight fist. "
                "Hold each about 5 s; keep your wrist straight.",
                2.0,
                "tendon_hook",
                ("full_fist",),
            ),
            (
                "Draw slow circles with both wrists, changing direction halfway.",
                1.0,
                "wrist_circle",
                (),
            ),
            (
                "Touch your thumb to each fingertip in turn, making an O; both hands.",
                1.0,
                "thumb_o",
                (),
            ),
            ("Look at something far away and blink slowly a few times.", 1.0, "look_far", ()),
            ("Let your hands rest in your lap and take a few slow breaths.", 1.0, "breathing", ()),
        ),
    ),
}


SAFETY = (
    "Move gently and stay within what is comfortable. Stop if numbness, tingling or pain "
    "starts or increases.",
)


def builtin_routine(
    kind: BreakKind,
    duration: float,
    avoid: Collection[str] = (),
    targets: Collection[str] = (),
) -> Routine:
    """The built-in routine for ``kind``, stretched to ``duration`` seconds.

    Steps that ``avoid`` keeps out, or that contradict one of ``targets``, are left out.
    """
    kept_out: set[str] = set()
    for condition in avoid:
        kept_out |= EXCLUDES.get(condition, frozenset())
    for target in targets:
        kept_out |= UNSUITABLE.get(target, frozenset())
    title, parts = _BUILTIN[kind]
    chosen = [
        (text, weight, ill, does)
        for text, weight, ill, extra in parts
        if not (does := closure(extra, ill)) & kept_out
    ]
    total = sum(weight for _, weight, _, _ in chosen)
    steps = tuple(
        Step(text, duration * w / total, illustration=ill, does=does)
        for text, w, ill, does in chosen
    )
    contra = contraindications_of(s.does for s in steps)
    return Routine(f"builtin_{kind.value}", title, kind.value, ("rsi",), steps, SAFETY, contra)
