"""Running the real daemon on a private desktop: helpers shared by integration tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.desktop import wait_for

RSIGUARD = [sys.executable, "-m", "rsiguard"]
# The installed command, as a user or the systemd unit runs it (no ``-m``: the working
# directory is not on its sys.path).
RSIGUARD_COMMAND = str(Path(sys.executable).with_name("rsiguard"))

# Short enough for tests, long enough that a busy CI machine keeps up.
FAST_CONFIG = """
[breaks.micro]
interval = "10s"
min_interval = "10s"
duration = "3s"
[breaks.rest]
interval = "1h"
duration = "5m"
[breaks]
snooze = "4s"
max_snoozes = 2
[activity]
idle_threshold = "2s"
"""


def daemon_env(tmp: Path, display: str | None, bus: str | None) -> dict[str, str]:
    """An environment whose every directory lives under ``tmp``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RSIGUARD_", "XDG_", "DBUS_"))}
    env.pop("DISPLAY", None)
    env.pop("NOTIFY_SOCKET", None)
    for name in ("run", "state", "cfg", "site", "home"):
        (tmp / name).mkdir(mode=0o700, parents=True, exist_ok=True)
    env.update(
        HOME=str(tmp / "home"),
        XDG_RUNTIME_DIR=str(tmp / "run"),
        XDG_STATE_HOME=str(tmp / "state"),
        XDG_CONFIG_HOME=str(tmp / "cfg"),
        RSIGUARD_SITE_DIR=str(tmp / "site"),
        PYTHONUNBUFFERED="1",
    )
    if display:
        env["DISPLAY"] = display
    if bus:
        env["DBUS_SESSION_BUS_ADDRESS"] = bus
    return env


def cli(
    env: Mapping[str, str], *args: str, timeout: float = 20
) -> subprocess.CompletedProcess[str]:
    """Run ``rsiguard ARGS`` and capture its output."""
    return subprocess.run(
        [*RSIGUARD, *args], env=dict(env), capture_output=True, text=True, timeout=timeout
    )


def status(env: Mapping[str, str]) -> dict[str, Any]:
    """``rsiguard status --json`` as a dict (empty when no daemon answers)."""
    out = cli(env, "status", "--json")
    if out.returncode != 0:
        return {}
    data = json.loads(out.stdout)
    assert isinstance(data, dict)
    return data


def input_ready(env: Mapping[str, str]) -> bool:
    """Whether the daemon's input backend is counting (any backend)."""
    backend = str(status(env).get("backends", {}).get("input", ""))
    return backend.startswith(("xrecord", "pynput"))


@contextmanager
def running_daemon(
    env: Mapping[str, str],
    config: str | None = FAST_CONFIG,
    log: Path | None = None,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``rsiguard run`` and wait until it answers; stop it with SIGTERM afterwards.

    With ``cwd``, the installed ``rsiguard`` command runs in that directory.
    """
    args = [RSIGUARD_COMMAND if cwd else RSIGUARD[0], *([] if cwd else RSIGUARD[1:]), "run", "-v"]
    if config is not None:
        cfg = Path(env["XDG_CONFIG_HOME"]) / "test.toml"
        cfg.write_text(config)
        args += ["--config", str(cfg)]
    log = log or Path(env["HOME"]) / "daemon.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(args, env=dict(env), stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    try:
        wait_for(
            lambda: proc.poll() is not None or status(env),
            timeout=30,
            what=f"the daemon to answer (log: {log})",
        )
        assert proc.poll() is None, f"daemon exited {proc.returncode}: {log.read_text()}"
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


class Typist:
    """Types into the X display in a background thread until stopped (keeps the user active)."""

    def __init__(self, display: str, text: str = "aaaa") -> None:
        self.display = display
        self.text = text
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        env = {**os.environ, "DISPLAY": self.display}
        while not self._stop.is_set():
            subprocess.run(["xdotool", "type", "--delay", "60", self.text], env=env, check=False)

    def __enter__(self) -> Typist:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)


def xdotool(display: str, *args: str) -> None:
    """Run one xdotool command on ``display``."""
    subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, check=True)
