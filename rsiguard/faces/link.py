"""The windows' line to the daemon: one request at a time, and when to give up."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rsiguard.base.exitcodes import Exit
from rsiguard.control.client import NoDaemon, call
from rsiguard.control.protocol import ProtocolError, Request, Response

CALL_TIMEOUT = 2.0
GIVE_UP_S = 15.0  # a daemon that stops answering (hung, not gone) ends the window too


class Link:
    """Requests for a window; ``quit(code, reason)`` when the daemon is gone or hung."""

    def __init__(self, path: Path, quit: Callable[[int, str], None]) -> None:
        self.path = path
        self._quit = quit
        self._failing_since: float | None = None

    def call(self, cmd: str) -> Response | None:
        """One request; ``None`` after a failure that may pass (the caller retries)."""
        try:
            resp = call(self.path, Request(cmd), timeout=CALL_TIMEOUT)
        except NoDaemon:
            self._quit(Exit.OK, "the daemon is gone")
        except (OSError, ProtocolError) as exc:
            now = time.monotonic()
            self._failing_since = self._failing_since or now
            if now - self._failing_since > GIVE_UP_S:
                self._quit(Exit.ERROR, f"the daemon does not answer: {exc}")
        else:
            self._failing_since = None
            return resp
        return None
