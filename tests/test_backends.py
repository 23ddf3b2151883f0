"""Both activity backends count the same input the same way; xrecord's parser on its own.

The integration tests drive one xdotool script through each backend under Xvfb and
compare with what was sent. The unit tests feed ``RecordReader`` hand-built RECORD
streams: counting by type, replies cut in two, the end of the stream, Xauthority
entries, and the privacy rule that a KeyPress's keycode byte is never read.
"""

from __future__ import annotations

import os
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import SupportsIndex

import pytest

from rsiguard.adapters.input.xrecord import RecordReader, RecordUnavailable, xauth_cookie
from rsiguard.core.events import ActivitySample
from tests.desktop import process, require, wait_for
from tests.test_activity import Harness, _free_display, xdo

X11 = sys.platform not in ("darwin", "win32")
KEY_PRESS, KEY_RELEASE, BUTTON_PRESS, BUTTON_RELEASE, MOTION, MAPPING = 2, 3, 4, 5, 6, 34

# --- one script through each backend ---------------------------------------------------

TEXT = "the quick brown fox jumps over the lazy dog"  # lowercase: no Shift presses
CLICKS = [("1", 3), ("2", 1), ("3", 1), ("8", 1), ("9", 1)]  # (button, presses)
STEPS = [("4", 4), ("5", 3), ("6", 1), ("7", 2)]  # wheel buttons: one step per press
ORIGIN = (100, 100)  # the first position after start: sets the origin only
PATH = [(400, 500), (400, 100), (1000, 100), (1000, 700), (1003, 704)]  # 500+400+600+600+5
EXPECTED = ActivitySample(
    keys=len(TEXT),
    clicks=sum(n for _, n in CLICKS),
    scroll=sum(n for _, n in STEPS),
    pointer_px=2105.0,
)


def drive(display: str) -> None:
    """The script: moves along known segments, typing, clicks and wheel steps."""
    for x, y in [ORIGIN, *PATH]:
        xdo(display, "mousemove", str(x), str(y))
    xdo(display, "type", "--delay", "5", TEXT)
    for button, presses in CLICKS + STEPS:  # where the pointer is: no distance added
        xdo(display, "click", "--repeat", str(presses), "--delay", "5", button)


@contextmanager
def counting(display: str, backend: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    """A monitor with ``backend`` on ``display``, counting; stopped afterwards."""
    monkeypatch.delenv("DISPLAY", raising=False)
    h = Harness({"DISPLAY": display}, backend)
    try:
        h.call(h.monitor.start)
        wait_for(lambda: h.status() == f"{backend} (X11 {display})", what=f"{backend} ready")
        yield h
    finally:
        assert h.close() < 1.0


def settled(h: Harness, want: ActivitySample) -> ActivitySample:
    """The totals once they reach ``want``'s counts and no post comes for 1.2 s more."""
    wait_for(
        lambda: (t := h.total()).keys >= want.keys and t.clicks >= want.clicks,
        timeout=20,
        what="counts",
    )
    while True:
        before = len(h.samples())
        time.sleep(1.2)
        if len(h.samples()) == before:
            return h.total()


@pytest.mark.integration
@pytest.mark.parametrize("backend", ["xrecord", "pynput"])
def test_one_script_same_counts(
    display: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdo(display, "mousemove", "10", "10")  # not ORIGIN: moving there must be an event
    with counting(display, backend, monkeypatch) as h:
        drive(display)
        total = settled(h, EXPECTED)
    assert (total.keys, total.clicks, total.scroll) == (
        EXPECTED.keys,
        EXPECTED.clicks,
        EXPECTED.scroll,
    )
    assert total.pointer_px == pytest.approx(EXPECTED.pointer_px, abs=1)


@pytest.mark.integration
def test_flood_counted_exactly_by_both(display: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """xdotool at its fastest, both backends at once: no event lost, none counted twice."""
    text = "abcdefghijklmnopqrstuvwxyz" * 60  # 1,560 presses in about 2 s
    with (
        counting(display, "xrecord", monkeypatch) as fast,
        counting(display, "pynput", monkeypatch) as slow,
    ):
        xdo(display, "type", "--delay", "1", text)
        want = ActivitySample(keys=len(text))
        assert settled(fast, want) == want
        assert settled(slow, want) == want
        assert len(fast.samples()) <= 1 + (fast.posts[-1][0] - fast.posts[0][0])


# --- xrecord's parser on hand-built streams --------------------------------------------


def event(etype: int, detail: int = 0, x: int = 0, y: int = 0) -> bytes:
    """A 32-byte device event: type, detail (button or keycode), root x/y at 20 and 22."""
    return bytes([etype, detail]) + bytes(18) + struct.pack("=hh", x, y) + bytes(8)


def reply(category: int, *events: bytes) -> bytes:
    """A RECORD EnableContext reply: 32-byte header, then the data."""
    data = b"".join(events)
    return bytes([1, category, 0, 0]) + struct.pack("=I", len(data) // 4) + bytes(24) + data


STREAM = b"".join(
    [
        reply(4),  # StartOfData
        reply(0, event(MOTION, x=10, y=10)),  # the origin
        reply(0, event(KEY_PRESS, detail=38), event(KEY_PRESS, detail=38)),  # auto-repeat
        reply(0, event(KEY_RELEASE, detail=38)),  # not recorded, and would not count
        event(MAPPING, detail=1),  # sent to every client: skipped
        reply(0, event(MOTION, x=13, y=14)),  # 5 px
        reply(0, *(event(BUTTON_PRESS, detail=b, x=13, y=14) for b in (1, 2, 3, 8, 9, 10))),
        reply(0, *(event(BUTTON_PRESS, detail=b, x=13, y=14) for b in (4, 5, 6, 7))),
        reply(0, event(BUTTON_RELEASE, detail=1, x=13, y=24)),  # no count; 10 px
        reply(0, event(KEY_PRESS | 0x80, detail=9)),  # the send_event bit: still a key
    ]
)
STREAM_COUNTS = [3, 6, 4, 15.0]


def test_counts_by_type() -> None:
    reader = RecordReader(":0", {})
    try:
        totals: list[float] = [0, 0, 0, 0.0]
        assert reader._count(STREAM, totals) == (len(STREAM), 0)
        assert totals == STREAM_COUNTS
    finally:
        reader.release()


def test_incomplete_item_is_reported_not_kept() -> None:
    reader = RecordReader(":0", {})
    try:
        # StartOfData is bytes 0-31, the origin's reply 32-95, the two keys' 96-191.
        for cut, want, counted in (
            (10, (0, 22), [0, 0, 0, 0.0]),  # inside the first header
            (40, (32, 24), [0, 0, 0, 0.0]),  # inside the second header
            (70, (32, 26), [0, 0, 0, 0.0]),  # inside the second reply's data
            (202, (192, 22), [2, 0, 0, 0.0]),  # the complete replies before it count
        ):
            reader._last = None
            totals: list[float] = [0, 0, 0, 0.0]
            assert reader._count(STREAM[:cut], totals) == want
            assert totals == counted
        assert not [v for v in vars(reader).values() if isinstance(v, bytes | bytearray)]
    finally:
        reader.release()


class Spy(bytes):
    """Bytes that remember which single indexes were read (``data[i]``)."""

    read: set[int]

    def __getitem__(self, index: SupportsIndex | slice) -> object:  # type: ignore[override]
        if not isinstance(index, slice):
            self.read.add(int(index))
        return super().__getitem__(index)


def test_keycode_byte_is_never_read() -> None:
    """Privacy: for a KeyPress only byte 0 (the type) is looked at, never byte 1."""
    keys = [event(KEY_PRESS, detail=code) for code in (24, 25, 26)]
    data = Spy(reply(0, *keys) + reply(0, event(BUTTON_PRESS, detail=1)))
    data.read = set()
    reader = RecordReader(":0", {})
    try:
        totals: list[float] = [0, 0, 0, 0.0]
        reader._count(data, totals)
    finally:
        reader.release()
    assert totals[:3] == [3, 1, 0]
    keycode_bytes = {32 + 32 * i + 1 for i in range(len(keys))}
    assert {32 + 32 * i for i in range(len(keys))} <= data.read  # the types were read
    assert not keycode_bytes & data.read
    assert 4 * 32 + 1 in data.read  # whereas a button's number is read


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs socketpair")
def test_drain_completes_a_cut_reply_and_counts_once() -> None:
    reader = RecordReader(":0", {})
    ours, server = socket.socketpair()
    reader._sock = ours
    got: list[tuple[int, int, int, float]] = []
    try:
        cut = len(STREAM) - 20  # the last reply arrives in two writes
        server.sendall(STREAM[:cut])
        threading.Timer(0.05, server.sendall, [STREAM[cut:]]).start()
        reader._drain(ours, lambda *counts: got.append(counts))
        assert got == [(3, 6, 4, 15.0)]
        server.sendall(reply(0, event(MOTION, x=13, y=34)) + reply(5))  # 10 px, EndOfData
        with pytest.raises(OSError, match="RECORD data ended"):
            reader._drain(ours, lambda *counts: got.append(counts))
        assert got[1:] == [(0, 0, 0, 10.0)]  # counted what came before the end
    finally:
        server.close()
        reader.release()


def test_server_closing_the_connection_raises() -> None:
    reader = RecordReader(":0", {})
    ours, server = socket.socketpair()
    reader._sock = ours
    try:
        server.sendall(reply(0, event(KEY_PRESS)))
        server.close()
        got: list[tuple[int, int, int, float]] = []
        with pytest.raises(OSError):
            reader._drain(ours, lambda *counts: got.append(counts))
        assert got == [(1, 0, 0, 0.0)]
    finally:
        reader.release()


def test_close_wakes_run_and_release_is_idempotent() -> None:
    reader = RecordReader(":0", {})
    ours, server = socket.socketpair()
    reader._sock = ours
    t = threading.Thread(target=reader.run, args=(lambda *c: None,))
    t.start()
    time.sleep(0.05)
    assert t.is_alive()  # blocked in select() with nothing to read
    reader.close()
    t.join(1)
    assert not t.is_alive()
    reader.release()
    reader.release()
    reader.close()  # after release: a no-op, not a write to a closed (or reused) fd
    server.close()


@pytest.mark.parametrize("name", ["nocolon", ":x", "/tmp/launch-abc/org.xquartz:0"])
def test_display_names_not_understood(name: str) -> None:
    reader = RecordReader(name, {})
    try:
        with pytest.raises(RecordUnavailable, match="not understood"):
            reader.open()
    finally:
        reader.release()


def _xauth_entry(family: int, address: bytes, number: bytes, name: bytes, data: bytes) -> bytes:
    fields = b"".join(struct.pack(">H", len(f)) + f for f in (address, number, name, data))
    return struct.pack(">H", family) + fields


def test_xauth_cookie_lookup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "xauth"
    cookie = b"0123456789abcdef"
    path.write_bytes(
        _xauth_entry(256, b"otherhost", b"7", b"MIT-MAGIC-COOKIE-1", b"wrong-host-cooki")
        + _xauth_entry(256, b"me", b"3", b"MIT-MAGIC-COOKIE-1", b"wrong-display---")
        + _xauth_entry(256, b"me", b"7", b"XDM-AUTHORIZATION-1", b"not-a-cookie")
        + _xauth_entry(256, b"me", b"7", b"MIT-MAGIC-COOKIE-1", cookie)
    )
    env = {"XAUTHORITY": str(path)}
    assert xauth_cookie(env, 256, b"me", "7") == cookie
    assert xauth_cookie(env, 256, b"me", "8") == b""
    path.write_bytes(_xauth_entry(65535, b"", b"", b"MIT-MAGIC-COOKIE-1", cookie))
    assert xauth_cookie(env, 256, b"me", "8") == cookie  # the wildcard family
    path.write_bytes(_xauth_entry(256, b"me", b"7", b"MIT-MAGIC-COOKIE-1", cookie)[:-3])
    assert xauth_cookie(env, 256, b"me", "7") == b""  # truncated
    assert xauth_cookie({"XAUTHORITY": str(tmp_path / "none")}, 256, b"me", "7") == b""
    monkeypatch.delenv("XAUTHORITY", raising=False)
    (tmp_path / ".Xauthority").write_bytes(
        _xauth_entry(256, b"me", b"7", b"MIT-MAGIC-COOKIE-1", cookie)
    )
    assert xauth_cookie({"HOME": str(tmp_path)}, 256, b"me", "7") == cookie  # the default file


@pytest.mark.integration
@pytest.mark.skipif(not X11, reason="X11 only")
def test_cookie_from_xauthority_is_sent(tmp_path: Path) -> None:
    """A server that demands a cookie: accepted with the right XAUTHORITY, else refused."""
    require("Xvfb")
    name = _free_display()
    auth = tmp_path / "xauth"
    auth.write_bytes(
        _xauth_entry(
            256,
            socket.gethostname().encode(),
            name[1:].encode(),
            b"MIT-MAGIC-COOKIE-1",
            os.urandom(16),
        )
    )
    argv = ["Xvfb", name, "-auth", str(auth), "-nolisten", "tcp", "-noreset"]
    with process(argv, os.environ):
        wait_for(lambda: Path(f"/tmp/.X11-unix/X{name[1:]}").exists(), what="Xvfb socket")
        time.sleep(0.2)  # the socket exists a moment before the server accepts
        reader = RecordReader(name, {"XAUTHORITY": str(auth)})
        try:
            reader.open()
        finally:
            reader.release()
        refused = RecordReader(name, {"XAUTHORITY": str(tmp_path / "none"), "HOME": "/nonexistent"})
        try:
            with pytest.raises(RecordUnavailable, match="refused the connection"):
                refused.open()
        finally:
            refused.release()
