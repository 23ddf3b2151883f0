"""A fake-clock driver for the pure core: plays the daemon's part without sleeping."""

from __future__ import annotations

from rsiguard.core import events as ev
from rsiguard.core.effects import Effect, Notify, Record, Reply, Schedule
from rsiguard.core.machine import initial_state, step
from rsiguard.core.policy import Policy
from rsiguard.core.state import State


class Sim:
    """Feeds events at a fake time and fires Wake when the scheduled deadline passes."""

    def __init__(self, policy: Policy | None = None, state: State | None = None) -> None:
        self.state = state or initial_state(policy or Policy())
        self.t = 0.0
        self.deadline: float | None = None
        self.effects: list[Effect] = []
        self.wakes = 0

    def feed(self, event: ev.Event) -> list[Effect]:
        """Step the machine once at the current time."""
        self.state, effects = step(self.state, event, self.t)
        for e in effects:
            if isinstance(e, Schedule):
                self.deadline = e.at
        self.effects += effects
        return effects

    def advance(self, seconds: float, suspended: bool = False) -> None:
        """Let time pass, firing due wake-ups (late, at the end, when ``suspended``)."""
        end = self.t + seconds
        while self.deadline is not None and self.deadline <= end:
            self.t = end if suspended else max(self.t, self.deadline)
            self.deadline = None
            self.wakes += 1
            self.feed(ev.Wake())
        self.t = end

    def type_for(self, seconds: int, keys: int = 2, clicks: int = 0) -> None:
        """One sample a second with ``keys`` key presses each."""
        for _ in range(seconds):
            self.advance(1)
            self.feed(ev.ActivitySample(keys=keys, clicks=clicks))

    def type_until(self, phase: str, limit: int = 20000, keys: int = 2) -> float:
        """Type until the machine reaches ``phase``; return the time it did."""
        for _ in range(limit):
            if self.state.phase.value == phase:
                return self.t
            self.type_for(1, keys=keys)
        raise AssertionError(f"never reached {phase} (now {self.state.phase})")

    def notifications(self) -> list[Notify]:
        """All Notify effects so far."""
        return [e for e in self.effects if isinstance(e, Notify)]

    def records(self) -> list[tuple[str, str]]:
        """All (kind, outcome) records so far."""
        return [(e.kind, e.outcome) for e in self.effects if isinstance(e, Record)]

    def command(self, event: ev.Event) -> Reply:
        """Feed a command and return its single reply."""
        replies = [e for e in self.feed(event) if isinstance(e, Reply)]
        assert len(replies) == 1, replies
        return replies[0]
