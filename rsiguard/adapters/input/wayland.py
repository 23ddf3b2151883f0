"""wayland backend: the compositor's idle protocol, spoken by a small standard-library client.

Activity only (the compositor says idle or active, never what was typed), for KDE and
wlroots compositors (sway, Hyprland, river...): ``ext_idle_notifier_v1`` where offered
(sway 1.8+, KWin), else ``org_kde_kwin_idle`` (sway 1.7 of Debian 12, KWin). With
``ext_idle_notifier_v1`` version 2 the *input* idle notification is used, which ignores
idle inhibitors: a playing video holds off the screensaver, but not the break clock.

Why a wire client and not pywayland: the part needed is five requests and four events
with plain integer and string arguments (no file descriptors: no ``wl_keyboard`` is
bound), about the size of the X11 RECORD reader next to it; pywayland is a binary wheel
bundling libwayland and cffi (0.7 MB, cp311-313 only), and ``org_kde_kwin_idle`` is
not among its generated protocols, so it would need the scanner and protocol XML at
build time too.

One connection, a blocking read, no timers: the only traffic is ``idled`` after
``IDLE_MS`` without input and ``resumed`` on the next input. The compositor exiting ends
the read (end of file): the attempt returns ``lost``, and the supervisor reconnects.
Threads: ``attempt`` and the client on the supervisor thread; ``shutdown`` any thread.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
from collections.abc import Mapping

from rsiguard.adapters.input.base import ActivityOnly, BackendUnavailable, Session

IDLE_MS = 1000  # idle after this long without input: the resolution of active time
SETUP_TIMEOUT = 5.0
_HEADER = struct.Struct("=II")  # object id, (size << 16) | opcode
_DISPLAY, _REGISTRY, _CALLBACK, _SEAT, _NOTIFIER, _WATCH = 1, 2, 3, 4, 5, 6
EXT, KDE = "ext_idle_notifier_v1", "org_kde_kwin_idle"


class WaylandGone(OSError):
    """The compositor closed the connection (or could not be reached)."""


def socket_path(env: Mapping[str, str]) -> str | None:
    """The compositor's socket: ``WAYLAND_DISPLAY`` (absolute, or in XDG_RUNTIME_DIR)."""
    name = env.get("WAYLAND_DISPLAY", "") or "wayland-0"
    if os.path.isabs(name):
        return name
    runtime = env.get("XDG_RUNTIME_DIR", "")
    return os.path.join(runtime, name) if runtime else None


def _string(text: str) -> bytes:
    data = text.encode() + b"\0"
    return struct.pack("=I", len(data)) + data + b"\0" * (-len(data) % 4)


def _read_string(data: bytes, off: int) -> tuple[str, int]:
    (size,) = struct.unpack_from("=I", data, off)
    text = data[off + 4 : off + 4 + size - 1].decode(errors="replace")
    return text, off + 4 + size + (-size % 4)


class IdleClient:
    """A Wayland connection that asks for idle notifications and reads them."""

    def __init__(self, path: str) -> None:
        """Supervisor thread: connect; WaylandGone if nobody listens there."""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        self.sock.settimeout(SETUP_TIMEOUT)
        try:
            self.sock.connect(path)
        except OSError as exc:
            self.sock.close()
            raise WaylandGone(f"cannot connect to {path} ({type(exc).__name__})") from None
        self._buf = b""
        self.protocol = ""

    def _send(self, obj: int, opcode: int, payload: bytes = b"") -> None:
        self.sock.sendall(_HEADER.pack(obj, (8 + len(payload)) << 16 | opcode) + payload)

    def _events(self) -> list[tuple[int, int, bytes]]:
        """Supervisor thread: the next complete events (blocks until there is one)."""
        while True:
            out = []
            while len(self._buf) >= 8:
                obj, word = _HEADER.unpack_from(self._buf)
                size = word >> 16
                if size < 8 or len(self._buf) < size:
                    break
                out.append((obj, word & 0xFFFF, self._buf[8:size]))
                self._buf = self._buf[size:]
            if out:
                return out
            data = self.sock.recv(4096)
            if not data:
                raise WaylandGone("the compositor closed the connection")
            self._buf += data

    def _check_error(self, obj: int, opcode: int, args: bytes) -> None:
        if obj == _DISPLAY and opcode == 0:  # wl_display.error(object, code, message)
            message, _ = _read_string(args, 8)
            raise WaylandGone(f"protocol error: {message}")

    def globals(self) -> dict[str, tuple[int, int]]:
        """Supervisor thread: interface -> (global name, version), after one roundtrip."""
        self._send(_DISPLAY, 1, struct.pack("=I", _REGISTRY))  # get_registry
        self._send(_DISPLAY, 0, struct.pack("=I", _CALLBACK))  # sync
        found: dict[str, tuple[int, int]] = {}
        while True:
            for obj, opcode, args in self._events():
                self._check_error(obj, opcode, args)
                if obj == _REGISTRY and opcode == 0:  # global(name, interface, version)
                    (name,) = struct.unpack_from("=I", args)
                    iface, off = _read_string(args, 4)
                    (version,) = struct.unpack_from("=I", args, off)
                    found.setdefault(iface, (name, version))
                elif obj == _CALLBACK and opcode == 0:  # done
                    return found

    def _bind(self, name: int, iface: str, version: int, new_id: int) -> None:
        payload = struct.pack("=I", name) + _string(iface) + struct.pack("=II", version, new_id)
        self._send(_REGISTRY, 0, payload)

    def watch(self, timeout_ms: int = IDLE_MS) -> str:
        """Supervisor thread: ask for idle notifications; the protocol used.

        BackendUnavailable when the compositor offers neither protocol (GNOME's Mutter).
        """
        found = self.globals()
        if "wl_seat" not in found or not ({EXT, KDE} & set(found)):
            raise BackendUnavailable("the compositor offers no idle protocol")
        self._bind(found["wl_seat"][0], "wl_seat", 1, _SEAT)
        if EXT in found:
            name, version = found[EXT]
            self._bind(name, EXT, min(version, 2), _NOTIFIER)
            # v2: get_input_idle_notification (opcode 2) ignores idle inhibitors.
            opcode = 2 if version >= 2 else 1
            self._send(_NOTIFIER, opcode, struct.pack("=III", _WATCH, timeout_ms, _SEAT))
            self.protocol = f"{EXT} v{min(version, 2)}"
        else:
            self._bind(found[KDE][0], KDE, 1, _NOTIFIER)
            self._send(_NOTIFIER, 0, struct.pack("=III", _WATCH, _SEAT, timeout_ms))
            self.protocol = KDE
        self.sock.settimeout(None)  # from now on: block without timeout while idle
        return self.protocol

    def next_change(self) -> bool:
        """Supervisor thread: block until idled (False) or resumed (True)."""
        while True:
            for obj, opcode, args in self._events():
                self._check_error(obj, opcode, args)
                if obj == _WATCH and opcode in (0, 1):  # idled / resumed, both protocols
                    return opcode == 1

    def shutdown(self) -> None:
        """Any thread: end a blocked read (it raises WaylandGone)."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class WaylandIdleBackend(ActivityOnly):
    """The ``wayland`` activity backend: the supervisor thread reads idle events."""

    name = "wayland"

    def attempt(self, session: Session, reconnecting: bool) -> tuple[str | None, bool]:
        """Supervisor thread: follow idled/resumed until the compositor goes or stop()."""
        path = socket_path(self._env)
        if path is None:
            raise BackendUnavailable("no XDG_RUNTIME_DIR for the Wayland socket")
        try:
            client = IdleClient(path)
        except WaylandGone as exc:
            if self._worked:
                return f"Wayland compositor not there: {exc}", False
            raise BackendUnavailable(str(exc)) from None
        was_ready = False
        try:
            client.watch()
            if not session.install_halt(client.shutdown):
                return None, False
            self._ready(session, self.name, reconnecting)
            self._worked = True
            was_ready = True
            # Input within the first IDLE_MS is unknown; assume active until told idle.
            self._active(session, True)
            while True:
                self._active(session, client.next_change())
        except OSError as exc:
            if session.stopping:
                return None, was_ready
            return f"Wayland compositor went away ({exc})", was_ready
        finally:
            with session.lock:
                session.halt = None
            client.close()
