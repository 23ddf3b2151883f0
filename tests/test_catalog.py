"""The routine catalog: the shipped files, the loader's errors, and the site/user layers.

Every layered test points RSIGUARD_SITE_DIR and XDG_CONFIG_HOME at tmp dirs: never /etc.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from rsiguard.core.routines.illustrations import ILLUSTRATIONS
from rsiguard.core.routines.model import CONTRAINDICATIONS, HAND_TARGETS, TARGETS, Routine
from rsiguard.settings.catalog import (
    KIND_SECONDS,
    Catalog,
    CatalogError,
    builtin_catalog,
    load_catalog,
    load_file,
)

CATALOG = builtin_catalog()
ROUTINES = CATALOG.routines
MASSAGE = {
    "palm_massage",
    "palm_pad_massage",
    "forearm_knead",
    "finger_stroke",
    "finger_stroke_to_palm",
    "stroke_to_wrist",
}
STRETCH = {
    "wrist_flexor_stretch",
    "wrist_flexor_stretch_palm",
    "wrist_extensor_stretch",
    "prayer_stretch",
    "nerve_slider",
}
#: Steps that could stir up symptoms: each must carry a caution.
PROVOKING = MASSAGE | STRETCH | {"tendon_full_fist", "fist_pump", "palming"}
#: What health text must never claim.
OVERCLAIMS = re.compile(r"\b(cures?|cured|heals?|guarantee\w*|diagnos\w*|treats?|eliminat\w*)\b")


def _texts(routine: Routine) -> list[str]:
    steps = routine.steps
    return [
        routine.title,
        routine.summary,
        *routine.safety,
        *(s.instruction for s in steps),
        *(c for s in steps for c in s.cautions),
    ]


# --- the shipped catalog ----------------------------------------------------------------


def test_the_shipped_catalog_loads_without_notices() -> None:
    assert len(ROUTINES) >= 16
    assert CATALOG.notices == ()
    assert builtin_catalog() is CATALOG  # read once
    assert all(CATALOG.origins[r.id].startswith("<builtin>/") for r in ROUTINES)


def test_ids_are_unique_across_the_shipped_files() -> None:
    ids = []
    for entry in resources.files("rsiguard.settings").joinpath("routines").iterdir():
        if entry.name.endswith(".toml"):
            ids += [t["id"] for t in tomllib.loads(entry.read_text("utf-8"))["routine"]]
    assert len(ids) == len(ROUTINES)
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert all(re.fullmatch(r"[a-z0-9_]+", i) for i in ids)


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_durations_add_up_and_fit_the_kind(routine: Routine) -> None:
    for step in routine.steps:
        assert step.seconds > 0
        if step.reps is not None:
            assert step.pace_s is not None
            assert step.seconds == pytest.approx(step.reps * step.pace_s)
    assert routine.seconds == pytest.approx(sum(s.seconds for s in routine.steps))
    low, high = KIND_SECONDS[routine.kind]
    assert low <= routine.seconds <= high


def test_kind_ranges_are_the_documented_ones() -> None:
    assert KIND_SECONDS == {"micro": (20, 40), "rest": (180, 300)}


@pytest.mark.parametrize("target", HAND_TARGETS)
def test_each_hand_target_has_a_micro_and_a_rest_routine(target: str) -> None:
    kinds = {r.kind for r in ROUTINES if target in r.targets}
    assert kinds == {"micro", "rest"}


@pytest.mark.parametrize("target", ["stress", "anxiety", "eyes"])
def test_stress_anxiety_and_eyes_have_routines(target: str) -> None:
    assert any(target in r.targets for r in ROUTINES)


def test_every_target_id_is_covered() -> None:
    assert {t for r in ROUTINES for t in r.targets} == set(TARGETS)


def test_illustrations_used_and_defined_match() -> None:
    used = {s.illustration for r in ROUTINES for s in r.steps}
    assert used - set(ILLUSTRATIONS) == set(), "used but not defined"
    assert set(ILLUSTRATIONS) - used == set(), "defined but never used"
    assert all(desc.strip() for desc in ILLUSTRATIONS.values())


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_every_routine_has_a_title_summary_and_safety_notes(routine: Routine) -> None:
    assert routine.title and routine.summary and routine.safety
    assert all(note.strip() for note in routine.safety)


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_instructions_fit_a_notification(routine: Routine) -> None:
    for step in routine.steps:
        assert 10 <= len(step.instruction) <= 160, step.instruction


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_left_and_right_steps_come_in_pairs(routine: Routine) -> None:
    steps = list(routine.steps)
    i = 0
    while i < len(steps):
        if steps[i].side == "both":
            i += 1
            continue
        assert i + 1 < len(steps), f"step {i + 1} has no partner"
        a, b = steps[i], steps[i + 1]
        assert {a.side, b.side} == {"left", "right"}, f"step {i + 1}"
        assert a.illustration == b.illustration and a.seconds == b.seconds
        assert a.cautions == b.cautions
        i += 2


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_steps_that_could_provoke_symptoms_carry_cautions(routine: Routine) -> None:
    for n, step in enumerate(routine.steps, 1):
        if step.illustration in PROVOKING:
            assert step.cautions, f"step {n} ({step.illustration}) needs a caution"
        if step.illustration in {"nerve_slider", "prayer_stretch"}:
            assert any("tingling" in c for c in step.cautions), f"step {n}"


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_contraindications_follow_what_a_routine_does(routine: Routine) -> None:
    shown = {s.illustration for s in routine.steps}
    contra = set(routine.contraindications)
    assert contra <= set(CONTRAINDICATIONS)
    # A second opinion from the pictures alone, independent of the step properties.
    if shown & MASSAGE:  # the safety notice: leave all massage out with these
        basics = {
            "open_wound",
            "recent_fracture",
            "acute_inflammation",
            "blood_clot",
            "bleeding_disorder",
            "blood_thinners",
            "severe_osteoporosis",
            "fever",
        }
        assert basics <= contra
    if shown & (MASSAGE | STRETCH):  # more than gentle range of motion
        assert "ra_flare" in contra
    if shown & STRETCH:  # every nerve-loading position: the wrist held bent, elbow straight
        assert "numbness" in contra


@pytest.mark.parametrize("kind", ["micro", "rest"])
def test_rheumatoid_arthritis_has_flare_safe_options(kind: str) -> None:
    ra = [r for r in ROUTINES if "rheumatoid_arthritis" in r.targets and r.kind == kind]
    safe = [r for r in ra if "ra_flare" not in r.contraindications]
    assert safe, f"no flare-safe {kind} routine"
    for routine in safe:  # flare-safe means gentle movement: no stretch, no massage
        assert not {s.illustration for s in routine.steps} & (MASSAGE | STRETCH)
    assert any(
        "ra_flare" in r.contraindications for r in ROUTINES if "rheumatoid_arthritis" in r.targets
    )


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_health_text_stays_modest(routine: Routine) -> None:
    for text in _texts(routine):
        assert not OVERCLAIMS.search(text.lower()), text


def test_the_catalog_has_routines_free_of_contraindications_for_both_kinds() -> None:
    # Someone who must avoid everything still gets a breathing or eye routine.
    free = {r.kind for r in ROUTINES if not r.contraindications}
    assert free == {"micro", "rest"}


def test_recent_fracture_leaves_only_breathing_and_eye_routines() -> None:
    kept = [r for r in ROUTINES if "recent_fracture" not in r.contraindications]
    assert kept and all(set(r.targets) <= {"stress", "anxiety", "eyes"} for r in kept)


def test_the_docs_list_every_routine_target_contraindication_and_illustration() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "routines.md").read_text("utf-8")
    names = [r.id for r in ROUTINES] + list(TARGETS) + list(CONTRAINDICATIONS)
    names += list(ILLUSTRATIONS)
    assert [n for n in names if f"`{n}`" not in docs] == []


# --- invalid files -----------------------------------------------------------------------

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
illustration = "rest"
"""


def _write(tmp_path: Path, text: str, name: str = "hands.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _errors(path: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_file(path)
    assert str(info.value) == "\n".join(info.value.lines)
    assert all(line.startswith(f"{path}: ") for line in info.value.lines)
    return info.value.lines


def test_a_valid_file_loads(tmp_path: Path) -> None:
    (routine,) = load_file(_write(tmp_path, VALID))
    assert routine.id == "x" and routine.seconds == 30 and routine.steps[0].side == "both"


def test_reps_and_pace_make_the_step_length(tmp_path: Path) -> None:
    text = VALID.replace("seconds = 30", 'reps = 8\npace = "2.5s"')
    (routine,) = load_file(_write(tmp_path, text))
    step = routine.steps[0]
    assert (step.reps, step.pace_s, step.seconds) == (8, 2.5, 20)
    (routine,) = load_file(_write(tmp_path, VALID.replace("seconds = 30", "reps = 5\npace = 5")))
    assert routine.seconds == 25


CASES = [
    (
        "unknown routine key",
        ('title = "X"', 'title = "X"\ncolour = "red"'),
        "routine 'x': unknown key 'colour'",
    ),
    (
        "unknown step key",
        ("seconds = 30", "secs = 30"),
        "routine 'x' step 1: unknown key 'secs' (did you mean 'seconds'?)",
    ),
    (
        "bad kind",
        ('kind = "micro"', 'kind = "mini"'),
        "routine 'x': kind 'mini' is not known (known: micro, rest)",
    ),
    (
        "micro too long",
        ("seconds = 30", "seconds = 55"),
        "routine 'x': kind 'micro' must last 20 to 40 s, steps add up to 55 s",
    ),
    (
        "rest too short",
        ('kind = "micro"', 'kind = "rest"'),
        "routine 'x': kind 'rest' must last 180 to 300 s, steps add up to 30 s",
    ),
    (
        "unknown target",
        ('targets = ["rsi"]', 'targets = ["rsi", "carpal"]'),
        "routine 'x': target 'carpal' is not known (did you mean 'carpal_tunnel'?) (known: rsi,",
    ),
    (
        "unknown contraindication",
        ('safety = ["Be gentle."]', 'safety = ["Be gentle."]\ncontraindications = ["fracture"]'),
        "routine 'x': contraindication 'fracture' is not known (did you mean 'recent_fracture'?)",
    ),
    (
        "unknown illustration",
        ('illustration = "rest"', 'illustration = "fist2"'),
        "routine 'x' step 1: illustration 'fist2' is not known (known: rest, tendon_straight,",
    ),
    (
        "bad side",
        ('illustration = "rest"', 'illustration = "rest"\nside = "up"'),
        "routine 'x' step 1: side 'up' is not known (known: left, right, both)",
    ),
    (
        "both seconds and reps",
        ("seconds = 30", 'seconds = 30\nreps = 10\npace = "3s"'),
        "routine 'x' step 1: give either seconds or reps with pace, not both",
    ),
    (
        "missing pace",
        ("seconds = 30", "reps = 10"),
        "routine 'x' step 1: reps needs a pace",
    ),
    (
        "pace without reps",
        ("seconds = 30", 'pace = "3s"'),
        "routine 'x' step 1: pace needs reps",
    ),
    (
        "no length",
        ("seconds = 30\n", ""),
        "routine 'x' step 1: give its length: seconds, or reps with pace",
    ),
    (
        "bad pace",
        ("seconds = 30", 'reps = 10\npace = "3x"'),
        "routine 'x' step 1: pace = \"3x\": '3x' is not a duration",
    ),
    (
        "zero pace",
        ("seconds = 30", "reps = 10\npace = 0"),
        "routine 'x' step 1: pace = 0: must be more than 0 s",
    ),
    (
        "zero seconds",
        ("seconds = 30", "seconds = 0"),
        "routine 'x' step 1: seconds = 0: must be more than 0",
    ),
    (
        "seconds as text",
        ("seconds = 30", 'seconds = "30"'),
        "routine 'x' step 1: seconds = \"30\": expected a number",
    ),
    (
        "fractional reps",
        ("seconds = 30", 'reps = 2.5\npace = "4s"'),
        "routine 'x' step 1: reps = 2.5: expected a whole number",
    ),
    (
        "bad id",
        ('id = "x"', 'id = "Tendon-1"'),
        "routine 'Tendon-1': id 'Tendon-1' must use only lowercase letters a-z, digits and _",
    ),
    ("missing id", ('id = "x"\n', ""), "routine #1: id is missing"),
    (
        "empty safety",
        ('safety = ["Be gentle."]', "safety = []"),
        "routine 'x': safety must not be empty",
    ),
    ("blank title", ('title = "X"', 'title = "  "'), "routine 'x': title must not be empty"),
    (
        "empty instruction",
        ('instruction = "Do it."', 'instruction = ""'),
        "routine 'x' step 1: instruction must not be empty",
    ),
    (
        "long instruction",
        ('instruction = "Do it."', f'instruction = "{"a" * 201}"'),
        "routine 'x' step 1: instruction is too long for a notification",
    ),
    (
        "no steps",
        (VALID[VALID.index("[[routine.step]]") :], ""),
        "routine 'x': step is missing",
    ),
    ("top-level key", ("[[routine]]", "version = 1\n[[routine]]"), "unknown key 'version'"),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_files_give_precise_errors(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in VALID
    path = _write(tmp_path, VALID.replace(old, new, 1))
    lines = _errors(path)
    assert any(line.startswith(f"{path}: {expected}") for line in lines), lines
    assert len(lines) == 1, lines


def test_every_problem_gets_its_own_line(tmp_path: Path) -> None:
    second = VALID.replace('id = "x"', 'id = "y"').replace('illustration = "rest"', 'side = "up"')
    text = VALID.replace('kind = "micro"', 'kind = "mini"') + "\n" + second
    text += '\n[[routine.step]]\ninstruction = "Two"\nreps = 3\n'
    lines = _errors(_write(tmp_path, text))
    assert [line.split(": ", 1)[1].split(":")[0] for line in lines] == [
        "routine 'x'",
        "routine 'y' step 1",
        "routine 'y' step 2",
    ]


def test_a_duplicate_id_in_one_file_is_an_error(tmp_path: Path) -> None:
    (line,) = _errors(_write(tmp_path, VALID + "\n" + VALID))
    assert line.endswith("routine 'x': id is already used by routine #1")


def test_a_single_routine_table_is_an_error(tmp_path: Path) -> None:
    text = VALID.replace("[[routine]]", "[routine]")
    (line,) = _errors(_write(tmp_path, text))
    assert "routine must be an array of tables, written [[routine]]" in line


def test_a_misspelt_routine_table_is_pointed_out(tmp_path: Path) -> None:
    text = VALID.replace("[[routine]]", "[[routines]]").replace("routine.step", "routines.step")
    (line,) = _errors(_write(tmp_path, text))
    assert line.endswith(": unknown key 'routines' (did you mean 'routine'?)")


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    (line,) = _errors(_write(tmp_path, '[[routine]\nid = "x"\n'))
    assert "invalid TOML" in line and "line 1" in line


def test_non_utf8_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "caf\u00e9"'.encode("latin-1"))
    (line,) = _errors(path)
    assert "invalid TOML: not UTF-8 text" in line


def test_an_unreadable_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "dir.toml"
    path.mkdir()  # a folder cannot be read as a file, whoever runs the test
    (line,) = _errors(path)
    assert line.startswith(f"{path}: cannot read:")
    (line,) = _errors(tmp_path / "missing.toml")
    assert line == f"{tmp_path / 'missing.toml'}: cannot read: No such file or directory"


# --- site and user layers -------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment whose site dir and config home are empty tmp dirs."""
    return {
        "HOME": str(tmp_path / "home"),
        "RSIGUARD_SITE_DIR": str(tmp_path / "site"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
    }


def _layer_file(folder: Path, name: str, *routines: tuple[str, str]) -> Path:
    """A routines file with one micro routine per ``(id, title)``."""
    folder.mkdir(parents=True, exist_ok=True)
    text = "\n".join(
        VALID.replace('id = "x"', f'id = "{rid}"').replace('title = "X"', f'title = "{title}"')
        for rid, title in routines
    )
    return _write(folder, text, name)


def test_without_layers_the_catalog_is_the_shipped_one(env: dict[str, str]) -> None:
    catalog = load_catalog(env)
    assert catalog.routines == ROUTINES and catalog.notices == ()


def test_site_and_user_layers_replace_by_id_with_a_notice(
    env: dict[str, str], tmp_path: Path
) -> None:
    site = tmp_path / "site" / "routines"
    user = tmp_path / "xdg" / "rsiguard" / "routines"
    site_a = _layer_file(site, "a.toml", ("tendon_glide_micro", "Site glides"), ("extra", "Site"))
    site_b = _layer_file(site, "b.toml", ("more", "Site more"))
    _write(site, "not a routine file", "README")  # only *.toml files count
    user_a = _layer_file(user, "mine.toml", ("extra", "Mine"), ("eyes_far_micro", "My eyes"))

    catalog = load_catalog(env)

    assert catalog.notices == (
        f"routine 'tendon_glide_micro' from {site_a} replaces the one from <builtin>/rsi.toml",
        f"routine 'extra' from {user_a} replaces the one from {site_a}",
        f"routine 'eyes_far_micro' from {user_a} replaces the one from <builtin>/eyes.toml",
    )
    titles = {r.id: r.title for r in catalog.routines}
    assert titles["tendon_glide_micro"] == "Site glides"
    assert titles["extra"] == "Mine" and titles["more"] == "Site more"
    assert titles["eyes_far_micro"] == "My eyes"
    assert catalog.origins["extra"] == str(user_a) and catalog.origins["more"] == str(site_b)
    # A replacement keeps its place; new routines follow the shipped ones, in layer order.
    ids = [r.id for r in catalog.routines]
    assert ids[: len(ROUTINES)] == [r.id for r in ROUTINES]
    assert ids[len(ROUTINES) :] == ["extra", "more"]
    got = catalog.get("extra")
    assert got is not None and got.title == "Mine"
    assert catalog.get("nope") is None
    assert builtin_catalog().get("tendon_glide_micro") != catalog.get("tendon_glide_micro")


def test_a_bad_site_file_is_an_error_naming_it(env: dict[str, str], tmp_path: Path) -> None:
    site = tmp_path / "site" / "routines"
    _layer_file(site, "good.toml", ("good", "Good"))
    bad = _write(site, VALID.replace('kind = "micro"', 'kind = "mini"'), "bad.toml")
    user = tmp_path / "xdg" / "rsiguard" / "routines"
    user.mkdir(parents=True)
    broken = _write(user, "[[routine", "broken.toml")
    with pytest.raises(CatalogError) as info:
        load_catalog(env)
    lines = info.value.lines
    assert len(lines) == 2
    assert lines[0].startswith(f"{bad}: routine 'x': kind 'mini' is not known")
    assert lines[1].startswith(f"{broken}: invalid TOML")


def test_the_same_id_twice_in_one_layer_is_an_error(env: dict[str, str], tmp_path: Path) -> None:
    user = tmp_path / "xdg" / "rsiguard" / "routines"
    first = _layer_file(user, "a.toml", ("twin", "One"))
    second = _layer_file(user, "b.toml", ("twin", "Two"))
    with pytest.raises(CatalogError) as info:
        load_catalog(env)
    assert info.value.lines == [f"{second}: routine 'twin' is already defined in {first}"]


def test_a_layer_folder_that_is_a_file_is_an_error(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    folder = _write(tmp_path / "site", "oops", "routines")
    with pytest.raises(CatalogError) as info:
        load_catalog(env)
    assert info.value.lines[0].startswith(f"{folder}: cannot read folder:")


def test_an_empty_file_gives_a_notice(env: dict[str, str], tmp_path: Path) -> None:
    user = tmp_path / "xdg" / "rsiguard" / "routines"
    user.mkdir(parents=True)
    empty = _write(user, "# nothing yet\n", "empty.toml")
    catalog = load_catalog(env)
    assert catalog.notices == (f"{empty}: defines no routines",)
    assert catalog.routines == ROUTINES


def test_catalog_is_a_plain_frozen_value() -> None:
    catalog = Catalog((ROUTINES[0],))
    assert catalog.get(ROUTINES[0].id) is ROUTINES[0]
    with pytest.raises(AttributeError):
        catalog.routines = ()  # type: ignore[misc]


def test_builtin_fallback_routines_use_known_illustrations() -> None:
    from rsiguard.core.policy import BreakKind
    from rsiguard.core.routine import builtin_routine
    from rsiguard.core.routines.illustrations import ILLUSTRATIONS

    for kind in BreakKind:
        for step in builtin_routine(kind, 60).steps:
            assert step.illustration in ILLUSTRATIONS, step


def test_a_routine_whose_bubbles_would_not_fit_the_screen_is_refused(tmp_path: Path) -> None:
    """Its safety notes open every step's bubble: too many push the buttons off screen."""
    notes = ", ".join(f'"Safety note number {n}: take care of your hands."' for n in range(16))
    path = _write(tmp_path, VALID.replace('safety = ["Be gentle."]', f"safety = [{notes}]"))
    (line,) = _errors(path)
    assert line.startswith(f"{path}: routine 'x': its step bubbles would need ")
    assert "at most 42): shorten the safety notes" in line
