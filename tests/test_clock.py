"""Wall-clock steps, for real: the daemon under libfaketime, its monotonic clocks untouched.

An NTP correction or a user setting the clock moves ``time.time()`` while
CLOCK_MONOTONIC and CLOCK_BOOTTIME run on. Deadlines (pause, snooze, routine steps)
must not move with the wall clock, and a date that goes back must not reset the day.
"""

from __future__ import annotations

import glob
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.desktop import IN_CI, require, wait_for
from tests.integration import FAST_CONFIG, cli, daemon_env, running_daemon, status

pytestmark = pytest.mark.integration


@dataclass
class FakeClock:
    """The offset file libfaketime rereads on every call (``FAKETIME_NO_CACHE``)."""

    file: Path

    def shift(self, offset: str) -> None:
        """Set the wall clock's offset from the real time: ``-1800``, ``+1d``, ``+0``."""
        self.file.write_text(offset + "\n")


def _libfaketime() -> str:
    require("faketime")
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
    if not found:
        message = "libfaketime.so.1 not found: apt-get install -y faketime"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found[0]


@pytest.fixture
def faked(tmp_path: Path) -> Iterator[tuple[dict[str, str], FakeClock, Path]]:
    """A running daemon whose wall clock the test moves; yields (env, clock, log)."""
    clock = FakeClock(tmp_path / "offset")
    clock.shift("+0")  # not "0": libfaketime aborts on it
    env = daemon_env(tmp_path, None, None)
    env.update(
        LD_PRELOAD=_libfaketime(),
        FAKETIME_TIMESTAMP_FILE=str(clock.file),
        FAKETIME_NO_CACHE="1",
        DONT_FAKE_MONOTONIC="1",
    )
    log = tmp_path / "daemon.log"
    # Breaks longer than the snooze: a snooze that ends makes the break due again,
    # rather than the idle time already counting as the break.
    config = FAST_CONFIG.replace('duration = "3s"', 'duration = "30s"').replace(
        'interval = "10s"', 'interval = "10m"'
    )
    with running_daemon(env, config, log=log):
        # The CLI runs without libfaketime: only the daemon's clock moves.
        plain = {k: v for k, v in env.items() if not k.startswith(("LD_PRELOAD", "FAKETIME"))}
        yield plain, clock, log


def _seconds_until(env: dict[str, str], state_is_not: str, limit: float) -> float:
    start = time.monotonic()
    wait_for(lambda: status(env).get("state") != state_is_not, timeout=limit, what="the end")
    return time.monotonic() - start


@pytest.mark.parametrize("offset", ["-30", "-3600", "+3600"])
def test_a_pause_ends_on_time_whichever_way_the_clock_moves(
    faked: tuple[dict[str, str], FakeClock, Path], offset: str
) -> None:
    env, clock, _ = faked
    assert cli(env, "pause", "4s").returncode == 0
    clock.shift(offset)
    took = _seconds_until(env, "paused", limit=20)
    assert 3 <= took < 7, f"the pause lasted {took:.1f} s after a {offset} s step"


def test_a_snooze_ends_on_time_after_the_clock_goes_back(
    faked: tuple[dict[str, str], FakeClock, Path],
) -> None:
    env, clock, _ = faked
    assert cli(env, "break").returncode == 0
    assert cli(env, "snooze", "4s").returncode == 0
    assert status(env)["state"] == "snoozed"
    clock.shift("-1200")
    took = _seconds_until(env, "snoozed", limit=20)
    assert took < 7, f"the snooze lasted {took:.1f} s"
    assert status(env)["state"] == "due"


def test_routine_steps_advance_after_the_clock_goes_back_an_hour(
    faked: tuple[dict[str, str], FakeClock, Path],
) -> None:
    env, clock, _ = faked
    assert cli(env, "break", "micro").returncode == 0
    brk = status(env)["break"]
    clock.shift("-3600")
    wait_for(
        lambda: (
            (status(env).get("break") or {}).get("step", 99) > brk["step"]
            or status(env).get("state") != "in_break"
        ),
        timeout=brk["step_seconds"] + 5,
        what="the next step",
    )


def test_a_date_that_goes_back_keeps_the_later_days_counts(
    faked: tuple[dict[str, str], FakeClock, Path],
) -> None:
    env, clock, log = faked
    first = status(env)["today"]["day"]
    clock.shift("+1d")
    wait_for(lambda: status(env)["today"]["day"] > first, what="the next day")
    assert cli(env, "break").returncode == 0 and cli(env, "skip").returncode == 0
    later = status(env)["today"]
    assert later["breaks_skipped"] == 1
    clock.shift("+0")  # back to the real date, a day earlier
    for _ in range(3):
        again = status(env)["today"]
        assert (again["day"], again["breaks_skipped"]) == (later["day"], 1)
    wait_for(lambda: "the local date went back" in log.read_text(), what="the log line")
    assert log.read_text().count("the local date went back") == 1
