"""Process and file basics every layer may use: paths, exit codes, lock files, child processes."""
