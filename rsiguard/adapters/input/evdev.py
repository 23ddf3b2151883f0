"""evdev backend: counts input from ``/dev/input/event*``, read directly (standard library).

It works under any Wayland compositor and on a text console, for a user who may read
the device nodes (they are ``root:input 0660``: membership of ``input`` is needed, and
it gives keylogger-level access to every process of that user; docs/activity.md).

Each read returns whole ``struct input_event`` records (24 bytes on 64-bit Linux:
``struct timeval``, ``__u16 type``, ``__u16 code``, ``__s32 value``). They are counted
by type and value, and for ``EV_KEY`` by the *range* the code falls in:

- ``EV_KEY`` value 1 (press) or 2 (autorepeat): a key; in the button ranges
  (``BTN_MISC``..``BTN_DIGI`` and ``BTN_TRIGGER_HAPPY``) a press is a click; the
  tool/touch codes (``BTN_DIGI``..``KEY_OK``) are not counted. Releases are not counted.
  The code is compared with the range bounds and dropped: no key code is kept.
- ``EV_REL``: ``REL_WHEEL``/``REL_HWHEEL`` steps are scroll (the ``*_HI_RES`` copies are
  ignored, or a step would count twice); ``REL_X``/``REL_Y`` are summed per
  ``SYN_REPORT`` frame into pointer travel.
- ``EV_ABS``: ``ABS_X``/``ABS_Y`` positions (touchpads, tablets, VM pointers); travel is
  the distance between frames; lifting the finger (``BTN_TOUCH`` release) resets it.
- ``SYN_DROPPED``: the kernel's buffer overflowed; events up to the next ``SYN_REPORT``
  are ignored and the absolute origin is reset.

Pointer travel is in **device units**, not screen pixels: mouse counts before the
compositor's acceleration (an 800-1600 DPI mouse moves 800-1600 units an inch),
touchpad and tablet units from their own resolution.

Hot-plug: inotify on the device directory (through ``ctypes``; without it, devices
plugged in later are not seen). Unplug: ``ENODEV`` (or end of file) closes that device.
While idle the reader blocks in ``poll()`` without a timeout; under input it drains,
then waits ``DRAIN_INTERVAL`` (20 ms: a 1000 Hz mouse queues 60 events, below the
kernel's smallest per-client buffer of 64) before looking again.

Threads: everything runs on the activity supervisor thread, except ``close()`` (any
thread, from stop()).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import math
import os
import select
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rsiguard.adapters.input.base import Add, BackendUnavailable, Measures, Ready, Session

DEV_DIR = Path("/dev/input")
SYS_DIR = Path("/sys/class/input")
DRAIN_INTERVAL = 0.02  # seconds between drains under input (see the module docstring)
_LONG = struct.calcsize("l")
EVENT = struct.Struct(f"{2 * _LONG}xHHi")  # timeval skipped: type, code, value
EV_SYN, EV_KEY, EV_REL, EV_ABS = 0, 1, 2, 3
SYN_REPORT, SYN_DROPPED = 0, 3
REL_X, REL_Y, REL_HWHEEL, REL_WHEEL = 0, 1, 6, 8
ABS_X, ABS_Y = 0, 1
BTN_MISC, BTN_DIGI, BTN_TOUCH, KEY_OK = 0x100, 0x140, 0x14A, 0x160
BTN_TRIGGER_HAPPY, BTN_TRIGGER_HAPPY_END = 0x2C0, 0x2E8
KEY_A, BTN_LEFT = 30, 0x110
_IN_ATTRIB, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x4, 0x80, 0x100, 0x200
_READ = 64 * 1024 // EVENT.size * EVENT.size  # whole records per read
Opener = Callable[[str], int]


@dataclass(frozen=True, slots=True)
class Device:
    """One ``eventN`` node as sysfs describes it (no ioctl needed)."""

    node: Path
    name: str
    kind: str  # "keyboard", "pointer", "keyboard+pointer", "other" or "unknown"
    readable: bool


def _bits(path: Path) -> int | None:
    """A sysfs capability bitmap (hex words, most significant first), or None."""
    try:
        words = path.read_text().split()
    except OSError:
        return None
    value = 0
    for word in words:
        value = (value << (8 * _LONG)) | int(word, 16)
    return value


def _kind(sysdir: Path, event: str) -> tuple[str, str]:
    """(name, kind) of ``event`` from sysfs; "unknown" when sysfs does not say."""
    dev = sysdir / event / "device"
    try:
        name = (dev / "name").read_text().strip()
    except OSError:
        name = "?"
    ev = _bits(dev / "capabilities" / "ev")
    if ev is None:
        return name, "unknown"
    key = _bits(dev / "capabilities" / "key") or 0
    rel = _bits(dev / "capabilities" / "rel") or 0
    absolute = _bits(dev / "capabilities" / "abs") or 0
    kinds = []
    if ev >> EV_KEY & 1 and key >> KEY_A & 1:
        kinds.append("keyboard")
    pointing = ev >> EV_REL & 1 and rel >> REL_X & 1
    touching = ev >> EV_ABS & 1 and absolute >> ABS_X & 1 and key >> BTN_TOUCH & 1
    if pointing or touching or (ev >> EV_ABS & 1 and absolute & 1 and key >> BTN_LEFT & 1):
        kinds.append("pointer")
    return name, "+".join(kinds) or "other"


def discover(devdir: Path = DEV_DIR, sysdir: Path = SYS_DIR) -> list[Device]:
    """Any thread: the event nodes under ``devdir``, classified from ``sysdir``."""
    try:
        nodes = sorted(devdir.glob("event*"), key=lambda p: (len(p.name), p.name))
    except OSError:
        return []
    found = []
    for node in nodes:
        name, kind = _kind(sysdir, node.name)
        found.append(Device(node, name, kind, os.access(node, os.R_OK)))
    return found


def unavailable_reason(devices: list[Device], devdir: Path = DEV_DIR) -> str | None:
    """Any thread: why evdev cannot count here, or None if some device is readable."""
    wanted = [d for d in devices if d.kind != "other"]
    if any(d.readable for d in wanted):
        return None
    if not wanted:
        return f"no keyboard or pointer in {devdir}"
    return (
        f"no readable input devices ({len(wanted)} in {devdir}, none readable: join the "
        "'input' group with `sudo usermod -aG input $USER` and log in again)"
    )


class _State:
    """Per-device counting state between records: frame sums and the last position."""

    __slots__ = ("ax", "ay", "dropping", "dx", "dy", "last")

    def __init__(self) -> None:
        self.dx = self.dy = 0
        self.ax: int | None = None
        self.ay: int | None = None
        self.last: tuple[int, int] | None = None
        self.dropping = False


def count(data: bytes, st: _State, totals: list[float]) -> None:
    """Add whole records in ``data`` to ``totals`` [keys, clicks, scroll, travel].

    For EV_KEY only the class of the code is used; the code itself is never stored.
    """
    for etype, code, value in EVENT.iter_unpack(data):
        if etype == EV_SYN:
            if code == SYN_DROPPED:
                st.dropping, st.dx, st.dy, st.ax, st.ay, st.last = True, 0, 0, None, None, None
            elif code == SYN_REPORT:
                if st.dropping:
                    st.dropping = False
                else:
                    _frame(st, totals)
            continue
        if st.dropping:
            continue
        if etype == EV_KEY:
            if BTN_MISC <= code < BTN_DIGI or BTN_TRIGGER_HAPPY <= code < BTN_TRIGGER_HAPPY_END:
                totals[1] += value == 1
            elif BTN_DIGI <= code < KEY_OK:
                if code == BTN_TOUCH and value == 0:  # finger lifted: the next touch jumps
                    st.ax = st.ay = st.last = None
            elif value in (1, 2):
                totals[0] += 1
        elif etype == EV_REL:
            if code == REL_X:
                st.dx += value
            elif code == REL_Y:
                st.dy += value
            elif code in (REL_WHEEL, REL_HWHEEL):
                totals[2] += abs(value)
        elif etype == EV_ABS:
            if code == ABS_X:
                st.ax = value
            elif code == ABS_Y:
                st.ay = value


def _frame(st: _State, totals: list[float]) -> None:
    """A SYN_REPORT: add the frame's relative motion and its absolute move."""
    if st.dx or st.dy:
        totals[3] += math.hypot(st.dx, st.dy)
        st.dx = st.dy = 0
    if st.ax is not None and st.ay is not None:
        pos = (st.ax, st.ay)
        if st.last is not None:
            totals[3] += math.hypot(pos[0] - st.last[0], pos[1] - st.last[1])
        st.last = pos


def _inotify(devdir: Path) -> int | None:
    """An inotify fd watching ``devdir`` for nodes appearing or changing, or None."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = int(libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC))
        if fd < 0:
            return None
        mask = _IN_CREATE | _IN_ATTRIB | _IN_MOVED_TO | _IN_DELETE
        if libc.inotify_add_watch(fd, os.fsencode(devdir), mask) < 0:
            os.close(fd)
            return None
    except (OSError, AttributeError):
        return None
    return fd


def _open(path: str) -> int:
    return os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)


class EvdevReader:
    """Reads and counts every readable keyboard and pointer node under ``devdir``."""

    def __init__(self, devdir: Path = DEV_DIR, sysdir: Path = SYS_DIR) -> None:
        """Any thread."""
        self.devdir, self.sysdir = devdir, sysdir
        self._fds: dict[int, tuple[str, _State]] = {}  # fd -> (node name, state)
        self._wake_r, self._wake_w = os.pipe()
        self._notify: int | None = None
        self._closed = False

    @property
    def devices(self) -> int:
        """Supervisor thread: how many nodes are open."""
        return len(self._fds)

    def open(self) -> None:
        """Supervisor thread: open what is readable; BackendUnavailable if nothing is."""
        self._notify = _inotify(self.devdir)
        self._scan()
        if not self._fds:
            why = unavailable_reason(discover(self.devdir, self.sysdir), self.devdir)
            self.release()
            raise BackendUnavailable(why or f"no readable input devices in {self.devdir}")

    def _scan(self) -> None:
        """Supervisor thread: open the wanted nodes not open yet (a hot-plugged device)."""
        have = {name for name, _ in self._fds.values()}
        for dev in discover(self.devdir, self.sysdir):
            if dev.node.name in have or dev.kind == "other":
                continue
            with contextlib.suppress(OSError):  # not readable (yet: udev sets the mode)
                self._fds[_open(str(dev.node))] = (dev.node.name, _State())

    def run(self, add: Add) -> None:
        """Supervisor thread: count until close(). Blocks in poll() while idle."""
        while not self._closed:
            poller = select.poll()
            poller.register(self._wake_r, select.POLLIN)
            if self._notify is not None:
                poller.register(self._notify, select.POLLIN)
            for fd in self._fds:
                poller.register(fd, select.POLLIN)
            ready = {fd for fd, _ in poller.poll()}
            if self._wake_r in ready:
                return
            if self._notify is not None and self._notify in ready:
                with contextlib.suppress(OSError):
                    while os.read(self._notify, 4096):  # what changed does not matter
                        pass
                self._scan()
            totals = [0.0, 0.0, 0.0, 0.0]
            for fd in ready & set(self._fds):
                self._drain(fd, totals)
            keys, clicks, scroll, travel = totals
            if keys or clicks or scroll or travel:
                add(keys=int(keys), clicks=int(clicks), scroll=int(scroll), pointer_px=travel)
            if select.select([self._wake_r], [], [], DRAIN_INTERVAL)[0]:
                return

    def _drain(self, fd: int, totals: list[float]) -> None:
        """Supervisor thread: read and count all queued records of one device."""
        _, st = self._fds[fd]
        while True:
            try:
                data = os.read(fd, _READ)
            except BlockingIOError:
                return
            except OSError as exc:  # ENODEV: unplugged
                if exc.errno not in (errno.ENODEV, errno.EIO, errno.EBADF):
                    raise
                data = b""
            if not data:  # unplugged (or, for a pipe, its writer went away)
                del self._fds[fd]
                os.close(fd)
                return
            cut = len(data) % EVENT.size
            if cut:  # only a pipe splits a record: finish it now rather than keep bytes
                data += self._rest(fd, EVENT.size - cut)
            count(data[: len(data) - len(data) % EVENT.size], st, totals)

    def _rest(self, fd: int, size: int) -> bytes:
        """Supervisor thread: up to ``size`` more bytes of a cut record (0.5 s at most)."""
        got = b""
        while len(got) < size and select.select([fd], [], [], 0.5)[0]:
            try:
                more = os.read(fd, size - len(got))
            except OSError:
                break
            if not more:
                break
            got += more
        return got

    def close(self) -> None:
        """Any thread: make run() return soon."""
        self._closed = True
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def release(self) -> None:
        """Supervisor thread, after run(): close every fd (idempotent)."""
        for fd in [*self._fds, self._notify, self._wake_r, self._wake_w]:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._fds.clear()
        self._notify = None
        self._wake_r = self._wake_w = -1


class EvdevBackend:
    """The ``evdev`` activity backend: the supervisor thread is the reader."""

    name = "evdev"
    measures: Measures = "counts"

    def __init__(self, add: Add, ready: Ready) -> None:
        """Loop thread; one instance per session."""
        self._add = add
        self._ready = ready

    def attempt(self, session: Session, reconnecting: bool) -> tuple[str | None, bool]:
        """Supervisor thread: open the devices, count until stop()."""
        reader = EvdevReader(DEV_DIR, SYS_DIR)
        reader.open()
        try:
            with session.lock:
                if session.stopping:
                    return None, False
                session.halt = reader.close
            self._ready(session, self.name, reconnecting)
            try:
                reader.run(self._add)
            except OSError as exc:
                return f"input devices failed ({type(exc).__name__}: {exc.strerror})", True
            return None, True
        finally:
            with session.lock:
                session.halt = None
            reader.release()
