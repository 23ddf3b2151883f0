"""The ``rsiguard`` command. ``main(argv, env)`` takes its environment as arguments.

The quick commands (status, snooze, skip, ...) import only the standard library and
the small protocol modules, never pydantic or APScheduler, so they answer at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from rsiguard import __version__
from rsiguard.base.exitcodes import Exit
from rsiguard.control.client import NoDaemon, call_daemon
from rsiguard.control.protocol import ProtocolError, Request
from rsiguard.core.durations import format_duration, parse_duration

# Commands whose own parsers take the rest of the command line, -h included:
# name -> (module with ``main(argv, env, out, err)``, help line).
SUBCOMMANDS = {
    "config": (
        "rsiguard.faces.config_cli",
        "check or show configuration (see `rsiguard config -h`)",
    ),
    "routines": (
        "rsiguard.faces.routines_cli",
        "list, show or play routines (`rsiguard routines -h`)",
    ),
    "stats": ("rsiguard.faces.stats_cli", "active time, breaks and exposure per day (`-h`)"),
    "report": ("rsiguard.faces.report", "write an HTML page of the statistics (`-h`)"),
    "checkin": ("rsiguard.faces.checkin", "say how hands, wrists, forearms, neck and eyes feel"),
    "setup": ("rsiguard.faces.setup", "a few questions, then a config file"),
}

# The daemon's validation child may take up to 60 s (rsiguard.settings.validate.TIMEOUT).
RELOAD_TIMEOUT = 65.0


class UsageError(Exception):
    """A bad command line; the message says what is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used to print the README's command list)."""
    p = _Parser(prog="rsiguard", description="Break reminders driven by how hard your hands work.")
    p.add_argument("--version", action="version", version=f"rsiguard {__version__}")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND", parser_class=_Parser)
    run = sub.add_parser("run", help="run the daemon in the foreground")
    run.add_argument("--config", metavar="FILE", help="use FILE instead of the user config file")
    run.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    st = sub.add_parser("status", help="show the daemon's state and today's counts")
    st.add_argument(
        "--json", action="store_true", help="machine-readable (docs/status.schema.json)"
    )
    sn = sub.add_parser("snooze", help="put off the due break (default: the configured snooze)")
    sn.add_argument("duration", nargs="?", type=_duration, help="e.g. 2m (at most breaks.snooze)")
    sub.add_parser("skip", help="skip the due or running break (if policy allows)")
    br = sub.add_parser("break", help="start a break with its routine now")
    br.add_argument("kind", nargs="?", choices=["micro", "rest"], help="default: the due one")
    pa = sub.add_parser(
        "pause", help="pause reminders (default: pause.max; `resume` ends it sooner)"
    )
    pa.add_argument("duration", nargs="?", type=_duration, help="e.g. 30m, 1h")
    sub.add_parser("resume", help="end a pause")
    sub.add_parser("reload", help="re-read the configuration (a bad file keeps the old one)")
    sub.add_parser("next", help="go to the next step of the running routine")
    sub.add_parser("stop", help="stop the running routine")
    # These hand their whole command line, -h included, to their own parsers (main).
    for name, (_module, words) in SUBCOMMANDS.items():
        sub.add_parser(name, add_help=False, help=words).add_argument(
            "args", nargs=argparse.REMAINDER
        )
    sub.add_parser("window", help="the break window (the daemon starts it on Start routine)")
    sub.add_parser(
        "offer", help="the offer window (the daemon starts it where bubbles show no buttons)"
    )
    sub.add_parser("diagram", help="print the break state machine as a Mermaid diagram")
    fl = sub.add_parser(
        "flare", help="a rheumatoid arthritis flare today: only gentle routines until midnight"
    )
    fl.add_argument("state", nargs="?", choices=["on", "off", "status"], default="status")
    doc = sub.add_parser(
        "doctor", help="explain what rsiguard uses on this desktop, and what to fix"
    )
    doc.add_argument("--json", action="store_true", help="machine-readable")
    return p


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _human_status(data: dict[str, Any]) -> str:
    t = data["today"]
    nb = data["next_break"]
    state = data["state"]
    # One sentence per state, in words (status --json has the tokens).
    if state in ("active", "idle"):
        left = format_duration(nb["due_in_s"])
        head = f"{state}: next {nb['kind']} break after {left} of activity"
    elif state == "snoozed":
        head = f"{nb['kind']} break snoozed, due again in {format_duration(nb['due_in_s'])}"
    elif state == "due":
        head = f"a {nb['kind']} break is due now"
        again = (data.get("offer") or {}).get("again_in_s")
        if again is not None:
            head += f" (its offer was closed; shown again in {format_duration(again)})"
    elif state == "in_break" and data.get("break"):
        b = data["break"]
        head = f"in a {b['kind']} break, step {b['step']} of {b['steps']}: {b['instruction']}"
    elif state == "in_break":
        head = "in a break"
    else:
        head = f"reminders paused, {format_duration(data.get('paused_for_s') or 0)} left"
    backends = data["backends"]
    notify = backends["notifications"]
    if backends.get("notifications_why"):
        notify += f" ({backends['notifications_why']})"
    active = f"{format_duration(t['active_s'])} active"
    if backends.get("input_measures") == "activity":
        # No counts to show: zeros would read as "you did not type".
        today = f"{active} (this input backend sees activity only: no counts)"
        load = "unknown (activity only): micro-breaks keep the baseline interval"
    else:
        today = (
            f"{_n(t['keys'], 'key')}, {_n(t['clicks'], 'click')}, "
            f"{_n(t['scroll'], 'scroll step')}, {t['pointer_px']} px pointer travel, {active}"
        )
        load = _load_line(data.get("intensity") or {})
    lines = [
        f"rsiguard: {head}",
        f"today:   {today}",
        f"load:    {load}",
        f"breaks:  {t['breaks_taken']} taken, {t['breaks_natural']} natural, "
        f"{t['breaks_skipped']} skipped; snoozes left: {data['snoozes_left']}",
        f"input:   {backends['input']}",
        f"notify:  {notify}",
        f"config:  {', '.join(data['config_sources']) or 'built-in defaults'}",
    ]
    if data["locked_keys"]:
        lines.append(f"locked:  {', '.join(data['locked_keys'])}")
    lines += [f"warning: {w}" for w in data.get("config_warnings", [])]
    return "\n".join(lines)


def _load_line(intensity: dict[str, Any]) -> str:
    """How hard the hands work, and what it does to the micro-break interval."""
    if not intensity.get("enabled"):
        return "not used (intensity.enabled = false): micro-breaks keep the baseline interval"
    per_min = intensity.get("load_per_min")
    if per_min is None:
        return "not known yet (after a full active minute)"
    factor = intensity.get("micro_interval_factor", 1.0)
    if factor >= 0.995:
        return f"{per_min:g} per active minute: micro-breaks at the baseline interval"
    return f"{per_min:g} per active minute: micro-breaks come at {factor:.0%} of the interval"


def _negative(arg: str) -> bool:
    """Whether ``arg`` reads as a negative duration such as ``-5m`` or ``-.5h``."""
    return len(arg) > 1 and arg[0] == "-" and arg[1] in "0123456789."


def _request(args: argparse.Namespace) -> Request:
    if args.cmd in ("snooze", "pause") and args.duration is not None:
        return Request(args.cmd, {"duration": args.duration})
    if args.cmd == "break" and args.kind:
        return Request("break", {"kind": args.kind})
    return Request(args.cmd)


def _subcommand(
    name: str, argv: list[str], env: Mapping[str, str], out: TextIO, err: TextIO
) -> int:
    """``rsiguard config|routines|stats|report|checkin|setup ...``, imported when used."""
    import importlib

    module = importlib.import_module(SUBCOMMANDS[name][0])
    return int(module.main(argv, env, out, err))


def _flare_line(env: Mapping[str, str]) -> str:
    """A status line when today is a flare day (kept by the CLI, so read here)."""
    from rsiguard.settings.flare import local_day, read_flare_day

    if read_flare_day(env) != local_day():
        return ""
    return "\nflare:   on until midnight: only gentle routines (`rsiguard flare off` ends it)"


def _flare(state: str, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    """``rsiguard flare on|off|status``: keep the flare day, then let the daemon reload."""
    from rsiguard.settings.flare import local_day, read_flare_day, set_flare

    today = local_day()
    if state == "status":
        on = read_flare_day(env) == today
        print(f"rsiguard: flare day {'on until midnight' if on else 'off'}", file=out)
        return Exit.OK
    try:
        set_flare(env, today if state == "on" else None)
    except OSError as exc:
        print(f"rsiguard: cannot keep the flare setting: {exc}", file=err)
        return Exit.ERROR
    said = (
        "flare day on: until midnight only gentle routines (ra_flare is avoided)"
        if state == "on"
        else "flare day off: routines as configured"
    )
    try:
        resp = call_daemon(env, Request("reload"), RELOAD_TIMEOUT)
    except NoDaemon:
        print(f"rsiguard: {said}; it applies when the daemon starts", file=out)
        return Exit.OK
    except (OSError, ProtocolError) as exc:
        print(f"rsiguard: {said}, but the daemon did not reload: {exc}", file=err)
        return Exit.ERROR
    if not resp.ok:
        print(f"rsiguard: {said}, but the daemon did not reload: {resp.message}", file=err)
        return int(resp.code)
    print(f"rsiguard: {said}", file=out)
    return Exit.OK


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    env = os.environ if env is None else env
    out = out or sys.stdout
    err = err or sys.stderr
    if argv and argv[0] in SUBCOMMANDS:
        # Their own parsers take the rest, -h included.
        return _subcommand(argv[0], argv[1:], env, out, err)
    if len(argv) > 1 and argv[0] in ("pause", "snooze") and _negative(argv[1]):
        # argparse would call "-5m" an unknown option.
        print(f"rsiguard {argv[0]}: a duration cannot be negative: {argv[1]}", file=err)
        return Exit.USAGE
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        print(exc, file=err)
        return Exit.USAGE
    if args.cmd is None:
        build_parser().print_help(out)
        return Exit.USAGE
    if args.cmd == "run":
        from pathlib import Path

        # The daemon never speaks TLS, but asyncio imports ssl (and maps libcrypto,
        # about 4 MB resident) unless told it is absent; asyncio copes with that.
        sys.modules.setdefault("ssl", None)  # type: ignore[arg-type]

        from rsiguard.daemon.startup import run

        return run(env, Path(args.config) if args.config else None, args.verbose, EARLY_HUP)
    if args.cmd == "window":
        from rsiguard.faces import window

        return window.main(env)
    if args.cmd == "offer":
        from rsiguard.faces import offer_window

        return offer_window.main(env)
    if args.cmd == "flare":
        return _flare(args.state, env, out, err)
    if args.cmd == "doctor":
        from rsiguard.faces import doctor

        return doctor.main(env, args.json, out)
    if args.cmd == "diagram":
        from rsiguard.core.machine import diagram

        print(diagram(), file=out)
        return Exit.OK
    try:
        # A reload waits for the validation child, which may take up to its own timeout.
        timeout = RELOAD_TIMEOUT if args.cmd == "reload" else 5.0
        resp = call_daemon(env, _request(args), timeout)
    except NoDaemon as exc:
        print(f"rsiguard: {exc}", file=err)
        return Exit.NO_DAEMON
    except (OSError, ProtocolError) as exc:
        print(f"rsiguard: cannot talk to the daemon: {exc}", file=err)
        return Exit.ERROR
    if not resp.ok:
        print(f"rsiguard: {resp.message}", file=err)
        return resp.code
    if args.cmd == "status":
        data = resp.data or {}
        if args.json:
            print(json.dumps(data, indent=2), file=out)
        else:
            print(_human_status(data) + _flare_line(env), file=out)
    elif resp.message:
        print(f"rsiguard: {resp.message}", file=out)
    return Exit.OK


# SIGHUPs that reached `rsiguard run` before its loop could take them (see entry()).
EARLY_HUP: list[int] = []


def entry() -> int:
    """The ``rsiguard`` command: :func:`main`, ending quietly when stdout's reader leaves.

    ``rsiguard status | head -1`` closes the pipe early; like a Unix tool, rsiguard then
    stops without a traceback (also at exit, when Python flushes stdout once more).
    """
    if sys.argv[1:2] == ["run"]:
        # SIGHUP's default action kills. A reload asked for while the daemon starts is
        # remembered from this first line on, and carried out once it is ready.
        import signal

        signal.signal(signal.SIGHUP, lambda signum, _frame: EARLY_HUP.append(signum))
    try:
        try:
            code = main()
        finally:  # also after argparse's --help, which leaves by SystemExit
            sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's last flush has nowhere to fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return Exit.CLOSED_PIPE
    return code
