"""Where rsiguard keeps things, following the XDG base directories (env passed in)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def _home(env: Mapping[str, str]) -> Path:
    return Path(env.get("HOME") or os.path.expanduser("~"))


def site_dir(env: Mapping[str, str]) -> Path:
    """IT's directory: ``$RSIGUARD_SITE_DIR`` or ``/etc/rsiguard``."""
    return Path(env.get("RSIGUARD_SITE_DIR") or "/etc/rsiguard")


def user_config_file(env: Mapping[str, str]) -> Path:
    """The user's file: ``$XDG_CONFIG_HOME/rsiguard/config.toml``."""
    base = env.get("XDG_CONFIG_HOME") or str(_home(env) / ".config")
    return Path(base) / "rsiguard" / "config.toml"


def state_dir(env: Mapping[str, str]) -> Path:
    """Small persistent state: ``$XDG_STATE_HOME/rsiguard``."""
    base = env.get("XDG_STATE_HOME") or str(_home(env) / ".local" / "state")
    return Path(base) / "rsiguard"


def runtime_dir(env: Mapping[str, str]) -> Path:
    """The control socket's directory: ``$XDG_RUNTIME_DIR/rsiguard``.

    Without a usable ``$XDG_RUNTIME_DIR`` (unset, or relative, which the XDG spec says to
    ignore): ``$XDG_STATE_HOME/rsiguard/run``, inside the user's own home. Never a
    predictable name in a shared directory such as ``/tmp``, where another user could
    create it first, deny the daemon its socket or answer in its place.
    """
    base = env.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(base):
        return Path(base) / "rsiguard"
    return state_dir(env) / "run"


def runtime_dir_problem(env: Mapping[str, str]) -> str:
    """Why ``$XDG_RUNTIME_DIR`` is not used, for one log line (``""`` when it is)."""
    base = env.get("XDG_RUNTIME_DIR")
    if base is None:
        return "XDG_RUNTIME_DIR is not set"
    if not os.path.isabs(base):
        return f"XDG_RUNTIME_DIR={base!r} is not an absolute path (the XDG spec says to ignore it)"
    return ""


def socket_path(env: Mapping[str, str]) -> Path:
    """The control socket."""
    return runtime_dir(env) / "control.sock"


def instance_lock(env: Mapping[str, str]) -> Path:
    """The one-daemon-per-user lock: in the state directory, which every copy of the
    daemon shares whatever its ``$XDG_RUNTIME_DIR``. It also names the running daemon's
    control socket, so a client started in another environment can find it."""
    return state_dir(env) / "daemon.lock"
