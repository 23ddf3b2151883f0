"""The check-in window, for real: Xvfb, clicks by on-screen position, keys that do nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.desktop import require, wait_for, xvfb

pytestmark = pytest.mark.integration


def _xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, check=True)


def test_a_person_answers_in_the_window(tmp_path: Path) -> None:
    require("Xvfb", "xdotool")
    env = {
        **os.environ,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "HOME": str(tmp_path),
        "RSIGUARD_WINDOW_DEBUG": "1",
    }
    with xvfb() as display:
        env["DISPLAY"] = display
        proc = subprocess.Popen(
            [sys.executable, "-m", "rsiguard", "checkin", "--window"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        lines: list[dict[str, Any]] = []

        def read() -> None:
            for line in proc.stdout or []:
                lines.append(json.loads(line))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            wait_for(lambda: any(line.get("ready") for line in lines), what="the window")
            spots = {line["button"]: (line["x"], line["y"]) for line in lines if "button" in line}

            def click(name: str) -> None:
                x, y = spots[name]
                _xdotool(display, "mousemove", "--sync", str(x), str(y), "click", "1")

            click("wrists=3")
            click("eyes=1")
            # Typing cannot answer or save: no key is bound, nothing holds the focus.
            _xdotool(display, "key", "Return", "space", "Tab", "Return")
            assert proc.poll() is None and not any("saved" in line for line in lines)
            click("save")
            wait_for(lambda: proc.poll() is not None, timeout=20, what="the window to close")
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
    assert proc.returncode == 0
    assert [line["saved"] for line in lines if "saved" in line] == [{"wrists": 3, "eyes": 1}]
    db = tmp_path / "state" / "rsiguard" / "stats.db"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT area, score FROM checkins ORDER BY area").fetchall()
    assert rows == [("eyes", 1), ("wrists", 3)]
