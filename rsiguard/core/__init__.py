"""The pure core: events in, effects out. No clock, no threads, no I/O."""
