"""One program's run on a private desktop: start, idle window, flood, counts, stop.

The program is started once and stopped before the measured start, in the same
home: first-run work (Workrave builds GStreamer's plugin registry, which maps
Mesa's LLVM and doubles its RSS, and shows a welcome window) is not what a user
carries every day.

Each program gets a fresh desktop (:func:`desktop`): its own Xvfb, session bus, a
stand-in system bus (Safe Eyes will not start without one) and a notification
server (dunst, else ``tests.fakenotify``). When ``unshare`` may make a PID
namespace (root), the program runs in one as PID 2 under a ``sh`` that only waits
for it, so the namespace's last PID, read before and after the idle window, tells
how many processes and threads the program started meanwhile (Safe Eyes runs
``xprintidle`` every 2 s). ``sh`` and ``unshare`` are not measured.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import proc
from benchmarks.flood import Rates, Sent, flood, place_pointer
from benchmarks.programs import Counts, Desktop, Program, Rsiguard, package_version
from tests.desktop import dunst, process, session_bus, wait_for, xvfb

READY_TIMEOUT = 60.0


@dataclass(frozen=True)
class Windows:
    """How long each phase lasts, in seconds."""

    idle: float
    flood: float
    settle: float = 5.0  # after ready, before the idle window
    drain: float = 2.0  # after the flood, still counted as flood CPU
    count_gap: float = 1.5  # counts are read until two reads this far apart agree
    latency_runs: int = 20


FULL = Windows(idle=60.0, flood=60.0)
QUICK = Windows(idle=3.0, flood=3.0, settle=1.0, count_gap=1.2)


@contextmanager
def desktop(tmp: Path) -> Iterator[Desktop]:
    """Xvfb, a session bus, a system bus stand-in and a notification server."""
    with ExitStack() as stack:
        display = stack.enter_context(xvfb())
        bus = stack.enter_context(session_bus(tmp / "bus"))
        system_bus = stack.enter_context(session_bus(tmp / "system-bus"))
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus}
        if all(shutil.which(t) for t in ("dunst", "dunstctl", "dbus-send")):
            stack.enter_context(dunst(env, display, tmp / "dunst"))
            server = f"dunst {package_version('dunst')}".strip()
        else:
            from tests.fakenotify import FakeNotifyClient

            stack.enter_context(
                process([sys.executable, "-m", "tests.fakenotify"], env, tmp / "fake.log")
            )
            fake = FakeNotifyClient(bus)
            wait_for(lambda: _answers(fake), what="the fake notification server")
            server = "tests.fakenotify"
        yield Desktop(display, bus, system_bus, server)


def _answers(fake: Any) -> bool:
    try:
        fake.calls()
    except Exception:
        return False
    return True


@functools.cache
def pid_namespaces() -> bool:
    """Whether ``unshare --pid`` works here (it needs root)."""
    if not (shutil.which("unshare") and shutil.which("nsenter")):
        return False
    try:
        done = subprocess.run(
            ["unshare", "--pid", "--fork", "--kill-child", "true"], capture_output=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


class Launched:
    """A running program: ``root`` is its PID (outside any namespace)."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.log = log
        self.namespaced = pid_namespaces()
        if self.namespaced:
            argv = [
                *("unshare", "--pid", "--fork", "--kill-child", "--"),
                *("sh", "-c", '"$@" & wait $!', "sh", *argv),
            ]
        with open(log, "wb") as out:
            self.popen = subprocess.Popen(
                argv,
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.root = self.popen.pid
        if self.namespaced:  # unshare -> sh (PID 1) -> the program (PID 2)
            try:
                self.root = int(str(wait_for(self._grandchild, 10, 0.005, "the program")))
            except AssertionError:
                self.popen.kill()  # --kill-child takes the namespace with it
                self.popen.wait(10)
                raise

    def _grandchild(self) -> int | None:
        for sh in proc.children(self.popen.pid):
            kids = proc.children(sh)
            if kids:
                return kids[0]
        return None

    def alive(self) -> bool:
        """The program has not exited."""
        return self.popen.poll() is None and Path(f"/proc/{self.root}").exists()

    def last_pid(self) -> int | None:
        """The newest PID in the program's namespace (None without one)."""
        if not self.namespaced:
            return None
        argv = ["nsenter", "--target", str(self.root), "--pid", "--"]
        done = subprocess.run(
            [*argv, "cat", "/proc/sys/kernel/ns_last_pid"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return int(done.stdout) if done.returncode == 0 and done.stdout.strip().isdigit() else None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        with suppress(ProcessLookupError):
            os.kill(self.root, signal.SIGTERM)
        try:
            self.popen.wait(10)
        except subprocess.TimeoutExpired:
            for pid in (self.root, self.popen.pid):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.popen.wait(10)

    def tail(self, lines: int = 15) -> str:
        """The end of the program's output."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def accuracy(before: Counts, after: Counts, sent: Sent) -> dict[str, Any]:
    """counted / sent for keys, clicks, scroll and pointer distance ("moves")."""

    def diff(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else b - a

    counted = {
        "keys": diff(before.keys, after.keys),
        "clicks": diff(before.clicks, after.clicks),
        "scroll": diff(before.scroll, after.scroll),
        "pointer_px": diff(before.pointer_px, after.pointer_px),
    }
    # A program without a scroll count but with clicks counts wheel steps as clicks.
    clicks_sent = sent.clicks + (sent.scroll if counted["scroll"] is None else 0)
    pairs = {
        "keys": (counted["keys"], sent.keys),
        "clicks": (counted["clicks"], clicks_sent),
        "scroll": (counted["scroll"], sent.scroll),
        "moves": (counted["pointer_px"], sent.pointer_px),
    }
    ratios = {k: None if c is None or not s else round(c / s, 5) for k, (c, s) in pairs.items()}
    notes = "clicks include wheel steps (counted as clicks)" if clicks_sent != sent.clicks else ""
    return {"counted": counted, "ratio": ratios, "notes": notes}


def latency(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    """Wall seconds of ``runs`` runs of ``cmd`` (after one warm-up run)."""
    times = []
    for i in range(runs + 1):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i:
            times.append(time.perf_counter() - t)
    return times


def status_latency(prog: Rsiguard, runs: int) -> dict[str, Any]:
    """Median of ``rsiguard status`` and of ``python -c pass``, interleaved."""
    status_t: list[float] = []
    python_t: list[float] = []
    for _ in range(runs):
        status_t += latency([*prog.cli(), "status"], prog.env, 1)
        python_t += latency([sys.executable, "-c", "pass"], prog.env, 1)
    status_ms = statistics.median(status_t) * 1000
    python_ms = statistics.median(python_t) * 1000
    return {
        "runs": runs,
        "status_ms": round(status_ms, 1),
        "python_pass_ms": round(python_ms, 1),
        "ratio": round(status_ms / python_ms, 2),
        "command": " ".join([*prog.cli(), "status"]),
    }


def run_program(
    prog: Program, tmp: Path, windows: Windows, rates: Rates, log: Any = print
) -> dict[str, Any]:
    """Measure one program on a fresh desktop; errors end up in the result's ``error``."""
    result: dict[str, Any] = {
        "title": prog.title,
        "version": prog.version(),
        "ready_how": prog.ready_how,
        "counts_how": prog.counts_how,
    }
    why = prog.missing()
    if why:
        result["error"] = why
        return result
    home = tmp / prog.key
    home.mkdir(parents=True, exist_ok=True)
    with desktop(tmp / f"{prog.key}-desktop") as desk:
        result["notifications"] = desk.notifications
        argv = prog.prepare(home, desk)
        try:
            _prime(prog, argv, home, windows)
        except Exception as exc:
            result["error"] = f"first start: {type(exc).__name__}: {exc}"
            log(f"  {prog.title}: {result['error']}")
            return result
        t0 = time.monotonic()
        launched = Launched(argv, prog.env, home, home / "output.log")
        try:
            _measure(prog, launched, desk, windows, rates, result, t0, log)
        except Exception as exc:
            result["error"] = f"{type(exc).__name__}: {exc}"
            result["output_tail"] = launched.tail()
            log(f"  {prog.title}: {result['error']}")
        finally:
            launched.stop()
            prog.close()
    return result


def _wait_ready(prog: Program, run: Launched, t0: float) -> float:
    """Poll ``prog.ready()`` every 20 ms; seconds since ``t0`` when it was."""
    while not prog.ready():
        if not run.alive():
            raise RuntimeError(f"exited with status {run.popen.poll()} before it was ready")
        if time.monotonic() - t0 > READY_TIMEOUT:
            raise RuntimeError(f"not ready after {READY_TIMEOUT:.0f} s")
        time.sleep(0.02)
    return time.monotonic() - t0


def _prime(prog: Program, argv: list[str], home: Path, windows: Windows) -> None:
    """Start the program once and stop it: first-run work (Workrave's welcome window,
    GStreamer's plugin registry, Safe Eyes' config) is not what users carry every day."""
    run = Launched(argv, prog.env, home, home / "first-start.log")
    try:
        _wait_ready(prog, run, time.monotonic())
        time.sleep(windows.settle)
    finally:
        run.stop()
        prog.close()


def _measure(
    prog: Program,
    run: Launched,
    desk: Desktop,
    windows: Windows,
    rates: Rates,
    result: dict[str, Any],
    t0: float,
    log: Any,
) -> None:
    result["ready_s"] = round(_wait_ready(prog, run, t0), 3)
    result["pid_namespace"] = run.namespaced
    log(f"  {prog.title}: ready after {result['ready_s']} s; idle {windows.idle:g} s")
    result.update(prog.info())
    time.sleep(windows.settle)

    # Idle: nobody touches the display or the program.
    n0, s0, i0 = run.last_pid(), proc.snapshot(run.root), time.monotonic()
    time.sleep(windows.idle)
    s1, i1, n1 = proc.snapshot(run.root), time.monotonic(), run.last_pid()
    idle_s = i1 - i0
    wakeups, by_thread = proc.wakeups(s0, s1)
    result.update(
        idle_window_s=round(idle_s, 2),
        rss_idle_kb=s1.rss_kb,
        pss_idle_kb=s1.pss_kb,
        uss_idle_kb=s1.uss_kb,
        processes=len(s1.pids),
        threads=s1.nthreads,
        cpu_idle_s=round(s1.cpu_s - s0.cpu_s, 3),
        wakeups_idle=wakeups,
        wakeups_idle_per_s=round(wakeups / idle_s, 3),
        wakeups_idle_by_thread=by_thread,
        tasks_started_idle=None if n0 is None or n1 is None else n1 - n0 - 1,
    )
    if isinstance(prog, Rsiguard):
        result["rss_by_mapping_kb"] = dict(proc.top_mappings(run.root))

    # Flood.
    place_pointer(desk.display)
    time.sleep(windows.count_gap)
    before = prog.settled_counts(windows.count_gap)
    log(f"  {prog.title}: flood {windows.flood:g} s")
    f0 = proc.snapshot(run.root)
    sent = flood(desk.display, windows.flood, rates)
    time.sleep(windows.drain)
    f1 = proc.snapshot(run.root)
    after = prog.settled_counts(windows.count_gap)
    if not run.alive():
        raise RuntimeError(f"exited with status {run.popen.poll()} during the flood")
    cpu = f1.cpu_s - f0.cpu_s
    result.update(
        sent=sent.as_dict(),
        flood_window_s=round(sent.seconds + windows.drain, 2),
        cpu_flood_s=round(cpu, 3),
        cpu_per_event_us=round(cpu / sent.device_events * 1e6, 2),
        rss_flood_kb=f1.rss_kb,
        pss_flood_kb=f1.pss_kb,
        uss_flood_kb=f1.uss_kb,
        threads_flood=f1.nthreads,
    )
    if before is not None and after is not None:
        result["accuracy"] = accuracy(before, after, sent)
    else:
        result["accuracy"] = None
    if isinstance(prog, Rsiguard):
        result["status_latency"] = status_latency(prog, windows.latency_runs)
        result.update(prog.info())
