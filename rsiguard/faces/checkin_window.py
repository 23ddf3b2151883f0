"""``rsiguard checkin --window``: the discomfort check-in in a small Tk window.

Its own process, like the break window (the check-in reminder's button starts it).
One row per body area with buttons 0 to 10 and "skip this one" as the default; Save
and Skip below. Nothing takes the keyboard focus and no key presses a button, so
typing in another window cannot answer by accident. With ``RSIGUARD_WINDOW_DEBUG=1``
it prints JSON lines (each button's centre on screen, what was saved) for tests.
"""

from __future__ import annotations

import json
import sys
import tkinter as tk
from collections.abc import Mapping
from tkinter import ttk
from typing import Any

from rsiguard.adapters.store import StoreUnavailable
from rsiguard.base.exitcodes import Exit
from rsiguard.faces.checkin import AREAS, store

BG, TEXT, MUTED = "#f6f4ef", "#26303a", "#6b737c"
SKIPPED = -1
CLOSE_AFTER_MS = 6000


class CheckinWindow:
    """The window, on the Tk thread."""

    def __init__(self, root: tk.Tk, env: Mapping[str, str]) -> None:
        self.root, self.env = root, env
        self.debug = bool(env.get("RSIGUARD_WINDOW_DEBUG"))
        self.exit_code = int(Exit.OK)
        self.scores = {area: tk.IntVar(root, SKIPPED) for area, _ in AREAS}
        self.buttons: dict[str, tk.Widget] = {}
        root.title("rsiguard: how do you feel?")
        root.configure(bg=BG, padx=18, pady=14)
        root.attributes("-topmost", True)
        style = ttk.Style(root)
        style.configure("C.TRadiobutton", background=BG, foreground=TEXT)
        tk.Label(
            root,
            text="How has each felt today? 0 = nothing, 10 = the worst. Leave a row on "
            "'skip' to leave it out.",
            bg=BG, fg=TEXT, wraplength=560, justify="left",
        ).grid(row=0, column=0, columnspan=13, sticky="w", pady=(0, 10))  # fmt: skip
        for r, (area, words) in enumerate(AREAS, start=1):
            tk.Label(
                root, text=words[0].upper() + words[1:], bg=BG, fg=TEXT, anchor="w", width=24
            ).grid(row=r, column=0, sticky="w")
            for col, value in enumerate([SKIPPED, *range(11)], start=1):
                choice = ttk.Radiobutton(
                    root, text="skip" if value == SKIPPED else str(value), value=value,
                    variable=self.scores[area], style="C.TRadiobutton", takefocus=0,
                )  # fmt: skip
                choice.grid(row=r, column=col, padx=1)
                self.buttons[f"{area}={value}"] = choice
        row = len(AREAS) + 1
        self.note = tk.Label(root, text="", bg=BG, fg=MUTED, wraplength=560, justify="left")
        self.note.grid(row=row, column=0, columnspan=13, sticky="w", pady=(10, 0))
        bar = tk.Frame(root, bg=BG)
        bar.grid(row=row + 1, column=0, columnspan=13, sticky="e", pady=(10, 0))
        for name, label, command in (("skip", "Skip", self.skip), ("save", "Save", self.save)):
            b = ttk.Button(bar, text=label, command=command, takefocus=0)
            b.pack(side="left", padx=4)
            self.buttons[name] = b
        root.protocol("WM_DELETE_WINDOW", self.skip)
        if self.debug:
            root.after(300, self._report)

    def _say(self, **fields: Any) -> None:
        if self.debug:
            print(json.dumps(fields), flush=True)

    def _report(self) -> None:
        """Debug: where each button is on screen, so a test can click it."""
        self.root.update_idletasks()
        for name, b in self.buttons.items():
            x = b.winfo_rootx() + b.winfo_width() // 2
            y = b.winfo_rooty() + b.winfo_height() // 2
            self._say(button=name, x=x, y=y)
        self._say(ready=True)

    def answers(self) -> dict[str, int]:
        """The rows answered (skipped ones left out)."""
        return {a: v.get() for a, v in self.scores.items() if v.get() != SKIPPED}

    def save(self) -> None:
        """Keep the answers, show any gentle suggestion for a moment, then close."""
        scores = self.answers()
        if not scores:
            self.skip()
            return
        try:
            advice = store(self.env, scores)
        except StoreUnavailable as exc:
            self.note.configure(text=f"Could not keep the answers: {exc}")
            self.exit_code = int(Exit.ERROR)
            self._say(error=str(exc))
            return
        self._say(saved=scores)
        save = self.buttons["save"]
        if isinstance(save, ttk.Button):
            save.state(["disabled"])
        self.note.configure(text=" ".join(advice) or "Thank you. Kept on this machine only.")
        self.root.after(CLOSE_AFTER_MS if advice else 1500, self.root.destroy)

    def skip(self) -> None:
        """Close without keeping anything."""
        self._say(skipped=True)
        self.root.destroy()


def main(env: Mapping[str, str]) -> int:
    """Show the window until saved or skipped; return the exit status."""
    try:
        root = tk.Tk(screenName=env.get("DISPLAY") or None, className="rsiguard")
    except tk.TclError as exc:
        print(f"rsiguard: cannot open the check-in window: {exc}", file=sys.stderr)
        return Exit.ERROR
    window = CheckinWindow(root, env)
    root.mainloop()
    return window.exit_code
