"""The daemon starts whatever directory it is started in (no display, no bus needed)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from rsiguard.base.children import python_argv
from rsiguard.base.exitcodes import Exit
from rsiguard.settings.validate import in_child
from tests.integration import cli, daemon_env, running_daemon, status
from tests.test_cli import run_into_closed_pipe

REPO = Path(__file__).resolve().parent.parent


def _copy_of_the_repository(into: Path) -> None:
    """A clone's top level as ``into/rsiguard``: its ``config/`` beside its ``rsiguard/``."""
    clone = into / "rsiguard"
    for part in ("rsiguard", "config", "systemd", "tests"):
        shutil.copytree(REPO / part, clone / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", clone)


def _empty_config_folder(into: Path) -> None:
    (into / "rsiguard" / "config").mkdir(parents=True)


@pytest.mark.parametrize("plant", [_copy_of_the_repository, _empty_config_folder])
def test_daemon_starts_beside_a_folder_named_rsiguard(plant: object, tmp_path: Path) -> None:
    env = daemon_env(tmp_path, None, None)
    home = Path(env["HOME"])
    assert callable(plant)
    plant(home)
    # A systemd user unit without WorkingDirectory= starts in $HOME.
    with running_daemon(env, cwd=home):
        assert status(env)["state"] in ("active", "idle")
        # A reload runs the validator child again, from the same directory.
        out = cli(env, "reload")
        assert out.returncode == 0, out.stderr


def test_status_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    env = daemon_env(tmp_path, None, None)
    with running_daemon(env):
        for args in (["status"], ["status", "--json"]):
            assert run_into_closed_pipe(args, env) == (Exit.CLOSED_PIPE, "")


def test_validator_child_runs_our_own_code_whatever_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _empty_config_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    env = daemon_env(tmp_path, None, None)
    env.update(PYTHONPATH=str(tmp_path), PYTHONSAFEPATH="")
    validated = in_child(env, None)
    assert validated.loaded.sources == []
    assert validated.loaded.policy.routines  # the catalog came from our package


def test_child_command_line_pins_the_interpreter_and_our_package() -> None:
    argv = python_argv("rsiguard.settings.validate", "x")
    assert argv[0] == sys.executable
    assert argv[1].startswith("-EP")
    assert str(REPO) in argv[3] and argv[4:] == ["x"]
