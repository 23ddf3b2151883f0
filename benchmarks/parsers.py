"""The input counters' CPU on one synthetic stream: evdev records against RECORD units.

The same user activity (keys typed, pointer moves, clicks, wheel steps) is encoded twice,
as the kernel's ``struct input_event`` records (what the evdev reader reads) and as the
X server's RECORD replies of one event each (what xrecord reads; the server writes
about one reply per event), then counted in 64 KiB reads by each reader's own counting
function. Prints JSON: CPU seconds per million user actions and per million device
events. Wake-ups are not part of this: both readers drain, and idle costs 0 for both.
Run: ``python -m benchmarks.parsers [--actions N]``.
"""

from __future__ import annotations

import argparse
import json
import struct
import time
from typing import Any

from rsiguard.adapters.input import evdev, xrecord

CHUNK = 64 * 1024  # xrecord's reads (whole 64-byte replies); evdev reads whole records


def _mix(n: int) -> list[str]:
    """n user actions: half key presses, 40 % moves, 5 % clicks, 5 % wheel steps."""
    pattern = ["key"] * 10 + ["move"] * 8 + ["click", "scroll"]
    return [pattern[i % len(pattern)] for i in range(n)]


def _ev(t: int, c: int, v: int) -> bytes:
    return struct.pack("llHHi", 0, 0, t, c, v)


def evdev_stream(actions: list[str]) -> tuple[bytes, int]:
    """The kernel's records for ``actions`` (presses and releases, SYN_REPORT frames)."""
    syn = _ev(0, 0, 0)
    parts = {
        "key": _ev(1, 30, 1) + syn + _ev(1, 30, 0) + syn,
        "move": _ev(2, 0, 3) + _ev(2, 1, 4) + syn,
        "click": _ev(1, 0x110, 1) + syn + _ev(1, 0x110, 0) + syn,
        "scroll": _ev(2, 8, 1) + _ev(2, 11, 120) + syn,
    }
    data = b"".join(parts[a] for a in actions)
    return data, len(data) // evdev.EVENT.size


def xrecord_stream(actions: list[str]) -> tuple[bytes, int]:
    """RECORD replies, one device event each (key releases are not recorded)."""

    def reply(etype: int, detail: int, x: int = 0, y: int = 0) -> bytes:
        event = struct.pack("=BB", etype, detail) + bytes(18) + struct.pack("=hh", x, y)
        event += bytes(32 - len(event))
        return struct.pack("=BBHI", 1, 0, 0, 8) + bytes(24) + event  # header + 32 bytes

    parts: list[bytes] = []
    x = 0
    for a in actions:
        if a == "key":
            parts.append(reply(2, 38))
        elif a == "move":
            x = (x + 5) % 1000
            parts.append(reply(6, 0, x, 100))
        elif a == "click":
            parts += [reply(4, 1, x, 100), reply(5, 1, x, 100)]
        else:
            parts += [reply(4, 4, x, 100), reply(5, 4, x, 100)]
    return b"".join(parts), len(parts)


def _cpu(count: Any, data: bytes, chunk: int) -> tuple[float, list[float]]:
    totals = [0.0, 0.0, 0.0, 0.0]
    t0 = time.process_time()
    for off in range(0, len(data), chunk):
        count(data[off : off + chunk], totals)
    return time.process_time() - t0, totals


def measure(n: int) -> dict[str, Any]:
    actions = _mix(n)
    ev_data, ev_events = evdev_stream(actions)
    x_data, x_events = xrecord_stream(actions)
    state = evdev._State()
    ev_cpu, ev_totals = _cpu(lambda d, t: evdev.count(d, state, t), ev_data, evdev._READ)
    reader = xrecord.RecordReader(":0", {})
    try:
        # CHUNK is a multiple of 32 and of the 64-byte replies: no reply is cut.
        x_cpu, x_totals = _cpu(reader._count, x_data, CHUNK)
    finally:
        reader.release()
    rows = {}
    for name, cpu, events, totals in (
        ("evdev", ev_cpu, ev_events, ev_totals),
        ("xrecord", x_cpu, x_events, x_totals),
    ):
        rows[name] = {
            "cpu_s": round(cpu, 3),
            "device_events": events,
            "cpu_s_per_million_actions": round(cpu * 1e6 / n, 2),
            "cpu_s_per_million_device_events": round(cpu * 1e6 / events, 2),
            "counted": {"keys": totals[0], "clicks": totals[1], "scroll": totals[2]},
        }
    return {"actions": n, "rows": rows}


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.parsers")
    p.add_argument("--actions", type=int, default=1_000_000)
    print(json.dumps(measure(p.parse_args().actions), indent=2))


if __name__ == "__main__":
    main()
