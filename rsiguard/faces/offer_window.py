"""The offer window, ``rsiguard offer``: a due break's buttons where bubbles show none.

Some notification servers draw no buttons (dunst puts them in a menu that needs dmenu;
some have no ``actions`` capability at all), and plyer has none anywhere. There the
daemon shows a plain bubble and starts this small window beside it (see
``notifications.offer``). Like the break window it is its own process and a client of
the control socket: it asks for ``status`` every half second, shows the offer's
title, text and buttons as the daemon words them (so strict mode's missing Snooze and
Skip are missing here too), sends ``break``, ``snooze`` or ``skip`` on a click, and
exits once the break is no longer on offer or the daemon has gone.

It never takes the keyboard, so typing that goes on while it appears presses nothing:
a window the window manager does not manage (as bubbles are), with no key bindings and
no button that can hold the focus. Closing it with its ✕ is a dismissal (exit status
7): the daemon offers the break again one snooze length later.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tkinter as tk
from collections.abc import Callable, Mapping
from tkinter import ttk
from typing import Any

from rsiguard.base import lockfile
from rsiguard.base.exitcodes import Exit
from rsiguard.base.paths import socket_path
from rsiguard.control.client import NoDaemon, call
from rsiguard.control.protocol import ProtocolError, Request
from rsiguard.faces.link import CALL_TIMEOUT, Link

POLL_MS = 500
WIDTH = 400  # pixels at 100 dpi
MARGIN = (24, 72)  # from the right and bottom edges: clear of a bottom panel
TITLE = "rsiguard: break offer"
# The daemon's action keys and the command each one sends.
COMMANDS = {"start": "break", "snooze": "snooze", "skip": "skip"}
BG, TEXT, MUTED = "#f6f4ef", "#26303a", "#6b737c"


def offer_of(data: Any) -> dict[str, Any] | None:
    """The ``offer`` of a status reply, or None when no break is on offer."""
    if not isinstance(data, dict) or data.get("state") != "due":
        return None
    offer = data.get("offer")
    return offer if isinstance(offer, dict) else None


def buttons_of(offer: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(key, label)`` pairs of the offer's actions this window knows, in order."""
    pairs = []
    for item in offer.get("actions") or ():
        if isinstance(item, list | tuple) and len(item) == 2 and item[0] in COMMANDS:
            pairs.append((str(item[0]), str(item[1])))
    return pairs


class OfferWindow:
    """The window and its polling loop, on the Tk thread."""

    def __init__(self, root: tk.Tk, env: Mapping[str, str], offer: Mapping[str, Any]) -> None:
        self.root = root
        self.path = socket_path(env)
        self.debug = bool(env.get("RSIGUARD_WINDOW_DEBUG"))
        self.exit_code = int(Exit.OK)
        self.closed = False
        self.link = Link(self.path, self._quit)
        self._shown: tuple[str, str, tuple[tuple[str, str], ...]] | None = None
        self._poll_job: str | None = None
        self.scale = max(1.0, root.winfo_fpixels("1i") / 100.0)
        self._build()
        self._render(offer)
        self._place()
        self._poll_job = root.after(POLL_MS, self._poll)

    def _build(self) -> None:
        root = self.root
        root.title(TITLE)
        root.configure(background=BG)
        root.resizable(False, False)
        # Like a notification bubble, a window the window manager leaves alone: it is
        # neither decorated nor given the focus (openbox focuses even a window of type
        # notification when it maps). Its own ✕ closes it.
        with contextlib.suppress(tk.TclError):  # -type exists on X11 only
            root.attributes("-type", "notification")
        root.overrideredirect(True)
        root.attributes("-topmost", True)
        root.protocol("WM_DELETE_WINDOW", self._dismiss)
        st = ttk.Style(root)
        st.theme_use("clam")
        st.configure(".", background=BG, foreground=TEXT)
        st.configure("Title.TLabel", font=("TkDefaultFont", 12, "bold"))
        st.configure("Muted.TLabel", foreground=MUTED)
        st.configure("Close.TButton", padding=0, relief="flat", background=BG)
        pad = round(16 * self.scale)
        frame = ttk.Frame(root, padding=pad)
        frame.pack(fill="both", expand=True)
        wrap = round((WIDTH - 32) * self.scale)
        head = ttk.Frame(frame)
        head.pack(fill="x")
        self.close = ttk.Button(
            head, text="✕", width=2, style="Close.TButton", takefocus=0, command=self._dismiss
        )
        self.close.pack(side="right", anchor="n")
        self.title = ttk.Label(
            head, style="Title.TLabel", wraplength=wrap - round(40 * self.scale), justify="left"
        )
        self.title.pack(side="left", anchor="w")
        self.body = ttk.Label(frame, wraplength=wrap, justify="left")
        self.body.pack(anchor="w", pady=(round(6 * self.scale), 0))
        self.note = ttk.Label(frame, style="Muted.TLabel", wraplength=wrap, justify="left")
        self.note.pack(anchor="w", pady=(round(4 * self.scale), 0))
        self.row = ttk.Frame(frame)
        self.row.pack(anchor="e", pady=(round(10 * self.scale), 0))
        self.buttons: dict[str, ttk.Button] = {}

    def _place(self) -> None:
        """Bottom right, clear of the top-right corner where most servers put bubbles."""
        root = self.root
        root.update_idletasks()
        w, h = root.winfo_reqwidth(), root.winfo_reqheight()
        x = root.winfo_screenwidth() - w - round(MARGIN[0] * self.scale)
        y = root.winfo_screenheight() - h - round(MARGIN[1] * self.scale)
        root.geometry(f"+{max(0, x)}+{max(0, y)}")

    def _render(self, offer: Mapping[str, Any]) -> None:
        """Show ``offer``; rebuild the buttons only when they change (they hold still)."""
        pairs = tuple(buttons_of(offer))
        shown = (str(offer.get("title", "")), " ".join(str(offer.get("body", "")).split()), pairs)
        if shown == self._shown:
            return
        self.title.configure(text=shown[0])
        self.body.configure(text=shown[1])
        if self._shown is None or self._shown[2] != pairs:
            for b in self.buttons.values():
                b.destroy()
            self.buttons = {}
            for key, label in pairs:
                # takefocus=0 and no default: Return and space reach no button.
                b = ttk.Button(self.row, text=label, takefocus=0, command=self._sender(key))
                b.pack(side="left", padx=(round(8 * self.scale), 0))
                self.buttons[key] = b
        self._shown = shown
        if self.debug:
            self._say_debug(offer=[k for k, _ in pairs])

    def _sender(self, key: str) -> Callable[[], None]:
        return lambda: self._send(key)

    # --- talking to the daemon ---------------------------------------------------

    def _call(self, cmd: str) -> Any:
        return self.link.call(cmd)

    def _poll(self) -> None:
        self._poll_job = None
        resp = self._call("status")
        if self.closed:
            return
        if resp is not None and resp.ok:
            offer = offer_of(resp.data)
            if offer is None:
                self._quit(Exit.OK, "no break on offer")
                return
            self._render(offer)
        self._poll_job = self.root.after(POLL_MS, self._poll)

    def _send(self, key: str) -> None:
        """A button's command; a refusal is shown in the window, not raised."""
        if self.debug:
            self._say_debug(sent=key)
        resp = self._call(COMMANDS[key])
        if self.closed:
            return
        if resp is None:
            self.note.configure(text="Could not reach rsiguard; trying again.")
        elif not resp.ok:
            self.note.configure(text=resp.message or f"{key} was refused")
        if self._poll_job is not None:
            self.root.after_cancel(self._poll_job)
        self._poll()

    def _dismiss(self) -> None:
        """Closed without a choice: the daemon offers the break again later."""
        self._quit(Exit.DISMISSED, "closed")

    def _quit(self, code: int, reason: str) -> None:
        self.closed = True
        self.exit_code = int(code)
        if self.debug:
            self._say_debug(exit=int(code), reason=reason)
        self.root.destroy()

    def _say_debug(self, **fields: Any) -> None:
        print(json.dumps(fields), flush=True)


def main(env: Mapping[str, str]) -> int:
    """``rsiguard offer``: show the due break's buttons until it is handled."""
    try:
        resp = call(socket_path(env), Request("status"), timeout=CALL_TIMEOUT)
    except NoDaemon as exc:
        print(f"rsiguard: {exc}", file=sys.stderr)
        return Exit.NO_DAEMON
    except (OSError, ProtocolError) as exc:
        print(f"rsiguard: cannot talk to the daemon: {exc}", file=sys.stderr)
        return Exit.ERROR
    offer = offer_of(resp.data if resp.ok else None)
    if offer is None:
        print("rsiguard: no break is on offer", file=sys.stderr)
        return Exit.OK
    try:
        lock = lockfile.take(socket_path(env).parent / "offer.lock", f"{os.getpid()}\n")
    except lockfile.Held:
        print("rsiguard: the offer window is already open")
        return Exit.OK
    except lockfile.LockProblem:
        lock = -1  # no usable lock: one window too many beats none
    try:
        root = tk.Tk(screenName=env.get("DISPLAY") or None, className="rsiguard")
    except tk.TclError as exc:
        print(f"rsiguard: cannot open the offer window: {exc}", file=sys.stderr)
        return Exit.ERROR
    window = OfferWindow(root, env, offer)
    root.mainloop()
    if lock >= 0:
        os.close(lock)
    return window.exit_code


if __name__ == "__main__":
    raise SystemExit(main(os.environ))
