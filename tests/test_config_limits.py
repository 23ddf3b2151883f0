"""Hostile configuration input: every bad file or variable is a short user error (exit 5).

Deep nesting, files that are not files, huge files, values and numbers, non-JSON lists in
the environment: each must give a clear message naming the file or variable, bounded in
size and time, and never a traceback (exit 1 is for our bugs; systemd restart-loops on it).
"""

from __future__ import annotations

import io
import math
import os
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsiguard.base.exitcodes import Exit
from rsiguard.control.protocol import MAX_MESSAGE
from rsiguard.core.durations import DurationTooLong, parse_duration
from rsiguard.faces import config_cli as configcli
from rsiguard.settings.config import KEYS, ConfigError, check_file, load
from rsiguard.settings.sources import env_var_name, toml_value
from tests.integration import RSIGUARD_COMMAND, cli, daemon_env, running_daemon
from tests.integration import status as daemon_status

MIB = 1 << 20
# Big enough to be absurd, small enough for the 1 MiB file limit.
MANY_KEYS = 60_000


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment whose site dir and config home are empty dirs under tmp_path."""
    return daemon_env(tmp_path, None, None)


def user_file(env: dict[str, str]) -> Path:
    """The user's config file of ``env`` (its directory exists)."""
    path = Path(env["XDG_CONFIG_HOME"]) / "rsiguard" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def command(env: dict[str, str], *args: str, timeout: float = 30) -> tuple[int, str, str]:
    """Run the installed ``rsiguard ARGS``; returns (status, stdout, stderr)."""
    done = subprocess.run(
        [RSIGUARD_COMMAND, *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    return done.returncode, done.stdout, done.stderr


def load_error(env: dict[str, str], path: Path | None = None) -> str:
    """The message of the ConfigError that loading raises (any other exception fails)."""
    with pytest.raises(ConfigError) as info:
        load(env, path)
    return str(info.value)


# -- files that are not regular files, and their size --------------------------------------------


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _directory(path: Path) -> Path:
    path.mkdir()
    return path


def _device(path: Path) -> Path:
    return Path("/dev/null")


@pytest.mark.parametrize(
    ("make", "kind"), [(_fifo, "a FIFO"), (_directory, "a directory"), (_device, "a device")]
)
def test_a_config_that_is_not_a_regular_file_is_refused_at_once(
    env: dict[str, str], tmp_path: Path, make: object, kind: str
) -> None:
    assert callable(make)
    path = make(tmp_path / "odd.toml")
    message = f"{path}: cannot read: not a regular file ({kind})"
    start = time.monotonic()
    # A FIFO without a writer used to block the reader (and the validator child for 60 s).
    assert command(env, "config", "check", str(path), timeout=20) == (5, "", message + "\n")
    assert command(env, "config", "check", "--config", str(path))[::2] == (5, message + "\n")
    assert time.monotonic() - start < 15
    assert load_error(env, path) == message


def test_a_fifo_as_the_users_file_stops_the_start_at_once(env: dict[str, str]) -> None:
    _fifo(user_file(env))
    status, _, err = command(env, "run", timeout=20)
    assert status == Exit.BAD_CONFIG
    assert f"{user_file(env)}: cannot read: not a regular file (a FIFO)" in err


def test_a_config_file_over_one_mib_is_refused(env: dict[str, str]) -> None:
    path = user_file(env)
    path.write_text("#" * (MIB - 1) + "\n")  # exactly the limit: fine
    assert load(env).sources == [str(path)]
    path.write_text("#" * MIB + "\n")
    assert load_error(env) == f"{path}: cannot read: larger than 1 MiB ({MIB + 1} bytes)"


# -- deep nesting (D10) ----------------------------------------------------------------------------


NESTED = {
    "5000 inline tables": "x = " + "{a=" * 5000 + "1" + "}" * 5000 + "\n",
    "100000 arrays": "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
    "arrays in a known key": "[routines]\ntargets = " + "[" * 30 + "]" * 30 + "\n",
    "tables in a known table": "[breaks]\nmicro = " + "{a=" * 30 + "1" + "}" * 30 + "\n",
    "1000-level dotted key": ".".join(["a"] * 1000) + " = 1\n",
}


@pytest.mark.parametrize("text", NESTED.values(), ids=NESTED.keys())
def test_deeply_nested_toml_is_a_user_error(env: dict[str, str], text: str) -> None:
    path = user_file(env)
    path.write_text(text)
    message = f"{path}: tables and arrays nested more than 20 levels deep"
    assert command(env, "config", "check", str(path)) == (5, "", message + "\n")
    assert load_error(env) == message
    assert check_file(path) == ([message], [])


def test_deeply_nested_toml_stops_the_start_with_exit_5(env: dict[str, str]) -> None:
    user_file(env).write_text(NESTED["5000 inline tables"])
    status, _, err = command(env, "run")
    assert status == Exit.BAD_CONFIG
    assert "Traceback" not in err and len(err.splitlines()) == 2
    assert f"{user_file(env)}: tables and arrays nested more than 20 levels deep" in err


def test_nesting_a_real_config_uses_is_fine(env: dict[str, str]) -> None:
    user_file(env).write_text('[breaks.micro]\ninterval = "15m"\n[routines]\ntargets = ["eyes"]\n')
    assert load(env).policy.micro.interval == 900.0


# -- lists in the environment (D11) ----------------------------------------------------------------


EXPECTED_LIST = 'expected a JSON list such as ["rsi", "eyes"]'


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("rsi", '"rsi"'),
        ('["rsi"', '"[\\"rsi\\""'),
        ('"rsi"', '"\\"rsi\\""'),
        ('{"a": 1}', '"{\\"a\\": 1}"'),
        ("", '""'),
        ("[" * 60_000, '"' + "[" * 56 + "..."),
    ],
    ids=["word", "unclosed", "json string", "json object", "empty", "60000 brackets"],
)
def test_a_non_json_list_in_the_environment_names_the_variable(
    env: dict[str, str], value: str, shown: str
) -> None:
    env["RSIGUARD_ROUTINES__TARGETS"] = value
    message = f"environment RSIGUARD_ROUTINES__TARGETS = {shown}: {EXPECTED_LIST}"
    assert load_error(env) == message
    for argv in (["check"], ["show"], ["show", "--json"]):
        assert run_config(argv, env) == (Exit.BAD_CONFIG, "", message + "\n")


def test_a_non_json_list_in_the_environment_stops_the_start_with_exit_5(
    env: dict[str, str],
) -> None:
    env["RSIGUARD_ROUTINES__AVOID"] = "fever"
    status, _, err = command(env, "run")
    assert status == Exit.BAD_CONFIG and "Traceback" not in err
    assert (
        'environment RSIGUARD_ROUTINES__AVOID = "fever": expected a JSON list such as '
        '["ra_flare", "fever"]'
    ) in err
    assert command(env, "config", "check")[:2] == (Exit.BAD_CONFIG, "")


def test_a_json_list_in_the_environment_still_works(env: dict[str, str]) -> None:
    env["RSIGUARD_ROUTINES__TARGETS"] = '["forearm", "eyes"]'
    assert load(env).policy.targets == ("forearm", "eyes")


def run_config(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """``rsiguard config ARGV`` in this process; returns (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = configcli.main(argv, env, out, err)
    return status, out.getvalue(), err.getvalue()


# -- bounded messages (D12) ------------------------------------------------------------------------


def test_a_huge_value_is_shown_shortened(env: dict[str, str]) -> None:
    path = user_file(env)
    path.write_text('[routines]\ntargets = ["' + "x" * 900_000 + '"]\n')
    (line,) = load_error(env).splitlines()
    assert line.startswith(f'{path}: routines.targets = ["' + "x" * 40)
    assert "...: unknown target 'xxxx" in line and len(line) < 400


def test_a_huge_env_value_is_shown_shortened(env: dict[str, str]) -> None:
    env["RSIGUARD_BREAKS__SNOOZE"] = "y" * 100_000
    (line,) = load_error(env).splitlines()
    assert line.startswith('environment RSIGUARD_BREAKS__SNOOZE = "yyyy')
    assert len(line) < 400 and "..." in line


def test_a_huge_key_is_shown_shortened(env: dict[str, str]) -> None:
    path = user_file(env)
    path.write_text("[breaks]\n" + "k" * 500_000 + " = 1\n")
    (line,) = load_error(env).splitlines()
    assert line.startswith(f"{path}: breaks.kkkk") and line.endswith("...: unknown key")
    assert len(line) < 400


def test_many_problems_are_counted_not_listed(env: dict[str, str]) -> None:
    path = user_file(env)
    path.write_text("[breaks]\n" + "".join(f"k{i} = {i}\n" for i in range(MANY_KEYS)))
    assert path.stat().st_size < MIB
    start = time.monotonic()
    lines = load_error(env).splitlines()
    assert time.monotonic() - start < 5
    assert len(lines) == 21
    assert lines[0] == f"{path}: breaks.k0: unknown key"
    assert lines[-1] == f"... and {MANY_KEYS - 20} more problems"
    status, out, err = command(env, "config", "check", str(path))
    assert (status, out, err.splitlines()) == (Exit.BAD_CONFIG, "", lines)
    assert len(err.encode()) < MAX_MESSAGE // 8


def test_problems_of_every_layer_share_one_bound(env: dict[str, str]) -> None:
    site = Path(env["RSIGUARD_SITE_DIR"])
    (site / "defaults.toml").write_text("".join(f"a{i} = 1\n" for i in range(15)))
    user_file(env).write_text("".join(f"b{i} = 1\n" for i in range(15)))
    env["RSIGUARD_BREAKS__SNOOZE"] = "soon"
    lines = load_error(env).splitlines()
    assert len(lines) == 21 and lines[-1] == "... and 11 more problems"
    assert lines[14].startswith(f"{site / 'defaults.toml'}: a14")
    assert lines[19].startswith(f"{user_file(env)}: b4")


# -- numbers are bounded where they enter (D14) ----------------------------------------------------


LIMITS = [
    ("RSIGUARD_PAUSE__MAX", "100000000h", "24h"),
    ("RSIGUARD_PAUSE__MAX", "1e300", "24h"),
    ("RSIGUARD_PAUSE__MAX", "1e400", "24h"),
    ("RSIGUARD_PAUSE__MAX", "9" * 40 + "h", "24h"),
    ("RSIGUARD_PAUSE__MAX", "inf", "24h"),
    ("RSIGUARD_BREAKS__SNOOZE", "1e300", "1h"),
    ("RSIGUARD_BREAKS__SNOOZE", "61m", "1h"),
    ("RSIGUARD_BREAKS__DAILY_LIMIT", "25h", "24h"),
    ("RSIGUARD_BREAKS__MICRO__INTERVAL", "1e300", "24h"),
    ("RSIGUARD_BREAKS__MICRO__DURATION", "1e300", "24h"),
    ("RSIGUARD_BREAKS__MICRO__MIN_INTERVAL", "1e300", "24h"),
    ("RSIGUARD_BREAKS__REST__INTERVAL", "24h1s", "24h"),
    ("RSIGUARD_BREAKS__REST__DURATION", "1e300", "24h"),
    ("RSIGUARD_ACTIVITY__IDLE_THRESHOLD", "2h", "1h"),
    ("RSIGUARD_INTENSITY__BASELINE", "1e300", "100000"),
    ("RSIGUARD_INTENSITY__KEY_WEIGHT", "1e300", "1000"),
    ("RSIGUARD_INTENSITY__CLICK_WEIGHT", "1001", "1000"),
    ("RSIGUARD_INTENSITY__SCROLL_WEIGHT", "1e300", "1000"),
    ("RSIGUARD_INTENSITY__POINTER_WEIGHT", "1e300", "1000"),
]


@pytest.mark.parametrize(("var", "value", "limit"), LIMITS)
def test_every_number_has_an_upper_bound_named_in_the_message(
    env: dict[str, str], var: str, value: str, limit: str
) -> None:
    env[var] = value
    assert load_error(env) == f'environment {var} = "{value}": must be at most {limit}'


def test_a_huge_duration_in_a_file_names_file_key_value_and_limit(env: dict[str, str]) -> None:
    path = user_file(env)
    path.write_text("[pause]\nmax = 1e300\n")
    assert load_error(env) == f"{path}: pause.max = 1e+300: must be at most 24h"


def test_the_limits_themselves_are_accepted(env: dict[str, str]) -> None:
    user_file(env).write_text(
        '[breaks.micro]\ninterval = "24h"\nmin_interval = "24h"\nduration = "23h"\n'
        '[breaks.rest]\ninterval = "24h"\nduration = "23h"\n'
        '[breaks]\nsnooze = "1h"\ndaily_limit = "24h"\n[pause]\nmax = "24h"\n'
        '[activity]\nidle_threshold = "1h"\n'
        "[intensity]\nbaseline = 100000\nkey_weight = 1000\nclick_weight = 1000\n"
        "scroll_weight = 1000\npointer_weight = 1000\n"
    )
    policy = load(env).policy
    assert (policy.pause_max, policy.snooze, policy.idle_threshold) == (86400.0, 3600.0, 3600.0)
    assert policy.intensity.baseline == 100000.0


@pytest.mark.parametrize(
    "text", ["1e400", "999999999999999999999h", "9" * 400 + "h", "inf", "Infinity", 10**400, 1e308]
)
def test_parse_duration_refuses_absurd_durations_with_a_value_error(text: str | int) -> None:
    with pytest.raises(DurationTooLong, match="too long: a duration is at most a year") as info:
        parse_duration(text)
    assert len(str(info.value)) < 120


@pytest.mark.parametrize("text", ["nan", "NaN", math.nan])
def test_parse_duration_refuses_nan(text: str | float) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_parse_duration_still_reads_long_but_sane_durations() -> None:
    assert parse_duration("8760h") == 365 * 86400.0
    assert parse_duration(86400) == 86400.0


# -- hostile TOML: exit 5 (or success), never a traceback ------------------------------------------


HOSTILE = {
    # name: (TOML text, exit status, a part of the one error line)
    "400-digit integer duration": ("[breaks]\nsnooze = 1" + "0" * 400, 5, "must be at most 1h"),
    "5000-digit integer": ("[breaks]\nmax_snoozes = " + "9" * 5000, 5, "more than 4300 digits"),
    "huge hex integer": (
        "[breaks]\nmax_snoozes = 0x" + "f" * 5000,
        5,
        "max_snoozes = (an integer of 6021 digits): must be at most 10",
    ),
    "huge hex float": ("[intensity]\nbaseline = 0x" + "f" * 5000, 5, "intensity.baseline = (an"),
    "huge hex duration": ("[pause]\nmax = 0x" + "f" * 5000, 5, "must be at most 24h"),
    "400-digit float": ("[intensity]\nbaseline = 1" + "0" * 400, 5, "(an integer of 401 digits)"),
    "inf duration": ("[breaks]\nsnooze = inf", 5, "snooze = inf: must be at most 1h"),
    "-inf duration": ("[breaks]\nsnooze = -inf", 5, "cannot be negative"),
    "nan duration": ("[breaks]\nsnooze = nan", 5, "snooze = nan: nan is not a duration"),
    "nan float": ("[intensity]\nbaseline = nan", 5, "expected a finite number"),
    "inf float": ("[intensity]\nsmoothing = inf", 5, "expected a finite number"),
    "nan integer": ("[breaks]\nmax_snoozes = nan", 5, "expected an integer"),
    "1e308 weight": ("[intensity]\nkey_weight = 1e308", 5, "must be at most 1000"),
    "string 1e400": ('[pause]\nmax = "1e400"', 5, 'max = "1e400": must be at most 24h'),
    "unicode key": ('[breaks]\n"ключ" = 1', 5, 'breaks."ключ": unknown key'),
    "newline in a key": ('"a\\nb" = 1', 5, '"a\\nb": unknown key'),
    "empty key": ('"" = 1', 5, '"": unknown key'),
    "dotted quoted key": ('"breaks.snooze" = 1', 5, '"breaks.snooze": unknown key'),
    "key then table": ("breaks = 1\n[breaks]\n", 5, "invalid TOML: Cannot overwrite a value"),
    "table twice": ("[breaks]\n[breaks]\n", 5, "invalid TOML: Cannot declare"),
    "value then dotted key": ("a = 1\na.b = 2\n", 5, "invalid TOML"),
    "array of tables": ("[[breaks]]\nsnooze = 1", 5, "breaks = [{ snooze = 1 }]: expected a table"),
    "date": ("[breaks]\nsnooze = 1979-05-27", 5, "expected a duration"),
    "table for a list": ("[routines]\ntargets = {a = 1}", 5, "expected a list"),
    "empty list": ("[routines]\ntargets = []", 5, "targets = []: needs at least 1 entry"),
    "a 10000-entry list": (
        "[routines]\ntargets = [" + '"rsi", ' * 10_000 + "]",
        5,
        "at most 100 entries",
    ),
    "unicode value": ('[routines]\ntargets = ["ключ"]', 5, "unknown target 'ключ'"),
    "NUL in a string": ('[breaks]\nsnooze = "\\u0000"', 5, 'snooze = "\\u0000": '),
    "control character in a comment": ("# \x01\n", 5, "invalid TOML"),
    "byte order mark": ("\ufeff[breaks]\n", 5, "invalid TOML"),
    "surrogate escape": ('[breaks]\nsnooze = "\\ud800"', 5, "invalid TOML"),
    "empty file": ("", 0, ""),
    "unicode comment": ("# ключ 🎉\n[breaks]\nmax_snoozes = 1 # ok\n", 0, ""),
}


@pytest.mark.parametrize(("text", "status", "part"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_toml_is_a_user_error_in_config_check(
    env: dict[str, str], text: str, status: int, part: str
) -> None:
    path = user_file(env)
    path.write_text(text, encoding="utf-8")
    got, out, err = command(env, "config", "check", str(path))
    assert "Traceback" not in err
    assert got == status, err
    if status == 0:
        assert (out, err) == (f"{path}: ok\n", "")
    else:
        (line,) = err.splitlines()
        assert line.startswith(f"{path}: ") and part in line, line
        assert len(line) < 300


@pytest.mark.parametrize(("text", "status", "part"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_toml_is_a_config_error_in_load(
    env: dict[str, str], text: str, status: int, part: str
) -> None:
    path = user_file(env)
    path.write_text(text, encoding="utf-8")
    if status == 0:
        load(env)
        return
    (line,) = load_error(env).splitlines()
    assert line.startswith(f"{path}: ") and part in line, line


HOSTILE_ENV = {
    "RSIGUARD_BREAKS__MAX_SNOOZES": ("9" * 5000, "integer too large"),
    "RSIGUARD_BREAKS__SNOOZE": ("9" * 5000, "must be at most 1h"),
    "RSIGUARD_INTENSITY__BASELINE": ("1" + "0" * 400, "expected a finite number"),
    "RSIGUARD_INTENSITY__SMOOTHING": ("-nan", "expected a finite number"),
    "RSIGUARD_ROUTINES__AVOID": ("[1e400]", "expected a string"),
    "RSIGUARD_BREAKS__STRICT": (
        "a\nb",
        'RSIGUARD_BREAKS__STRICT = "a\\nb": expected true or false',
    ),
}


@pytest.mark.parametrize(("var", "value", "part"), [(k, *v) for k, v in HOSTILE_ENV.items()])
def test_hostile_environment_is_a_user_error(
    env: dict[str, str], var: str, value: str, part: str
) -> None:
    env[var] = value
    (line,) = load_error(env).splitlines()
    assert line.startswith(f"environment {var} = ") and part in line, line
    assert len(line) < 300
    status, _, err = command(env, "config", "check")
    assert (status, err) == (Exit.BAD_CONFIG, line + "\n")


# -- at reload, through a real daemon --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "part"),
    [
        (NESTED["5000 inline tables"], "tables and arrays nested more than 20 levels deep"),
        (NESTED["100000 arrays"], "tables and arrays nested more than 20 levels deep"),
        ("[breaks]\n" + "".join(f"k{i} = {i}\n" for i in range(MANY_KEYS)), "more problems"),
        ('[routines]\ntargets = ["' + "x" * 900_000 + '"]\n', "unknown target"),
        ("[pause]\nmax = 1e300\n", "pause.max = 1e+300: must be at most 24h"),
    ],
    ids=["inline tables", "arrays", "many keys", "huge value", "huge pause"],
)
def test_a_hostile_file_at_reload_keeps_the_previous_config(
    tmp_path: Path, text: str, part: str
) -> None:
    env = daemon_env(tmp_path, None, None)
    with running_daemon(env):
        cfg = Path(env["XDG_CONFIG_HOME"]) / "test.toml"  # the --config file of the daemon
        cfg.write_text(text)
        start = time.monotonic()
        out = cli(env, "reload")
        assert time.monotonic() - start < 5  # the CLI gives up after 5 s
        assert out.returncode == Exit.BAD_CONFIG, out.stderr
        assert "configuration not reloaded, previous one kept" in out.stderr
        assert f"{cfg}: " in out.stderr and part in out.stderr
        assert len(out.stderr.encode()) < MAX_MESSAGE // 8
        assert daemon_status(env)["state"] in ("active", "idle")


def test_a_huge_pause_limit_in_the_environment_stops_the_start(env: dict[str, str]) -> None:
    env["RSIGUARD_PAUSE__MAX"] = "100000000h"
    status, _, err = command(env, "run")
    assert status == Exit.BAD_CONFIG
    assert 'environment RSIGUARD_PAUSE__MAX = "100000000h": must be at most 24h' in err


@pytest.mark.parametrize(
    "text",
    [
        '[routines]\ntargets = ["' + "x" * 20_000_000 + '"]\n',
        "[breaks]\n" + "".join(f"k{i} = {i}\n" for i in range(200_000)),
    ],
    ids=["20 MB value", "200000 unknown keys"],
)
def test_the_reviews_huge_files_are_refused_quickly_and_briefly(
    env: dict[str, str], text: str
) -> None:
    path = user_file(env)
    path.write_text(text)
    start = time.monotonic()
    status, out, err = command(env, "config", "check", str(path))
    assert time.monotonic() - start < 5
    size = path.stat().st_size
    assert (status, out, err) == (5, "", f"{path}: cannot read: larger than 1 MiB ({size} bytes)\n")


# -- property: whatever a file or the environment holds, a config or a short ConfigError -----------

_PARTS = sorted({part for key in KEYS for part in key.split(".")})
_NAMES = st.sampled_from(_PARTS) | st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True)
_SCALARS = (
    st.booleans()
    | st.integers()
    | st.integers(min_value=10**300, max_value=10**1000)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["20m", "1h30m", "1e400", "nan", "-5m", "rsi", "eyes", "24h1s"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_NAMES, inner, max_size=4),
    max_leaves=12,
)
_TABLES = st.dictionaries(_NAMES, st.dictionaries(_NAMES, _VALUES, max_size=5), max_size=4)


# Each example rewrites the same tmp file: the fixture's scope does not matter.
_EXAMPLES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _bounded_error(env: dict[str, str], path: Path | None = None) -> None:
    """Load; any failure must be a ConfigError of at most 21 lines, each short."""
    try:
        load(env, path)
    except ConfigError as exc:
        assert 1 <= len(exc.lines) <= 21
        assert all(len(line) <= 400 and "\n" not in line for line in exc.lines)


@_EXAMPLES
@given(tables=_TABLES)
def test_any_toml_file_loads_or_is_a_short_config_error(
    env: dict[str, str], tables: dict[str, dict[str, object]]
) -> None:
    lines = []
    for table, body in tables.items():
        lines.append(f"[{table}]")
        lines += [f"{key} = {toml_value(value)}" for key, value in body.items()]
    path = user_file(env)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _bounded_error(env, path)


@_EXAMPLES
@given(values=st.dictionaries(st.sampled_from(KEYS), st.text(max_size=40), max_size=6))
def test_any_environment_loads_or_is_a_short_config_error(
    env: dict[str, str], values: dict[str, str]
) -> None:
    _bounded_error({**env, **{env_var_name(key): value for key, value in values.items()}})


def test_two_spellings_of_one_variable_warn_and_the_later_wins(env: dict[str, str]) -> None:
    env.update(RSIGUARD_BREAKS__SNOOZE="2m", RSIGUARD_breaks__snooze="3m")
    loaded = load(env)
    assert loaded.policy.snooze == 180.0
    assert loaded.origins["breaks.snooze"] == "env RSIGUARD_breaks__snooze"
    assert loaded.warnings == [
        "environment RSIGUARD_BREAKS__SNOOZE and RSIGUARD_breaks__snooze both set "
        "breaks.snooze; using RSIGUARD_breaks__snooze"
    ]
