"""Quick, side-effect-free checks of each input backend, for ``rsiguard doctor``.

Each probe answers within a couple of seconds and leaves nothing running: evdev reads
sysfs and checks permissions, gnome and logind ask their bus once, xrecord opens and
closes one X connection (X11 sessions only: in a Wayland session nothing connects to
Xwayland), pynput is only looked up, not imported (its import opens the display).
Runs on the caller's thread (the CLI's main thread).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass

from rsiguard.adapters.input import chooser

TIMEOUT = 1.5  # seconds per bus call


@dataclass(frozen=True, slots=True)
class Probe:
    """What one backend would do here."""

    name: str
    usable: bool
    measures: str  # "counts" or "activity"
    detail: str  # why not, or what it would use


MEASURES = {"xrecord": "counts", "pynput": "counts", "evdev": "counts"}


def _owner(address: str, name: str) -> str | None:
    """The unique owner of ``name`` on the bus at ``address`` (one short connection)."""
    from jeepney import MessageType, message_bus  # type: ignore[import-untyped, unused-ignore]
    from jeepney.io.blocking import (  # type: ignore[import-untyped, unused-ignore]
        open_dbus_connection,
    )

    with open_dbus_connection(address, auth_timeout=TIMEOUT) as conn:
        reply = conn.send_and_get_reply(message_bus.GetNameOwner(name), timeout=TIMEOUT)
        if reply.header.message_type == MessageType.error:
            return None
        return str(reply.body[0])


def probe(name: str, env: Mapping[str, str], platform: str) -> Probe:
    """Caller's thread: whether backend ``name`` could work here, and why (not)."""
    kind = chooser.session_kind(env, platform)
    measures = MEASURES.get(name, "activity")
    refusal = chooser.plan(env, name, platform).refusal
    if refusal is not None:
        return Probe(name, False, measures, refusal)
    try:
        ok, detail = _PROBES[name](env, kind)
    except Exception as exc:  # a probe must never take doctor down
        ok, detail = False, f"probe failed ({type(exc).__name__}: {exc})"
    return Probe(name, ok, measures, detail)


def _evdev(env: Mapping[str, str], kind: str) -> tuple[bool, str]:
    from rsiguard.adapters.input import evdev

    devices = evdev.discover(evdev.DEV_DIR, evdev.SYS_DIR)
    why = evdev.unavailable_reason(devices, evdev.DEV_DIR)
    if why is not None:
        return False, why
    readable = [d for d in devices if d.readable and d.kind != "other"]
    names = ", ".join(f"{d.node.name} {d.kind} ({d.name})" for d in readable)
    return True, f"{len(readable)} readable: {names}"


def _gnome(env: Mapping[str, str], kind: str) -> tuple[bool, str]:
    from rsiguard.adapters.input import gnome
    from rsiguard.adapters.input.gnome import NAME
    from rsiguard.adapters.notify.freedesktop import session_bus_address

    address = session_bus_address(env)
    if address is None:
        return False, "no session bus"
    owner = _owner(address, NAME)
    if owner is None:
        if gnome.expect_gnome(env):
            return False, (
                f"no {NAME} on the session bus yet (a GNOME session: the daemon waits "
                f"{gnome.WAIT_FOR_MUTTER:g} s for it, and switches to it whenever it appears)"
            )
        return False, f"no {NAME} on the session bus (not GNOME)"
    return True, f"{NAME} owned by {owner}"


def _logind(env: Mapping[str, str], kind: str) -> tuple[bool, str]:
    from rsiguard.adapters.input.busconn import system_bus_address

    address = system_bus_address(env)
    if address is None:
        return False, "no system bus"
    owner = _owner(address, "org.freedesktop.login1")
    if owner is None:
        return False, "no logind on the system bus"
    sid = env.get("XDG_SESSION_ID", "")
    return True, f"logind {owner}, session {sid or '(from this process)'} IdleHint"


def _xrecord(env: Mapping[str, str], kind: str) -> tuple[bool, str]:
    from rsiguard.adapters.input.xrecord import RecordReader, RecordUnavailable

    display = env.get("DISPLAY", "")
    reader = RecordReader(display, env)
    try:
        reader.open()
    except RecordUnavailable as exc:
        return False, f"xrecord unavailable ({exc})"
    except OSError as exc:
        return False, f"cannot open X display {display} ({type(exc).__name__})"
    finally:
        reader.release()
    return True, f"RECORD on X11 {display}"


def _wayland(env: Mapping[str, str], kind: str) -> tuple[bool, str]:
    from rsiguard.adapters.input.wayland import EXT, KDE, IdleClient, socket_path

    path = socket_path(env)
    if path is None:
        return False, "no XDG_RUNTIME_DIR for the Wayland socket"
    client = IdleClient(path)
    try:
        found = client.globals()
    finally:
        client.close()
    offered = [p for p in (EXT, KDE) if p in found]
    if not offered:
        return False, "the compositor offers no idle protocol"
    return True, f"{offered[0]} on {path}"


def _pynput(env: Mapping[str, str], kind: str) -> tuple[bool, str]:
    if importlib.util.find_spec("pynput") is None:
        return False, "pynput is not installed"
    return True, "pynput installed (not started by doctor)"


_PROBES = {
    "evdev": _evdev,
    "gnome": _gnome,
    "wayland": _wayland,
    "logind": _logind,
    "xrecord": _xrecord,
    "pynput": _pynput,
}
