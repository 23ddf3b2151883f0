"""Words shown to the user, built from state (pure). Modest claims, no diagnosis."""

from __future__ import annotations

from rsiguard.core.durations import format_duration
from rsiguard.core.effects import BREAK_SLOT, NOTICE_SLOT, Notify
from rsiguard.core.policy import BreakKind, Policy
from rsiguard.core.state import BreakRun

_TITLES = {BreakKind.MICRO: "Time for a micro-break", BreakKind.REST: "Time for a rest break"}


def break_due(kind: BreakKind, policy: Policy, snoozes_left: int) -> Notify:
    """The bubble offering a due break, with the buttons the policy allows."""
    length = format_duration(policy.of(kind).duration)
    body = f"Take {length} away from the keyboard and mouse, or follow a short guided routine."
    actions: list[tuple[str, str]] = [("start", "Start routine")]
    hints = []
    if policy.snooze_allowed and snoozes_left > 0:
        actions.append(("snooze", f"Snooze {format_duration(policy.snooze)}"))
        hints.append("`rsiguard snooze`")
        body += f" Snoozes left: {snoozes_left}."
    if policy.skip_allowed:
        actions.append(("skip", "Skip"))
        hints.append("`rsiguard skip`")
    hint = "Start a guided routine with `rsiguard break`"
    if hints:
        hint += "; put it off with " + " or ".join(hints)
    return Notify(BREAK_SLOT, _TITLES[kind], body, tuple(actions), hint + ".")


def routine_step(run: BreakRun, policy: Policy, at: float) -> Notify:
    """The bubble for the current routine step, updated in place step by step."""
    step = run.steps[run.index]
    left_in_routine = (run.step_ends - at) + sum(s.seconds for s in run.steps[run.index + 1 :])
    title = f"{run.title}: step {run.index + 1} of {len(run.steps)}"
    body = (
        f"{step.instruction}\n{format_duration(step.seconds)} for this step, "
        f"{format_duration(left_in_routine)} left. Stop if anything hurts or tingles."
    )
    actions: list[tuple[str, str]] = [("next", "Next")]
    if not policy.strict:
        actions.append(("stop", "Stop"))
    return Notify(BREAK_SLOT, title, body, tuple(actions), "Stop with `rsiguard skip`.")


def daily_limit(policy: Policy) -> Notify:
    """The one notice a day when active time passes the daily limit."""
    return Notify(
        NOTICE_SLOT,
        "Daily computer time reached",
        f"You have been active for {format_duration(policy.daily_limit)} today. "
        "If you can, let your hands rest for the remainder of the day.",
        urgent=True,
    )
