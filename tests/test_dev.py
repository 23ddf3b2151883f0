"""``./dev``, the one entry point of the README: exit codes and one shared environment."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _fake_checkout(tmp: Path) -> tuple[Path, Path]:
    """``dev`` and ``pyproject.toml`` beside a fake .venv whose programs log their calls."""
    shutil.copy(REPO / "dev", tmp / "dev")
    shutil.copy(REPO / "pyproject.toml", tmp / "pyproject.toml")
    bindir = tmp / ".venv" / "bin"
    bindir.mkdir(parents=True)
    calls = tmp / "calls.log"
    for name in ("python", "rsiguard"):
        script = bindir / name
        script.write_text(f'#!/bin/sh\necho "{name} $*" >> {calls}\n')
        script.chmod(0o755)
    return tmp / "dev", calls


def _dev(dev: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RSIGUARD_VENV"}
    return subprocess.run(
        [str(dev), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_an_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    dev, _ = _fake_checkout(tmp_path)
    done = _dev(dev, "frobnicate")
    assert done.returncode == 2
    assert "unknown command 'frobnicate'" in done.stderr and "./dev run" in done.stderr


def test_run_after_test_reuses_the_environment(tmp_path: Path) -> None:
    dev, calls = _fake_checkout(tmp_path)
    # What `./dev test` leaves: the test extras installed after pyproject.toml changed.
    (tmp_path / ".venv" / ".stamp").write_text("[test]\n")
    done = _dev(dev, "run", "--help")
    assert done.returncode == 0, done.stderr
    assert calls.read_text() == "rsiguard run --help\n"  # no pip, no reinstall
    assert "installing" not in done.stderr


def test_a_changed_pyproject_reinstalls_once_keeping_the_test_tools(tmp_path: Path) -> None:
    dev, calls = _fake_checkout(tmp_path)
    stamp = tmp_path / ".venv" / ".stamp"
    stamp.write_text("[test]\n")
    os.utime(stamp, (0, 0))  # older than pyproject.toml
    done = _dev(dev, "run")
    assert done.returncode == 0, done.stderr
    pip = [line for line in calls.read_text().splitlines() if "pip install" in line]
    assert len(pip) == 1 and pip[0].endswith("-e .[test]")
    # One line says what is happening while pip works.
    assert [line for line in done.stderr.splitlines() if line.startswith("dev:")] == [
        "dev: installing rsiguard[test] into .venv (pip, about a minute the first time)"
    ]


def test_readme_names_every_system_package_dev_installs() -> None:
    import re

    script = (REPO / "dev").read_text()
    packages = set()
    base = script.split("base_packages()")[1].split("test_packages()")[0]
    for words in re.findall(r'missing="\$missing ([^"]+)"', base):
        packages.update(words.split())
    pairs = script.split("test_packages()")[1].split("; do")[0]
    packages.update(re.findall(r"[\w-]+:([\w.+-]+)", pairs))
    tests_part = script.split("test_packages()")[1].split("venv()")[0]
    for words in re.findall(r'missing="\$missing ([^"$]+)"', tests_part):
        packages.update(words.split())
    packages.discard("python3")  # the interpreter itself: the README starts from it
    assert {"python3-tk", "libc6-dev", "linux-libc-dev", "xauth", "desktop-file-utils"} <= packages
    readme = (REPO / "README.md").read_text()
    missing = sorted(p for p in packages if f"`{p}`" not in readme)
    assert missing == [], f"README does not name: {missing}"
