"""`rsiguard stats` on a synthetic month whose answers this test works out on its own."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

import pytest

from rsiguard.adapters.store import EventRow, MinuteRow, StatsStore
from rsiguard.faces.cli import main

FIRST = dt.date(2026, 11, 2)
DAYS = 30
# Each working minute: 60 keys, 10 clicks, 3000 px (30 units): keyboard gets 60 of 100.
KEYS, CLICKS, PX = 60, 10, 3000.0
HOURS = (9, 14)  # one active hour each morning and afternoon
EVENTS = [  # (hour, minute, kind, outcome)
    (9, 20, "micro", "due"), (9, 20, "micro", "completed"),
    (9, 40, "micro", "due"), (9, 40, "micro", "completed"),
    (12, 0, "rest", "due"), (12, 5, "rest", "natural"),
    (14, 20, "micro", "due"), (14, 20, "micro", "skipped"),
    (14, 40, "micro", "due"), (14, 40, "micro", "snoozed"), (14, 45, "micro", "completed"),
]  # fmt: skip


def _ts(day: dt.date, hour: int, minute: int, second: int = 0) -> float:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second).timestamp()


@pytest.fixture
def month(tmp_path: Path) -> dict[str, str]:
    store = StatsStore(tmp_path / "state" / "rsiguard" / "stats.db")
    assert store.open()
    minutes, events = [], []
    for i in range(DAYS):
        day = FIRST + dt.timedelta(days=i)
        for hour in HOURS:
            for m in range(60):
                minute = int(_ts(day, hour, m) // 60)
                minutes.append(MinuteRow(minute, KEYS, CLICKS, 0, PX, 60.0, 100.0, "xrecord"))
        for hour, minute, kind, outcome in EVENTS:
            events.append(EventRow(_ts(day, hour, minute, 30), kind, outcome))
    store.write(minutes, events)
    store.close()
    return {"XDG_STATE_HOME": str(tmp_path / "state"), "HOME": str(tmp_path)}


def _stats(env: dict[str, str], *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["stats", *argv], env, out, err)
    return code, out.getvalue(), err.getvalue()


def _longest_by_hand() -> float:
    """Active seconds between breaks taken or natural, walking the month minute by minute."""
    breaks = {(h, m) for h, m, _, o in EVENTS if o in ("completed", "stopped", "natural")}
    longest = run = 0.0
    for _ in range(DAYS):
        for hour in range(24):
            for minute in range(60):
                if hour in HOURS:
                    run += 60.0
                    longest = max(longest, run)
                if (hour, minute) in breaks:  # the event is at :30, after this minute
                    run = 0.0
    return longest


def test_the_month_adds_up(month: dict[str, str]) -> None:
    last = FIRST + dt.timedelta(days=DAYS - 1)
    code, out, err = _stats(month, "--from", FIRST.isoformat(), "--to", last.isoformat(), "--json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    totals = doc["totals"]
    active = DAYS * len(HOURS) * 3600.0
    assert totals["active_s"] == active
    assert totals["keyboard_s"] == pytest.approx(active * 60 / 100)
    assert totals["mouse_s"] == pytest.approx(active * 40 / 100)
    assert totals["keys"] == DAYS * len(HOURS) * 60 * KEYS
    assert totals["due"] == DAYS * 5
    assert totals["taken"] == DAYS * 3 and totals["natural"] == DAYS
    assert totals["skipped"] == DAYS and totals["snoozed"] == DAYS
    assert doc["compliance"] == pytest.approx((3 + 1) / 5)
    assert doc["longest_stretch_s"] == _longest_by_hand()
    assert len(doc["days"]) == DAYS
    assert doc["days"][0]["hours"][9] == 60 * 100.0 and doc["days"][0]["hours"][10] == 0
    assert doc["days"][0]["intensity"] == pytest.approx(100.0)


def test_text_reads_as_words_with_an_hour_grid(month: dict[str, str]) -> None:
    last = FIRST + dt.timedelta(days=6)
    code, out, _ = _stats(month, "--from", FIRST.isoformat(), "--to", last.isoformat())
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"rsiguard stats: {FIRST} to {last} (7 days)"
    assert lines[1].startswith("active:     14 h (keyboard about 8 h 24 min")
    assert "35 due, 21 taken, 7 natural, 7 snoozed, 7 skipped, 0 dismissed; 80% taken" in out
    # 8.4 h of keyboard a week against the published 15 h, in plain words.
    assert "keyboard about 8.4 h a week" in out and "above about 15 h" in out
    grid = [line for line in lines if line.startswith(FIRST.isoformat())]
    assert len(grid) == 1 and grid[0][12 + 9] == "█" and grid[0][12 + 10] == "·"


def test_csv_has_one_row_per_day(month: dict[str, str]) -> None:
    code, out, _ = _stats(month, "--from", FIRST.isoformat(), "--to", "2026-11-04", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["day"] for r in rows] == ["2026-11-02", "2026-11-03", "2026-11-04"]
    assert float(rows[0]["active_s"]) == 7200.0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "2026-12-02", "--to", "2026-12-01"], "--to must not be before --from"),
        (["--to", "2026-12-01"], "--to needs --from"),
        (["--days", "0"], "--days must be between 1 and 3660"),
    ],
)
def test_bad_ranges_are_usage_errors(month: dict[str, str], argv: list[str], message: str) -> None:
    code, _, err = _stats(month, *argv)
    assert code == 2 and message in err


def test_no_database_yet_says_where_it_will_be(tmp_path: Path) -> None:
    code, out, err = _stats({"XDG_STATE_HOME": str(tmp_path)}, "--week")
    assert (code, out) == (0, "") and "no statistics yet" in err


def test_forget_before_a_date_and_then_all(month: dict[str, str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["stats", "--forget", "--before", "2026-11-10"], month, out, err) == 0
    assert "forgot the statistics before 2026-11-10" in out.getvalue()
    _, text, _ = _stats(month, "--from", "2026-11-02", "--to", "2026-11-12", "--json")
    days = {d["day"]: d["active_s"] for d in json.loads(text)["days"]}
    assert days["2026-11-09"] == 0 and days["2026-11-10"] == 7200.0
    assert main(["stats", "--forget"], month, io.StringIO(), io.StringIO()) == 0
    db = Path(month["XDG_STATE_HOME"]) / "rsiguard" / "stats.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM minutes").fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone() == (0,)
    assert _stats(month, "--before", "2026-11-10")[0] == 2  # --before needs --forget


def test_the_configured_limits_in_plain_words(month: dict[str, str]) -> None:
    from rsiguard.adapters.store import connect, read_events, read_minutes
    from rsiguard.faces.stats import bounds, day_range, limit_words, summarize

    days = day_range(FIRST, FIRST + dt.timedelta(days=6))
    conn = connect(Path(month["XDG_STATE_HOME"]) / "rsiguard" / "stats.db", readonly=True)
    start, end = bounds(days)
    s = summarize(days, read_minutes(conn, start, end), read_events(conn, start, end))
    assert limit_words(s, 2 * 3600, 20 * 3600) == [
        "daily limit 2 h: reached on 7 of 7 day(s)",
        "weekly limit 20 h: the last 7 day(s) had 14.0 h, within it",
    ]
    assert limit_words(s, 0, 10 * 3600)[0].endswith("14.0 h, over it")


def test_stats_names_the_running_daemons_limits(tmp_path: Path) -> None:
    from tests.integration import daemon_env, running_daemon

    env = daemon_env(tmp_path, None, None)
    with running_daemon(env, '[breaks]\ndaily_limit = "5h"\nweekly_limit = "25h"\n'):
        out = io.StringIO()
        assert main(["stats", "--week"], env, out, io.StringIO()) in (0,)
    text = out.getvalue()
    assert "daily limit 5 h" in text and "weekly limit 25 h" in text
