"""Screen lock watcher: the screensaver's ``ActiveChanged`` and logind's Lock/Unlock.

Session bus: GNOME (``org.gnome.ScreenSaver``), KDE, Xfce, Cinnamon and light-locker
(``org.freedesktop.ScreenSaver``) emit ``ActiveChanged(b)`` when the screen locks or
unlocks. gnome-shell emits ``org.gnome.ScreenSaver.ActiveChanged`` itself, from the
owner of ``org.gnome.Shell.ScreenShield``; the owner of ``org.gnome.ScreenSaver`` is a
gjs helper that exists only once something activated it (and then re-emits the
signal). So that signal counts from either owner; anyone else is ignored, since a
false "locked" would hold back every break.

System bus: logind's ``Lock``/``Unlock`` signals and ``LockedHint`` of *this* session
(``XDG_SESSION_ID``, else this process's session), only from the owner of
``org.freedesktop.login1``. A lock from ``loginctl lock-session`` or a suspend reaches
rsiguard this way even when no screensaver signal does.

Each change is reported once: KDE emits ActiveChanged twice (two object paths), and
GNOME's shell and helper both emit it; repeats of the same state are dropped.
``on_change(locked)`` is called on the loop thread. With no bus, or no screensaver,
nothing is reported and the core falls back on idle time: a locked screen gets no
input, so a long enough lock is a natural break anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

from jeepney import (  # type: ignore[import-untyped, unused-ignore]
    DBusAddress,
    HeaderFields,
    MatchRule,
    MessageType,
    message_bus,
    new_method_call,
)
from jeepney.io.asyncio import open_dbus_router  # type: ignore[import-untyped, unused-ignore]

from rsiguard.adapters.input.busconn import system_bus_address
from rsiguard.adapters.notify.freedesktop import session_bus_address
from rsiguard.adapters.session.sleep import SleepWatcher

log = logging.getLogger("rsiguard.screenlock")

INTERFACES = ("org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver")
# Who may emit each interface's ActiveChanged: the name's owner, and for GNOME the shell.
SENDERS = {
    "org.freedesktop.ScreenSaver": ("org.freedesktop.ScreenSaver",),
    "org.gnome.ScreenSaver": ("org.gnome.ScreenSaver", "org.gnome.Shell.ScreenShield"),
}
LOGIND = "org.freedesktop.login1"
TIMEOUT = 2.0


class ScreenLockWatcher:
    """Reports lock changes; ``status`` says what it listens to."""

    def __init__(
        self,
        on_change: Callable[[bool], None],
        env: Mapping[str, str],
        on_sleep: Callable[[], None] | None = None,
    ) -> None:
        """Loop thread. ``on_sleep``: called on the loop before a suspend (sleep.py)."""
        self._on_change = on_change
        self._on_sleep = on_sleep
        self._sleep: SleepWatcher | None = None
        self._env = env
        self._address = session_bus_address(env)
        self._ctxs: list[Any] = []
        self._router: Any = None  # session bus
        self._system: Any = None  # system bus
        self._session_path = ""
        self._tasks: list[asyncio.Task[None]] = []
        self._locked: bool | None = None  # last reported state: repeats are dropped
        self.status = "none: no session bus"

    async def _open(self, address: str) -> Any:
        ctx = open_dbus_router(address)
        router = await asyncio.wait_for(ctx.__aenter__(), TIMEOUT)
        self._ctxs.append(ctx)
        return router

    async def _call(self, router: Any, msg: Any) -> Any:
        return await asyncio.wait_for(router.send_and_get_reply(msg), TIMEOUT)

    @property
    def sleep_status(self) -> str:
        """Loop thread: what the suspend watcher does (``none: ...`` without logind)."""
        return self._sleep.status if self._sleep is not None else "none: not started"

    async def start(self) -> None:
        """Loop thread: subscribe on both buses; never raises."""
        if self._on_sleep is not None:
            self._sleep = SleepWatcher(asyncio.get_running_loop(), self._on_sleep, self._env)
            self._sleep.start()
        parts = []
        if self._address is not None:
            try:
                router = self._router = await self._open(self._address)
                queue: asyncio.Queue[Any] = asyncio.Queue()
                for iface in INTERFACES:
                    rule = MatchRule(type="signal", interface=iface, member="ActiveChanged")
                    router.filter(rule, queue=queue)
                    await self._call(router, message_bus.AddMatch(rule))
                self._spawn(self._pump(queue, self._handle_saver))
                parts.append("dbus ActiveChanged")
            except Exception as exc:
                log.warning("not watching the screen lock: %s", exc)
                parts.append(f"none: {exc}")
        logind = await self._start_logind()
        if logind:
            parts.append(logind)
        self.status = "; ".join(parts) or "none: no session bus"

    async def _start_logind(self) -> str:
        """Loop thread: follow this session's Lock, Unlock and LockedHint; "" if not."""
        address = system_bus_address(self._env)
        if address is None:
            return ""  # no system bus (a container, macOS): nothing to say or log
        try:
            router = self._system = await self._open(address)
            path = await self._our_session(router)
            if path is None:
                log.debug("no logind session for this process: not watching its lock")
                return ""
            self._session_path = path
            queue: asyncio.Queue[Any] = asyncio.Queue()
            session_iface = f"{LOGIND}.Session"
            rules = [
                {"interface": session_iface, "member": "Lock"},
                {"interface": session_iface, "member": "Unlock"},
                {"interface": "org.freedesktop.DBus.Properties", "member": "PropertiesChanged"},
            ]
            for fields in rules:
                router.filter(MatchRule(type="signal", path=path, **fields), queue=queue)
                remote = MatchRule(type="signal", sender=LOGIND, path=path, **fields)
                await self._call(router, message_bus.AddMatch(remote))
            self._spawn(self._pump(queue, self._handle_logind))
        except Exception as exc:
            log.info("not watching logind's lock signals: %s", exc)
            return ""
        return f"logind session {path.rsplit('/', 1)[-1]}"

    async def _our_session(self, router: Any) -> str | None:
        """Loop thread: our logind session's object path, or None."""
        manager = DBusAddress(
            "/org/freedesktop/login1", bus_name=LOGIND, interface=f"{LOGIND}.Manager"
        )
        sid = self._env.get("XDG_SESSION_ID", "")
        tries: list[tuple[str, str, tuple[Any, ...]]] = [("GetSession", "s", (sid,))] if sid else []
        tries.append(("GetSessionByPID", "u", (os.getpid(),)))
        for method, sig, args in tries:
            reply = await self._call(router, new_method_call(manager, method, sig, args))
            if reply.header.message_type != MessageType.error:
                return str(reply.body[0])
        return None

    def _spawn(self, coro: Any) -> None:
        self._tasks.append(asyncio.create_task(coro, name="screenlock"))

    async def _pump(self, queue: asyncio.Queue[Any], handle: Callable[[Any], Any]) -> None:
        while True:
            msg = await queue.get()
            try:
                await handle(msg)
            except Exception:  # one bad signal must not end lock tracking
                log.exception("error handling a screen lock signal")

    async def _owner(self, router: Any, name: str) -> str | None:
        reply = await self._call(router, message_bus.GetNameOwner(name))
        if reply.header.message_type == MessageType.error or not reply.body:
            return None
        return str(reply.body[0])

    async def _handle_saver(self, msg: Any) -> None:
        body = msg.body
        if not body or not isinstance(body[0], bool):
            return
        iface = msg.header.fields.get(HeaderFields.interface)
        sender = msg.header.fields.get(HeaderFields.sender)
        if self._router is None or iface not in SENDERS:
            return
        for name in SENDERS[iface]:
            if await self._owner(self._router, name) == sender:
                self._report(body[0], iface)
                return
        log.warning("ignoring %s.ActiveChanged from %s (not the screensaver)", iface, sender)

    async def _handle_logind(self, msg: Any) -> None:
        fields = msg.header.fields
        if self._system is None or fields.get(HeaderFields.path) != self._session_path:
            return
        if fields.get(HeaderFields.sender) != await self._owner(self._system, LOGIND):
            log.warning(
                "ignoring a logind signal from %s (not logind)", fields.get(HeaderFields.sender)
            )
            return
        member = fields.get(HeaderFields.member)
        if member in ("Lock", "Unlock"):
            self._report(member == "Lock", f"logind {member}")
        elif member == "PropertiesChanged" and msg.body[0] == f"{LOGIND}.Session":
            hint = msg.body[1].get("LockedHint")
            if hint is not None:
                self._report(bool(hint[1]), "logind LockedHint")

    def _report(self, locked: bool, source: str) -> None:
        """Loop thread: tell the daemon about a change (not about a repeat)."""
        if locked == self._locked:
            log.debug("screen still %s (%s)", "locked" if locked else "unlocked", source)
            return
        self._locked = locked
        log.info("screen %s (%s)", "locked" if locked else "unlocked", source)
        self._on_change(locked)

    async def aclose(self) -> None:
        """Loop thread: stop listening."""
        if self._sleep is not None:
            self._sleep.stop()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        ctxs, self._ctxs = self._ctxs, []
        self._router = self._system = None
        for ctx in ctxs:
            with contextlib.suppress(Exception):
                await ctx.__aexit__(None, None, None)
