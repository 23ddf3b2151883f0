"""Screen lock watcher: the session screensaver's ``ActiveChanged`` signal over D-Bus.

GNOME (``org.gnome.ScreenSaver``), KDE, Xfce, Cinnamon and light-locker
(``org.freedesktop.ScreenSaver``) all emit ``ActiveChanged(b)`` when the screen locks
or unlocks. The watcher listens on the session bus and calls ``on_change(locked)`` on
the loop thread. With no bus, or no screensaver on it, nothing is reported and the
core falls back on idle time: a locked screen gets no input, so a long enough lock is
a natural break anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from jeepney import (  # type: ignore[import-untyped, unused-ignore]
    HeaderFields,
    MatchRule,
    message_bus,
)
from jeepney.io.asyncio import open_dbus_router  # type: ignore[import-untyped, unused-ignore]

from rsiguard.adapters.dbus_notify import session_bus_address

log = logging.getLogger("rsiguard.screenlock")

INTERFACES = ("org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver")


class ScreenLockWatcher:
    """Reports lock changes; ``status`` says whether it is listening."""

    def __init__(self, on_change: Callable[[bool], None], env: Mapping[str, str]) -> None:
        self._on_change = on_change
        self._address = session_bus_address(env)
        self._ctx: Any = None
        self._router: Any = None
        self._task: asyncio.Task[None] | None = None
        self.status = "none: no session bus"

    async def start(self) -> None:
        """Subscribe to ActiveChanged; never raises (loop thread)."""
        if self._address is None:
            return
        try:
            self._ctx = open_dbus_router(self._address)
            router = await asyncio.wait_for(self._ctx.__aenter__(), 2.0)
            self._router = router
            queue: asyncio.Queue[Any] = asyncio.Queue()
            for iface in INTERFACES:
                rule = MatchRule(type="signal", interface=iface, member="ActiveChanged")
                router.filter(rule, queue=queue)
                await asyncio.wait_for(router.send_and_get_reply(message_bus.AddMatch(rule)), 2.0)
        except Exception as exc:
            log.warning("not watching the screen lock: %s", exc)
            self.status = f"none: {exc}"
            await self.aclose()
            return
        self.status = "dbus ActiveChanged"
        self._task = asyncio.create_task(self._pump(queue), name="screenlock")

    async def _pump(self, queue: asyncio.Queue[Any]) -> None:
        while True:
            msg = await queue.get()
            try:
                await self._handle(msg)
            except Exception:  # one bad signal must not end lock tracking
                log.exception("error handling a screen lock signal")

    async def _handle(self, msg: Any) -> None:
        body = msg.body
        if not body or not isinstance(body[0], bool):
            return
        # Only the screensaver itself may say the screen is locked: anyone on the bus
        # can send a signal, and a false "locked" would hold back every break.
        iface = msg.header.fields.get(HeaderFields.interface)
        sender = msg.header.fields.get(HeaderFields.sender)
        if self._router is None or iface not in INTERFACES:
            return
        reply = await asyncio.wait_for(
            self._router.send_and_get_reply(message_bus.GetNameOwner(iface)), 2.0
        )
        owner = reply.body[0] if reply.body else None
        if owner != sender:
            log.warning("ignoring %s.ActiveChanged from %s (not the screensaver)", iface, sender)
            return
        log.info("screen %s", "locked" if body[0] else "unlocked")
        self._on_change(body[0])

    async def aclose(self) -> None:
        """Stop listening."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        ctx, self._ctx, self._router = self._ctx, None, None
        if ctx is not None:
            with contextlib.suppress(Exception):
                await ctx.__aexit__(None, None, None)
