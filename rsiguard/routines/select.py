"""Choose the routine for a break (pure: no pydantic, no clock, no I/O).

Only routines of the break's kind whose contraindications miss everything in ``avoid``
take part. They are tried in levels, best first:

1. routines for one of ``targets`` whose length fits the break (within 25 %);
2. routines for the targets that are shorter than the break, the closest first;
3. general ``rsi`` routines, closest in length first (shorter before longer);
4. any routine of the kind, in the same order as level 3.

The last routine played (``recent[-1]``) is left out of every level, so it comes again
only when it is the only allowed routine of its kind. Within level 1 the choice rotates:
the routine never played, else the one played longest ago, ties by catalog order. In
the other levels closeness in length comes first, and rotation only breaks ties.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from rsiguard.routines.model import Routine

__all__ = ["FIT_TOLERANCE", "GENERAL_TARGET", "choose", "fits"]

#: A routine fits a break when its length is within this share of the break's length.
FIT_TOLERANCE = 0.25
#: The target whose routines stand in when nothing for the user's targets will do.
GENERAL_TARGET = "rsi"

#: A routine with its position in the catalog (the final tie-breaker).
_Item = tuple[int, Routine]


def fits(routine: Routine, seconds: float) -> bool:
    """Whether ``routine`` lasts about as long as a break of ``seconds``."""
    return abs(routine.seconds - seconds) <= FIT_TOLERANCE * seconds


def choose(
    routines: Sequence[Routine],
    kind: str,
    seconds: float,
    targets: Collection[str],
    avoid: Collection[str],
    recent: Sequence[str] = (),
) -> Routine | None:
    """The routine to play for a break of ``kind`` lasting ``seconds``, or None.

    ``recent`` holds the ids played so far, oldest first. None only when every routine of
    the kind is excluded by ``avoid`` (or there is none).
    """
    wanted, excluded = set(targets), set(avoid)
    allowed = [
        (index, r)
        for index, r in enumerate(routines)
        if r.kind == kind and excluded.isdisjoint(r.contraindications)
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

    targeted = [item for item in allowed if wanted.intersection(item[1].targets)]
    general = [item for item in allowed if GENERAL_TARGET in item[1].targets]
    levels: list[tuple[list[_Item], Callable[[_Item], tuple[float, ...]]]] = [
        ([item for item in targeted if fits(item[1], seconds)], staleness),
        ([item for item in targeted if item[1].seconds < seconds], nearness),
        (general, nearness),
        (allowed, nearness),
    ]
    for candidates, order in levels:
        fresh = [item for item in candidates if item[1].id != last]
        if fresh:
            return min(fresh, key=order)[1]
    # Only the last-played routine is allowed: repeating it beats no routine at all.
    return allowed[0][1]
