"""Smoke."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gnome_shell import gnome_shell

pytestmark = pytest.mark.integration


def test_starts(tmp_path: Path) -> None:
    with gnome_shell(tmp_path) as shell:
        print(
            shell.call(
                "org.freedesktop.Notifications",
                "/org/freedesktop/Notifications",
                "org.freedesktop.Notifications",
                "GetServerInformation",
            )
        )
