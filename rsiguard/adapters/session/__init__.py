"""Session signals: suspend (logind's PrepareForSleep) and, in ``screenlock``, the lock."""
