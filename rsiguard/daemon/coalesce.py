"""Run an async job one at a time; calls made while it runs share the next run.

For reloads: 200 SIGHUPs in a row must not start 200 validation children. The first
call runs the job; calls during that run all wait for one more run, which starts when
the first ends and so sees the files as they are after the last call.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class OneAtATime(Generic[T]):
    """Loop thread only. ``await runner()`` gives the result of the run it joined."""

    def __init__(self, job: Callable[[], Awaitable[T]]) -> None:
        self._job = job
        self._running: asyncio.Future[T] | None = None
        self._next: asyncio.Future[T] | None = None

    async def __call__(self) -> T:
        task: asyncio.Future[T]
        if self._running is None:
            self._running = task = asyncio.ensure_future(self._run())
        elif self._next is None:
            self._next = task = asyncio.ensure_future(self._after(self._running))
        else:
            task = self._next
        # Shielded: a caller that goes away (a closed connection) does not cancel a run.
        return await asyncio.shield(task)

    async def _after(self, running: asyncio.Future[T]) -> T:
        with contextlib.suppress(Exception):
            await running
        self._running, self._next = self._next, None
        return await self._run()

    async def _run(self) -> T:
        try:
            return await self._job()
        finally:
            if self._next is None:
                self._running = None
