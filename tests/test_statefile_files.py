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
