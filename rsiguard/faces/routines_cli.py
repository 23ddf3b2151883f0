"""``rsiguard routines ...``: list, show, safety notes, and play in the terminal."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TextIO

from rsiguard.base.exitcodes import Exit, parse_args
from rsiguard.core.durations import format_duration
from rsiguard.core.routines.model import KINDS, TARGETS, Routine
from rsiguard.core.text import GENERAL_SAFETY, shown_side, side_label


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rsiguard routines", description="Guided break routines.")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="list routines")
    ls.add_argument("--target", choices=sorted(TARGETS), help="only routines for this target")
    ls.add_argument("--kind", choices=KINDS, help="only micro or rest routines")
    show = sub.add_parser("show", help="show one routine's steps and safety notes")
    show.add_argument("id")
    sub.add_parser("safety", help="reread the safety notes")
    play = sub.add_parser("play", help="follow a routine in this terminal")
    play.add_argument("id", nargs="?", help="routine id (default: one chosen for your targets)")
    play.add_argument("--kind", choices=KINDS, default="micro", help="kind to choose from")
    return p


def describe(r: Routine) -> str:
    """A routine in full: steps, cautions, safety notes and contraindications."""
    lines = [
        f"{r.title}  ({r.id}, {r.kind}, {format_duration(r.seconds)})",
        f"for: {', '.join(r.targets)}",
    ]
    if r.summary:
        lines.append(r.summary)
    for n, step in enumerate(r.steps, 1):
        how = format_duration(step.seconds)
        if step.reps and step.pace_s:
            how = f"{step.reps} x {format_duration(step.pace_s)}"
        side = side_label(shown_side(step))
        lines.append(f"  {n}. [{side + ', ' if side else ''}{how}] {step.instruction}")
        lines += [f"       ! {c}" for c in step.cautions]
        if step.does:  # what the contraindications below are worked out from
            lines.append(f"       does: {', '.join(sorted(step.does))}")
    lines += [f"safety: {note}" for note in r.safety]
    if r.contraindications:
        lines.append(f"not offered when avoiding: {', '.join(r.contraindications)}")
    return "\n".join(lines)


def _table(routines: Sequence[Routine]) -> list[str]:
    """One aligned line per routine: id, kind, length, title (columns as wide as needed)."""
    rows = [(r.id, r.kind, format_duration(r.seconds), r.title) for r in routines]
    if not rows:
        return []
    w = [max(len(row[i]) for row in rows) for i in range(3)]
    return [f"{i:{w[0]}}  {k:{w[1]}}  {d:>{w[2]}}  {t}" for i, k, d, t in rows]


def main(argv: Sequence[str], env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    """Run ``rsiguard routines ARGV``; return the exit status."""
    args = parse_args(_parser(), argv, out, err)
    if isinstance(args, int):
        return args
    if args.action == "safety":
        print("\n".join(f"• {note}" for note in GENERAL_SAFETY), file=out)
        return Exit.OK
    from rsiguard.settings.catalog import CatalogError, load_catalog

    try:
        catalog = load_catalog(env)
    except CatalogError as exc:
        print(f"rsiguard: {exc}", file=err)
        return Exit.BAD_CONFIG
    for notice in catalog.notices:
        print(f"note: {notice}", file=err)
    if args.action == "list":
        shown = [
            r
            for r in catalog.routines
            if (not args.target or args.target in r.targets)
            and (not args.kind or r.kind == args.kind)
        ]
        out.writelines(line + "\n" for line in _table(shown))
        return Exit.OK
    if args.action == "show":
        routine = catalog.get(args.id)
        if routine is None:
            print(f"rsiguard: no routine {args.id!r} (see `rsiguard routines list`)", file=err)
            return Exit.USAGE
        print(describe(routine), file=out)
        return Exit.OK
    return _play(args, catalog.routines, env, out, err)


def _play(
    args: argparse.Namespace,
    routines: tuple[Routine, ...],
    env: Mapping[str, str],
    out: TextIO,
    err: TextIO,
) -> int:
    from rich.console import Console

    from rsiguard.core.routines.select import choose
    from rsiguard.faces.terminal import play

    if args.id:
        routine = next((r for r in routines if r.id == args.id), None)
        if routine is None:
            print(f"rsiguard: no routine {args.id!r} (see `rsiguard routines list`)", file=err)
            return Exit.USAGE
    else:
        from rsiguard.core.policy import BreakKind, Policy
        from rsiguard.settings.config import ConfigError, load

        try:
            policy = load(env).policy
        except ConfigError as exc:
            print(f"rsiguard: configuration not used: {exc}", file=err)
            policy = Policy()
        from rsiguard.settings.flare import local_day, read_flare_day

        length = policy.of(BreakKind(args.kind)).duration
        avoid = replace(policy, flare_day=read_flare_day(env)).avoid_on(local_day())
        chosen = choose(routines, args.kind, length, policy.targets, avoid)
        if chosen is None:
            print("rsiguard: no routine fits your targets and conditions", file=err)
            return Exit.REFUSED
        routine = chosen
    play(routine, Console(file=out))
    return Exit.OK
