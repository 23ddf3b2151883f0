"""Adapters: the code that touches the OS, the display and the bus."""
