"""Events fed into the break machine. Small, frozen, slotted; no behaviour."""

from __future__ import annotations

from dataclasses import dataclass

from rsiguard.core.policy import BreakKind, Policy


@dataclass(frozen=True, slots=True)
class ActivitySample:
    """Input counted since the previous sample (at most one sample a second)."""

    keys: int = 0
    clicks: int = 0
    scroll: int = 0
    pointer_px: float = 0.0


@dataclass(frozen=True, slots=True)
class Wake:
    """The deadline the core asked for has been reached."""


@dataclass(frozen=True, slots=True)
class Snooze:
    """Put off the due break (``duration`` None: the policy's snooze length)."""

    duration: float | None = None


@dataclass(frozen=True, slots=True)
class Skip:
    """Skip the due (or running) break."""


@dataclass(frozen=True, slots=True)
class StartBreak:
    """Start a break with its routine now (``kind`` None: the one that is due, else micro)."""

    kind: BreakKind | None = None


@dataclass(frozen=True, slots=True)
class NextStep:
    """Go to the next routine step."""


@dataclass(frozen=True, slots=True)
class StopRoutine:
    """Stop the running routine early; the break ends now."""


@dataclass(frozen=True, slots=True)
class Pause:
    """Pause reminders (``duration`` None: until resume, at most the policy's maximum)."""

    duration: float | None = None


@dataclass(frozen=True, slots=True)
class Resume:
    """End a pause."""


@dataclass(frozen=True, slots=True)
class Dismissed:
    """The user closed a notification without choosing an action."""

    slot: str


@dataclass(frozen=True, slots=True)
class ScreenLock:
    """The screen was locked (``locked``) or unlocked: the user is away, or back."""

    locked: bool


@dataclass(frozen=True, slots=True)
class PolicyChanged:
    """A reload produced a new, valid policy."""

    policy: Policy


@dataclass(frozen=True, slots=True)
class WeekSoFar:
    """Active seconds of the six days before today, as the statistics know them."""

    active_s: float


@dataclass(frozen=True, slots=True)
class NewDay:
    """The local date changed: today's counters start again."""

    day: str


Event = (
    ActivitySample
    | Wake
    | Snooze
    | Skip
    | StartBreak
    | NextStep
    | StopRoutine
    | Pause
    | Resume
    | Dismissed
    | ScreenLock
    | PolicyChanged
    | NewDay
    | WeekSoFar
)
