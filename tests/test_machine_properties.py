"""Property tests: no event sequence breaks the machine's promises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rsiguard.core import events as ev
from rsiguard.core.effects import BREAK_SLOT, Notify
from rsiguard.core.machine import snoozes_left
from rsiguard.core.policy import BreakKind, BreakPolicy, Policy
from rsiguard.core.state import Phase
from rsiguard.core.view import status
from tests.sim import Sim

POLICIES = st.builds(
    Policy,
    micro=st.builds(BreakPolicy, st.sampled_from([20.0, 60.0]), st.sampled_from([1.0, 5.0, 15.0])),
    micro_min_interval=st.sampled_from([10.0, 20.0]),
    rest=st.builds(BreakPolicy, st.sampled_from([120.0, 300.0]), st.sampled_from([20.0, 60.0])),
    snooze=st.sampled_from([5.0, 30.0]),
    max_snoozes=st.integers(0, 3),
    allow_skip=st.booleans(),
    strict=st.booleans(),
    daily_limit=st.sampled_from([0.0, 100.0]),
    pause_max=st.sampled_from([30.0, 600.0]),
    idle_threshold=st.sampled_from([2.0, 10.0]),
)

EVENTS = st.one_of(
    st.builds(
        ev.ActivitySample,
        st.integers(0, 500),
        st.integers(0, 20),
        st.integers(0, 20),
        st.floats(0, 5000),
    ),
    st.builds(ev.Snooze, st.none() | st.floats(0, 100)),
    st.just(ev.Skip()),
    st.builds(ev.StartBreak, st.none() | st.sampled_from(list(BreakKind))),
    st.just(ev.NextStep()),
    st.just(ev.StopRoutine()),
    st.builds(ev.Pause, st.none() | st.floats(0, 1000)),
    st.just(ev.Resume()),
    st.just(ev.Dismissed(BREAK_SLOT)),
    st.just(ev.NewDay("2026-11-26")),
    st.builds(ev.ScreenLock, st.booleans()),
    st.builds(ev.PolicyChanged, POLICIES),
)

STEPS = st.lists(st.tuples(st.floats(0, 400), st.booleans(), EVENTS), max_size=60)


def _play(sim: Sim, steps: list[tuple[float, bool, ev.Event]]) -> None:
    for dt, suspended, event in steps:
        phase_before = sim.state.phase
        locked_before = sim.state.locked
        sim.advance(dt, suspended=suspended)
        effects = sim.feed(event)
        # A break is never offered while one is running.
        if phase_before is Phase.IN_BREAK and sim.state.phase is Phase.IN_BREAK:
            assert not any(
                isinstance(e, Notify) and e.title.startswith("Time for") for e in effects
            )
        # Nothing is offered to a locked screen.
        if locked_before and sim.state.locked:
            assert not any(
                isinstance(e, Notify) and e.title.startswith("Time for") for e in effects
            )
        _check(sim)


def _check(sim: Sim) -> None:
    s, pol = sim.state, sim.state.policy
    assert 0 <= s.snoozes_used <= pol.max_snoozes
    assert 0 <= snoozes_left(s) <= pol.max_snoozes
    if pol.strict:
        assert s.snoozes_used == 0
    assert (s.phase is Phase.IN_BREAK) == (s.run is not None)
    if s.phase in (Phase.DUE, Phase.SNOOZED, Phase.IN_BREAK):
        assert s.pending is not None
    if s.phase is Phase.SNOOZED or s.phase is Phase.PAUSED:
        assert s.until is not None
    if s.phase is Phase.PAUSED and s.until is not None:
        assert s.until - sim.t <= pol.pause_max + 1e-6
    view = status(s, sim.t)
    assert view["state"] in ("active", "idle", "due", "snoozed", "in_break", "paused")
    assert view["next_break"]["due_in_s"] >= 0


@settings(max_examples=300, deadline=None)
@given(POLICIES, STEPS)
def test_no_event_sequence_breaks_the_invariants(policy: Policy, steps: list) -> None:  # type: ignore[type-arg]
    _play(Sim(policy), steps)


@settings(max_examples=200, deadline=None)
@given(POLICIES, STEPS, st.floats(0, 50), st.booleans())
def test_idle_of_a_breaks_length_always_counts_as_that_break(
    policy: Policy,
    steps: list,  # type: ignore[type-arg]
    extra: float,
    suspended: bool,
) -> None:
    sim = Sim(policy)
    _play(sim, steps)
    if sim.state.phase in (Phase.IN_BREAK, Phase.PAUSED):
        return
    policy = sim.state.policy  # a PolicyChanged may have replaced it
    pending = sim.state.pending
    gap = max(policy.idle_threshold, policy.micro.duration) + extra
    sim.advance(gap, suspended=suspended)  # a suspend is the same idle gap
    if pending is BreakKind.MICRO:
        assert sim.state.phase is Phase.RUNNING  # the due micro-break was taken naturally
    sim.feed(ev.ActivitySample(keys=1))
    # Only the new sample's second counts after the gap.
    assert sim.state.progress.micro_active <= 1.0
    if gap >= policy.rest.duration:
        assert sim.state.progress.rest_active <= 1.0


@settings(max_examples=100, deadline=None)
@given(POLICIES, st.integers(1, 6))
def test_snoozes_never_exceed_the_limit(policy: Policy, attempts: int) -> None:
    sim = Sim(policy)
    sim.type_until("due")
    granted = 0
    for _ in range(attempts):
        if sim.state.phase is not Phase.DUE:
            sim.type_until("due")
        if sim.command(ev.Snooze()).ok:
            granted += 1
    limit = 0 if policy.strict else policy.max_snoozes
    assert granted <= limit
    assert sim.state.today.snoozes == granted
