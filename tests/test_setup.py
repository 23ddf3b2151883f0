"""`rsiguard setup`: questions in, a valid config file out, IT's locks left alone."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pytest

from rsiguard.faces import setup
from rsiguard.settings.config import load


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "site").mkdir()
    return {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "RSIGUARD_SITE_DIR": str(tmp_path / "site"),
    }


def _run(env: dict[str, str], answers: list[str], *argv: str) -> tuple[int, str]:
    it = iter(answers)
    out = io.StringIO()
    code = setup.main(list(argv), env, out, io.StringIO(), lambda _p: next(it))
    return code, out.getvalue()


def _written(env: dict[str, str]) -> Path:
    return Path(env["XDG_CONFIG_HOME"]) / "rsiguard" / "config.toml"


def test_answers_become_a_config_the_daemon_loads(env: dict[str, str]) -> None:
    # 6+ hours a day, carpal tunnel and eyes, numbness, the suggested preset (recovering).
    code, out = _run(env, ["3", "2, 10", "oops", "10", ""])
    assert code == 0 and "numbers from 1 to 10" in out
    data = tomllib.loads(_written(env).read_text())
    assert data["routines"] == {"targets": ["carpal_tunnel", "eyes"], "avoid": ["numbness"]}
    policy = load(env).policy
    assert (policy.micro.interval, policy.micro.duration) == (600.0, 45.0)
    assert policy.avoid == ("numbness",)


def test_locked_keys_are_shown_and_left_out(env: dict[str, str]) -> None:
    Path(env["RSIGUARD_SITE_DIR"], "locked.toml").write_text("[breaks]\nmax_snoozes = 0\n")
    code, out = _run(env, ["", "", "", "1"])
    assert code == 0 and "leaves them alone: breaks.max_snoozes" in out
    assert "max_snoozes" not in _written(env).read_text()
    assert load(env).warnings == []  # nothing of ours fights the lock


def test_dry_run_writes_nothing_and_a_rerun_keeps_a_backup(env: dict[str, str]) -> None:
    code, out = _run(env, ["1", "", "", "1"], "--dry-run")
    assert code == 0 and "would write" in out and 'interval = "30m"' in out
    assert not _written(env).exists()
    assert _run(env, ["1", "", "", "1"])[0] == 0
    first = _written(env).read_text()
    code, out = _run(env, ["2", "", "", "2"])
    assert code == 0 and "the old one is" in out
    backups = list(_written(env).parent.glob("config.toml.bak-*"))
    assert len(backups) == 1 and backups[0].read_text() == first


def test_end_of_input_stops_without_writing(env: dict[str, str]) -> None:
    answers = iter(["2"])

    def read(_prompt: str) -> str:
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    assert setup.main([], env, out, io.StringIO(), read) == 0
    assert "stopped; nothing written" in out.getvalue() and not _written(env).exists()
