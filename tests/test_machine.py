"""The break machine with a fake clock: timing, intensity, commands, refusals."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rsiguard.core import events as ev
from rsiguard.core.effects import (
    BREAK_SLOT,
    NOTICE_SLOT,
    CloseNotification,
    OpenWindow,
    Record,
    Reply,
)
from rsiguard.core.machine import TABLE, diagram, step
from rsiguard.core.policy import BreakKind, BreakPolicy, IntensityPolicy, Policy
from rsiguard.core.state import Phase
from rsiguard.core.view import status
from tests.sim import Sim

# 2 keys a second = 120 load units per active minute = the default baseline.
BASELINE_KEYS = 2


def test_micro_break_due_after_twenty_active_minutes_at_baseline() -> None:
    sim = Sim()
    at = sim.type_until("due", keys=BASELINE_KEYS)
    assert 1200 <= at <= 1202
    assert sim.state.pending is BreakKind.MICRO
    n = sim.notifications()[-1]
    assert n.slot == BREAK_SLOT
    assert [k for k, _ in n.actions] == ["start", "snooze", "skip"]


def test_heavier_load_brings_the_micro_break_forward_but_not_below_min_interval() -> None:
    heavy = Sim()
    at = heavy.type_until("due", keys=8)  # four times baseline: factor 0.5
    assert 600 <= at < 700
    flood = Sim()
    assert 600 <= flood.type_until("due", keys=100) <= 602  # floored at min_interval


def test_intensity_disabled_keeps_the_configured_interval() -> None:
    pol = Policy(intensity=IntensityPolicy(enabled=False))
    assert 1200 <= Sim(pol).type_until("due", keys=100) <= 1202


def test_rest_break_due_after_an_hour_and_wins_over_micro() -> None:
    sim = Sim(replace(Policy(), micro=BreakPolicy(1200, 30), micro_min_interval=600))
    for _ in range(2):
        sim.type_until("due")
        assert sim.state.pending is BreakKind.MICRO
        assert sim.command(ev.Skip()).ok
    at = sim.type_until("due")
    assert sim.state.pending is BreakKind.REST
    assert 3600 <= at <= 3605


def test_short_gaps_count_as_active_time() -> None:
    sim = Sim()
    for _ in range(300):  # a sample every 5 s, threshold is 10 s
        sim.advance(5)
        sim.feed(ev.ActivitySample(keys=10))
        if sim.state.phase is Phase.DUE:
            break
    assert sim.state.phase is Phase.DUE
    assert 1150 <= sim.t <= 1210  # within a few percent: intensity sits near baseline


def test_idle_as_long_as_a_micro_break_is_a_natural_micro_break() -> None:
    sim = Sim()
    sim.type_for(900)
    sim.advance(40)  # idle >= 30 s micro duration
    sim.type_for(900)
    assert sim.state.phase is Phase.RUNNING  # progress restarted after the idle gap
    assert sim.state.progress.rest_active > 1700  # but the rest break still counts on


def test_idle_as_long_as_a_rest_break_resets_both() -> None:
    sim = Sim()
    sim.type_for(1000)
    sim.advance(301)
    sim.type_for(1)
    # Only the one second of the new sample counts.
    assert sim.state.progress.rest_active == 1
    assert sim.state.progress.micro_active == 1


def test_natural_break_while_due_closes_the_notification() -> None:
    sim = Sim()
    sim.type_until("due")
    sim.advance(31)  # no input: the wake-up finds the break taken
    assert sim.state.phase is Phase.RUNNING
    assert CloseNotification(BREAK_SLOT) in sim.effects
    assert ("micro", "natural") in sim.records()
    assert sim.state.today.breaks_natural == 1


def test_no_wake_ups_while_idle() -> None:
    sim = Sim()
    sim.type_for(100)
    wakes = sim.wakes
    sim.advance(3 * 3600)
    assert sim.wakes - wakes <= 1
    assert sim.deadline is None


def test_suspend_counts_as_idle_time() -> None:
    sim = Sim()
    sim.type_until("due")
    sim.advance(2 * 3600, suspended=True)  # wake-ups fire only after resume
    assert sim.state.phase is Phase.RUNNING
    sim.type_for(1)
    assert sim.state.progress.rest_active == 1


def test_snooze_limits_and_reminders() -> None:
    sim = Sim()
    sim.type_until("due")
    assert sim.command(ev.Snooze()).ok
    assert sim.state.phase is Phase.SNOOZED
    assert status(sim.state, sim.t)["snoozes_left"] == 1
    sim.type_for(301)
    assert sim.state.phase.value == "due"
    assert sim.command(ev.Snooze()).ok
    sim.type_for(301)
    assert sim.state.phase.value == "due"
    last = sim.notifications()[-1]
    assert "snooze" not in [k for k, _ in last.actions]
    refused = sim.command(ev.Snooze())
    assert not refused.ok and "no snoozes left" in refused.message
    assert sim.command(ev.Skip()).ok
    assert sim.state.snoozes_used == 0
    assert sim.state.today.snoozes == 2 and sim.state.today.breaks_skipped == 1


def test_snooze_longer_than_policy_refused() -> None:
    sim = Sim()
    sim.type_until("due")
    reply = sim.command(ev.Snooze(3600))
    assert not reply.ok and "at most 5 min" in reply.message
    assert sim.command(ev.Snooze(60)).ok
    assert sim.state.until == sim.t + 60


def test_strict_mode_offers_only_start() -> None:
    sim = Sim(Policy(strict=True))
    sim.type_until("due")
    assert [k for k, _ in sim.notifications()[-1].actions] == ["start"]
    assert "snooze" not in sim.notifications()[-1].cli_hint
    assert not sim.command(ev.Snooze()).ok
    assert not sim.command(ev.Skip()).ok
    assert sim.command(ev.StartBreak()).ok
    assert [k for k, _ in sim.notifications()[-1].actions] == []
    assert not sim.command(ev.StopRoutine()).ok


def test_skip_disabled_by_policy() -> None:
    sim = Sim(Policy(allow_skip=False))
    sim.type_until("due")
    assert "skip" not in [k for k, _ in sim.notifications()[-1].actions]
    reply = sim.command(ev.Skip())
    assert not reply.ok and "turned off" in reply.message


def test_routine_plays_each_step_then_ends_the_break() -> None:
    sim = Sim()
    sim.type_until("due")
    before = len(sim.notifications())
    assert sim.command(ev.StartBreak()).ok
    assert sim.state.phase is Phase.IN_BREAK
    steps = len(sim.state.run.player.routine.steps) if sim.state.run else 0
    assert steps >= 3
    sim.advance(31)
    shown = [n for n in sim.notifications()[before:] if n.slot == BREAK_SLOT]
    assert len(shown) == steps
    assert all(n.slot == BREAK_SLOT for n in shown)
    assert shown[0].title.endswith(f"step 1 of {steps}")
    assert [k for k, _ in shown[0].actions] == ["next", "stop"]
    assert sim.state.phase.value == "running"
    assert ("micro", "completed") in sim.records()
    assert sim.state.today.breaks_taken == 1
    assert sim.state.progress.micro_active == 0


def test_next_and_stop() -> None:
    sim = Sim()
    assert sim.command(ev.StartBreak(BreakKind.REST)).ok
    assert sim.command(ev.NextStep()).ok
    assert sim.state.run is not None and sim.state.run.player.index == 1
    reply = sim.command(ev.StopRoutine())  # early: counts as skipped
    assert reply.ok and "skipped" in reply.message
    assert sim.state.phase is Phase.RUNNING
    assert ("rest", "skipped") in sim.records()
    assert sim.command(ev.StartBreak(BreakKind.REST)).ok
    sim.advance(200)  # past half of the 5 min routine
    assert sim.command(ev.StopRoutine()).ok
    assert ("rest", "stopped") in sim.records()
    assert sim.state.today.breaks_taken == 1 and sim.state.today.breaks_skipped == 1


def test_strict_and_no_skip_close_the_back_doors() -> None:
    strict = Sim(Policy(strict=True))
    strict.type_until("due")
    assert not strict.command(ev.Pause(60)).ok  # no pausing a due break away
    assert strict.command(ev.StartBreak()).ok
    assert not strict.command(ev.NextStep()).ok
    assert not strict.command(ev.Pause(60)).ok
    no_skip = Sim(Policy(allow_skip=False))
    no_skip.type_until("due")
    assert no_skip.command(ev.StartBreak()).ok
    reply = no_skip.command(ev.StopRoutine())
    assert not reply.ok and "half" in reply.message


def test_a_pause_never_counts_as_the_break() -> None:
    sim = Sim()
    sim.type_until("due")
    assert sim.command(ev.StartBreak()).ok
    assert sim.command(ev.Pause(5)).ok
    sim.advance(5)  # shorter than the break: not a natural break either
    assert sim.state.phase is Phase.DUE


def test_locked_screen_schedules_nothing() -> None:
    sim = Sim()
    sim.type_for(1195)
    sim.feed(ev.ScreenLock(True))
    wakes = sim.wakes
    sim.advance(8)
    assert sim.wakes - wakes <= 1


def test_a_late_timer_is_caught_up_by_the_next_input() -> None:
    sim = Sim()
    sim.type_until("due")
    assert sim.command(ev.Snooze(60)).ok
    sim.deadline = None  # the daemon's timer never fires (its clock stood still)
    sim.type_for(61)  # but input keeps coming, and the first one after the deadline...
    assert sim.state.phase is Phase.DUE  # ...brings the break back


def test_start_break_while_running_refused_states() -> None:
    sim = Sim()
    assert sim.command(ev.StartBreak()).ok
    reply = sim.command(ev.StartBreak())
    assert not reply.ok and "a break is running" in reply.message
    assert not Sim().command(ev.Snooze()).ok
    assert not Sim().command(ev.Resume()).ok


def test_refusals_name_the_real_situation() -> None:
    sim = Sim()
    assert sim.command(ev.Resume()).message == "cannot resume: reminders are not paused"
    for event in (ev.NextStep(), ev.StopRoutine()):
        reply = sim.command(event)
        assert not reply.ok
        assert reply.message.endswith(": no routine is running; no break is due right now")
    sim.type_until("due")
    reply = sim.command(ev.NextStep())
    assert reply.message == (
        "cannot go to the next step: no routine is running; "
        "a micro break is due (`rsiguard break` starts it)"
    )
    assert sim.command(ev.Resume()).message == "cannot resume: reminders are not paused"
    assert sim.command(ev.Pause()).ok
    reply = sim.command(ev.StopRoutine())
    assert reply.message == (
        "cannot stop a routine: no routine is running; "
        "reminders are paused (`rsiguard resume` ends the pause)"
    )
    assert Sim().command(ev.Skip()).message == "cannot skip: no break is due right now"


def test_pause_bounds_and_expiry() -> None:
    sim = Sim()
    assert not sim.command(ev.Pause(3 * 3600)).ok
    assert sim.command(ev.Pause()).ok
    assert sim.state.until == sim.t + 7200
    sim.type_for(600)
    assert sim.state.progress.micro_active == 0  # paused time does not count
    assert sim.state.today.keys == 1200  # but the day's counters do
    sim.advance(7200)
    assert sim.state.phase is Phase.RUNNING
    assert sim.command(ev.Pause(60)).ok
    assert sim.command(ev.Resume()).ok
    assert sim.state.phase is Phase.RUNNING


def test_pause_during_due_closes_the_bubble() -> None:
    sim = Sim()
    sim.type_until("due")
    assert sim.command(ev.Pause(60)).ok
    assert isinstance(sim.effects[-3], CloseNotification)
    assert status(sim.state, sim.t)["state"] == "paused"


def test_daily_limit_notice_once() -> None:
    sim = Sim(Policy(daily_limit=100))
    sim.type_for(300)
    notices = [n for n in sim.notifications() if n.slot == NOTICE_SLOT]
    assert len(notices) == 1 and notices[0].urgent
    sim.feed(ev.NewDay("2026-11-26"))
    assert sim.state.today.day == "2026-11-26" and sim.state.today.keys == 0
    sim.type_for(200)
    assert len([n for n in sim.notifications() if n.slot == NOTICE_SLOT]) == 2


def test_dismissed_reminds_again_without_using_a_snooze() -> None:
    sim = Sim()
    sim.type_until("due")
    shown = len(sim.notifications())
    sim.feed(ev.Dismissed(BREAK_SLOT))
    sim.type_for(301)
    assert len(sim.notifications()) == shown + 1
    assert sim.state.snoozes_used == 0


def test_policy_change_applies_at_once() -> None:
    sim = Sim()
    sim.type_for(700)
    reply = sim.command(ev.PolicyChanged(replace(Policy(), micro=BreakPolicy(600, 30))))
    assert reply.ok
    assert sim.state.phase is Phase.DUE


def test_status_view_reports_active_and_idle() -> None:
    sim = Sim()
    sim.type_for(10, keys=3)
    view = status(sim.state, sim.t)
    assert view["state"] == "active"
    assert view["today"]["keys"] == 30
    assert view["next_break"]["kind"] == "micro"
    assert 1180 < view["next_break"]["due_in_s"] <= 1200
    assert status(sim.state, sim.t + 11)["state"] == "idle"


def test_unknown_combination_of_phase_and_non_command_is_ignored() -> None:
    sim = Sim()
    state, effects = step(sim.state, ev.Dismissed(BREAK_SLOT), 0.0)
    assert state == sim.state and effects == []


def test_diagram_comes_from_the_table() -> None:
    text = diagram()
    assert text.startswith("stateDiagram-v2")
    assert "due --> snoozed: Snooze" in text
    assert len(TABLE) > 20
    # The words of `rsiguard status`: no internal "running" phase.
    assert "running" not in text
    assert "active_or_idle --> due: ActivitySample" in text


def test_every_command_gets_exactly_one_reply_in_every_phase() -> None:
    commands: list[ev.Event] = [
        ev.Snooze(),
        ev.Skip(),
        ev.StartBreak(),
        ev.NextStep(),
        ev.StopRoutine(),
        ev.Pause(60),
        ev.Resume(),
        ev.PolicyChanged(Policy()),
    ]
    for phase_setup in ("running", "due", "snoozed", "in_break", "paused"):
        for cmd in commands:
            sim = Sim()
            if phase_setup != "running":
                sim.type_until("due")
            if phase_setup == "snoozed":
                sim.command(ev.Snooze())
            elif phase_setup == "in_break":
                sim.command(ev.StartBreak())
            elif phase_setup == "paused":
                sim.command(ev.Pause(60))
            replies = [e for e in sim.feed(cmd) if isinstance(e, Reply)]
            assert len(replies) == 1, (phase_setup, cmd)


def test_locked_screen_hides_the_offer_and_pauses_progress() -> None:
    sim = Sim()
    sim.type_until("due")
    sim.feed(ev.ScreenLock(True))
    assert isinstance(sim.effects[-1], CloseNotification)
    assert status(sim.state, sim.t)["screen_locked"] is True
    shown = len(sim.notifications())
    sim.feed(ev.Dismissed(BREAK_SLOT))
    sim.advance(1)
    sim.feed(ev.ScreenLock(False))  # back after a second: still due, offered again
    assert len(sim.notifications()) == shown + 1
    assert sim.state.phase is Phase.DUE


def test_no_break_falls_due_while_locked() -> None:
    sim = Sim()
    sim.feed(ev.ScreenLock(True))
    sim.type_for(1500)  # e.g. a password typed slowly, or a cat
    assert sim.state.phase is Phase.RUNNING
    assert sim.state.progress.micro_active == 0
    assert sim.notifications() == []
    sim.feed(ev.ScreenLock(False))
    assert sim.state.locked is False


def test_snooze_during_a_routine_ends_it_and_counts_a_snooze() -> None:
    sim = Sim()
    sim.type_until("due")
    assert sim.command(ev.StartBreak()).ok
    reply = sim.command(ev.Snooze())
    assert reply.ok
    assert sim.state.phase is Phase.SNOOZED and sim.state.run is None
    assert sim.state.snoozes_used == 1
    assert ("micro", "snoozed", "builtin_micro") in [
        (e.kind, e.outcome, e.routine) for e in sim.effects if isinstance(e, Record)
    ]


def test_safety_notes_open_the_first_routine_only() -> None:
    sim = Sim()
    assert sim.command(ev.StartBreak()).ok
    first = sim.notifications()[-1].body.replace("\n", " ")
    assert "clinician agrees" in first
    assert sim.command(ev.StopRoutine()).ok
    assert sim.command(ev.StartBreak()).ok
    assert "clinician agrees" not in sim.notifications()[-1].body.replace("\n", " ")
    assert not [n for n in sim.notifications() if n.slot == NOTICE_SLOT]


def test_start_opens_the_window_only_when_configured() -> None:
    sim = Sim()
    sim.command(ev.StartBreak())
    assert any(isinstance(e, OpenWindow) for e in sim.effects)
    quiet = Sim(Policy(window=False))
    quiet.command(ev.StartBreak())
    assert not any(isinstance(e, OpenWindow) for e in quiet.effects)


def test_status_describes_the_running_step_and_allowed_actions() -> None:
    sim = Sim(Policy(strict=True))
    sim.command(ev.StartBreak(BreakKind.REST))
    brk = status(sim.state, sim.t)["break"]
    assert brk["routine_id"] == "builtin_rest" and brk["step"] == 1
    assert brk["actions"] == []  # strict: no next, snooze, skip or stop
    assert brk["illustration"] and brk["side"] == "none"  # standing up: not a hand step
    assert brk["routine_left_s"] == pytest.approx(300, abs=0.5)


def test_an_ignored_micro_break_turns_into_the_rest_break() -> None:
    sim = Sim()
    sim.type_until("due")
    assert sim.state.pending is BreakKind.MICRO
    sim.type_for(2500)  # typing on, ignoring it, until the rest break is owed
    assert status(sim.state, sim.t)["next_break"]["kind"] == "rest"
    assert sim.notifications()[-1].title == "Time for a rest break"


def test_next_through_every_step_is_no_way_around_the_stop_rules() -> None:
    sim = Sim(Policy(allow_skip=False))
    sim.type_until("due")
    assert sim.command(ev.StartBreak()).ok
    steps = len(sim.state.run.player.routine.steps) if sim.state.run else 0
    replies = [sim.command(ev.NextStep()) for _ in range(steps)]
    assert all(r.ok for r in replies[:-1])
    assert not replies[-1].ok and "half" in replies[-1].message
    assert sim.state.phase is Phase.IN_BREAK and sim.state.today.breaks_taken == 0
    sim.advance(10)  # the last step runs its time: then the break is taken
    assert sim.state.phase.value == "running" and sim.state.today.breaks_taken == 1


@pytest.mark.parametrize("command", [ev.Pause(0.001), ev.Pause(0.0), ev.Snooze(0.5)])
def test_a_snooze_or_pause_under_a_second_is_refused_and_uses_nothing(command: ev.Event) -> None:
    sim = Sim()
    sim.type_until("due")
    reply = sim.command(command)
    assert not reply.ok and "at least 1 s" in reply.message
    assert sim.state.snoozes_used == 0 and sim.state.phase is Phase.DUE


def test_a_break_snoozed_before_any_input_is_taken_by_idle_time() -> None:
    # Found by the idle property test: `rsiguard break` then `snooze` before a single
    # key was counted left the break snoozed, however long the user stayed away.
    sim = Sim(replace(Policy(), micro=BreakPolicy(20, 1), micro_min_interval=10, snooze=5))
    assert sim.command(ev.StartBreak()).ok and sim.command(ev.Snooze()).ok
    sim.advance(max(sim.state.policy.idle_threshold, 1.0))
    assert sim.state.phase is Phase.RUNNING
    assert sim.state.today.breaks_natural == 1


def test_the_weekly_limit_counts_the_six_days_before_today_and_speaks_once_a_day() -> None:
    sim = Sim(replace(Policy(), weekly_limit=30 * 3600, daily_limit=0))
    sim.state, _ = step(sim.state, ev.WeekSoFar(29.5 * 3600), sim.t)
    sim.type_for(1700)
    assert not [n for n in sim.notifications() if n.title.startswith("Weekly")]
    sim.type_for(200)
    weekly = [n for n in sim.notifications() if n.title.startswith("Weekly")]
    assert len(weekly) == 1 and "more than 30 h" in weekly[0].body
    sim.type_for(600)
    assert len([n for n in sim.notifications() if n.title.startswith("Weekly")]) == 1
    assert status(sim.state, sim.t)["today"]["weekly_limit_reached"] is True
    sim.state, _ = step(sim.state, ev.NewDay("2099-01-01"), sim.t)
    assert sim.state.today.week_limit_notified is False
    sim.state, _ = step(sim.state, ev.WeekSoFar(1e12), sim.t)  # bounded where it enters
    assert sim.state.today.week_before_s == 6 * 86400


def test_an_idle_gap_of_exactly_the_threshold_is_idle_whatever_the_float_rounding() -> None:
    # Found by the idle property test: 6.1291570496491605 + 10 - 6.1291570496491605 is
    # 9.999999999999998, which counted as 10 s of activity.
    pol = replace(Policy(), micro=BreakPolicy(20, 1), micro_min_interval=10, idle_threshold=10.0)
    sim = Sim(pol)  # a 1 s micro-break: 10 s idle is one taken naturally
    sim.t = 6.1291570496491605
    sim.feed(ev.ActivitySample())
    sim.advance(10.0)
    sim.feed(ev.ActivitySample(keys=1))
    assert sim.state.progress.micro_active <= 1.0


def test_status_offers_the_due_break_with_its_buttons_and_hides_it_while_locked() -> None:
    sim = Sim(Policy(allow_skip=False))
    assert status(sim.state, sim.t)["offer"] is None
    sim.type_until("due")
    offer = status(sim.state, sim.t)["offer"]
    assert offer["title"] == "Time for a micro-break" and offer["again_in_s"] is None
    assert [key for key, _label in offer["actions"]] == ["start", "snooze"]  # no Skip
    sim.feed(ev.ScreenLock(True))
    assert status(sim.state, sim.t)["offer"] is None  # hidden, as the bubble is
    sim.feed(ev.ScreenLock(False))
    assert status(sim.state, sim.t)["offer"] is not None
    # Closed without a choice: it says when it comes back (one snooze length).
    sim.feed(ev.Dismissed("break"))
    assert status(sim.state, sim.t)["offer"]["again_in_s"] == pytest.approx(300, abs=1)


def test_a_dismissal_closes_whatever_showed_the_offer_and_counts_once() -> None:
    sim = Sim()
    sim.type_until("due")
    fx = sim.feed(ev.Dismissed("break"))
    assert CloseNotification("break") in fx
    assert [e.outcome for e in fx if isinstance(e, Record)] == ["dismissed"]
    until = sim.state.until
    sim.type_for(20)
    # The plain bubble beside a closed offer window, closed a little later: no change.
    assert sim.state.phase is Phase.DUE
    assert not [e for e in sim.feed(ev.Dismissed("break")) if isinstance(e, Record)]
    assert sim.state.until == until
