"""Which input backends ``activity.backend`` means on this desktop, and in what order.

``auto`` (docs/activity.md has the reasons):

- X11 session (``DISPLAY`` set, not Wayland): xrecord, then pynput;
- Wayland session (``XDG_SESSION_TYPE=wayland`` or ``WAYLAND_DISPLAY``): evdev (full
  counts, when /dev/input is readable), then gnome (Mutter's IdleMonitor), then wayland
  (the compositor's ext_idle_notifier_v1 or org_kde_kwin_idle), then logind (IdleHint);
  never xrecord or pynput: through Xwayland they only see input to X11 windows, and
  connecting could start a lazy Xwayland;
- no display at all (a text console, an ssh session): evdev, then logind;
- macOS and Windows: pynput.

An explicit backend is the only candidate; one that cannot run in this kind of session
is refused at once with the reason (``Plan.refusal``). Pure: reads only ``env`` and the
platform name it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

BACKENDS = ("auto", "xrecord", "pynput", "evdev", "gnome", "wayland", "logind", "none")
X11_ONLY = ("xrecord", "pynput")
LINUX_ONLY = ("evdev", "gnome", "wayland", "logind")


@dataclass(frozen=True, slots=True)
class Plan:
    """What ``start()`` will try: candidates in order, or why nothing is tried."""

    kind: str  # "x11", "wayland", "console", or the platform ("darwin", "win32")
    label: str  # for status texts: "X11 :1", "Wayland wayland-0", "console", "darwin"
    display: str | None  # the X display the X11 backends may use; None: none may
    names: tuple[str, ...]  # candidates, first choice first
    refusal: str | None = None  # set: nothing is started, status is "none: <refusal>"


def session_kind(env: Mapping[str, str], platform: str) -> str:
    """Any thread: "wayland", "x11", "console", or the platform on macOS and Windows."""
    if platform in ("darwin", "win32"):
        return platform
    if env.get("XDG_SESSION_TYPE", "").lower() == "wayland" or env.get("WAYLAND_DISPLAY"):
        return "wayland"
    if env.get("DISPLAY"):
        return "x11"
    return "console"


def plan(env: Mapping[str, str], backend: str, platform: str) -> Plan:
    """Any thread: the candidates for ``backend`` in the session ``env`` describes."""
    kind = session_kind(env, platform)
    display = env.get("DISPLAY") or None
    if kind == "wayland":
        label = f"Wayland {env.get('WAYLAND_DISPLAY') or '?'}"
        display = None  # never counted through Xwayland (see the module docstring)
        auto: tuple[str, ...] = ("evdev", "gnome", "wayland", "logind")
    elif kind == "x11":
        label, auto = f"X11 {display}", X11_ONLY
    elif kind == "console":
        label, auto = "console", ("evdev", "logind")
    else:
        label, display, auto = kind, None, ("pynput",)
    names = auto if backend == "auto" else (backend,)
    refusal = None
    if backend == "none":
        refusal = "disabled by config"
    elif kind in ("darwin", "win32") and backend == "xrecord":
        refusal = f"xrecord needs X11, not {kind}"
    elif kind in ("darwin", "win32") and backend in LINUX_ONLY:
        refusal = f"{backend} needs Linux, not {kind}"
    elif kind == "wayland" and backend in X11_ONLY:
        refusal = (
            f"{backend} would see only input to X11 windows (through Xwayland) in this "
            "Wayland session; use activity.backend = evdev, gnome, wayland or logind (or auto)"
        )
    elif kind == "console" and backend in X11_ONLY:
        refusal = "no DISPLAY"
    return Plan(kind, label, display, names, refusal)
