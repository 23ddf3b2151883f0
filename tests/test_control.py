"""The control socket: modes, peer credentials, framing, single instance, daemon gone."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsiguard.base.exitcodes import Exit
from rsiguard.control.client import NoDaemon, call
from rsiguard.control.protocol import (
    MAX_MESSAGE,
    ProtocolError,
    Request,
    Response,
    decode_request,
    decode_response,
    encode_request,
    encode_response,
)
from rsiguard.control.server import AlreadyRunning, ControlServer
from tests.desktop import require


async def _echo(req: Request) -> Response:
    return Response(True, f"did {req.cmd}", {"args": req.args})


@contextmanager
def serving(path: Path) -> Iterator[ControlServer]:
    """Run a ControlServer with an echo handler on a loop in a background thread."""
    loop = asyncio.new_event_loop()
    server = ControlServer(path, _echo)
    started = threading.Event()
    failure: list[BaseException] = []

    async def main() -> None:
        try:
            await server.start()
        except BaseException as exc:
            failure.append(exc)
            started.set()
            return
        started.set()
        while server._server is not None:  # until close() from the test thread
            await asyncio.sleep(0.05)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    started.wait(10)
    if failure:
        thread.join(5)
        loop.close()
        raise failure[0]
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
        thread.join(10)
        loop.close()


def _raw(path: Path, payload: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(str(path))
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        return data


def test_round_trip_and_modes(tmp_path: Path) -> None:
    path = tmp_path / "run" / "rsiguard" / "control.sock"
    with serving(path):
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_ISSOCK(path.stat().st_mode)
        resp = call(path, Request("snooze", {"duration": 60}))
        assert resp.ok and resp.message == "did snooze"
        assert resp.data == {"args": {"duration": 60}}
    assert not path.exists()


def test_existing_open_directory_is_made_private(tmp_path: Path) -> None:
    run = tmp_path / "rsiguard"
    run.mkdir(mode=0o755)
    os.chmod(run, 0o755)
    with serving(run / "control.sock"):
        assert stat.S_IMODE(run.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"not json\n", "not JSON"),
        (b"[1, 2]\n", "must be a JSON object"),
        (b'{"cmd": "format-disk"}\n', "unknown command"),
        (b'{"cmd": "snooze", "args": {"duration": "soon"}}\n', "non-negative number"),
        (b'{"cmd": "break", "args": {"kind": "lunch"}}\n', "'micro' or 'rest'"),
        (b"\xff\xfe\n", "not JSON"),
        (b"", "not JSON"),
    ],
)
def test_malformed_requests_get_an_error_reply(tmp_path: Path, payload: bytes, reason: str) -> None:
    path = tmp_path / "r" / "control.sock"
    with serving(path):
        resp = decode_response(_raw(path, payload))
    assert not resp.ok and resp.code == Exit.USAGE
    assert reason in resp.message


def test_oversized_request_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r" / "control.sock"
    with serving(path):
        big = b'{"cmd": "status", "pad": "' + b"x" * (MAX_MESSAGE * 2) + b'"}\n'
        resp = decode_response(_raw(path, big))
        assert not resp.ok and "larger than" in resp.message
        assert call(path, Request("status")).ok  # still serving


def test_no_daemon(tmp_path: Path) -> None:
    with pytest.raises(NoDaemon):
        call(tmp_path / "nothing" / "control.sock", Request("status"))


def test_stale_socket_from_a_crash_is_recovered(tmp_path: Path) -> None:
    path = tmp_path / "r" / "control.sock"
    path.parent.mkdir(mode=0o700)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))  # bound but never listening: what a crash leaves behind
    stale.close()
    with pytest.raises(NoDaemon):
        call(path, Request("status"))
    with serving(path):
        assert call(path, Request("status")).ok


def test_second_instance_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r" / "control.sock"
    with serving(path), pytest.raises(AlreadyRunning), serving(path):
        pass


def test_protocol_codec_round_trip() -> None:
    req = Request("pause", {"duration": 90.0})
    assert decode_request(encode_request(req)) == req
    ok = Response(True, "fine", {"a": 1})
    assert decode_response(encode_response(ok)) == ok
    bad = Response(False, "no", None, Exit.REFUSED)
    assert decode_response(encode_response(bad)) == bad
    with pytest.raises(ProtocolError):
        decode_response(b'{"ok": "yes"}')


_PEER = """
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
except OSError as exc:
    print(json.dumps({"connect_error": exc.errno}))
    raise SystemExit(0)
try:
    s.sendall(b'{"cmd": "skip"}\\n')
except OSError:
    pass  # the daemon may answer and hang up before reading a refused peer's request
print(s.recv(65536).decode().strip())
"""


def _as_nobody(sock: Path) -> dict[str, object]:
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else shutil.which("python3")
    assert python
    out = subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            python,
            "-c",
            _PEER,
            str(sock),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    import json

    result = json.loads(out.stdout)
    assert isinstance(result, dict)
    return result


@pytest.fixture
def world_dir() -> Iterator[Path]:
    """A directory another uid can reach (pytest's tmp dirs are private to us)."""
    d = Path(tempfile.mkdtemp(prefix="rsiguard-test-", dir="/tmp"))
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_other_uid_cannot_reach_the_socket(world_dir: Path) -> None:
    require("setpriv")
    if os.getuid() != 0:
        pytest.skip("needs root to switch uid with setpriv")
    path = world_dir / "rsiguard" / "control.sock"
    with serving(path):
        result = _as_nobody(path)
    assert result.get("connect_error") == 13  # EACCES: the 0700 directory stops it


def test_other_uid_is_refused_by_peer_credentials(world_dir: Path) -> None:
    require("setpriv")
    if os.getuid() != 0:
        pytest.skip("needs root to switch uid with setpriv")
    path = world_dir / "rsiguard" / "control.sock"
    with serving(path):
        # Open the modes on purpose so only SO_PEERCRED stands in the way.
        os.chmod(path.parent, 0o755)
        os.chmod(path, 0o666)
        result = _as_nobody(path)
    assert result["ok"] is False
    assert result["code"] == Exit.REFUSED
    assert "uid 65534" in str(result["error"])


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"cmd":"pause","args":{"duration":1' + b"0" * 400 + b"}}\n", "non-negative number"),
        (b'{"cmd":"pause","args":{"duration":' + b"9" * 5000 + b"}}\n", "not usable JSON"),
        (b'{"cmd":"status","args":{"x":' + b"[" * 30000 + b"]" * 30000 + b"}}\n", "too deeply"),
        (b'{"cmd":"pause","args":{"duration":NaN}}\n', "non-negative number"),
    ],
)
def test_unbounded_numbers_and_nesting_are_usage_errors(
    tmp_path: Path, payload: bytes, reason: str
) -> None:
    path = tmp_path / "r" / "control.sock"
    with serving(path):
        resp = decode_response(_raw(path, payload))
        assert (resp.ok, resp.code) == (False, Exit.USAGE) and reason in resp.message
        assert call(path, Request("status")).ok


def test_only_converted_arguments_reach_the_daemon() -> None:
    req = decode_request(b'{"cmd":"pause","args":{"duration":90,"junk":[[[]]]}}')
    assert dict(req.args) == {"duration": 90.0} and isinstance(req.args["duration"], float)


def test_a_reply_never_carries_nan() -> None:
    with pytest.raises(ValueError):
        encode_response(Response(True, "", {"x": float("nan")}))


def test_an_incomplete_request_gets_a_reply_before_the_connection_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("rsiguard.control.server.READ_TIMEOUT", 0.3)
    path = tmp_path / "r" / "control.sock"
    with serving(path), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(str(path))
        s.sendall(b'{"cmd": "sta')  # and then nothing
        resp = decode_response(s.recv(65536))
    assert not resp.ok and "incomplete request" in resp.message


@pytest.fixture(scope="module")
def fuzzed_server() -> Iterator[Path]:
    """One echo server for every fuzz example."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r" / "control.sock"
        with serving(path):
            yield path


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=st.binary(max_size=2048) | st.from_regex(rb"\{.{0,200}\}\n", fullmatch=True))
def test_fuzz_any_bytes_get_a_usage_error_or_an_answer_never_an_internal_error(
    fuzzed_server: Path, payload: bytes
) -> None:
    raw = _raw(fuzzed_server, payload)
    if raw:  # a closed connection without a reply is allowed; code 1 never is
        resp = decode_response(raw)
        assert resp.ok or resp.code == Exit.USAGE, resp
