"""Guided break routines: the catalog (data files), choosing one, and a pure player."""
