"""The daemon's windows: each one ``rsiguard <face>`` in a process of its own.

The break window (Start routine), the check-in window, and the offer window where a
notification server shows no buttons. Tk never runs in the daemon: a window's crash,
X error or memory stays in its own process, and the daemon only starts and reaps it.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Mapping

from rsiguard.base.children import child_env, python_argv
from rsiguard.base.exitcodes import Exit

log = logging.getLogger("rsiguard")

OFFER_MODES = ("auto", "bubble", "window")


def offer_by_window(mode: str, buttons: bool, display: bool) -> bool:
    """Whether a break offer goes to the offer window (beside a plain bubble).

    ``notifications.offer``: ``bubble`` never, ``window`` always, ``auto`` when the
    bubbles show no buttons (``buttons``: see ``Notifier.buttons``). Never without a
    display to open it on; then the bubble (or log line) names the commands instead.
    """
    if not display or mode == "bubble":
        return False
    return mode == "window" or not buttons


class Faces:
    """Starts the windows and keeps at most one break window and one offer window."""

    def __init__(self, env: Mapping[str, str], on_offer_closed: Callable[[], None]) -> None:
        self.env = env
        self._on_offer_closed = on_offer_closed
        self._window: asyncio.subprocess.Process | None = None
        self._offer: asyncio.subprocess.Process | None = None
        #: The offer window could not run (no Tk, say): bubbles carry the buttons.
        self.offer_failed = False

    @property
    def display(self) -> bool:
        """Whether a window can be shown (Linux needs an X display for Tk)."""
        return not sys.platform.startswith("linux") or bool(self.env.get("DISPLAY"))

    @property
    def offer_open(self) -> bool:
        """Whether the offer window is up (it, not the bubble, is the offer then)."""
        return self._offer is not None and self._offer.returncode is None

    async def break_window(self) -> None:
        """Start ``rsiguard window`` unless one is open (it follows whatever break runs)."""
        if not self.display or (self._window is not None and self._window.returncode is None):
            return
        self._window = await self._start("the break window", "window")
        if self._window is not None:
            await self._watch("the break window", self._window)

    async def checkin_window(self) -> None:
        """Start ``rsiguard checkin --window``."""
        if not self.display:
            return
        proc = await self._start("the check-in window", "checkin", "--window")
        if proc is not None:
            await self._watch("the check-in window", proc)

    async def offer_window(self, offered: Callable[[], bool]) -> bool:
        """Start ``rsiguard offer`` unless it is open; report a close without a choice.

        A window still closing (its offer was just handled, or hidden by a screen lock)
        is waited for first, then ``offered()`` says whether a new one is needed. True
        when the window failed (no Tk, a bad display): then ``offer_failed`` is set for
        the rest of the session and the caller puts the buttons on the bubble instead.
        """
        if not self.display or self.offer_failed:
            return self.offer_failed
        old = self._offer
        if old is not None and old.returncode is None:
            await old.wait()
            if not offered() or self.offer_open:
                return False
        self._offer = proc = await self._start("the offer window", "offer")
        if proc is None:
            self.offer_failed = True
            return True
        code = await self._watch("the offer window", proc, quiet=(Exit.DISMISSED,))
        if code == Exit.DISMISSED:
            self._on_offer_closed()
        elif code > 0:
            log.warning("the offer window failed: offers carry their buttons on the bubble")
            self.offer_failed = True
            return True
        return False

    async def _start(self, what: str, *args: str) -> asyncio.subprocess.Process | None:
        """Start ``rsiguard ARGS`` as its own process; None if it cannot be."""
        try:
            return await asyncio.create_subprocess_exec(
                *python_argv("rsiguard", *args),
                env=child_env(self.env),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                # Its own session: Ctrl-C on a foreground daemon must not hit the window.
                start_new_session=True,
            )
        except OSError as exc:
            log.warning("cannot open %s: %s", what, exc)
            return None

    async def _watch(
        self, what: str, proc: asyncio.subprocess.Process, quiet: tuple[int, ...] = ()
    ) -> int:
        code = await proc.wait()
        if code and code not in quiet:
            log.warning("%s exited with status %d", what, code)
        return code
