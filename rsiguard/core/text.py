"""Words shown to the user, built from state (pure). Modest claims, no diagnosis."""

from __future__ import annotations

from rsiguard.core.durations import format_duration
from rsiguard.core.effects import BREAK_SLOT, CHECKIN_SLOT, NOTICE_SLOT, Notify
from rsiguard.core.policy import BreakKind, Policy
from rsiguard.core.routines.model import Step
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


#: A routine's own safety notes lead every step bubble for its first half minute, so a
#: short first step (a 5 s tendon glide) does not take them away before they are read.
NOTES_FOR_S = 30.0

_SIDES = {"left": "Left hand", "right": "Right hand", "both": "Both hands", "none": ""}


def shown_side(step: Step) -> str:
    """The side to show for ``step``: its own, or ``none`` when it is not about the hands."""
    return step.side if step.hands else "none"


def side_label(side: str) -> str:
    """``Left hand``, ``Right hand``, ``Both hands``, or ``""`` for ``none``."""
    return _SIDES.get(side, "Both hands")


def step_length(step: Step) -> str:
    """``30 s``, or with its pace ``24 s, 8 x 3 s`` (so the pace can be followed)."""
    length = format_duration(step.seconds)
    if step.reps and step.pace_s:
        length += f", {step.reps} x {step.pace_s:g} s"
    return length


def routine_step(run: BreakRun, policy: Policy, at: float) -> Notify:
    """The bubble for the current routine step, updated in place step by step."""
    p = run.player
    step = p.step
    title = f"{p.routine.title}: step {p.index + 1} of {len(p.routine.steps)}"
    side = side_label(shown_side(step))
    # The routine's own safety notes open it, most important first: this bubble is what
    # a person sees when they start, whether or not a window opens.
    opening = p.index == 0 or at - run.started < NOTES_FOR_S
    lines = [
        *(p.routine.safety if opening else ()),
        f"{side + ', ' if side else ''}{step_length(step)}: {step.instruction}",
        *step.cautions,
        f"{format_duration(p.total_left(at))} left in this routine.",
    ]
    actions: list[tuple[str, str]] = []
    hint = "Strict mode: each step runs its time."
    if not policy.strict:
        actions = [("next", "Next"), ("stop", "Stop")]
        hint = "Next step: `rsiguard next`; stop: `rsiguard stop`."
    return Notify(BREAK_SLOT, title, "\n".join(lines), tuple(actions), hint)


GENERAL_SAFETY = (
    "These routines are gentle self-care, not treatment, and they cannot diagnose anything.",
    "Do not massage over open wounds, infections, a hot swollen joint or a recent fracture.",
    "With fever, a blood clot, severe osteoporosis, a bleeding disorder or blood thinners, "
    "leave all self-massage out, light strokes too, unless a clinician agrees; adding it "
    "to routines.avoid does this for you.",
    "During a rheumatoid arthritis flare, keep to gentle movement only: "
    "`rsiguard flare on` does this until midnight.",
    "Stop if numbness, tingling or pain starts or increases. Constant numbness, weakness, "
    "or wasting at the base of the thumb is a reason to see a doctor.",
)


def safety_notice() -> Notify:
    """The general notes, shown once before the first routine (reread with `rsiguard
    routines safety`). A routine's own notes open its first step's bubble instead."""
    return Notify(
        NOTICE_SLOT,
        "Before your first routine",
        "\n".join(GENERAL_SAFETY) + "\nReread these with `rsiguard routines safety`.",
        urgent=False,
    )


def checkin_reminder() -> Notify:
    """The check-in reminder (once, and once more at most, until answered)."""
    return Notify(
        CHECKIN_SLOT,
        "How do your hands feel?",
        "A one-minute check-in: hands, wrists, forearms, neck and shoulders, eyes, "
        "0 to 10. Every question can be skipped.",
        actions=(("checkin", "Check in"),),
        cli_hint="Run `rsiguard checkin` to answer.",
    )


def weekly_limit(policy: Policy) -> Notify:
    """The one notice a day while the last seven days' active time is over the limit."""
    return Notify(
        NOTICE_SLOT,
        "Weekly computer time reached",
        f"Over the last seven days you have been active for more than "
        f"{format_duration(policy.weekly_limit)}. Shorter days for a while, and every rest "
        "break, give your hands time to recover.",
        urgent=False,
    )


def daily_limit(policy: Policy) -> Notify:
    """The one notice a day when active time passes the daily limit."""
    return Notify(
        NOTICE_SLOT,
        "Daily computer time reached",
        f"You have been active for {format_duration(policy.daily_limit)} today. "
        "If you can, let your hands rest for the remainder of the day.",
        urgent=True,
    )
