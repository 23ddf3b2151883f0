"""How rsiguard starts its own Python child processes (the config validator, the window).

A child must run the very code its parent runs, whatever the directory it starts in and
whatever the environment says. ``python -m rsiguard.x`` does not promise that: ``-m``
puts the working directory first on ``sys.path``, so a checkout named ``rsiguard/`` in
``$HOME`` (where a systemd user unit starts) becomes a namespace package whose top-level
``config/`` folder shadows ``rsiguard.settings.config``; ``PYTHONPATH`` and ``PYTHONSAFEPATH`` can
do the same. So a child is started with

* ``-E``: every ``PYTHON*`` variable ignored (``PYTHONPATH``, ``PYTHONSAFEPATH``,
  ``PYTHONHOME``, ``PYTHONSTARTUP``...);
* ``-P``: neither the working directory nor a script's directory is put on ``sys.path``;
* ``-s`` only when this process runs without the user's site-packages itself (a
  ``pip install --user`` keeps finding its dependencies);
* the directory holding *this* ``rsiguard`` package first on ``sys.path``, then the
  module run as ``__main__`` by :mod:`runpy`, exactly as ``-m`` would.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

# The directory that holds the running rsiguard package (site-packages or a checkout).
_ROOT = str(Path(__file__).resolve().parents[2])


def python_argv(module: str, *args: str) -> list[str]:
    """The command line running ``module`` like ``python -m module ARGS``, from our own code."""
    flags = "-EPs" if sys.flags.no_user_site else "-EP"
    code = (
        f"import runpy, sys; sys.path.insert(0, {_ROOT!r}); "
        f"runpy.run_module({module!r}, run_name='__main__', alter_sys=True)"
    )
    return [sys.executable, flags, "-c", code, *args]


def child_env(env: Mapping[str, str]) -> dict[str, str]:
    """The daemon's environment for a child: without ``NOTIFY_SOCKET``, which is the
    daemon's own line to systemd (a child's message there would be taken as ours)."""
    return {k: v for k, v in env.items() if k != "NOTIFY_SOCKET"}
