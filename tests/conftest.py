"""Fixtures shared by several test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.desktop import require, xvfb


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """One Xvfb per test module (a fresh one per test would cost time for nothing)."""
    require("Xvfb", "xdotool")
    with xvfb() as name:
        yield name
