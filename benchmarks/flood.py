"""The input flood: xdotool typing and pointer moves at a steady rate, and what was sent.

Two long-lived ``xdotool -`` processes read commands from a pipe, one for the
keyboard, one for the pointer (clicks and scroll steps included), and this module
writes their commands on a 100 Hz pacing clock so the rates hold for the whole
window whatever the machine. Everything written is executed: at the end the pipes
are closed and the flood lasts until both xdotools have exited.

What it sends:

* keys: lowercase letters (``type --delay 0``), one press and one release each, no
  modifiers;
* pointer moves: absolute ``mousemove`` along a zigzag (x steps of 3 px, y
  alternating by 4 px), so every move is exactly 5 px and the distance is known;
* clicks: ``mousedown 1`` then ``mouseup 1`` where the pointer is (not ``click``,
  which sleeps 12 ms between the two and would hold the pointer stream back);
* scroll: button 4 and button 5 alternately, one wheel step each.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import asdict, dataclass
from typing import IO, Any

TICK = 0.01  # pacing interval, seconds
START = (300, 400)  # where the pointer is put before the flood
STEP_PX = 5.0  # length of every move along the zigzag
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Rates:
    """Events per second: key presses (each also sends a release), moves, clicks, scroll."""

    keys: float = 700.0
    moves: float = 190.0
    clicks: float = 4.0
    scroll: float = 8.0


@dataclass
class Sent:
    """What one flood sent (every command below was executed by xdotool)."""

    keys: int = 0
    clicks: int = 0
    scroll: int = 0
    moves: int = 0
    pointer_px: float = 0.0
    seconds: float = 0.0

    @property
    def device_events(self) -> int:
        """X device events: presses and releases of keys and buttons, and motions."""
        return 2 * (self.keys + self.clicks + self.scroll) + self.moves

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the JSON report, with the derived rates."""
        data: dict[str, Any] = asdict(self)
        secs = self.seconds or 1.0
        data.update(
            device_events=self.device_events,
            key_events_per_s=round(2 * self.keys / secs, 1),
            moves_per_s=round(self.moves / secs, 1),
            device_events_per_s=round(self.device_events / secs, 1),
        )
        return data


def point(i: int) -> tuple[int, int]:
    """The i-th point of the zigzag (point 0 is :data:`START`); neighbours are 5 px apart."""
    k = i % 400
    step = k if k <= 200 else 400 - k
    return START[0] + 3 * step, START[1] + 4 * (i % 2)


def xdotool(display: str, *args: str) -> None:
    """Run one xdotool command on ``display`` and wait for it."""
    env = {**os.environ, "DISPLAY": display}
    subprocess.run(["xdotool", *args], env=env, check=True, capture_output=True, timeout=30)


def place_pointer(display: str) -> None:
    """Put the pointer where the flood starts (call before reading the counts before it)."""
    xdotool(display, "mousemove", str(START[0] + 50), str(START[1] + 50))
    xdotool(display, "mousemove", *map(str, START))


def _write(pipe: IO[bytes] | None, line: str) -> None:
    assert pipe is not None
    pipe.write(line.encode() + b"\n")
    pipe.flush()


def flood(display: str, seconds: float, rates: Rates = Rates()) -> Sent:
    """Send the flood to ``display`` for ``seconds``; return what was sent."""
    env = {**os.environ, "DISPLAY": display}
    keyboard = subprocess.Popen(
        ["xdotool", "-"], stdin=subprocess.PIPE, env=env, stderr=subprocess.DEVNULL
    )
    pointer = subprocess.Popen(
        ["xdotool", "-"], stdin=subprocess.PIPE, env=env, stderr=subprocess.DEVNULL
    )
    sent = Sent()
    t0 = time.monotonic()
    try:
        while (now := time.monotonic() - t0) < seconds:
            want = int(now * rates.keys) - sent.keys
            if want > 0:
                text = "".join(_LETTERS[(sent.keys + j) % 26] for j in range(want))
                _write(keyboard.stdin, f"type --delay 0 {text}")
                sent.keys += want
            lines = []
            for _ in range(int(now * rates.moves) - sent.moves):
                sent.moves += 1
                x, y = point(sent.moves)
                lines.append(f"mousemove {x} {y}")
                sent.pointer_px += STEP_PX
            for _ in range(int(now * rates.clicks) - sent.clicks):
                sent.clicks += 1
                lines += ["mousedown 1", "mouseup 1"]
            for _ in range(int(now * rates.scroll) - sent.scroll):
                sent.scroll += 1
                button = 4 + sent.scroll % 2
                lines += [f"mousedown {button}", f"mouseup {button}"]
            if lines:
                _write(pointer.stdin, "\n".join(lines))
            time.sleep(TICK)
    finally:
        for proc in (keyboard, pointer):
            assert proc.stdin is not None
            proc.stdin.close()
        for proc in (keyboard, pointer):
            try:
                proc.wait(seconds + 60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    sent.seconds = time.monotonic() - t0
    if keyboard.returncode or pointer.returncode:
        raise RuntimeError(f"xdotool failed: {keyboard.returncode}, {pointer.returncode}")
    return sent
