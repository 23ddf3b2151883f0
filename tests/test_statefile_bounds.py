"""The state file's numbers are bounded where they enter (D7) and the day only advances (D3).

Whatever a saved field holds, ``restore`` gives a State that ``status`` (and
``status --json``) can report: every number finite and within bounds, or the
field ignored with a warning naming it. One bad field never discards the others.
"""

from __future__ import annotations

import json
import logging
import math
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsiguard.adapters import statefile
from rsiguard.core.machine import initial_state
from rsiguard.core.policy import Policy
from rsiguard.core.state import Progress, State, Today
from rsiguard.core.view import status as status_view

DAY = "2026-11-25"
NOW = 1_790_000_000.0  # a plausible wall-clock time (2026-09)


def _saved(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "version": 1,
        "saved_at": NOW - 5,
        "today": {"day": DAY, "keys": 42, "clicks": 7, "active_s": 600.0},
        "progress": {"micro_active": 100.0, "micro_credit": 100.0, "rest_active": 900.0},
        "snoozes_used": 1,
        "recent": ["wrist-circles"],
        "safety_seen": True,
    }
    base.update(over)
    return base


def _restore(data: dict[str, Any], day: str = DAY) -> State:
    return statefile.restore(initial_state(Policy()), data, day, NOW)


def _assert_bounded(state: State) -> None:
    """Every number of what was restored is finite and within the documented bounds."""
    for obj in (state.today, state.progress):
        for f in fields(obj):
            value = getattr(obj, f.name)
            if value is None or isinstance(value, bool | str):
                continue
            assert isinstance(value, int | float), (f.name, value)
            assert math.isfinite(value) and 0 <= value <= statefile.bound(f.name), (f.name, value)
    assert 0 <= state.snoozes_used <= state.policy.max_snoozes
    assert len(state.recent) <= statefile.RECENT_MAX
    assert all(isinstance(r, str) and len(r) <= statefile.ID_MAX for r in state.recent)
    # What `status --json` prints must be strict JSON (no NaN, no Infinity).
    json.dumps(status_view(state, 0.0), allow_nan=False)


def test_a_400_digit_saved_at_is_ignored_and_the_counts_kept(caplog: Any) -> None:
    # Was: OverflowError at start, then the shutdown save wrote zeros over the file.
    with caplog.at_level(logging.WARNING):
        back = _restore(_saved(saved_at=10**400))
    assert back.today.keys == 42 and back.progress.rest_active == 900
    assert "saved_at" in caplog.text


def test_infinite_snoozes_used_is_ignored_not_a_crash(caplog: Any) -> None:
    # Was: OverflowError: cannot convert float infinity to integer.
    with caplog.at_level(logging.WARNING):
        back = _restore(_saved(snoozes_used=math.inf))
    assert back.snoozes_used == 0 and back.today.keys == 42
    assert "snoozes_used" in caplog.text


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, -1.0, 1e308, 10**400])
def test_active_time_that_would_break_status_is_ignored(bad: object, caplog: Any) -> None:
    # Was: NaN/Infinity restored; `status` crashed and `status --json` printed bare NaN.
    with caplog.at_level(logging.WARNING):
        back = _restore(_saved(today={"day": DAY, "keys": 42, "active_s": bad}))
    assert back.today.active_s == 0.0 and back.today.keys == 42
    assert "today.active_s" in caplog.text
    _assert_bounded(back)


@pytest.mark.parametrize("bad", [-5, 10**9 + 1, 10**400, 1.5, True, "42", None, [1]])
def test_a_bad_count_is_ignored_with_a_warning_naming_it(bad: object, caplog: Any) -> None:
    with caplog.at_level(logging.WARNING):
        back = _restore(_saved(today={"day": DAY, "keys": bad, "clicks": 7}))
    assert back.today.keys == 0 and back.today.clicks == 7
    assert "today.keys" in caplog.text


def test_progress_out_of_range_is_ignored_field_by_field(caplog: Any) -> None:
    progress = {
        "micro_active": math.nan,
        "rest_active": -1e9,
        "micro_credit": 1e308,
        "bucket_load": 3.0,
    }
    with caplog.at_level(logging.WARNING):
        back = _restore(_saved(progress=progress))
    assert back.progress == Progress(bucket_load=3.0)
    for name in ("progress.micro_active", "progress.rest_active", "progress.micro_credit"):
        assert name in caplog.text


def test_recent_is_bounded_in_count_and_length(caplog: Any) -> None:
    ids = [f"r{i}" for i in range(100_000)] + ["x" * 10_000, 5]
    with caplog.at_level(logging.WARNING):
        back = _restore(_saved(recent=ids))
    assert back.recent == tuple(f"r{i}" for i in range(100_000))[-statefile.RECENT_MAX :]
    assert "recent" in caplog.text


def test_a_whole_number_written_as_a_float_is_a_count() -> None:
    back = _restore(_saved(today={"day": DAY, "keys": 42.0}))
    assert back.today.keys == 42 and isinstance(back.today.keys, int)


def test_the_good_file_restores_without_warnings(caplog: Any) -> None:
    with caplog.at_level(logging.WARNING):
        back = _restore(_saved())
    assert caplog.text == ""
    assert back.today == Today(day=DAY, keys=42, clicks=7, active_s=600.0)
    assert back.snoozes_used == 1 and back.recent == ("wrist-circles",) and back.safety_seen


# --- D3: the day only advances ------------------------------------------------------


def test_same_day_keeps_the_counters() -> None:
    assert _restore(_saved(), day=DAY).today.keys == 42


def test_a_saved_day_later_than_today_keeps_the_counters(caplog: Any) -> None:
    # The wall clock went back (NTP, a manual setting): that is not a new day.
    with caplog.at_level(logging.WARNING):
        back = _restore(_saved(), day="2026-11-24")
    assert back.today.keys == 42 and back.today.day == DAY
    assert "later than today" in caplog.text


def test_an_earlier_saved_day_starts_the_counters_again() -> None:
    back = _restore(_saved(), day="2026-11-26")
    assert back.today == Today(day="2026-11-26")


@pytest.mark.parametrize(
    "day", ["", "yesterday", "2026-13-45", "\uff12\uff10\uff12\uff16-11-25", 20261125, None]
)
def test_a_malformed_saved_day_is_not_today(day: object) -> None:
    back = _restore(_saved(today={"day": day, "keys": 42}))
    assert back.today == Today(day=DAY)


# --- the property ---------------------------------------------------------------------

# Written into the file as a 5000-digit integer: past int()'s limit of 4300 digits.
HUGE = "<a 5000-digit integer>"
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from([DAY, "2026-11-24", "2026-11-26", "wrist-circles", HUGE]),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=20,
)
TODAY_KEYS = [f.name for f in fields(Today)]
PROGRESS_KEYS = [f.name for f in fields(Progress)]
TOP_KEYS = ["version", "saved_at", "today", "progress", "snoozes_used", "recent", "safety_seen"]


@st.composite
def snapshots(draw: st.DrawFn) -> dict[str, Any]:
    """A real snapshot with any JSON value put into any of its fields, at any depth."""
    data = _saved()
    data["today"] = dict(data["today"])
    data["progress"] = dict(data["progress"])
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.sampled_from(["top", "today", "progress"]))
        value = draw(JSON)
        if where == "top":
            data[draw(st.sampled_from(TOP_KEYS))] = value
        elif isinstance(data.get(where), dict):
            data[where][
                draw(st.sampled_from(TODAY_KEYS if where == "today" else PROGRESS_KEYS))
            ] = value
    return data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots(), st.sampled_from([DAY, "2026-11-24", "2026-11-26"]))
def test_any_json_in_any_field_restores_within_bounds(data: dict[str, Any], day: str) -> None:
    back = statefile.restore(initial_state(Policy()), data, day, NOW)
    _assert_bounded(back)
    # ...and a good count next to bad fields is kept, not thrown away with them.
    saved_today = data.get("today")
    if isinstance(saved_today, dict) and saved_today.get("day") == day:
        for name in ("keys", "clicks", "scroll", "breaks_taken", "breaks_skipped", "snoozes"):
            value = saved_today.get(name)
            if type(value) is int and 0 <= value <= statefile.bound(name):
                assert getattr(back.today, name) == value, name
    # What the daemon saves back is strict JSON too.
    json.dumps(statefile.snapshot(back, NOW), allow_nan=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots())
def test_any_json_in_any_field_survives_the_file_too(data: dict[str, Any]) -> None:
    # Through the text: huge integers (past int()'s digit limit), NaN and Infinity as
    # Python's json writes them, nesting: load() checks them, restore() finds them sane.
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "state.json"
        path.write_text(json.dumps(data).replace(json.dumps(HUGE), "9" * 5000))
        loaded = statefile.load(path)
        if loaded is None:  # only an unknown version, which is moved aside, never lost
            assert data.get("version") != 1 or type(data.get("version")) is not int
            assert len(list(Path(d).glob("state.json.unknown-version-*"))) == 1
            return
        back = statefile.restore(initial_state(Policy()), loaded, DAY, NOW)
    _assert_bounded(back)
