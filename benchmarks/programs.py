"""The programs under test: how each one starts, when it is ready, what it counted.

Every program gets a home directory of its own and the same private desktop
(:class:`Desktop`). Readiness, per program:

* rsiguard: the control socket answers a ``status`` request;
* Workrave: its D-Bus name ``org.workrave.Workrave`` has an owner;
* Safe Eyes: its XML-RPC server (started at the top of ``SafeEyes.start()``)
  answers ``status`` (Safe Eyes owns no D-Bus name and, with no tray, no window).

Counting: rsiguard's ``status`` (``today``) before and after the flood; Workrave's
``~/.workrave/todaystats`` (its ``m`` line: mouse movement, clicks, keystrokes; it
counts wheel steps as clicks), which it writes on the minute, so reading it waits
for the next minute; Safe Eyes counts nothing (it asks ``xprintidle`` how
long the user has been idle, every 2 s).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rsiguard import __version__ as RSIGUARD_VERSION
from rsiguard.base.paths import socket_path
from rsiguard.control.client import NoDaemon, call
from rsiguard.control.protocol import Request


@dataclass
class Desktop:
    """The private desktop every program runs on."""

    display: str
    bus: str  # session bus address
    system_bus: str  # a private stand-in for the system bus
    notifications: str  # which notification server runs on the session bus


@dataclass
class Counts:
    """Input as a program counted it; None where it does not count that kind."""

    keys: int | None = None
    clicks: int | None = None
    scroll: int | None = None
    pointer_px: float | None = None


def package_version(package: str) -> str:
    """The installed Debian package version, or ''."""
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Version}", package],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def base_env(home: Path, desk: Desktop) -> dict[str, str]:
    """A minimal desktop session environment whose every directory is under ``home``."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "USER": os.environ.get("USER", "root"),
        "DISPLAY": desk.display,
        "DBUS_SESSION_BUS_ADDRESS": desk.bus,
        "DBUS_SYSTEM_BUS_ADDRESS": desk.system_bus,
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_RUNTIME_DIR": str(home / "run"),
    }
    for key in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    (home / "run").mkdir(mode=0o700, parents=True, exist_ok=True)
    return env


class Program:
    """One program under test. Subclasses fill in the details."""

    key = ""  # JSON key and table row id
    title = ""  # for humans
    ready_how = ""
    counts_how = "does not count input"

    def __init__(self) -> None:
        self.env: dict[str, str] = {}
        self.home = Path()

    def missing(self) -> str | None:
        """Why it cannot run here, or None."""
        return None

    def version(self) -> str:
        """Its version, as installed."""
        return ""

    def prepare(self, home: Path, desk: Desktop) -> list[str]:
        """Set up ``home`` and ``self.env``; return the command line."""
        raise NotImplementedError

    def ready(self) -> bool:
        """True once the program is up (polled every 20 ms)."""
        raise NotImplementedError

    def counts(self) -> Counts | None:
        """What it has counted so far (None: it does not count)."""
        return None

    def settled_counts(self, gap: float, tries: int = 15) -> Counts | None:
        """The counts once they stop changing: two reads ``gap`` seconds apart agree."""
        last = self.counts()
        for _ in range(tries):
            if last is None:
                return None
            time.sleep(gap)
            now = self.counts()
            if now == last:
                return now
            last = now
        return last

    def info(self) -> dict[str, Any]:
        """Extra facts worth reporting (e.g. rsiguard's input backend)."""
        return {}

    def close(self) -> None:
        """Release whatever ``ready`` or ``counts`` opened."""


class Rsiguard(Program):
    """The rsiguard daemon, ``python -m rsiguard run``, default config."""

    title = "rsiguard"
    ready_how = "the control socket answers `status`"
    counts_how = "`status` today counts (keys, clicks, scroll, pointer_px)"

    def __init__(self, backend: str | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.key = "rsiguard" if backend is None else f"rsiguard-{backend}"
        if backend is not None:
            self.title = f"rsiguard ({backend})"

    def version(self) -> str:
        """The package version and the checkout's commit."""
        try:
            rev = subprocess.run(
                ["git", "describe", "--always", "--dirty"],
                cwd=Path(__file__).resolve().parent.parent,
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            rev = ""
        return f"{RSIGUARD_VERSION} ({rev})" if rev else RSIGUARD_VERSION

    def prepare(self, home: Path, desk: Desktop) -> list[str]:
        """The daemon with the built-in defaults (no user or site file)."""
        self.home = home
        env = base_env(home, desk)
        env["RSIGUARD_SITE_DIR"] = str(home / "site")
        if self.backend is not None:
            env["RSIGUARD_ACTIVITY__BACKEND"] = self.backend
        self.env = env
        return [sys.executable, "-m", "rsiguard", "run"]

    def status(self) -> dict[str, Any] | None:
        """The daemon's status reply data, or None if it does not answer."""
        try:
            # Generous: the tests run this beside other work on two shared cores.
            reply = call(socket_path(self.env), Request("status"), timeout=5.0)
        except (NoDaemon, OSError, ValueError):
            return None
        return reply.data if reply.ok and isinstance(reply.data, dict) else None

    def ready(self) -> bool:
        """The control socket answers."""
        return self.status() is not None

    def counts(self) -> Counts | None:
        """Today's counts from status."""
        data = self.status() or self.status()  # one retry: a busy machine, not a dead daemon
        if data is None:
            raise RuntimeError("rsiguard does not answer status")
        t = data["today"]
        return Counts(int(t["keys"]), int(t["clicks"]), int(t["scroll"]), float(t["pointer_px"]))

    def info(self) -> dict[str, Any]:
        """The backends status names."""
        data = self.status() or {}
        return {"backends": data.get("backends", {})}

    def cli(self) -> list[str]:
        """How a user runs the CLI: the console script next to this Python, if any."""
        script = Path(sys.executable).with_name("rsiguard")
        return [str(script)] if script.exists() else [sys.executable, "-m", "rsiguard"]


class Workrave(Program):
    """Workrave from Debian (C++/GTK, counts input through XRecord)."""

    key = "workrave"
    title = "Workrave"
    ready_how = "D-Bus name `org.workrave.Workrave` owned"
    counts_how = "`~/.workrave/todaystats` (clicks include wheel steps; no scroll count)"
    NAME = "org.workrave.Workrave"

    def __init__(self) -> None:
        super().__init__()
        self._conn: Any = None

    def missing(self) -> str | None:
        """Not installed?"""
        return None if shutil.which("workrave") else "workrave is not installed"

    def version(self) -> str:
        """The Debian package version."""
        return package_version("workrave")

    def prepare(self, home: Path, desk: Desktop) -> list[str]:
        """Defaults, in a fresh home."""
        self.home = home
        self.env = base_env(home, desk)
        self._bus = desk.bus
        return ["workrave"]

    def ready(self) -> bool:
        """Its D-Bus name has an owner."""
        from jeepney import message_bus  # type: ignore[import-untyped, unused-ignore]
        from jeepney.io.blocking import (  # type: ignore[import-untyped, unused-ignore]
            open_dbus_connection,
        )

        if self._conn is None:
            self._conn = open_dbus_connection(self._bus)
        reply = self._conn.send_and_get_reply(message_bus.NameHasOwner(self.NAME), timeout=2)
        return bool(reply.body and reply.body[0])

    def counts(self) -> Counts | None:
        """The ``m`` line of todaystats: active time, mouse movement, click movement,
        movement time, clicks, keystrokes."""
        path = self.home / ".workrave" / "todaystats"
        try:
            lines = path.read_text().splitlines()
        except FileNotFoundError:
            return Counts(0, 0, None, 0.0)
        for line in lines:
            parts = line.split()
            if parts[:1] == ["m"] and len(parts) >= 8:
                values = [int(v) for v in parts[2:8]]
                return Counts(values[5], values[4], None, float(values[1]))
        return Counts(0, 0, None, 0.0)

    def settled_counts(self, gap: float, tries: int = 15) -> Counts | None:
        """Workrave writes todaystats on the minute (wall clock): read it just after."""
        time.sleep(60 - time.time() % 60 + 2.0)
        return self.counts()

    def close(self) -> None:
        """Close the D-Bus connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class SafeEyes(Program):
    """Safe Eyes from Debian (Python/GTK, polls ``xprintidle``)."""

    key = "safeeyes"
    title = "Safe Eyes"
    ready_how = "its XML-RPC server answers `status` (no D-Bus name, no window without a tray)"
    PACKAGE_DIR = Path("/usr/lib/python3/dist-packages/safeeyes")

    def missing(self) -> str | None:
        """Not installed?"""
        return None if shutil.which("safeeyes") else "safeeyes is not installed"

    def version(self) -> str:
        """The Debian package version."""
        return package_version("safeeyes")

    def prepare(self, home: Path, desk: Desktop) -> list[str]:
        """Its default config, with the RPC server on a free port (not the fixed 7200)."""
        self.home = home
        self.env = base_env(home, desk)
        self.port = 7200
        default = self.PACKAGE_DIR / "config" / "safeeyes.json"
        if default.exists():
            with socket.socket() as s:
                s.bind(("localhost", 0))
                self.port = s.getsockname()[1]
            config = json.loads(default.read_text())
            config["rpc_port"] = self.port
            target = Path(self.env["XDG_CONFIG_HOME"]) / "safeeyes"
            (target / "style").mkdir(parents=True, exist_ok=True)
            (target / "safeeyes.json").write_text(json.dumps(config, indent=2))
            css = self.PACKAGE_DIR / "config" / "style" / "safeeyes_style.css"
            if css.exists():
                shutil.copy(css, target / "style" / "safeeyes_style.css")
        return ["safeeyes"]

    def ready(self) -> bool:
        """The RPC server answers."""
        old = socket.getdefaulttimeout()
        socket.setdefaulttimeout(1.0)
        try:
            proxy = xmlrpc.client.ServerProxy(f"http://localhost:{self.port}/")
            proxy.status()
        except (OSError, xmlrpc.client.Error):
            return False
        finally:
            socket.setdefaulttimeout(old)
        return True
