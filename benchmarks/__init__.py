"""Benchmarks: rsiguard beside Workrave and Safe Eyes on a private X display.

``python -m benchmarks.run [--peers] [--quick] [--out DIR]`` writes
``DIR/benchmarks.md`` and ``DIR/benchmarks.json`` (default ``docs/``). Modules:

* :mod:`benchmarks.run`: the command line and the order of a run.
* :mod:`benchmarks.session`: Xvfb, buses, notification server; one program's run.
* :mod:`benchmarks.programs`: how to start each program and read what it counted.
* :mod:`benchmarks.flood`: the paced xdotool input flood, and what it sent.
* :mod:`benchmarks.proc`: CPU, RSS/PSS and wake-ups of a process tree from ``/proc``.
* :mod:`benchmarks.inproc`: core throughput, a simulated day and import costs
  (each in a fresh interpreter: ``python -m benchmarks.inproc core|day|imports``).
* :mod:`benchmarks.imports`: what importing each dependency costs.
* :mod:`benchmarks.targets`: the issue's targets as PASS/MISS/N/A.
* :mod:`benchmarks.report`: the Markdown report.
"""
