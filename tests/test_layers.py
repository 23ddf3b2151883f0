"""The package layout is the architecture: imports only go down the layers.

``docs/architecture.md`` draws the layers; this test keeps the code to the drawing, so a
reader can tell from a module's folder what it may use. Lazy imports inside functions
count as much as the ones at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rsiguard"

#: Layer -> rank. A module may import its own layer and the ones of lower rank.
#: ``settings`` and ``adapters`` share a rank but do not use each other.
RANKS = {"base": 0, "core": 1, "settings": 2, "adapters": 2, "control": 3, "daemon": 4, "faces": 5}
APART = {("settings", "adapters"), ("adapters", "settings")}
#: Third-party or stdlib packages that belong to one layer only.
ONLY_IN = {"pydantic": {"settings"}, "pydantic_settings": {"settings"}, "tkinter": {"faces"}}
#: What the pure core may import from the standard library, besides typing helpers.
CORE_STDLIB = {
    "__future__",
    "dataclasses",
    "enum",
    "typing",
    "collections",
    "math",
    "itertools",
    "functools",
    "re",
    "types",
    "textwrap",
    "random",
    "hashlib",
    "json",
    "bisect",
}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _layer(module_path: Path) -> str | None:
    parts = module_path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "rsiguard":
                found += [(node.lineno, f"rsiguard.{alias.name}") for alias in node.names]
    return found


def test_every_module_sits_in_a_layer() -> None:
    loose = [p.name for p in PACKAGE.glob("*.py")]
    assert sorted(loose) == ["__init__.py", "__main__.py"]
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == set(
        RANKS
    )


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_only_go_down(path: Path) -> None:
    here = _layer(path)
    wrong = []
    for line, name in _imports(path):
        top = name.split(".")[0]
        if top in ONLY_IN and here not in ONLY_IN[top]:
            wrong.append(f"line {line}: {name} belongs in {sorted(ONLY_IN[top])} only")
        if top != "rsiguard":
            if here == "core" and top not in CORE_STDLIB:
                wrong.append(f"line {line}: the pure core imports {name}")
            continue
        parts = name.split(".")
        if len(parts) < 2 or parts[1] not in RANKS or here is None:
            continue
        there = parts[1]
        if RANKS[there] > RANKS[here] or (here, there) in APART:
            wrong.append(f"line {line}: {here} imports {name} (layer {there})")
    assert not wrong, f"{path.relative_to(PACKAGE)}:\n" + "\n".join(wrong)
