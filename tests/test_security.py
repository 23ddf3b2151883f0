"""Who can talk to the daemon, and what a local attacker can plant: for real.

Other-uid cases run as a real second user (``useradd`` here, ``setpriv`` to switch),
who runs the CLI with Debian's own ``/usr/bin/python3`` from a world-readable copy of
the package (the quick commands need only the standard library).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rsiguard.base.exitcodes import Exit
from rsiguard.control.client import NoDaemon, Stranger, call
from rsiguard.control.protocol import Request
from tests.desktop import IN_CI, require, wait_for
from tests.integration import RSIGUARD, RSIGUARD_COMMAND, cli, daemon_env, running_daemon, status
from tests.test_control import serving

REPO = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"
USER = "rsg-stranger"


def _need(condition: bool, message: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@dataclass(frozen=True)
class OtherUser:
    """A second local account, and how to run a command as it."""

    uid: int
    gid: int
    package: Path  # a world-readable copy of rsiguard/

    def run(self, *argv: str, **kw: object) -> subprocess.CompletedProcess[str]:
        """``argv`` as this user, output captured."""
        cmd = ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups", *argv]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30, **kw)  # type: ignore[call-overload, no-any-return]

    def rsiguard(self, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        """The ``rsiguard`` CLI as this user, in ``env``."""
        code = (
            f"import sys; sys.path.insert(0, {str(self.package)!r}); "
            "from rsiguard.faces.cli import entry; sys.exit(entry())"
        )
        assignments = [f"{k}={v}" for k, v in env.items()]
        return self.run("env", "-i", *assignments, SYSTEM_PYTHON, "-c", code, *args)


@pytest.fixture(scope="session")
def other_user() -> Iterator[OtherUser]:
    """A real second user (created here when missing; CI runs as root)."""
    _need(os.getuid() == 0, "adding a second user needs root (CI runs as root)")
    require("setpriv", "useradd")
    _need(os.path.exists(SYSTEM_PYTHON), f"{SYSTEM_PYTHON} is missing: apt-get install python3")
    try:
        entry = pwd.getpwnam(USER)
    except KeyError:
        # Another test worker may add it at the same moment: exit status 9 is "exists".
        done = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
            capture_output=True,
            text=True,
        )
        assert done.returncode in (0, 9), done.stderr
        entry = pwd.getpwnam(USER)
    public = Path(tempfile.mkdtemp(prefix="rsg-pkg-", dir="/tmp"))
    os.chmod(public, 0o755)
    shutil.copytree(
        REPO / "rsiguard", public / "rsiguard", ignore=shutil.ignore_patterns("__pycache__")
    )
    for root, dirs, files in os.walk(public):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)
    yield OtherUser(entry.pw_uid, entry.pw_gid, public)
    shutil.rmtree(public, ignore_errors=True)


def _shared_dir(owner: int | None = None, mode: int = 0o711) -> Path:
    """A directory under /tmp that the other user can reach (pytest's tmp is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="rsg-", dir="/tmp"))
    os.chmod(path, mode)
    if owner is not None:
        os.chown(path, owner, -1)
    return path


# --- one daemon per user -------------------------------------------------------------


def test_one_daemon_per_user_whatever_its_runtime_dir(tmp_path: Path) -> None:
    env = daemon_env(tmp_path, None, None)
    without = {k: v for k, v in env.items() if k != "XDG_RUNTIME_DIR"}
    with running_daemon(env) as first:
        second = subprocess.run(
            [*RSIGUARD, "run"], env=without, capture_output=True, text=True, timeout=30
        )
        assert second.returncode == Exit.ALREADY_RUNNING, second.stderr
        assert f"pid {first.pid}" in second.stderr
        assert str(Path(env["XDG_RUNTIME_DIR"]) / "rsiguard" / "control.sock") in second.stderr
        # A CLI without the daemon's XDG_RUNTIME_DIR (ssh, cron) still finds it.
        found = cli(without, "status", "--json")
        assert found.returncode == 0, found.stderr
        assert f'"pid": {first.pid}' in found.stdout


def test_without_xdg_runtime_dir_the_socket_is_private_in_the_home(tmp_path: Path) -> None:
    env = daemon_env(tmp_path, None, None)
    for value in (None, "relative/run"):
        if value is None:
            env.pop("XDG_RUNTIME_DIR", None)
        else:
            env["XDG_RUNTIME_DIR"] = value
        with running_daemon(env):
            sock = Path(env["XDG_STATE_HOME"]) / "rsiguard" / "run" / "control.sock"
            assert stat.S_ISSOCK(sock.stat().st_mode)
            assert stat.S_IMODE(sock.parent.stat().st_mode) == 0o700
        assert not (tmp_path / "relative").exists()


def test_a_runtime_dir_the_daemon_creates_is_private_all_the_way(tmp_path: Path) -> None:
    env = daemon_env(tmp_path, None, None)
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "made" / "here")
    with running_daemon(env):
        for d in (tmp_path / "made", tmp_path / "made" / "here"):
            assert stat.S_IMODE(d.stat().st_mode) == 0o700


@pytest.mark.parametrize("plant", ["file", "dangling link", "fifo"])
def test_something_planted_at_the_socket_dir_is_a_clear_error(tmp_path: Path, plant: str) -> None:
    env = daemon_env(tmp_path, None, None)
    where = Path(env["XDG_RUNTIME_DIR"]) / "rsiguard"
    if plant == "file":
        where.write_text("x")
    elif plant == "fifo":
        os.mkfifo(where)
    else:
        where.symlink_to(tmp_path / "nowhere")
    done = subprocess.run([*RSIGUARD, "run"], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == Exit.BAD_CONFIG
    assert "is not a directory" in done.stderr and "Traceback" not in done.stderr


def test_an_overlong_socket_path_is_a_clear_error(tmp_path: Path) -> None:
    env = daemon_env(tmp_path, None, None)
    env["XDG_RUNTIME_DIR"] = str(tmp_path / ("d" * 120))
    done = subprocess.run([*RSIGUARD, "run"], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == Exit.BAD_CONFIG
    assert "Unix sockets allow 107" in done.stderr and "Traceback" not in done.stderr


def test_a_file_where_the_state_directory_goes_degrades_but_runs(tmp_path: Path) -> None:
    env = daemon_env(tmp_path, None, None)
    (Path(env["XDG_STATE_HOME"]) / "rsiguard").write_text("not a directory")
    log = tmp_path / "daemon.log"
    with running_daemon(env, log=log):
        assert cli(env, "break").returncode == 0
    text = log.read_text()
    assert "running without the per-user instance lock" in text
    assert "is not a directory" in text


# --- other users ---------------------------------------------------------------------


def test_another_user_always_gets_the_refusal(other_user: OtherUser, tmp_path: Path) -> None:
    env = daemon_env(tmp_path, None, None)
    base = _shared_dir()
    env["XDG_RUNTIME_DIR"] = str(base)
    with running_daemon(env):
        # Loosen what the daemon made private, as a careless admin might.
        os.chmod(base / "rsiguard", 0o711)
        os.chmod(base / "rsiguard" / "control.sock", 0o666)
        theirs = {"XDG_RUNTIME_DIR": str(base), "HOME": "/nonexistent", "PATH": "/usr/bin:/bin"}
        # Our CLI does not even ask a daemon that is not its user's...
        done = other_user.rsiguard(theirs, "pause", "10m")
        assert done.returncode == Exit.NO_DAEMON, done.stderr
        assert "is served by uid 0, not by you" in done.stderr
        # ...and any other client always reads the daemon's refusal, never a reset.
        raw = other_user.run(
            SYSTEM_PYTHON, "-c", RAW_CLIENT, str(base / "rsiguard" / "control.sock")
        )
        replies = raw.stdout.splitlines()
        assert raw.returncode == 0 and len(replies) == 30, raw.stderr
        refused = f"refused: uid {other_user.uid} does not own this daemon"
        assert {json.loads(r)["error"] for r in replies} == {refused}
        assert {json.loads(r)["code"] for r in replies} == {Exit.REFUSED}
        assert status(env)["state"] != "paused"
    shutil.rmtree(base, ignore_errors=True)


RAW_CLIENT = textwrap.dedent(
    """
    import socket, sys
    for _ in range(30):
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
        s.sendall(b'{"cmd": "pause", "args": {"duration": 600}}\\n')
        print(s.makefile("rb").readline().decode().strip(), flush=True); s.close()
    """
)


FORGER = textwrap.dedent(
    """
    import os, socket, sys
    path = sys.argv[1]
    os.makedirs(os.path.dirname(path), mode=0o755)
    s = socket.socket(socket.AF_UNIX); s.bind(path); os.chmod(path, 0o666); s.listen()
    print("listening", flush=True)
    while True:
        c, _ = s.accept()
        try:
            c.recv(65536); c.sendall(b'{"ok": true, "message": "paused for 2 h (forged)"}\\n')
        except OSError:
            pass
        c.close()
    """
)


def test_the_client_refuses_a_socket_someone_else_serves(other_user: OtherUser) -> None:
    base = _shared_dir(owner=other_user.uid, mode=0o755)
    sock = base / "rsiguard" / "control.sock"
    cmd = ["setpriv", f"--reuid={other_user.uid}", f"--regid={other_user.gid}", "--clear-groups"]
    forger = subprocess.Popen(
        [*cmd, SYSTEM_PYTHON, "-c", FORGER, str(sock)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert forger.stdout is not None and forger.stdout.readline().strip() == "listening"
        with pytest.raises(Stranger, match=f"served by uid {other_user.uid}"):
            call(sock, Request("pause", {"duration": 600}))
        done = subprocess.run(
            [*RSIGUARD, "pause", "10m"],
            env={**os.environ, "XDG_RUNTIME_DIR": str(base)},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == Exit.NO_DAEMON and "forged" not in done.stdout + done.stderr
        assert f"served by uid {other_user.uid}" in done.stderr
    finally:
        forger.kill()
        forger.wait(5)
        shutil.rmtree(base, ignore_errors=True)


def test_what_others_planted_in_an_open_socket_dir_is_never_trusted(
    other_user: OtherUser,
) -> None:
    base = _shared_dir(mode=0o755)
    run = base / "rsiguard"
    run.mkdir(mode=0o777)
    os.chmod(run, 0o777)
    precious = base / "important.txt"
    precious.write_text("precious\n")
    # The other user plants a link where the lock goes, and holds a lock of its own.
    assert other_user.run("ln", "-s", str(precious), str(run / "socket.lock")).returncode == 0
    holder = subprocess.Popen(
        ["setpriv", f"--reuid={other_user.uid}", f"--regid={other_user.gid}", "--clear-groups",
         "flock", "--exclusive", str(run / "planted.lock"), "sleep", "60"]
    )  # fmt: skip
    try:
        wait_for(lambda: (run / "planted.lock").exists(), what="the planted lock")
        with serving(run / "control.sock"):
            assert stat.S_IMODE(run.stat().st_mode) == 0o700
            assert sorted(p.name for p in run.iterdir()) == ["control.sock", "socket.lock"]
            assert not (run / "socket.lock").is_symlink()
        assert precious.read_text() == "precious\n"
    finally:
        holder.kill()
        holder.wait(5)
        shutil.rmtree(base, ignore_errors=True)


# --- signals and load ------------------------------------------------------------------


def _catches_sighup(pid: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGHUP - 1)))
    return False


@pytest.mark.parametrize("after", ["first line", 0.2, 0.4])
def test_sighup_while_starting_is_a_reload_not_a_death(tmp_path: Path, after: object) -> None:
    env = daemon_env(tmp_path, None, None)
    log = tmp_path / "daemon.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [RSIGUARD_COMMAND, "run"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        if isinstance(after, float):
            time.sleep(after)
        else:  # as soon as the interpreter has run the command's first line
            wait_for(lambda: _catches_sighup(proc.pid), interval=0.001, what="the handler")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: proc.poll() is not None or status(env), timeout=30, what="an answer")
        assert proc.poll() is None, log.read_text()
        wait_for(lambda: "configuration reloaded" in log.read_text(), what="the reload")
    finally:
        proc.terminate()
        proc.wait(15)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "children").read_text()
        except OSError:  # a thread that just ended
            continue
        found += [int(c) for c in text.split()]
    return found


def test_a_storm_of_reloads_runs_one_validation_at_a_time(tmp_path: Path) -> None:
    env = daemon_env(tmp_path, None, None)
    log = tmp_path / "daemon.log"
    with running_daemon(env, log=log) as proc:
        most = 0
        for _ in range(100):
            proc.send_signal(signal.SIGHUP)
            most = max(most, len(_children(proc.pid)))
            time.sleep(0.005)
        deadline = time.monotonic() + 60
        while _children(proc.pid) and time.monotonic() < deadline:
            most = max(most, len(_children(proc.pid)))
            time.sleep(0.01)
        assert most <= 1
        wait_for(lambda: "configuration reloaded" in log.read_text(), what="a reload")
        reloads = log.read_text().count("configuration reloaded")
        assert 1 <= reloads <= 20  # merged, not 100
        assert status(env)["state"] in ("active", "idle")


def test_a_connection_burst_is_capped_and_the_daemon_keeps_answering(tmp_path: Path) -> None:
    import socket

    from rsiguard.control.server import MAX_CLIENTS

    env = daemon_env(tmp_path, None, None)
    with running_daemon(env):
        path = Path(env["XDG_RUNTIME_DIR"]) / "rsiguard" / "control.sock"
        held = []
        for _ in range(MAX_CLIENTS + 20):  # partial requests, held open
            s = socket.socket(socket.AF_UNIX)
            s.connect(str(path))
            s.sendall(b'{"cmd": "sta')
            held.append(s)
        try:
            busy = call(path, Request("status"))
            assert not busy.ok and busy.message.startswith("busy:")
        finally:
            for s in held:
                s.close()
        wait_for(lambda: call(path, Request("status")).ok, what="the daemon answering again")


def test_a_full_listen_queue_makes_the_client_wait_not_fail_at_once(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "full.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(0)  # never accepts: the queue fills at once
    queued = []
    try:
        for _ in range(8):
            s = socket.socket(socket.AF_UNIX)
            s.setblocking(False)
            try:
                s.connect(str(path))
            except BlockingIOError:
                s.close()
                break
            queued.append(s)
        start = time.monotonic()
        with pytest.raises(TimeoutError, match="busy"):
            call(path, Request("status"), timeout=1.0)
        assert time.monotonic() - start >= 0.9
    finally:
        for s in queued:
            s.close()
        server.close()


def test_no_daemon_is_still_no_daemon(tmp_path: Path) -> None:
    with pytest.raises(NoDaemon):
        call(tmp_path / "none.sock", Request("status"))
    assert sys.executable
