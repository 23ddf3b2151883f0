"""The one wake-up timer, on APScheduler's AsyncIOScheduler (loop thread only).

The core asks for at most one wake-up at a time; this keeps exactly one date job.
With no job the scheduler sleeps without waking. After a suspend the job runs late
rather than never (``misfire_grace_time=None``), and a user's first input after resume
is seen as a long idle gap by the core anyway.

Deadlines are on the daemon's monotonic clock, but APScheduler compares run dates with
the wall clock, so a clock set back by an hour would hold a job back by an hour. The
timer therefore keeps the monotonic deadline itself and re-anchors the job's wall-clock
run date to it every time the scheduler wakes (APScheduler sleeps with the loop's
monotonic ``call_later``, so it does wake at the right moment): a wall-clock step in
either direction can neither delay nor advance a deadline.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

JOB_ID = "wake"
# Re-anchor only when the job's run date is off by more than this (a re-anchor wakes
# the scheduler once more; rounding must not make that a loop).
SLACK_S = 0.05
# The longest single wait handed to the scheduler: a later deadline is reached in
# steps (each wake-up re-anchors), and no datetime arithmetic can overflow.
MAX_WAIT_S = 7 * 86400.0

# APScheduler logs every job change at INFO; one job moving about is not news.
logging.getLogger("apscheduler").setLevel(logging.WARNING)


class _AnchoredScheduler(AsyncIOScheduler):  # type: ignore[misc]
    """An AsyncIOScheduler that calls ``before_jobs`` each time it looks for due jobs."""

    def __init__(self, before_jobs: Callable[[], None], **options: Any) -> None:
        super().__init__(**options)
        self._before_jobs = before_jobs

    def _process_jobs(self) -> Any:
        self._before_jobs()
        return super()._process_jobs()


class WakeTimer:
    """Keeps the single pending wake-up job, anchored to a monotonic deadline."""

    def __init__(self, on_wake: Callable[[], None], clock: Callable[[], float]) -> None:
        """``clock`` is the monotonic clock deadlines are on (the daemon's boottime)."""
        self._on_wake = on_wake
        self._clock = clock
        self._deadline: float | None = None
        self._scheduler = _AnchoredScheduler(
            self._anchor,
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=dt.UTC,
        )

    def start(self) -> None:
        """Start the scheduler; call inside the running loop."""
        self._scheduler.start()

    def set(self, at: float | None, now: float) -> None:
        """Wake at ``at`` (monotonic seconds, compared with ``now``); None cancels."""
        self._deadline = at
        if at is None:
            if self._scheduler.get_job(JOB_ID) is not None:
                self._scheduler.remove_job(JOB_ID)
            return
        self._scheduler.add_job(
            self._fire, "date", run_date=self._run_date(at, now), id=JOB_ID, replace_existing=True
        )

    @staticmethod
    def _run_date(at: float, now: float) -> dt.datetime:
        wait = min(max(0.0, at - now), MAX_WAIT_S)
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait)

    def _anchor(self) -> None:
        """Scheduler thread (the loop): move the job to where the deadline is now."""
        job = self._scheduler.get_job(JOB_ID)
        if job is None or self._deadline is None or job.next_run_time is None:
            return
        wanted = self._run_date(self._deadline, self._clock())
        if abs((job.next_run_time - wanted).total_seconds()) > SLACK_S:
            job.modify(next_run_time=wanted)

    async def _fire(self) -> None:
        # A coroutine job runs on the loop itself; a plain function would run in a worker
        # thread, and only the loop thread may touch the daemon's state.
        if self._deadline is not None and self._clock() < self._deadline - SLACK_S:
            self.set(self._deadline, self._clock())  # a far deadline, reached in steps
            return
        self._deadline = None
        self._on_wake()

    def shutdown(self) -> None:
        """Stop the scheduler without waiting for jobs."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
