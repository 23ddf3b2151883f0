"""Exit codes of the ``rsiguard`` command (documented in the README)."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Sequence
from enum import IntEnum
from typing import TextIO


class Exit(IntEnum):
    """Process exit status."""

    OK = 0
    #: unexpected internal error (a bug: the traceback is in the log)
    ERROR = 1
    #: bad command line
    USAGE = 2
    #: no daemon is running (nothing listens on the control socket)
    NO_DAEMON = 3
    #: the daemon refused the command by policy (strict mode, no snoozes left, ...)
    REFUSED = 4
    #: a configuration file or value is invalid
    BAD_CONFIG = 5
    #: another daemon is already running for this user
    ALREADY_RUNNING = 6
    #: the offer window was closed without a choice (the daemon offers the break again later)
    DISMISSED = 7
    #: whoever read the output went away (``| head``): 128 + SIGPIPE, as for any Unix tool
    CLOSED_PIPE = 141


def parse_args(
    parser: argparse.ArgumentParser, argv: Sequence[str], out: TextIO, err: TextIO
) -> argparse.Namespace | int:
    """``parser.parse_args(argv)`` writing help to ``out`` and errors to ``err``; the exit
    status instead of a namespace when argparse is done (0 after ``-h``, else usage)."""
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            return parser.parse_args(list(argv))
    except SystemExit as exc:
        return Exit.OK if exc.code == 0 else Exit.USAGE
