"""What some notification servers get wrong, and how rsiguard works around it: one table.

Keyed by what ``GetServerInformation`` reports (name, and vendor where two servers
share a name), never by ``if name ==`` checks elsewhere. Each row was seen on Debian 12
by driving the real server (docs/notifications.md has the evidence):

* **notification-daemon 3.20** (GNOME's fallback) answers CloseNotification and says
  the bubble closed, but leaves it on screen; it shows one bubble at a time, so a ghost
  blocks every later one. A bubble replaced by an empty one with a short timeout does
  go away.
* **lxqt-notificationd 1.2** keeps a replaced bubble's old actions (and height), so a
  routine's step bubbles kept offering Start/Snooze/Skip. When the actions change, a
  new bubble is opened instead. It also draws the ``default`` action as one more entry,
  and more than three actions become a combo box: it gets no ``default`` action. Its
  three buttons share a narrow bubble and cut "Start routine" to "Start r…": they get
  one-word labels. An icon narrows the text so that the lines wrap again (and the
  buttons move from step to step): its bubbles get none, its header names rsiguard.
* **dunst 1.9** draws no buttons: its bubble shows an ``(A)`` marker, the actions are in
  a context menu that needs dmenu (which Debian does not install with it), and with
  Debian's dunstrc a left click closes the bubble. Its offers get the offer window.
* **xfce4-notifyd 0.7.3** draws the ``default`` action as a button of its own ("Start
  routine" twice) unless its label is empty.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quirks:
    """Workarounds for one server (all off: a server that follows the spec)."""

    #: CloseNotification leaves the bubble on screen: replace it with an expiring one.
    close_by_expiring: bool = False
    #: Replacing a bubble keeps its old actions: open a new one when they change.
    new_bubble_for_new_actions: bool = False
    #: The ``default`` action is shown as an extra button or entry: leave it out.
    no_default_action: bool = False
    #: The ``default`` action is shown as a button unless its label is empty.
    unlabelled_default_action: bool = False
    #: Says it has the ``actions`` capability but shows no buttons on the bubble.
    hides_actions: bool = False
    #: Buttons too narrow for "Start routine" or "Snooze 5 min": one-word labels.
    short_labels: bool = False
    #: The icon takes the text's width, so lines wrap again: no icon.
    no_icon: bool = False


#: (server name, vendor or "" for any, the workarounds).
TABLE: tuple[tuple[str, str, Quirks], ...] = (
    ("Notification Daemon", "GNOME", Quirks(close_by_expiring=True)),
    (
        "lxqt-notificationd",
        "",
        Quirks(
            new_bubble_for_new_actions=True,
            no_default_action=True,
            short_labels=True,
            no_icon=True,
        ),
    ),
    ("Xfce Notify Daemon", "", Quirks(unlabelled_default_action=True)),
    ("dunst", "", Quirks(hides_actions=True)),
)
#: How long the empty bubble that replaces a ghost stays (milliseconds).
EXPIRE_MS = 500


def quirks_for(name: str, vendor: str) -> Quirks:
    """The workarounds the server reporting ``name`` and ``vendor`` needs."""
    for row_name, row_vendor, quirks in TABLE:
        if name == row_name and (not row_vendor or vendor == row_vendor):
            return quirks
    return Quirks()
