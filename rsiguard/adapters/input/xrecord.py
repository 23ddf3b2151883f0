"""X11 RECORD reader: counts input events by type, straight from its own socket.

This is the ``xrecord`` activity backend (``activity.py`` supervises it). It speaks just
enough X11 itself (connection setup with an Xauthority cookie, QueryExtension, RECORD
CreateContext and EnableContext) to get the server's stream of device events, then
counts the 32-byte event units by type without building any Python object per event:

- ``KeyPress`` (2): one key. Only byte 0 (the type) is read: byte 1 is the keycode and
  is never read. Key releases are not even recorded (the context asks for type 2 and
  types 4 to 6 only).
- ``ButtonPress`` (4): buttons 4 to 7 are one scroll step each, every other button is a
  click (1, 2, 3, 8, 9 and any extra button: what the pynput backend counts).
- ``ButtonPress``, ``ButtonRelease`` (5) and ``MotionNotify`` (6): the root position
  (int16 at bytes 20 and 22); the distance from the previous one is ``pointer_px``, and
  the first position after ``open()`` only sets the origin (as pynput does).
- Anything else in the stream (``MappingNotify`` sent to every client, ...) is skipped.

Cost: the server writes about one RECORD reply per event, so waking per event would cost
more than counting. The reader wakes when data arrives, drains everything queued, then
sleeps ``DRAIN_INTERVAL`` before looking again: at most about 10 wake-ups a second under
any input rate, and none while idle (``poll()`` without a timeout). The server drops
RECORD data silently once about 250 replies are queued, so the interval stays at 0.1 s.

Privacy: received bytes live only in local variables of one drain; when a reply arrives
cut in two, the rest is read right away rather than keeping the partial bytes for later.

Threads: ``XRecordBackend.attempt`` and the reader's ``open()``, ``run()`` and
``release()`` run on the activity supervisor thread, which is the reader; ``close()``
may be called from any thread (the loop thread's stop()).
Only the standard library is used: no python-xlib, no pynput (their import alone costs
about 4 to 7 MB of RSS).
"""

from __future__ import annotations

import contextlib
import math
import os
import select
import socket
import struct
import sys
import threading
from collections.abc import Callable, Mapping

from rsiguard.adapters.input.base import BackendUnavailable, Measures, Ready, Session

DRAIN_INTERVAL = 0.1  # seconds between drains under input (server drops at ~250 queued)
SETUP_TIMEOUT = 5.0  # seconds for connecting and each reply during setup
KEY_PRESS, BUTTON_PRESS, BUTTON_RELEASE, MOTION_NOTIFY = 2, 4, 5, 6
SCROLL_BUTTONS = frozenset({4, 5, 6, 7})
_GENERIC_EVENT = 35  # the only event type longer than 32 bytes
_START_OF_DATA, _END_OF_DATA = 4, 5  # RECORD reply categories; 0 is "from server"
_FAMILY_INTERNET, _FAMILY_INTERNET6, _FAMILY_LOCAL, _FAMILY_WILD = 0, 6, 256, 65535
_COOKIE = b"MIT-MAGIC-COOKIE-1"
_ORDER = b"l" if sys.byteorder == "little" else b"B"  # native order: struct "=" just works
_U32 = struct.Struct("=I").unpack_from
_XY = struct.Struct("=hh").unpack_from

Add = Callable[[int, int, int, float], None]  # (keys, clicks, scroll, pointer_px)


class DisplayGone(OSError):
    """The X display cannot be reached, or the connection ended."""


class RecordUnavailable(Exception):
    """The display is there but RECORD cannot be used through it (missing, refused, ...)."""


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _connect(display: str) -> tuple[socket.socket, int, bytes]:
    """Reader thread: a socket connected to ``display``, and its Xauthority family/address.

    ``[protocol/][host]:number[.screen]``: no host or ``unix`` is the local socket (the
    abstract name first on Linux, as libxcb does: it works under a private /tmp too),
    anything else is TCP port 6000 + number.
    """
    host, sep, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not sep or not number.isdigit() or host.startswith("/"):  # "/path:0": launchd
        raise RecordUnavailable(f"display name {display!r} not understood")
    proto, _, host = host.rpartition("/") if "/" in host else ("", "", host)
    local = socket.gethostname().encode()
    if proto == "unix" or (not proto and host in ("", "unix")):
        path = f"/tmp/.X11-unix/X{number}"
        paths = ["\0" + path, path] if sys.platform.startswith("linux") else [path]
        last: OSError | None = None
        for candidate in paths:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(SETUP_TIMEOUT)
                sock.connect(candidate)
                return sock, _FAMILY_LOCAL, local
            except OSError as exc:
                sock.close()
                last = exc
        raise DisplayGone(f"cannot connect to {path}: {last}")
    try:
        sock = socket.create_connection((host.strip("[]"), 6000 + int(number)), SETUP_TIMEOUT)
    except OSError as exc:
        raise DisplayGone(f"cannot connect to {host}:{6000 + int(number)}: {exc}") from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    peer = sock.getpeername()[0]
    if peer.startswith("127.") or peer in ("::1", "::ffff:127.0.0.1"):
        return sock, _FAMILY_LOCAL, local  # what xauth and libxcb use for loopback
    if sock.family == socket.AF_INET6:
        return sock, _FAMILY_INTERNET6, socket.inet_pton(socket.AF_INET6, peer)
    return sock, _FAMILY_INTERNET, socket.inet_aton(peer)


def xauth_cookie(env: Mapping[str, str], family: int, address: bytes, number: str) -> bytes:
    """Reader thread: the MIT-MAGIC-COOKIE-1 for this display from the Xauthority file.

    The file is ``XAUTHORITY`` (``env``, then ``os.environ``), else ``~/.Xauthority``.
    Entries match on family and address (or the wildcard family) and display number (or
    none). No file or no match: empty, and the server decides (Xvfb, xhost, ...).
    """
    home = env.get("HOME") or os.path.expanduser("~")
    path = (
        env.get("XAUTHORITY") or os.environ.get("XAUTHORITY") or os.path.join(home, ".Xauthority")
    )
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return b""
    pos, want = 0, number.encode()
    try:
        while pos < len(blob):
            (fam,) = struct.unpack_from(">H", blob, pos)
            pos += 2
            fields = []
            for _ in range(4):  # address, display number, auth name, auth data
                (n,) = struct.unpack_from(">H", blob, pos)
                if pos + 2 + n > len(blob):
                    return b""  # a truncated file: nothing more to trust
                fields.append(blob[pos + 2 : pos + 2 + n])
                pos += 2 + n
            addr, num, name, data = fields
            matches = fam == _FAMILY_WILD or (fam == family and addr == address)
            if matches and num in (b"", want) and name == _COOKIE:
                return data
    except struct.error:  # truncated inside a length field
        pass
    return b""


class RecordReader:
    """One RECORD connection: ``open()`` it, ``run()`` it until the display goes or
    ``close()`` is called, then ``release()`` it. One use only."""

    def __init__(self, display: str, env: Mapping[str, str]) -> None:
        """Any thread."""
        self.display = display
        self._env = env
        self._sock: socket.socket | None = None
        self._wake_r, self._wake_w = os.pipe()  # close() writes a byte: run() returns
        os.set_blocking(self._wake_w, False)
        self._lock = threading.Lock()  # orders close() against release() closing the pipe
        self._released = False
        self._last: tuple[int, int] | None = None  # previous pointer position
        self._ended = ""  # why the server ended the stream, if it did

    def open(self) -> None:
        """Reader thread: connect, set up RECORD, wait for its StartOfData reply.

        Raises ``DisplayGone`` (an OSError) when the display cannot be reached and
        ``RecordUnavailable`` when it can but RECORD cannot be used through it.
        """
        sock, family, address = _connect(self.display)
        self._sock = sock
        number = self.display.rpartition(":")[2].split(".", 1)[0]
        cookie = xauth_cookie(self._env, family, address, number)
        name = _COOKIE if cookie else b""
        try:
            head = struct.pack("=cxHHHHxx", _ORDER, 11, 0, len(name), len(cookie))
            sock.sendall(head + _pad(name) + _pad(cookie))
            reply = self._recv(8)
            extra = self._recv(4 * struct.unpack_from("=H", reply, 6)[0])
            if reply[0] != 1:  # 0: failed (reason length in byte 1); 2: authenticate
                size = reply[1] if reply[0] == 0 else len(extra)
                why = extra[:size].rstrip(b"\0").decode("latin-1", "replace").strip()
                raise RecordUnavailable(f"X server refused the connection: {why or 'no reason'}")
            base, mask = struct.unpack_from("=II", extra, 4)
            request = b"RECORD"
            sock.sendall(
                struct.pack("=BxHHxx", 98, 2 + len(_pad(request)) // 4, len(request))
                + _pad(request)
            )
            answer = self._reply()
            if not answer[8]:
                raise RecordUnavailable("RECORD extension missing")
            opcode, context = answer[9], base | (1 & mask)
            # CreateContext: all clients; two ranges of device events, KeyPress alone and
            # ButtonPress..MotionNotify. Each range: 20 zero bytes, the device-event
            # first/last pair at offset 18, so 24 bytes.
            ranges = b"".join(
                bytes(18) + struct.pack("=BB", first, last) + bytes(4)
                for first, last in ((KEY_PRESS, KEY_PRESS), (BUTTON_PRESS, MOTION_NOTIFY))
            )
            create = struct.pack(
                "=BBHIBxxxIII", opcode, 1, 6 + len(ranges) // 4, context, 0, 1, 2, 3
            )
            enable = struct.pack("=BBHI", opcode, 5, 2, context)
            sock.sendall(create + ranges + enable)
            while self._reply()[1] != _START_OF_DATA:
                pass  # nothing else is expected; tolerate it
            sock.settimeout(None)  # from here on: poll() decides when to read
        except (struct.error, IndexError) as exc:  # a reply too short: not what we asked
            raise RecordUnavailable(f"RECORD setup failed ({type(exc).__name__})") from None

    def run(self, add: Add) -> None:
        """Reader thread: count until ``close()`` (returns) or the display goes (raises).

        Blocks in ``poll()`` without a timeout while no input arrives; under input,
        drains whatever is queued every ``DRAIN_INTERVAL`` and calls ``add`` once per
        drain that counted something.
        """
        sock = self._sock
        if sock is None:
            raise RuntimeError("run() before open()")
        either, wake = select.poll(), select.poll()  # poll(): no FD_SETSIZE limit
        either.register(sock, select.POLLIN)
        for poller in (either, wake):
            poller.register(self._wake_r, select.POLLIN)
        while True:
            if any(fd == self._wake_r for fd, _ in either.poll()):  # no timeout: idle
                return
            self._drain(sock, add)
            if wake.poll(DRAIN_INTERVAL * 1000):
                return

    def close(self) -> None:
        """Any thread: make ``run()`` return at once (or as soon as ``open()``, which
        waits at most ``SETUP_TIMEOUT`` per step, is done). Never blocks."""
        with self._lock:
            if not self._released:
                with contextlib.suppress(OSError):  # the pipe is full: a wake-up is pending
                    os.write(self._wake_w, b"\0")

    def release(self) -> None:
        """Reader thread, after ``open()``/``run()``: close the socket (the server frees the
        RECORD context with it) and the wake-up pipe."""
        with self._lock:
            if self._released:
                return
            self._released = True
            os.close(self._wake_r)
            os.close(self._wake_w)
        if self._sock is not None:
            self._sock.close()

    # ---- reading (reader thread) -------------------------------------------------------

    def _recv(self, size: int) -> bytes:
        """Reader thread: exactly ``size`` bytes, blocking (with the socket's timeout)."""
        assert self._sock is not None
        parts, got = [], 0
        while got < size:
            part = self._sock.recv(size - got)
            if not part:
                raise DisplayGone("X server closed the connection")
            parts.append(part)
            got += len(part)
        return b"".join(parts)

    def _reply(self) -> bytes:
        """Reader thread, during setup: the next reply (events are skipped, errors raise)."""
        while True:
            head = self._recv(32)
            if head[0] == 0:
                raise RecordUnavailable(f"X error {head[1]} during RECORD setup")
            if head[0] == 1 or head[0] & 0x7F == _GENERIC_EVENT:
                head += self._recv(4 * _U32(head, 4)[0])
            if head[0] == 1:
                return head

    def _drain(self, sock: socket.socket, add: Add) -> None:
        """Reader thread: read all that is queued now, count it, pass the totals to ``add``.

        A reply cut in two by the socket is completed right away (the server writes each
        reply at once, so the rest is already on its way).
        """
        chunks, closed = [], False
        while True:
            try:
                chunk = sock.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            if not chunk:
                closed = True
                break
            chunks.append(chunk)
        data = b"".join(chunks)
        totals = [0, 0, 0, 0.0]
        while True:
            pos, missing = self._count(data, totals)
            if not missing or closed:
                break
            sock.settimeout(SETUP_TIMEOUT)
            try:
                data = data[pos:] + self._recv(missing)
            finally:
                sock.settimeout(None)
        del data, chunks
        if any(totals):
            add(int(totals[0]), int(totals[1]), int(totals[2]), totals[3])
        if self._ended or closed:
            raise DisplayGone(self._ended or "X server closed the connection")

    def _count(self, data: bytes, totals: list[float]) -> tuple[int, int]:
        """Reader thread: count the complete items in ``data`` into ``totals``.

        Returns where the first incomplete item starts and how many bytes it lacks (0 when
        everything was complete). An X error or EndOfData ends the stream (``_ended``).
        """
        keys = clicks = scroll = 0
        travel = 0.0
        last = self._last
        pos, end, missing = 0, len(data), 0
        while pos < end:
            if end - pos < 32:
                missing = 32 - (end - pos)
                break
            kind = data[pos]
            # Replies and generic events (send-event bit or not) carry a length; all else is 32.
            long = kind == 1 or kind & 0x7F == _GENERIC_EVENT
            size = 32 + 4 * _U32(data, pos + 4)[0] if long else 32
            if pos + size > end:
                missing = pos + size - end
                break
            if kind == 1 and data[pos + 1] == 0:  # RECORD data from the server: events
                for off in range(pos + 32, pos + size, 32):
                    etype = data[off] & 0x7F
                    if etype == KEY_PRESS:
                        keys += 1  # data[off + 1], the keycode, is never read
                        continue
                    if etype == BUTTON_PRESS:
                        if data[off + 1] in SCROLL_BUTTONS:
                            scroll += 1
                        else:
                            clicks += 1
                    elif etype != BUTTON_RELEASE and etype != MOTION_NOTIFY:
                        continue
                    x, y = _XY(data, off + 20)
                    if last is not None:
                        travel += math.hypot(x - last[0], y - last[1])
                    last = (x, y)
            elif kind == 0 or (kind == 1 and data[pos + 1] == _END_OF_DATA):
                self._ended = f"X error {data[pos + 1]}" if kind == 0 else "RECORD data ended"
                end = pos + size  # count what came before; the stream is over
            pos += size
        self._last = last
        totals[0] += keys
        totals[1] += clicks
        totals[2] += scroll
        totals[3] += travel
        return pos, missing


class XRecordBackend:
    """The ``xrecord`` activity backend: the supervisor thread is the RECORD reader."""

    name = "xrecord"
    measures: Measures = "counts"

    def __init__(self, env: Mapping[str, str], add: Add, ready: Ready) -> None:
        """Loop thread; one instance per session. ``add`` takes each drain's totals."""
        self._env = env
        self._add = add
        self._ready = ready

    def attempt(self, session: Session, reconnecting: bool) -> tuple[str | None, bool]:
        """Supervisor thread: connect, count until the display goes or stop().

        Returns (why it ended, whether it counted); None for the reason means stopped.
        Raises ``BackendUnavailable`` when the display is there but RECORD is not usable.
        """
        display = session.display
        assert display is not None  # only X11 platforms get here
        reader = RecordReader(display, self._env)
        try:
            with session.lock:
                if session.stopping:
                    return None, False
                session.halt = reader.close  # stop() wakes open()/run() through it
            try:
                reader.open()
            except RecordUnavailable as exc:
                raise BackendUnavailable(f"xrecord unavailable ({exc})") from None
            except OSError:
                return f"cannot open X display {display}", False
            if not session.stopping:
                self._ready(session, self.name, reconnecting)
            try:
                reader.run(self._add)
            except OSError:
                return (None if session.stopping else f"X display {display} closed"), True
            return None, True  # stop() woke it
        finally:
            with session.lock:
                session.halt = None
            reader.release()
