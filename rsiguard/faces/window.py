"""The break window, ``rsiguard window``: a Tk client of the control socket.

It runs as its own process (the daemon starts it on Start routine when a display is
present), so Tk's memory and X errors never touch the daemon. It asks the daemon for
``status`` every half second, counts down locally between polls, sends ``snooze``,
``skip``, ``stop`` or ``next`` when a button is clicked, and exits (status 0) once no
break is running or the daemon has gone.

Typing must never press a button by accident: the window binds neither Return nor
space, and no button is a default or can ever hold the keyboard focus (the only way a
ttk button takes space). The window is kept above others but never grabs the focus.

Imports only the standard library, the small protocol modules and the (Tk-only)
drawings, so it starts fast and never loads pydantic.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
import tkinter as tk
from collections.abc import Mapping
from tkinter import font as tkfont
from tkinter import ttk
from typing import Any, Literal

from rsiguard.base import lockfile
from rsiguard.base.exitcodes import Exit
from rsiguard.base.paths import socket_path
from rsiguard.control.client import NoDaemon, call
from rsiguard.control.protocol import ProtocolError, Request, Response
from rsiguard.faces import illustrations_draw, illustrations_motion
from rsiguard.faces.link import CALL_TIMEOUT, Link
from rsiguard.faces.window_view import (
    ALL_ACTIONS,
    Shown,
    clock,
    parse,
    repetition,
    safety_text,
    title,
)

POLL_MS = 500
TICK_MS = 250  # smooth enough for a seconds countdown and the bar, cheap on CPU
ANIM_MS = 100  # a moving picture: 10 frames a second, only while one is shown
SIZE = (780, 560)  # pixels at 100 dpi; see BreakWindow._px
PADX = 28
BUBBLES = 460  # width kept clear at the right for notification bubbles
ART = 250  # illustration canvas, square

BG, PANEL, TEXT, MUTED, ACCENT, WARN = (
    "#f6f4ef", "#ebe7de", "#26303a", "#6b737c", "#3f8f8a", "#9a5b2e",
)  # fmt: skip
SIDES = {"left": "Left hand", "right": "Right hand", "both": "Both hands"}
KINDS = {"micro": "Micro-break", "rest": "Rest break"}
# (command, label) in the order they sit on the right of the button row.
BUTTONS = (("snooze", "Snooze"), ("skip", "Skip"), ("stop", "Done"))
# What a status reply shows (parsing and wording live in window_view, free of Tk).
__all__ = [
    "ALL_ACTIONS",
    "BreakWindow",
    "Shown",
    "clock",
    "main",
    "parse",
    "repetition",
    "safety_text",
    "title",
]


class BreakWindow:
    """The window and its polling loop, on the Tk thread."""

    def __init__(self, root: tk.Tk, env: Mapping[str, str], first: Shown) -> None:
        self.root = root
        self.path = socket_path(env)
        self.debug = bool(env.get("RSIGUARD_WINDOW_DEBUG"))
        self.exit_code = int(Exit.OK)
        self.closed = False
        self.shown = first
        self.polled_at = time.monotonic()
        self.paused = False
        self.step_total = first.step_seconds or first.step_left_s
        self.link = Link(self.path, self._quit)
        self._poll_job: str | None = None
        self._reported: dict[str, tuple[int, int]] = {}
        self._report_job: str | None = None
        self._anim_job: str | None = None
        self._art_since = time.monotonic()
        self.scale = max(1.0, root.winfo_fpixels("1i") / 100.0)
        self._build()
        self._render(first, full=True)
        self._poll_job = root.after(POLL_MS, self._poll)
        root.after(TICK_MS, self._tick)
        # A second `rsiguard window` asks this one to come forward (see _only_window).
        self._raise_asked = False
        signal.signal(signal.SIGUSR1, lambda *_: setattr(self, "_raise_asked", True))

    # --- layout ----------------------------------------------------------------

    def _px(self, pixels: float) -> int:
        """``pixels`` at 100 dpi, scaled up for denser screens (fonts scale by themselves)."""
        return round(pixels * self.scale)

    def _font(self, size: int, weight: Literal["normal", "bold"] = "normal") -> tkfont.Font:
        family = tkfont.nametofont("TkDefaultFont").actual("family")
        return tkfont.Font(self.root, family=family, size=size, weight=weight)

    def _build(self) -> None:
        root = self.root
        w, h = self._px(SIZE[0]), self._px(SIZE[1])
        # Centred, unless that would put it under the bubbles most servers stack in the
        # top-right corner (about BUBBLES px wide): then left of them, where there is room.
        sw = root.winfo_screenwidth()
        x = min((sw - w) // 2, max(self._px(16), sw - w - self._px(BUBBLES)))
        y = (root.winfo_screenheight() - h) // 3
        root.geometry(f"{w}x{h}+{max(0, x)}+{max(0, y)}")
        root.minsize(self._px(640), self._px(480))
        root.configure(background=BG)
        root.attributes("-topmost", True)  # stay visible, but never force the focus
        root.protocol("WM_DELETE_WINDOW", lambda: self._quit(Exit.OK, "closed"))
        st = ttk.Style(root)
        st.theme_use("clam")
        st.configure(".", background=BG, foreground=TEXT)
        st.configure("Muted.TLabel", foreground=MUTED)
        st.configure("Warn.TLabel", foreground=WARN)
        st.configure(
            "Step.Horizontal.TProgressbar",
            troughcolor=PANEL,
            background=ACCENT,
            bordercolor=PANEL,
            lightcolor=ACCENT,
            darkcolor=ACCENT,
        )
        st.configure("TButton", padding=(16, 8), font=self._font(12))
        st.configure("Small.TButton", padding=(10, 4), font=self._font(10))

        buttons = ttk.Frame(root)
        buttons.pack(side=tk.BOTTOM, fill=tk.X, pady=(6, 20), padx=self._px(PADX))
        self.status_line = ttk.Label(root, style="Warn.TLabel", font=self._font(11))
        self.status_line.pack(side=tk.BOTTOM, anchor=tk.W, padx=self._px(PADX))
        self.safety = ttk.Label(
            root, style="Muted.TLabel", font=self._font(10), wraplength=w - self._px(60)
        )
        self.safety.pack(side=tk.BOTTOM, anchor=tk.W, pady=(8, 2), padx=self._px(PADX))

        head = ttk.Frame(root)
        head.pack(side=tk.TOP, fill=tk.X, pady=(22, 0), padx=self._px(PADX))
        self.heading = ttk.Label(head, font=self._font(20, "bold"))
        self.heading.pack(side=tk.LEFT)
        self.kind = ttk.Label(head, style="Muted.TLabel", font=self._font(12))
        self.kind.pack(side=tk.RIGHT)
        self.where = ttk.Label(root, style="Muted.TLabel", font=self._font(13))
        self.where.pack(side=tk.TOP, anchor=tk.W, pady=(2, 12), padx=self._px(PADX))

        body = ttk.Frame(root)
        body.pack(side=tk.TOP, fill=tk.BOTH, expand=True, padx=self._px(PADX))
        art = self._px(ART)
        self.art = tk.Canvas(
            body, width=art, height=art, background=PANEL, highlightthickness=0, takefocus=0
        )
        self.art.pack(side=tk.LEFT, anchor=tk.N)
        text = ttk.Frame(body)
        text.pack(side=tk.LEFT, fill=tk.BOTH, expand=True, padx=(24, 0))
        wrap = w - art - self._px(90)
        self.instruction = ttk.Label(text, font=self._font(16), wraplength=wrap, justify=tk.LEFT)
        self.instruction.pack(side=tk.TOP, anchor=tk.W)
        self.cautions = ttk.Label(
            text, style="Muted.TLabel", font=self._font(11), wraplength=wrap, justify=tk.LEFT
        )
        self.cautions.pack(side=tk.TOP, anchor=tk.W, pady=(8, 0))

        timer = ttk.Frame(text)
        timer.pack(side=tk.BOTTOM, fill=tk.X)
        row = ttk.Frame(timer)
        row.pack(side=tk.TOP, fill=tk.X)
        self.count = ttk.Label(row, font=self._font(40, "bold"), foreground=ACCENT)
        self.count.pack(side=tk.LEFT)
        self.count_unit = ttk.Label(row, style="Muted.TLabel", font=self._font(12))
        self.count_unit.pack(side=tk.LEFT, anchor=tk.S, padx=(8, 0), pady=(0, 10))
        self.step_bar = ttk.Progressbar(timer, style="Step.Horizontal.TProgressbar", maximum=1.0)
        self.step_bar.pack(side=tk.TOP, fill=tk.X, pady=(2, 8))
        # The whole routine: a thin line (a ttk bar in clam will not go this thin).
        self.routine_bar = tk.Canvas(
            timer, height=4, background=PANEL, highlightthickness=0, takefocus=0
        )
        self.routine_fill = self.routine_bar.create_rectangle(0, 0, 0, 4, fill=ACCENT, width=0)
        self.routine_bar.pack(side=tk.TOP, fill=tk.X)
        self.routine_left = ttk.Label(timer, style="Muted.TLabel", font=self._font(10))
        self.routine_left.pack(side=tk.TOP, anchor=tk.W, pady=(2, 0))

        self.next_button = self._button(buttons, "next", "Next step", "Small.TButton")
        self.buttons = {cmd: self._button(buttons, cmd, label) for cmd, label in BUTTONS}
        self._shown_buttons: tuple[str, ...] = ()
        if self.debug:
            root.bind("<Configure>", lambda _e: self._report_soon(), add="+")
            root.bind_all("<Key>", lambda e: self._say_debug(key=e.keysym), add="+")

    def _button(
        self, parent: ttk.Frame, cmd: str, label: str, style: str = "TButton"
    ) -> ttk.Button:
        # takefocus=0 and no default: Return and space reach no button, whatever the focus.
        return ttk.Button(
            parent,
            text=label,
            style=style,
            takefocus=0,
            default=tk.DISABLED,
            command=lambda: self._send(cmd),
        )

    # --- drawing ---------------------------------------------------------------

    def _render(self, shown: Shown, full: bool) -> None:
        """Show ``shown``; ``full`` also redraws what changes only between steps."""
        if full:
            self.root.title(title(shown))
            self.heading.configure(text=shown.routine)
            self.kind.configure(text=KINDS.get(shown.kind, shown.kind.title()))
            side = SIDES.get(shown.side, "")
            self.where.configure(
                text=f"Step {shown.step} of {shown.steps}" + (f"  \u00b7  {side}" if side else "")
            )
            self.instruction.configure(text=shown.instruction)
            self.cautions.configure(text="\n".join(shown.cautions))
            self.safety.configure(text=safety_text(shown))
            self._art_since = time.monotonic()
            moving = self._draw_art()
            if moving and self._anim_job is None:
                self._anim_job = self.root.after(ANIM_MS, self._animate)
            if self.debug:
                self._say_debug(
                    step=shown.step,
                    steps=shown.steps,
                    art=shown.illustration,
                    moving=moving,
                    safety=safety_text(shown),
                )
        visible = tuple(cmd for cmd, _ in BUTTONS if cmd in shown.actions)
        if "next" in shown.actions:
            visible = ("next", *visible)
        if visible != self._shown_buttons:
            self._shown_buttons = visible
            for button in (self.next_button, *self.buttons.values()):
                button.pack_forget()
            if "next" in visible:
                self.next_button.pack(side=tk.LEFT)
            for cmd, _ in reversed(BUTTONS):
                if cmd in visible:
                    self.buttons[cmd].pack(side=tk.RIGHT, padx=(10, 0))
            self._report_soon()
            if self.debug:
                self._say_debug(buttons=list(visible))
        self._draw_time()

    def _draw_art(self) -> bool:
        """Draw the step's picture (moving ones at their current phase); True if it moves."""
        self.art.delete("all")
        # The box's bottom is the canvas's: arms and bodies run off the edge.
        m, size = self._px(16), self._px(ART - 32)
        s, mirrored = self.shown, self.shown.side == "right"
        gone = time.monotonic() - self._art_since
        if illustrations_motion.draw_moving(
            self.art, s.illustration, m, 2 * m, size, mirrored, gone
        ):
            return True
        illustrations_draw.draw(self.art, s.illustration, m, 2 * m, size, mirrored=mirrored)
        return False

    def _animate(self) -> None:
        """Redraw a moving picture; stops by itself once the step's picture is still."""
        self._anim_job = None
        if not self.closed and self.shown.illustration in illustrations_motion.MOTIONS:
            self._draw_art()
            self._anim_job = self.root.after(ANIM_MS, self._animate)

    def _draw_time(self) -> None:
        """Countdown and bars, extrapolated from the last poll (frozen while paused)."""
        s = self.shown
        gone = 0.0 if self.paused else time.monotonic() - self.polled_at
        left = max(0.0, s.step_left_s - gone)
        self.count.configure(text=clock(left))
        unit = "seconds left" if left < 59.5 else "left in this step"
        rep = repetition(s, left)
        self.count_unit.configure(text=f"{unit}  \u00b7  {rep}" if rep else unit)
        total = max(self.step_total, s.step_left_s, 0.1)
        done = min(1.0, max(0.0, 1.0 - left / total))
        self.step_bar.configure(value=done)
        whole = (s.step - 1 + done) / max(1, s.steps)
        self.routine_bar.coords(self.routine_fill, 0, 0, self.routine_bar.winfo_width() * whole, 4)
        if s.routine_left_s is not None:
            rest = clock(max(0.0, s.routine_left_s - gone))
            unit = "" if ":" in rest else " s"
            self.routine_left.configure(text=f"{rest}{unit} left in this routine")
        else:
            self.routine_left.configure(text=f"Step {s.step} of {s.steps}")

    def _tick(self) -> None:
        if not self.closed:
            if self._raise_asked:
                self._raise_asked = False
                self._bring_forward()
            self._draw_time()
            self.root.after(TICK_MS, self._tick)

    def _bring_forward(self) -> None:
        """Show the window above the others again (without taking the keyboard focus)."""
        self.root.deiconify()
        self.root.lift()
        if self.debug:
            self._say_debug(raised=True)

    # --- talking to the daemon ---------------------------------------------------

    def _call(self, cmd: str) -> Response | None:
        return self.link.call(cmd)

    def _poll(self) -> None:
        self._poll_job = None
        resp = self._call("status")
        if self.closed:
            return
        if resp is not None and resp.ok:
            shown = parse(resp.data)
            if shown is None:
                self._quit(Exit.OK, "the break is over")
                return
            self._update(shown)
        self._poll_job = self.root.after(POLL_MS, self._poll)

    def _update(self, shown: Shown) -> None:
        prev, now = self.shown, time.monotonic()
        same = (prev.routine, prev.step, prev.steps) == (shown.routine, shown.step, shown.steps)
        # A paused routine (screen locked, say) reports the same time left poll after
        # poll: stop counting down rather than jump back up every half second. (Polls
        # moments apart, as after a click, can match without a pause.)
        apart = now - self.polled_at >= 0.3
        self.paused = same and apart and 0 < shown.step_left_s == prev.step_left_s
        if not same:
            self.step_total = shown.step_seconds or shown.step_left_s
        elif shown.step_seconds:
            self.step_total = shown.step_seconds
        self.shown, self.polled_at = shown, now
        self._render(shown, full=not same or shown.instruction != prev.instruction)

    def _send(self, cmd: str) -> None:
        """A button's command; a refusal is shown, not raised."""
        if self.debug:
            self._say_debug(sent=cmd)
        resp = self._call(cmd)
        if self.closed:
            return
        if resp is None:
            self.status_line.configure(text="Could not reach rsiguard; trying again.")
        elif not resp.ok:
            self.status_line.configure(text=resp.message or f"{cmd} was refused")
        else:
            self.status_line.configure(text="")
        # See the effect at once rather than up to half a second later.
        if self._poll_job is not None:
            self.root.after_cancel(self._poll_job)
        self._poll()

    # --- life cycle and test hooks -------------------------------------------------

    def _quit(self, code: int, reason: str) -> None:
        self.closed = True
        self.exit_code = int(code)
        if self.debug:
            self._say_debug(exit=int(code), reason=reason)
        self.root.destroy()

    def _say_debug(self, **fields: Any) -> None:
        print(json.dumps(fields), flush=True)

    def _report_soon(self) -> None:
        if self.debug and self._report_job is None:
            self._report_job = self.root.after_idle(self._report)

    def _report(self) -> None:
        """Debug: print each visible button's centre in root coordinates when it moves."""
        self._report_job = None
        if not self.root.winfo_viewable():
            return
        for cmd in self._shown_buttons:
            b = self.next_button if cmd == "next" else self.buttons[cmd]
            if not b.winfo_viewable():
                continue
            at = (b.winfo_rootx() + b.winfo_width() // 2, b.winfo_rooty() + b.winfo_height() // 2)
            if self._reported.get(cmd) != at:
                self._reported[cmd] = at
                self._say_debug(button=cmd, x=at[0], y=at[1])


def _only_window(env: Mapping[str, str]) -> int | None:
    """Hold ``window.lock`` beside the control socket: the fd, or None when another
    window holds it (that window is then asked, with SIGUSR1, to come to the front)."""
    try:
        return lockfile.take(socket_path(env).parent / "window.lock", f"{os.getpid()}\n")
    except lockfile.Held as held:
        pid = held.args[0].strip()
        if pid.isdigit() and int(pid) > 0:  # never 0: that would signal our whole group
            with contextlib.suppress(OSError):
                os.kill(int(pid), signal.SIGUSR1)
        return None
    except lockfile.LockProblem:
        return -1  # no usable lock: one window too many beats no window


def main(env: Mapping[str, str]) -> int:
    """``rsiguard window``: show the running break until it ends; return the exit status."""
    try:
        resp = call(socket_path(env), Request("status"), timeout=CALL_TIMEOUT)
    except NoDaemon as exc:
        print(f"rsiguard: {exc}", file=sys.stderr)
        return Exit.NO_DAEMON
    except (OSError, ProtocolError) as exc:
        print(f"rsiguard: cannot talk to the daemon: {exc}", file=sys.stderr)
        return Exit.ERROR
    first = parse(resp.data if resp.ok else None)
    if first is None:
        print("rsiguard: no break is running (the window opens during one)", file=sys.stderr)
        return Exit.OK
    if _only_window(env) is None:
        print("rsiguard: the break window is already open; it was brought to the front")
        return Exit.OK
    try:
        root = tk.Tk(screenName=env.get("DISPLAY") or None, className="rsiguard")
    except tk.TclError as exc:
        print(f"rsiguard: cannot open the break window: {exc}", file=sys.stderr)
        return Exit.ERROR
    window = BreakWindow(root, env, first)
    root.mainloop()
    return window.exit_code


if __name__ == "__main__":
    raise SystemExit(main(os.environ))
