"""Desktop notifications through org.freedesktop.Notifications on the session bus.

Uses jeepney's asyncio router on the daemon's loop. Buttons (actions) when the server
advertises them, one replaceable bubble per slot, ActionInvoked / NotificationClosed
reported to the daemon. Any failure degrades to the log backend for that call; the
connection is retried lazily (see :class:`DBusNotifier`).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

# jeepney ships no type information: everything from it is Any, so results are cast.
from jeepney import (  # type: ignore[import-untyped, unused-ignore]
    DBusAddress,
    HeaderFields,
    MatchRule,
    message_bus,
    new_method_call,
)
from jeepney.io.asyncio import open_dbus_router  # type: ignore[import-untyped, unused-ignore]
from jeepney.io.common import RouterClosed  # type: ignore[import-untyped, unused-ignore]
from jeepney.wrappers import (  # type: ignore[import-untyped, unused-ignore]
    DBusErrorResponse,
    unwrap_msg,
)

from rsiguard.adapters.notify.backends import LogNotifier, logger
from rsiguard.adapters.notify.quirks import EXPIRE_MS, Quirks, quirks_for
from rsiguard.core.effects import BREAK_SLOT, Notify

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
SERVER = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=BUS_NAME)

#: The application icon every bubble carries (the theme's ``rsiguard`` icon, installed
#: by ``./dev install-service``, is the same picture): a path, which every tested
#: server accepts, to a PNG, which every one of them can draw.
ICON = str(Path(__file__).resolve().parent / "icons" / "rsiguard.png")

CALL_TIMEOUT = 2.0  # seconds per D-Bus call: a hung server must not stall the daemon
RETRY_INTERVAL = 30.0  # seconds between reconnection attempts (read at call time)

# NotificationClosed reasons (spec): 1 expired, 2 dismissed by the user, 3 CloseNotification.
_REPORTED_CLOSE_REASONS = (1, 2)


def session_bus_address(env: Mapping[str, str]) -> str | None:
    """The session bus address from ``env``, or None if there is no bus to try.

    jeepney only reads DBUS_SESSION_BUS_ADDRESS (KeyError without it); systemd user
    sessions also offer the bus at ``$XDG_RUNTIME_DIR/bus``, so try that too.
    """
    addr = env.get("DBUS_SESSION_BUS_ADDRESS", "").strip()
    if addr:
        return addr
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime:
        path = os.path.join(runtime, "bus")
        with contextlib.suppress(OSError):
            if stat.S_ISSOCK(os.stat(path).st_mode):
                return "unix:path=" + _escape_address_value(path)
    return None


def _escape_address_value(value: str) -> str:
    """Escape a value for a D-Bus address (``%XX`` for bytes outside the safe set)."""
    safe = set(b"-_/.*" + bytes(range(48, 58)) + bytes(range(65, 91)) + bytes(range(97, 123)))
    return "".join(chr(b) if b in safe else f"%{b:02x}" for b in os.fsencode(value))


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What GetServerInformation and GetCapabilities told us about the server."""

    name: str
    vendor: str
    version: str
    capabilities: frozenset[str]

    @property
    def actions(self) -> bool:
        """Whether the server shows buttons."""
        return "actions" in self.capabilities

    @property
    def buttons(self) -> bool:
        """Whether the bubbles show our buttons where a person can click them."""
        return self.actions and not self.quirks.hides_actions

    @property
    def quirks(self) -> Quirks:
        """The workarounds this server needs (rsiguard.adapters.notify.quirks)."""
        return quirks_for(self.name, self.vendor)

    def label(self) -> str:
        """Backend name for ``status``: ``dbus: dunst 1.9.0 (actions)``."""
        what = "actions" if self.actions else "no actions"
        # dunst reports "1.9.0 (2022-06-27)": the first word is the version proper.
        words = [self.name, *self.version.split()[:1], f"({what})"]
        return "dbus: " + " ".join(w for w in words if w)


def _short(label: str) -> str:
    """A label for narrow buttons: its first word when it is longer than 8 characters."""
    return label.split()[0] if len(label) > 8 and label.split() else label


class _Unavailable(Exception):
    """The bus cannot be reached; the message is the reason for the log."""


def _describe(exc: BaseException) -> str:
    """A one-line reason for the log, naming D-Bus errors by their error name."""
    if isinstance(exc, DBusErrorResponse):
        data = cast(tuple[Any, ...], exc.data)
        detail = f": {data[0]}" if data and isinstance(data[0], str) else ""
        return f"{exc.name}{detail}"
    if isinstance(exc, TimeoutError):
        return f"no reply within {CALL_TIMEOUT:g} s"
    if isinstance(exc, RouterClosed | EOFError | ConnectionError):
        return f"the session bus connection was lost ({type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}"


class DBusNotifier:
    """Notifier speaking org.freedesktop.Notifications through jeepney (asyncio).

    Must be created, used and closed on one event loop (the daemon's); the callbacks
    run on that loop. ``show`` and ``close`` never raise. When the bus or the server
    is missing, notifications go to the log and ``name`` is ``"log"``; a new attempt
    is made at the next ``show`` at most every RETRY_INTERVAL seconds, or right away
    once NameOwnerChanged says a notification server appeared.
    """

    def __init__(
        self,
        address: str,
        on_action: Callable[[str, str], None],
        on_dismissed: Callable[[str], None],
        app_name: str = "rsiguard",
    ) -> None:
        self._address = address
        self._on_action = on_action
        self._on_dismissed = on_dismissed
        self._app_name = app_name
        self._fallback = LogNotifier()
        self._ctx: Any = None  # jeepney open_dbus_router; owns the connection
        self._router: Any = None
        self._filters: list[Any] = []
        self._pump_task: asyncio.Task[None] | None = None
        self._server: ServerInfo | None = None  # None: (re)query before the next Notify
        self._owner: str | None = None  # unique bus name of the server: signal senders
        self._server_back = False  # a server appeared: skip the retry wait
        self._next_attempt = 0.0
        self._problem: str | None = None  # why we are on the log backend, if we are
        self._slot_ids: dict[str, int] = {}
        self._id_slots: dict[int, str] = {}
        self._id_keys: dict[int, tuple[str, ...]] = {}  # action keys; the first is default
        self._acted: set[int] = set()  # ids whose later dismissal is not reported
        # One call at a time: concurrent shows must not connect twice or race on ids.
        self._lock = asyncio.Lock()

    @property
    def name(self) -> str:
        """``dbus: <server> <version> (actions|no actions)``, or ``log`` when degraded."""
        if self._problem is not None or self._server is None or not self._connected():
            return "log"
        return self._server.label()

    @property
    def why(self) -> str:
        """Why notifications go to the log (``""`` while a server shows them)."""
        if self.name != "log":
            return ""
        return self._problem or "no notification server has answered yet"

    @property
    def buttons(self) -> bool:
        """Whether the server in use shows our buttons on its bubbles."""
        return self.name != "log" and self._server is not None and self._server.buttons

    @property
    def server(self) -> ServerInfo | None:
        """The server in use, if one is known."""
        return self._server

    async def start(self) -> None:
        """Connect and query the server; on failure log a warning and degrade."""
        await self._ready()

    async def prepare(self) -> None:
        """Connect and learn the server now if that is due, so ``buttons`` is current."""
        async with self._lock:
            try:
                await self._ready()
            except Exception as exc:  # never raises: show() will log the problem
                logger.debug("notification server not ready: %s", _describe(exc))

    async def show(self, n: Notify) -> None:
        """Show or replace the bubble of ``n.slot``; log it instead if D-Bus fails."""
        async with self._lock:
            try:
                if await self._ready():
                    await self._notify(n)
                    return
            except Exception as exc:  # any failure degrades: the daemon must keep running
                await self._failed(exc)
            self._fallback.log(n)

    async def close(self, slot: str) -> None:
        """Close the bubble of ``slot`` (CloseNotification), if we showed one."""
        async with self._lock:
            nid = self._slot_ids.pop(slot, None)
            if nid is None:
                return
            # Forget the id first: the server's NotificationClosed (reason 3) is not ours.
            self._forget(nid)
            if self._router is None or not self._connected() or self._server is None:
                return
            await self._close_id(nid, self._server)

    async def _close_id(self, nid: int, server: ServerInfo) -> None:
        """Close bubble ``nid`` the way this server really removes it (best effort)."""
        if server.quirks.close_by_expiring:
            # CloseNotification would leave a ghost: an empty bubble that expires goes.
            empty: tuple[object, ...] = (self._app_name, nid, "", " ", "", [], {}, EXPIRE_MS)
            msg = new_method_call(SERVER, "Notify", "susssasa{sv}i", empty)
        else:
            msg = new_method_call(SERVER, "CloseNotification", "u", (nid,))
        try:
            await self._call(msg)
        except Exception as exc:  # closing is best effort
            logger.debug("closing notification %d failed: %s", nid, _describe(exc))

    async def aclose(self) -> None:
        """Close the bus connection and stop listening for signals."""
        async with self._lock:
            await self._disconnect()

    # -- connection ----------------------------------------------------------

    def _connected(self) -> bool:
        ctx = self._ctx
        if self._router is None or ctx is None or ctx.conn is None:
            return False
        # The router's receiver task stops at EOF or on a socket error (a write to a
        # dead bus breaks the pipe first); the stream objects say so publicly.
        conn = ctx.conn
        return not (
            conn.reader.at_eof() or conn.reader.exception() is not None or conn.writer.is_closing()
        )

    async def _ready(self) -> bool:
        """Make sure we have a connection and know the server; False: use the log."""
        if self._router is not None and not self._connected():
            await self._disconnect()
            self._degrade("the session bus connection was lost")
        if self._router is not None and self._server is not None:
            return True
        loop = asyncio.get_running_loop()
        if loop.time() < self._next_attempt and not self._server_back:
            return False
        self._next_attempt = loop.time() + RETRY_INTERVAL
        self._server_back = False
        try:
            if self._router is None:
                try:
                    await self._connect()
                except Exception as exc:
                    raise _Unavailable(
                        f"no session bus at {self._address}: {_describe(exc)}"
                    ) from None
            self._server = await self._query_server()
        except Exception as exc:
            if not self._connected():
                await self._disconnect()
            self._degrade(str(exc) if isinstance(exc, _Unavailable) else _describe(exc))
            return False
        if self._problem is not None:
            logger.info("desktop notifications are back: %s", self._server.label())
            self._problem = None
        return True

    async def _connect(self) -> None:
        ctx = open_dbus_router(self._address)
        try:
            router = await asyncio.wait_for(ctx.__aenter__(), CALL_TIMEOUT)
        except BaseException:
            if ctx.conn is not None:
                ctx.conn.writer.close()
            raise
        self._ctx, self._router = ctx, router
        try:
            await self._subscribe(router)
        except BaseException:
            await self._disconnect()  # half set up: start from scratch next time
            raise

    async def _subscribe(self, router: Any) -> None:
        """Listen for the server's signals and for servers coming and going."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        # Bus-side rules may name the server by its well-known name (the bus resolves
        # it); local filters compare header fields literally, where the sender is the
        # unique name, so they leave it out and _on_signal checks the sender instead.
        ours = {"type": "signal", "interface": BUS_NAME, "path": OBJECT_PATH}
        owner = {
            "type": "signal",
            "sender": "org.freedesktop.DBus",
            "interface": "org.freedesktop.DBus",
            "member": "NameOwnerChanged",
            "path": "/org/freedesktop/DBus",
        }
        for bus_kw, local_kw in ((dict(ours, sender=BUS_NAME), ours), (owner, owner)):
            local = MatchRule(**local_kw)
            remote = MatchRule(**bus_kw)
            if local_kw is owner:
                local.add_arg_condition(0, BUS_NAME)
                remote.add_arg_condition(0, BUS_NAME)
            self._filters.append(router.filter(local, queue=queue))
            await self._call(message_bus.AddMatch(remote))
        self._pump_task = asyncio.create_task(self._pump(queue), name="notify-signals")

    async def _disconnect(self) -> None:
        ctx, self._ctx, self._router = self._ctx, None, None
        self._server = None
        self._forget_all()
        task, self._pump_task = self._pump_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for handle in self._filters:
            handle.close()
        self._filters.clear()
        if ctx is None:
            return
        # The router re-raises its receiver's error (EOFError after a lost bus) on
        # exit and then skips closing the socket: close the writer ourselves as well.
        with contextlib.suppress(Exception):
            await ctx.__aexit__(None, None, None)
        if ctx.conn is not None:
            with contextlib.suppress(Exception):
                ctx.conn.writer.close()

    async def _call(self, msg: Any) -> tuple[Any, ...]:
        """Send a method call and return the reply body; D-Bus errors raise."""
        reply = await asyncio.wait_for(self._router.send_and_get_reply(msg), CALL_TIMEOUT)
        return cast(tuple[Any, ...], unwrap_msg(reply))

    async def _query_server(self) -> ServerInfo:
        # GetCapabilities first: on a normal desktop it may D-Bus-activate the server.
        (caps,) = await self._call(new_method_call(SERVER, "GetCapabilities"))
        name, vendor, version, _spec = await self._call(
            new_method_call(SERVER, "GetServerInformation")
        )
        (owner,) = await self._call(message_bus.GetNameOwner(BUS_NAME))
        self._owner = cast(str, owner)
        return ServerInfo(str(name), str(vendor), str(version), frozenset(cast(list[str], caps)))

    async def _failed(self, exc: Exception) -> None:
        """A call in show() failed: log this one, re-check the server later."""
        reason = _describe(exc)
        if isinstance(exc, RouterClosed | ConnectionError) or not self._connected():
            await self._disconnect()
        self._server = None
        self._next_attempt = asyncio.get_running_loop().time() + RETRY_INTERVAL
        self._degrade(reason)

    def _degrade(self, reason: str) -> None:
        if self._problem is None:
            logger.warning("desktop notifications unavailable (%s); logging them instead", reason)
        self._problem = reason

    # -- notifications -------------------------------------------------------

    async def _notify(self, n: Notify) -> None:
        server = self._server
        assert server is not None
        actions: list[str] = []
        body = n.body
        keys = tuple(key for key, _ in n.actions)
        quirks = server.quirks
        if server.actions and n.actions:
            for key, label in n.actions:
                actions += [key, _short(label) if quirks.short_labels else label]
            # Clicking the bubble itself (the "default" action) means the first action.
            if not quirks.no_default_action:
                label = "" if quirks.unlabelled_default_action else n.actions[0][1]
                actions += ["default", label]
            if quirks.hides_actions and n.cli_hint:
                # Sent (a menu may reach them), but not shown: the commands are.
                body = f"{body}\n{n.cli_hint}" if body else n.cli_hint
        elif n.cli_hint:
            body = f"{body}\n{n.cli_hint}" if body else n.cli_hint
            keys = ()
        if "body-markup" in server.capabilities:
            # The body is markup for such servers: a bare "&" or "<" would break it.
            body = html.escape(body, quote=False)
        hints = {
            "urgency": ("y", 2 if n.urgent else 1),
            "desktop-entry": ("s", "rsiguard"),
            # The spec's own categories (device, email, im, network, presence, transfer)
            # describe none of ours: a vendor one, "x-vendor.class", per slot.
            "category": ("s", f"x-rsiguard.{n.slot}"),
        }
        replaces = self._slot_ids.get(n.slot, 0)
        if replaces and quirks.new_bubble_for_new_actions and self._id_keys.get(replaces) != keys:
            # This server would keep the old buttons: a new bubble shows the new ones.
            self._forget(replaces)
            del self._slot_ids[n.slot]
            await self._close_id(replaces, server)
            replaces = 0
        expire = 0 if n.slot == BREAK_SLOT else -1  # a break waits until it is handled
        icon = "" if quirks.no_icon else ICON
        msg = new_method_call(
            SERVER,
            "Notify",
            "susssasa{sv}i",
            (self._app_name, replaces, icon, n.title, body, actions, hints, expire),
        )
        (nid,) = await self._call(msg)
        nid = int(nid)
        if replaces and replaces != nid:
            self._forget(replaces)
        self._forget(nid)
        self._slot_ids[n.slot] = nid
        self._id_slots[nid] = n.slot
        self._id_keys[nid] = keys

    def _forget(self, nid: int) -> None:
        self._id_slots.pop(nid, None)
        self._id_keys.pop(nid, None)
        self._acted.discard(nid)

    def _forget_all(self) -> None:
        self._slot_ids.clear()
        self._id_slots.clear()
        self._id_keys.clear()
        self._acted.clear()

    # -- signals -------------------------------------------------------------

    async def _pump(self, queue: asyncio.Queue[Any]) -> None:
        while True:
            msg = await queue.get()
            try:
                self._on_signal(msg)
            except Exception:  # a bad signal or callback must not stop the pump
                logger.exception("error handling a notification signal")

    def _on_signal(self, msg: Any) -> None:
        fields = cast(dict[Any, Any], msg.header.fields)
        member = fields.get(HeaderFields.member)
        body = cast(tuple[Any, ...], msg.body)
        if member == "NameOwnerChanged":
            _name, _old, new = body
            # A different server (or none): its ids and capabilities are not ours.
            self._owner = str(new) or None
            self._server = None
            self._forget_all()
            if new:
                self._server_back = True
                logger.info("a notification server appeared on the bus")
            else:
                self._degrade("the notification server left the bus")
            return
        if self._owner is not None and fields.get(HeaderFields.sender) != self._owner:
            return  # only the server may tell us about clicks
        if member == "ActionInvoked" and len(body) >= 2:
            nid, key = int(body[0]), str(body[1])
            slot, keys = self._id_slots.get(nid), self._id_keys.get(nid, ())
            if slot is None or not keys:
                logger.debug(
                    "ignoring action %r on notification %d: not a bubble of ours", key, nid
                )
                return
            if key == "default":
                key = keys[0]
            if key not in keys:
                logger.debug("ignoring action %r on notification %d: it offers %s", key, nid, keys)
                return
            # Some servers close the bubble after a click (reason 2): that is no dismissal.
            self._acted.add(nid)
            self._on_action(slot, key)
        elif member == "NotificationClosed" and len(body) >= 2:
            nid, reason = int(body[0]), int(body[1])
            slot = self._id_slots.get(nid)
            if slot is None:
                return
            acted = nid in self._acted
            self._forget(nid)
            if self._slot_ids.get(slot) == nid:
                del self._slot_ids[slot]
            if reason in _REPORTED_CLOSE_REASONS and not acted:
                self._on_dismissed(slot)
