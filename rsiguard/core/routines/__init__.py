"""The routine model, the pure player and the selection (pure: the core uses them)."""
