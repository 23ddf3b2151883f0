"""``rsiguard setup``: a few questions, then a user config file with sensible values.

Asks how long the day at the computer is, what troubles the hands, which conditions
routines must keep clear of, and which preset suits; shows the keys IT has locked and
leaves them out; validates the file as ``rsiguard config check`` would before writing
it. Re-runnable (an existing file is kept as a backup); ``--dry-run`` only prints.
Imports the config layer (pydantic): the CLI imports this module lazily.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from rsiguard.base.exitcodes import Exit, parse_args
from rsiguard.base.paths import user_config_file
from rsiguard.core.routines.model import CONTRAINDICATIONS, TARGETS
from rsiguard.settings.config import ConfigError, check_file, load
from rsiguard.settings.sources import toml_value


@dataclass(frozen=True)
class Preset:
    """A named set of break settings (dotted key -> TOML value)."""

    name: str
    words: str
    values: tuple[tuple[str, object], ...]


PRESETS = (
    Preset(
        "gentle",
        "gentle reminders: a 30 s micro-break every 30 min, 5 min rest every hour, three snoozes",
        (
            ("breaks.micro.interval", "30m"),
            ("breaks.micro.duration", "30s"),
            ("breaks.rest.interval", "1h"),
            ("breaks.rest.duration", "5m"),
            ("breaks.max_snoozes", 3),
        ),
    ),
    Preset(
        "standard",
        "standard: a 30 s micro-break every 20 min, 5 min rest every hour, two snoozes",
        (
            ("breaks.micro.interval", "20m"),
            ("breaks.micro.duration", "30s"),
            ("breaks.rest.interval", "1h"),
            ("breaks.rest.duration", "5m"),
            ("breaks.max_snoozes", 2),
        ),
    ),
    Preset(
        "recovering",
        "recovering from strain: a 45 s micro-break every 10 min, 10 min rest every "
        "45 min, one snooze",
        (
            ("breaks.micro.interval", "10m"),
            ("breaks.micro.duration", "45s"),
            ("breaks.rest.interval", "45m"),
            ("breaks.rest.duration", "10m"),
            ("breaks.max_snoozes", 1),
        ),
    ),
)
DAY_CHOICES = ("under 4 hours", "4 to 6 hours", "over 6 hours")


def _choose_many(
    read: Callable[[str], str], out: TextIO, question: str, items: Mapping[str, str]
) -> list[str]:
    ids = list(items)
    out.write(f"\n{question}\n")
    out.writelines(f"  {n}. {items[i]}\n" for n, i in enumerate(ids, 1))
    while True:
        answer = read("Numbers separated by commas (Enter: none): ").replace(" ", "")
        if not answer:
            return []
        picks = answer.split(",")
        if all(p.isdigit() and 1 <= int(p) <= len(ids) for p in picks):
            return list(dict.fromkeys(ids[int(p) - 1] for p in picks))
        out.write(f"  numbers from 1 to {len(ids)}, please\n")


def _choose_one(
    read: Callable[[str], str], out: TextIO, question: str, items: Sequence[str], default: int
) -> int:
    out.write(f"\n{question}\n")
    out.writelines(f"  {n}. {text}\n" for n, text in enumerate(items, 1))
    while True:
        answer = read(f"Number (Enter: {default + 1}): ").strip()
        if not answer:
            return default
        if answer.isdigit() and 1 <= int(answer) <= len(items):
            return int(answer) - 1
        out.write(f"  a number from 1 to {len(items)}, please\n")


def interview(read: Callable[[str], str], out: TextIO, locked: Sequence[str]) -> dict[str, object]:
    """Ask the questions; return the settings (locked keys left out)."""
    day = _choose_one(read, out, "How long is your day at the keyboard and mouse?", DAY_CHOICES, 1)
    targets = _choose_many(read, out, "What troubles your hands or body?", TARGETS)
    avoid = _choose_many(
        read, out, "Do any of these apply to you now? (routines will keep clear)", CONTRAINDICATIONS
    )
    suggested = 2 if day == 2 or targets else 1
    preset = PRESETS[
        _choose_one(read, out, "Which reminders suit you?", [p.words for p in PRESETS], suggested)
    ]
    values: dict[str, object] = dict(preset.values)
    values["routines.targets"] = targets or ["rsi"]
    values["routines.avoid"] = avoid
    return {k: v for k, v in values.items() if k not in locked}


def render(values: Mapping[str, object], preset_note: str = "") -> str:
    """The settings as a TOML file, one table per section."""
    tables: dict[str, list[str]] = {}
    for key, value in values.items():
        table, _, name = key.rpartition(".")
        tables.setdefault(table, []).append(f"{name} = {toml_value(value)}")
    lines = [f"# Written by `rsiguard setup` on {time.strftime('%Y-%m-%d')}. {preset_note}".strip()]
    for table, rows in tables.items():
        lines += ["", f"[{table}]", *rows]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> Path | None:
    """Write atomically; keep an existing file as ``config.toml.bak-<time>``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if path.exists():
        backup = path.with_name(f"{path.name}.bak-{time.strftime('%Y%m%dT%H%M%S')}")
        os.replace(path, backup)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".setup-", suffix=".toml")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    return backup


def main(
    argv: Sequence[str],
    env: Mapping[str, str],
    out: TextIO,
    err: TextIO,
    read: Callable[[str], str] = input,
) -> int:
    """Run ``rsiguard setup ARGV``; return the exit status."""
    parser = argparse.ArgumentParser(prog="rsiguard setup", description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print the file, write nothing")
    args = parse_args(parser, argv, out, err)
    if isinstance(args, int):
        return args
    try:
        locked = load(env).locked_keys
    except ConfigError as exc:
        print(f"rsiguard setup: fix the configuration first:\n{exc}", file=err)
        return Exit.BAD_CONFIG
    if locked:
        out.write(
            f"Your IT department has set these; setup leaves them alone: {', '.join(locked)}\n"
        )
    try:
        values = interview(read, out, locked)
    except (EOFError, KeyboardInterrupt):
        print("\nrsiguard setup: stopped; nothing written", file=out)
        return Exit.OK
    text = render(values)
    with tempfile.TemporaryDirectory() as tmp:
        draft = Path(tmp) / "config.toml"
        draft.write_text(text, encoding="utf-8")
        problems, _ = check_file(draft)
    if problems:  # a bug in setup, not the user's doing
        raise RuntimeError("setup wrote an invalid file:\n" + "\n".join(problems))
    path = user_config_file(env)
    if args.dry_run:
        out.write(f"\nrsiguard setup would write {path}:\n\n{text}")
        return Exit.OK
    backup = _write(path, text)
    out.write(f"\nrsiguard setup: wrote {path}")
    out.write(f" (the old one is {backup})\n" if backup else "\n")
    out.write("A running daemon uses it after `rsiguard reload`.\n")
    return Exit.OK
