"""``rsiguard checkin``: how do the hands, wrists, forearms, neck and eyes feel?

A score from 0 (nothing) to 10 (the worst imaginable) per body area, after the body
areas of the Nordic musculoskeletal questionnaire that matter at a keyboard. Every
area can be skipped, and so can the whole check-in. Answers are stored beside the
activity statistics, on this machine only; ``rsiguard stats --checkins --csv``
exports them for a clinician or an occupational-health nurse.

A score that keeps rising gets one gentle suggestion, never a diagnosis.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

from rsiguard.adapters.store import StoreUnavailable, add_checkin, connect, read_checkins
from rsiguard.base.exitcodes import Exit, parse_args
from rsiguard.base.paths import state_dir

#: (id, how the question names it)
AREAS = (
    ("hands", "your hands and fingers"),
    ("wrists", "your wrists"),
    ("forearms", "your forearms and elbows"),
    ("neck_shoulders", "your neck and shoulders"),
    ("eyes", "your eyes"),
)
# A rise is this many points above the average of the earlier answers.
RISE = 2
SUGGESTIONS = {
    "hands": "a hand routine at rest breaks (routines.targets = hand_wrist_pain)",
    "wrists": "a wrist routine at rest breaks (routines.targets = hand_wrist_pain)",
    "forearms": "a forearm routine at rest breaks (routines.targets = forearm)",
    "neck_shoulders": "standing up and moving at each rest break",
    "eyes": "the eye routine at micro-breaks (routines.targets = eyes)",
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rsiguard checkin",
        description="Say how your body feels today, 0 (nothing) to 10 (worst). Without "
        "scores on the command line it asks, one area at a time (Enter skips one).",
    )
    for area, words in AREAS:
        p.add_argument(
            f"--{area.replace('_', '-')}", type=int, metavar="0-10", dest=area, help=words
        )
    p.add_argument("--window", action="store_true", help="answer in a small window instead")
    return p


def ask(read: Callable[[str], str], out: TextIO) -> dict[str, int] | None:
    """Ask each area in turn; ``q`` skips the whole check-in (None)."""
    out.write("How has each felt today? 0 = nothing, 10 = the worst. Enter skips, q stops.\n")
    scores: dict[str, int] = {}
    for area, words in AREAS:
        while True:
            answer = read(f"  {words}: ").strip().lower()
            if answer == "q":
                return None
            if answer == "":
                break
            if answer.isdigit() and 0 <= int(answer) <= 10:
                scores[area] = int(answer)
                break
            out.write("    a number from 0 to 10, please (Enter skips)\n")
    return scores


def rising(history: Sequence[tuple[float, str, int]], latest: Mapping[str, int]) -> list[str]:
    """Areas whose latest score is :data:`RISE` above the average of at least two
    earlier answers for that area."""
    found = []
    for area, score in latest.items():
        earlier = [s for _, a, s in history if a == area]
        if len(earlier) >= 2 and score >= sum(earlier) / len(earlier) + RISE:
            found.append(area)
    return found


def store(env: Mapping[str, str], scores: Mapping[str, int]) -> list[str]:
    """Keep one check-in; returns the gentle suggestions for areas that keep rising.

    Raises :class:`StoreUnavailable` when the database cannot be written.
    """
    conn = connect(state_dir(env) / "stats.db")
    try:
        now = time.time()
        history = read_checkins(conn, now - 90 * 86400, now)
        add_checkin(conn, now, dict(scores))
    finally:
        conn.close()
    return [
        f"{dict(AREAS)[area][0].upper()}{dict(AREAS)[area][1:]} felt worse than before. "
        f"Something that may help: {SUGGESTIONS[area]}, and more rest breaks. If it goes "
        "on, or comes with numbness or weakness, see a health professional."
        for area in rising(history, scores)
    ]


def main(
    argv: Sequence[str],
    env: Mapping[str, str],
    out: TextIO,
    err: TextIO,
    read: Callable[[str], str] = input,
) -> int:
    """Run ``rsiguard checkin ARGV``; return the exit status."""
    args = parse_args(_parser(), argv, out, err)
    if isinstance(args, int):
        return args
    if args.window:
        from rsiguard.faces.checkin_window import main as window_main

        return window_main(env)
    given = {area: getattr(args, area) for area, _ in AREAS if getattr(args, area) is not None}
    bad = [f"--{a.replace('_', '-')} {v}" for a, v in given.items() if not 0 <= v <= 10]
    if bad:
        print(f"rsiguard checkin: scores go from 0 to 10: {', '.join(bad)}", file=err)
        return Exit.USAGE
    if not given:
        try:
            answered = ask(read, out)
        except (EOFError, KeyboardInterrupt):
            answered = None
        if not answered:
            print("rsiguard checkin: skipped; nothing stored", file=out)
            return Exit.OK
        given = answered
    try:
        advice = store(env, given)
    except StoreUnavailable as exc:
        print(f"rsiguard checkin: cannot store the answers: {exc}", file=err)
        return Exit.ERROR
    print(f"rsiguard checkin: stored ({len(given)} of {len(AREAS)} areas)", file=out)
    out.writelines(line + "\n" for line in advice)
    return Exit.OK
