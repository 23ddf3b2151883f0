"""Finding a notification's buttons on screen, as a person would: by looking at it.

A bubble's buttons are its lowest row of ink. ``buttons`` takes a picture of the
server's window (``import``), finds that row and splits it into the clusters of ink
that are the buttons (bordered or flat, the gap between two buttons is wider than the
gap between two words). Nothing here asks the server where its buttons are.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    @property
    def centre(self) -> tuple[int, int]:
        return self.x + self.width // 2, self.y + self.height // 2


def geometry(display: str, window: str) -> Box:
    """Where a mapped window is on screen (xdotool)."""
    out = subprocess.run(
        ["xdotool", "getwindowgeometry", "--shell", window],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = dict(line.split("=", 1) for line in out.split())
    return Box(int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"]))


def picture(display: str, box: Box) -> list[list[int]]:
    """The grey levels (0-255) of the screen area ``box``, row by row."""
    raw = subprocess.run(
        ["import", "-display", display, "-window", "root", "-crop",
         f"{box.width}x{box.height}+{box.x}+{box.y}", "+repage", "-depth", "8", "gray:-"],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    assert len(raw) == box.width * box.height, f"a {box} picture came back {len(raw)} bytes"
    return [list(raw[r * box.width : (r + 1) * box.width]) for r in range(box.height)]


def _runs(flags: list[bool], gap: int) -> list[tuple[int, int]]:
    """``(start, end)`` of the runs of True, joining runs closer than ``gap``."""
    runs: list[tuple[int, int]] = []
    for i, flag in enumerate(flags):
        if not flag:
            continue
        if runs and i - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _labels(grey: list[list[int]], word_gap: int) -> list[tuple[int, int, int, int]]:
    """``(left, top, right, bottom)`` of each label in the lowest line of text."""
    height, width = len(grey), len(grey[0])
    counts: dict[int, int] = {}
    for row in grey:
        for value in row:
            counts[value] = counts.get(value, 0) + 1
    background = max(counts, key=lambda v: counts[v])
    ink = [[abs(v - background) > 60 for v in row] for row in grey]
    # Side bars run down the window, frames and button borders along it: neither is text.
    bars = {c for c in range(width) if sum(ink[r][c] for r in range(height)) > 0.5 * height}
    edge = 16  # rounded corners and the window's own edge
    text = [[False] * width for _ in range(height)]
    for r in range(edge // 4, height - edge // 4):
        line = ink[r]
        c = edge
        while c < width - edge:
            if not line[c]:
                c += 1
                continue
            end = c
            while end < width - edge and line[end]:
                end += 1
            if end - c < 30:  # a glyph's stroke, not a border
                for k in range(c, end):
                    text[r][k] = k not in bars
            c = end
    # A button's side is a stroke taller than any letter.
    for c in range(width):
        r = 0
        while r < height:
            if not ink[r][c]:
                r += 1
                continue
            end = r
            while end < height and ink[end][c]:
                end += 1
            if end - r > 16:
                for k in range(r, end):
                    text[k][c] = False
            r = end
    # The lowest line of text (a line is taller than the specks a rounded corner leaves).
    bands = [(top, bottom) for top, bottom in _runs([any(row) for row in text], gap=2)
             if bottom - top >= 5]  # fmt: skip
    if not bands:
        return []
    top, bottom = bands[-1]
    columns = [any(text[r][c] for r in range(top, bottom + 1)) for c in range(width)]
    return [(left, top, right, bottom) for left, right in _runs(columns, gap=word_gap)]


def buttons(display: str, window: str, *, word_gap: int = 8) -> list[Box]:
    """The screen boxes of the labels of a bubble's buttons (its lowest row), left to right."""
    box = geometry(display, window)
    return [
        Box(box.x + left, box.y + top, right - left + 1, bottom - top + 1)
        for left, top, right, bottom in _labels(picture(display, box), word_gap)
    ]
