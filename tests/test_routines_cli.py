"""`rsiguard routines ...`: list, show, safety, and the terminal player driven in tmux."""

from __future__ import annotations

import io
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rsiguard.base.exitcodes import Exit
from rsiguard.faces.cli import main
from tests.desktop import require, wait_for

ROUTINE = """
[[routine]]
id = "test_quick"
title = "Quick test routine"
summary = "Three short steps for the terminal test."
kind = "micro"
targets = ["rsi"]
safety = ["Gentle only."]

[[routine.step]]
instruction = "Spread your fingers wide."
seconds = 8
illustration = "finger_fan"

[[routine.step]]
instruction = "Make a soft fist."
seconds = 8
illustration = "tendon_full_fist"

[[routine.step]]
instruction = "Let your hands rest."
seconds = 8
illustration = "rest"
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "site"
    (site / "routines").mkdir(parents=True)
    (site / "routines" / "test.toml").write_text(ROUTINE)
    return {
        "RSIGUARD_SITE_DIR": str(site),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(tmp_path),
    }


def _run(env: dict[str, str], *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(["routines", *argv], env, out, err), out.getvalue(), err.getvalue()


def test_list_filters_by_target_and_kind(env: dict[str, str]) -> None:
    code, out, _ = _run(env, "list", "--target", "eyes")
    assert code == Exit.OK and out.strip()
    assert "test_quick" not in out
    code, out, _ = _run(env, "list", "--kind", "micro")
    assert "test_quick" in out and " rest " not in out


def test_list_columns_line_up_whatever_the_length(env: dict[str, str]) -> None:
    code, out, _ = _run(env, "list")
    lines = out.splitlines()
    assert code == Exit.OK and len(lines) > 20
    # Every title starts in the same column, rest routines ("4 min 19 s") included.
    titles = {line.index(title) for line in lines for title in [line.split("  ")[-1]]}
    assert len(titles) == 1
    assert any(" rest " in line and " min " in line for line in lines)


def test_player_countdown_is_a_line_of_its_own() -> None:
    from rich.console import Console

    from rsiguard.core.routines.player import Player
    from rsiguard.faces.terminal import render
    from rsiguard.settings.catalog import builtin_catalog

    player, _ = Player.start(builtin_catalog().routines[0], 0.0)
    console = Console(width=80, color_system=None, record=True, file=io.StringIO())
    console.print(render(player, 3.0))
    lines = console.export_text().splitlines()
    bar = next(line for line in lines if "━" in line)
    assert "left" not in bar  # the bar ends its own line
    assert any("left in the routine" in line and "━" not in line for line in lines)


def test_show_and_safety(env: dict[str, str]) -> None:
    code, out, _ = _run(env, "show", "test_quick")
    assert code == Exit.OK
    assert "1. [Both hands, 8 s] Spread your fingers wide." in out
    assert "safety: Gentle only." in out
    assert _run(env, "show", "nope")[0] == Exit.USAGE
    code, out, _ = _run(env, "safety")
    assert code == Exit.OK and "Stop if numbness, tingling or pain starts or increases" in out


def test_bad_site_routine_file_is_a_config_error(env: dict[str, str]) -> None:
    Path(env["RSIGUARD_SITE_DIR"], "routines", "bad.toml").write_text("[[routine]]\nid = 3\n")
    code, _, err = _run(env, "list")
    assert code == Exit.BAD_CONFIG and "bad.toml" in err


@pytest.fixture
def tmux(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    require("tmux")
    sock = str(tmp_path / "tmux.sock")
    yield sock, env
    subprocess.run(["tmux", "-S", sock, "kill-server"], capture_output=True)


def _pane(sock: str) -> str:
    out = subprocess.run(
        ["tmux", "-S", sock, "capture-pane", "-p", "-t", "play"], capture_output=True, text=True
    )
    return out.stdout


def test_terminal_player_starts_advances_and_quits(tmux: tuple[str, dict[str, str]]) -> None:
    sock, env = tmux
    envs = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = f"env {envs} {sys.executable} -m rsiguard routines play test_quick; echo EXIT=$?"
    subprocess.run(
        ["tmux", "-S", sock, "new-session", "-d", "-s", "play", "-x", "90", "-y", "30"],
        check=True,
    )
    subprocess.run(["tmux", "-S", sock, "set", "-t", "play", "remain-on-exit", "on"], check=True)
    subprocess.run(["tmux", "-S", sock, "send-keys", "-t", "play", command, "Enter"], check=True)
    wait_for(lambda: "Step 1 of 3" in _pane(sock), what="the first step")
    assert "Spread your fingers wide." in _pane(sock)
    assert "Gentle only." in _pane(sock)
    subprocess.run(["tmux", "-S", sock, "send-keys", "-t", "play", "n"], check=True)
    wait_for(lambda: "Step 2 of 3" in _pane(sock), what="the second step")
    subprocess.run(["tmux", "-S", sock, "send-keys", "-t", "play", " "], check=True)
    wait_for(lambda: "PAUSED" in _pane(sock), what="paused")
    subprocess.run(["tmux", "-S", sock, "send-keys", "-t", "play", "q"], check=True)
    wait_for(lambda: "EXIT=0" in _pane(sock), what="a clean exit")
    assert "Routine stopped early." in _pane(sock)
