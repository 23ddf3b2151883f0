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
    """The control socket's directory: ``$XDG_RUNTIME_DIR/rsiguard``, else a per-user temp dir."""
    base = env.get("XDG_RUNTIME_DIR")
    if base:
        return Path(base) / "rsiguard"
    import tempfile  # only here: the quick CLI commands should not pay for it

    return Path(tempfile.gettempdir()) / f"rsiguard-{os.getuid()}"


def socket_path(env: Mapping[str, str]) -> Path:
    """The control socket."""
    return runtime_dir(env) / "control.sock"
