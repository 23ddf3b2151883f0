"""One run at a time; calls during a run share the next."""

from __future__ import annotations

import asyncio

from rsiguard.daemon.coalesce import OneAtATime


def test_calls_during_a_run_share_one_more_run() -> None:
    started: list[int] = []

    async def job() -> int:
        started.append(len(started) + 1)
        n = len(started)
        await asyncio.sleep(0.05)
        return n

    async def main() -> list[int]:
        runner = OneAtATime(job)
        first = asyncio.ensure_future(runner())
        await asyncio.sleep(0.01)  # the first run is under way
        rest = [asyncio.ensure_future(runner()) for _ in range(50)]
        results = await asyncio.gather(first, *rest)
        again = await runner()  # after both: a fresh run
        return [*results, again]

    results = asyncio.run(main())
    assert results[0] == 1 and set(results[1:51]) == {2} and results[51] == 3


def test_a_failing_run_does_not_stop_the_next() -> None:
    calls = 0

    async def job() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.02)
        if calls == 1:
            raise RuntimeError("first")
        return "ok"

    async def main() -> tuple[BaseException | str, str]:
        runner = OneAtATime(job)
        first = asyncio.ensure_future(runner())
        await asyncio.sleep(0.005)
        second = await runner()
        try:
            return await first, second
        except RuntimeError as exc:
            return exc, second

    first, second = asyncio.run(main())
    assert isinstance(first, RuntimeError) and second == "ok"
