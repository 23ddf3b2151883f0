"""Settings and the routine catalog: layers, locks, validation (the only place pydantic lives)."""
