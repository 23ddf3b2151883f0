"""What the statistics say: totals per day, break outcomes, exposure (pure arithmetic).

Keyboard and mouse time are *estimates*: each active minute's active seconds are split
between the keyboard and the mouse in proportion to the input events of each in that
minute, where a key press, a click, a scroll step and 100 px of pointer travel each
count one. Minutes measured by an activity-only backend (no counts) are active time
that cannot be split; they are reported as such, never guessed.

The exposure figures are the ones published studies used (see docs/stats.md): more
than about 15 h a week at the keyboard and 20 to 30 h a week with the mouse went with
more forearm pain, and more than 4 to 6 h a day of computer work is a reported risk.
They are thresholds from studies of groups, not limits for a person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rsiguard.adapters.store import EventRow, MinuteRow

KEYBOARD_WEEK_H = 15.0  # Kryger et al., 2003
MOUSE_WEEK_H = 20.0  # Andersen et al., 2003 (30 h in Kryger et al., 2003)
COMPUTER_DAY_H = (4.0, 6.0)  # Blatter & Bongers, 2002

TAKEN = ("completed", "stopped")


@dataclass
class Day:
    """One local day's totals."""

    day: str
    active_s: float = 0.0
    keyboard_s: float = 0.0
    mouse_s: float = 0.0
    unsplit_s: float = 0.0  # active time from activity-only minutes
    keys: int = 0
    clicks: int = 0
    scroll: int = 0
    pointer_px: float = 0.0
    load: float = 0.0
    due: int = 0
    taken: int = 0
    natural: int = 0
    snoozed: int = 0
    skipped: int = 0
    dismissed: int = 0
    hours: list[float] = field(default_factory=lambda: [0.0] * 24)  # load per hour

    @property
    def intensity(self) -> float:
        """Load per active minute (the heuristic of docs/intensity.md)."""
        return self.load / (self.active_s / 60) if self.active_s >= 60 else 0.0


@dataclass
class Summary:
    """A range of days."""

    days: list[Day]
    longest_stretch_s: float = 0.0

    def total(self, name: str) -> float:
        """The sum of one :class:`Day` field over the range."""
        return float(sum(getattr(d, name) for d in self.days))

    @property
    def compliance(self) -> float | None:
        """Breaks taken or taken naturally, per break due (None when none was due)."""
        due = self.total("due")
        return (self.total("taken") + self.total("natural")) / due if due else None


def split(m: MinuteRow) -> tuple[float, float, float]:
    """(keyboard, mouse, unsplit) active seconds of one minute."""
    keyboard = float(m.keys)
    mouse = m.clicks + m.scroll + m.pointer_px / 100.0
    if keyboard + mouse <= 0:
        return 0.0, 0.0, m.active_s
    share = keyboard / (keyboard + mouse)
    return m.active_s * share, m.active_s * (1 - share), 0.0


def local(ts: float) -> dt.datetime:
    """Unix time as a local datetime."""
    return dt.datetime.fromtimestamp(ts)


def summarize(
    days: Sequence[str], minutes: Iterable[MinuteRow], events: Iterable[EventRow]
) -> Summary:
    """Totals for each of ``days`` (``YYYY-MM-DD``, local) from the rows in that range."""
    by_day = {d: Day(d) for d in days}
    timeline: list[tuple[float, str, float]] = []
    for m in minutes:
        when = local(m.minute * 60.0)
        d = by_day.get(when.date().isoformat())
        if d is None:
            continue
        kb, mouse, unsplit = split(m)
        d.active_s += m.active_s
        d.keyboard_s += kb
        d.mouse_s += mouse
        d.unsplit_s += unsplit
        d.keys += m.keys
        d.clicks += m.clicks
        d.scroll += m.scroll
        d.pointer_px += m.pointer_px
        d.load += m.load
        d.hours[when.hour] += m.load
        timeline.append((m.minute * 60.0, "active", m.active_s))
    for e in events:
        d = by_day.get(local(e.at).date().isoformat())
        if d is None or e.kind == "pause":
            continue
        if e.outcome in TAKEN:
            d.taken += 1
        elif e.outcome in ("due", "natural", "snoozed", "skipped", "dismissed"):
            setattr(d, e.outcome, getattr(d, e.outcome) + 1)
        if e.outcome in (*TAKEN, "natural"):
            timeline.append((e.at, "break", 0.0))
    return Summary(list(by_day.values()), _longest_stretch(timeline))


def _longest_stretch(timeline: list[tuple[float, str, float]]) -> float:
    """The most active time between two breaks (taken or natural)."""
    longest = run = 0.0
    for _at, what, active in sorted(timeline):
        if what == "break":
            run = 0.0
        else:
            run += active
            longest = max(longest, run)
    return longest


def day_range(first: dt.date, last: dt.date) -> list[str]:
    """Every day from ``first`` to ``last``, inclusive, as ``YYYY-MM-DD``."""
    n = (last - first).days
    return [(first + dt.timedelta(days=i)).isoformat() for i in range(max(0, n + 1))]


def bounds(days: Sequence[str]) -> tuple[float, float]:
    """Unix times from the start of the first local day to the end of the last."""
    first = dt.datetime.fromisoformat(days[0])
    after = dt.datetime.fromisoformat(days[-1]) + dt.timedelta(days=1)
    return first.timestamp(), after.timestamp()


def limit_words(s: Summary, daily_s: float, weekly_s: float) -> list[str]:
    """The range's active time against the configured daily and weekly limits."""
    lines = []
    if daily_s > 0:
        over = [d for d in s.days if d.active_s >= daily_s]
        lines.append(
            f"daily limit {daily_s / 3600:g} h: reached on {len(over)} of {len(s.days)} day(s)"
        )
    if weekly_s > 0:
        last_week = sum(d.active_s for d in s.days[-7:])
        verdict = "over it" if last_week >= weekly_s else "within it"
        lines.append(
            f"weekly limit {weekly_s / 3600:g} h: the last {min(7, len(s.days))} day(s) "
            f"had {last_week / 3600:.1f} h, {verdict}"
        )
    return lines


def exposure_words(s: Summary) -> list[str]:
    """The range's keyboard and mouse time against the published figures, in plain words."""
    weeks = max(1.0, len(s.days) / 7)
    kb_week = s.total("keyboard_s") / 3600 / weeks
    mouse_week = s.total("mouse_s") / 3600 / weeks
    lines = [
        f"keyboard about {kb_week:.1f} h a week (studies saw more forearm pain above "
        f"about {KEYBOARD_WEEK_H:.0f} h)",
        f"mouse about {mouse_week:.1f} h a week (studies saw more forearm pain above "
        f"about {MOUSE_WEEK_H:.0f} to 30 h)",
    ]
    long_days = [d.day for d in s.days if d.active_s / 3600 > COMPUTER_DAY_H[0]]
    if long_days:
        lo, hi = COMPUTER_DAY_H
        lines.append(
            f"{len(long_days)} day(s) over {lo:.0f} h of active input "
            f"(more than {lo:.0f} to {hi:.0f} h a day of computer work is a reported risk)"
        )
    unsplit = s.total("unsplit_s")
    if unsplit:
        lines.append(
            f"{unsplit / 3600:.1f} h were measured as activity only and are not split "
            "between keyboard and mouse"
        )
    return lines
