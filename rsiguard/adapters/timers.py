"""The one wake-up timer, on APScheduler's AsyncIOScheduler (loop thread only).

The core asks for at most one wake-up at a time; this keeps exactly one date job.
With no job the scheduler sleeps without waking. Deadlines arrive on the daemon's
monotonic clock and become wall-clock run dates here. After a suspend the job runs
late rather than never (``misfire_grace_time=None``), and a user's first input after
resume is seen as a long idle gap by the core anyway.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

JOB_ID = "wake"

# APScheduler logs every job change at INFO; one job moving about is not news.
logging.getLogger("apscheduler").setLevel(logging.WARNING)


class WakeTimer:
    """Keeps the single pending wake-up job."""

    def __init__(self, on_wake: Callable[[], None]) -> None:
        self._on_wake = on_wake
        self._scheduler = AsyncIOScheduler(
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=dt.UTC,
        )

    def start(self) -> None:
        """Start the scheduler; call inside the running loop."""
        self._scheduler.start()

    def set(self, at: float | None, now: float) -> None:
        """Wake at ``at`` (monotonic seconds, compared with ``now``); None cancels."""
        if at is None:
            if self._scheduler.get_job(JOB_ID) is not None:
                self._scheduler.remove_job(JOB_ID)
            return
        when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=max(0.0, at - now))
        self._scheduler.add_job(self._fire, "date", run_date=when, id=JOB_ID, replace_existing=True)

    async def _fire(self) -> None:
        # A coroutine job runs on the loop itself; a plain function would run in a worker
        # thread, and only the loop thread may touch the daemon's state.
        self._on_wake()

    def shutdown(self) -> None:
        """Stop the scheduler without waiting for jobs."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
