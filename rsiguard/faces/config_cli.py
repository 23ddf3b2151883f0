"""``rsiguard config check|show``: validate configuration files, show the effective values.

Imports :mod:`rsiguard.settings.config` (and so pydantic): the main CLI imports this module lazily.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from rsiguard.base.exitcodes import Exit
from rsiguard.settings.config import ConfigError, Loaded, check_file, load
from rsiguard.settings.sources import toml_value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rsiguard config",
        description="Check or show rsiguard's configuration.",
        usage="rsiguard config check [FILE | --config FILE]\n"
        "       rsiguard config show [--origin] [--json] [--config FILE]",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = sub.add_parser(
        "check",
        prog="rsiguard config check",
        help="validate one file alone, or the whole layered configuration",
        description="Validate FILE alone (as it would apply on top of the built-in defaults), "
        "or, without FILE, every layer of the effective configuration.",
    )
    check.add_argument("file", nargs="?", type=Path, metavar="FILE", help="file to validate")
    check.add_argument(
        "--config", type=Path, metavar="FILE", help="use FILE instead of the user's config file"
    )
    show = sub.add_parser(
        "show",
        prog="rsiguard config show",
        help="print the effective values",
        description="Print the effective values as `key = value` lines, sorted.",
    )
    show.add_argument("--origin", action="store_true", help="say where each value came from")
    show.add_argument("--json", action="store_true", help="print JSON instead")
    show.add_argument(
        "--config", type=Path, metavar="FILE", help="use FILE instead of the user's config file"
    )
    return parser


def _parse(argv: list[str], out: TextIO, err: TextIO) -> argparse.Namespace | int:
    """The parsed arguments, or the exit status when argparse is done (help or usage error)."""
    parser = _parser()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
            if args.command is None:
                parser.print_usage(err)
                err.write("rsiguard config: error: a command is required: check or show\n")
                return int(Exit.USAGE)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else int(Exit.USAGE)
    return args


def _check(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    if args.file is not None:
        if args.config is not None:
            err.write("rsiguard config check: give either FILE or --config FILE, not both\n")
            return int(Exit.USAGE)
        problems, warnings = check_file(args.file)
        err.writelines(line + "\n" for line in problems)
        err.writelines(f"warning: {line}\n" for line in warnings)
        if problems:
            return int(Exit.BAD_CONFIG)
        out.write(f"{args.file}: ok\n")
        return int(Exit.OK)
    try:
        loaded = load(env, args.config)
    except ConfigError as exc:
        err.write(f"{exc}\n")
        return int(Exit.BAD_CONFIG)
    for source in loaded.sources or ["built-in defaults"]:
        out.write(f"{source}: ok\n")
    err.writelines(f"warning: {line}\n" for line in loaded.warnings)
    return int(Exit.OK)


def format_values(loaded: Loaded, *, origin: bool) -> list[str]:
    """``key = value`` lines (valid TOML), optionally with ``  # from <origin>`` comments.

    Locked keys read ``  # from locked <file>``.
    """
    lines = []
    for key, value in sorted(loaded.values.items()):
        line = f"{key} = {toml_value(value)}"
        if origin:
            line += f"  # from {loaded.origins.get(key, 'default')}"
        lines.append(line)
    return lines


def _show(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    try:
        loaded = load(env, args.config)
    except ConfigError as exc:
        err.write(f"{exc}\n")
        return int(Exit.BAD_CONFIG)
    if args.json:
        doc = {
            "values": loaded.values,
            "origins": loaded.origins,
            "locked_keys": loaded.locked_keys,
            "sources": loaded.sources,
            "warnings": loaded.warnings,
        }
        out.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    else:
        out.writelines(line + "\n" for line in format_values(loaded, origin=args.origin))
    err.writelines(f"warning: {line}\n" for line in loaded.warnings)
    return int(Exit.OK)


def main(argv: list[str], env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    """Run ``rsiguard config ARGV...``; returns the exit status (0, 2 usage, 5 bad config)."""
    args = _parse(argv, out, err)
    if isinstance(args, int):
        return args
    if args.command == "check":
        return _check(args, env, out, err)
    return _show(args, env, out, err)
