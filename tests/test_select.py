"""Choosing a routine: properties over the shipped catalog, and the fallbacks by example."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from rsiguard.core.routines.model import CONTRAINDICATIONS, KINDS, TARGETS, Routine, Step
from rsiguard.core.routines.select import choose, fits, suits
from rsiguard.settings.catalog import builtin_catalog

SHIPPED = builtin_catalog().routines
IDS = [r.id for r in SHIPPED]


def _r(
    rid: str, seconds: float, *targets: str, kind: str = "micro", avoid: Sequence[str] = ()
) -> Routine:
    """A one-step routine for the examples."""
    return Routine(
        rid, rid, kind, targets or ("rsi",), (Step("go", seconds),), ("ok",), tuple(avoid)
    )


# --- properties over random subsets of the shipped catalog -----------------------------------


@st.composite
def situations(
    draw: st.DrawFn,
) -> tuple[list[Routine], str, float, list[str], list[str], list[str]]:
    """A catalog subset (in catalog order), a break and what the user set and did lately."""
    picked = draw(st.sets(st.integers(0, len(SHIPPED) - 1)))
    routines = [SHIPPED[i] for i in sorted(picked)]
    kind = draw(st.sampled_from(KINDS))
    seconds = draw(
        st.one_of(
            st.floats(10, 60) if kind == "micro" else st.floats(120, 400),
            st.floats(1, 1000),
        )
    )
    targets = draw(st.lists(st.sampled_from(list(TARGETS)), max_size=4, unique=True))
    avoid = draw(st.lists(st.sampled_from(list(CONTRAINDICATIONS)), max_size=4, unique=True))
    recent = draw(st.lists(st.sampled_from(IDS), max_size=8))
    return routines, kind, seconds, targets, avoid, recent


Situation = tuple[list[Routine], str, float, list[str], list[str], list[str]]


def _allowed(
    routines: Sequence[Routine], kind: str, avoid: Sequence[str], targets: Sequence[str] = ()
) -> list[Routine]:
    """Routines of ``kind`` that suit: ``avoid`` and the targets' own advice exclude none."""
    return [r for r in routines if r.kind == kind and suits(r, targets, avoid)]


@settings(max_examples=300, deadline=None)
@given(situations())
def test_choice_respects_kind_and_avoid(s: Situation) -> None:
    routines, kind, seconds, targets, avoid, recent = s
    chosen = choose(routines, kind, seconds, targets, avoid, recent)
    allowed = _allowed(routines, kind, avoid, targets)
    if not allowed:
        assert chosen is None
        return
    assert chosen is not None and chosen in allowed
    assert chosen.kind == kind
    assert not set(chosen.contraindications) & set(avoid)


@settings(max_examples=300, deadline=None)
@given(situations())
def test_no_immediate_repeat_when_there_is_an_alternative(s: Situation) -> None:
    routines, kind, seconds, targets, avoid, recent = s
    chosen = choose(routines, kind, seconds, targets, avoid, recent)
    if chosen is not None and recent and chosen.id == recent[-1]:
        allowed = _allowed(routines, kind, avoid, targets)
        targeted = [r.id for r in allowed if set(r.targets) & set(targets)]
        # Repeated only when nothing else of its group (the targets', or else any) is left.
        assert (targeted or [r.id for r in allowed]) == [chosen.id]


@settings(max_examples=300, deadline=None)
@given(situations())
def test_fitting_targeted_routines_are_preferred(s: Situation) -> None:
    routines, kind, seconds, targets, avoid, recent = s
    chosen = choose(routines, kind, seconds, targets, avoid, recent)
    last = recent[-1] if recent else None
    targeted = [
        r for r in _allowed(routines, kind, avoid, targets) if set(r.targets) & set(targets)
    ]
    fitting = [r for r in targeted if fits(r, seconds) and r.id != last]
    shorter = [r for r in targeted if r.seconds < seconds and r.id != last]
    longer = [r for r in targeted if r.id != last]
    if fitting:
        assert chosen in fitting
    elif shorter:  # the closest shorter one for the targets
        assert chosen in shorter
        assert chosen.seconds == max(r.seconds for r in shorter)
    elif longer:  # then the closest longer one: never a general routine while one is left
        assert chosen in longer
        assert chosen.seconds == min(r.seconds for r in longer)
    elif targeted:  # only the last one: it comes again
        assert chosen is not None and chosen.id == last


@settings(max_examples=200, deadline=None)
@given(situations())
def test_the_fallback_is_general_then_anything(s: Situation) -> None:
    routines, kind, seconds, targets, avoid, recent = s
    chosen = choose(routines, kind, seconds, targets, avoid, recent)
    last = recent[-1] if recent else None
    everything = _allowed(routines, kind, avoid, targets)
    if chosen is None or any(set(r.targets) & set(targets) for r in everything):
        return  # the targets' own routines: the test above
    allowed = [r for r in everything if r.id != last]
    general = [r for r in allowed if "rsi" in r.targets]
    if general:
        assert chosen in general
        if any(r.seconds <= seconds for r in general):  # shorter preferred
            assert chosen.seconds <= seconds


@settings(max_examples=150, deadline=None)
@given(situations())
def test_rotation_plays_every_fitting_routine_before_repeating(s: Situation) -> None:
    routines, kind, seconds, targets, avoid, _ = s
    fitting = {
        r.id
        for r in _allowed(routines, kind, avoid, targets)
        if set(r.targets) & set(targets) and fits(r, seconds)
    }
    played: list[str] = []
    for _ in range(len(fitting)):
        chosen = choose(routines, kind, seconds, targets, avoid, played)
        assert chosen is not None
        played.append(chosen.id)
    assert set(played) == fitting


# --- examples --------------------------------------------------------------------------------


def test_a_fitting_routine_for_the_targets_wins() -> None:
    routines = [_r("general", 30), _r("wrist", 31, "hand_wrist_pain"), _r("long", 60, "forearm")]
    chosen = choose(routines, "micro", 30, ["hand_wrist_pain", "forearm"], [])
    assert chosen is not None and chosen.id == "wrist"


def test_the_closest_shorter_routine_when_none_fits() -> None:
    routines = [
        _r("far", 20, "carpal_tunnel"),
        _r("near", 30, "carpal_tunnel"),
        _r("longer", 90, "carpal_tunnel"),
        _r("general", 50),
    ]
    chosen = choose(routines, "micro", 60, ["carpal_tunnel"], [])
    assert chosen is not None and chosen.id == "near"
    again = choose(routines, "micro", 60, ["carpal_tunnel"], [], ["near"])
    assert again is not None and again.id == "far"


def test_a_general_rsi_routine_when_nothing_for_the_targets_will_do() -> None:
    routines = [
        _r("eyes", 30, "eyes"),
        _r("long_rsi", 45),
        _r("short_rsi", 20),
        _r("longer_swelling", 90, "swelling"),
    ]
    chosen = choose(routines, "micro", 40, ["swelling"], [])
    assert chosen is not None and chosen.id == "longer_swelling"  # the target's own first
    routines[3] = _r("longer_swelling", 90, "swelling", avoid=["fever"])
    chosen = choose(routines, "micro", 40, ["swelling"], ["fever"])
    assert chosen is not None and chosen.id == "short_rsi"  # shorter preferred
    chosen = choose(routines, "micro", 10, ["swelling"], ["fever"])
    assert chosen is not None and chosen.id == "short_rsi"  # nothing shorter: the closest
    chosen = choose(routines[:2], "micro", 10, ["swelling"], [])
    assert chosen is not None and chosen.id == "long_rsi"
    chosen = choose(routines, "micro", 40, [], [])
    assert chosen is not None and chosen.id == "short_rsi"


def test_any_allowed_routine_when_no_general_one_is() -> None:
    routines = [_r("rsi", 30, avoid=["ra_flare"]), _r("eyes", 35, "eyes"), _r("calm", 25, "stress")]
    chosen = choose(routines, "micro", 30, ["forearm"], ["ra_flare"])
    assert chosen is not None and chosen.id == "calm"  # as close as "eyes", and shorter


def test_none_when_everything_is_excluded() -> None:
    routines = [
        _r("a", 30, avoid=["recent_fracture"]),
        _r("b", 30, avoid=["fever"]),
        _r("c", 200, kind="rest"),
    ]
    assert choose(routines, "micro", 30, ["rsi"], ["recent_fracture", "fever"]) is None
    assert choose([], "micro", 30, ["rsi"], []) is None


def test_kind_must_match() -> None:
    routines = [_r("rest", 240, kind="rest"), _r("micro", 30)]
    chosen = choose(routines, "rest", 30, ["rsi"], [])
    assert chosen is not None and chosen.id == "rest"


def test_the_only_allowed_routine_is_repeated() -> None:
    routines = [_r("only", 30), _r("other", 30, avoid=["fever"])]
    chosen = choose(routines, "micro", 30, ["rsi"], ["fever"], ["only"])
    assert chosen is not None and chosen.id == "only"


def test_rotation_takes_the_least_recently_played() -> None:
    routines = [_r("a", 30), _r("b", 30), _r("c", 30)]
    pick = choose(routines, "micro", 30, ["rsi"], [], [])
    assert pick is not None and pick.id == "a"  # catalog order breaks ties
    pick = choose(routines, "micro", 30, ["rsi"], [], ["b", "a"])
    assert pick is not None and pick.id == "c"  # never played first
    pick = choose(routines, "micro", 30, ["rsi"], [], ["c", "a", "b", "c", "b"])
    assert pick is not None and pick.id == "a"  # then the one played longest ago


def test_the_last_one_is_not_repeated_even_if_it_fits_best() -> None:
    routines = [_r("fits", 30, "forearm"), _r("shorter", 15, "forearm"), _r("general", 30)]
    pick = choose(routines, "micro", 30, ["forearm"], [], ["fits"])
    assert pick is not None and pick.id == "shorter"


def test_shipped_defaults_give_a_fitting_routine() -> None:
    for kind, seconds in (("micro", 30.0), ("rest", 300.0)):
        chosen = choose(SHIPPED, kind, seconds, ["rsi"], [])
        assert chosen is not None and "rsi" in chosen.targets and fits(chosen, seconds)


def test_an_ra_flare_gets_a_gentle_routine_for_both_kinds() -> None:
    for kind, seconds in (("micro", 30.0), ("rest", 300.0)):
        chosen = choose(SHIPPED, kind, seconds, ["rheumatoid_arthritis"], ["ra_flare"])
        assert chosen is not None and "rheumatoid_arthritis" in chosen.targets
        assert "ra_flare" not in chosen.contraindications


def test_avoiding_everything_still_leaves_breathing_and_eyes() -> None:
    for kind, seconds in (("micro", 30.0), ("rest", 300.0)):
        chosen = choose(SHIPPED, kind, seconds, ["rsi"], list(CONTRAINDICATIONS))
        assert chosen is not None and chosen.contraindications == ()


def test_a_target_with_one_routine_repeats_it_rather_than_fall_back() -> None:
    routines = [_r("general", 30), _r("swell", 30, "swelling")]
    pick = choose(routines, "micro", 30, ["swelling"], [], ["swell"])
    assert pick is not None and pick.id == "swell"


def test_a_routine_against_the_targets_advice_is_never_served() -> None:
    knead = Step("knead", 30, does=frozenset({"firm_pressure", "massage", "hand_movement"}))
    firm = Routine("firm", "firm", "micro", ("rsi",), (knead,), ("ok",))
    routines = [firm, _r("eyes", 30, "eyes")]
    pick = choose(routines, "micro", 30, ["swelling"], [])
    assert pick is not None and pick.id == "eyes"  # not even as the general fallback
    assert choose([firm], "micro", 30, ["swelling"], []) is None
    assert choose([firm], "micro", 30, ["rsi"], []) is firm
