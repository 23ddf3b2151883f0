"""A synthetic fortnight of statistics and a real headless Chromium, for the report."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from rsiguard.adapters.store import EventRow, MinuteRow, StatsStore, add_checkin, connect

# The flags a root, offline CI machine needs (no sandbox, no GPU, no network chatter).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def fortnight(state_home: Path, days: int = 14) -> None:
    """Activity every working day of the last ``days`` days, with breaks of each kind."""
    store = StatsStore(state_home / "rsiguard" / "stats.db")
    assert store.open()
    today = dt.date.today()
    minutes, events = [], []
    for back in range(days):
        day = today - dt.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for hour in (9, 10, 11, 14, 15, 16):
            for minute in range(0, 60):
                at = dt.datetime(day.year, day.month, day.day, hour, minute).timestamp()
                busy = 1 + (hour % 3) + back % 2
                minutes.append(
                    MinuteRow(int(at // 60), 40 * busy, 6, 2, 1500.0, 55.0, 60.0 * busy, "xrecord")
                )
        noon = dt.datetime(day.year, day.month, day.day, 12).timestamp()
        for i, outcome in enumerate(("completed", "natural", "snoozed", "completed", "skipped")):
            events += [EventRow(noon + i, "micro", "due"), EventRow(noon + i, "micro", outcome)]
    store.write(minutes, events)
    store.close()
    conn = connect(state_home / "rsiguard" / "stats.db")
    answers = ((13, 2, 1), (10, 3, 1), (6, 3, 2), (3, 4, 1), (0, 5, 2))
    for back, wrists, eyes in answers:
        at = dt.datetime.combine(today - dt.timedelta(days=back), dt.time(17)).timestamp()
        add_checkin(conn, at, {"wrists": wrists, "eyes": eyes})
    conn.close()


def screenshot(page: Path, out: Path, size: str = "760,1420") -> None:
    """Render ``page`` in headless Chromium and save a PNG of it at ``out``."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is missing: apt-get install -y chromium"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             f"--window-size={size}", f"--screenshot={out}", page.resolve().as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
