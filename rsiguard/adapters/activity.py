"""Kept so older imports work: the input backends live in ``rsiguard.adapters.input``."""

from rsiguard.adapters.input.monitor import BACKENDS, ActivityMonitor, counting

__all__ = ["BACKENDS", "ActivityMonitor", "counting"]
