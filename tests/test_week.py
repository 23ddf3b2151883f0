"""A working week of breaks through the real selector, for every target and every
combination of ``avoid`` flags (issue 10).

Each simulated day has eight hours of two micro-breaks and one rest break, at the
default lengths (30 s and 5 min), and the machine's own ``routine_for`` picks each
routine with its rotation memory, the built-in fallback included. Two rules must hold
at every break: no served step does anything a flag keeps out, and while a routine
suits the target (its kind, for the target, allowed by the flags and the target's own
advice) only such routines are served.

The selector sees ``avoid`` only through which routines it allows, so combinations
that allow the same routines play the same week: each such week is simulated once and
checked against every combination that leads to it (and a sample of combinations is
replayed without that shortcut, to show it changes nothing).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import replace

import pytest

from rsiguard.core.machine import RECENT, initial_state, routine_for
from rsiguard.core.policy import BreakKind, Policy
from rsiguard.core.routines.model import CONTRAINDICATIONS, TARGETS, Routine
from rsiguard.core.routines.properties import EXCLUDES, UNSUITABLE
from rsiguard.core.routines.select import suitable, suits
from rsiguard.settings.catalog import builtin_catalog

ROUTINES = builtin_catalog().routines
FLAGS = list(CONTRAINDICATIONS)
COMBOS = [
    tuple(f for f, on in zip(FLAGS, bits, strict=True) if on)
    for bits in itertools.product((False, True), repeat=len(FLAGS))
]
#: One working day: per hour two micro-breaks, then a rest break.
DAY = [BreakKind.MICRO, BreakKind.MICRO, BreakKind.REST] * 8
WEEK = DAY * 5


def week(target: str, avoid: Sequence[str], flare_day: str = "") -> list[Routine]:
    """The routines served over a working week (the real selector, rotation included)."""
    pol = Policy(routines=ROUTINES, targets=(target,), avoid=tuple(avoid), flare_day=flare_day)
    state = replace(initial_state(pol), safety_seen=True)
    state = replace(state, today=replace(state.today, day="2026-12-02"))
    served = []
    for kind in WEEK:
        routine = routine_for(state, kind)
        served.append(routine)
        state = replace(state, recent=(*state.recent, routine.id)[-RECENT:])
    return served


def _key(target: str, avoid: Sequence[str]) -> tuple[object, ...]:
    allowed = tuple(r.id for r in ROUTINES if suits(r, (target,), avoid))
    # The built-in fallback depends on the flags themselves: only when it can be played.
    fallback = any(
        not [r for r in ROUTINES if r.kind == k.value and r.id in allowed] for k in BreakKind
    )
    return (target, allowed, tuple(avoid) if fallback else None)


def _check(target: str, avoid: Sequence[str], served: Sequence[Routine]) -> None:
    kept_out = set().union(*(EXCLUDES[f] for f in avoid)) if avoid else set()
    kept_out |= UNSUITABLE.get(target, frozenset())
    fitting = {k: suitable(ROUTINES, k.value, (target,), avoid) for k in BreakKind}
    for kind, routine in zip(WEEK, served, strict=True):
        for step in routine.steps:
            assert not step.does & kept_out, (target, avoid, routine.id, step.instruction)
        if fitting[kind]:
            assert routine in fitting[kind], (target, avoid, kind, routine.id)


@pytest.mark.parametrize("target", list(TARGETS))
def test_a_week_never_serves_what_the_flags_exclude_nor_leaves_the_target(target: str) -> None:
    weeks: dict[tuple[object, ...], list[Routine]] = {}
    for avoid in COMBOS:
        key = _key(target, avoid)
        if key not in weeks:
            weeks[key] = week(target, avoid)
        _check(target, avoid, weeks[key])


@pytest.mark.parametrize("target", list(TARGETS))
def test_the_shortcut_changes_nothing(target: str) -> None:
    for avoid in random.Random(target).sample(COMBOS, 12):
        same = [c for c in COMBOS if _key(target, c) == _key(target, avoid)]
        assert [r.id for r in week(target, avoid)] == [r.id for r in week(target, same[-1])]


#: Every target, and the situations the issue names: at least two of each kind.
NAMED = [
    *((t, ()) for t in TARGETS),
    ("carpal_tunnel", ("numbness",)),
    ("rheumatoid_arthritis", ("ra_flare",)),
    ("swelling", ("ra_flare",)),
    ("swelling", ("blood_thinners",)),
]


@pytest.mark.parametrize(("target", "avoid"), NAMED)
def test_named_situations_rotate_through_at_least_two_routines_of_each_kind(
    target: str, avoid: tuple[str, ...]
) -> None:
    served = week(target, avoid)
    for kind in BreakKind:
        assert len(suitable(ROUTINES, kind.value, (target,), avoid)) >= 2, kind
        ids = {r.id for k, r in zip(WEEK, served, strict=True) if k is kind}
        assert len(ids) >= 2, (kind, ids)
        assert all(target in r.targets for k, r in zip(WEEK, served, strict=True) if k is kind)


def test_a_flare_day_week_is_the_ra_flare_week() -> None:
    flare = week("rheumatoid_arthritis", (), flare_day="2026-12-02")
    assert [r.id for r in flare] == [r.id for r in week("rheumatoid_arthritis", ("ra_flare",))]
