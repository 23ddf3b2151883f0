"""Input backends and their chooser: every way rsiguard learns that hands are busy.

- ``monitor.py``: ``ActivityMonitor``, the one interface the daemon uses; it posts
  ``ActivitySample`` (at most one a second) and supervises the chosen backend.
- ``chooser.py``: which candidates ``activity.backend`` means on this desktop, in order.
- full counts: ``xrecord.py`` (X11 RECORD), ``pynput_listeners.py``, ``evdev.py``
  (/dev/input, any Wayland compositor or console);
- activity only: ``gnome.py`` (Mutter IdleMonitor), ``wayland.py`` (ext_idle_notifier_v1
  or org_kde_kwin_idle), ``logind.py`` (IdleHint).

docs/activity.md explains each, the order of ``auto`` and the status strings.
"""

from rsiguard.adapters.input.monitor import BACKENDS, ActivityMonitor, counting

__all__ = ["BACKENDS", "ActivityMonitor", "counting"]
