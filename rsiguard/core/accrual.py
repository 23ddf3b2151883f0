"""How input turns into break progress (pure arithmetic; see docs/intensity.md).

A sample is active input. The gap since the previous sample counts as active when
it is shorter than ``idle_threshold``; otherwise it is idle time, and idle time at
least as long as a break counts as that break taken.
"""

from __future__ import annotations

from dataclasses import replace

from rsiguard.core.events import ActivitySample
from rsiguard.core.policy import BreakKind, Policy
from rsiguard.core.state import Phase, Progress, State

MINUTE = 60.0
# How much input time one sample stands for when it follows an idle gap.
SAMPLE_SECONDS = 1.0
# Times closer than this count as equal (float rounding of sums of seconds).
EPS = 1e-3


def idle_gap(gap: float, policy: Policy) -> bool:
    """Whether ``gap`` seconds without input are idle time (the one rule for it):
    ``6.129 + 10 - 6.129`` is 9.999999999999998, and must still count as 10."""
    return gap >= policy.idle_threshold - EPS


def micro_factor(state: State) -> float:
    """Current multiplier of the micro-break interval (1 until a full active minute is seen)."""
    load = state.progress.load_per_min
    if load is None:
        return 1.0
    return state.policy.intensity.factor(load)


def reset_after(progress: Progress, kind: BreakKind) -> Progress:
    """Progress after a break of ``kind``: a rest break also counts as a micro-break."""
    progress = replace(progress, micro_active=0.0, micro_credit=0.0)
    if kind is BreakKind.REST:
        progress = replace(progress, rest_active=0.0)
    return progress


def idle_credit(progress: Progress, policy: Policy, idle: float) -> Progress:
    """Progress after ``idle`` seconds without input (a natural break when long enough)."""
    if not idle_gap(idle, policy):
        return progress
    # A little slack: the wake-up that checks lands on the deadline, give or take a float.
    if idle >= policy.rest.duration - EPS:
        return reset_after(progress, BreakKind.REST)
    if idle >= policy.micro.duration - EPS:
        return reset_after(progress, BreakKind.MICRO)
    return progress


def _update_intensity(progress: Progress, policy: Policy, load: float, active: float) -> Progress:
    """Fold load into the current active minute; close the minute into the smoothed value."""
    bucket_load = progress.bucket_load + load
    bucket_active = progress.bucket_active + active
    smoothed = progress.load_per_min
    if bucket_active >= MINUTE:
        minute_load = bucket_load * MINUTE / bucket_active
        alpha = policy.intensity.smoothing
        smoothed = minute_load if smoothed is None else alpha * minute_load + (1 - alpha) * smoothed
        bucket_load, bucket_active = 0.0, 0.0
    return replace(
        progress, bucket_load=bucket_load, bucket_active=bucket_active, load_per_min=smoothed
    )


def accrue(state: State, sample: ActivitySample, at: float) -> tuple[State, list[str]]:
    """Add a sample's counts and active time; also the limits (``daily``, ``weekly``) it
    has just crossed."""
    pol = state.policy
    gap = None if state.last_input is None else at - state.last_input
    # A gap shorter than the idle threshold was active; after a longer gap (or at the
    # start) the sample itself stands for up to one second of input.
    active = gap if gap is not None and gap >= 0 and not idle_gap(gap, pol) else SAMPLE_SECONDS
    factor = micro_factor(state)
    p = state.progress
    counting = state.phase not in (Phase.PAUSED, Phase.IN_BREAK) and not state.locked
    if counting:
        p = replace(
            p,
            micro_active=p.micro_active + active,
            micro_credit=p.micro_credit + active / factor,
            rest_active=p.rest_active + active,
        )
    load = pol.intensity.load(sample.keys, sample.clicks, sample.scroll, sample.pointer_px)
    p = _update_intensity(p, pol, load, active)
    t = state.today
    t = replace(
        t,
        keys=t.keys + sample.keys,
        clicks=t.clicks + sample.clicks,
        scroll=t.scroll + sample.scroll,
        pointer_px=t.pointer_px + sample.pointer_px,
        active_s=t.active_s + active,
    )
    crossed: list[str] = []
    if pol.daily_limit > 0 and not t.limit_notified and t.active_s >= pol.daily_limit:
        t = replace(t, limit_notified=True)
        crossed.append("daily")
    week = t.week_before_s + t.active_s
    if pol.weekly_limit > 0 and not t.week_limit_notified and week >= pol.weekly_limit:
        t = replace(t, week_limit_notified=True)
        crossed.append("weekly")
    last = at if state.last_input is None else max(at, state.last_input)
    return replace(state, progress=p, today=t, last_input=last), crossed
