"""The real daemon with a hostile state file: it starts, answers, and keeps what it can.

These go through the daemon's own use of the state file (``load`` then ``restore``),
so they hold whatever the wiring around them becomes.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from tests.integration import cli, daemon_env, running_daemon


def _strict(text: str) -> dict[str, Any]:
    """``text`` as strict JSON: bare NaN or Infinity is an error, as for any JSON reader."""

    def refuse(name: str) -> object:
        raise ValueError(f"not JSON: {name}")

    data = json.loads(text, parse_constant=refuse)
    assert isinstance(data, dict)
    return data


def _state_file(tmp_path: Path) -> Path:
    d = tmp_path / "state" / "rsiguard"
    d.mkdir(parents=True, exist_ok=True)
    return d / "state.json"


def test_a_fifo_at_the_state_path_does_not_hang_the_start(tmp_path: Path) -> None:
    # Was: the daemon hung for ever in open(); status timed out.
    env = daemon_env(tmp_path, None, None)
    os.mkfifo(_state_file(tmp_path))
    with running_daemon(env):
        out = cli(env, "status", "--json", timeout=10)
        assert out.returncode == 0, out.stderr
    kept = _state_file(tmp_path).parent.iterdir()
    assert sorted(p.name.split("-")[0] for p in kept if p.name.startswith("state.json")) == [
        "state.json",
        "state.json.fifo",
    ]


def test_numbers_that_broke_the_start_and_status_are_ignored(tmp_path: Path) -> None:
    # Was: exit 1 with OverflowError (saved_at), then `status` crashing and
    # `status --json` printing bare NaN (active_s).
    env = daemon_env(tmp_path, None, None)
    _state_file(tmp_path).write_text(
        '{"version": 1, "saved_at": 1' + "0" * 400 + ', "snoozes_used": 1e400, "today": '
        '{"day": "' + time.strftime("%Y-%m-%d") + '", "keys": 42, "active_s": NaN}}'
    )
    with running_daemon(env):
        out = cli(env, "status")
        assert out.returncode == 0, out.stderr
        out = cli(env, "status", "--json")
        assert out.returncode == 0, out.stderr
        today = _strict(out.stdout)["today"]
        assert today["keys"] == 42 and today["active_s"] == 0
    log = (Path(env["HOME"]) / "daemon.log").read_text()
    for field in ("saved_at", "snoozes_used", "today.active_s"):
        assert f"ignoring {field} =" in log, log
