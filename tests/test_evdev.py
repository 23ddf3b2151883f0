"""The evdev backend on hand-built ``struct input_event`` streams and a fake device tree.

No real input device can exist on CI's machine (no /dev/input, no uinput), so the reader
runs on FIFOs standing in for ``/dev/input/eventN`` (a FIFO delivers the same bytes a
device does, and closing its writer looks like an unplug) and discovery reads a fake
sysfs tree. The monitor itself runs for real: its supervisor thread opens the FIFOs,
blocks in poll(), and posts what it counted.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rsiguard.adapters.input import evdev
from rsiguard.core.events import ActivitySample
from tests.desktop import IN_CI, wait_for
from tests.test_activity import Harness, _reachable, _switches

EV_SYN, EV_KEY, EV_REL, EV_ABS = 0, 1, 2, 3
KEY_A, KEY_H, KEY_LEFTSHIFT = 30, 35, 42
BTN_LEFT, BTN_RIGHT, BTN_TOUCH, BTN_TOOL_FINGER = 0x110, 0x111, 0x14A, 0x145
REL_X, REL_Y, REL_HWHEEL, REL_WHEEL, REL_WHEEL_HI_RES = 0, 1, 6, 8, 11
WAYLAND = {"PATH": "/usr/bin", "XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-9"}


def ev(etype: int, code: int, value: int) -> bytes:
    """One ``struct input_event`` (native layout: timeval, type, code, value)."""
    return struct.pack("llHHi", 1, 2, etype, code, value)


def syn() -> bytes:
    return ev(EV_SYN, 0, 0)


def totals(data: bytes) -> list[float]:
    out = [0.0, 0.0, 0.0, 0.0]
    evdev.count(data, evdev._State(), out)
    return out


def test_record_layout_is_the_kernels() -> None:
    assert evdev.EVENT.size == struct.calcsize("llHHi") == (24 if sys.maxsize > 2**32 else 16)


def test_keys_press_and_autorepeat_count_releases_do_not() -> None:
    stream = b"".join(
        [
            ev(EV_KEY, KEY_LEFTSHIFT, 1),
            ev(EV_KEY, KEY_H, 1),
            syn(),
            ev(EV_KEY, KEY_H, 0),
            ev(EV_KEY, KEY_A, 1),
            ev(EV_KEY, KEY_A, 2),  # autorepeat: X counts repeats too
            ev(EV_KEY, KEY_A, 0),
            ev(EV_KEY, KEY_LEFTSHIFT, 0),
            syn(),
        ]
    )
    assert totals(stream) == [4, 0, 0, 0.0]


def test_buttons_are_clicks_touch_and_tools_are_not() -> None:
    stream = b"".join(
        [
            ev(EV_KEY, BTN_LEFT, 1),
            syn(),
            ev(EV_KEY, BTN_LEFT, 0),
            ev(EV_KEY, BTN_RIGHT, 1),
            ev(EV_KEY, BTN_RIGHT, 0),
            ev(EV_KEY, 0x2C0, 1),  # BTN_TRIGGER_HAPPY1: a button too
            ev(EV_KEY, BTN_TOUCH, 1),  # a touchpad touch, not a click
            ev(EV_KEY, BTN_TOOL_FINGER, 1),
            syn(),
        ]
    )
    assert totals(stream) == [0, 3, 0, 0.0]


def test_wheel_steps_count_once_hi_res_copies_ignored() -> None:
    stream = b"".join(
        [
            ev(EV_REL, REL_WHEEL, 1),
            ev(EV_REL, REL_WHEEL_HI_RES, 120),
            syn(),
            ev(EV_REL, REL_HWHEEL, -2),
            ev(EV_REL, 12, -240),  # REL_HWHEEL_HI_RES
            syn(),
        ]
    )
    assert totals(stream) == [0, 0, 3, 0.0]


def test_relative_motion_is_summed_per_frame() -> None:
    # Two frames: (3, 4) -> 5 units; (-6, 0) + (0, -8) in one frame -> 10, not 6 + 8.
    stream = ev(EV_REL, REL_X, 3) + ev(EV_REL, REL_Y, 4) + syn()
    stream += ev(EV_REL, REL_X, -6) + ev(EV_REL, REL_Y, -8) + syn()
    assert totals(stream) == [0, 0, 0, 15.0]


def test_absolute_motion_between_frames_and_a_lifted_finger() -> None:
    def at(x: int, y: int) -> bytes:
        return ev(EV_ABS, 0, x) + ev(EV_ABS, 1, y) + syn()

    stream = at(100, 100) + at(103, 104) + at(103, 110)  # origin, 5, 6
    stream += ev(EV_KEY, BTN_TOUCH, 0) + syn()  # finger lifted
    stream += at(900, 900) + at(900, 903)  # a new origin (no jump of ~1000), then 3
    assert totals(stream) == [0, 0, 0, 14.0]


def test_syn_dropped_discards_up_to_the_next_report() -> None:
    stream = ev(EV_KEY, KEY_A, 1) + syn()  # 1 key
    stream += ev(EV_SYN, 3, 0)  # SYN_DROPPED: the kernel's buffer overflowed
    stream += ev(EV_KEY, KEY_A, 1) + ev(EV_REL, REL_X, 50) + syn()  # incomplete: ignored
    stream += ev(EV_KEY, KEY_H, 1) + ev(EV_REL, REL_X, 7) + syn()  # counted again
    assert totals(stream) == [2, 0, 0, 7.0]


def test_count_uses_key_codes_only_in_comparisons() -> None:
    """Privacy, statically: in count() the code is only ever compared, never stored."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(evdev.count)))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "code"]
    assert uses
    for name in uses:
        parent = parents[name]
        if isinstance(name.ctx, ast.Store):  # the loop target unpacking the record
            assert isinstance(parent, ast.Tuple) and isinstance(parents[parent], ast.For)
            continue
        assert isinstance(parent, ast.Compare), ast.dump(parent)


# --- a fake device tree ---------------------------------------------------------------


def _hexbits(*bits: int) -> str:
    value = sum(1 << b for b in bits)
    return f"{value:x}"


def add_device(root: Path, n: int, kind: str, name: str = "") -> Path:
    """Write sysfs capabilities for ``eventN`` and create its node as a FIFO."""
    caps = root / "sys" / f"event{n}" / "device" / "capabilities"
    caps.mkdir(parents=True)
    ev_bits = {"keyboard": (0, 1, 17, 20), "mouse": (0, 1, 2), "touchpad": (0, 1, 3)}
    ev_bits["power"] = (0, 1)
    (caps / "ev").write_text(_hexbits(*ev_bits[kind]) + "\n")
    key = {"keyboard": (KEY_A, KEY_H), "mouse": (BTN_LEFT,), "touchpad": (BTN_TOUCH, BTN_LEFT)}
    key["power"] = (116,)  # KEY_POWER only
    (caps / "key").write_text(_hexbits(*key[kind]) + "\n")
    (caps / "rel").write_text(_hexbits(REL_X, REL_Y, REL_WHEEL) if kind == "mouse" else "0")
    (caps / "abs").write_text(_hexbits(0, 1) if kind == "touchpad" else "0")
    (caps.parent / "name").write_text(f"{name or kind} {n}\n")
    devdir = root / "dev"
    devdir.mkdir(exist_ok=True)
    node = devdir / f"event{n}"
    os.mkfifo(node)
    return node


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "dev").mkdir()
    (tmp_path / "sys").mkdir()
    monkeypatch.setattr(evdev, "DEV_DIR", tmp_path / "dev")
    monkeypatch.setattr(evdev, "SYS_DIR", tmp_path / "sys")
    return tmp_path


def test_discovery_classifies_from_sysfs(tree: Path) -> None:
    add_device(tree, 0, "keyboard", "AT keyboard")
    add_device(tree, 1, "mouse")
    add_device(tree, 2, "touchpad")
    add_device(tree, 3, "power")
    os.mkfifo(tree / "dev" / "event10")  # no sysfs entry: unknown, still tried
    (tree / "dev" / "mouse0").touch()  # not an event node
    found = evdev.discover(tree / "dev", tree / "sys")
    assert [(d.node.name, d.name, d.kind, d.readable) for d in found] == [
        ("event0", "AT keyboard 0", "keyboard", True),
        ("event1", "mouse 1", "pointer", True),
        ("event2", "touchpad 2", "pointer", True),
        ("event3", "power 3", "other", True),
        ("event10", "?", "unknown", True),
    ]
    assert evdev.unavailable_reason(found, tree / "dev") is None
    assert evdev.unavailable_reason([], tree / "dev") == f"no keyboard or pointer in {tree}/dev"


def test_unreadable_nodes_name_the_input_group() -> None:
    """As a user who may not read the nodes (root may read anything: run as nobody)."""
    setpriv = shutil.which("setpriv")
    if setpriv is None or os.geteuid() != 0:
        if IN_CI:
            pytest.fail("needs root and setpriv (util-linux) to act as another user")
        pytest.skip("needs root and setpriv to act as another user")
    root = Path(tempfile.mkdtemp(prefix="rsiguard-evdev-"))
    try:
        root.chmod(0o755)
        for n, kind in enumerate(("keyboard", "mouse")):
            add_device(root, n, kind).chmod(0o660)  # root:root 0660, like root:input
        for d in root.rglob("*"):
            if d.is_dir():
                d.chmod(0o755)
        code = (
            "from pathlib import Path; from rsiguard.adapters.input import evdev; "
            f"d = evdev.discover(Path('{root}/dev'), Path('{root}/sys')); "
            "print([x.readable for x in d]); "
            f"print(evdev.unavailable_reason(d, Path('{root}/dev')))"
        )
        done = subprocess.run(
            [
                setpriv,
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                sys.executable,
                "-c",
                code,
            ],
            capture_output=True,
            text=True,
            timeout=30,
            env={"PYTHONPATH": str(Path(__file__).parent.parent), "PATH": "/usr/bin:/bin"},
            check=False,
        )
        assert done.returncode == 0, done.stderr
        readable, why = done.stdout.splitlines()
        assert readable == "[False, False]"
        assert why == (
            f"no readable input devices (2 in {root}/dev, none readable: join the 'input' "
            "group with `sudo usermod -aG input $USER` and log in again)"
        )
    finally:
        shutil.rmtree(root)


# --- the monitor on FIFOs -------------------------------------------------------------


@contextlib.contextmanager
def writer(node: Path, timeout: float = 10.0) -> Iterator[int]:
    """The write end of a FIFO node, once the reader has it open (proves it was opened)."""

    def attempt() -> int | None:
        try:
            return os.open(node, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: nobody reads it (yet)
            return None

    fd = wait_for(attempt, timeout=timeout, what=f"the reader to open {node.name}")
    assert isinstance(fd, int)
    try:
        yield fd
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


@contextlib.contextmanager
def evdev_monitor(env: dict[str, str] | None = None) -> Iterator[Harness]:
    h = Harness(env or WAYLAND)
    try:
        h.call(h.monitor.start)
        yield h
    finally:
        assert h.close() < 1.0


def test_wayland_session_counts_from_devices_hotplug_and_unplug(tree: Path) -> None:
    kbd = add_device(tree, 0, "keyboard")
    with evdev_monitor() as h, writer(kbd) as w:
        wait_for(lambda: h.status() == "evdev (Wayland wayland-9)", what="evdev chosen")
        assert h.call(lambda: h.monitor.measures) == "counts"
        os.write(w, ev(EV_KEY, KEY_H, 1) + syn() + ev(EV_KEY, KEY_H, 0) + syn())
        wait_for(lambda: h.total() == ActivitySample(keys=1), what="one key")
        # Hot-plug: a mouse appears (inotify on the device directory); it is opened.
        mouse = add_device(tree, 1, "mouse")
        with writer(mouse) as m:
            os.write(m, ev(EV_REL, REL_X, 30) + ev(EV_REL, REL_Y, 40) + syn())
            os.write(m, ev(EV_KEY, BTN_LEFT, 1) + syn() + ev(EV_REL, REL_WHEEL, -1) + syn())
            want = ActivitySample(keys=1, clicks=1, scroll=1, pointer_px=50.0)
            wait_for(lambda: h.total() == want, what="mouse counted")
        # Unplug (the writer closed): the mouse is dropped, the keyboard keeps counting.
        wait_for(lambda: h.call(lambda: len(_reader_fds(h))) == 1, what="mouse dropped")
        os.write(w, ev(EV_KEY, KEY_A, 1) + syn())
        wait_for(lambda: h.total().keys == 2, what="keyboard still counted")
        assert h.status() == "evdev (Wayland wayland-9)"


def _reader_fds(h: Harness) -> dict[int, object]:
    """The open device fds of the running reader (found through the halt it installed)."""
    session = h.monitor._session
    assert session is not None and session.halt is not None
    reader = session.halt.__self__  # type: ignore[attr-defined]
    return reader._fds  # type: ignore[no-any-return]


def test_a_record_cut_in_two_is_counted_once(tree: Path) -> None:
    kbd = add_device(tree, 0, "keyboard")
    with evdev_monitor() as h, writer(kbd) as w:
        wait_for(lambda: h.status().startswith("evdev"), what="evdev chosen")
        record = ev(EV_REL, REL_X, 3) + ev(EV_REL, REL_Y, 4) + syn()
        os.write(w, record[:30])
        time.sleep(0.1)  # the reader is woken with a cut record and must wait for the rest
        os.write(w, record[30:])
        wait_for(lambda: h.total() == ActivitySample(pointer_px=5.0), what="one move")


def test_idle_devices_mean_no_posts_no_wakeups(tree: Path) -> None:
    kbd = add_device(tree, 0, "keyboard")
    with evdev_monitor() as h, writer(kbd) as w:
        wait_for(lambda: h.status().startswith("evdev"), what="evdev chosen")
        os.write(w, ev(EV_KEY, KEY_A, 1) + syn())
        wait_for(lambda: h.total().keys == 1, what="one key")
        time.sleep(1.5)  # the flush after that key, then nothing is left to do
        tids = [t.native_id or 0 for t in threading.enumerate() if t.name == "rsiguard-activity"]
        assert len(tids) == 1
        before, posts = _switches(tids), len(h.posts)
        time.sleep(2.0)  # observation window: nothing may happen
        assert _switches(tids) == before
        assert len(h.posts) == posts


def test_no_key_code_is_kept(tree: Path) -> None:
    """Privacy, for real: unusual key codes go in, and no trace of them stays reachable."""
    codes = list(range(0x1C1, 0x1D1))  # 449..464: key codes, far above small cached ints
    kbd = add_device(tree, 0, "keyboard")
    with evdev_monitor() as h, writer(kbd) as w:
        wait_for(lambda: h.status().startswith("evdev"), what="evdev chosen")
        stream = b"".join(ev(EV_KEY, c, 1) + ev(EV_KEY, c, 0) + syn() for c in codes)
        os.write(w, stream[:-10])
        os.write(w, stream[-10:])  # a cut record too: its bytes are not kept either
        wait_for(lambda: h.total().keys == len(codes), what="all keys")
        seen = list(_reachable(vars(h.monitor), depth=7))
        seen += list(_reachable(vars(h.monitor._session), depth=7))
        for obj in seen:
            assert not isinstance(obj, bytes | bytearray | memoryview), obj
            if type(obj) is int:
                assert obj not in codes, obj
