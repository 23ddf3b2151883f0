"""The control protocol, without I/O: one JSON request, one JSON reply per connection.

Request: ``{"cmd": "snooze", "args": {"duration": 300}}`` followed by a newline.
Reply:   ``{"ok": true, "message": "...", "data": {...}}`` or
         ``{"ok": false, "code": 4, "error": "..."}`` (``code`` is an exit code).

Both sides read at most :data:`MAX_MESSAGE` bytes; the server answers a malformed
or oversized request with an error reply rather than dropping it silently.
Imports only the standard library: the CLI's quick commands must start fast.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from rsiguard.base.exitcodes import Exit

MAX_MESSAGE = 64 * 1024
SCHEMA_VERSION = 1

COMMANDS = ("status", "snooze", "skip", "break", "pause", "resume", "reload", "next", "stop")


class ProtocolError(ValueError):
    """A message that does not follow the protocol; ``str()`` says why."""


# NamedTuples rather than dataclasses: importing dataclasses (and inspect) costs the
# quick CLI commands about 20 ms, a fifth of their whole run.


class Request(NamedTuple):
    """A decoded, validated request (``args`` is never mutated)."""

    cmd: str
    args: Mapping[str, Any] = MappingProxyType({})


class Response(NamedTuple):
    """A reply: ``ok`` with a message and optional data, or an error with an exit code."""

    ok: bool
    message: str = ""
    data: dict[str, Any] | None = None
    code: int = Exit.OK


def encode_request(req: Request) -> bytes:
    """Bytes to send for ``req`` (newline-terminated JSON)."""
    return json.dumps({"cmd": req.cmd, "args": dict(req.args)}).encode() + b"\n"


def _seconds_or_none(args: Mapping[str, Any], key: str) -> float | None:
    """``args[key]`` as finite, non-negative seconds (a float), or None when absent."""
    value = args.get(key)
    if value is None:
        return None
    bad = ProtocolError(f"argument {key!r} must be a non-negative number of seconds")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad
    try:
        seconds = float(value)  # an int of 400 digits has no float: OverflowError
    except OverflowError:
        raise bad from None
    if not math.isfinite(seconds) or seconds < 0:
        raise bad
    return seconds


def _load(raw: bytes, what: str) -> object:
    """The JSON value in ``raw``, within the size limit."""
    if len(raw) > MAX_MESSAGE:
        raise ProtocolError(f"{what} larger than {MAX_MESSAGE} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"{what} is not JSON: {exc}") from None
    except RecursionError:
        raise ProtocolError(f"{what} is nested too deeply") from None
    except ValueError as exc:  # an integer beyond Python's digit limit
        raise ProtocolError(f"{what} is not usable JSON: {exc}") from None


def decode_request(raw: bytes) -> Request:
    """Parse and validate one request; raise :class:`ProtocolError` with a reason."""
    obj = _load(raw, "request")
    if not isinstance(obj, dict):
        raise ProtocolError("request must be a JSON object")
    cmd, args = obj.get("cmd"), obj.get("args", {})
    if not isinstance(cmd, str) or cmd not in COMMANDS:
        raise ProtocolError(f"unknown command {cmd!r}; expected one of {', '.join(COMMANDS)}")
    if not isinstance(args, dict):
        raise ProtocolError("'args' must be a JSON object")
    kind = args.get("kind")
    if kind is not None and kind not in ("micro", "rest"):
        raise ProtocolError("argument 'kind' must be 'micro' or 'rest'")
    # Only the arguments a command uses go on, already converted: nothing unbounded
    # (a huge int, deep nesting) reaches the daemon's logic.
    clean: dict[str, Any] = {}
    duration = _seconds_or_none(args, "duration")
    if duration is not None:
        clean["duration"] = duration
    if kind is not None:
        clean["kind"] = kind
    return Request(cmd, clean)


def encode_response(resp: Response) -> bytes:
    """Bytes to send for ``resp``."""
    if resp.ok:
        obj: dict[str, Any] = {"ok": True, "message": resp.message}
        if resp.data is not None:
            obj["data"] = resp.data
    else:
        obj = {"ok": False, "code": int(resp.code), "error": resp.message}
    # NaN and Infinity are not JSON: a bug must show as one, never as a broken reply.
    return json.dumps(obj, allow_nan=False).encode() + b"\n"


def decode_response(raw: bytes) -> Response:
    """Parse a reply; raise :class:`ProtocolError` for anything malformed."""
    obj = _load(raw, "reply")
    if not isinstance(obj, dict) or not isinstance(obj.get("ok"), bool):
        raise ProtocolError("reply must be an object with a boolean 'ok'")
    if obj["ok"]:
        data = obj.get("data")
        return Response(True, str(obj.get("message", "")), data if isinstance(data, dict) else None)
    code = obj.get("code", Exit.ERROR)
    return Response(False, str(obj.get("error", "")), None, int(code))


def error(message: str, code: Exit = Exit.USAGE) -> Response:
    """An error reply."""
    return Response(False, message, None, code)
