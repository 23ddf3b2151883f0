"""The break state machine: ``step(state, event, at) -> (state, effects)``.

Transitions live in one table, :data:`TABLE`, keyed by (phase, event type). Each entry
names its handler and the phases it can lead to, so ``rsiguard diagram`` prints the
machine from the same data the code runs. A command with no entry for the current
phase is refused with a reason (a :class:`Reply` with ``ok=False``), never an exception.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from rsiguard.core import events as ev
from rsiguard.core import text
from rsiguard.core.accrual import accrue, idle_credit, idle_gap, reset_after
from rsiguard.core.durations import format_duration
from rsiguard.core.effects import (
    BREAK_SLOT,
    CloseNotification,
    Effect,
    OpenWindow,
    Record,
    Reply,
    Schedule,
)
from rsiguard.core.policy import BreakKind, Policy
from rsiguard.core.routine import builtin_routine
from rsiguard.core.routines.model import Routine
from rsiguard.core.routines.player import Finished, Outcome, Player, PlayerEffect, StepStarted
from rsiguard.core.routines.select import choose
from rsiguard.core.state import BreakRun, Phase, State, Today
from rsiguard.core.timing import EPS, compute_deadline, due_kind, snoozes_left

# How many recently played routine ids to remember for rotation.
RECENT = 8
# The shortest snooze or pause a command may ask for: "0.001" would read "0 s" and
# still use up a snooze.
MIN_COMMAND_S = 1.0

Result = tuple[State, list[Effect]]
Handler = Callable[[State, ev.Event, float], Result]


@dataclass(frozen=True, slots=True)
class Transition:
    """One table entry: what handles the event and where it can lead."""

    handler: Handler
    targets: tuple[Phase, ...]


def initial_state(policy: Policy, today: Today | None = None) -> State:
    """A fresh machine, optionally carrying today's counters from a saved state."""
    return State(policy=policy, today=today or Today())


# --- helpers ---------------------------------------------------------------


def _ok(message: str) -> Reply:
    return Reply(True, message)


def _no(message: str) -> Reply:
    return Reply(False, message)


def _become_due(state: State, kind: BreakKind) -> Result:
    # A break falls due once; coming back after a snooze or an unlock is the same break.
    due: list[Effect] = [Record(kind.value, "due")] if state.phase is Phase.RUNNING else []
    state = replace(state, phase=Phase.DUE, pending=kind, until=None)
    if state.locked:
        return state, due  # offered when the screen is unlocked
    return state, [*due, text.break_due(kind, state.policy, snoozes_left(state))]


def _check_due(state: State, at: float) -> Result:
    if state.locked:
        return state, []
    kind = due_kind(state, at)
    if kind is None:
        return state, []
    return _become_due(state, kind)


def _end_break(state: State, kind: BreakKind, outcome: str) -> Result:
    """Leave a break (taken, natural or skipped): reset its timers and close the bubble."""
    routine = state.run.player.routine.id if state.run else ""
    t = state.today
    if outcome == "skipped":
        t = replace(t, breaks_skipped=t.breaks_skipped + 1)
    elif outcome == "natural":
        t = replace(t, breaks_natural=t.breaks_natural + 1)
    else:
        t = replace(t, breaks_taken=t.breaks_taken + 1)
    state = replace(
        state,
        phase=Phase.RUNNING,
        progress=reset_after(state.progress, kind),
        pending=None,
        snoozes_used=0,
        until=None,
        run=None,
        today=t,
    )
    return state, [CloseNotification(BREAK_SLOT), Record(kind.value, outcome, routine)]


def _apply_idle(state: State, at: float) -> Result:
    """Credit the idle gap before ``at``; a long enough gap completes a pending break."""
    if state.last_input is None:
        return state, []
    idle = at - state.last_input
    if not idle_gap(idle, state.policy):
        return state, []
    pending = state.pending if state.phase in (Phase.DUE, Phase.SNOOZED) else None
    if pending is not None and idle >= state.policy.of(pending).duration - EPS:
        state, effects = _end_break(state, pending, "natural")
        return replace(state, progress=idle_credit(state.progress, state.policy, idle)), effects
    return replace(state, progress=idle_credit(state.progress, state.policy, idle)), []


# --- handlers --------------------------------------------------------------


def _sample(state: State, event: ev.Event, at: float) -> Result:
    assert isinstance(event, ev.ActivitySample)
    state, effects = _apply_idle(state, at)
    state, crossed = accrue(state, event, at)
    if "daily" in crossed:
        effects.append(text.daily_limit(state.policy))
    if "weekly" in crossed:
        effects.append(text.weekly_limit(state.policy))
    if state.phase is Phase.RUNNING:
        state, more = _check_due(state, at)
        effects += more
    elif (
        state.phase is Phase.DUE
        and state.pending is BreakKind.MICRO
        and not state.locked
        and due_kind(state, at) is BreakKind.REST
    ):
        # A micro-break left waiting until the rest break is owed becomes the rest break.
        state, more = _become_due(state, BreakKind.REST)
        effects += more
    return state, effects


def _wake_running(state: State, event: ev.Event, at: float) -> Result:
    return _check_due(state, at)


def _wake_waiting(state: State, event: ev.Event, at: float) -> Result:
    """DUE or SNOOZED: a natural break, the end of a snooze, or a reminder after dismissal."""
    state, effects = _apply_idle(state, at)
    if state.phase is Phase.RUNNING:
        return state, effects
    if state.until is not None and at >= state.until - EPS and state.pending is not None:
        state, more = _become_due(state, state.pending)
        effects += more
    return state, effects


def _wake_break(state: State, event: ev.Event, at: float) -> Result:
    assert state.run is not None
    player, fx = state.run.player.tick(at)
    return _played(state, player, fx, at)


def _played(state: State, player: Player, fx: list[PlayerEffect], at: float) -> Result:
    """Carry the player's effects into the break: a new step's bubble, or the break's end."""
    assert state.run is not None
    run = replace(state.run, player=player)
    state = replace(state, run=run)
    finished = [f for f in fx if isinstance(f, Finished)]
    if finished:
        return _end_break(state, run.kind, finished[0].outcome.value)
    if any(isinstance(f, StepStarted) for f in fx):
        # One bubble for the current step, however many steps a late wake-up ran past.
        return state, [text.routine_step(run, state.policy, at)]
    return state, []


def _wake_paused(state: State, event: ev.Event, at: float) -> Result:
    if state.until is not None and at >= state.until - EPS:
        return _unpause(state, at)
    return state, []


def _unpause(state: State, at: float) -> Result:
    """Back to running; time away during the pause may already count as a break."""
    state, effects = _apply_idle(replace(state, phase=Phase.RUNNING, until=None), at)
    state, more = _check_due(state, at)
    return state, [Record("pause", "ended"), *effects, *more]


def routine_for(state: State, kind: BreakKind) -> Routine:
    """The routine to play for a break of ``kind``: chosen from the catalog, else built in."""
    pol = state.policy
    length = pol.of(kind).duration
    avoid = pol.avoid_on(state.today.day)
    if pol.routines:
        chosen = choose(pol.routines, kind.value, length, pol.targets, avoid, state.recent)
        if chosen is not None:
            return chosen
    return builtin_routine(kind, length, avoid, pol.targets)


def _start(state: State, event: ev.Event, at: float) -> Result:
    assert isinstance(event, ev.StartBreak)
    kind = event.kind or state.pending or BreakKind.MICRO
    routine = routine_for(state, kind)
    player, _ = Player.start(routine, at)
    # The general safety notes open the first routine's bubbles: a notice of their own
    # would hide step 1 on a server that shows one bubble at a time.
    run = BreakRun(kind, player, at, first=not state.safety_seen)
    effects: list[Effect] = []
    state = replace(
        state,
        phase=Phase.IN_BREAK,
        pending=kind,
        run=run,
        until=None,
        recent=(*state.recent, routine.id)[-RECENT:],
        safety_seen=True,
    )
    effects += [text.routine_step(run, state.policy, at), Record(kind.value, "started", routine.id)]
    if state.policy.window:
        effects.append(OpenWindow())
    return state, [*effects, _ok(f"{kind.value} break started: {routine.title}")]


def _next(state: State, event: ev.Event, at: float) -> Result:
    if state.policy.strict:
        return state, [_no("strict mode: each step runs its time")]
    assert state.run is not None
    player, fx = state.run.player.next(at)
    if player.done:  # Next on the last step ends the routine early: the Stop rules apply
        return _stop(state, event, at)
    state, effects = _played(state, player, fx, at)
    return state, [*effects, _ok("next step")]


def _stop(state: State, event: ev.Event, at: float) -> Result:
    if state.policy.strict:
        return state, [_no("strict mode: the break runs to its end")]
    assert state.run is not None
    player = state.run.player
    # Half the routine's time spent counts as a break taken (skipping steps with Next
    # does not make it sooner); stopping earlier is a skip.
    if at - state.run.started >= player.routine.seconds / 2 - EPS:
        player, fx = player.stop(at, Outcome.STOPPED)
        state, effects = _played(state, player, fx, at)
        return state, [*effects, _ok("routine ended; counted as a break taken")]
    if not state.policy.skip_allowed:
        return state, [_no("skipping breaks is turned off by policy: finish at least half")]
    state, effects = _end_break(state, state.pending or BreakKind.MICRO, "skipped")
    return state, [*effects, _ok("break stopped early; counted as skipped")]


def _snooze(state: State, event: ev.Event, at: float) -> Result:
    assert isinstance(event, ev.Snooze) and state.pending is not None
    pol = state.policy
    if pol.strict:
        return state, [_no("strict mode: breaks cannot be snoozed")]
    if snoozes_left(state) <= 0:
        return state, [_no(f"no snoozes left for this break (at most {pol.max_snoozes})")]
    length = pol.snooze if event.duration is None else event.duration
    if length < MIN_COMMAND_S or length > pol.snooze + EPS:
        limit = format_duration(pol.snooze)
        return state, [_no(f"a snooze lasts at least 1 s and at most {limit}")]
    t = replace(state.today, snoozes=state.today.snoozes + 1)
    routine = state.run.player.routine.id if state.run else ""
    state = replace(
        state,
        phase=Phase.SNOOZED,
        until=at + length,
        snoozes_used=state.snoozes_used + 1,
        today=t,
        run=None,
    )
    return state, [
        CloseNotification(BREAK_SLOT),
        Record(state.pending.value if state.pending else "", "snoozed", routine),
        _ok(f"snoozed for {format_duration(length)}"),
    ]


def _skip(state: State, event: ev.Event, at: float) -> Result:
    if not state.policy.skip_allowed:
        return state, [_no("skipping breaks is turned off by policy")]
    kind = state.run.kind if state.run else state.pending
    assert kind is not None
    state, effects = _end_break(state, kind, "skipped")
    return state, [*effects, _ok(f"{kind.value} break skipped")]


def _pause(state: State, event: ev.Event, at: float) -> Result:
    assert isinstance(event, ev.Pause)
    pol = state.policy
    length = pol.pause_max if event.duration is None else event.duration
    if length < MIN_COMMAND_S or length > pol.pause_max + EPS:
        limit = format_duration(pol.pause_max)
        return state, [_no(f"a pause lasts at least 1 s and at most {limit}")]
    owed = state.phase in (Phase.DUE, Phase.SNOOZED, Phase.IN_BREAK)
    if owed and pol.strict:
        return state, [_no("strict mode: take the break first, then pause")]
    effects: list[Effect] = []
    if owed:
        # The break is still owed: its timers stay, so it comes back after the pause.
        effects = [CloseNotification(BREAK_SLOT)]
        if state.run is not None:
            effects.append(Record(state.run.kind.value, "paused", state.run.player.routine.id))
    state = replace(state, phase=Phase.PAUSED, pending=None, run=None, until=at + length)
    return state, [
        *effects,
        Record("pause", "started"),
        _ok(f"paused for {format_duration(length)}"),
    ]


def _resume(state: State, event: ev.Event, at: float) -> Result:
    state, effects = _unpause(state, at)
    return state, [*effects, _ok("resumed")]


def _dismissed(state: State, event: ev.Event, at: float) -> Result:
    assert isinstance(event, ev.Dismissed)
    if event.slot != BREAK_SLOT or state.until is not None:
        return state, []  # not the offer, or closed already: it comes back as said
    # Closing the offer decides nothing: remind again after one snooze length, free.
    # Whatever else showed it (the bubble beside a closed offer window) goes too.
    kind = state.pending.value if state.pending else ""
    again = f"offered again in {format_duration(state.policy.snooze)}"
    effects: list[Effect] = [CloseNotification(BREAK_SLOT), Record(kind, "dismissed", note=again)]
    return replace(state, until=at + state.policy.snooze), effects


def _screen_lock(state: State, event: ev.Event, at: float) -> Result:
    assert isinstance(event, ev.ScreenLock)
    if event.locked == state.locked:
        return state, []
    state = replace(state, locked=event.locked)
    if state.phase is not Phase.DUE or state.pending is None:
        return state, []
    if event.locked:
        return state, [CloseNotification(BREAK_SLOT)]
    # Back at the screen and the break is still due (the lock was too short to count).
    return _become_due(state, state.pending)


def _policy(state: State, event: ev.Event, at: float) -> Result:
    assert isinstance(event, ev.PolicyChanged)
    pol = event.policy
    # New limits apply at once: a pause or the snoozes used cannot exceed them.
    until = state.until
    if state.phase is Phase.PAUSED and until is not None:
        until = min(until, at + pol.pause_max)
    used = min(state.snoozes_used, pol.max_snoozes) if not pol.strict else 0
    state = replace(state, policy=pol, until=until, snoozes_used=used)
    effects: list[Effect] = []
    if state.phase is Phase.RUNNING:
        state, effects = _check_due(state, at)
    return state, [*effects, _ok("configuration reloaded")]


def _new_day(state: State, event: ev.Event, at: float) -> Result:
    assert isinstance(event, ev.NewDay)
    # The week's earlier days come back from the statistics (WeekSoFar) soon after.
    return replace(state, today=Today(day=event.day)), []


def _week_so_far(state: State, event: ev.Event, at: float) -> Result:
    assert isinstance(event, ev.WeekSoFar)
    seconds = min(max(0.0, event.active_s), 6 * 86400.0)
    return replace(state, today=replace(state.today, week_before_s=seconds)), []


def _not_now(verb: str) -> Handler:
    def refuse(state: State, event: ev.Event, at: float) -> Result:
        return state, [_no(f"cannot {verb}: {describe(state, event)}")]

    refuse.__name__ = f"refuse_{verb}"
    return refuse


# --- the table ---------------------------------------------------------------

R, D, S, B, P = Phase.RUNNING, Phase.DUE, Phase.SNOOZED, Phase.IN_BREAK, Phase.PAUSED
ALL = (R, D, S, B, P)

TABLE: dict[tuple[Phase, type], Transition] = {}


def _add(phases: tuple[Phase, ...], event: type, handler: Handler, *targets: Phase) -> None:
    for phase in phases:
        TABLE[(phase, event)] = Transition(handler, targets or (phase,))


_add((R,), ev.ActivitySample, _sample, R, D)
_add((D, S), ev.ActivitySample, _sample, D, S, R)
_add((B,), ev.ActivitySample, _sample, B)
_add((P,), ev.ActivitySample, _sample, P)
_add((R,), ev.Wake, _wake_running, R, D)
_add((D, S), ev.Wake, _wake_waiting, R, D)
_add((B,), ev.Wake, _wake_break, B, R)
_add((P,), ev.Wake, _wake_paused, R, D)
_add((R, D, S), ev.StartBreak, _start, B)
_add((B,), ev.NextStep, _next, B, R)
_add((B,), ev.StopRoutine, _stop, R)
_add((D, S, B), ev.Snooze, _snooze, S)
_add((D, S, B), ev.Skip, _skip, R)
_add(ALL, ev.Pause, _pause, P)
_add((P,), ev.Resume, _resume, R, D)
_add((D,), ev.Dismissed, _dismissed, D)
_add(ALL, ev.ScreenLock, _screen_lock)
_add(ALL, ev.PolicyChanged, _policy)
_add(ALL, ev.NewDay, _new_day)
_add(ALL, ev.WeekSoFar, _week_so_far)

_USER_COMMANDS = (ev.NextStep, ev.StopRoutine, ev.Snooze, ev.Skip, ev.Pause)

_REFUSALS: dict[type, str] = {
    ev.StartBreak: "start a break",
    ev.NextStep: "go to the next step",
    ev.StopRoutine: "stop a routine",
    ev.Snooze: "snooze",
    ev.Skip: "skip",
    ev.Resume: "resume",
}


def describe(state: State, event: ev.Event | None = None) -> str:
    """A few words on the current situation, used in refusals of ``event``."""
    if isinstance(event, ev.Resume) and state.phase is not Phase.PAUSED:
        return "reminders are not paused"
    situation = _situation(state)
    if isinstance(event, ev.NextStep | ev.StopRoutine) and state.phase is not Phase.IN_BREAK:
        return f"no routine is running; {situation}"
    return situation


def _situation(state: State) -> str:
    if state.phase is Phase.PAUSED:
        return "reminders are paused (`rsiguard resume` ends the pause)"
    if state.phase is Phase.IN_BREAK:
        return "a break is running"
    if state.phase is Phase.RUNNING:
        return "no break is due right now"
    kind = state.pending.value if state.pending else ""
    return f"a {kind} break is {state.phase.value} (`rsiguard break` starts it)"


def step(state: State, event: ev.Event, at: float) -> Result:
    """Feed one event at time ``at``; return the new state and the effects to carry out."""
    if isinstance(event, ev.Wake):
        # The timer that sent this has fired: whatever happens next needs a new one.
        state = replace(state, deadline=None)
    elif (
        isinstance(event, ev.ActivitySample) and state.deadline is not None and at >= state.deadline
    ):
        # The timer is late (after a suspend its clock stood still): catch up first.
        state, early = step(state, ev.Wake(), at)
        state, effects = step(state, event, at)
        return state, [*early, *effects]
    if (
        state.last_input is None
        and isinstance(event, _USER_COMMANDS)
        and state.phase in (Phase.DUE, Phase.SNOOZED, Phase.IN_BREAK)
    ):
        # Someone acted on a break (a click, a command typed in a terminal) before any
        # input was counted: they were here, so its idle time is measured from now.
        state = replace(state, last_input=at)
    entry = TABLE.get((state.phase, type(event)))
    if entry is None:
        verb = _REFUSALS.get(type(event))
        if verb is None:
            return state, []
        new, effects = _not_now(verb)(state, event, at)
    else:
        new, effects = entry.handler(state, event, at)
    deadline = compute_deadline(new, at)
    old = new.deadline
    # Keep an earlier pending wake-up rather than rescheduling on every sample:
    # waking early costs one re-check, rescheduling every second costs more.
    if old is not None and at < old <= (deadline if deadline is not None else old):
        deadline = old
    if deadline != old:
        new = replace(new, deadline=deadline)
        effects.append(Schedule(deadline))
    return new, effects


# In the diagram, phases carry the names `rsiguard status` uses; RUNNING is the one
# phase status splits in two, by how long ago the last input was.
_SHOWN = {Phase.RUNNING: "active_or_idle"}


def diagram() -> str:
    """The transition table as a Mermaid state diagram, in the words of ``status``."""
    lines = [
        "stateDiagram-v2",
        "    active_or_idle: active or idle (status tells them apart by activity.idle_threshold)",
    ]
    seen: set[tuple[str, str, str]] = set()
    for (phase, event), tr in TABLE.items():
        for target in tr.targets:
            src, dst = (_SHOWN.get(p, p.value) for p in (phase, target))
            key = (src, dst, event.__name__)
            if key not in seen:
                seen.add(key)
                lines.append(f"    {src} --> {dst}: {event.__name__}")
    return "\n".join(lines)


__all__ = ["TABLE", "diagram", "initial_state", "snoozes_left", "step"]
