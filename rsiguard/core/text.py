"""Words shown to the user, built from state (pure). Modest claims, no diagnosis."""

from __future__ import annotations

import textwrap

from rsiguard.core.durations import format_duration
from rsiguard.core.effects import BREAK_SLOT, CHECKIN_SLOT, NOTICE_SLOT, Notify
from rsiguard.core.policy import BreakKind, Policy
from rsiguard.core.routines.model import Routine, Step
from rsiguard.core.state import BreakRun

_TITLES = {BreakKind.MICRO: "Time for a micro-break", BreakKind.REST: "Time for a rest break"}


#: Bubble text is wrapped here, at a width every tested server shows without wrapping
#: again, so a bubble has the same lines on every server and the buttons under them sit
#: where they sat a step before (lxqt-notificationd, the narrowest, wraps at 32 to 34).
COLUMNS = 32
#: Fills the lines a step has fewer of than the longest step of its routine. A plain
#: space or an empty line may be trimmed by a server; a no-break space is kept.
FILLER = "\u00a0"


def wrapped(lines: list[str] | tuple[str, ...]) -> list[str]:
    """``lines`` wrapped at :data:`COLUMNS` (an empty line stays one line)."""
    return [part for line in lines for part in (textwrap.wrap(line, COLUMNS) or [""])]


def break_due(kind: BreakKind, policy: Policy, snoozes_left: int) -> Notify:
    """The bubble offering a due break, with the buttons the policy allows."""
    length = format_duration(policy.of(kind).duration)
    lines = [f"Take {length} away from the keyboard and mouse, or follow a short guided routine."]
    actions: list[tuple[str, str]] = [("start", "Start routine")]
    commands = ["rsiguard break"]
    if policy.snooze_allowed and snoozes_left > 0:
        actions.append(("snooze", f"Snooze {format_duration(policy.snooze)}"))
        commands.append("rsiguard snooze")
        lines.append(f"Snoozes left: {snoozes_left}.")
    if policy.skip_allowed:
        actions.append(("skip", "Skip"))
        commands.append("rsiguard skip")
    hint = "From a terminal: " + " | ".join(commands)
    body = "\n".join(wrapped(lines))
    return Notify(BREAK_SLOT, _TITLES[kind], body, tuple(actions), hint, offer=True)


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


def _step_lines(step: Step) -> list[str]:
    """What one step's bubble says of the step: side and length, instruction, cautions."""
    side = side_label(shown_side(step))
    head = f"{side}, {step_length(step)}" if side else step_length(step)
    return wrapped([head, step.instruction, *step.cautions])


def _notes(routine: Routine, first: bool) -> list[str]:
    return wrapped([*(FIRST_ROUTINE_NOTES if first else ()), *routine.safety])


def _room(routine: Routine) -> int:
    """Lines for the step part of the routine's bubbles: its longest step's."""
    return max(len(_step_lines(s)) for s in routine.steps)


#: The most lines a step's bubble may have, even on the first routine: about 16 px a
#: line on the tested servers, so the buttons stay on a 768-pixel-high screen.
MAX_BUBBLE_LINES = 42


def bubble_lines(routine: Routine, first: bool = True) -> int:
    """How many lines ``routine``'s step bubbles have (the catalog checks the bound)."""
    return len(_notes(routine, first)) + _room(routine)


def routine_step(run: BreakRun, policy: Policy, at: float) -> Notify:
    """The bubble for the current routine step, updated in place step by step.

    Its layout is fixed for the whole routine, so the buttons hold still: the notes
    that open it (the general notes, short, on a first routine, then the routine's own,
    most important first) on every step, then the step, filled up to the line count
    of the routine's longest step. It gives the step's length, not a countdown: a
    bubble is a snapshot, and the window counts down.
    """
    p = run.player
    title = f"{p.routine.title}: step {p.index + 1} of {len(p.routine.steps)}"
    notes = _notes(p.routine, run.first)
    step = _step_lines(p.step)
    room = _room(p.routine)
    lines = [*notes, *step, *[FILLER] * (room - len(step))]
    actions: list[tuple[str, str]] = []
    hint = "Strict mode: each step runs its time."
    if not policy.strict:
        actions = [("next", "Next"), ("stop", "Stop")]
        hint = "From a terminal: rsiguard next | rsiguard stop"
    return Notify(BREAK_SLOT, title, "\n".join(lines), tuple(actions), hint)


GENERAL_SAFETY = (
    "These routines are gentle self-care, not treatment, and they cannot diagnose anything.",
    "Do not massage over open wounds, infections, a hot swollen joint or a recent fracture.",
    "With fever, a blood clot, severe osteoporosis, a bleeding disorder or blood thinners, "
    "leave all self-massage out, light strokes too, unless a clinician agrees; adding it "
    "to routines.avoid does this for you.",
    "During a rheumatoid arthritis flare, keep to gentle movement only: "
    "the command rsiguard flare on does this until midnight.",
    "Stop if numbness, tingling or pain starts or increases. Constant numbness, weakness, "
    "or wasting at the base of the thumb is a reason to see a doctor.",
)


#: The general notes, short enough for the first routine's bubbles to stay on screen
#: with the routine's own notes and its step (every condition the full text names).
FIRST_ROUTINE_NOTES = (
    "First routine: self-care, not treatment or diagnosis.",
    "No massage over wounds, infections, a hot swollen joint or a fracture.",
    "Fever, a blood clot, severe osteoporosis, a bleeding disorder or blood thinners: "
    "no self-massage at all unless a clinician agrees.",
    "In a rheumatoid arthritis flare, gentle movement only.",
    "Stop if numbness, tingling or pain starts or grows. More: rsiguard routines safety",
)


def checkin_reminder() -> Notify:
    """The check-in reminder (once, and once more at most, until answered)."""
    return Notify(
        CHECKIN_SLOT,
        "How do your hands feel?",
        "A one-minute check-in: hands, wrists, forearms, neck and shoulders, eyes, "
        "0 to 10. Every question can be skipped.",
        actions=(("checkin", "Check in"),),
        cli_hint="From a terminal: rsiguard checkin",
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
