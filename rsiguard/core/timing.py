"""When breaks fall due and when the machine next needs waking (pure arithmetic)."""

from __future__ import annotations

from rsiguard.core.accrual import EPS, idle_gap, micro_factor
from rsiguard.core.policy import BreakKind, Policy
from rsiguard.core.state import Phase, State

__all__ = [
    "EPS",
    "active_until_due",
    "compute_deadline",
    "due_kind",
    "merge_window",
    "snoozes_left",
]


def snoozes_left(state: State) -> int:
    """Snoozes still possible for the current break under the policy."""
    if not state.policy.snooze_allowed:
        return 0
    return max(0, state.policy.max_snoozes - state.snoozes_used)


def due_kind(state: State, at: float) -> BreakKind | None:
    """Which break is due at ``at`` (rest wins over micro), counting the open gap as active."""
    p, pol = state.progress, state.policy
    gap = 0.0 if state.last_input is None else at - state.last_input
    open_active = gap if gap >= 0 and not idle_gap(gap, pol) else 0.0
    if p.rest_active + open_active >= pol.rest.interval - EPS:
        return BreakKind.REST
    f = micro_factor(state)
    micro_ok = p.micro_credit + open_active / f >= pol.micro.interval - EPS
    if micro_ok and p.micro_active + open_active >= pol.micro_min_interval - EPS:
        # A rest break about to fall due takes the micro-break's place.
        rest_left = pol.rest.interval - p.rest_active - open_active
        return BreakKind.REST if rest_left <= merge_window(pol) else BreakKind.MICRO
    return None


def merge_window(policy: Policy) -> float:
    """Active seconds within which a due micro-break is replaced by the coming rest break."""
    return max(60.0, 2 * policy.micro.duration)


def active_until_due(state: State) -> tuple[BreakKind, float]:
    """The next break kind and the active seconds left until it is due."""
    p, pol = state.progress, state.policy
    rest_left = max(0.0, pol.rest.interval - p.rest_active)
    micro_left = max(
        (pol.micro.interval - p.micro_credit) * micro_factor(state),
        pol.micro_min_interval - p.micro_active,
        0.0,
    )
    if rest_left <= micro_left:
        return BreakKind.REST, rest_left
    return BreakKind.MICRO, micro_left


def _natural_at(state: State) -> float | None:
    """When idle time alone would complete the pending break."""
    if state.pending is None or state.last_input is None:
        return None
    need = max(state.policy.idle_threshold, state.policy.of(state.pending).duration)
    return state.last_input + need


def compute_deadline(state: State, at: float) -> float | None:
    """The one moment the core next needs waking, or None (wait for input)."""
    phase = state.phase
    if phase is Phase.RUNNING:
        if state.locked or state.last_input is None:
            return None
        if idle_gap(at - state.last_input, state.policy):
            return None
        return state.last_input + active_until_due(state)[1]
    if phase is Phase.IN_BREAK:
        return state.run.player.deadline if state.run else None
    if phase is Phase.PAUSED:
        return state.until
    candidates = [t for t in (state.until, _natural_at(state)) if t is not None]
    return min(candidates) if candidates else None
