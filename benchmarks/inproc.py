"""Measurements in a fresh interpreter, printed as JSON on stdout.

``python -m benchmarks.inproc core [--seconds S]``
    Core throughput: ``ActivitySample`` events per second through
    ``rsiguard.core.machine.step`` on a fake clock (due breaks are started, wakes
    fired when the core's deadline passes, as the daemon would).

``python -m benchmarks.inproc day [--hours H] [--trace FRAMES]``
    A simulated working day driven through the daemon at full speed: a real
    ``rsiguard.daemon.service.Daemon`` (config loaded as ``rsiguard run`` loads it, log
    notifier, no display or bus) whose clock is replaced by a fake one. It is fed
    one ``ActivitySample`` per active second until H hours of samples went in, with
    idle gaps, a lunch break and the user answering due breaks (snooze, start, skip);
    the core's wake-ups are dispatched when due, the state file is written every 5
    simulated seconds (as the daemon does at most) and ``status`` is asked every
    minute. RSS (and with ``--trace`` tracemalloc) is taken after setup and after each
    hour of samples; with ``--trace`` also where traced memory grew after hour 1. If
    the daemon cannot be driven this way (its internals changed), the same day goes
    through the pure core and ``mode`` says so.

``python -m benchmarks.inproc imports [--display D]`` (see :mod:`benchmarks.imports`)
    RSS, module count and time of importing each big dependency alone, in a fresh
    interpreter each, and the slowest imports of ``rsiguard.daemon.service`` (``-X importtime``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from rsiguard.core import events as ev
from rsiguard.core.effects import Schedule
from rsiguard.core.machine import initial_state, step
from rsiguard.core.policy import Policy


def rss_kb() -> int:
    """This process's resident set size in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# --- core throughput ------------------------------------------------------------------


def core(seconds: float) -> dict[str, Any]:
    """Samples per second through the pure core."""
    state = initial_state(Policy())
    samples = [
        ev.ActivitySample(keys=k % 7, clicks=k % 2, scroll=k % 3, pointer_px=40.0 * k)
        for k in range(10)
    ]
    t, deadline, n, wakes = 0.0, None, 0, 0
    start = time.perf_counter()
    while True:
        for i in range(2000):
            t += 1.0
            if deadline is not None and deadline <= t:
                deadline = None
                state, fx = step(state, ev.Wake(), t)
                wakes += 1
                deadline = next((e.at for e in fx if isinstance(e, Schedule)), deadline)
            state, fx = step(state, samples[i % 10], t)
            n += 1
            deadline = next((e.at for e in fx if isinstance(e, Schedule)), deadline)
            if state.phase.value == "due":
                state, fx = step(state, ev.StartBreak(), t)
                deadline = next((e.at for e in fx if isinstance(e, Schedule)), deadline)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    return {
        "samples": n,
        "wakes": wakes,
        "seconds": round(elapsed, 3),
        "samples_per_s": round(n / elapsed),
        "us_per_sample": round(elapsed / n * 1e6, 2),
    }


# --- a simulated day --------------------------------------------------------------------


class DayPlan:
    """Who does what, second by second (deterministic)."""

    def __init__(self) -> None:
        self.rng = random.Random(8)
        self.idle_left = 0
        self.next_gap = self.rng.randint(1500, 3000)
        self.lunch_done = False
        self.due_since: float | None = None
        self.answers = ["snooze", "break", "skip"]
        self.answered = 0

    def sample(self, active_s: int) -> ev.ActivitySample | None:
        """This second's input, or None while the user is away."""
        if self.idle_left > 0:
            self.idle_left -= 1
            return None
        if not self.lunch_done and active_s >= 4 * 3600:
            self.lunch_done, self.idle_left = True, 45 * 60
        elif active_s >= self.next_gap:
            self.idle_left = self.rng.randint(20, 400)
            self.next_gap = active_s + self.rng.randint(1500, 3000)
        r = self.rng
        return ev.ActivitySample(
            keys=r.randint(0, 9),
            clicks=r.randint(0, 1),
            scroll=r.randint(0, 2),
            pointer_px=float(r.randint(0, 400)),
        )

    def answer(self, phase: str, now: float) -> str | None:
        """The command the user gives now, if any (10 s after a break falls due)."""
        if phase != "due":
            self.due_since = None
            return None
        if self.due_since is None:
            self.due_since = now
        if now - self.due_since < 10:
            return None
        self.due_since = None
        self.answered += 1
        return self.answers[self.answered % 3]


class Driver:
    """Feeds a day through ``dispatch`` and ``command`` at a fake time ``clock[0]``."""

    def __init__(
        self,
        clock: list[float],
        dispatch: Callable[[ev.Event], object],
        command: Callable[[str], object],
        phase: Callable[[], str],
        deadline: Callable[[], float | None],
        save: Callable[[], object],
    ) -> None:
        self.clock, self.dispatch, self.command = clock, dispatch, command
        self.phase, self.deadline, self.save = phase, deadline, save
        self.counts = {"samples": 0, "wakes": 0, "commands": 0, "saves": 0, "status": 0}
        self.plan = DayPlan()

    def second(self) -> None:
        """One simulated second."""
        self.clock[0] += 1.0
        now = self.clock[0]
        due = self.deadline()
        if due is not None and due <= now:
            self.dispatch(ev.Wake())
            self.counts["wakes"] += 1
        sample = self.plan.sample(self.counts["samples"])
        if sample is not None:
            self.dispatch(sample)
            self.counts["samples"] += 1
        cmd = self.plan.answer(self.phase(), now)
        if cmd is not None:
            self.command(cmd)
            self.counts["commands"] += 1
        if int(now) % 5 == 0:
            self.save()
            self.counts["saves"] += 1
        if int(now) % 60 == 0:
            json.dumps(self.command("status"))
            self.counts["status"] += 1


def _measure(trace: bool) -> dict[str, int]:
    gc.collect()
    out = {"rss_kb": rss_kb()}
    if trace:
        out["traced_kb"] = tracemalloc.get_traced_memory()[0] // 1024
    return out


def _growth_sites(old: Any, new: Any, n: int = 5) -> list[dict[str, Any]]:
    """Where traced memory grew most between two snapshots (innermost frame, and the
    innermost rsiguard frame)."""
    sites = []
    for stat in new.compare_to(old, "traceback")[:n]:
        frames = [f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback]
        ours = [
            f"{Path(f.filename).name}:{f.lineno}"
            for f in stat.traceback
            if "/rsiguard/" in f.filename
        ]
        sites.append(
            {
                "size_kb": round(stat.size_diff / 1024, 1),
                "blocks": stat.count_diff,
                "at": frames[-1] if frames else "?",
                "from_rsiguard": ours[-1] if ours else None,
            }
        )
    return sites


async def _day_daemon(hours: float, trace: bool, tmp: Path) -> dict[str, Any]:
    from rsiguard.adapters.notify.backends import LogNotifier
    from rsiguard.control.protocol import Request
    from rsiguard.daemon import service as dm
    from rsiguard.settings.validate import in_child

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "XDG_STATE_HOME": str(tmp / "state"),
        "XDG_CONFIG_HOME": str(tmp / "cfg"),
        "XDG_RUNTIME_DIR": str(tmp / "run"),
        "RSIGUARD_SITE_DIR": str(tmp / "site"),
    }
    clock = [1000.0]
    dm.boottime = lambda: clock[0]  # the daemon's only clock, module-level
    d = dm.Daemon(env, in_child(env, None), None)  # as ``rsiguard run`` does
    d.state = replace(d.state, today=replace(d.state.today, day=dm.today()))
    d.notifier = LogNotifier()
    d.timer.start()

    def command(cmd: str) -> object:
        return d.command(Request(cmd)).data

    drv = Driver(
        clock,
        d.dispatch,
        command,
        lambda: d.state.phase.value,
        lambda: d.state.deadline,
        d.save,
    )
    return await _run_day(drv, hours, trace, settle=asyncio.sleep)


async def _run_day(
    drv: Driver, hours: float, trace: bool, settle: Callable[[float], Any]
) -> dict[str, Any]:
    target = int(hours * 3600)
    hourly: list[dict[str, int]] = []
    snaps: list[Any] = []

    async def mark() -> None:
        for _ in range(5):
            await settle(0)  # let notification tasks finish, as the loop would
        hourly.append(_measure(trace))
        if trace and len(hourly) in (2, int(hours) + 1):  # after hour 1, at the end
            snaps.append(tracemalloc.take_snapshot())

    await mark()
    t0 = time.perf_counter()
    while drv.counts["samples"] < target:
        drv.second()
        if drv.counts["samples"] % 500 == 0:
            await settle(0)
        if drv.counts["samples"] == 3600 * len(hourly) and drv.counts["samples"] < target:
            await mark()
    await mark()
    elapsed = time.perf_counter() - t0
    result: dict[str, Any] = {"hours_of_samples": hours, **drv.counts, "hourly": hourly}
    result["simulated_hours"] = round((drv.clock[0] - 1000.0) / 3600, 2)
    result["seconds"] = round(elapsed, 2)
    start, hour1, end = hourly[0], hourly[min(1, len(hourly) - 1)], hourly[-1]
    for key in start:
        result[f"growth_{key}"] = end[key] - start[key]
        result[f"growth_after_hour1_{key}"] = end[key] - hour1[key]
    if len(snaps) == 2:
        result["growth_sites_after_hour1"] = _growth_sites(snaps[0], snaps[1])
    return result


async def _day_core(hours: float, trace: bool) -> dict[str, Any]:
    from rsiguard.core.view import status

    clock = [1000.0]
    box = {"state": initial_state(Policy())}
    commands: dict[str, ev.Event] = {
        "snooze": ev.Snooze(),
        "break": ev.StartBreak(),
        "skip": ev.Skip(),
    }

    def dispatch(event: ev.Event) -> object:
        box["state"], fx = step(box["state"], event, clock[0])
        return fx

    def command(cmd: str) -> object:
        return status(box["state"], clock[0]) if cmd == "status" else dispatch(commands[cmd])

    drv = Driver(
        clock,
        dispatch,
        command,
        lambda: box["state"].phase.value,
        lambda: box["state"].deadline,
        lambda: None,
    )
    return await _run_day(drv, hours, trace, settle=asyncio.sleep)


def day(hours: float, trace: int) -> dict[str, Any]:
    """The simulated day; see the module docstring (``trace``: frames kept, 0 for none)."""
    if trace:
        tracemalloc.start(trace)
    shm = Path("/dev/shm")  # fsync on tmpfs is free: the day is about memory, not disks
    base = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="rsiguard-day-", dir=base) as tmp:
        try:
            result = asyncio.run(_day_daemon(hours, bool(trace), Path(tmp)))
            result["mode"] = "daemon"
        except (AttributeError, TypeError, ImportError) as exc:
            result = asyncio.run(_day_core(hours, bool(trace)))
            result["mode"] = f"core (the daemon could not be driven: {exc})"
    return result


def main(argv: list[str] | None = None) -> int:
    """Run one measurement and print its JSON."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.inproc")
    sub = p.add_subparsers(dest="what", required=True)
    c = sub.add_parser("core")
    c.add_argument("--seconds", type=float, default=3.0)
    d = sub.add_parser("day")
    d.add_argument("--hours", type=float, default=8.0)
    d.add_argument("--trace", type=int, default=0, metavar="FRAMES")
    i = sub.add_parser("imports")
    i.add_argument("--display")
    args = p.parse_args(argv)
    if args.what == "core":
        out = core(args.seconds)
    elif args.what == "day":
        out = day(args.hours, args.trace)
    else:
        from benchmarks.imports import imports

        out = imports(args.display)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
