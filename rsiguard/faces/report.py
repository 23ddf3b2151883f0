"""``rsiguard report``: one self-contained HTML page of the statistics.

Inline SVG only: no script, no font, no image or style sheet from anywhere else, so
the page opens the same offline, in a mail attachment or on an intranet. Built from
the same :class:`~rsiguard.faces.stats.Summary` as ``rsiguard stats``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from rsiguard.adapters.store import (
    StoreUnavailable,
)
from rsiguard.base.exitcodes import Exit, parse_args
from rsiguard.base.paths import state_dir
from rsiguard.core.durations import format_duration
from rsiguard.faces.checkin import AREAS
from rsiguard.faces.stats import (
    COMPUTER_DAY_H,
    Summary,
    bounds,
    day_range,
    exposure_words,
)
from rsiguard.faces.stats_cli import read_summary

W, H, PAD = 640, 220, 36
INK, MUTED, ACCENT, KEYS, MOUSE, WARN = (
    "#26303a", "#6b737c", "#3f8f8a", "#3f6f8f", "#c08a3e", "#9a5b2e",
)  # fmt: skip


def _bars(s: Summary) -> str:
    """Active time per day, split into keyboard and mouse, with the 4 h line."""
    n = len(s.days)
    peak_h = max([COMPUTER_DAY_H[1], *(d.active_s / 3600 for d in s.days)])
    step = (W - 2 * PAD) / max(1, n)
    bar = max(2.0, step * 0.7)

    def y(hours: float) -> float:
        return H - PAD - hours / peak_h * (H - 2 * PAD)

    parts = []
    for i, d in enumerate(s.days):
        x = PAD + i * step + (step - bar) / 2
        kb, mouse, rest = d.keyboard_s / 3600, d.mouse_s / 3600, d.unsplit_s / 3600
        base = 0.0
        for hours, color, label in ((kb, KEYS, "keyboard"), (mouse, MOUSE, "mouse"),
                                    (rest, MUTED, "activity only")):  # fmt: skip
            if hours > 0:
                top = y(base + hours)
                parts.append(
                    f'<rect class="bar" x="{x:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                    f'height="{y(base) - top:.1f}" fill="{color}">'
                    f"<title>{d.day}: {label} {hours:.1f} h</title></rect>"
                )
                base += hours
        if n <= 14 or i % max(1, n // 7) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{H - PAD + 14}" font-size="10" '
                f'text-anchor="middle" fill="{MUTED}">{d.day[5:]}</text>'
            )
    line = y(COMPUTER_DAY_H[0])
    parts.append(
        f'<line x1="{PAD}" x2="{W - PAD}" y1="{line:.1f}" y2="{line:.1f}" stroke="{WARN}" '
        f'stroke-dasharray="4 3"/><text x="{W - PAD}" y="{line - 4:.1f}" font-size="10" '
        f'text-anchor="end" fill="{WARN}">{COMPUTER_DAY_H[0]:.0f} h a day</text>'
    )
    return _svg("active", "Active time per day (keyboard, mouse)", "".join(parts))


def _heat(s: Summary) -> str:
    """Load by hour of day, one row per day."""
    peak = max((h for d in s.days for h in d.hours), default=0.0) or 1.0
    rows = len(s.days)
    cell_w = (W - 2 * PAD - 40) / 24
    cell_h = min(18.0, (H - 2 * PAD) / max(1, rows))
    parts = []
    for r, d in enumerate(s.days):
        y = PAD + r * cell_h
        if rows <= 14 or r % max(1, rows // 7) == 0:
            parts.append(
                f'<text x="{PAD + 36}" y="{y + cell_h * 0.75:.1f}" font-size="9" '
                f'text-anchor="end" fill="{MUTED}">{d.day[5:]}</text>'
            )
        for hour, load in enumerate(d.hours):
            if load <= 0:
                continue
            x = PAD + 40 + hour * cell_w
            parts.append(
                f'<rect class="cell" x="{x:.1f}" y="{y:.1f}" width="{cell_w - 1:.1f}" '
                f'height="{cell_h - 1:.1f}" fill="{ACCENT}" fill-opacity="'
                f'{0.15 + 0.85 * load / peak:.2f}"><title>{d.day} {hour:02}:00: load '
                f"{load:.0f}</title></rect>"
            )
    for hour in range(0, 24, 6):
        parts.append(
            f'<text x="{PAD + 40 + hour * cell_w:.1f}" y="{PAD - 6}" font-size="10" '
            f'fill="{MUTED}">{hour:02}:00</text>'
        )
    return _svg("load", "Load by hour", "".join(parts))


def _breaks(s: Summary) -> str:
    """Break outcomes as one stacked bar."""
    items = [
        ("taken", s.total("taken"), ACCENT),
        ("natural", s.total("natural"), "#7fb7b2"),
        ("snoozed", s.total("snoozed"), MOUSE),
        ("skipped", s.total("skipped"), WARN),
        ("dismissed", s.total("dismissed"), MUTED),
    ]
    total = sum(v for _, v, _ in items) or 1.0
    x, parts = float(PAD), []
    for label, value, color in items:
        width = (W - 2 * PAD) * value / total
        if width > 0:
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{PAD}" width="{width:.1f}" height="40" '
                f'fill="{color}"><title>{label}: {value:.0f}</title></rect>'
            )
            if width > 50:
                parts.append(
                    f'<text x="{x + 6:.1f}" y="{PAD + 25}" font-size="12" fill="#fff">'
                    f"{label} {value:.0f}</text>"
                )
        x += width
    comp = s.compliance
    note = f"{comp:.0%} of due breaks taken or natural" if comp is not None else "no break due"
    parts.append(f'<text x="{PAD}" y="{PAD + 70}" font-size="13" fill="{INK}">{note}</text>')
    return _svg("breaks", "Breaks", "".join(parts), height=120)


def _checkin_trend(s: Summary, checkins: Sequence[tuple[float, str, int]]) -> str:
    """Each body area's check-in scores over the range, 0 to 10."""
    if not checkins:
        return (
            '<figure><figcaption>How it felt</figcaption><p class="note">No check-ins in '
            "this range (<code>rsiguard checkin</code> adds one).</p></figure>"
        )
    start, end = bounds([d.day for d in s.days])
    colors = (KEYS, MOUSE, ACCENT, WARN, MUTED)

    def xy(at: float, score: int) -> tuple[float, float]:
        x = PAD + (at - start) / max(1.0, end - start) * (W - 2 * PAD)
        return x, H - PAD - score / 10 * (H - 2 * PAD)

    parts = [
        f'<text x="{PAD - 6}" y="{xy(start, s_)[1] + 4:.1f}" font-size="10" text-anchor="end" '
        f'fill="{MUTED}">{s_}</text>'
        for s_ in (0, 5, 10)
    ]
    areas = [a for a, _ in AREAS if any(row[1] == a for row in checkins)]
    for n, area in enumerate(areas):
        points = [xy(at, score) for at, a, score in checkins if a == area]
        color = colors[n % len(colors)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline class="trend" points="{path}" fill="none" stroke="{color}" '
            f'stroke-width="2"><title>{area}</title></polyline>'
        )
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>' for x, y in points]
        parts.append(
            f'<text x="{W - PAD + 4}" y="{PAD + 12 * n:.1f}" font-size="10" fill="{color}">'
            f"{area.replace('_', ' ')}</text>"
        )
    return _svg("checkins", "How it felt (check-ins, 0 = nothing, 10 = worst)", "".join(parts))


def _svg(name: str, title: str, body: str, height: int = H) -> str:
    return (
        f'<figure><figcaption>{html.escape(title)}</figcaption><svg id="{name}" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" '
        f'height="{height}" role="img" aria-label="{html.escape(title)}">{body}</svg></figure>'
    )


def page(s: Summary, checkins: Sequence[tuple[float, str, int]] = ()) -> str:
    """The whole HTML document."""
    first, last = s.days[0].day, s.days[-1].day
    facts = [
        f"Active {format_duration(s.total('active_s'))}: keyboard about "
        f"{format_duration(s.total('keyboard_s'))}, mouse about "
        f"{format_duration(s.total('mouse_s'))}.",
        f"Longest stretch without a break: {format_duration(s.longest_stretch_s)} of activity.",
        *(w[0].upper() + w[1:] + "." for w in exposure_words(s)),
    ]
    items = "".join(f"<li>{html.escape(f)}</li>" for f in facts)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>rsiguard report {first} to {last}</title>
<style>
body {{ font-family: sans-serif; color: {INK}; background: #f6f4ef; margin: 2em auto;
       max-width: 700px; line-height: 1.4; }}
figure {{ margin: 1.5em 0; background: #fff; border-radius: 6px; padding: 0.5em; }}
figcaption {{ font-weight: bold; margin-bottom: 0.3em; }}
.note {{ color: {MUTED}; font-size: 0.9em; }}
</style></head><body>
<h1>How your hands worked: {first} to {last}</h1>
<ul>{items}</ul>
{_bars(s)}
{_heat(s)}
{_breaks(s)}
{_checkin_trend(s, checkins)}
<p class="note">Keyboard and mouse time are estimates (docs/stats.md). The exposure
figures come from studies of groups of people; they are not limits for you, and this
page does not diagnose anything. If pain, numbness or weakness persists, see a
health professional.</p>
</body></html>
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rsiguard report", description="Write an HTML report.")
    span = p.add_mutually_exclusive_group()
    span.add_argument("--week", action="store_true", help="the last 7 days (the default)")
    span.add_argument("--days", type=int, metavar="N", help="the last N days, today included")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.html", help="where to write")
    return p


def main(argv: Sequence[str], env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    """Run ``rsiguard report ARGV``; return the exit status."""
    args = parse_args(_parser(), argv, out, err)
    if isinstance(args, int):
        return args
    n = 7 if args.days is None else args.days
    if not 1 <= n <= 3660:
        print("rsiguard report: --days must be between 1 and 3660", file=err)
        return Exit.USAGE
    today = dt.date.today()
    days = day_range(today - dt.timedelta(days=n - 1), today)
    path = state_dir(env) / "stats.db"
    try:
        summary, checkins = read_summary(path, days)
    except StoreUnavailable as exc:
        print(f"rsiguard report: cannot read the statistics: {exc}", file=err)
        return Exit.ERROR
    try:
        args.out.write_text(page(summary, checkins), encoding="utf-8")
    except OSError as exc:
        print(f"rsiguard report: cannot write {args.out}: {exc.strerror or exc}", file=err)
        return Exit.USAGE
    print(f"rsiguard report: wrote {args.out}", file=out)
    return Exit.OK
