"""The wake-up timer in process: one job, anchored to a monotonic deadline."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest

from rsiguard.adapters.timers import MAX_WAIT_S, WakeTimer
from rsiguard.daemon.startup import LOG_REPEAT_S, _quieter_exception_handler


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_absurd_deadline_is_reached_in_steps_without_overflow() -> None:
    async def main() -> dt.datetime:
        timer = WakeTimer(lambda: None, Clock())
        timer.start()
        timer.set(1e300, 1000.0)
        job = timer._scheduler.get_job("wake")
        timer.shutdown()
        return job.next_run_time  # type: ignore[no-any-return]

    when = asyncio.run(main())
    assert when - dt.datetime.now(dt.UTC) <= dt.timedelta(seconds=MAX_WAIT_S + 1)


def test_the_job_follows_the_monotonic_deadline_not_the_wall_clock() -> None:
    clock = Clock()
    fired: list[float] = []

    async def main() -> None:
        timer = WakeTimer(lambda: fired.append(clock.now), clock)
        timer.start()
        timer.set(clock.now + 3600, clock.now)  # an hour from now...
        clock.now += 3600  # ...and the monotonic hour passes (the wall clock did not move)
        timer._scheduler.wakeup()  # what the loop's call_later would do
        for _ in range(50):
            if fired:
                break
            await asyncio.sleep(0.01)
        timer.shutdown()

    asyncio.run(main())
    assert fired == [clock.now]


def test_the_same_asyncio_error_is_logged_once_a_minute(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [0.0]
    monkeypatch.setattr("rsiguard.daemon.startup.time.monotonic", lambda: now[0])
    handler = _quieter_exception_handler()
    loop = asyncio.new_event_loop()
    try:
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            for _ in range(2000):
                handler(loop, {"message": "socket.accept() out of system resource"})
            now[0] += LOG_REPEAT_S
            handler(loop, {"message": "socket.accept() out of system resource"})
            handler(loop, {"message": "something else"})
    finally:
        loop.close()
    messages = [r.getMessage() for r in caplog.records]
    assert messages.count("socket.accept() out of system resource") == 2
    assert messages.count("something else") == 1
