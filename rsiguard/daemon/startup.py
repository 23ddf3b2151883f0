"""``rsiguard run``: the process around the daemon.

Catches an early SIGHUP, sets up logging, takes the per-user instance lock, validates
the configuration in a child, then runs :class:`~rsiguard.daemon.service.Daemon` on a loop whose
exception handler does not flood the log.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import signal
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rsiguard.base.exitcodes import Exit
from rsiguard.control.server import AlreadyRunning, UnsafeDirectory
from rsiguard.daemon import instance
from rsiguard.daemon.service import Daemon
from rsiguard.settings.validate import ValidationFailed, in_child_async

log = logging.getLogger("rsiguard")

# The same asyncio error (say, accept() out of file descriptors) is logged at most this often.
LOG_REPEAT_S = 60.0


def _quieter_exception_handler() -> Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None]:
    """asyncio's handler, but each message at most once a minute: out of file descriptors,
    ``accept()`` fails on every loop turn, and the log would fill with thousands of
    identical tracebacks while the daemon recovers on its own."""
    last: dict[str, float] = {}

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        key = str(context.get("message", ""))
        now = time.monotonic()
        if now - last.get(key, -LOG_REPEAT_S) < LOG_REPEAT_S:
            return
        last[key] = now
        loop.default_exception_handler(context)

    return handle


def run(
    env: Mapping[str, str],
    user_file: Path | None,
    verbose: bool = False,
    early_hup: list[int] | None = None,
) -> int:
    """``rsiguard run``: take the instance lock, load config, run the daemon in the foreground.

    ``early_hup`` collects SIGHUPs from before this call (the command's entry point
    catches them from its first line); one arriving before the loop's handler is in
    place is kept there too, and the daemon reloads once it is ready.
    """
    early = [] if early_hup is None else early_hup
    signal.signal(signal.SIGHUP, lambda signum, _frame: early.append(signum))
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    lock: int | None = None
    try:
        lock = instance.acquire(env)
    except AlreadyRunning as exc:
        print(f"rsiguard: {exc}", file=sys.stderr)
        return Exit.ALREADY_RUNNING
    except UnsafeDirectory as exc:
        # Degrade, do not die: the socket's own lock still keeps one daemon per socket,
        # and the state file's saves will say why they fail.
        log.warning("%s; running without the per-user instance lock", exc)
    try:
        return _run_locked(env, user_file, early)
    finally:
        instance.release(lock)


def _run_locked(env: Mapping[str, str], user_file: Path | None, early_hup: list[int]) -> int:
    try:
        # On a loop, like a reload: no blocking wait polling with sleeps in between.
        validated = asyncio.run(in_child_async(env, user_file))
    except ValidationFailed as exc:
        print(f"rsiguard: bad configuration:\n{exc}", file=sys.stderr)
        return Exit.BAD_CONFIG
    except (RuntimeError, OSError, pickle.UnpicklingError) as exc:
        log.exception("cannot check the configuration")
        print(f"rsiguard: cannot check the configuration: {exc}", file=sys.stderr)
        return Exit.ERROR
    daemon = Daemon(env, validated, user_file)
    daemon.early_hup = early_hup

    async def main() -> int:
        asyncio.get_running_loop().set_exception_handler(_quieter_exception_handler())
        return await daemon.run()

    return asyncio.run(main())
