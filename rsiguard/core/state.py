"""The break machine's state: frozen dataclasses, replaced on every step."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from rsiguard.core.policy import BreakKind, Policy
from rsiguard.core.routines.player import Player


class Phase(StrEnum):
    """Where the machine is. ``active`` and ``idle`` are both RUNNING, told apart by time."""

    RUNNING = "running"
    DUE = "due"
    SNOOZED = "snoozed"
    IN_BREAK = "in_break"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class Today:
    """Counters for the current local day (persisted across restarts)."""

    day: str = ""
    keys: int = 0
    clicks: int = 0
    scroll: int = 0
    pointer_px: float = 0.0
    active_s: float = 0.0
    breaks_taken: int = 0
    breaks_natural: int = 0
    breaks_skipped: int = 0
    snoozes: int = 0
    limit_notified: bool = False
    # Active seconds of the six days before today (from the statistics), and whether
    # the weekly limit's notice was shown today.
    week_before_s: float = 0.0
    week_limit_notified: bool = False


@dataclass(frozen=True, slots=True)
class BreakRun:
    """A break with its routine in progress."""

    kind: BreakKind
    player: Player
    started: float = 0.0
    #: The first routine ever: its bubbles open with the general safety notes.
    first: bool = False


@dataclass(frozen=True, slots=True)
class Progress:
    """Active time since the last break of each kind, and the intensity estimate."""

    micro_active: float = 0.0
    # Intensity-weighted micro progress: each active second adds 1/factor.
    micro_credit: float = 0.0
    rest_active: float = 0.0
    # Smoothed load per active minute; None until the first full active minute.
    load_per_min: float | None = None
    bucket_load: float = 0.0
    bucket_active: float = 0.0


@dataclass(frozen=True, slots=True)
class State:
    """Everything the machine knows. ``at`` values share the daemon's monotonic clock."""

    policy: Policy
    phase: Phase = Phase.RUNNING
    last_input: float | None = None
    progress: Progress = field(default_factory=Progress)
    # The break that is due, snoozed or (in IN_BREAK) running.
    pending: BreakKind | None = None
    snoozes_used: int = 0
    # End of a snooze or pause, or (DUE) when to remind again after a dismissal.
    until: float | None = None
    run: BreakRun | None = None
    today: Today = field(default_factory=Today)
    deadline: float | None = None
    # While the screen is locked nothing is offered and input does not count toward breaks.
    locked: bool = False
    # Routine ids played lately, oldest first (so the same one does not come twice running).
    recent: tuple[str, ...] = ()
    # Whether the safety notes have been shown once (before the first routine).
    safety_seen: bool = False
