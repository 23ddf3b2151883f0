"""What importing the daemon's dependencies costs, each alone in a fresh interpreter.

Used by ``python -m benchmarks.inproc imports``: RSS, module count and import time
per module, and the slowest packages under ``import rsiguard.daemon.service``
(``-X importtime``).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from typing import Any

IMPORTS = [
    "",
    "rsiguard.faces.cli",
    "rsiguard.daemon.service",
    "rsiguard.settings.config",
    "pydantic",
    "pydantic_settings",
    "apscheduler.schedulers.asyncio",
    "jeepney.io.asyncio",
    "plyer",
    "pynput",
    "Xlib.display",
    "xcffib",
]

_PROBE = """
import sys, time
t = time.perf_counter()
{stmt}
dt = time.perf_counter() - t
rss = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS:'))
print(rss, len(sys.modules), dt)
"""


def imports(display: str | None) -> dict[str, Any]:
    """What importing each module alone costs, in a fresh interpreter each."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    if display:
        env["DISPLAY"] = display
    rows: list[dict[str, Any]] = []
    for module in IMPORTS:
        if module and importlib.util.find_spec(module.split(".")[0]) is None:
            continue
        code = _PROBE.format(stmt=f"import {module}" if module else "pass")
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["failed"])[-1]
            rows.append({"module": module or "(nothing)", "error": why[:200]})
            continue
        rss, mods, secs = done.stdout.split()
        rows.append(
            {
                "module": module or "(nothing)",
                "rss_kb": int(rss),
                "modules": int(mods),
                "import_ms": round(float(secs) * 1000, 1),
            }
        )
    base = int(rows[0].get("rss_kb", 0))
    for row in rows:
        if "rss_kb" in row:
            row["rss_added_kb"] = row["rss_kb"] - base
    return {"rows": rows, "daemon_slowest": importtime("rsiguard.daemon.service", env)}


def importtime(module: str, env: dict[str, str], n: int = 12) -> list[dict[str, Any]]:
    """Packages ``module`` pulls in, by cumulative import time where another package
    imported them (so a package's own submodules are not counted twice)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    entries = []  # (depth, name, cumulative us), in the order printed (children first)
    for line in done.stderr.splitlines():
        cols = line.removeprefix("import time:").split("|")
        if len(cols) != 3 or not cols[1].strip().isdigit():
            continue
        name = cols[2][1:]
        depth = (len(name) - len(name.lstrip(" "))) // 2
        entries.append((depth, name.strip(), int(cols[1])))
    cost: dict[str, int] = {}
    stack: list[str] = []  # ancestors, walking the entries backwards (parents first)
    for depth, name, cumulative in reversed(entries):
        del stack[depth:]
        top = name.split(".")[0]
        parent = stack[-1].split(".")[0] if stack else None
        if parent != top and top != module.split(".")[0]:
            cost[top] = cost.get(top, 0) + cumulative
        stack.append(name)
    ranked = sorted(cost.items(), key=lambda kv: -kv[1])[:n]
    return [{"package": k, "cumulative_ms": round(v / 1000, 1)} for k, v in ranked]
