"""Layered configuration: defaults, site/user/env/locked layers, errors, `rsiguard config`.

Every test points RSIGUARD_SITE_DIR and XDG_CONFIG_HOME at a tmp dir: never /etc/rsiguard.
"""

from __future__ import annotations

import io
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from rsiguard.base.exitcodes import Exit
from rsiguard.core.policy import BreakKind, BreakPolicy, IntensityPolicy, Policy
from rsiguard.faces import config_cli as configcli
from rsiguard.settings.config import DERIVED, FLOOR_KEY, KEYS, ConfigError, Loaded, check_file, load
from rsiguard.settings.sources import compact, flatten

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Dirs:
    """The tmp layout of one test: site dir, user file and the environment pointing at them."""

    site: Path
    user: Path
    env: dict[str, str]

    def write(self, path: Path, text: str) -> Path:
        """Write a TOML file (creating its directory)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    @property
    def defaults(self) -> Path:
        """The site defaults file."""
        return self.site / "defaults.toml"

    @property
    def locked(self) -> Path:
        """The site locked file."""
        return self.site / "locked.toml"


@pytest.fixture
def dirs(tmp_path: Path) -> Dirs:
    """Empty site dir and config home under tmp_path."""
    site = tmp_path / "site"
    site.mkdir()
    env = {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "RSIGUARD_SITE_DIR": str(site),
    }
    return Dirs(site=site, user=tmp_path / "xdg" / "rsiguard" / "config.toml", env=env)


def errors_of(dirs: Dirs, env: dict[str, str] | None = None, user: Path | None = None) -> str:
    """The message of the ConfigError that loading raises."""
    with pytest.raises(ConfigError) as info:
        load({**dirs.env, **(env or {})}, user)
    return str(info.value)


# -- defaults and layers ------------------------------------------------------------------


def test_defaults_equal_policy(dirs: Dirs) -> None:
    loaded = load(dirs.env)
    assert loaded.policy == Policy()
    assert (loaded.notify_backend, loaded.input_backend) == ("auto", "auto")
    assert loaded.sources == [] and loaded.locked_keys == [] and loaded.warnings == []
    assert set(loaded.origins) == set(KEYS) == set(loaded.values)
    assert set(loaded.origins.values()) == {"default", DERIVED}
    assert loaded.origins["breaks.micro.min_interval"] == DERIVED
    assert loaded.values["breaks.micro.interval"] == "20m"
    assert loaded.values["breaks.daily_limit"] == "6h"
    assert loaded.values["breaks.max_snoozes"] == 2
    assert loaded.values["intensity.baseline"] == 120.0


def test_policy_built_from_every_value(dirs: Dirs) -> None:
    dirs.write(
        dirs.user,
        """
        [breaks.micro]
        interval = "25m"
        duration = "20s"
        min_interval = "12m"
        [breaks.rest]
        interval = "1h30m"
        duration = "10m"
        [breaks]
        snooze = "3m"
        max_snoozes = 4
        allow_skip = false
        strict = true
        daily_limit = "0s"
        [pause]
        max = "45m"
        [activity]
        idle_threshold = "20s"
        backend = "none"
        [intensity]
        enabled = false
        baseline = 90
        key_weight = 2.0
        click_weight = 3.0
        scroll_weight = 0.25
        pointer_weight = 0.0
        smoothing = 1
        [notifications]
        backend = "log"
        """,
    )
    loaded = load(dirs.env)
    assert loaded.policy == Policy(
        micro=BreakPolicy(interval=1500.0, duration=20.0),
        micro_min_interval=720.0,
        rest=BreakPolicy(interval=5400.0, duration=600.0),
        snooze=180.0,
        max_snoozes=4,
        allow_skip=False,
        strict=True,
        daily_limit=0.0,
        pause_max=2700.0,
        idle_threshold=20.0,
        intensity=IntensityPolicy(
            enabled=False,
            baseline=90.0,
            key_weight=2.0,
            click_weight=3.0,
            scroll_weight=0.25,
            pointer_weight=0.0,
            smoothing=1.0,
        ),
    )
    assert (loaded.notify_backend, loaded.input_backend) == ("log", "none")
    assert loaded.values["breaks.daily_limit"] == "0s"
    assert loaded.values["breaks.rest.interval"] == "1h30m"


@pytest.mark.parametrize("layers", [1, 2, 3, 4])
def test_each_layer_overrides_the_previous(dirs: Dirs, layers: int) -> None:
    env: dict[str, str] = {}
    dirs.write(dirs.defaults, '[breaks]\nsnooze = "1m"\n')
    if layers >= 2:
        dirs.write(dirs.user, '[breaks]\nsnooze = "2m"\n')
    if layers >= 3:
        env["RSIGUARD_BREAKS__SNOOZE"] = "3m"
    if layers >= 4:
        dirs.write(dirs.locked, '[breaks]\nsnooze = "4m"\n')
    loaded = load({**dirs.env, **env})
    assert loaded.policy.snooze == 60.0 * layers
    assert loaded.values["breaks.snooze"] == f"{layers}m"
    expected_origin = [
        str(dirs.defaults),
        str(dirs.user),
        "env RSIGUARD_BREAKS__SNOOZE",
        f"locked {dirs.locked}",
    ][layers - 1]
    assert loaded.origins["breaks.snooze"] == expected_origin
    sources = [str(dirs.defaults), str(dirs.user), "environment", str(dirs.locked)]
    assert loaded.sources == sources[:layers]


def test_nested_tables_merge_deeply(dirs: Dirs) -> None:
    dirs.write(dirs.defaults, '[breaks.rest]\ninterval = "50m"\n[breaks]\nmax_snoozes = 1\n')
    dirs.write(dirs.user, '[breaks.rest]\nduration = "7m"\n[breaks.micro]\nduration = "40s"\n')
    loaded = load({**dirs.env, "RSIGUARD_BREAKS__MICRO__INTERVAL": "25m"})
    policy = loaded.policy
    assert policy.rest == BreakPolicy(interval=3000.0, duration=420.0)
    assert policy.micro == BreakPolicy(interval=1500.0, duration=40.0)
    assert policy.max_snoozes == 1
    assert policy.micro_min_interval == 750.0  # half of the 25m interval
    assert loaded.origins["breaks.rest.interval"] == str(dirs.defaults)
    assert loaded.origins["breaks.rest.duration"] == str(dirs.user)
    assert loaded.origins["breaks.micro.interval"] == "env RSIGUARD_BREAKS__MICRO__INTERVAL"
    assert loaded.origins["breaks.micro.min_interval"] == DERIVED


def test_env_nesting_types_and_case(dirs: Dirs) -> None:
    env = {
        "RSIGUARD_BREAKS__MICRO__INTERVAL": "10m",
        "rsiguard_breaks__allow_skip": "false",
        "RSIGUARD_Breaks__Max_Snoozes": "0",
        "RSIGUARD_INTENSITY__BASELINE": "150.5",
        "RSIGUARD_NOTIFICATIONS__BACKEND": "plyer",
        "RSIGUARD_PAUSE__MAX": "5400",
    }
    loaded = load({**dirs.env, **env})
    assert loaded.policy.micro.interval == 600.0
    assert loaded.policy.allow_skip is False
    assert loaded.policy.max_snoozes == 0
    assert loaded.policy.intensity.baseline == 150.5
    assert loaded.policy.pause_max == 5400.0
    assert loaded.notify_backend == "plyer"
    assert loaded.origins["breaks.allow_skip"] == "env rsiguard_breaks__allow_skip"
    assert loaded.sources == ["environment"]
    assert loaded.warnings == []


def test_unknown_env_var_warns_and_is_ignored(dirs: Dirs) -> None:
    env = {
        "RSIGUARD_FOO": "1",
        "RSIGUARD_BREAKS__SNOZE": "1m",
        "RSIGUARD_BREAKS": '{"snooze": "1m"}',
        "RSIGUARD_VENV": "/opt/venv",
        "RSIGUARD_CONFIG": "",
        "OTHER_THING": "x",
    }
    loaded = load({**dirs.env, **env})
    assert loaded.policy == Policy()
    assert loaded.sources == []
    text = "\n".join(loaded.warnings)
    assert len(loaded.warnings) == 3
    assert "RSIGUARD_FOO" in text
    assert "RSIGUARD_BREAKS__SNOZE" in text and "did you mean RSIGUARD_BREAKS__SNOOZE" in text
    assert "RSIGUARD_VENV" not in text and "RSIGUARD_SITE_DIR" not in text
    assert "OTHER_THING" not in text


# -- locks ------------------------------------------------------------------------------------


def test_locks_beat_user_and_env_with_warnings(dirs: Dirs) -> None:
    dirs.write(dirs.defaults, "[breaks]\nallow_skip = true\n")
    dirs.write(dirs.user, '[breaks]\nstrict = false\nsnooze = "10m"\n[pause]\nmax = "1h"\n')
    dirs.write(
        dirs.locked,
        '[breaks]\nstrict = true\nallow_skip = false\n[pause]\nmax = "1h"\n'
        '[breaks.micro]\ninterval = "15m"\n',
    )
    env = {**dirs.env, "RSIGUARD_BREAKS__MICRO__INTERVAL": "30m"}
    loaded = load(env)
    assert loaded.policy.strict is True
    assert loaded.policy.allow_skip is False
    assert loaded.policy.micro.interval == 900.0
    assert loaded.policy.snooze == 600.0
    assert loaded.locked_keys == [
        "breaks.allow_skip",
        "breaks.micro.interval",
        "breaks.strict",
        "pause.max",
    ]
    assert loaded.origins["breaks.strict"] == f"locked {dirs.locked}"
    assert loaded.origins["breaks.snooze"] == str(dirs.user)
    assert loaded.warnings == [
        f'breaks.micro.interval = "30m" from environment RSIGUARD_BREAKS__MICRO__INTERVAL '
        f'is overridden by locked value "15m" from {dirs.locked}',
        f"breaks.strict = false from {dirs.user} is overridden by locked value true "
        f"from {dirs.locked}",
    ]  # pause.max is equal: no warning; site defaults are IT's own: no warning


def test_empty_locked_table_locks_nothing(dirs: Dirs) -> None:
    dirs.write(dirs.locked, "[breaks.micro]\n")
    dirs.write(dirs.user, '[breaks.micro]\ninterval = "30m"\n')
    loaded = load(dirs.env)
    assert loaded.locked_keys == []
    assert loaded.policy.micro.interval == 1800.0
    assert loaded.sources == [str(dirs.user), str(dirs.locked)]


# -- the user layer -----------------------------------------------------------------------------


def test_config_option_replaces_the_user_file(dirs: Dirs, tmp_path: Path) -> None:
    dirs.write(dirs.user, '[breaks]\nsnooze = "2m"\n')
    other = dirs.write(tmp_path / "other.toml", "[breaks]\nmax_snoozes = 1\n")
    loaded = load(dirs.env, other)
    assert loaded.policy.snooze == Policy().snooze
    assert loaded.policy.max_snoozes == 1
    assert loaded.origins["breaks.max_snoozes"] == str(other)
    assert loaded.sources == [str(other)]


def test_rsiguard_config_variable_names_the_user_file(dirs: Dirs, tmp_path: Path) -> None:
    other = dirs.write(tmp_path / "other.toml", "[breaks]\nmax_snoozes = 1\n")
    loaded = load({**dirs.env, "RSIGUARD_CONFIG": str(other)})
    assert loaded.policy.max_snoozes == 1
    assert loaded.warnings == []


def test_missing_files_are_skipped_but_an_explicit_one_is_an_error(
    dirs: Dirs, tmp_path: Path
) -> None:
    assert load(dirs.env).sources == []
    missing = tmp_path / "nope.toml"
    assert errors_of(dirs, user=missing) == f"{missing}: cannot read: No such file or directory"


# -- shipped files ------------------------------------------------------------------------------


def test_shipped_config_lists_every_key_at_its_default(dirs: Dirs) -> None:
    shipped = REPO / "config" / "rsiguard.toml"
    assert check_file(shipped) == ([], [])
    # Every key but the floor, which follows the interval unless set (it is shown commented).
    assert set(flatten(tomllib.loads(shipped.read_text()))) == set(KEYS) - {FLOOR_KEY}
    assert '# min_interval = "10m"' in shipped.read_text()
    loaded = load(dirs.env, shipped)
    assert loaded.policy == Policy()
    assert loaded.values == load(dirs.env).values
    assert loaded.warnings == []


def test_site_example_validates_and_locks(dirs: Dirs) -> None:
    example = REPO / "config" / "site-example"
    assert check_file(example / "defaults.toml") == ([], [])
    assert check_file(example / "locked.toml") == ([], [])
    dirs.write(dirs.user, "[breaks]\nallow_skip = true\nmax_snoozes = 2\n")
    loaded = load({**dirs.env, "RSIGUARD_SITE_DIR": str(example)})
    assert loaded.policy.rest == BreakPolicy(interval=3000.0, duration=300.0)
    assert loaded.policy.max_snoozes == 1
    assert loaded.policy.allow_skip is False
    assert loaded.policy.pause_max == 3600.0
    assert loaded.locked_keys == ["breaks.allow_skip", "breaks.max_snoozes", "pause.max"]
    assert len(loaded.warnings) == 2


# -- durations and limits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [('"30s"', 30.0), ('"20m"', 1200.0), ('"1h30m"', 5400.0), ("90", 90.0), ("2.5", 2.5)],
)
def test_duration_syntax(dirs: Dirs, text: str, seconds: float) -> None:
    dirs.write(dirs.user, f"[pause]\nmax = {text}\n")
    assert load(dirs.env).policy.pause_max == seconds


def test_smallest_interval_and_break_are_accepted(dirs: Dirs) -> None:
    dirs.write(
        dirs.user,
        '[breaks.micro]\ninterval = "10s"\nmin_interval = "10s"\nduration = "1s"\n'
        '[breaks.rest]\ninterval = "10s"\nduration = "1s"\n',
    )
    policy = load(dirs.env).policy
    assert policy.micro == BreakPolicy(interval=10.0, duration=1.0)
    assert policy.rest == BreakPolicy(interval=10.0, duration=1.0)


def test_too_short_interval_is_rejected(dirs: Dirs) -> None:
    dirs.write(dirs.user, '[breaks.rest]\ninterval = "5s"\n')
    assert errors_of(dirs) == f'{dirs.user}: breaks.rest.interval = "5s": must be at least 10s'


# -- errors name file, key, value and reason ------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[breaks.micro]\nintervall = "20m"\n',
            "breaks.micro.intervall: unknown key (did you mean breaks.micro.interval?)",
        ),
        ("[brakes]\nsnooze = 1\n", "brakes: unknown key (did you mean breaks?)"),
        ("[breaks]\nzzz = 1\n", "breaks.zzz: unknown key"),
        ('[breaks]\nmax_snoozes = "two"\n', 'breaks.max_snoozes = "two": expected an integer'),
        ("[breaks]\nmax_snoozes = 11\n", "breaks.max_snoozes = 11: must be at most 10"),
        ('[breaks]\nallow_skip = "yes"\n', 'breaks.allow_skip = "yes": expected true or false'),
        (
            '[breaks.micro]\ninterval = "20x"\n',
            "breaks.micro.interval = \"20x\": '20x' is not a duration; "
            "use for example 30s, 20m or 1h30m",
        ),
        ("[pause]\nmax = 0\n", "pause.max = 0: must be more than 0s"),
        ("[intensity]\nsmoothing = 0\n", "intensity.smoothing = 0: must be more than 0"),
        ("[intensity]\nkey_weight = -1\n", "intensity.key_weight = -1: must be at least 0"),
        ("breaks = 5\n", "breaks = 5: expected a table"),
        (
            '[notifications]\nbackend = "dbuss"\n',
            "notifications.backend = \"dbuss\": expected 'auto', 'dbus', 'plyer' or 'log'",
        ),
    ],
)
def test_bad_values_name_file_key_value_and_reason(dirs: Dirs, body: str, message: str) -> None:
    dirs.write(dirs.user, body)
    assert errors_of(dirs) == f"{dirs.user}: {message}"
    assert check_file(dirs.user) == ([f"{dirs.user}: {message}"], [])


def test_every_error_of_every_layer_is_reported(dirs: Dirs) -> None:
    dirs.write(dirs.defaults, '[breaks]\nsnooze = "x"\n')
    dirs.write(dirs.locked, "[pause]\nmax = -1\n")
    message = errors_of(dirs, {"RSIGUARD_BREAKS__SNOOZE": "abc"})
    lines = message.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f'{dirs.defaults}: breaks.snooze = "x": ')
    assert lines[1].startswith('environment RSIGUARD_BREAKS__SNOOZE = "abc": ')
    assert lines[2] == f"{dirs.locked}: pause.max = -1: a duration cannot be negative"


def test_bad_env_value_names_the_variable(dirs: Dirs) -> None:
    message = errors_of(dirs, {"RSIGUARD_BREAKS__MAX_SNOOZES": "two"})
    assert message == 'environment RSIGUARD_BREAKS__MAX_SNOOZES = "two": expected an integer'


def test_broken_toml_names_the_file(dirs: Dirs) -> None:
    dirs.write(dirs.locked, "[breaks\nsnooze = 1\n")
    message = errors_of(dirs)
    assert message.startswith(f"{dirs.locked}: invalid TOML: ")
    assert "line 1" in message


def test_unreadable_file_names_the_file(dirs: Dirs) -> None:
    dirs.user.mkdir(parents=True)  # a directory where the file should be: unreadable as a file
    assert errors_of(dirs) == f"{dirs.user}: cannot read: not a regular file (a directory)"


def test_file_without_permission_names_the_file(
    dirs: Dirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = dirs.write(dirs.defaults, "[breaks]\nsnooze = 1\n")
    real = os.open

    def denied(file: str | os.PathLike[str], flags: int, *args: int, **kwargs: int) -> int:
        # Root reads a mode 000 file anyway (CI runs as root), so refuse like the OS would.
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    assert errors_of(dirs) == f"{path}: cannot read: Permission denied"


def test_cross_field_errors_blame_both_keys(dirs: Dirs) -> None:
    dirs.write(dirs.defaults, '[breaks.micro]\ninterval = "15m"\n')
    dirs.write(dirs.user, '[breaks.micro]\nmin_interval = "16m"\nduration = "15m"\n')
    assert errors_of(dirs).splitlines() == [
        f'breaks.micro.min_interval = "16m" (from {dirs.user}) must not be longer than '
        f'breaks.micro.interval = "15m" (from {dirs.defaults}): lower it, or remove it to '
        "use half the interval",
        f'breaks.micro.duration = "15m" (from {dirs.user}) must be shorter than '
        f'breaks.micro.interval = "15m" (from {dirs.defaults}): shorten the break or '
        "lengthen the interval",
    ]


def test_layers_are_validated_alone_but_cross_checked_merged(dirs: Dirs) -> None:
    # Alone, interval 8m would clash with the default min_interval 10m; merged it is fine.
    dirs.write(dirs.defaults, '[breaks.micro]\nmin_interval = "5m"\n')
    dirs.write(dirs.user, '[breaks.micro]\ninterval = "8m"\n')
    assert load(dirs.env).policy.micro.interval == 480.0


def test_check_file_cross_checks_against_defaults(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('[breaks.micro]\nmin_interval = "30m"\n')
    assert check_file(path) == (
        [
            f'breaks.micro.min_interval = "30m" (from {path}) must not be longer than '
            'breaks.micro.interval = "20m" (from default): lower it, or remove it to use '
            "half the interval"
        ],
        [],
    )


# Schedules people really use, each written alone in the user's file.
REAL_SCHEDULES = [
    ("Workrave micro", "micro", "3m", "30s"),
    ("Workrave rest", "rest", "1h", "8m"),
    ("Stretchly micro", "micro", "10m", "20s"),
    ("Stretchly rest", "rest", "30m", "5m"),
    ("Safe Eyes short", "micro", "15m", "15s"),
    ("WorkPace micro", "micro", "6m", "8s"),
    ("WorkPace rest", "rest", "55m", "5m"),
    ("demo", "micro", "20s", "5s"),
]


@pytest.mark.parametrize("intensity", [True, False])
@pytest.mark.parametrize(("name", "kind", "interval", "duration"), REAL_SCHEDULES)
def test_real_schedules_are_valid_on_their_own(
    dirs: Dirs, name: str, kind: str, interval: str, duration: str, intensity: bool
) -> None:
    body = f'[breaks.{kind}]\ninterval = "{interval}"\nduration = "{duration}"\n'
    body += f"[intensity]\nenabled = {str(intensity).lower()}\n"
    dirs.write(dirs.user, body)
    assert check_file(dirs.user) == ([], []), name
    loaded = load(dirs.env)
    brk = loaded.policy.of(BreakKind(kind))
    assert (compact(brk.interval), compact(brk.duration)) == (interval, duration)
    assert loaded.warnings == []
    # The floor follows the interval: never longer, half of it unless set.
    assert loaded.policy.micro_min_interval == loaded.policy.micro.interval / 2


def test_an_explicit_floor_is_checked_only_while_intensity_is_on(dirs: Dirs) -> None:
    body = '[breaks.micro]\ninterval = "3m"\nmin_interval = "5m"\n'
    dirs.write(dirs.user, body + "[intensity]\nenabled = false\n")
    policy = load(dirs.env).policy
    # Without intensity the floor does nothing, and never lengthens the interval.
    assert policy.micro_min_interval == policy.micro.interval == 180.0
    dirs.write(dirs.user, body)
    assert "must not be longer than" in errors_of(dirs)


def test_a_floor_from_a_lower_layer_gives_way_to_a_users_interval(dirs: Dirs) -> None:
    dirs.write(dirs.defaults, '[breaks.micro]\nmin_interval = "10m"\n')
    dirs.write(dirs.user, '[breaks.micro]\ninterval = "6m"\nduration = "8s"\n')
    loaded = load(dirs.env)
    assert loaded.policy.micro_min_interval == 180.0
    assert loaded.origins[FLOOR_KEY] == DERIVED
    assert loaded.warnings == [
        f'breaks.micro.min_interval = "10m" (from {dirs.defaults}) is longer than '
        f'breaks.micro.interval = "6m" (from {dirs.user}); using half the interval (3m) instead'
    ]


def test_a_locked_floor_says_which_interval_would_do(dirs: Dirs) -> None:
    dirs.write(dirs.locked, '[breaks.micro]\nmin_interval = "10m"\n')
    dirs.write(dirs.user, '[breaks.micro]\ninterval = "6m"\n')
    assert errors_of(dirs) == (
        f'breaks.micro.min_interval = "10m" (from locked {dirs.locked}) must not be longer '
        f'than breaks.micro.interval = "6m" (from {dirs.user}): set breaks.micro.interval '
        "to at least 10m"
    )


def test_a_rest_break_longer_than_its_interval_is_refused(dirs: Dirs) -> None:
    dirs.write(dirs.user, '[breaks.rest]\ninterval = "30m"\nduration = "30m"\n')
    assert errors_of(dirs) == (
        f'breaks.rest.duration = "30m" (from {dirs.user}) must be shorter than '
        f'breaks.rest.interval = "30m" (from {dirs.user}): shorten the break or lengthen '
        "the interval"
    )


def test_check_warns_where_strict_mode_makes_skip_and_snooze_settings_moot(dirs: Dirs) -> None:
    path = dirs.write(
        dirs.site / "strict.toml", "[breaks]\nstrict = true\nallow_skip = true\nmax_snoozes = 2\n"
    )
    status, out, err = run(["check", str(path)], dirs.env)
    assert (status, out) == (0, f"{path}: ok\n")
    assert err.splitlines() == [
        f"warning: {key} (from {path}) has no effect: breaks.strict = true (from {path}) "
        "allows neither snoozing nor skipping"
        for key in ("breaks.allow_skip", "breaks.max_snoozes")
    ]
    # Strict alone is no cause for a warning.
    dirs.write(path, "[breaks]\nstrict = true\n")
    assert run(["check", str(path)], dirs.env) == (0, f"{path}: ok\n", "")


# -- rsiguard config ----------------------------------------------------------------------------


def run(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run ``rsiguard config ARGV``; returns (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = configcli.main(argv, env, out, err)
    return status, out.getvalue(), err.getvalue()


def test_cli_check_file(dirs: Dirs) -> None:
    good = dirs.write(dirs.site / "good.toml", "[breaks]\nmax_snoozes = 1\n")
    bad = dirs.write(dirs.site / "bad.toml", "[breaks]\nmax_snozes = 1\n")
    assert run(["check", str(good)], dirs.env) == (0, f"{good}: ok\n", "")
    status, out, err = run(["check", str(bad)], dirs.env)
    assert status == Exit.BAD_CONFIG and out == ""
    assert err == f"{bad}: breaks.max_snozes: unknown key (did you mean breaks.max_snoozes?)\n"


def test_cli_check_layered(dirs: Dirs) -> None:
    assert run(["check"], dirs.env) == (0, "built-in defaults: ok\n", "")
    dirs.write(dirs.user, "[breaks]\nstrict = false\n")
    dirs.write(dirs.locked, "[breaks]\nstrict = true\n")
    status, out, err = run(["check"], dirs.env)
    assert status == 0
    assert out == f"{dirs.user}: ok\n{dirs.locked}: ok\n"
    assert err.startswith("warning: breaks.strict = false from ")
    dirs.write(dirs.user, "[breaks]\nstrict = 1\n")
    status, out, err = run(["check"], dirs.env)
    assert (status, out) == (Exit.BAD_CONFIG, "")
    assert err == f"{dirs.user}: breaks.strict = 1: expected true or false\n"


def test_cli_show(dirs: Dirs) -> None:
    dirs.write(dirs.user, '[breaks]\nsnooze = "2m"\n')
    dirs.write(dirs.locked, "[breaks]\nmax_snoozes = 1\n")
    status, out, err = run(["show"], {**dirs.env, "RSIGUARD_NOPE": "1"})
    assert status == 0
    lines = out.splitlines()
    assert lines == sorted(lines) and len(lines) == len(KEYS)
    assert 'breaks.snooze = "2m"' in lines and "breaks.max_snoozes = 1" in lines
    assert flatten(tomllib.loads(out)) == load(dirs.env).values  # the output is TOML
    assert "RSIGUARD_NOPE" in err

    status, out, _ = run(["show", "--origin"], dirs.env)
    assert status == 0
    assert f'breaks.snooze = "2m"  # from {dirs.user}' in out.splitlines()
    assert f"breaks.max_snoozes = 1  # from locked {dirs.locked}" in out.splitlines()
    assert 'breaks.micro.interval = "20m"  # from default' in out.splitlines()


def test_cli_show_json_and_config_option(dirs: Dirs, tmp_path: Path) -> None:
    other = dirs.write(tmp_path / "other.toml", "[breaks]\nallow_skip = false\n")
    status, out, err = run(["show", "--json", "--config", str(other)], dirs.env)
    assert (status, err) == (0, "")
    doc = json.loads(out)
    assert set(doc) == {"values", "origins", "locked_keys", "sources", "warnings"}
    assert doc["values"]["breaks.allow_skip"] is False
    assert doc["origins"]["breaks.allow_skip"] == str(other)
    assert doc["sources"] == [str(other)]


def test_cli_show_bad_config(dirs: Dirs) -> None:
    dirs.write(dirs.user, "[breaks\n")
    status, out, err = run(["show"], dirs.env)
    assert (status, out) == (Exit.BAD_CONFIG, "")
    assert err.startswith(f"{dirs.user}: invalid TOML: ")


@pytest.mark.parametrize(
    "argv", [[], ["frobnicate"], ["show", "--bogus"], ["check", "a", "b"], ["show", "x"]]
)
def test_cli_usage_errors(dirs: Dirs, argv: list[str]) -> None:
    status, out, err = run(argv, dirs.env)
    assert status == Exit.USAGE and out == ""
    assert "usage: rsiguard config" in err


def test_cli_help(dirs: Dirs) -> None:
    status, out, err = run(["--help"], dirs.env)
    assert (status, err) == (0, "")
    assert "check" in out and "show" in out


def test_loaded_is_frozen(dirs: Dirs) -> None:
    loaded = load(dirs.env)
    with pytest.raises(AttributeError):
        loaded.notify_backend = "log"  # type: ignore[misc]
    assert isinstance(loaded, Loaded)


def test_unknown_routine_target_and_condition_are_named(dirs: Dirs) -> None:
    dirs.write(dirs.user, '[routines]\ntargets = ["forarm"]\navoid = ["flu"]\n')
    message = errors_of(dirs)
    assert f"{dirs.user}: routines.targets" in message and "unknown target 'forarm'" in message
    assert "unknown condition 'flu'" in message
