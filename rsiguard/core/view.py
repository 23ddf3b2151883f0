"""What ``rsiguard status`` reports, computed from state and time (pure)."""

from __future__ import annotations

from typing import Any

from rsiguard.core.accrual import idle_gap, micro_factor
from rsiguard.core.state import Phase, State
from rsiguard.core.text import break_due, shown_side
from rsiguard.core.timing import active_until_due, snoozes_left


def public_state(state: State, at: float) -> str:
    """One of ``active``, ``idle``, ``due``, ``snoozed``, ``in_break``, ``paused``."""
    if state.phase is not Phase.RUNNING:
        return state.phase.value
    if state.last_input is None or idle_gap(at - state.last_input, state.policy):
        return "idle"
    return "active"


def status(state: State, at: float) -> dict[str, Any]:
    """The state-derived part of the status reply (see docs/status.schema.json)."""
    t = state.today
    phase = state.phase
    if phase in (Phase.DUE, Phase.IN_BREAK) and state.pending is not None:
        kind, due_in = state.pending.value, 0.0
    elif phase is Phase.SNOOZED and state.pending is not None and state.until is not None:
        kind, due_in = state.pending.value, max(0.0, state.until - at)
    else:
        k, due_in = active_until_due(state)
        kind = k.value
    run = state.run
    brk = None
    if phase is Phase.IN_BREAK and run is not None:
        p = run.player
        step = p.step
        actions = [] if state.policy.strict else ["next"]
        if snoozes_left(state) > 0:
            actions.append("snooze")
        if state.policy.skip_allowed:
            actions.append("skip")
        if not state.policy.strict:
            actions.append("stop")
        brk = {
            "kind": run.kind.value,
            "routine_id": p.routine.id,
            "routine": p.routine.title,
            "step": p.index + 1,
            "steps": len(p.routine.steps),
            "instruction": step.instruction,
            "side": shown_side(step),
            "illustration": step.illustration,
            "cautions": list(step.cautions),
            "step_seconds": round(step.seconds, 1),
            "reps": step.reps,
            "pace_s": step.pace_s,
            "step_left_s": round(p.step_left(at), 1),
            "routine_left_s": round(p.total_left(at), 1),
            "safety": list(p.routine.safety),
            "actions": actions,
        }
    offer = None
    if phase is Phase.DUE and state.pending is not None and not state.locked:
        n = break_due(state.pending, state.policy, snoozes_left(state))
        offer = {
            "title": n.title,
            "body": n.body,
            "actions": [list(a) for a in n.actions],
            # Set once the offer was closed without a choice: when it is shown again.
            "again_in_s": None if state.until is None else round(max(0.0, state.until - at), 1),
        }
    return {
        "state": public_state(state, at),
        "next_break": {"kind": kind, "due_in_s": round(due_in, 1)},
        "snoozes_left": snoozes_left(state),
        "screen_locked": state.locked,
        "limits": {
            "daily_s": state.policy.daily_limit,
            "weekly_s": state.policy.weekly_limit,
        },
        "today": {
            "day": t.day,
            "keys": t.keys,
            "clicks": t.clicks,
            "scroll": t.scroll,
            "pointer_px": round(t.pointer_px),
            "active_s": round(t.active_s, 1),
            "breaks_taken": t.breaks_taken,
            "breaks_natural": t.breaks_natural,
            "breaks_skipped": t.breaks_skipped,
            "snoozes": t.snoozes,
            "daily_limit_reached": t.limit_notified,
            "week_active_s": round(t.week_before_s + t.active_s, 1),
            "weekly_limit_reached": t.week_limit_notified,
        },
        "intensity": {
            "enabled": state.policy.intensity.enabled,
            "load_per_min": None
            if state.progress.load_per_min is None
            else round(state.progress.load_per_min, 1),
            "micro_interval_factor": round(micro_factor(state), 3),
        },
        "offer": offer,
        "break": brk,
        "paused_for_s": round(max(0.0, state.until - at), 1)
        if phase is Phase.PAUSED and state.until is not None
        else None,
    }
