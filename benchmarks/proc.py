"""What a process tree costs, read from ``/proc`` (Linux only).

A *tree* is a root PID and all its live descendants (found through
``/proc/PID/task/TID/children``). Everything is summed over the tree:

* CPU: ``utime + stime + cutime + cstime`` of every live process, so the CPU of
  children that already exited (and were waited for) is in their parent's
  ``cutime``/``cstime`` and is not lost. Resolution: one clock tick (10 ms).
* Memory: ``Rss``, ``Pss`` and USS (``Private_Clean + Private_Dirty``) from
  ``/proc/PID/smaps_rollup``.
* Wake-ups: ``voluntary_ctxt_switches`` of every thread (``/proc/PID/task/*/status``);
  threads that end between two snapshots take theirs with them.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return ""


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (over all its threads)."""
    kids: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except (FileNotFoundError, ProcessLookupError):
        return kids
    for task in tasks:
        kids += [int(p) for p in _read(task / "children").split()]
    return kids


def tree(root: int) -> list[int]:
    """``root`` and its live descendants, parents first."""
    out: list[int] = []
    todo = [root]
    while todo:
        pid = todo.pop(0)
        if (PROC / str(pid)).exists():
            out.append(pid)
            todo += children(pid)
    return out


def cpu_seconds(pid: int) -> float:
    """utime + stime + cutime + cstime of one process, in seconds (0 if gone)."""
    stat = _read(PROC / str(pid) / "stat")
    if not stat:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
    return sum(int(f) for f in fields[11:15]) / TICK


def memory_kb(pid: int) -> dict[str, int]:
    """Rss, Pss and USS of one process in kB, from smaps_rollup (zeros if gone)."""
    got = {"rss": 0, "pss": 0, "uss": 0}
    for line in _read(PROC / str(pid) / "smaps_rollup").splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if not parts or not parts[0].isdigit():
            continue
        value = int(parts[0])
        if key == "Rss":
            got["rss"] = value
        elif key == "Pss":
            got["pss"] = value
        elif key in ("Private_Clean", "Private_Dirty"):
            got["uss"] += value
    return got


def thread_switches(pid: int) -> dict[int, tuple[str, int]]:
    """tid -> (thread name, voluntary context switches) for every thread of ``pid``."""
    out: dict[int, tuple[str, int]] = {}
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except (FileNotFoundError, ProcessLookupError):
        return out
    for task in tasks:
        name = _read(task / "comm").strip()
        for line in _read(task / "status").splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                out[int(task.name)] = (name, int(line.split()[1]))
    return out


@dataclass
class Snapshot:
    """One look at a tree: CPU, memory, per-thread wake-ups."""

    pids: list[int]
    cpu_s: float
    rss_kb: int
    pss_kb: int
    uss_kb: int
    threads: dict[int, tuple[str, int]] = field(default_factory=dict)

    @property
    def nthreads(self) -> int:
        """Live threads in the tree."""
        return len(self.threads)


def snapshot(root: int) -> Snapshot:
    """Measure the tree under ``root`` now."""
    pids = tree(root)
    cpu = 0.0
    mem = {"rss": 0, "pss": 0, "uss": 0}
    threads: dict[int, tuple[str, int]] = {}
    for pid in pids:
        cpu += cpu_seconds(pid)
        for k, v in memory_kb(pid).items():
            mem[k] += v
        threads.update(thread_switches(pid))
    return Snapshot(pids, cpu, mem["rss"], mem["pss"], mem["uss"], threads)


def wakeups(before: Snapshot, after: Snapshot) -> tuple[int, dict[str, int]]:
    """Voluntary context switches between two snapshots: total, and by thread name."""
    by_name: dict[str, int] = defaultdict(int)
    for tid, (name, count) in after.threads.items():
        delta = count - before.threads.get(tid, (name, 0))[1]
        by_name[name] += delta
    return sum(by_name.values()), dict(sorted(by_name.items(), key=lambda kv: -kv[1]))


def top_mappings(pid: int, n: int = 10) -> list[tuple[str, int]]:
    """The ``n`` largest contributors to ``pid``'s RSS (kB), grouped by file name.

    Anonymous memory (the Python heap, arenas, thread stacks) shows as ``[anon]``.
    """
    sizes: dict[str, int] = defaultdict(int)
    name = "[anon]"
    for line in _read(PROC / str(pid) / "smaps").splitlines():
        head = line.split(maxsplit=5)
        if len(head) >= 5 and "-" in head[0] and not head[0].endswith(":"):
            path = head[5].strip() if len(head) == 6 else ""
            name = os.path.basename(path) if path.startswith("/") else (path or "[anon]")
        elif line.startswith("Rss:"):
            sizes[name] += int(line.split()[1])
    return sorted(sizes.items(), key=lambda kv: -kv[1])[:n]
