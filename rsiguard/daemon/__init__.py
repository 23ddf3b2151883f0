"""The daemon: one loop, one inbox, effects executed through the adapters; start-up and reloads."""
