"""What a step does, and what follows from it (issue 10): contraindications derived from
the steps, the built-in fallbacks honouring ``avoid``, safety notes seen at a routine's
start and most important first, words that agree with the filter, pictures that
match the text, side labels only for hands, and the flare day."""

from __future__ import annotations

import io
import re
import tomllib
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest

from rsiguard.core import events as ev
from rsiguard.core import machine
from rsiguard.core.effects import Notify
from rsiguard.core.policy import BreakKind, Policy
from rsiguard.core.routine import builtin_routine
from rsiguard.core.routines.illustrations import ILLUSTRATIONS
from rsiguard.core.routines.model import CONTRAINDICATIONS, TARGETS, Routine, Step
from rsiguard.core.routines.properties import (
    BY_ILLUSTRATION,
    EXCLUDES,
    IMPLIES,
    PROPERTIES,
    UNSUITABLE,
    closure,
    contraindications_of,
)
from rsiguard.core.text import (
    COLUMNS,
    FILLER,
    FIRST_ROUTINE_NOTES,
    GENERAL_SAFETY,
    MAX_BUBBLE_LINES,
    break_due,
    bubble_lines,
    checkin_reminder,
    daily_limit,
    routine_step,
    shown_side,
    weekly_limit,
    wrapped,
)
from rsiguard.faces.cli import main as cli_main
from rsiguard.faces.window import Shown, safety_text
from rsiguard.settings.catalog import CatalogError, builtin_catalog, load_file
from rsiguard.settings.flare import local_day, read_flare_day, set_flare

ROUTINES = builtin_catalog().routines
DOCS = Path(__file__).resolve().parent.parent / "docs" / "routines.md"
BUILTINS = [builtin_routine(kind, 60.0) for kind in BreakKind]
ALL_STEPS = [(r.id, n, s) for r in (*ROUTINES, *BUILTINS) for n, s in enumerate(r.steps, 1)]


def _raw_files() -> dict[str, dict[str, object]]:
    folder = resources.files("rsiguard.settings").joinpath("routines")
    return {
        e.name: tomllib.loads(e.read_text("utf-8"))
        for e in folder.iterdir()
        if e.name.endswith(".toml")
    }


# --- the vocabulary -----------------------------------------------------------------------


def test_the_vocabularies_agree() -> None:
    assert list(EXCLUDES) == list(CONTRAINDICATIONS)
    assert set(BY_ILLUSTRATION) <= set(ILLUSTRATIONS)
    used = {p for props in (*EXCLUDES.values(), *UNSUITABLE.values()) for p in props}
    used |= {p for props in (*BY_ILLUSTRATION.values(), *IMPLIES.values()) for p in props}
    assert used | set(IMPLIES) <= set(PROPERTIES)


def test_closure_adds_the_picture_and_what_properties_imply() -> None:
    assert closure([], "wrist_flexor_stretch") >= {"median_nerve_load", "hand_movement"}
    assert closure(["firm_pressure"]) == {"firm_pressure", "massage", "hand_movement"}
    assert closure([], "breathing") == frozenset()


# --- contraindications follow from the steps ----------------------------------------------


def test_shipped_files_keep_no_contraindication_list_by_hand() -> None:
    for name, data in _raw_files().items():
        for table in data["routine"]:  # type: ignore[attr-defined]
            assert "contraindications" not in table, (name, table["id"])


def test_shipped_steps_declare_at_least_what_their_picture_shows() -> None:
    for name, data in _raw_files().items():
        for table in data["routine"]:  # type: ignore[attr-defined]
            for n, step in enumerate(table["step"], 1):
                implied = BY_ILLUSTRATION.get(step.get("illustration", "rest"), frozenset())
                assert implied <= closure(step.get("does", [])), (name, table["id"], n)


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_contraindications_are_exactly_what_the_steps_imply(routine: Routine) -> None:
    assert routine.contraindications == contraindications_of(s.does for s in routine.steps)


@pytest.mark.parametrize("condition", list(CONTRAINDICATIONS))
def test_avoid_keeps_out_every_step_it_names(condition: str) -> None:
    for routine in ROUTINES:
        if condition in routine.contraindications:
            continue
        for n, step in enumerate(routine.steps, 1):
            assert not step.does & EXCLUDES[condition], (routine.id, n, step.illustration)


def test_numbness_keeps_out_every_nerve_loading_position() -> None:
    # The palm-up forearm stretch is the same wrist extension as the prayer stretch.
    loading = {"wrist_flexor_stretch", "wrist_flexor_stretch_palm", "prayer_stretch"}
    loading |= {"nerve_slider", "wrist_extensor_stretch"}
    for routine in ROUTINES:
        if any(s.illustration in loading for s in routine.steps):
            assert "numbness" in routine.contraindications, routine.id


def test_massage_of_any_kind_is_kept_out_as_the_notice_says() -> None:
    strokes = {"palm_massage", "palm_pad_massage", "forearm_knead", "finger_stroke"}
    strokes |= {"finger_stroke_to_palm"}
    strokes |= {"stroke_to_wrist"}
    flags = {"blood_thinners", "severe_osteoporosis", "bleeding_disorder", "blood_clot", "fever"}
    for routine in ROUTINES:
        if any(s.illustration in strokes for s in routine.steps):
            assert flags <= set(routine.contraindications), routine.id


VALID = """\
[[routine]]
id = "x"
title = "X"
kind = "micro"
targets = ["rsi"]
safety = ["Be gentle."]

[[routine.step]]
instruction = "Do it."
seconds = 30
illustration = "wrist_flexor_stretch"
"""


def test_a_site_step_gets_its_pictures_contraindications_without_declaring_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.toml"
    path.write_text(VALID, encoding="utf-8")
    (routine,) = load_file(path)
    assert {"numbness", "ra_flare", "acute_inflammation"} <= set(routine.contraindications)


def test_a_contraindication_list_only_adds(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    text = VALID.replace('safety = ["Be gentle."]', 'safety = ["x"]\ncontraindications = ["fever"]')
    path.write_text(text, encoding="utf-8")
    (routine,) = load_file(path)
    assert {"fever", "numbness"} <= set(routine.contraindications)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('illustration = "wrist_flexor_stretch"', 'does = ["masage"]'),
            "routine 'x' step 1: property 'masage' is not known (did you mean 'massage'?)",
        ),
        (
            ('targets = ["rsi"]', 'targets = ["swelling"]\n'),
            "routine 'x': step 1 does firm_pressure, which does not suit target 'swelling'",
        ),
    ],
)
def test_bad_step_properties_are_errors(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    text = VALID.replace(*change)
    if "swelling" in change[1]:
        text = text.replace('"wrist_flexor_stretch"', '"forearm_knead"')
    path = tmp_path / "a.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_file(path)
    assert any(line.startswith(f"{path}: {expected}") for line in info.value.lines)


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_no_routine_contradicts_its_own_targets(routine: Routine) -> None:
    for target in routine.targets:
        for step in routine.steps:
            assert not step.does & UNSUITABLE.get(target, frozenset()), (target, step)


# --- the built-in fallbacks ---------------------------------------------------------------


@pytest.mark.parametrize("kind", list(BreakKind))
@pytest.mark.parametrize("condition", [*CONTRAINDICATIONS, "everything"])
def test_builtin_fallbacks_honour_avoid(kind: BreakKind, condition: str) -> None:
    avoid = tuple(CONTRAINDICATIONS) if condition == "everything" else (condition,)
    routine = builtin_routine(kind, 90.0, avoid, ("swelling", "rheumatoid_arthritis"))
    assert routine.steps and routine.seconds == pytest.approx(90.0)
    assert not set(routine.contraindications) & set(avoid)
    for step in routine.steps:
        for c in avoid:
            assert not step.does & EXCLUDES[c], (c, step.instruction)


def test_the_machine_plays_a_fallback_that_honours_avoid() -> None:
    pol = Policy(avoid=("open_wound", "ra_flare"))  # no catalog: the built-in routine
    state = replace(machine.initial_state(pol), safety_seen=True)
    state, _ = machine.step(state, ev.StartBreak(BreakKind.REST), 0.0)
    assert state.run is not None
    assert not any(s.does & (EXCLUDES["ra_flare"]) for s in state.run.player.routine.steps)


# --- safety notes: seen at the start, most important first --------------------------------

#: How much a note matters: 3 points to a clinician or urgent care, 2 says when not to do it
#: (or never to do something), 1 says when to stop, 0 is how-to.
_RANKS = (
    (3, re.compile(r"\b(clinician|doctor|urgent)", re.I)),
    (2, re.compile(r"\b(not for|not with|don't|do not|never|skip|stop this routine)\b", re.I)),
    (1, re.compile(r"\bstop\b", re.I)),
)


def _rank(note: str) -> int:
    return next((rank for rank, pattern in _RANKS if pattern.search(note)), 0)


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_the_first_note_is_the_most_important(routine: Routine) -> None:
    ranks = [_rank(note) for note in routine.safety]
    assert ranks[0] == max(ranks), list(zip(ranks, routine.safety, strict=True))


def _bubble(routine: Routine, at_step: int = 0, at: float = 0.0, first: bool = False) -> Notify:
    """The bubble of step ``at_step`` (from 0), reached by Next at time ``at``."""
    pol = Policy(routines=(routine,), targets=routine.targets)
    state = replace(machine.initial_state(pol), safety_seen=not first)
    state, _ = machine.step(state, ev.StartBreak(BreakKind(routine.kind)), 0.0)
    assert state.run is not None and state.run.player.routine == routine
    for _ in range(min(at_step, len(routine.steps) - 1)):
        state, _ = machine.step(state, ev.NextStep(), at)
    assert state.run is not None
    return routine_step(state.run, pol, at)


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_every_step_bubble_opens_with_every_safety_note(routine: Routine) -> None:
    notes = wrapped(routine.safety)
    for index in range(len(routine.steps)):
        lines = _bubble(routine, index, at=60.0 * index).body.split("\n")
        assert lines[: len(notes)] == notes, index


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_a_routines_bubbles_hold_still(routine: Routine) -> None:
    """Every step's bubble has as many lines, none wider than COLUMNS: the buttons under
    the text do not move from one step to the next."""
    for first in (False, True):
        bodies = [_bubble(routine, i, first=first).body for i in range(len(routine.steps))]
        counts = {len(body.split("\n")) for body in bodies}
        assert len(counts) == 1, (first, counts)
        assert all(len(line) <= COLUMNS for body in bodies for line in body.split("\n"))
        # Filler lines are never blank: a server may trim those.
        assert all(line.strip() or line == FILLER for b in bodies for line in b.split("\n"))


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_even_a_first_routines_bubble_fits_on_a_laptop_screen(routine: Routine) -> None:
    lines = _bubble(routine, first=True).body.split("\n")
    assert len(lines) == bubble_lines(routine) <= MAX_BUBBLE_LINES, len(lines)


def test_a_step_bubble_gives_the_steps_length_not_a_countdown() -> None:
    routine = next(r for r in ROUTINES if len(r.steps) > 1)
    step = routine.steps[0]
    early, late = _bubble(routine, 0, at=0.0), _bubble(routine, 0, at=step.seconds / 2)
    assert early.body == late.body
    assert " left" not in early.body


def test_the_first_routine_opens_with_the_general_notes_and_no_separate_notice() -> None:
    """A notice of its own would hide step 1 on a server showing one bubble at a time."""
    routine = next(r for r in ROUTINES if r.id == "swelling_rest")
    pol = Policy(routines=(routine,), targets=routine.targets)
    state, fx = machine.step(machine.initial_state(pol), ev.StartBreak(BreakKind.REST), 0.0)
    notes = [f for f in fx if isinstance(f, Notify)]
    assert len(notes) == 1 and notes[0].slot == "break"
    general, own = wrapped(FIRST_ROUTINE_NOTES), wrapped(routine.safety)
    lines = notes[0].body.split("\n")
    assert lines[: len(general) + len(own)] == general + own
    state, fx = machine.step(state, ev.NextStep(), 1.0)
    later = [f for f in fx if isinstance(f, Notify)]
    assert later and later[0].body.split("\n")[: len(general)] == general
    state, _ = machine.step(state, ev.StopRoutine(), 2.0)
    state, fx = machine.step(state, ev.StartBreak(BreakKind.REST), 3.0)
    again = [f for f in fx if isinstance(f, Notify)]
    assert not any(note in again[0].body for note in wrapped(FIRST_ROUTINE_NOTES)[:1])


def test_the_window_shows_every_note_on_every_step() -> None:
    notes = ("Not for you if...", "How to press.", "When to stop.")
    assert safety_text(Shown(step=1, safety=notes)).split("\n") == list(notes)
    assert safety_text(Shown(step=5, safety=notes)).split("\n") == list(notes)
    assert safety_text(Shown(step=1)) == ""


# --- the words agree with the filter ------------------------------------------------------

#: How the notice and the docs name the conditions that keep out all self-massage.
_NAMED = {
    "fever": "fever",
    "blood_clot": "blood clot",
    "bleeding_disorder": "bleeding disorder",
    "blood_thinners": "blood thinners",
    "severe_osteoporosis": "severe osteoporosis",
}


def test_massage_conditions_are_exactly_the_ones_the_notice_names() -> None:
    massage_only = {c for c, props in EXCLUDES.items() if props == {"massage"}}
    assert massage_only == set(_NAMED) | {"open_wound"}
    (notice,) = [n for n in GENERAL_SAFETY if "blood thinners" in n]
    assert "all self-massage" in notice and "light strokes too" in notice
    assert all(name in notice for name in _NAMED.values())
    (short,) = [n for n in FIRST_ROUTINE_NOTES if "blood thinners" in n]
    assert "no self-massage at all" in short
    assert all(name in short.lower() for name in _NAMED.values())
    docs = [" ".join(b.split()) for b in DOCS.read_text("utf-8").split("\n- ")]
    (bullet,) = [b for b in docs if "blood thinners" in b and b.startswith("Leave")]
    assert "all self-massage" in bullet
    assert all(name in bullet for name in _NAMED.values())


def test_the_docs_table_says_what_each_condition_keeps_out() -> None:
    rows = {}
    for line in DOCS.read_text("utf-8").splitlines():
        m = re.match(r"\| `([a-z_]+)` \| [^|]+ \| (.+) \|$", line)
        if m and m.group(1) in CONTRAINDICATIONS:
            rows[m.group(1)] = set(re.findall(r"`([a-z_]+)`", m.group(2)))
    assert rows == {c: set(props) for c, props in EXCLUDES.items()}


def test_the_docs_targets_table_says_what_each_target_rules_out() -> None:
    rows = {}
    for line in DOCS.read_text("utf-8").splitlines():
        m = re.match(r"\| `([a-z_]+)` \| [^|]+ \|\s*([^|]*?)\s*\|$", line)
        if m and m.group(1) in TARGETS:
            rows[m.group(1)] = set(re.findall(r"`([a-z_]+)`", m.group(2)))
    assert rows == {t: set(UNSUITABLE.get(t, ())) for t in TARGETS}


# --- pictures match the words -------------------------------------------------------------

#: Per picture: words every step using it must contain (position and direction) ...
_SAYS: dict[str, tuple[str, ...]] = {
    "rest": (r"rest|lap",),
    "tendon_straight": (r"straight",),
    "tendon_hook": (r"hook",),
    "tendon_full_fist": (r"full fist",),
    "tendon_tabletop": (r"tabletop",),
    "tendon_straight_fist": (r"straight fist",),
    "finger_fan": (r"fingers wide",),
    "finger_spread_small": (r"a little",),
    "thumb_o": (r"thumb", r"each fingertip"),
    "thumb_circle": (r"thumb|circles the other way", r"circl"),
    "wrist_flexor_stretch": (r"elbow straight", r"palm up", r"fingers down and back"),
    "wrist_flexor_stretch_palm": (r"palm up", r"across the palm, not the fingers"),
    "wrist_extensor_stretch": (r"elbow straight", r"palm down", r"back of the hand"),
    "prayer_stretch": (r"palms together",),
    "nerve_slider": (r"arm out to the side", r"palm up", r"tilts? (left|right)"),
    "wrist_bend": (r"over the desk edge", r"under your forearms", r"up and down"),
    "wrist_circle": (r"circles with both wrists",),
    "forearm_turn": (r"turn your palms up, then down",),
    "palm_massage": (r"thumb", r"circl", r"palm"),
    "palm_pad_massage": (r"thumb", r"circles", r"fleshy pads"),
    "forearm_knead": (r"knead",),
    "finger_stroke": (r"base to (the )?tip",),
    "finger_stroke_to_palm": (r"tip down to the palm", r"raised"),
    "stroke_to_wrist": (r"to the elbow", r"hand up"),
    "hands_raised": (r"raise",),
    "fist_pump": (r"raise", r"soft fists"),
    "raised_finger_fan": (r"raised", r"spread"),
    "hands_shake": (r"hang", r"shake"),
    "stand_walk": (r"stand up and walk",),
    "shoulder_roll": (r"roll your shoulders",),
    "breathing": (r"breath",),
    "look_far": (r"far|6 m",),
    "blink": (r"blink",),
    "palming": (r"palms over your closed eyes",),
}
#: ... and words that would contradict it.
_NEVER: dict[str, str] = {
    "finger_stroke": r"tip to base|toward the palm|to the palm",
    "finger_stroke_to_palm": r"base to (the )?tip",
    "stroke_to_wrist": r"toward the fingertips",
    "wrist_flexor_stretch": r"palm down",
    "wrist_extensor_stretch": r"palm up",
    "finger_spread_small": r"wide",
    "fist_pump": r"lower",
    "palm_massage": r"fleshy pads",
}
#: The direction each directional picture shows, in its own description.
_DIRECTION = {
    "finger_stroke": "base to tip",
    "finger_stroke_to_palm": "from its tip to the palm",
    "stroke_to_wrist": "toward the elbow",
    "wrist_flexor_stretch": "palm up",
    "wrist_extensor_stretch": "palm down",
}


def test_every_picture_has_its_words() -> None:
    assert set(_SAYS) == set(ILLUSTRATIONS)
    for ill, words in _DIRECTION.items():
        assert words in ILLUSTRATIONS[ill], ill


@pytest.mark.parametrize(("rid", "n", "step"), ALL_STEPS, ids=[f"{r}-{n}" for r, n, _ in ALL_STEPS])
def test_each_step_names_the_picture_that_shows_it(rid: str, n: int, step: Step) -> None:
    text = step.instruction.lower()
    for pattern in _SAYS[step.illustration]:
        assert re.search(pattern, text), (step.illustration, pattern)
    never = _NEVER.get(step.illustration)
    assert not (never and re.search(never, text)), (step.illustration, never)
    if step.illustration == "nerve_slider":  # the head tilts toward the working arm
        assert f"tilts {step.side}" in text


# --- side labels only for hands -----------------------------------------------------------

_NOT_HANDS = {"breathing", "look_far", "blink", "shoulder_roll", "palming", "stand_walk", "rest"}


@pytest.mark.parametrize(("rid", "n", "step"), ALL_STEPS, ids=[f"{r}-{n}" for r, n, _ in ALL_STEPS])
def test_only_hand_steps_carry_a_side(rid: str, n: int, step: Step) -> None:
    if step.illustration in _NOT_HANDS:
        assert shown_side(step) == "none"
    else:
        assert shown_side(step) == step.side


def test_a_paced_step_shows_its_pace_in_the_bubble() -> None:
    routine = next(r for r in ROUTINES if r.id == "breathing_rest")
    lines = _bubble(routine, 1).body.split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith("Breathe in softly"))
    assert lines[at - 1] == "2 min 30 s, 15 x 10 s"


def test_a_breathing_bubble_says_no_hands() -> None:
    routine = next(r for r in ROUTINES if r.id == "cyclic_sigh_micro")
    body = _bubble(routine).body
    assert "hand" not in body.split("\n")[len(wrapped(routine.safety))].lower()
    assert _bubble(next(r for r in ROUTINES if r.id == "swelling_rest"), 2).body.count("Left hand")


def test_neck_movements_carry_a_neck_caution() -> None:
    for rid, n, step in ALL_STEPS:
        if "neck_movement" in step.does:
            assert any("neck" in c.lower() for c in step.cautions), (rid, n)


@pytest.mark.parametrize("routine", [r for r in ROUTINES if r.kind == "rest"], ids=lambda r: r.id)
def test_every_rest_routine_gets_you_out_of_the_chair(routine: Routine) -> None:
    assert any(s.illustration == "stand_walk" for s in routine.steps)


# --- the flare day ------------------------------------------------------------------------


def test_a_flare_day_avoids_ra_flare_on_that_day_only() -> None:
    pol = Policy(flare_day="2026-12-02", avoid=("fever",))
    assert pol.avoid_on("2026-12-02") == ("fever", "ra_flare")
    assert pol.avoid_on("2026-12-03") == ("fever",)
    assert Policy().avoid_on("2026-12-02") == ()


def test_on_a_flare_day_the_machine_serves_only_flare_safe_routines() -> None:
    pol = Policy(routines=ROUTINES, targets=("rheumatoid_arthritis",), flare_day="2026-12-02")
    state = replace(machine.initial_state(pol), safety_seen=True)
    for day, safe in (("2026-12-02", True), ("2026-12-03", False)):
        state = replace(state, today=replace(state.today, day=day), recent=())
        served = []
        for _ in range(4):
            routine = machine.routine_for(state, BreakKind.REST)
            served.append(routine)
            state = replace(state, recent=(*state.recent, routine.id))
        assert all("ra_flare" not in r.contraindications for r in served) is safe, day


def test_flare_on_and_off_keep_the_day_in_a_file(tmp_path: Path) -> None:
    env = {"XDG_STATE_HOME": str(tmp_path / "state"), "XDG_RUNTIME_DIR": str(tmp_path / "run")}
    out, err = io.StringIO(), io.StringIO()
    assert cli_main(["flare", "on"], env, out, err) == 0
    assert "applies when the daemon starts" in out.getvalue()
    day = read_flare_day(env)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day)
    assert cli_main(["flare"], env, out, err) == 0 and "on until midnight" in out.getvalue()
    assert cli_main(["flare", "off"], env, out, err) == 0
    assert read_flare_day(env) == ""
    set_flare(env, "garbage")
    assert read_flare_day(env) == ""


def test_status_says_when_today_is_a_flare_day(tmp_path: Path) -> None:
    from rsiguard.faces.cli import _flare_line

    env = {"XDG_STATE_HOME": str(tmp_path)}
    assert _flare_line(env) == ""
    set_flare(env, local_day())
    assert "flare:   on until midnight" in _flare_line(env)
    set_flare(env, "2000-01-01")  # yesterday's flare has lapsed
    assert _flare_line(env) == ""


def test_loading_the_configuration_attaches_the_flare_day(tmp_path: Path) -> None:
    from rsiguard.settings.validate import validate

    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "RSIGUARD_SITE_DIR": str(tmp_path / "site"),
    }
    assert validate(env, None).loaded.policy.flare_day == ""
    set_flare(env, "2026-12-02")
    assert validate(env, None).loaded.policy.flare_day == "2026-12-02"


def test_no_bubble_carries_markup_or_backticks() -> None:
    """Servers show backticks literally and markup only when they say body-markup."""
    pol = Policy()
    bubbles = [break_due(kind, pol, 2) for kind in BreakKind]
    bubbles += [checkin_reminder(), weekly_limit(pol), daily_limit(pol)]
    bubbles += [
        _bubble(r, i, first=first)
        for r in ROUTINES
        for i in range(len(r.steps))
        for first in (False, True)
    ]
    for n in bubbles:
        for text in (n.title, n.body, n.cli_hint):
            assert not set("`<>") & set(text), text
