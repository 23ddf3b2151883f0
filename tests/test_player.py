"""The pure routine player with a fake clock: every transition."""

from __future__ import annotations

import pytest

from rsiguard.core.routines.model import Routine, Step
from rsiguard.core.routines.player import Finished, Outcome, Player, StepStarted

R = Routine(
    "t",
    "Test",
    "micro",
    ("rsi",),
    (Step("one", 10), Step("two", 5, reps=5, pace_s=1), Step("three", 15)),
)


def test_start_reports_the_first_step() -> None:
    p, fx = Player.start(R, 100.0)
    assert fx == [StepStarted(0)]
    assert p.step.instruction == "one"
    assert p.step_left(103) == 7
    assert p.total_left(103) == 27
    assert p.deadline == 110


def test_tick_moves_through_steps_and_finishes_once() -> None:
    p, _ = Player.start(R, 0.0)
    p, fx = p.tick(9.9)
    assert fx == [] and p.index == 0
    p, fx = p.tick(10)
    assert fx == [StepStarted(1)] and p.step_left(10) == 5
    p, fx = p.tick(40)
    assert fx == [StepStarted(2), Finished(Outcome.COMPLETED)]
    assert p.done and p.total_left(40) == 0 and p.deadline is None
    assert p.tick(100) == (p, [])


def test_a_long_gap_runs_out_every_step() -> None:
    p, _ = Player.start(R, 0.0)
    p, fx = p.tick(10_000)  # e.g. suspended mid-routine
    assert fx[-1] == Finished(Outcome.COMPLETED) and len(fx) == 3


def test_pause_freezes_time_even_over_a_suspend() -> None:
    p, _ = Player.start(R, 0.0)
    p = p.pause(4)
    assert p.paused and p.deadline is None
    p, fx = p.tick(5000)  # suspended while paused
    assert fx == [] and p.step_left(5000) == 6
    p = p.resume(5000)
    assert p.deadline == 5006 and not p.paused
    assert p.pause(5001).pause(5002).step_left(5003) == 5  # pausing twice keeps the first
    assert p.resume(5001) is p  # resuming a running player changes nothing


def test_next_and_stop() -> None:
    p, _ = Player.start(R, 0.0)
    p, fx = p.next(2)
    assert fx == [StepStarted(1)] and p.deadline == 7
    p, fx = p.pause(3).next(4)
    assert fx == [StepStarted(2)] and not p.paused and p.deadline == 19
    p, fx = p.stop(5)
    assert fx == [Finished(Outcome.STOPPED)] and p.outcome is Outcome.STOPPED
    assert p.stop(6) == (p, []) and p.next(6) == (p, [])
    assert p.pause(7) is p and p.resume(7) is p


@pytest.mark.parametrize("outcome", list(Outcome))
def test_stop_with_each_outcome(outcome: Outcome) -> None:
    p, _ = Player.start(R, 0.0)
    assert p.stop(1, outcome)[1] == [Finished(outcome)]


def test_an_empty_routine_is_done_at_once() -> None:
    p, fx = Player.start(Routine("e", "Empty", "micro", ("rsi",), ()), 0.0)
    assert p.done and fx == [Finished(Outcome.COMPLETED)]
