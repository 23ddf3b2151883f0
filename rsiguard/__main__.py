"""Allow ``python -m rsiguard``."""

from rsiguard.cli import main

raise SystemExit(main())
