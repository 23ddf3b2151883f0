"""Effects the break machine asks the daemon's adapters to carry out."""

from __future__ import annotations

from dataclasses import dataclass

# Notification slots: one bubble per slot, replaced rather than stacked.
BREAK_SLOT = "break"
NOTICE_SLOT = "notice"
CHECKIN_SLOT = "checkin"


@dataclass(frozen=True, slots=True)
class Notify:
    """Show (or replace) the notification in ``slot``.

    ``actions`` are (key, label) pairs; the first is also the default action.
    ``cli_hint`` is added to the body by a backend that cannot show buttons.
    """

    slot: str
    title: str
    body: str
    actions: tuple[tuple[str, str], ...] = ()
    cli_hint: str = ""
    urgent: bool = False
    #: A break on offer: where the bubble cannot carry its buttons, the daemon opens
    #: the offer window beside a plain bubble (``notifications.offer``).
    offer: bool = False


@dataclass(frozen=True, slots=True)
class CloseNotification:
    """Close the notification in ``slot`` if one is shown."""

    slot: str


@dataclass(frozen=True, slots=True)
class Schedule:
    """Wake the core at ``at`` (same clock as events); None: no wake-up needed."""

    at: float | None


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to a command: accepted (``ok``) or refused with a reason."""

    ok: bool
    message: str


@dataclass(frozen=True, slots=True)
class Record:
    """Something worth keeping in statistics and the log: a break outcome."""

    kind: str
    outcome: str
    routine: str = ""
    #: Words for the log only (what happens next), never stored.
    note: str = ""


@dataclass(frozen=True, slots=True)
class OpenWindow:
    """Show the break window for the routine that just started (where a display exists)."""


Effect = Notify | CloseNotification | Schedule | Reply | Record | OpenWindow
