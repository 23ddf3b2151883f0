"""Choose the routine for a break (pure: no pydantic, no clock, no I/O).

Only routines of the break's kind take part, and only those that suit the person: none
of their contraindications is in ``avoid``, and none of their steps does what one of
``targets`` rules out (:data:`rsiguard.core.routines.properties.UNSUITABLE`, e.g. firm
pressure for swelling). Those routines are tried in levels, best first:

1. routines for one of ``targets`` whose length fits the break (within 25 %);
2. routines for the targets that are shorter than the break, the closest first;
3. routines for the targets that are longer, the closest first;
4. general ``rsi`` routines, closest in length first (shorter before longer);
5. any routine of the kind, in the same order as level 4.

Levels 4 and 5 are reached only when no routine for the targets is left at all: the
choice never leaves the targets' own routines while one of them is allowed. The last
routine played (``recent[-1]``) is not chosen again while another routine of the same
group (the targets' routines, or else the fallback) is allowed; a target with a single
routine repeats it rather than falling back to a general one. Within level 1 the choice
rotates: the routine never played, else the one played longest ago, ties by catalog
order. In the other levels closeness in length comes first, and rotation only breaks
ties.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from rsiguard.core.routines.model import Routine
from rsiguard.core.routines.properties import UNSUITABLE

__all__ = ["FIT_TOLERANCE", "GENERAL_TARGET", "choose", "fits", "suitable", "suits"]

#: A routine fits a break when its length is within this share of the break's length.
FIT_TOLERANCE = 0.25
#: The target whose routines stand in when nothing for the user's targets will do.
GENERAL_TARGET = "rsi"

#: A routine with its position in the catalog (the final tie-breaker).
_Item = tuple[int, Routine]


def fits(routine: Routine, seconds: float) -> bool:
    """Whether ``routine`` lasts about as long as a break of ``seconds``."""
    return abs(routine.seconds - seconds) <= FIT_TOLERANCE * seconds


def suits(routine: Routine, targets: Collection[str], avoid: Collection[str]) -> bool:
    """Whether ``routine`` may be played for someone with ``targets`` who avoids ``avoid``."""
    if set(avoid) & set(routine.contraindications):
        return False
    ruled_out: set[str] = set()
    for target in targets:
        ruled_out |= UNSUITABLE.get(target, frozenset())
    return not any(step.does & ruled_out for step in routine.steps)


def suitable(
    routines: Sequence[Routine], kind: str, targets: Collection[str], avoid: Collection[str]
) -> list[Routine]:
    """The routines of ``kind`` for one of ``targets`` that suit the person, catalog order."""
    wanted = set(targets)
    return [
        r
        for r in routines
        if r.kind == kind and wanted.intersection(r.targets) and suits(r, targets, avoid)
    ]


def choose(
    routines: Sequence[Routine],
    kind: str,
    seconds: float,
    targets: Collection[str],
    avoid: Collection[str],
    recent: Sequence[str] = (),
) -> Routine | None:
    """The routine to play for a break of ``kind`` lasting ``seconds``, or None.

    ``recent`` holds the ids played so far, oldest first. None only when no routine of
    the kind suits the person (every one is excluded by ``avoid`` or the targets).
    """
    wanted = set(targets)
    allowed = [
        (index, r)
        for index, r in enumerate(routines)
        if r.kind == kind and suits(r, targets, avoid)
    ]
    if not allowed:
        return None
    last = recent[-1] if recent else None
    # Lower is better: never played, then played longest ago.
    played = {routine_id: n for n, routine_id in enumerate(recent)}

    def staleness(item: _Item) -> tuple[int, int]:
        index, routine = item
        return played.get(routine.id, -1), index

    def nearness(item: _Item) -> tuple[bool, float, int, int]:
        # Shorter before longer, then closer, then staleness.
        length = item[1].seconds
        return (length > seconds, abs(length - seconds), *staleness(item))

    Order = Callable[[_Item], tuple[float, ...]]
    targeted = [item for item in allowed if wanted.intersection(item[1].targets)]
    general = [item for item in allowed if GENERAL_TARGET in item[1].targets]
    groups: list[list[tuple[list[_Item], Order]]] = [
        [
            ([item for item in targeted if fits(item[1], seconds)], staleness),
            ([item for item in targeted if item[1].seconds < seconds], nearness),
            (targeted, nearness),
        ],
        [(general, nearness), (allowed, nearness)],
    ]
    for levels in groups:
        for candidates, order in levels:
            fresh = [item for item in candidates if item[1].id != last]
            if fresh:
                return min(fresh, key=order)[1]
        # Only the last-played routine is left in this group: repeat it rather than
        # fall to a group that suits the targets less.
        repeat = [item for candidates, _ in levels for item in candidates]
        if repeat:
            return repeat[0][1]
    return allowed[0][1]  # pragma: no cover - allowed is the last group's last level
