"""``python -m benchmarks.store [--days N]``: what the statistics cost, as JSON on stdout.

- growth: the bytes one active day (8 h of minute rows and a day's break events) adds
  to stats.db, after a WAL checkpoint;
- ``rsiguard stats --week`` and ``rsiguard report --days 90`` over N days of data,
  each the median of several runs, beside ``python -c pass`` on the same machine;
- memory: the resident set of a Python process that has opened the store and written
  one batch, against one that has not (what the daemon pays for keeping statistics).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rsiguard.adapters.store import EventRow, MinuteRow, StatsStore

RUNS = 5
OUTCOMES = ("due", "completed", "due", "natural", "due", "snoozed", "due", "completed")


def _day_rows(day: dt.date) -> tuple[list[MinuteRow], list[EventRow]]:
    minutes, events = [], []
    for hour in range(9, 17):
        for minute in range(60):
            at = dt.datetime(day.year, day.month, day.day, hour, minute).timestamp()
            minutes.append(MinuteRow(int(at // 60), 80, 9, 4, 2400.0, 52.0, 110.0, "xrecord"))
        base = dt.datetime(day.year, day.month, day.day, hour, 30).timestamp()
        events += [EventRow(base + i, "micro", o) for i, o in enumerate(OUTCOMES[:4])]
    return minutes, events


def fill(path: Path, days: int) -> None:
    """``days`` active days ending today, one batch per day."""
    store = StatsStore(path)
    assert store.open()
    today = dt.date.today()
    for back in range(days):
        minutes, events = _day_rows(today - dt.timedelta(days=back))
        store.write(minutes, events)
    store.close()


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def growth(tmp: Path) -> float:
    """Bytes per active day, measured over 30 days."""
    path = tmp / "growth" / "stats.db"
    fill(path, 1)
    one = _size(path)
    fill(path, 31)  # 31 more days, the first overlapping: 30 new
    return (_size(path) - one) / 30


def _median_ms(argv: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def commands(tmp: Path, days: int) -> dict[str, float]:
    """Median wall milliseconds of stats --week, report, and python -c pass."""
    state = tmp / "state"
    fill(state / "rsiguard" / "stats.db", days)
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    cli = [sys.executable, "-m", "rsiguard"]
    return {
        "python_pass_ms": _median_ms([sys.executable, "-c", "pass"], env),
        "stats_week_ms": _median_ms([*cli, "stats", "--week"], env),
        "report_ms": _median_ms(
            [*cli, "report", "--days", str(days), "--out", str(tmp / "r.html")], env
        ),
    }


RSS_CODE = """
import sys
from pathlib import Path
if sys.argv[1] == "store":
    from rsiguard.adapters.store import MinuteRow, StatsStore
    s = StatsStore(Path(sys.argv[2]))
    s.open()
    s.write([MinuteRow(i, keys=1) for i in range(60)], [])
for line in open("/proc/self/status"):
    if line.startswith("VmRSS:"):
        print(int(line.split()[1]))
"""


def memory(tmp: Path) -> dict[str, float]:
    """Resident kB of a process with the store open and written to, and without."""

    def rss(*args: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", RSS_CODE, *args], capture_output=True, text=True, check=True
        )
        return int(done.stdout.strip())

    without = statistics.median(rss("none") for _ in range(3))
    with_store = statistics.median(rss("store", str(tmp / "rss.db")) for _ in range(3))
    return {"without_kb": without, "with_store_kb": with_store, "store_kb": with_store - without}


def main() -> int:
    """Measure and print JSON."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.store")
    p.add_argument("--days", type=int, default=90, help="days of data for the commands")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = {
            "days": args.days,
            "bytes_per_active_day": growth(root),
            "commands": commands(root, args.days),
            "memory": memory(root),
        }
    print(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
