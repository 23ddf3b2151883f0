"""The break offer on the real notification servers Debian ships for X11 desktops.

Each server runs on its own Xvfb and private session bus. What is checked here is what
a person sees: the offer's window is mapped while the break is offered and running, and
once the break ends nothing of ours is left on screen (notification-daemon's ghost
bubbles, answered by the quirks table, are the case this catches). Where the server
shows no buttons (dunst), the offer window must be there too, and go with the offer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.desktop import session_bus, wait_for, xvfb
from tests.integration import cli, daemon_env, running_daemon
from tests.servers import (
    OFFER_CONFIG,
    SERVERS,
    Server,
    offer,
    offer_windows,
    running_server,
    visible,
    wait_until_used,
)

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("server", SERVERS, ids=lambda s: s.name)
def test_the_offer_shows_and_nothing_stays_when_the_break_ends(
    tmp_path: Path, server: Server
) -> None:
    with xvfb() as display, session_bus(tmp_path / "bus") as bus:
        env = daemon_env(tmp_path, display, bus)
        with running_server(server, env, display, tmp_path / "server.log"):
            with running_daemon(env, OFFER_CONFIG):
                _offer_skip_and_routine(env, display, server)
                # An offer still up when the daemon stops: it goes too.
                offer(env, display)
            wait_for(lambda: not visible(display), timeout=20, what="nothing left after exit")


def _offer_skip_and_routine(env: dict[str, str], display: str, server: Server) -> None:
    """An offer skipped from the command line, then a routine stopped: nothing stays."""
    wait_until_used(env, server)
    # An offer, then Skip from the command line: the bubble (and the offer
    # window) go. A ghost here would block every later offer.
    offer(env, display)
    if server.offer_window:
        wait_for(lambda: offer_windows(display), what="the offer window")
    else:
        assert not offer_windows(display), "an offer window beside working buttons"
    assert cli(env, "skip").returncode == 0
    wait_for(lambda: not visible(display), timeout=20, what="the offer to go")

    # A routine's bubble, and nothing left once it is stopped.
    assert cli(env, "break").returncode == 0
    wait_for(lambda: visible(display), what="the step bubble")
    assert cli(env, "stop").returncode == 0
    wait_for(lambda: not visible(display), timeout=20, what="the step bubble to go")
