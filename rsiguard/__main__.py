"""Allow ``python -m rsiguard``."""

from rsiguard.cli import entry

raise SystemExit(entry())
