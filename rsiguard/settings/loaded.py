"""The result of loading configuration, free of pydantic (the daemon keeps only this)."""

from __future__ import annotations

from dataclasses import dataclass

from rsiguard.core.policy import Policy


class ConfigError(Exception):
    """Invalid configuration; ``str()`` is the user-facing message (one line per problem)."""

    def __init__(self, message: str | list[str]) -> None:
        self.lines = [message] if isinstance(message, str) else list(message)
        super().__init__("\n".join(self.lines))


@dataclass(frozen=True)
class Loaded:
    """The effective configuration and where each value came from."""

    policy: Policy
    notify_backend: str
    input_backend: str
    values: dict[str, object]
    origins: dict[str, str]
    sources: list[str]
    locked_keys: list[str]
    warnings: list[str]
    stats_retention_days: int = 90
    offer_mode: str = "auto"
    checkin_every_days: int = 7
