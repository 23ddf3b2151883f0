"""Routines as plain frozen dataclasses (the core and the player use these, never pydantic).

The loader (``rsiguard.settings.catalog``) validates the TOML catalog with pydantic and
builds these. Durations are seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rsiguard.core.routines.properties import HAND_WORK

#: What a routine can be for (``routines.targets``).
TARGETS: dict[str, str] = {
    "rsi": "general prevention for keyboard and mouse work",
    "carpal_tunnel": "carpal tunnel symptoms",
    "hand_wrist_pain": "hand and wrist pain",
    "forearm": "forearm tightness",
    "arthritis": "arthritis (osteoarthritis) stiffness",
    "rheumatoid_arthritis": (
        "rheumatoid arthritis: gentle range of motion, gentler still on flare days"
    ),
    "swelling": "mildly puffy hands with a known, harmless cause (heat, long sitting, typing)",
    "stress": "stress",
    "anxiety": "anxiety",
    "eyes": "tired eyes",
}

#: The seven hand-related targets: each has a micro and a rest routine.
HAND_TARGETS = (
    "rsi",
    "carpal_tunnel",
    "hand_wrist_pain",
    "forearm",
    "arthritis",
    "rheumatoid_arthritis",
    "swelling",
)

#: Conditions a user can ask to avoid (``routines.avoid``); routines list the ones they
#: must not be used with.
CONTRAINDICATIONS: dict[str, str] = {
    "recent_fracture": "a recent fracture or surgery in the hand, wrist or arm",
    "open_wound": "an open wound, burn or skin infection on the hands",
    "acute_inflammation": "acute inflammation: a hot, red, swollen joint",
    "ra_flare": "a rheumatoid arthritis flare",
    "blood_thinners": "taking blood thinners",
    "bleeding_disorder": "a bleeding disorder",
    "blood_clot": "a known or suspected blood clot",
    "severe_osteoporosis": "severe osteoporosis",
    "fever": "fever",
    "numbness": "constant numbness or weakness in the hand",
}

SIDES = ("left", "right", "both")
KINDS = ("micro", "rest")


@dataclass(frozen=True, slots=True)
class Step:
    """One step: what to do, for how long, which side, and what to watch for.

    ``seconds`` is the step's length; for a step given as repetitions it is
    ``reps * pace_s``. ``does`` is what the step does (ids of
    :data:`rsiguard.core.routines.properties.PROPERTIES`, closed under what they imply): the
    routine's contraindications follow from it.
    """

    instruction: str
    seconds: float
    side: str = "both"
    illustration: str = "rest"
    cautions: tuple[str, ...] = ()
    reps: int | None = None
    pace_s: float | None = None
    does: frozenset[str] = field(default_factory=frozenset)

    @property
    def hands(self) -> bool:
        """Whether the step is about the hands (only then is it labelled with a side)."""
        return self.side != "both" or bool(self.does & HAND_WORK)


@dataclass(frozen=True, slots=True)
class Routine:
    """A short guided sequence for one kind of break."""

    id: str
    title: str
    kind: str
    targets: tuple[str, ...]
    steps: tuple[Step, ...]
    safety: tuple[str, ...] = ()
    #: Worked out by the loader from what the steps do (plus any a site file adds).
    contraindications: tuple[str, ...] = ()
    summary: str = ""

    @property
    def seconds(self) -> float:
        """Total length of the routine."""
        return sum(step.seconds for step in self.steps)
