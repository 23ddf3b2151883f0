"""Desktop notifications: freedesktop bubbles, plyer, the log, and the table of server quirks."""
