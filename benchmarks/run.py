"""``python -m benchmarks.run [--peers] [--quick] [--out DIR]``: measure, judge, report.

Runs the rsiguard daemon (and with ``--peers`` Workrave and Safe Eyes) one after
the other, each on a fresh private desktop through the same idle window and input
flood, then rsiguard's own measurements (status latency, core throughput, a
simulated day, import costs). Writes ``DIR/benchmarks.json`` and
``DIR/benchmarks.md`` (default ``docs/``) and prints the targets as PASS/MISS.

Full mode: 60 s idle, 60 s flood per program (a few minutes with peers), and the gnome
and wayland backends on real mutter and sway, an idle and an active minute each
(``--desktop-seconds`` shortens that). ``--quick``: 3 s windows, no trace of the
simulated day, no desktop rows unless ``--desktop-seconds`` is given (peers only if
asked for).
Needs Xvfb, xdotool and dbus-daemon (dunst is used when present); as root, missing
Debian packages (and the peers, with ``--peers``) are installed with apt-get.
Exit status: 0 when rsiguard was measured (whatever the targets say), 1 if not, 2 on
a usage or setup problem.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.flood import Rates
from benchmarks.programs import Program, Rsiguard, SafeEyes, Workrave, package_version
from benchmarks.report import markdown
from benchmarks.session import FULL, QUICK, Windows, run_program
from benchmarks.targets import targets

ROOT = Path(__file__).resolve().parent.parent
TOOLS = {
    "Xvfb": "xvfb",
    "xdotool": "xdotool",
    "dbus-daemon": "dbus",
    "dunst": "dunst",
    "dunstctl": "dunst",
    "dbus-send": "dbus",
}
REQUIRED = ("Xvfb", "xdotool", "dbus-daemon")
PEER_PACKAGES = {"workrave": "workrave", "safeeyes": "safeeyes", "xprintidle": "xprintidle"}


def log(msg: str) -> None:
    """Progress, on stderr."""
    print(msg, file=sys.stderr, flush=True)


def apt_install(packages: list[str]) -> str | None:
    """Install Debian packages as root; None on success, else why not."""
    if not packages:
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return f"not root: apt-get install -y --no-install-recommends {' '.join(packages)}"
    log(f"installing {' '.join(packages)} ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return f"apt-get failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}"
    return None


def ensure_tools(peers: bool) -> dict[str, str | None]:
    """Install what is missing (as root); return install problems by package."""
    missing = sorted({pkg for tool, pkg in TOOLS.items() if not shutil.which(tool)})
    problems: dict[str, str | None] = {}
    if missing:
        problems["tools"] = apt_install(missing)
    if peers:
        wanted = sorted({pkg for tool, pkg in PEER_PACKAGES.items() if not shutil.which(tool)})
        if wanted:
            problems["peers"] = apt_install(wanted)
    return problems


def machine() -> dict[str, Any]:
    """Where and when this ran."""
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1])
    os_name = platform.system()
    with_release = Path("/etc/os-release")
    if with_release.exists():
        for line in with_release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    tools = {name: package_version(name) for name in ("xvfb", "xdotool", "dunst")}
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "mem_total_kb": mem,
        "os": os_name,
        "kernel": platform.release(),
        "python": f"{platform.python_version()} ({sys.executable})",
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "tools": {k: v for k, v in tools.items() if v},
    }


def inproc(*args: str, timeout: float = 900) -> dict[str, Any]:
    """Run ``python -m benchmarks.inproc ARGS`` in a fresh interpreter; its JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.inproc", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"benchmarks.inproc {' '.join(args)} failed: {tail}"}
    data = json.loads(done.stdout)
    assert isinstance(data, dict)
    return data


def desktops(seconds: float) -> dict[str, Any]:
    """The gnome and wayland backends on real mutter and sway (benchmarks/desktops.py)."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.desktops", "--seconds", f"{seconds:g}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120 + 6 * seconds, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    data = json.loads(done.stdout)
    assert isinstance(data, dict)
    return data


def rsiguard_extra(quick: bool, desktop_seconds: float | None = None) -> dict[str, Any]:
    """Core throughput, the simulated day (traced too in full mode), import costs, and
    (when ``desktop_seconds`` is set) the desktop backends' wake-ups and messages."""
    from tests.desktop import xvfb

    extra: dict[str, Any] = {}
    log("rsiguard: core throughput")
    extra["core"] = inproc("core", "--seconds", "1" if quick else "5")
    log("rsiguard: a simulated 8-hour day")
    extra["day"] = inproc("day", "--hours", "8")
    if not quick:
        log("rsiguard: the same day under tracemalloc (slow)")
        extra["day_traced"] = inproc("day", "--hours", "8", "--trace", "4")
    log("rsiguard: input counters on one synthetic stream (evdev vs xrecord)")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.parsers", "--actions", "100000" if quick else "1000000"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    extra["parsers"] = json.loads(done.stdout) if done.returncode == 0 else {"error": done.stderr}
    log("rsiguard: the statistics store (growth, stats and report over 90 days, memory)")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.store", "--days", "7" if quick else "90"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    extra["store"] = json.loads(done.stdout) if done.returncode == 0 else {"error": done.stderr}
    if desktop_seconds:
        log(f"rsiguard: gnome and wayland backends, {desktop_seconds:g} s idle and active")
        extra["desktops"] = desktops(desktop_seconds)
    log("rsiguard: import costs")
    with xvfb() as display:  # pynput will not import without a display
        extra["imports"] = inproc("imports", "--display", display)
    return extra


def shown_command(argv: list[str]) -> str:
    """The command line for the report, without where files went (--out, --keep)."""
    shown, skip = ["python -m benchmarks.run"], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--out", "--keep"):
            skip = True
        elif not arg.startswith(("--out=", "--keep=")):
            shown.append(arg)
    return " ".join(shown)


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    p.add_argument("--peers", action="store_true", help="also run Workrave and Safe Eyes")
    p.add_argument("--quick", action="store_true", help="3 s windows (a smoke test)")
    p.add_argument("--out", type=Path, default=ROOT / "docs", help="output directory (docs/)")
    p.add_argument(
        "--backend",
        action="append",
        default=[],
        metavar="NAME",
        help="also run rsiguard with activity.backend=NAME (repeatable)",
    )
    p.add_argument("--idle", type=float, help="idle window in seconds (overrides the mode)")
    p.add_argument("--flood", type=float, help="flood window in seconds (overrides the mode)")
    p.add_argument("--keep", type=Path, help="keep homes and logs in this directory")
    p.add_argument(
        "--desktop-seconds",
        type=float,
        help="idle and active window of the gnome/wayland rows (60; quick mode: skipped "
        "unless given)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Measure everything, write the reports, print the targets."""
    args = parse(argv)
    if not sys.platform.startswith("linux"):
        log("benchmarks: Linux only (/proc, Xvfb)")
        return 2
    install = ensure_tools(args.peers)
    missing = [t for t in REQUIRED if not shutil.which(t)]
    if missing:
        log(f"benchmarks: missing {', '.join(missing)}; {install.get('tools') or ''}")
        return 2
    windows: Windows = QUICK if args.quick else FULL
    if args.idle or args.flood:
        windows = Windows(
            **{
                **asdict(windows),
                "idle": args.idle or windows.idle,
                "flood": args.flood or windows.flood,
            }
        )
    rates = Rates()
    programs: list[Program] = [Rsiguard(), *(Rsiguard(b) for b in args.backend)]
    if args.peers:
        programs += [Workrave(), SafeEyes()]
    data: dict[str, Any] = {
        "schema": 1,
        "mode": "quick" if args.quick else "full",
        "command": shown_command(argv if argv is not None else sys.argv[1:]),
        "peers": args.peers,
        "machine": machine(),
        "windows": asdict(windows),
        "rates": asdict(rates),
        "install": install,
        "programs": {},
    }
    with tempfile.TemporaryDirectory(prefix="rsiguard-bench-") as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        for prog in programs:
            log(f"{prog.title}:")
            result = run_program(prog, tmp, windows, rates, log)
            if "error" in result and prog.key in ("workrave", "safeeyes") and install.get("peers"):
                result["error"] += f" ({install['peers']})"
            data["programs"][prog.key] = result
            data.setdefault("notifications", result.get("notifications", "?"))
        desktop_seconds = args.desktop_seconds or (None if args.quick else 60.0)
        data["rsiguard_extra"] = rsiguard_extra(args.quick, desktop_seconds)
    data["targets"] = targets(data)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "benchmarks.json").write_text(json.dumps(data, indent=2) + "\n")
    (args.out / "benchmarks.md").write_text(markdown(data))
    for t in data["targets"]:
        print(f"{t['result']:4}  {t['target']}: {t['value']} ({t['limit']}) {t['detail']}")
    print(f"wrote {args.out / 'benchmarks.md'} and {args.out / 'benchmarks.json'}")
    return 0 if "error" not in data["programs"]["rsiguard"] else 1


if __name__ == "__main__":
    sys.exit(main())
