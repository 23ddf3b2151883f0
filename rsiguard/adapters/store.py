"""Statistics in SQLite: activity per minute and every break event. Counts only.

The file is ``$XDG_STATE_HOME/rsiguard/stats.db`` (WAL, 0600). What it holds is what
``rsiguard status`` already shows, kept per minute: key presses, clicks, scroll steps,
pointer travel, active seconds, the weighted load, and which input backend measured
them (activity-only backends leave the counts at zero and say so); plus one row per
break event (due, started, taken, natural, snoozed, skipped, dismissed, paused...),
and the discomfort check-ins the user chose to answer (a 0 to 10 score per body area).
Never a key identity, a text or a window title.

The daemon batches rows in memory and hands them to :class:`StatsStore` at most once
a minute while there is activity and never while idle, on a thread of its own (sqlite
blocks). A ``kill -9`` loses at most that minute. A database that is corrupt is moved
aside and started again; one that is locked or cannot be written is bypassed with one
warning, and the daemon runs on without statistics.

Schema versions are ``PRAGMA user_version``; :data:`MIGRATIONS` turns each version
into the next, so a database of any earlier version opens.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from pathlib import Path

log = logging.getLogger("rsiguard.stats")

#: ``MIGRATIONS[v]`` takes a database from version ``v`` to ``v + 1``.
MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: the first schema.
    """
    CREATE TABLE minutes (
        minute INTEGER PRIMARY KEY,          -- Unix time // 60 (UTC)
        keys INTEGER NOT NULL DEFAULT 0,
        clicks INTEGER NOT NULL DEFAULT 0,
        scroll INTEGER NOT NULL DEFAULT 0,
        pointer_px REAL NOT NULL DEFAULT 0,
        active_s REAL NOT NULL DEFAULT 0,
        load REAL NOT NULL DEFAULT 0,
        backend TEXT NOT NULL DEFAULT ''     -- what measured them; '' = unknown
    );
    CREATE TABLE events (
        at REAL NOT NULL,                    -- Unix time
        kind TEXT NOT NULL,                  -- micro, rest, pause
        outcome TEXT NOT NULL,               -- due, started, taken, natural, snoozed, ...
        routine TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX events_at ON events (at);
    """,
    # 1 -> 2: discomfort check-ins, 0 (none) to 10 (worst), per body area.
    """
    CREATE TABLE checkins (
        at REAL NOT NULL,                    -- Unix time of the answer
        area TEXT NOT NULL,                  -- hands, wrists, forearms, neck_shoulders, eyes
        score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10)
    );
    CREATE INDEX checkins_at ON checkins (at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
RETENTION_DAYS = 90


@dataclass(frozen=True, slots=True)
class MinuteRow:
    """Activity in one minute (``minute`` is Unix time // 60)."""

    minute: int
    keys: int = 0
    clicks: int = 0
    scroll: int = 0
    pointer_px: float = 0.0
    active_s: float = 0.0
    load: float = 0.0
    backend: str = ""


@dataclass(frozen=True, slots=True)
class EventRow:
    """One break event at Unix time ``at``."""

    at: float
    kind: str
    outcome: str
    routine: str = ""


class StoreUnavailable(Exception):
    """The database cannot be used; ``str()`` says why."""


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open (and migrate) the database at ``path``; read-only opens never create it.

    Raises :class:`StoreUnavailable` for a database that is missing (read-only), locked,
    unwritable or corrupt; the message names the file.
    """
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2.0)
        else:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
            os.close(fd)
            conn = sqlite3.connect(path, timeout=2.0, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            conn.close()
            raise StoreUnavailable(
                f"{path}: written by a newer rsiguard (schema {version}, this one knows "
                f"{SCHEMA_VERSION})"
            )
        if not readonly:
            _migrate(conn, version)
        return conn
    except sqlite3.DatabaseError as exc:
        raise StoreUnavailable(f"{path}: {exc}") from None
    except OSError as exc:
        raise StoreUnavailable(f"{path}: {exc.strerror or exc}") from None


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    for step in range(version, SCHEMA_VERSION):
        with conn:
            conn.executescript(f"BEGIN; {MIGRATIONS[step]} PRAGMA user_version = {step + 1};")
        log.info("statistics database schema %d -> %d", step, step + 1)


def _corrupt(exc: StoreUnavailable) -> bool:
    text = str(exc)
    return "not a database" in text or "malformed" in text or "file is encrypted" in text


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, aside)
    for extra in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{path}{extra}", f"{aside}{extra}")
    return aside


class StatsStore:
    """The daemon's writer (one thread at a time: the daemon's store thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self.problem: str | None = None  # why statistics are off, if they are

    def open(self) -> bool:
        """Open the database, moving a corrupt one aside; False (and one warning) if it
        cannot be used: the daemon then runs without statistics."""
        try:
            self._conn = connect(self.path)
        except StoreUnavailable as exc:
            if not _corrupt(exc):
                return self._off(str(exc))
            try:
                aside = _move_aside(self.path)
                log.warning("statistics database was corrupt (%s); kept it as %s", exc, aside)
                self._conn = connect(self.path)
            except (OSError, StoreUnavailable) as again:
                return self._off(str(again))
        if self.problem is not None:
            log.info("statistics are kept again in %s", self.path)
            self.problem = None
        return True

    def _off(self, why: str) -> bool:
        if self.problem != why:
            log.warning("statistics are not kept: %s", why)
        self.problem = why
        self.close()
        return False

    def write(self, minutes: Sequence[MinuteRow], events: Sequence[EventRow]) -> None:
        """Add these rows in one transaction (minutes add up with rows already there)."""
        # After a problem (a lock, a full disk) each batch tries again: at most once a minute.
        if self._conn is None and not self.open():
            return
        assert self._conn is not None
        try:
            with self._conn:
                self._conn.executemany(
                    "INSERT INTO minutes VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(minute) DO "
                    "UPDATE SET keys = keys + excluded.keys, clicks = clicks + excluded.clicks,"
                    " scroll = scroll + excluded.scroll,"
                    " pointer_px = pointer_px + excluded.pointer_px,"
                    " active_s = active_s + excluded.active_s, load = load + excluded.load,"
                    " backend = excluded.backend",
                    (astuple(m) for m in minutes),
                )
                self._conn.executemany(
                    "INSERT INTO events VALUES (?, ?, ?, ?)", (astuple(e) for e in events)
                )
        except sqlite3.Error as exc:
            self._off(f"{self.path}: {exc}")

    def forget(self, before: float) -> None:
        """Delete everything older than Unix time ``before`` (retention, `--forget`)."""
        if self._conn is None:
            return
        try:
            with self._conn:
                self._conn.execute("DELETE FROM minutes WHERE minute < ?", (int(before // 60),))
                self._conn.execute("DELETE FROM events WHERE at < ?", (before,))
                self._conn.execute("DELETE FROM checkins WHERE at < ?", (before,))
        except sqlite3.Error as exc:
            self._off(f"{self.path}: {exc}")

    def vacuum(self) -> None:
        """Give deleted pages back (after forgetting: nothing of them stays in the file)."""
        if self._conn is not None:
            try:
                self._conn.execute("VACUUM")
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                self._off(f"{self.path}: {exc}")

    def active_between(self, start: float, end: float) -> float:
        """Active seconds recorded between Unix times ``start`` and ``end`` (0 when off)."""
        if self._conn is None:
            return 0.0
        try:
            row = self._conn.execute(
                "SELECT COALESCE(SUM(active_s), 0) FROM minutes WHERE minute >= ? AND minute < ?",
                (int(start // 60), int(end // 60)),
            ).fetchone()
        except sqlite3.Error as exc:
            self._off(f"{self.path}: {exc}")
            return 0.0
        return float(row[0])

    def checkin_asks(self) -> tuple[float | None, list[float]]:
        """Since when a check-in is owed (the last one, else the first statistics), and the
        times it was asked for since then."""
        if self._conn is None:
            return None, []
        try:
            last = self._conn.execute("SELECT MAX(at) FROM checkins").fetchone()[0]
            if last is None:
                first = self._conn.execute("SELECT MIN(minute) FROM minutes").fetchone()[0]
                last = None if first is None else first * 60.0
            asks = [
                float(at)
                for (at,) in self._conn.execute(
                    "SELECT at FROM events WHERE kind = 'checkin' AND outcome = 'asked' "
                    "AND at >= ? ORDER BY at",
                    (last or 0.0,),
                )
            ]
        except sqlite3.Error as exc:
            self._off(f"{self.path}: {exc}")
            return None, []
        return (None if last is None else float(last)), asks

    def close(self) -> None:
        """Close the database (the WAL is checkpointed by sqlite)."""
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None


def add_checkin(conn: sqlite3.Connection, at: float, scores: dict[str, int]) -> None:
    """Store one check-in: a score per body area answered (areas skipped are absent)."""
    with conn:
        conn.executemany(
            "INSERT INTO checkins VALUES (?, ?, ?)", [(at, a, s) for a, s in scores.items()]
        )


def read_checkins(
    conn: sqlite3.Connection, start: float, end: float
) -> list[tuple[float, str, int]]:
    """``(at, area, score)`` rows with Unix times in ``[start, end)``, oldest first."""
    rows = conn.execute(
        "SELECT at, area, score FROM checkins WHERE at >= ? AND at < ? ORDER BY at", (start, end)
    )
    return [(float(at), str(area), int(score)) for at, area, score in rows]


def read_minutes(conn: sqlite3.Connection, start: float, end: float) -> list[MinuteRow]:
    """Minute rows with Unix times in ``[start, end)``."""
    rows = conn.execute(
        "SELECT * FROM minutes WHERE minute >= ? AND minute < ? ORDER BY minute",
        (int(start // 60), int(end // 60)),
    )
    return [MinuteRow(*row) for row in rows]


def read_events(conn: sqlite3.Connection, start: float, end: float) -> list[EventRow]:
    """Event rows with Unix times in ``[start, end)``."""
    rows = conn.execute("SELECT * FROM events WHERE at >= ? AND at < ? ORDER BY at", (start, end))
    return [EventRow(*row) for row in rows]


def add_up(rows: Iterable[MinuteRow]) -> dict[int, MinuteRow]:
    """Rows of the same minute merged (what :meth:`StatsStore.write` does in SQL)."""
    merged: dict[int, MinuteRow] = {}
    for r in rows:
        m = merged.get(r.minute)
        merged[r.minute] = (
            r
            if m is None
            else MinuteRow(
                r.minute,
                m.keys + r.keys,
                m.clicks + r.clicks,
                m.scroll + r.scroll,
                m.pointer_px + r.pointer_px,
                m.active_s + r.active_s,
                m.load + r.load,
                r.backend,
            )
        )
    return merged
