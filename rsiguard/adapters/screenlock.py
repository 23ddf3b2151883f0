"""Kept so older imports work: session signals live in ``rsiguard.adapters.session``."""

from rsiguard.adapters.session.screenlock import ScreenLockWatcher

__all__ = ["ScreenLockWatcher"]
