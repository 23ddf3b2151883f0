"""A contact sheet of the routine steps: each step's picture beside its words.

Steps are grouped by illustration id, so a reviewer sees every text that one picture
has to match in a single row of cells. ``render`` draws the sheet with Tk on an X
display and saves it with imagemagick's ``import``; ``manifest`` is the same content
as text, committed beside the PNG so a test can tell when the sheet is out of date.

Regenerate both with ``.venv/bin/python scripts/contact_sheet.py``.
"""

from __future__ import annotations

import subprocess
import tkinter as tk
from collections.abc import Sequence
from pathlib import Path

from rsiguard.core.routines.illustrations import ILLUSTRATIONS
from rsiguard.core.routines.model import Routine
from rsiguard.core.text import side_label
from rsiguard.faces import illustrations_draw

COLUMNS = 3
CELL_W, CELL_H = 620, 132
ART = 112
HEADER_H = 30
MARGIN = 16
#: An Xvfb screen big enough for the whole sheet in one window.
SCREEN = "1900x9000x24"

Cell = tuple[str, str, str, str]  # illustration, side, instruction, routine ids


def cells(routines: Sequence[Routine]) -> list[tuple[str, list[Cell]]]:
    """(illustration id, its cells) in catalog order of first use; one cell per distinct text."""
    groups: dict[str, dict[tuple[str, str], list[str]]] = {}
    for routine in routines:
        for step in routine.steps:
            key = (step.side if step.hands else "none", step.instruction)
            groups.setdefault(step.illustration, {}).setdefault(key, []).append(routine.id)
    return [
        (ill, [(ill, side, text, ", ".join(dict.fromkeys(ids))) for (side, text), ids in g.items()])
        for ill, g in groups.items()
    ]


def manifest(routines: Sequence[Routine]) -> str:
    """The sheet as text: one block per illustration, one line per cell."""
    lines = []
    for ill, group in cells(routines):
        lines.append(f"{ill}: {ILLUSTRATIONS.get(ill, '?')}")
        lines += [f"  [{side}] {text}  ({ids})" for _, side, text, ids in group]
    return "\n".join(lines) + "\n"


def _layout(routines: Sequence[Routine]) -> tuple[list[tuple[str, int, list[Cell]]], int]:
    rows, y = [], MARGIN
    for ill, group in cells(routines):
        rows.append((ill, y, group))
        y += HEADER_H + CELL_H * -(-len(group) // COLUMNS)
    return rows, y + MARGIN


def render(routines: Sequence[Routine], display: str, out: Path) -> Path:
    """Draw the sheet on ``display`` and save it as ``out`` (PNG)."""
    rows, height = _layout(routines)
    width = 2 * MARGIN + COLUMNS * CELL_W
    root = tk.Tk(screenName=display)
    try:
        root.geometry(f"{width}x{height}+0+0")
        root.title("rsiguard contact sheet")
        canvas = tk.Canvas(
            root, width=width, height=height, background="white", highlightthickness=0
        )
        canvas.pack()
        for ill, y, group in rows:
            canvas.create_text(
                MARGIN,
                y + 4,
                anchor=tk.NW,
                text=f"{ill}: {ILLUSTRATIONS.get(ill, '?')}",
                font=("DejaVu Sans", 11, "bold"),
            )
            for n, (_, side, text, ids) in enumerate(group):
                x = MARGIN + (n % COLUMNS) * CELL_W
                top = y + HEADER_H + (n // COLUMNS) * CELL_H
                canvas.create_rectangle(
                    x, top, x + ART, top + ART, fill=illustrations_draw.BACKGROUND, width=0
                )
                illustrations_draw.draw(canvas, ill, x + 6, top + 6, ART - 12, side == "right")
                label = side_label(side) if side != "none" else "no side label"
                canvas.create_text(
                    x + ART + 10,
                    top,
                    anchor=tk.NW,
                    width=CELL_W - ART - 24,
                    text=f"[{label}] {text}\n({ids})",
                    font=("DejaVu Sans", 9),
                )
        root.update()
        root.update_idletasks()
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["import", "-display", display, "-window", str(canvas.winfo_id()), str(out)],
            check=True,
        )
        # A small palette: the drawings use a few flat colours, and the file is committed.
        subprocess.run(["convert", str(out), "-colors", "64", f"PNG8:{out}"], check=True)
    finally:
        root.destroy()
    return out
