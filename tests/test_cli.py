"""The command line, in process: usage errors, exit codes, fast imports."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rsiguard.base.exitcodes import Exit
from rsiguard.faces.cli import _human_status, main
from tests.integration import RSIGUARD_COMMAND


def _run(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), env or {}, out, err)
    return code, out.getvalue(), err.getvalue()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    env = {"XDG_RUNTIME_DIR": str(tmp_path)}
    assert _run("frobnicate", env=env)[0] == Exit.USAGE
    code, _, err = _run("snooze", "soon", env=env)
    assert code == Exit.USAGE and "not a duration" in err
    assert _run("break", "lunch", env=env)[0] == Exit.USAGE
    assert _run(env=env)[0] == Exit.USAGE


def test_no_daemon_exits_3(tmp_path: Path) -> None:
    code, _, err = _run("status", env={"XDG_RUNTIME_DIR": str(tmp_path)})
    assert code == Exit.NO_DAEMON
    assert "no rsiguard daemon is running" in err


def test_diagram_prints_mermaid() -> None:
    code, out, _ = _run("diagram")
    assert code == Exit.OK and out.startswith("stateDiagram-v2")


def test_exit_codes_are_documented() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for code in Exit:
        assert f"| {int(code)} |" in readme, code


def test_human_status_mentions_the_essentials() -> None:
    data = {
        "state": "active",
        "next_break": {"kind": "micro", "due_in_s": 600},
        "today": {
            "keys": 10,
            "clicks": 2,
            "scroll": 3,
            "pointer_px": 400,
            "active_s": 65,
            "breaks_taken": 1,
            "breaks_natural": 0,
            "breaks_skipped": 0,
        },
        "snoozes_left": 2,
        "backends": {"input": "pynput (X11 :1)", "notifications": "log"},
        "config_sources": [],
        "locked_keys": ["breaks.strict"],
        "config_warnings": [],
    }
    text = _human_status(data)
    assert text.startswith("rsiguard: active: next micro break after 10 min of activity\n")
    assert "10 keys" in text and "locked:  breaks.strict" in text
    assert "load:    not used" in text  # no intensity reported: as if it were off


def test_human_status_says_how_hard_the_hands_work_or_that_it_cannot_know() -> None:
    base = {
        "state": "active",
        "next_break": {"kind": "micro", "due_in_s": 600},
        "today": {"keys": 0, "clicks": 0, "scroll": 0, "pointer_px": 0, "active_s": 300,
                  "breaks_taken": 0, "breaks_natural": 0, "breaks_skipped": 0},
        "snoozes_left": 2,
        "config_sources": [],
        "locked_keys": [],
        "config_warnings": [],
    }  # fmt: skip
    counts = {"input": "xrecord (X11 :0)", "input_measures": "counts", "notifications": "log"}
    heavy = {"enabled": True, "load_per_min": 182.5, "micro_interval_factor": 0.6}
    text = _human_status({**base, "backends": counts, "intensity": heavy})
    assert "load:    182.5 per active minute: micro-breaks come at 60% of the interval" in text
    light = {**heavy, "load_per_min": 20.0, "micro_interval_factor": 1.0}
    text = _human_status({**base, "backends": counts, "intensity": light})
    assert "micro-breaks at the baseline interval" in text
    early = {**heavy, "load_per_min": None}
    assert "not known yet" in _human_status({**base, "backends": counts, "intensity": early})
    # Activity only (GNOME, Wayland idle, logind): no zero counts, intensity unknown.
    gnome = {"input": "gnome (Wayland wayland-0): activity only", "input_measures": "activity",
             "notifications": "log"}  # fmt: skip
    lines = _human_status({**base, "backends": gnome, "intensity": early}).splitlines()
    assert "today:   5 min active (this input backend sees activity only: no counts)" in lines
    assert "load:    unknown (activity only): micro-breaks keep the baseline interval" in lines
    assert not any("0 keys" in line for line in lines)


def test_quick_commands_import_no_heavy_modules(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from rsiguard.faces.cli import main\n"
        f"main(['status'], {{'XDG_RUNTIME_DIR': {str(tmp_path)!r}}})\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'pydantic_settings', 'apscheduler', 'pynput', 'jeepney', 'plyer')]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def run_into_closed_pipe(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run the installed ``rsiguard ARGV`` writing into a pipe nobody reads any more
    (what ``| head -1`` leaves once head has its line); returns (status, stderr)."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [RSIGUARD_COMMAND, *argv], stdout=write, stderr=subprocess.PIPE, env=env, timeout=30
        )
    finally:
        os.close(write)
    return done.returncode, done.stderr.decode()


@pytest.mark.parametrize(
    "argv", [["routines", "list"], ["routines", "safety"], ["diagram"], ["config", "show"]]
)
def test_a_closed_pipe_ends_the_command_quietly(argv: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "RSIGUARD_SITE_DIR": str(tmp_path)}
    assert run_into_closed_pipe(argv, env) == (Exit.CLOSED_PIPE, "")


def test_human_status_reads_as_words_and_says_why_notifications_are_logged() -> None:
    data: dict[str, Any] = {
        "state": "in_break",
        "next_break": {"kind": "micro", "due_in_s": 0},
        "break": {"kind": "micro", "step": 2, "steps": 5, "instruction": "Make a fist."},
        "today": dict.fromkeys(
            ("keys", "clicks", "scroll", "pointer_px", "active_s", "breaks_taken"), 0
        )
        | {"breaks_natural": 0, "breaks_skipped": 0},
        "snoozes_left": 0,
        "backends": {
            "input": "none: no display",
            "notifications": "log",
            "notifications_why": "no session bus",
        },
        "config_sources": [],
        "locked_keys": [],
    }
    lines = _human_status(data).splitlines()
    assert lines[0] == "rsiguard: in a micro break, step 2 of 5: Make a fist."
    assert "in_break" not in lines[0]
    assert "notify:  log (no session bus)" in lines
    data["state"] = "due"
    assert _human_status(data).startswith("rsiguard: a micro break is due now\n")


def test_config_and_routines_help_come_from_their_own_parsers() -> None:
    code, out, _ = _run("config", "-h")
    assert code == Exit.OK and "rsiguard config show [--origin] [--json]" in out
    code, out, _ = _run("routines", "--help")
    assert code == Exit.OK and "play" in out and "safety" in out


def test_a_negative_duration_is_named_as_such(tmp_path: Path) -> None:
    env = {"XDG_RUNTIME_DIR": str(tmp_path)}
    for argv in (["pause", "-5m"], ["snooze", "-.5h"]):
        code, _, err = _run(*argv, env=env)
        assert code == Exit.USAGE
        assert err == f"rsiguard {argv[0]}: a duration cannot be negative: {argv[1]}\n"
    assert _run("pause", "5m", env=env)[0] == Exit.NO_DAEMON  # a plain one goes through
