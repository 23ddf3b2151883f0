"""What a step does, and what follows from it: contraindications and target suitability.

Pure data and functions (no I/O). A step declares what it does (``does`` in the TOML,
e.g. ``["massage", "firm_pressure"]``); its picture adds what the position shown always
does (a palm-up wrist stretch always loads the median nerve). From those properties
follow, with no hand-kept list that could drift:

- a routine's contraindications: every condition whose excluded properties one of its
  steps has (:func:`contraindications_of`);
- whether a routine suits a target: no step does what that target's own advice rules
  out (:func:`unsuitable_for`), e.g. firm pressure for swelling.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Property id -> what a step with it does (the ``does`` vocabulary).
PROPERTIES: dict[str, str] = {
    "hand_movement": "moves the fingers, thumb, wrist or forearm, or uses the hands to work",
    "full_fist": "closes the fingers all the way into a fist",
    "stretch": "holds a stretch at the end of a joint's range",
    "finger_lever": "the other hand pushes the fingers back, levering their joints",
    "median_nerve_load": (
        "loads the median nerve: the wrist held bent, or the elbow and wrist straightened "
        "together (wrist stretches, prayer stretch, nerve sliders)"
    ),
    "neck_movement": "moves the head and neck",
    "massage": "massage of any kind, light strokes included",
    "firm_pressure": "presses or kneads into the muscle, more than a light stroke",
    "carpal_pressure": (
        "presses over the carpal tunnel: the middle of the heel of the hand or the wrist crease"
    ),
}

#: A property -> the properties it always brings with it.
IMPLIES: dict[str, frozenset[str]] = {
    "full_fist": frozenset({"hand_movement"}),
    "stretch": frozenset({"hand_movement"}),
    "finger_lever": frozenset({"stretch", "hand_movement"}),
    "median_nerve_load": frozenset({"hand_movement"}),
    "massage": frozenset({"hand_movement"}),
    "firm_pressure": frozenset({"massage", "hand_movement"}),
    "carpal_pressure": frozenset({"massage", "hand_movement"}),
}

#: Contraindication id -> the step properties it keeps out (``routines.avoid``).
EXCLUDES: dict[str, frozenset[str]] = {
    "recent_fracture": frozenset({"hand_movement"}),
    "open_wound": frozenset({"massage"}),
    "acute_inflammation": frozenset({"massage", "stretch"}),
    "ra_flare": frozenset({"massage", "stretch", "full_fist", "median_nerve_load", "finger_lever"}),
    # The five below keep out massage of any kind, light strokes too: the safety notice
    # says "leave massage out", and the filter must not be milder than the words.
    "blood_thinners": frozenset({"massage"}),
    "bleeding_disorder": frozenset({"massage"}),
    "blood_clot": frozenset({"massage"}),
    "severe_osteoporosis": frozenset({"massage"}),
    "fever": frozenset({"massage"}),
    "numbness": frozenset({"median_nerve_load", "carpal_pressure"}),
}

#: Target -> step properties its own advice rules out: routines for the target must not
#: have them, and someone with the target is never served them (not even as a fallback).
UNSUITABLE: dict[str, frozenset[str]] = {
    # Swelling wants a feather-light touch; kneading or pressing works against it.
    "swelling": frozenset({"firm_pressure", "carpal_pressure"}),
    # Held pressure over the carpal tunnel is how a clinician provokes symptoms (Durkan).
    "carpal_tunnel": frozenset({"carpal_pressure"}),
    # Inflamed or damaged finger joints: light touch only, never lever the fingers.
    "rheumatoid_arthritis": frozenset({"firm_pressure", "finger_lever", "carpal_pressure"}),
}

#: What the position in each picture always does (a step's ``does`` adds to this).
BY_ILLUSTRATION: dict[str, frozenset[str]] = {
    "tendon_straight": frozenset({"hand_movement"}),
    "tendon_hook": frozenset({"hand_movement"}),
    "tendon_full_fist": frozenset({"full_fist"}),
    "tendon_tabletop": frozenset({"hand_movement"}),
    "tendon_straight_fist": frozenset({"full_fist"}),
    "finger_fan": frozenset({"hand_movement"}),
    "finger_spread_small": frozenset({"hand_movement"}),
    "thumb_o": frozenset({"hand_movement"}),
    "thumb_circle": frozenset({"hand_movement"}),
    "wrist_flexor_stretch": frozenset({"stretch", "median_nerve_load", "finger_lever"}),
    "wrist_flexor_stretch_palm": frozenset({"stretch", "median_nerve_load"}),
    "wrist_extensor_stretch": frozenset({"stretch", "median_nerve_load"}),
    "prayer_stretch": frozenset({"stretch", "median_nerve_load"}),
    "nerve_slider": frozenset({"median_nerve_load", "neck_movement"}),
    "wrist_bend": frozenset({"hand_movement"}),
    "wrist_circle": frozenset({"hand_movement"}),
    "forearm_turn": frozenset({"hand_movement"}),
    "palm_massage": frozenset({"massage"}),
    "palm_pad_massage": frozenset({"massage"}),
    "forearm_knead": frozenset({"firm_pressure"}),
    "finger_stroke": frozenset({"massage"}),
    "finger_stroke_to_palm": frozenset({"massage"}),
    "stroke_to_wrist": frozenset({"massage"}),
    "hands_raised": frozenset({"hand_movement"}),
    "fist_pump": frozenset({"full_fist"}),
    "raised_finger_fan": frozenset({"hand_movement"}),
    "hands_shake": frozenset({"hand_movement"}),
}

#: Properties that make a step a hand step (it is labelled left, right or both hands).
HAND_WORK = frozenset(PROPERTIES) - {"neck_movement"}


def closure(does: Iterable[str], illustration: str = "") -> frozenset[str]:
    """``does`` with what the picture always does and everything those imply."""
    found = set(does) | BY_ILLUSTRATION.get(illustration, frozenset())
    for prop in list(found):
        found |= IMPLIES.get(prop, frozenset())
    return frozenset(found)


def excluded_by(does: Iterable[str]) -> tuple[str, ...]:
    """The contraindications that keep out a step doing ``does``, in table order."""
    props = set(does)
    return tuple(c for c, kept_out in EXCLUDES.items() if props & kept_out)


def contraindications_of(steps_does: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """A routine's contraindications: every one that keeps out one of its steps."""
    props: set[str] = set()
    for does in steps_does:
        props |= set(does)
    return excluded_by(props)


def unsuitable_for(steps_does: Iterable[Iterable[str]], targets: Iterable[str]) -> tuple[str, ...]:
    """The targets among ``targets`` that a routine with these steps contradicts."""
    props: set[str] = set()
    for does in steps_does:
        props |= set(does)
    return tuple(t for t in targets if props & UNSUITABLE.get(t, frozenset()))
