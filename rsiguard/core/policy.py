"""The policy the core follows: plain frozen dataclasses built once from validated config.

Durations are seconds (float). Nothing here imports pydantic: the config layer
(``rsiguard.settings.config``) validates user input and builds a :class:`Policy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from rsiguard.core.routines.model import Routine

# The smallest intensity factor (an absurd load must not make the maths blow up).
MIN_FACTOR = 0.01


class BreakKind(StrEnum):
    """The two kinds of break."""

    MICRO = "micro"
    REST = "rest"


@dataclass(frozen=True, slots=True)
class BreakPolicy:
    """When a break of one kind is due (``interval`` of active time) and how long it lasts."""

    interval: float
    duration: float


@dataclass(frozen=True, slots=True)
class IntensityPolicy:
    """Weights of the input-intensity heuristic (see docs/intensity.md).

    ``load`` per active minute = keys*key_weight + clicks*click_weight
    + scroll*scroll_weight + pointer_px/100*pointer_weight.
    """

    enabled: bool = True
    baseline: float = 120.0
    key_weight: float = 1.0
    click_weight: float = 1.0
    scroll_weight: float = 0.5
    pointer_weight: float = 0.5
    smoothing: float = 0.2

    def load(self, keys: int, clicks: int, scroll: int, pointer_px: float) -> float:
        """Weighted load of one batch of counts (not yet per minute)."""
        return (
            keys * self.key_weight
            + clicks * self.click_weight
            + scroll * self.scroll_weight
            + pointer_px / 100.0 * self.pointer_weight
        )

    def factor(self, load_per_minute: float) -> float:
        """Multiplier for the micro-break interval: 1 at or below baseline, smaller above it."""
        if not self.enabled or load_per_minute <= self.baseline or self.baseline <= 0:
            return 1.0
        # Floored: the interval also never drops below min_interval, and 0 would divide.
        return max(MIN_FACTOR, float((self.baseline / load_per_minute) ** 0.5))


@dataclass(frozen=True, slots=True)
class Policy:
    """Everything the break machine needs to decide, validated and immutable."""

    micro: BreakPolicy = BreakPolicy(interval=20 * 60, duration=30)
    micro_min_interval: float = 10 * 60
    rest: BreakPolicy = BreakPolicy(interval=60 * 60, duration=5 * 60)
    snooze: float = 5 * 60
    max_snoozes: int = 2
    allow_skip: bool = True
    strict: bool = False
    daily_limit: float = 6 * 3600
    # Active time over the last seven days before one notice a day says so; 0 = off.
    weekly_limit: float = 30 * 3600
    pause_max: float = 2 * 3600
    idle_threshold: float = 10.0
    intensity: IntensityPolicy = field(default_factory=IntensityPolicy)
    # What routines should help with, conditions to avoid, and the catalog to choose from
    # (the daemon attaches the loaded catalog; empty: a small built-in routine).
    targets: tuple[str, ...] = ("rsi",)
    avoid: tuple[str, ...] = ()
    window: bool = True
    routines: tuple[Routine, ...] = ()
    # The local day (YYYY-MM-DD) of a rheumatoid arthritis flare set with `rsiguard flare
    # on`: on that day ``ra_flare`` is avoided too. Only the day is kept, so a flare
    # setting ends at midnight by itself.
    flare_day: str = ""

    def avoid_on(self, day: str) -> tuple[str, ...]:
        """What to avoid on ``day``: ``avoid``, plus ``ra_flare`` on a flare day."""
        if self.flare_day and self.flare_day == day and "ra_flare" not in self.avoid:
            return (*self.avoid, "ra_flare")
        return self.avoid

    def of(self, kind: BreakKind) -> BreakPolicy:
        """The break policy of one kind."""
        return self.micro if kind is BreakKind.MICRO else self.rest

    @property
    def snooze_allowed(self) -> bool:
        """Whether snoozing is possible at all (strict mode forbids it)."""
        return not self.strict and self.max_snoozes > 0

    @property
    def skip_allowed(self) -> bool:
        """Whether skipping is possible at all (strict mode forbids it)."""
        return self.allow_skip and not self.strict
