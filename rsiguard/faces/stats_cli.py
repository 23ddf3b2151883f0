"""``rsiguard stats``: how hard the hands worked and how well they rested, from stats.db.

Reads the database directly (read-only; no daemon needed), standard library only.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, TextIO

from rsiguard.adapters.store import (
    StatsStore,
    StoreUnavailable,
    connect,
    read_checkins,
    read_events,
    read_minutes,
)
from rsiguard.base.exitcodes import Exit, parse_args
from rsiguard.base.paths import state_dir
from rsiguard.core.durations import format_duration
from rsiguard.faces.stats import (
    Day,
    Summary,
    bounds,
    day_range,
    exposure_words,
    limit_words,
    summarize,
)

SHADES = " ░▒▓█"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-01") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rsiguard stats",
        description="Active time, keyboard and mouse time, intensity and breaks, per day.",
    )
    span = p.add_mutually_exclusive_group()
    span.add_argument("--today", action="store_true", help="today only (the default)")
    span.add_argument("--week", action="store_true", help="the last 7 days, today included")
    span.add_argument("--days", type=int, metavar="N", help="the last N days, today included")
    span.add_argument("--from", dest="start", type=_date, metavar="DATE", help="first day")
    p.add_argument("--to", dest="end", type=_date, metavar="DATE", help="last day (with --from)")
    p.add_argument(
        "--checkins", action="store_true", help="the discomfort check-ins instead (0 to 10)"
    )
    p.add_argument(
        "--forget", action="store_true", help="delete statistics (all, or before --before)"
    )
    p.add_argument("--before", type=_date, metavar="DATE", help="with --forget: days before DATE")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="machine-readable")
    out.add_argument("--csv", action="store_true", help="one row per day")
    return p


def _days(args: argparse.Namespace, today: dt.date) -> list[str] | str:
    if args.start is not None:
        last = args.end or today
        if last < args.start:
            return "--to must not be before --from"
        return day_range(args.start, last)
    if args.end is not None:
        return "--to needs --from"
    n = 7 if args.week else (1 if args.days is None else args.days)
    if n < 1 or n > 3660:
        return "--days must be between 1 and 3660"
    return day_range(today - dt.timedelta(days=n - 1), today)


def _grid(days: Sequence[Day]) -> list[str]:
    peak = max((h for d in days for h in d.hours), default=0.0)
    head = ("            " + "".join(f"{h:<6}" for h in range(0, 24, 6))).rstrip()
    rows = [head]
    for d in days:
        cells = "".join(
            SHADES[min(len(SHADES) - 1, round(h / peak * (len(SHADES) - 1)))] if peak else " "
            for h in d.hours
        )
        rows.append(f"{d.day}  {cells.replace(' ', '·')}")
    return rows


def _limits(env: Mapping[str, str]) -> tuple[float, float] | None:
    """The running daemon's daily and weekly limits, if one answers quickly."""
    from rsiguard.control.client import NoDaemon, call_daemon
    from rsiguard.control.protocol import ProtocolError, Request

    try:
        resp = call_daemon(env, Request("status"), timeout=1.0)
    except (NoDaemon, OSError, ProtocolError):
        return None
    limits = (resp.data or {}).get("limits") if resp.ok else None
    if not isinstance(limits, dict):
        return None
    return float(limits.get("daily_s", 0)), float(limits.get("weekly_s", 0))


def _text(s: Summary, limits: list[str]) -> list[str]:
    first, last = s.days[0].day, s.days[-1].day
    span = first if first == last else f"{first} to {last} ({len(s.days)} days)"
    minutes = s.total("active_s") / 60
    intensity = s.total("load") / minutes if minutes >= 1 else 0.0
    comp = s.compliance
    lines = [
        f"rsiguard stats: {span}",
        f"active:     {format_duration(s.total('active_s'))} (keyboard about "
        f"{format_duration(s.total('keyboard_s'))}, mouse about "
        f"{format_duration(s.total('mouse_s'))})",
        f"intensity:  {intensity:.0f} load per active minute",
        f"breaks:     {s.total('due'):.0f} due, {s.total('taken'):.0f} taken, "
        f"{s.total('natural'):.0f} natural, {s.total('snoozed'):.0f} snoozed, "
        f"{s.total('skipped'):.0f} skipped, {s.total('dismissed'):.0f} dismissed"
        + (f"; {comp:.0%} taken or natural" if comp is not None else ""),
        f"longest stretch without a break: {format_duration(s.longest_stretch_s)} of activity",
        "exposure (estimates; see docs/stats.md):",
        *(f"  {line}" for line in exposure_words(s)),
        *(f"  {line}" for line in limits),
        "load by hour (darker: more; · none):",
        *_grid(s.days),
    ]
    return lines


_COLUMNS = [f.name for f in fields(Day) if f.name != "hours"]


def _json(s: Summary) -> dict[str, Any]:
    return {
        "days": [asdict(d) | {"intensity": d.intensity} for d in s.days],
        "totals": {name: s.total(name) for name in _COLUMNS if name != "day"},
        "compliance": s.compliance,
        "longest_stretch_s": s.longest_stretch_s,
        "exposure": exposure_words(s),
    }


def read_summary(path: Path, days: Sequence[str]) -> tuple[Summary, list[tuple[float, str, int]]]:
    """The summary and the check-ins of ``days`` from the database at ``path`` (read-only).

    Raises :class:`StoreUnavailable` for a database that cannot be read, damaged ones
    included (used by ``rsiguard stats`` and ``rsiguard report``).
    """
    start, end = bounds(days)
    try:
        conn = connect(path, readonly=True)
        try:
            minutes, events = read_minutes(conn, start, end), read_events(conn, start, end)
            checkins = read_checkins(conn, start, end)
        finally:
            conn.close()
    except sqlite3.Error as exc:  # a damaged file: the user's problem to hear about
        raise StoreUnavailable(f"{path}: {exc}") from None
    return summarize(days, minutes, events), checkins


def _checkins(rows: list[tuple[float, str, int]], args: argparse.Namespace, out: TextIO) -> int:
    """The check-ins as rows: time (local, ISO), area, score."""
    table = [
        (dt.datetime.fromtimestamp(at).isoformat(timespec="minutes"), area, score)
        for at, area, score in rows
    ]
    if args.json:
        keys = ("at", "area", "score")
        out.write(json.dumps([dict(zip(keys, r, strict=True)) for r in table], indent=2) + "\n")
    elif args.csv:
        writer = csv.writer(out)
        writer.writerow(["at", "area", "score"])
        writer.writerows(table)
    elif not table:
        out.write("no check-ins in this range (`rsiguard checkin` adds one)\n")
    else:
        out.writelines(f"{at}  {area:15} {score:2}\n" for at, area, score in table)
    return Exit.OK


def _forget(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    if not args.forget:
        print("rsiguard stats: --before goes with --forget", file=err)
        return Exit.USAGE
    path = state_dir(env) / "stats.db"
    if not path.exists():
        print("rsiguard stats: nothing to forget", file=out)
        return Exit.OK
    before = (
        dt.datetime.combine(args.before, dt.time()).timestamp()
        if args.before is not None
        else float("inf")
    )
    store = StatsStore(path)
    if not store.open():
        print(f"rsiguard stats: cannot open {path}: {store.problem}", file=err)
        return Exit.ERROR
    store.forget(min(before, 1e12))
    store.vacuum()
    store.close()
    what = f"before {args.before}" if args.before is not None else "all of it"
    print(f"rsiguard stats: forgot the statistics {what}", file=out)
    return Exit.OK


def main(argv: Sequence[str], env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    """Run ``rsiguard stats ARGV``; return the exit status."""
    args = parse_args(_parser(), argv, out, err)
    if isinstance(args, int):
        return args
    if args.forget or args.before is not None:
        return _forget(args, env, out, err)
    days = _days(args, dt.date.today())
    if isinstance(days, str):
        print(f"rsiguard stats: {days}", file=err)
        return Exit.USAGE
    path = state_dir(env) / "stats.db"
    if not path.exists():
        print(f"rsiguard stats: no statistics yet (the daemon keeps them in {path})", file=err)
        return Exit.OK
    try:
        summary, checkins = read_summary(path, days)
    except StoreUnavailable as exc:
        print(f"rsiguard stats: cannot read the statistics: {exc}", file=err)
        return Exit.ERROR
    if args.checkins:
        return _checkins(checkins, args, out)
    if args.json:
        out.write(json.dumps(_json(summary), indent=2) + "\n")
    elif args.csv:
        writer = csv.writer(out)
        writer.writerow([*_COLUMNS, "intensity"])
        for d in summary.days:
            writer.writerow([*(getattr(d, c) for c in _COLUMNS), round(d.intensity, 1)])
    else:
        known = _limits(env)
        limits = limit_words(summary, *known) if known else []
        out.writelines(line + "\n" for line in _text(summary, limits))
    return Exit.OK
