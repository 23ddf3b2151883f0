"""Batching statistics for :mod:`rsiguard.adapters.store`, off the loop's hot path.

Loop thread: :meth:`Recorder.activity` and :meth:`Recorder.event` only add to an
in-memory batch. The first addition arms one timer; after :data:`FLUSH_S` the batch
goes to the store on the store's own thread (sqlite blocks). While idle nothing is
added, so nothing is armed: no wake-ups. One transaction a minute at most.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import logging
import time
from collections.abc import Callable
from pathlib import Path

from rsiguard.adapters.store import (
    RETENTION_DAYS,
    EventRow,
    MinuteRow,
    StatsStore,
    add_up,
)
from rsiguard.core.policy import IntensityPolicy
from rsiguard.core.state import Today

log = logging.getLogger("rsiguard.stats")

FLUSH_S = 60.0
# A check-in is asked for once, and reminded once; then left alone until answered.
CHECKIN_ASKS = 2
CLOSE_TIMEOUT_S = 10.0


class Recorder:
    """Collects minute rows and events on the loop thread; writes them on its own."""

    def __init__(self, path: Path, loop: asyncio.AbstractEventLoop) -> None:
        self.store = StatsStore(path)
        self._loop = loop
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="rsiguard-stats")
        self._minutes: list[MinuteRow] = []
        self._events: list[EventRow] = []
        self._handle: asyncio.TimerHandle | None = None
        self._writing: concurrent.futures.Future[None] | None = None

    def start(self, retention_days: float = RETENTION_DAYS) -> None:
        """Open the database and drop what is older than the retention (store thread)."""
        cutoff = time.time() - retention_days * 86400
        self._writing = self._pool.submit(self._open_and_forget, cutoff)

    def _open_and_forget(self, cutoff: float) -> None:
        if self.store.open():
            self.store.forget(cutoff)

    def week_before(self, on_result: Callable[[float], None]) -> None:
        """Find the active seconds of the six local days before today (on the store's
        thread, after what is queued there) and pass them to ``on_result`` on the loop."""
        today = dt.date.today()
        start = dt.datetime.combine(today - dt.timedelta(days=6), dt.time()).timestamp()
        end = dt.datetime.combine(today, dt.time()).timestamp()

        def query() -> None:
            seconds = self.store.active_between(start, end)
            self._loop.call_soon_threadsafe(on_result, seconds)

        self._pool.submit(query)

    def checkin_owed(self, every_days: int, on_owed: Callable[[], None]) -> None:
        """Store thread: call ``on_owed`` on the loop when a check-in reminder is due: the
        last check-in (or the first statistics) is ``every_days`` old, and it was asked
        for at most once since, more than a day ago. Never nagging: two asks at most."""
        if every_days <= 0:
            return
        now = time.time()

        def query() -> None:
            since, asks = self.store.checkin_asks()
            if since is None or now - since < every_days * 86400:
                return
            if len(asks) >= CHECKIN_ASKS or (asks and now - asks[-1] < 86400):
                return
            self._loop.call_soon_threadsafe(on_owed)

        self._pool.submit(query)

    def activity(
        self, before: Today, after: Today, wall: float, weights: IntensityPolicy, backend: str
    ) -> None:
        """Add what the counters gained between ``before`` and ``after`` to this minute."""
        keys = max(0, after.keys - before.keys)
        clicks = max(0, after.clicks - before.clicks)
        scroll = max(0, after.scroll - before.scroll)
        px = max(0.0, after.pointer_px - before.pointer_px)
        active = max(0.0, after.active_s - before.active_s)
        if not (keys or clicks or scroll or px or active):
            return
        load = weights.load(keys, clicks, scroll, px)
        self._minutes.append(
            MinuteRow(int(wall // 60), keys, clicks, scroll, px, active, load, backend)
        )
        if len(self._minutes) > 120:  # a long minute of samples: keep the batch small
            self._minutes = list(add_up(self._minutes).values())
        self._arm()

    def event(self, kind: str, outcome: str, routine: str, wall: float) -> None:
        """Add one break event."""
        self._events.append(EventRow(wall, kind, outcome, routine))
        self._arm()

    def _arm(self) -> None:
        if self._handle is None:
            self._handle = self._loop.call_later(FLUSH_S, self.flush)

    def flush(self) -> None:
        """Hand the batch to the store thread now (loop thread)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if not (self._minutes or self._events):
            return
        minutes, events = list(add_up(self._minutes).values()), self._events
        self._minutes, self._events = [], []
        self._writing = self._pool.submit(self.store.write, minutes, events)

    def close(self) -> None:
        """Write what is left and close the database (waits a bounded time)."""
        self.flush()
        done = self._pool.submit(self.store.close)
        try:
            done.result(CLOSE_TIMEOUT_S)
        except concurrent.futures.TimeoutError:
            log.warning("statistics: the last write did not finish in %.0f s", CLOSE_TIMEOUT_S)
        self._pool.shutdown(wait=False)
