"""The state file: atomic writes, restore rules, corrupt files."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

from rsiguard.adapters import statefile
from rsiguard.core.machine import initial_state
from rsiguard.core.policy import Policy
from rsiguard.core.state import Progress, Today


def _state() -> object:
    s = initial_state(Policy())
    return replace(
        s,
        today=Today(day="2026-11-25", keys=500, clicks=20, active_s=900, snoozes=1),
        progress=Progress(micro_active=600, micro_credit=650, rest_active=1800),
        snoozes_used=1,
    )


def test_round_trip_same_day(tmp_path: Path) -> None:
    path = tmp_path / "state" / "state.json"
    s = _state()
    statefile.save(path, statefile.snapshot(s, 1000.0))  # type: ignore[arg-type]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = statefile.load(path)
    assert data is not None
    back = statefile.restore(initial_state(Policy()), data, "2026-11-25", 1005.0)
    assert back.today.keys == 500 and back.today.snoozes == 1
    assert back.progress.rest_active == 1800
    assert back.snoozes_used == 1
    assert list(path.parent.iterdir()) == [path]  # no temp files left


def test_new_day_starts_counters_again(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    statefile.save(path, statefile.snapshot(_state(), 1000.0))  # type: ignore[arg-type]
    data = statefile.load(path)
    assert data is not None
    back = statefile.restore(initial_state(Policy()), data, "2026-11-26", 1005.0)
    assert back.today == Today(day="2026-11-26")


def test_downtime_counts_as_idle(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    statefile.save(path, statefile.snapshot(_state(), 1000.0))  # type: ignore[arg-type]
    data = statefile.load(path)
    assert data is not None
    back = statefile.restore(initial_state(Policy()), data, "2026-11-25", 1000.0 + 45)
    assert back.progress.micro_active == 0  # 45 s stopped >= a 30 s micro-break
    assert back.progress.rest_active == 1800
    later = statefile.restore(initial_state(Policy()), data, "2026-11-25", 1000.0 + 600)
    assert later.progress.rest_active == 0


def test_corrupt_or_foreign_files_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{not json")
    assert statefile.load(path) is None
    path.write_text(json.dumps({"version": 99}))
    assert statefile.load(path) is None
    assert statefile.load(tmp_path / "missing.json") is None
    s = initial_state(Policy())
    weird = {"version": 1, "today": {"keys": "many"}, "saved_at": "x"}
    # Field by field: the bad ones are ignored, the day without a saved day is a fresh one.
    assert statefile.restore(s, weird, "2026-11-25", 0.0) == replace(s, today=Today("2026-11-25"))
    typed = {"version": 1, "today": {"day": "2026-11-25", "keys": "many", "clicks": 3}}
    back = statefile.restore(s, typed, "2026-11-25", 0.0)
    assert back.today.keys == 0 and back.today.clicks == 3
