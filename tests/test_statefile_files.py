"""What can stand at the state path: never block on it (D8), never lose it (D15).

Anything that is not a regular file we wrote (a FIFO, a directory, a device, a
socket, a symlink), or a file that cannot be read or understood, is moved aside as
``state.json.<reason>-<UTC time>`` with a warning saying where, so the next save
can write a regular file and nothing the user had is overwritten.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rsiguard.adapters import statefile
from tests.desktop import IN_CI

GOOD = {"version": 1, "saved_at": 1000.0, "today": {"day": "2026-11-25", "keys": 42}}


def _aside(path: Path, reason: str) -> Path:
    """The one file the state at ``path`` was moved aside to for ``reason``."""
    found = sorted(path.parent.glob(f"{path.name}.{reason}-*"))
    assert len(found) == 1, (reason, sorted(p.name for p in path.parent.iterdir()))
    assert found[0].name[len(path.name) + len(reason) + 2 :].endswith("Z")  # a UTC stamp
    return found[0]


def _load_promptly(path: Path, timeout: float = 5.0) -> object:
    """``load(path)`` in a thread, so that a load that blocks fails the test, not hangs it."""
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(statefile.load(path)), daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        # Let a reader stuck in open() of the FIFO go: a writer appears.
        with_writer = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        os.close(with_writer)
        worker.join(5)
        pytest.fail(f"load({path}) blocked for over {timeout} s")
    return result[0]


def _save_works(path: Path) -> None:
    statefile.save(path, GOOD)
    assert stat.S_ISREG(os.lstat(path).st_mode)
    assert json.loads(path.read_text()) == GOOD


def test_a_fifo_is_not_read_but_moved_aside_promptly(tmp_path: Path, caplog: Any) -> None:
    # Was: the daemon hung at start forever in open(), after binding its socket.
    path = tmp_path / "state.json"
    os.mkfifo(path)
    start = time.monotonic()
    with caplog.at_level(logging.WARNING):
        assert _load_promptly(path) is None
    assert time.monotonic() - start < 2
    moved = _aside(path, "fifo")
    assert stat.S_ISFIFO(os.lstat(moved).st_mode)
    assert str(path) in caplog.text and str(moved) in caplog.text and "FIFO" in caplog.text
    _save_works(path)


def test_a_directory_is_moved_aside_so_saves_work(tmp_path: Path, caplog: Any) -> None:
    # Was: a read warning, then "[Errno 21] Is a directory" on every save.
    path = tmp_path / "state.json"
    path.mkdir()
    (path / "keep").write_text("mine")
    with caplog.at_level(logging.WARNING):
        assert _load_promptly(path) is None
    assert (_aside(path, "directory") / "keep").read_text() == "mine"
    assert "directory" in caplog.text
    _save_works(path)


def test_a_socket_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        assert _load_promptly(path) is None
    assert stat.S_ISSOCK(os.lstat(_aside(path, "socket")).st_mode)
    _save_works(path)


def test_a_device_is_not_opened_for_reading_as_state(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null
    except PermissionError:
        pytest.skip("creating a device node needs CAP_MKNOD")
    assert _load_promptly(path) is None
    assert stat.S_ISCHR(os.lstat(_aside(path, "device")).st_mode)
    _save_works(path)


def test_a_symlink_is_not_followed(tmp_path: Path, caplog: Any) -> None:
    # Was: read through the link, then the link silently replaced by a file on save
    # (the target never updated again).
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps(GOOD))
    path = tmp_path / "state.json"
    path.symlink_to(target)
    with caplog.at_level(logging.WARNING):
        assert _load_promptly(path) is None
    moved = _aside(path, "symlink")
    assert os.readlink(moved) == str(target)
    assert json.loads(target.read_text()) == GOOD  # the target is left alone
    assert "symbolic link" in caplog.text
    _save_works(path)
    assert json.loads(target.read_text()) == GOOD


def test_a_dangling_symlink_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.symlink_to(tmp_path / "nowhere")
    assert _load_promptly(path) is None
    _aside(path, "symlink")
    _save_works(path)


def test_garbage_is_moved_aside_not_overwritten(tmp_path: Path, caplog: Any) -> None:
    path = tmp_path / "state.json"
    path.write_text("{not json, but maybe the user's notes")
    with caplog.at_level(logging.WARNING):
        assert statefile.load(path) is None
    assert _aside(path, "corrupt").read_text() == "{not json, but maybe the user's notes"
    assert "not JSON" in caplog.text
    _save_works(path)


@pytest.mark.parametrize(
    "text", ["[1, 2]", '"state"', "[" * 100_000 + "]" * 100_000, "\xff\xfe not utf-8"]
)
def test_what_is_not_a_json_object_is_moved_aside(tmp_path: Path, text: str) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(text.encode("latin-1"))
    assert statefile.load(path) is None
    _aside(path, "corrupt")


@pytest.mark.parametrize("version", [2, 99, "1", True, None, 1.5])
def test_an_unknown_version_is_kept_aside_for_the_program_that_wrote_it(
    tmp_path: Path, version: object, caplog: Any
) -> None:
    # Was: silently overwritten (a downgrade lost a newer rsiguard's state).
    path = tmp_path / "state.json"
    path.write_text(json.dumps({**GOOD, "version": version}))
    with caplog.at_level(logging.WARNING):
        assert statefile.load(path) is None
    assert json.loads(_aside(path, "unknown-version").read_text())["version"] == version
    assert "version" in caplog.text


def test_a_file_over_a_mebibyte_is_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({**GOOD, "pad": "x" * (statefile.MAX_BYTES + 1)}))
    assert statefile.load(path) is None
    _aside(path, "too-large")


def test_an_empty_file_is_just_ignored(tmp_path: Path, caplog: Any) -> None:
    path = tmp_path / "state.json"
    path.write_text("")
    with caplog.at_level(logging.WARNING):
        assert statefile.load(path) is None
    assert "empty" in caplog.text
    assert list(tmp_path.iterdir()) == [path]  # nothing worth keeping aside


def test_huge_integers_in_the_text_cost_only_their_field(tmp_path: Path, caplog: Any) -> None:
    # A 5000-digit int is past Python's int() limit: it must not make the file unreadable.
    path = tmp_path / "state.json"
    path.write_text(
        '{"version": 1, "saved_at": 1' + "0" * 5000 + ', "snoozes_used": 1e400,'
        ' "today": {"day": "2026-11-25", "keys": 42, "active_s": NaN}}'
    )
    with caplog.at_level(logging.WARNING):
        data = statefile.load(path)
    assert data is not None and data["today"] == {"day": "2026-11-25", "keys": 42}
    for name in ("saved_at", "snoozes_used", "today.active_s"):
        assert name in caplog.text
    assert str(path) in caplog.text
    assert "5001 digits" in caplog.text


# --- D15: a file we may not read -------------------------------------------------------

_AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
_CHILD = """
import logging, sys
from pathlib import Path
logging.basicConfig(level=logging.WARNING, format="%(message)s")
from rsiguard.adapters import statefile
print(statefile.load(Path(sys.argv[1])))
"""


@pytest.fixture
def world_dir() -> Iterator[Path]:
    """A directory another uid can reach (pytest's tmp dirs are private to us)."""
    d = Path(tempfile.mkdtemp(prefix="rsiguard-test-", dir="/tmp"))
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_an_unreadable_file_is_moved_aside_not_overwritten(
    world_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    # Was: treated like a missing file, then overwritten by the next save (counts lost).
    path = world_dir / "state.json"
    path.write_text(json.dumps(GOOD))
    path.chmod(0o000)
    if os.getuid() != 0:
        # Not root: mode 000 really is unreadable for us.
        with caplog.at_level(logging.WARNING):
            assert statefile.load(path) is None
        log = caplog.text
    elif shutil.which("setpriv"):
        # Root reads anything: load as an unprivileged user who owns the dir and the file.
        os.chown(world_dir, 65534, 65534)
        os.chown(path, 65534, 65534)
        out = subprocess.run(
            [*_AS_NOBODY, sys.executable, "-c", _CHILD, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd="/",
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "None"
        log = out.stderr
    elif IN_CI:
        pytest.fail("missing setpriv: apt-get install -y util-linux", pytrace=False)
    else:
        # No way to become another user here: simulate the open error instead.
        real_open = os.open

        def refuse(p: Any, flags: int, *args: Any, **kw: Any) -> int:
            if os.fspath(p) == str(path):
                raise PermissionError(errno.EACCES, "Permission denied", str(p))
            return real_open(p, flags, *args, **kw)

        monkeypatch.setattr(os, "open", refuse)
        with caplog.at_level(logging.WARNING):
            assert statefile.load(path) is None
        monkeypatch.undo()
        log = caplog.text
    moved = _aside(path, "unreadable")
    assert "Permission denied" in log and str(moved) in log
    assert not os.path.lexists(path)
    moved.chmod(0o600)
    assert json.loads(moved.read_text()) == GOOD  # every count still there


# --- D20 and the save side ---------------------------------------------------------------

_KILLED_IN_FSYNC = """
import os, sys, time
from pathlib import Path
from rsiguard.adapters import statefile

def stuck(fd):
    print("in fsync", flush=True)
    time.sleep(60)

os.fsync = stuck
statefile.save(Path(sys.argv[1]), {"version": 1})
"""


def test_a_temp_file_left_by_a_kill_during_a_save_is_removed_at_start(
    tmp_path: Path, caplog: Any
) -> None:
    # Was: `.state.json.<pid>.tmp` left behind for ever (each restart has a new pid).
    path = tmp_path / "state.json"
    statefile.save(path, GOOD)
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_IN_FSYNC, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "in fsync"
    child.kill()
    child.wait(10)
    child.stdout.close()
    left = [p for p in tmp_path.iterdir() if p != path]
    assert [p.name for p in left] == [f".state.json.{child.pid}.tmp"]
    other = tmp_path / ".other.json.12.tmp"
    other.write_text("not ours")
    with caplog.at_level(logging.INFO):
        removed = statefile.clean_leftovers(path)
    assert removed == [left[0]]
    assert sorted(tmp_path.iterdir()) == sorted([path, other])
    assert json.loads(path.read_text()) == GOOD  # the previous save is intact
    assert str(left[0]) in caplog.text


def test_clean_leftovers_removes_a_planted_link_not_its_target(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    victim = tmp_path / "precious.txt"
    victim.write_text("precious")
    (tmp_path / ".state.json.4242.tmp").symlink_to(victim)
    assert statefile.clean_leftovers(path) == [tmp_path / ".state.json.4242.tmp"]
    assert victim.read_text() == "precious"
    assert statefile.clean_leftovers(tmp_path / "missing" / "state.json") == []


def test_a_symlink_planted_at_the_temp_name_is_never_written_through(tmp_path: Path) -> None:
    # Was: the temp file opened with O_TRUNC through the link (the victim overwritten),
    # then the link renamed over state.json.
    path = tmp_path / "state.json"
    victim = tmp_path / "precious.txt"
    victim.write_text("precious")
    (tmp_path / f".state.json.{os.getpid()}.tmp").symlink_to(victim)
    _save_works(path)
    assert victim.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious.txt", "state.json"]


def test_a_state_directory_that_is_a_file_is_named_as_such(tmp_path: Path) -> None:
    # Was: "[Errno 17] File exists: '.../rsiguard'".
    d = tmp_path / "rsiguard"
    d.write_text("")
    with pytest.raises(OSError) as info:
        statefile.save(d / "state.json", GOOD)
    assert str(info.value) == f"the state directory {d} is not a directory"
    with pytest.raises(OSError) as info:
        statefile.save(d / "deeper" / "state.json", GOOD)
    assert str(info.value) == f"the directory {d} is not a directory"


def test_repeated_save_failures_are_logged_once_per_problem(tmp_path: Path, caplog: Any) -> None:
    # Was: the same warning every 5 s for as long as the problem lasted.
    d = tmp_path / "rsiguard"
    path = d / "state.json"
    saver = statefile.Saver(path)
    d.write_text("")
    with caplog.at_level(logging.INFO, logger="rsiguard.state"):
        assert [saver.save(GOOD) for _ in range(5)] == [False] * 5
        d.unlink()
        (d / "state.json").mkdir(parents=True)  # another problem: a directory in the way
        assert [saver.save(GOOD) for _ in range(3)] == [False] * 3
        (d / "state.json").rmdir()
        assert [saver.save(GOOD) for _ in range(3)] == [True] * 3
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3, messages
    assert "is not a directory" in messages[0] and str(path) in messages[0]
    assert "directory" in messages[1]
    assert messages[2] == f"saving state to {path} works again"
    assert json.loads(path.read_text()) == GOOD
