"""Which input backends ``activity.backend`` means on each kind of desktop (pure)."""

from __future__ import annotations

import pytest

from rsiguard.adapters.input.chooser import BACKENDS, plan, session_kind
from tests.test_activity import Harness

WAYLAND_X = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}  # Xwayland is there too


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        ({"DISPLAY": ":1"}, "x11"),
        ({"DISPLAY": ":1", "XDG_SESSION_TYPE": "x11"}, "x11"),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}, "wayland"),
        (WAYLAND_X, "wayland"),
        ({}, "console"),
        ({"XDG_SESSION_TYPE": "tty"}, "console"),
    ],
)
def test_session_kind(env: dict[str, str], kind: str) -> None:
    assert session_kind(env, "linux") == kind


def test_auto_order_per_session() -> None:
    assert plan({"DISPLAY": ":1"}, "auto", "linux").names == ("xrecord", "pynput")
    assert plan(WAYLAND_X, "auto", "linux").names == ("evdev", "gnome", "wayland", "logind")
    assert plan({}, "auto", "linux").names == ("evdev", "logind")
    assert plan({}, "auto", "darwin").names == ("pynput",)


def test_wayland_never_counts_through_xwayland() -> None:
    """RECORD on Xwayland sees only X11 windows: never chosen, never even connected."""
    p = plan(WAYLAND_X, "auto", "linux")
    assert p.display is None and p.label == "Wayland wayland-0"
    for name in ("xrecord", "pynput"):
        refused = plan(WAYLAND_X, name, "linux")
        assert refused.refusal is not None and "Xwayland" in refused.refusal
        assert refused.display is None


def test_explicit_choices_and_refusals() -> None:
    assert plan({"DISPLAY": ":1"}, "evdev", "linux").names == ("evdev",)
    assert plan({}, "xrecord", "linux").refusal == "no DISPLAY"
    assert plan({}, "none", "linux").refusal == "disabled by config"
    assert plan({}, "gnome", "win32").refusal == "gnome needs Linux, not win32"
    assert set(BACKENDS) == {
        "auto", "xrecord", "pynput", "evdev", "gnome", "wayland", "logind", "none"
    }  # fmt: skip


def test_monitor_in_wayland_refuses_xrecord_without_touching_x() -> None:
    h = Harness({**WAYLAND_X, "DISPLAY": ":9999"}, backend="xrecord")
    try:
        h.call(h.monitor.start)
        status = h.status()
        assert status.startswith("none: xrecord would see only input to X11 windows")
        assert h.call(lambda: h.monitor.plan).kind == "wayland"  # type: ignore[union-attr]
    finally:
        h.close()
