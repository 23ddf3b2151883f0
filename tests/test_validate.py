"""Config validated in a child process: the daemon never holds pydantic."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from rsiguard.validate import ValidationFailed, in_child, in_child_async


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
        "from rsiguard.validate import in_child\n"
        "import rsiguard.daemon\n"
        f"v = in_child({_env(tmp_path)!r}, None)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'pydantic_settings', 'pynput')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
