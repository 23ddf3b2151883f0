"""Desktop notifications: the Notifier interface, its backends and how one is chosen.

Backends:

* ``dbus`` (:mod:`rsiguard.adapters.notify.freedesktop`): org.freedesktop.Notifications with
  buttons, replaceable bubbles and click/dismiss reports. Linux and other free desktops.
* ``plyer``: a plain bubble through plyer (macOS, Windows); no buttons, no replacing.
* ``log``: an INFO line on the ``rsiguard.notify`` logger. Every other backend falls
  back to it, per call, when it fails; ``show`` never raises.

All of them run on the daemon's asyncio loop; ``open_notifier`` picks one.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from rsiguard.core.effects import BREAK_SLOT, Notify

logger = logging.getLogger("rsiguard.notify")

BACKENDS = ("auto", "dbus", "plyer", "log")
PLYER_TIMEOUT = 10.0  # seconds to wait for plyer's blocking call before logging instead


class Notifier(Protocol):
    """What the daemon needs from a notification backend (all on the loop thread)."""

    @property
    def name(self) -> str:
        """The backend in use now, e.g. ``dbus: dunst 1.9.0 (actions)``, ``plyer``, ``log``."""
        ...

    @property
    def why(self) -> str:
        """Why this is the log rather than a desktop bubble (``""`` when bubbles work)."""
        ...

    @property
    def buttons(self) -> bool:
        """Whether a bubble's actions are shown as buttons a person can click."""
        ...

    async def prepare(self) -> None:
        """Find out, if that is due, whether ``buttons`` holds now. Never raises."""
        ...

    async def show(self, n: Notify) -> None:
        """Show (or replace) the bubble for ``n.slot``. Never raises."""
        ...

    async def close(self, slot: str) -> None:
        """Close the bubble shown in ``slot``, if any. Never raises."""
        ...

    async def aclose(self) -> None:
        """Release connections; the notifier is not used afterwards."""
        ...


def text_with_hint(n: Notify) -> str:
    """The body plus the command-line hint, for backends without buttons."""
    if not n.cli_hint:
        return n.body
    return f"{n.body}\n{n.cli_hint}" if n.body else n.cli_hint


class LogNotifier:
    """Writes each notification to the ``rsiguard.notify`` logger at INFO.

    ``why`` says why there are no desktop bubbles (no bus, plyer failed, or the config).
    """

    name = "log"
    buttons = False

    def __init__(self, why: str = "") -> None:
        self.why = why

    def log(self, n: Notify) -> None:
        """Log ``n`` (used by the other backends as their per-call fallback too)."""
        logger.info("notification [%s] %s: %s", n.slot, n.title, text_with_hint(n))

    async def prepare(self) -> None:
        """Nothing to find out."""

    async def show(self, n: Notify) -> None:
        """Log the notification."""
        self.log(n)

    async def close(self, slot: str) -> None:
        """Nothing to close."""

    async def aclose(self) -> None:
        """Nothing to release."""


class PlyerNotifier:
    """Plain bubbles through ``plyer.notification`` (blocking, so run in a thread).

    No buttons and no replacing: the CLI hint goes into the message. A failing call
    is logged instead, with one WARNING per change from working to failing.
    """

    def __init__(self, app_name: str = "rsiguard") -> None:
        from plyer import notification  # plyer picks its platform module at call time

        self._notification: Any = notification
        self._app_name = app_name
        self._fallback = LogNotifier()
        self._problem: str | None = None

    @property
    def name(self) -> str:
        """``plyer``, or ``log`` after the last call failed."""
        return "plyer" if self._problem is None else "log"

    buttons = False  # plyer has no actions on any platform

    @property
    def why(self) -> str:
        """Why the last bubble went to the log (``""`` while plyer works)."""
        return self._problem or ""

    async def prepare(self) -> None:
        """Nothing to find out."""

    async def show(self, n: Notify) -> None:
        """Show a bubble; log it instead if plyer fails or hangs."""
        # Even the attribute lookup loads plyer's platform module (and may raise), so
        # all of it happens in the worker thread, inside the try.
        call = functools.partial(
            _plyer_notify,
            self._notification,
            title=n.title,
            message=text_with_hint(n),
            app_name=self._app_name,
            timeout=60 if n.slot == BREAK_SLOT else 10,
        )
        try:
            loop = asyncio.get_running_loop()
            await asyncio.wait_for(loop.run_in_executor(None, call), PLYER_TIMEOUT)
        except Exception as exc:  # plyer raises anything from NotImplementedError to OSError
            reason = f"plyer failed: {type(exc).__name__}: {exc}"
            if self._problem is None:
                logger.warning("desktop notifications unavailable (%s); logging them", reason)
            self._problem = reason
            self._fallback.log(n)
            return
        if self._problem is not None:
            logger.info("desktop notifications through plyer work again")
            self._problem = None

    async def close(self, slot: str) -> None:
        """plyer cannot close a bubble: it expires by itself."""

    async def aclose(self) -> None:
        """Nothing to release."""


def _plyer_notify(notification: Any, **kwargs: object) -> None:
    notification.notify(**kwargs)


def _backend_chain(backend: str, platform: str) -> tuple[str, ...]:
    """Backends to try in order; ``log`` is always the last resort."""
    if backend == "auto":
        backend = "plyer" if platform in ("darwin", "win32", "cygwin") else "dbus"
    return (backend, "log") if backend != "log" else ("log",)


async def open_notifier(
    backend: str,
    on_action: Callable[[str, str], None],
    on_dismissed: Callable[[str], None],
    env: Mapping[str, str],
    app_name: str = "rsiguard",
) -> Notifier:
    """Open the notification backend ``backend`` (``auto``, ``dbus``, ``plyer``, ``log``).

    ``on_action(slot, key)`` and ``on_dismissed(slot)`` are called on the running loop
    (D-Bus only). ``env`` supplies DBUS_SESSION_BUS_ADDRESS / XDG_RUNTIME_DIR. An
    unusable backend falls back to logging with a WARNING; only an unknown backend
    name raises (ValueError). Call it on the loop that will use the notifier.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown notification backend {backend!r}; use one of {BACKENDS}")
    first = _backend_chain(backend, sys.platform)[0]
    if first == "dbus":
        # Imported here so that macOS and Windows never load the D-Bus code.
        from rsiguard.adapters.notify.freedesktop import DBusNotifier, session_bus_address

        address = session_bus_address(env)
        if address is None:
            why = "no session bus: DBUS_SESSION_BUS_ADDRESS unset and no $XDG_RUNTIME_DIR/bus"
            logger.warning("desktop notifications unavailable (%s); logging them instead", why)
            return LogNotifier(why)
        notifier = DBusNotifier(address, on_action, on_dismissed, app_name)
        # A failed start degrades to the log and retries later: the notification
        # server often starts after the daemon at login.
        await notifier.start()
        return notifier
    if first == "plyer":
        try:
            return PlyerNotifier(app_name)
        except Exception as exc:
            why = f"plyer: {exc}"
            logger.warning("desktop notifications unavailable (%s); logging them", why)
            return LogNotifier(why)
    return LogNotifier('notifications.backend = "log"')
