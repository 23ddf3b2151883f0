"""`rsiguard checkin`: asked in a real terminal (tmux), stored, exported, and a rising
trend answered with one gentle suggestion."""

from __future__ import annotations

import csv
import io
import shlex
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rsiguard.adapters.store import add_checkin, connect
from rsiguard.faces import checkin
from rsiguard.faces.cli import main
from tests.desktop import require, wait_for


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_STATE_HOME": str(tmp_path / "state"), "HOME": str(tmp_path)}


def _db(env: dict[str, str]) -> Path:
    return Path(env["XDG_STATE_HOME"]) / "rsiguard" / "stats.db"


def _rows(env: dict[str, str]) -> list[tuple[str, int]]:
    with sqlite3.connect(_db(env)) as conn:
        return [(a, s) for a, s in conn.execute("SELECT area, score FROM checkins ORDER BY rowid")]


def _answers(*lines: str) -> object:
    it = iter(lines)
    return lambda _prompt: next(it)


def test_asked_one_area_at_a_time_with_skips_and_retries(env: dict[str, str]) -> None:
    out = io.StringIO()
    read = _answers("3", "", "eleven", "5", "0", "2")  # wrists skipped, one bad answer
    assert checkin.main([], env, out, io.StringIO(), read) == 0  # type: ignore[arg-type]
    assert _rows(env) == [("hands", 3), ("forearms", 5), ("neck_shoulders", 0), ("eyes", 2)]
    assert "a number from 0 to 10" in out.getvalue()
    assert "stored (4 of 5 areas)" in out.getvalue()


def test_q_skips_the_whole_check_in(env: dict[str, str]) -> None:
    out = io.StringIO()
    assert checkin.main([], env, out, io.StringIO(), _answers("4", "q")) == 0  # type: ignore[arg-type]
    assert "skipped; nothing stored" in out.getvalue() and not _db(env).exists()


def test_scores_on_the_command_line_and_out_of_range(env: dict[str, str]) -> None:
    assert main(["checkin", "--hands", "2", "--eyes", "7"], env, io.StringIO(), io.StringIO()) == 0
    assert _rows(env) == [("hands", 2), ("eyes", 7)]
    err = io.StringIO()
    assert main(["checkin", "--wrists", "12"], env, io.StringIO(), err) == 2
    assert "scores go from 0 to 10: --wrists 12" in err.getvalue()


def test_a_rising_score_gets_one_gentle_suggestion_never_a_diagnosis(env: dict[str, str]) -> None:
    conn = connect(_db(env))
    now = time.time()
    for days_ago, score in ((21, 2), (14, 2), (7, 3)):
        add_checkin(conn, now - days_ago * 86400, {"wrists": score, "eyes": 1})
    conn.close()
    out = io.StringIO()
    assert main(["checkin", "--wrists", "6", "--eyes", "1"], env, out, io.StringIO()) == 0
    text = out.getvalue()
    assert text.count("felt worse than before") == 1 and "Your wrists felt worse" in text
    assert "see a health professional" in text
    for word in ("diagnos", "syndrome", "you have", "injury"):
        assert word not in text.lower()


def test_exported_as_csv_for_a_clinician(env: dict[str, str]) -> None:
    assert main(["checkin", "--hands", "4"], env, io.StringIO(), io.StringIO()) == 0
    out = io.StringIO()
    assert main(["stats", "--checkins", "--csv", "--week"], env, out, io.StringIO()) == 0
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["area"], r["score"]) for r in rows] == [("hands", "4")]
    assert rows[0]["at"].startswith(time.strftime("%Y-%m-%d"))


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[str]:
    require("tmux")
    sock = str(tmp_path / "tmux.sock")
    yield sock
    subprocess.run(["tmux", "-S", sock, "kill-server"], capture_output=True)


def test_a_person_answers_in_a_terminal(tmux: str, env: dict[str, str]) -> None:
    def pane() -> str:
        done = subprocess.run(
            ["tmux", "-S", tmux, "capture-pane", "-p", "-t", "ci"], capture_output=True, text=True
        )
        return done.stdout

    def keys(*k: str) -> None:
        subprocess.run(["tmux", "-S", tmux, "send-keys", "-t", "ci", *k], check=True)

    envs = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    subprocess.run(
        ["tmux", "-S", tmux, "new-session", "-d", "-s", "ci", "-x", "100", "-y", "20"], check=True
    )
    keys(f"env {envs} {sys.executable} -m rsiguard checkin; echo EXIT=$?", "Enter")
    wait_for(lambda: "your hands and fingers:" in pane(), what="the first question")
    keys("1", "Enter")
    wait_for(lambda: "your wrists:" in pane(), what="the second question")
    keys("Enter", "2", "Enter", "Enter", "0", "Enter")
    wait_for(lambda: "EXIT=0" in pane(), what="the check-in to end")
    assert "stored (3 of 5 areas)" in pane().replace("\n", "")  # the pane wraps long lines
    assert _rows(env) == [("hands", 1), ("forearms", 2), ("eyes", 0)]
