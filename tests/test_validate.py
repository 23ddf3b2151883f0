"""Config validated in a child process: the daemon never holds pydantic."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rsiguard.control.protocol import MAX_MESSAGE
from rsiguard.settings.validate import (
    MAX_ERROR,
    ValidationFailed,
    _decode,
    in_child,
    in_child_async,
)


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "RSIGUARD_SITE_DIR": str(tmp_path / "site"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }


def test_child_returns_policy_with_catalog(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[breaks]\nmax_snoozes = 1\n[routines]\ntargets = ["forearm"]\n')
    v = in_child(_env(tmp_path), cfg)
    assert v.loaded.policy.max_snoozes == 1
    assert v.loaded.policy.targets == ("forearm",)
    assert len(v.loaded.policy.routines) >= 16
    assert v.catalog_error == ""


def test_bad_config_names_file_and_key(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[breaks]\nsnooze = "soon"\n')
    with pytest.raises(ValidationFailed) as err:
        in_child(_env(tmp_path), cfg)
    assert str(cfg) in str(err.value) and "breaks.snooze" in str(err.value)
    with pytest.raises(ValidationFailed):
        asyncio.run(in_child_async(_env(tmp_path), cfg))


def test_bad_routine_file_falls_back_to_builtin_catalog(tmp_path: Path) -> None:
    routines = tmp_path / "site" / "routines"
    routines.mkdir(parents=True)
    (routines / "bad.toml").write_text("[[routine]]\nid = 1\n")
    v = asyncio.run(in_child_async(_env(tmp_path), None))
    assert "bad.toml" in v.catalog_error
    assert len(v.loaded.policy.routines) >= 16


def test_parent_does_not_import_pydantic(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from rsiguard.settings.validate import in_child\n"
        "import rsiguard.daemon.service\n"
        f"v = in_child({_env(tmp_path)!r}, None)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'pydantic_settings', 'pynput')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_deeply_nested_toml_is_a_short_validation_error_at_start_and_reload(
    tmp_path: Path,
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("x = " + "{a=" * 5000 + "1" + "}" * 5000 + "\n")
    message = f"{cfg}: tables and arrays nested more than 20 levels deep"
    with pytest.raises(ValidationFailed) as err:
        in_child(_env(tmp_path), cfg)
    assert str(err.value) == message
    with pytest.raises(ValidationFailed) as err:
        asyncio.run(in_child_async(_env(tmp_path), cfg))
    assert str(err.value) == message


def test_a_reload_error_fits_a_control_reply_and_comes_quickly(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[breaks]\n" + "".join(f"k{i} = {i}\n" for i in range(60_000)))
    cfg.with_name("v.toml").write_text('[routines]\ntargets = ["' + "x" * 900_000 + '"]\n')
    for path in (cfg, cfg.with_name("v.toml")):
        start = time.monotonic()
        with pytest.raises(ValidationFailed) as err:
            asyncio.run(in_child_async(_env(tmp_path), path))
        assert time.monotonic() - start < 5  # the CLI waits 5 s for a reply
        assert len(str(err.value).encode()) < MAX_MESSAGE // 8


def test_an_unforeseen_failure_of_the_child_is_reported_bounded() -> None:
    traceback = b"Traceback (most recent call last):\n" + b'  File "x.py"\n' * 100_000
    with pytest.raises(RuntimeError) as err:
        _decode(1, b"", traceback + b"RecursionError: maximum recursion depth exceeded\n")
    assert len(str(err.value)) < MAX_ERROR + 100 < MAX_MESSAGE // 2
    assert str(err.value).endswith("RecursionError: maximum recursion depth exceeded")
    with pytest.raises(ValidationFailed) as failed:
        _decode(5, b"", b"x.toml: bad\n" * 100_000)
    assert (
        str(failed.value).startswith("x.toml: bad\n") and len(str(failed.value)) < MAX_ERROR + 100
    )
