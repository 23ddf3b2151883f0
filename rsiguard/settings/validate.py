"""Validate config and routines in a short-lived child process.

pydantic and pydantic-settings are the largest part of the daemon's memory, yet they are
needed only to read the configuration. The daemon therefore runs this module in a
child (started by :mod:`rsiguard.base.children`) at start and at reload: the child loads
and validates everything and hands back plain frozen dataclasses (pickled over a pipe
to its parent, the same user's own program), then exits and takes pydantic's memory with it.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from rsiguard.base.children import child_env, python_argv
from rsiguard.settings.loaded import Loaded

TIMEOUT = 60.0
#: Characters of the child's error output passed on. The child bounds its own messages
#: (20 problems, each cut short); this keeps an unforeseen traceback from making a reload
#: reply larger than the control protocol allows (rsiguard.control.protocol.MAX_MESSAGE, 64 KiB).
MAX_ERROR = 16_000


class ValidationFailed(Exception):
    """The configuration or a routine file is invalid; ``str()`` says where and why."""


@dataclass(frozen=True)
class Validated:
    """The loaded config with the routine catalog attached to its policy."""

    loaded: Loaded
    notices: tuple[str, ...]
    # Set when routine files were bad and only the built-in catalog is attached.
    catalog_error: str = ""


def validate(env: Mapping[str, str], user_file: Path | None) -> Validated:
    """Load and validate in this process (what the child runs)."""
    from rsiguard.settings.catalog import CatalogError, builtin_catalog, load_catalog
    from rsiguard.settings.config import ConfigError, load

    try:
        loaded = load(env, user_file)
    except ConfigError as exc:
        raise ValidationFailed(str(exc)) from None
    error = ""
    try:
        catalog = load_catalog(env)
    except CatalogError as exc:
        error, catalog = str(exc), builtin_catalog()
    from rsiguard.settings.flare import read_flare_day

    # The flare day rides along with the policy; the core compares it with today.
    policy = replace(loaded.policy, routines=catalog.routines, flare_day=read_flare_day(env))
    return Validated(replace(loaded, policy=policy), catalog.notices, error)


def _argv(user_file: Path | None) -> list[str]:
    return python_argv("rsiguard.settings.validate", str(user_file) if user_file else "")


def _bounded(err: bytes, *, tail: bool) -> str:
    """The child's error output, at most :data:`MAX_ERROR` characters: the start of a
    message, or the end of a traceback (where the exception is)."""
    text = err.decode(errors="replace").strip()
    if len(text) <= MAX_ERROR:
        return text
    cut = len(text) - MAX_ERROR
    if tail:
        return f"[{cut} characters left out]\n" + text[cut:]
    return text[:MAX_ERROR] + f"\n[{cut} characters left out]"


def _decode(code: int, out: bytes, err: bytes) -> Validated:
    if code == 0:
        result = pickle.loads(out)
        if isinstance(result, Validated):
            return result
    if code == 5:
        raise ValidationFailed(_bounded(err, tail=False))
    raise RuntimeError(f"config validation exited {code}: {_bounded(err, tail=True)}")


def in_child(env: Mapping[str, str], user_file: Path | None) -> Validated:
    """Validate in a child process (blocking; used once at start)."""
    try:
        done = subprocess.run(
            _argv(user_file), env=child_env(env), capture_output=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise ValidationFailed(f"checking the configuration took over {TIMEOUT:.0f} s") from None
    return _decode(done.returncode, done.stdout, done.stderr)


async def in_child_async(env: Mapping[str, str], user_file: Path | None) -> Validated:
    """Validate in a child process without blocking the loop (reload)."""
    proc = await asyncio.create_subprocess_exec(
        *_argv(user_file),
        env=child_env(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise ValidationFailed(f"checking the configuration took over {TIMEOUT:.0f} s") from None
    return _decode(proc.returncode or 0, out, err)


def main() -> int:
    """Child entry: validate, write the pickled result to stdout; exit 5 on bad config."""
    user_file = Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else None
    try:
        result = validate(os.environ, user_file)
    except ValidationFailed as exc:
        sys.stderr.write(str(exc))
        return 5
    sys.stdout.buffer.write(pickle.dumps(result))
    return 0


if __name__ == "__main__":
    # Run the imported module's main, so pickled classes are named rsiguard.settings.validate.*,
    # not __main__.*, and the parent can load them.
    from rsiguard.settings.validate import main as _main

    raise SystemExit(_main())
