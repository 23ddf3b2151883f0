"""The control socket: the protocol (sans I/O), the asyncio server and the stdlib client."""
