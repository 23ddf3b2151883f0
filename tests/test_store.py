"""The statistics store: round trips, migrations, damage, and the batching recorder."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from rsiguard.adapters.recorder import Recorder
from rsiguard.adapters.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    EventRow,
    MinuteRow,
    StatsStore,
    StoreUnavailable,
    connect,
    read_events,
    read_minutes,
)
from rsiguard.core.policy import IntensityPolicy
from rsiguard.core.state import Today


def test_rows_round_trip_and_a_minute_adds_up(tmp_path: Path) -> None:
    store = StatsStore(tmp_path / "stats.db")
    assert store.open()
    store.write([MinuteRow(100, keys=5, active_s=20, backend="xrecord")], [])
    store.write(
        [MinuteRow(100, keys=3, clicks=1, active_s=10, backend="xrecord")],
        [EventRow(6000.5, "micro", "taken", "tendon_glide_micro")],
    )
    store.close()
    conn = connect(tmp_path / "stats.db", readonly=True)
    assert read_minutes(conn, 0, 10**9) == [MinuteRow(100, 8, 1, 0, 0.0, 30.0, 0.0, "xrecord")]
    assert read_events(conn, 0, 10**9) == [EventRow(6000.5, "micro", "taken", "tendon_glide_micro")]
    assert oct(os.stat(tmp_path / "stats.db").st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_every_earlier_schema_is_migrated(tmp_path: Path, version: int) -> None:
    path = tmp_path / "stats.db"
    with sqlite3.connect(path) as conn:
        for step in range(version):
            conn.executescript(MIGRATIONS[step] + f"PRAGMA user_version = {step + 1};")
    conn = connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.execute("INSERT INTO minutes (minute, keys) VALUES (1, 2)")


def test_a_newer_schema_is_refused_not_damaged(tmp_path: Path) -> None:
    path = tmp_path / "stats.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreUnavailable, match="newer rsiguard"):
        connect(path)


def test_a_corrupt_database_is_moved_aside_and_started_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "stats.db"
    path.write_bytes(b"this is not sqlite" * 100)
    store = StatsStore(path)
    with caplog.at_level(logging.WARNING):
        assert store.open()
    store.write([MinuteRow(1, keys=1)], [])
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("stats.db.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not sqlite")
    assert [r.getMessage() for r in caplog.records if "corrupt" in r.getMessage()]


def test_an_unusable_place_turns_statistics_off_with_one_message(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "file").write_text("x")
    store = StatsStore(tmp_path / "file" / "stats.db")  # its directory is a file
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            store.write([MinuteRow(1, keys=1)], [])
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "statistics are not kept" in warnings[0]


def test_a_locked_database_is_bypassed_and_the_writer_carries_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "stats.db"
    store = StatsStore(path)
    assert store.open()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        start = time.monotonic()
        with caplog.at_level(logging.WARNING):
            store.write([MinuteRow(1, keys=1)], [])
        assert time.monotonic() - start < 10
        assert store.problem is not None and "locked" in store.problem
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.write([MinuteRow(2, keys=1)], [])  # the lock is gone: the next batch is kept
    assert store.problem is None
    assert [r.minute for r in read_minutes(connect(path, readonly=True), 0, 10**9)] == [2]


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from rsiguard.adapters.store import MinuteRow, StatsStore
    store = StatsStore(Path(sys.argv[1]))
    store.open()
    n = 0
    while True:
        n += 1
        store.write([MinuteRow(n, keys=1)] * 50, [])
        if n == 20:
            print("writing", flush=True)
    """
)


def test_a_kill_during_writes_leaves_a_database_that_opens(tmp_path: Path) -> None:
    path = tmp_path / "stats.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    conn = connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM minutes").fetchone()[0] >= 20


def test_the_recorder_arms_nothing_while_idle_and_writes_a_minute_at_once(
    tmp_path: Path,
) -> None:
    async def main() -> tuple[bool, bool, list[MinuteRow]]:
        loop = asyncio.get_running_loop()
        rec = Recorder(tmp_path / "stats.db", loop)
        rec.start()
        idle = rec._handle is None
        rec.activity(Today(), Today(), time.time(), IntensityPolicy(), "xrecord")  # no change
        still_idle = rec._handle is None
        wall = 120 * 60.0
        for n in range(1, 11):  # ten samples in one minute
            rec.activity(
                Today(keys=n - 1), Today(keys=n, active_s=1.0), wall, IntensityPolicy(), "x"
            )
        assert rec._handle is not None
        rec.close()
        conn = connect(tmp_path / "stats.db", readonly=True)
        return idle, still_idle, read_minutes(conn, 0, 10**9)

    idle, still_idle, rows = asyncio.run(main())
    assert idle and still_idle
    assert len(rows) == 1 and rows[0].minute == 120 and rows[0].keys == 10
    assert rows[0].active_s == 10.0 and rows[0].load == 10.0


def test_the_daemon_learns_the_week_from_the_statistics(tmp_path: Path) -> None:
    import datetime as dt

    from tests.desktop import wait_for
    from tests.integration import daemon_env, running_daemon, status

    env = daemon_env(tmp_path, None, None)
    store = StatsStore(Path(env["XDG_STATE_HOME"]) / "rsiguard" / "stats.db")
    assert store.open()
    today = dt.date.today()
    rows = []
    for back in range(1, 9):  # 8 days back: the 7th and 8th are outside the week
        noon = dt.datetime.combine(today - dt.timedelta(days=back), dt.time(12)).timestamp()
        rows += [MinuteRow(int(noon // 60) + m, keys=10, active_s=60.0) for m in range(60)]
    store.write(rows, [])
    store.close()
    with running_daemon(env):
        wait_for(lambda: status(env)["today"]["week_active_s"] > 0, what="the week's total")
        assert status(env)["today"]["week_active_s"] == 6 * 3600.0


def test_a_check_in_is_asked_for_twice_at_most_then_left_alone(tmp_path: Path) -> None:
    store = StatsStore(tmp_path / "stats.db")
    assert store.open()
    long_ago = time.time() - 10 * 86400
    store.write([MinuteRow(int(long_ago // 60), keys=1, active_s=1)], [])

    async def owed() -> bool:
        loop = asyncio.get_running_loop()
        rec = Recorder(tmp_path / "stats.db", loop)
        rec.start()
        asked = asyncio.Event()
        rec.checkin_owed(7, asked.set)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asked.wait(), 2)
        rec.close()
        return asked.is_set()

    assert asyncio.run(owed())  # ten days of statistics and no check-in: ask
    two_days = time.time() - 2 * 86400
    store.write([], [EventRow(two_days, "checkin", "asked")])
    assert asyncio.run(owed())  # asked once, two days ago: remind once
    store.write([], [EventRow(time.time(), "checkin", "asked")])
    assert not asyncio.run(owed())  # asked twice: never a third time
    conn = sqlite3.connect(tmp_path / "stats.db")
    conn.execute("INSERT INTO checkins VALUES (?, 'hands', 2)", (time.time(),))
    conn.commit()
    conn.close()
    assert not asyncio.run(owed())  # answered today: nothing owed for a week
