"""``rsiguard routines play``: follow a routine in the terminal, with a live display.

Keys: space pauses and resumes, ``n`` goes to the next step, ``q`` (or Ctrl-C) quits.
The player is the same pure one the daemon uses; here the clock is ``time.monotonic``.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import termios
import time
import tty
from collections.abc import Callable, Iterator
from typing import TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from rsiguard.core.durations import format_duration
from rsiguard.core.routines.model import Routine
from rsiguard.core.routines.player import Outcome, Player
from rsiguard.core.text import GENERAL_SAFETY, shown_side, side_label

HELP = "space: pause/resume   n: next step   q: quit"


@contextlib.contextmanager
def _cbreak(stream: TextIO) -> Iterator[bool]:
    """Read single key presses without Enter (when ``stream`` is a terminal)."""
    if not stream.isatty():
        yield False
        return
    fd = stream.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield True
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _where(index: int, steps: int, side: str) -> str:
    """``Step 2 of 5  ·  Left hand`` (no side for a step that is not about the hands)."""
    return f"Step {index + 1} of {steps}" + (f"  \u00b7  {side}" if side else "")


def _key(stream: TextIO, timeout: float) -> str:
    """One key press within ``timeout`` seconds, or ``""``.

    Escape sequences (arrows, function keys) arrive as several bytes at once and are
    returned whole, so only a lone Esc reads as ``"\x1b"``.
    """
    ready, _, _ = select.select([stream], [], [], timeout)
    if not ready:
        return ""
    return os.read(stream.fileno(), 32).decode(errors="replace")


def _wait(seconds: float) -> str:
    time.sleep(seconds)
    return ""


def _countdown(left: float, seconds: float) -> Table:
    """``  4 s ━━━━━━━━━━``: a bar alone ends no line, so it sits in a one-row grid."""
    row = Table.grid(padding=(0, 1))
    row.add_row(
        Text(f"{left:3.0f} s", style="bold cyan"),
        ProgressBar(total=max(seconds, 0.001), completed=seconds - left, width=40),
    )
    return row


def render(player: Player, at: float) -> Panel:
    """The live view of the current step."""
    r, step = player.routine, player.step
    left = player.step_left(at)
    body = Group(
        Text(_where(player.index, len(r.steps), side_label(shown_side(step))), "bold"),
        Text(step.instruction),
        *(Text(c, style="yellow") for c in step.cautions),
        Text(""),
        _countdown(left, step.seconds),
        Text(f"{format_duration(player.total_left(at))} left in the routine", style="dim"),
        Text(("PAUSED  " if player.paused else "") + HELP, style="dim"),
    )
    return Panel(body, title=r.title, subtitle=f"{r.kind} routine", width=72)


def play(
    routine: Routine,
    console: Console,
    keys: TextIO = sys.stdin,
    clock: Callable[[], float] = time.monotonic,
) -> Outcome:
    """Play ``routine`` until it completes or the user quits; return how it ended."""
    console.print(Text(routine.title, style="bold"))
    for note in (*routine.safety, GENERAL_SAFETY[-1]):
        console.print(Text(f"• {note}", style="yellow"))
    player, _ = Player.start(routine, clock())
    try:
        with (
            _cbreak(keys) as interactive,
            Live(render(player, clock()), console=console, refresh_per_second=8) as live,
        ):
            while not player.done:
                key = _key(keys, 0.125) if interactive else _wait(0.125)
                now = clock()
                if key == " ":
                    player = player.resume(now) if player.paused else player.pause(now)
                elif key == "n":
                    player, _ = player.next(now)
                elif key in ("q", "\x1b", "\x04"):
                    player, _ = player.stop(now)
                player, _ = player.tick(now)
                if not player.done:
                    live.update(render(player, now))
    except KeyboardInterrupt:  # Ctrl-C anywhere in the loop: a quiet stop, no traceback
        player, _ = player.stop(clock())
    outcome = player.outcome or Outcome.STOPPED
    word = "completed" if outcome is Outcome.COMPLETED else "stopped early"
    console.print(f"Routine {word}.")
    return outcome
