"""A pure routine player: no clock, no I/O. Time comes in as ``at``; effects come out.

Used by the break machine (notifications, the window) and by the terminal player.
Every method returns a new player (it is frozen) and, where something happened, the
effects: :class:`StepStarted` when a step begins, :class:`Finished` once at the end.
A pause freezes the time left in the step, so a suspend while paused costs nothing;
a suspend while playing lets the steps run out, and the next ``tick`` finishes them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from rsiguard.core.routines.model import Routine, Step


class Outcome(StrEnum):
    """How a routine ended."""

    COMPLETED = "completed"
    STOPPED = "stopped"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class StepStarted:
    """Step ``index`` (0-based) has begun."""

    index: int


@dataclass(frozen=True, slots=True)
class Finished:
    """The routine is over."""

    outcome: Outcome


PlayerEffect = StepStarted | Finished


@dataclass(frozen=True, slots=True)
class Player:
    """Where a routine is: current step, when it ends (or time left while paused)."""

    routine: Routine
    index: int = 0
    step_ends: float = 0.0
    paused_left: float | None = None
    outcome: Outcome | None = None

    @staticmethod
    def start(routine: Routine, at: float) -> tuple[Player, list[PlayerEffect]]:
        """Begin ``routine`` at ``at`` with its first step."""
        if not routine.steps:
            return Player(routine, outcome=Outcome.COMPLETED), [Finished(Outcome.COMPLETED)]
        player = Player(routine, 0, at + routine.steps[0].seconds)
        return player, [StepStarted(0)]

    # --- what it knows --------------------------------------------------------

    @property
    def done(self) -> bool:
        """Whether the routine has ended (completed, stopped or skipped)."""
        return self.outcome is not None

    @property
    def paused(self) -> bool:
        """Whether the player is paused."""
        return self.paused_left is not None and not self.done

    @property
    def step(self) -> Step:
        """The current step (the last one once done)."""
        return self.routine.steps[min(self.index, len(self.routine.steps) - 1)]

    def step_left(self, at: float) -> float:
        """Seconds left in the current step."""
        if self.done:
            return 0.0
        if self.paused_left is not None:
            return self.paused_left
        return max(0.0, self.step_ends - at)

    def total_left(self, at: float) -> float:
        """Seconds left in the whole routine."""
        if self.done:
            return 0.0
        later = sum(s.seconds for s in self.routine.steps[self.index + 1 :])
        return self.step_left(at) + later

    @property
    def deadline(self) -> float | None:
        """When the current step ends, if the player is running."""
        if self.done or self.paused_left is not None:
            return None
        return self.step_ends

    # --- what it does ----------------------------------------------------------

    def tick(self, at: float) -> tuple[Player, list[PlayerEffect]]:
        """Move past every step that has ended by ``at``."""
        player, effects = self, []
        while not player.done and player.paused_left is None and at >= player.step_ends:
            player, more = player._advance(player.step_ends)
            effects += more
        return player, effects

    def _advance(self, when: float) -> tuple[Player, list[PlayerEffect]]:
        nxt = self.index + 1
        if nxt >= len(self.routine.steps):
            return replace(self, outcome=Outcome.COMPLETED), [Finished(Outcome.COMPLETED)]
        ends = when + self.routine.steps[nxt].seconds
        return replace(self, index=nxt, step_ends=ends, paused_left=None), [StepStarted(nxt)]

    def next(self, at: float) -> tuple[Player, list[PlayerEffect]]:
        """Skip the rest of the current step (the next one starts now, also when paused)."""
        if self.done:
            return self, []
        return self._advance(at)

    def pause(self, at: float) -> Player:
        """Freeze the time left in the current step."""
        if self.done or self.paused_left is not None:
            return self
        return replace(self, paused_left=max(0.0, self.step_ends - at))

    def resume(self, at: float) -> Player:
        """Carry on with the time that was left when paused."""
        if self.done or self.paused_left is None:
            return self
        return replace(self, step_ends=at + self.paused_left, paused_left=None)

    def stop(
        self, at: float, outcome: Outcome = Outcome.STOPPED
    ) -> tuple[Player, list[PlayerEffect]]:
        """End now (stopped early, or skipped)."""
        if self.done:
            return self, []
        return replace(self, outcome=outcome), [Finished(outcome)]
