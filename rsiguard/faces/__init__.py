"""What people use: the CLI and its subcommands, the break window, the terminal player, reports."""
