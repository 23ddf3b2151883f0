"""The break window (``rsiguard window``): its status parsing, its drawings, and the
real thing under Xvfb against the real daemon, clicked with xdotool.

The window runs with ``RSIGUARD_WINDOW_DEBUG=1``, which makes it print JSON lines:
each button's centre in root coordinates (so xdotool can click it), the step it shows,
the keys it receives, the commands it sends and why it exits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import tkinter as tk
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from rsiguard.core.routines.illustrations import ILLUSTRATIONS
from rsiguard.faces import illustrations_draw
from rsiguard.faces.illustrations_motion import MOTIONS, Motion, draw_moving, phase_at
from rsiguard.faces.window import ALL_ACTIONS, Shown, clock, parse, repetition, title
from tests.desktop import in_child, require, wait_for, xvfb
from tests.integration import FAST_CONFIG, RSIGUARD, cli, daemon_env, running_daemon, status

# Breaks long enough to click through; a snooze long enough to observe.
CONFIG = (
    FAST_CONFIG.replace('duration = "3s"', 'duration = "40s"')
    .replace('interval = "10s"', 'interval = "10m"')
    .replace('snooze = "4s"', 'snooze = "2m"')
)
# The daemon must not open its own window where a test starts one it can watch.
NO_DAEMON_WINDOW = "\n[routines]\nwindow = false\n"

FULL_BREAK = {
    "kind": "micro",
    "routine_id": "tendon_glide_micro",
    "routine": "Tendon glides",
    "step": 2,
    "steps": 5,
    "instruction": "Make a hook fist.",
    "side": "both",
    "illustration": "tendon_hook",
    "cautions": ["Stop if tingling increases."],
    "step_seconds": 6.0,
    "step_left_s": 4.2,
    "routine_left_s": 21.0,
    "safety": ["Gentle only."],
    "actions": ["next", "snooze", "stop"],
}


# --- without a display ---------------------------------------------------------------


def test_every_catalog_illustration_has_a_drawing() -> None:
    assert set(ILLUSTRATIONS) <= set(illustrations_draw.DRAWINGS)


def test_parse_full_status() -> None:
    shown = parse({"state": "in_break", "break": FULL_BREAK, "snoozes_left": 1})
    assert shown == Shown(
        kind="micro",
        routine="Tendon glides",
        step=2,
        steps=5,
        instruction="Make a hook fist.",
        side="both",
        illustration="tendon_hook",
        cautions=("Stop if tingling increases.",),
        step_seconds=6.0,
        step_left_s=4.2,
        routine_left_s=21.0,
        safety=("Gentle only.",),
        actions=("next", "snooze", "stop"),
    )
    assert title(shown) == "rsiguard: step 2 of 5 - Tendon glides"


def test_a_paced_step_counts_its_repetitions() -> None:
    shown = parse(
        {"state": "in_break", "break": {**FULL_BREAK, "reps": 12, "pace_s": 10.0, "step": 1}}
    )
    assert shown is not None and (shown.reps, shown.pace_s) == (12, 10.0)
    assert repetition(shown, 120.0) == "1 of 12"
    assert repetition(shown, 95.0) == "3 of 12"
    assert repetition(shown, 0.0) == "12 of 12"
    assert repetition(Shown(), 5.0) == ""


def test_parse_tolerates_an_older_daemon() -> None:
    old = {"kind": "rest", "routine": "R", "step": 1, "steps": 3, "instruction": "x"}
    shown = parse({"state": "in_break", "break": {**old, "step_left_s": 9.5}})
    assert shown is not None
    assert (shown.illustration, shown.step_seconds, shown.routine_left_s) == ("rest", None, None)
    assert shown.actions == ALL_ACTIONS  # offer all; the daemon refuses what it must


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"state": "snoozed", "break": None},
        {"state": "in_break", "break": None},
        {"state": "in_break", "break": "garbage"},
    ],
)
def test_parse_no_break(data: dict[str, Any] | None) -> None:
    assert parse(data) is None


def test_parse_bad_values_fall_back() -> None:
    junk = {"step": "two", "steps": True, "step_left_s": float("nan"), "cautions": "x"}
    shown = parse({"state": "in_break", "break": junk})
    assert shown is not None
    assert (shown.step, shown.steps, shown.step_left_s, shown.cautions) == (1, 1, 0.0, ())


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0"), (0.2, "1"), (9.0, "9"), (59.1, "1:00"), (125, "2:05")]
)
def test_clock(seconds: float, text: str) -> None:
    assert clock(seconds) == text


# --- drawings under Xvfb ---------------------------------------------------------------


def _every_drawing(display: str) -> None:
    root = tk.Tk(screenName=display)
    try:
        canvas = tk.Canvas(root, width=300, height=300)
        counts: dict[str, int] = {}
        for name in [*illustrations_draw.DRAWINGS, *ILLUSTRATIONS]:
            for mirrored in (False, True):
                canvas.delete("all")
                illustrations_draw.draw(canvas, name, 10, 10, 280, mirrored=mirrored)
                counts[name] = len(canvas.find_all())
                assert counts[name] > 0, name
        canvas.delete("all")
        illustrations_draw.draw(canvas, "no_such_drawing", 10, 10, 280)
        assert len(canvas.find_all()) == counts["open_hand"]
    finally:
        root.destroy()


@pytest.mark.integration
def test_every_drawing_draws_and_unknown_falls_back() -> None:
    with xvfb() as display:
        in_child(lambda: _every_drawing(display))


def test_motions_swing_back_or_run_one_way() -> None:
    swing = Motion(lambda pen, t: None, period_s=2.0)
    assert phase_at(swing, 0.0) == pytest.approx(0.0)
    assert phase_at(swing, 1.0) == pytest.approx(1.0)
    assert phase_at(swing, 2.0) == pytest.approx(0.0)
    one_way = Motion(lambda pen, t: None, period_s=2.0, swing=False)
    assert [phase_at(one_way, s) for s in (0.0, 0.5, 1.0)] == [0.0, 0.25, 0.5]
    assert set(MOTIONS) <= set(ILLUSTRATIONS)


def _moving_pictures(display: str) -> None:
    root = tk.Tk(screenName=display)
    try:
        canvas = tk.Canvas(root, width=300, height=300)
        for name, motion in MOTIONS.items():
            frames = []
            for k in range(4):
                canvas.delete("all")
                assert draw_moving(canvas, name, 10, 10, 280, False, motion.period_s * k / 8)
                frames.append(tuple(tuple(canvas.coords(i)) for i in canvas.find_all()))
            assert len(set(frames)) > 1, f"{name} does not move"
        assert not draw_moving(canvas, "prayer_stretch", 10, 10, 280, False, 1.0)
    finally:
        root.destroy()


@pytest.mark.integration
def test_moving_pictures_draw_and_move() -> None:
    with xvfb() as display:
        in_child(lambda: _moving_pictures(display))


# --- the real window against the real daemon ---------------------------------------------


def xdotool(display: str, *args: str) -> str:
    """Run xdotool on ``display``; its output (empty when a search finds nothing)."""
    done = subprocess.run(
        ["xdotool", *args], env={**os.environ, "DISPLAY": display}, capture_output=True, text=True
    )
    return done.stdout.strip()


def x_title(display: str) -> str:
    """The break window's title as X has it ('' while none is mapped)."""
    ids = xdotool(display, "search", "--onlyvisible", "--name", "^rsiguard: step").split()
    return xdotool(display, "getwindowname", ids[0]) if ids else ""


class Window:
    """``python -m rsiguard.faces.window`` in debug mode, its JSON lines collected as they come."""

    def __init__(self, proc: subprocess.Popen[str], display: str) -> None:
        self.proc = proc
        self.display = display
        self.lines: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.lines.append(json.loads(line))
            except json.JSONDecodeError:
                self.lines.append({"text": line})

    def seen(self, key: str) -> list[dict[str, Any]]:
        """Debug lines that carry ``key``, oldest first."""
        return [line for line in list(self.lines) if key in line]

    def button(self, cmd: str) -> tuple[int, int] | None:
        """Latest reported centre of the ``cmd`` button, if shown."""
        spots = [(b["x"], b["y"]) for b in self.seen("button") if b["button"] == cmd]
        return spots[-1] if spots else None

    def xdotool(self, *args: str) -> str:
        """Run xdotool on this window's display."""
        return xdotool(self.display, *args)

    def x_title(self) -> str:
        """The window title as X has it ('' while no window is mapped)."""
        return x_title(self.display)

    def exited(self) -> int | None:
        """The exit status once the process is over."""
        return self.proc.poll()


@contextmanager
def window(env: Mapping[str, str], display: str) -> Iterator[Window]:
    """Start the break window on ``display``; stop it afterwards if it is still up."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "rsiguard.faces.window"],
        env={**env, "DISPLAY": display, "RSIGUARD_WINDOW_DEBUG": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield Window(proc, display)
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)


@contextmanager
def break_running(
    tmp: Path, config: str = CONFIG + NO_DAEMON_WINDOW, kind: str = "rest"
) -> Iterator[tuple[str, dict[str, str]]]:
    """Xvfb, the daemon (no bus: notifications go to its log) and a break started.

    A rest break by default: its routines have several steps of some 15 s or more, so
    a step does not end on its own while a test is looking at it.
    """
    require("Xvfb", "xdotool")
    with xvfb() as display:
        env = daemon_env(tmp, display, None)
        with running_daemon(env, config):
            started = cli(env, "break", kind)
            assert started.returncode == 0, started.stderr
            assert status(env)["state"] == "in_break"
            yield display, env


def _step(env: Mapping[str, str]) -> int:
    brk = status(env).get("break") or {}
    return int(brk.get("step", 0))


@pytest.mark.integration
def test_a_second_window_brings_the_first_forward(tmp_path: Path) -> None:
    with break_running(tmp_path) as (display, env), window(env, display) as win:
        wait_for(lambda: "step" in win.x_title(), what="the first window")
        second = cli({**env, "DISPLAY": display}, "window")
        assert second.returncode == 0, second.stderr
        assert "already open" in second.stdout
        wait_for(lambda: win.seen("raised"), what="the first window to come forward")
        found = xdotool(display, "search", "--onlyvisible", "--name", "^rsiguard: step")
        assert len(found.split()) == 1
        assert win.exited() is None


@pytest.mark.integration
def test_window_follows_the_routine_and_snooze_click_reaches_the_daemon(tmp_path: Path) -> None:
    with break_running(tmp_path) as (display, env), window(env, display) as win:
        first = _step(env)
        wait_for(lambda: f"step {first} of" in win.x_title(), what="the window on the first step")
        assert win.seen("step")[0]["step"] == first

        assert cli(env, "next").returncode == 0
        assert _step(env) == first + 1
        wait_for(lambda: f"step {first + 1} of" in win.x_title(), what="the window to advance")

        spot = wait_for(lambda: win.button("snooze"), what="the snooze button's position")
        assert isinstance(spot, tuple)
        win.xdotool("mousemove", "--sync", str(spot[0]), str(spot[1]), "click", "1")
        wait_for(lambda: status(env).get("state") == "snoozed", what="the daemon to snooze")
        wait_for(lambda: win.exited() is not None, what="the window to close")
        assert win.exited() == 0, win.lines
        assert [line["sent"] for line in win.seen("sent")] == ["snooze"]


@pytest.mark.integration
def test_every_step_shows_every_safety_note_and_pictures_move(tmp_path: Path) -> None:
    with break_running(tmp_path) as (display, env), window(env, display) as win:
        notes = status(env)["break"]["safety"]
        assert len(notes) >= 2  # the shipped rest routines for rsi have several
        wait_for(lambda: win.seen("step"), what="the window's first step")
        assert win.seen("step")[0]["step"] == 1
        assert win.seen("step")[0]["safety"] == "\n".join(notes)
        while status(env)["break"]["illustration"] not in MOTIONS:
            assert cli(env, "next").returncode == 0
        want = _step(env)
        wait_for(lambda: any(s["step"] == want for s in win.seen("step")), what="that step")
        line = next(s for s in win.seen("step") if s["step"] == want)
        assert line["moving"] is True and line["safety"] == "\n".join(notes)


@pytest.mark.integration
def test_typing_return_or_space_presses_nothing(tmp_path: Path) -> None:
    with break_running(tmp_path) as (display, env), window(env, display) as win:
        wait_for(win.x_title, what="the window")
        wait_for(lambda: win.button("snooze"), what="the buttons laid out")
        before = status(env)
        wid = win.xdotool("search", "--onlyvisible", "--name", "^rsiguard: step").split()[0]
        win.xdotool("windowfocus", "--sync", wid)
        win.xdotool("key", "--delay", "50", "Return", "space", "KP_Enter", "Tab", "space")
        # The window saw the keys (so they were really typed into it). Tab is not
        # echoed: Tk's focus traversal owns it; the space after it checks that traversal
        # did not land on a button.
        typed = ["Return", "space", "KP_Enter", "space"]
        wait_for(
            lambda: win.seen("sent") or [k["key"] for k in win.seen("key")] == typed,
            what="the keys to reach the window",
        )
        # ... and sent nothing: the break runs on, nothing snoozed or skipped.
        assert win.seen("sent") == [], "a key pressed a button"
        after = status(env)
        assert after["state"] == "in_break"
        assert after["today"]["snoozes"] == before["today"]["snoozes"]
        assert after["today"]["breaks_skipped"] == before["today"]["breaks_skipped"]
        assert win.exited() is None


@pytest.mark.integration
def test_window_closes_when_the_daemon_goes(tmp_path: Path) -> None:
    require("Xvfb", "xdotool")
    with xvfb() as display:
        env = daemon_env(tmp_path, display, None)
        with running_daemon(env, CONFIG + NO_DAEMON_WINDOW) as daemon:
            assert cli(env, "break", "rest").returncode == 0
            with window(env, display) as win:
                wait_for(win.x_title, what="the window")
                daemon.terminate()
                daemon.wait(15)
                wait_for(lambda: win.exited() is not None, what="the window to close")
                assert win.exited() == 0
                assert win.seen("exit")[-1]["reason"] == "the daemon is gone"


@pytest.mark.integration
def test_strict_mode_hides_skip_and_done(tmp_path: Path) -> None:
    strict = CONFIG.replace("[breaks]\n", "[breaks]\nstrict = true\n") + NO_DAEMON_WINDOW
    with break_running(tmp_path, strict) as (display, env), window(env, display) as win:
        # Strict mode: no Next, Snooze, Skip or Done; the step runs its time.
        wait_for(lambda: win.seen("step"), what="the first step shown")
        assert win.seen("buttons") == []  # the row never changed from empty
        assert all(win.button(cmd) is None for cmd in ("next", "snooze", "skip", "stop"))


@pytest.mark.integration
def test_the_daemon_opens_the_window_and_it_closes_on_skip(tmp_path: Path) -> None:
    with break_running(tmp_path, CONFIG) as (display, env):
        wait_for(lambda: x_title(display), what="the daemon's break window")
        assert cli(env, "skip").returncode == 0
        wait_for(lambda: not x_title(display), what="the window to close")
        log = (Path(env["HOME"]) / "daemon.log").read_text()
        assert "break window exited" not in log, log


@pytest.mark.integration
def test_no_break_no_window(tmp_path: Path) -> None:
    """Started by hand while no break runs, it says so, opens nothing and exits 0."""
    env = daemon_env(tmp_path, None, None)
    with running_daemon(env, CONFIG):
        done = subprocess.run(
            [*RSIGUARD, "window"], env=env, capture_output=True, text=True, timeout=30
        )
    assert done.returncode == 0, done
    assert "no break is running" in done.stderr


def test_no_daemon_no_window(tmp_path: Path) -> None:
    """Started by hand with no daemon, it says so and opens nothing."""
    env = daemon_env(tmp_path, None, None)
    done = subprocess.run(
        [*RSIGUARD, "window"], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 3, done
    assert "no rsiguard daemon" in done.stderr


@pytest.mark.integration
def test_the_window_leaves_the_bubbles_corner_free(tmp_path: Path) -> None:
    """On a 1280-pixel-wide screen the window sits left of where bubbles stack."""
    from tests.screen import geometry

    with break_running(tmp_path) as (display, env), window(env, display) as win:
        wait_for(lambda: "step" in win.x_title(), what="the window")
        found = xdotool(display, "search", "--onlyvisible", "--name", "^rsiguard: step")
        box = geometry(display, found.split()[0])
        assert box.x >= 0 and box.x + box.width <= 1280 - 440, box
