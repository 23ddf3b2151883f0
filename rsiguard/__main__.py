"""Allow ``python -m rsiguard``."""

from rsiguard.faces.cli import entry

raise SystemExit(entry())
