"""The control client used by the CLI: blocking, standard library only, with a timeout."""

from __future__ import annotations

import socket
from pathlib import Path

from rsiguard.control import MAX_MESSAGE, Request, Response, decode_response, encode_request


class NoDaemon(Exception):
    """Nothing answers on the control socket."""


def call(path: Path, req: Request, timeout: float = 5.0) -> Response:
    """Send one request and return the reply; raise :class:`NoDaemon` if none is running."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError) as exc:
            raise NoDaemon(f"no rsiguard daemon is running ({path}: {exc.strerror})") from None
        sock.sendall(encode_request(req))
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_MESSAGE:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if chunk.endswith(b"\n"):
                break
    return decode_response(b"".join(chunks))
