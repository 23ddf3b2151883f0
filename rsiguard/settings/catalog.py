"""Load and validate the routine catalog (TOML files) into plain :class:`Routine` values.

Layers, lowest first: the shipped files (``rsiguard/settings/routines/*.toml``) <
``$RSIGUARD_SITE_DIR/routines/*.toml`` < ``$XDG_CONFIG_HOME/rsiguard/routines/*.toml``.
A later layer's routine with the same id replaces the earlier one, with a notice. Every
problem is one line naming the file, the routine (id, or ``#n`` without one), the step
and the field (the schema and its error lines: :mod:`rsiguard.settings.catalog_schema`). This
module imports pydantic: the daemon and CLI subcommands import it
lazily; the core only ever sees the dataclasses of :mod:`rsiguard.core.routines.model`.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rsiguard.base import paths
from rsiguard.core.routines.model import TARGETS, Routine
from rsiguard.settings.catalog_schema import KIND_SECONDS, CatalogError, routines_of
from rsiguard.settings.sources import FileProblem, read_toml

__all__ = [
    "BUILTIN",
    "KIND_SECONDS",
    "Catalog",
    "CatalogError",
    "builtin_catalog",
    "load_catalog",
    "load_file",
    "site_routines_dir",
    "user_routines_dir",
]

#: How the shipped files are named in notices and errors.
BUILTIN = "<builtin>"


@dataclass(frozen=True)
class Catalog:
    """The routines in effect, in a stable order, and what the layering did."""

    routines: tuple[Routine, ...]
    #: e.g. ``routine 'x' from /etc/rsiguard/routines/a.toml replaces the one from
    #: <builtin>/rsi.toml``
    notices: tuple[str, ...] = ()
    #: routine id -> the file it came from
    origins: Mapping[str, str] = field(default_factory=dict)

    def get(self, routine_id: str) -> Routine | None:
        """The routine with this id, if any."""
        return next((r for r in self.routines if r.id == routine_id), None)


# --- files -----------------------------------------------------------------------------


def _parse(raw: bytes, label: str) -> dict[str, Any]:
    """TOML tables of a shipped file (same wording as :func:`read_toml`)."""
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{label}: invalid TOML: not UTF-8 text ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{label}: invalid TOML: {exc}") from None


def load_file(path: Path) -> list[Routine]:
    """The routines of one TOML file, validated; raises :class:`CatalogError` naming it."""
    try:
        data = read_toml(path, missing_ok=False)
    except FileProblem as exc:
        raise CatalogError(str(exc)) from None
    return routines_of(data or {}, str(path))


def site_routines_dir(env: Mapping[str, str]) -> Path:
    """IT's folder: ``$RSIGUARD_SITE_DIR/routines`` (default ``/etc/rsiguard/routines``)."""
    return paths.site_dir(env) / "routines"


def user_routines_dir(env: Mapping[str, str]) -> Path:
    """The user's folder: ``$XDG_CONFIG_HOME/rsiguard/routines``."""
    return paths.user_config_file(env).parent / "routines"


def _folder(folder: Path) -> list[Path]:
    """The ``*.toml`` files of a layer folder, by name; none when it does not exist."""
    try:
        entries = sorted(folder.iterdir())
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CatalogError(f"{folder}: cannot read folder: {exc.strerror or exc}") from None
    return [p for p in entries if p.suffix == ".toml" and not p.name.startswith(".")]


@dataclass
class _Merge:
    """Routines by id in first-seen order, where each came from, and the notices."""

    routines: dict[str, Routine] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    def layer(self, files: Iterable[tuple[str, list[Routine]]]) -> list[str]:
        """Add one layer's files; returns errors for ids defined twice within the layer."""
        errors: list[str] = []
        here: dict[str, str] = {}
        for label, routines in files:
            for routine in routines:
                if routine.id in here:
                    errors.append(
                        f"{label}: routine '{routine.id}' is already defined in {here[routine.id]}"
                    )
                    continue
                here[routine.id] = label
                if routine.id in self.routines:
                    self.notices.append(
                        f"routine '{routine.id}' from {label} replaces the one from "
                        f"{self.origins[routine.id]}"
                    )
                self.routines[routine.id] = routine
                self.origins[routine.id] = label
        return errors

    def catalog(self) -> Catalog:
        """The merged catalog."""
        return Catalog(tuple(self.routines.values()), tuple(self.notices), dict(self.origins))


def _builtin_files() -> list[tuple[str, list[Routine]]]:
    folder = resources.files("rsiguard.settings").joinpath("routines")
    entries = sorted(
        (e for e in folder.iterdir() if e.name.endswith(".toml")), key=lambda e: e.name
    )
    files = []
    for entry in entries:
        label = f"{BUILTIN}/{entry.name}"
        files.append((label, routines_of(_parse(entry.read_bytes(), label), label)))
    return files


@functools.lru_cache(maxsize=1)
def builtin_catalog() -> Catalog:
    """Only the shipped routines (read once), grouped by their first target."""
    merge = _Merge()
    errors = merge.layer(_builtin_files())
    if errors:
        raise CatalogError(errors)
    # Listed by main target, in the order of TARGETS ("rsi" first); stable within one.
    rank = {target: n for n, target in enumerate(TARGETS)}
    ordered = sorted(merge.routines.values(), key=lambda r: rank[r.targets[0]])
    merge.routines = {r.id: r for r in ordered}
    return merge.catalog()


def load_catalog(env: Mapping[str, str]) -> Catalog:
    """The shipped routines, then IT's folder, then the user's folder (paths from ``env``).

    Raises :class:`CatalogError` listing every problem of every site or user file.
    """
    builtin = builtin_catalog()
    merge = _Merge(dict((r.id, r) for r in builtin.routines), dict(builtin.origins))
    errors: list[str] = []
    for folder in (site_routines_dir(env), user_routines_dir(env)):
        files: list[tuple[str, list[Routine]]] = []
        try:
            paths_ = _folder(folder)
        except CatalogError as exc:
            errors += exc.lines
            continue
        for path in paths_:
            try:
                routines = load_file(path)
            except CatalogError as exc:
                errors += exc.lines
                continue
            if not routines:
                merge.notices.append(f"{path}: defines no routines")
            files.append((str(path), routines))
        errors += merge.layer(files)
    if errors:
        raise CatalogError(errors)
    return merge.catalog()
