"""The layered configuration: layers, validation, IT locks (pydantic + pydantic-settings).

Layers, lowest to highest: built-in defaults < ``$RSIGUARD_SITE_DIR/defaults.toml`` <
the user's file (``--config FILE`` replaces it) < ``RSIGUARD_*`` environment <
``$RSIGUARD_SITE_DIR/locked.toml``. Every key present in ``locked.toml`` is locked.

Each layer is first validated alone so that errors name their file (or variable), key,
value and reason; pydantic-settings then merges the layers deeply, and cross-field checks
run on the result. :func:`load` returns a :class:`Loaded` holding a plain
:class:`~rsiguard.core.policy.Policy`. This module imports pydantic: import it lazily.

The schema and its limits are in :mod:`rsiguard.settings.schema`, reading files and the
environment in :mod:`rsiguard.settings.sources`, error lines in :mod:`rsiguard.settings.errors`.
Whatever the input, a load ends in a :class:`ConfigError` of at most 21 short lines or a
configuration (docs/config.md, "Limits on configuration input"); anything else is a bug.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from rsiguard.base import paths
from rsiguard.settings.errors import Problems, error_lines
from rsiguard.settings.loaded import ConfigError, Loaded
from rsiguard.settings.schema import (
    DURATION_KEYS,
    KEYS,
    LIST_EXAMPLES,
    SCHEMA,
    ConfigModel,
    to_policy,
)
from rsiguard.settings.sources import (
    DataSource,
    FileProblem,
    MappingEnvSource,
    checked_env_lists,
    compact,
    flatten,
    read_toml,
    split_env,
    toml_value,
)

__all__ = ["KEYS", "ConfigError", "Loaded", "check_file", "load"]

#: The layer sources of the settings being built, highest priority first.
_LAYERS: ContextVar[tuple[PydanticBaseSettingsSource, ...]] = ContextVar(
    "rsiguard_config_layers", default=()
)


class RsiguardSettings(BaseSettings, ConfigModel):
    """The merged settings: pydantic-settings deep-merges the layers set up by :func:`load`."""

    model_config = SettingsConfigDict(extra="forbid", allow_inf_nan=False)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Keyword arguments, then the layers of the current :func:`load` (never ``os.environ``)."""
        return (init_settings, *_LAYERS.get())


def _shown(key: str, value: object) -> object:
    """A validated value as users write it (durations as ``20m``)."""
    if key in DURATION_KEYS and isinstance(value, int | float) and not isinstance(value, bool):
        return compact(value)
    return value


@dataclass
class _Layer:
    """One layer: its raw tables and the validated values of the keys it sets."""

    kind: Literal["site", "user", "env", "locked"]
    label: str
    data: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    env_names: dict[str, str] = field(default_factory=dict)
    env_vars: dict[str, str] = field(default_factory=dict)

    @property
    def locked(self) -> bool:
        """Whether this is IT's ``locked.toml``."""
        return self.kind == "locked"

    def origin(self, key: str) -> str:
        """Where ``key`` of this layer came from, for :attr:`Loaded.origins`."""
        if self.kind == "env":
            return f"env {self.env_names[key]}"
        return f"locked {self.label}" if self.locked else self.label

    def validate(self, problems: Problems, *, strict: bool) -> ConfigModel | None:
        """Check this layer alone against the schema; keep the normalized values it sets.

        Returns None, after adding the errors to ``problems``, when the layer is invalid.
        """
        try:
            model = ConfigModel.model_validate(self.data, strict=strict)
        except ValidationError as exc:
            env = (self.env_names, self.env_vars) if self.kind == "env" else None
            error_lines(exc, self.data, self.label, SCHEMA, problems, env)
            return None
        every = flatten(model.model_dump())
        self.values = {key: every[key] for key in flatten(self.data) if key in every}
        return model


FLOOR_KEY = "breaks.micro.min_interval"
#: Without an explicit ``breaks.micro.min_interval``, the floor is this share of the interval.
FLOOR_SHARE = 0.5
DERIVED = "default (half of breaks.micro.interval)"


@dataclass
class _Checked:
    """What the checks between fields found, and the micro-break floor in effect."""

    floor: float
    floor_origin: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _cross_check(
    model: ConfigModel, origin: Callable[[str], str], rank: Callable[[str], int]
) -> _Checked:
    """Checks between fields, blaming each key and where it came from.

    ``rank(key)`` orders the layers that set keys (-1: the built-in default), so that a
    floor from a lower layer never makes a higher layer's interval invalid.
    """
    b = model.breaks

    def item(key: str, seconds: float) -> str:
        return f"{key} = {toml_value(compact(seconds))} (from {origin(key)})"

    interval, floor = b.micro.interval, b.micro.min_interval
    derived = FLOOR_SHARE * interval
    floor_set = rank(FLOOR_KEY) >= 0
    checked = _Checked(floor, origin(FLOOR_KEY))
    if not floor_set:
        checked.floor, checked.floor_origin = derived, DERIVED
    elif floor > interval and model.intensity.enabled:
        if rank(FLOOR_KEY) < rank("breaks.micro.interval"):
            checked.floor, checked.floor_origin = derived, DERIVED
            checked.warnings.append(
                f"{item(FLOOR_KEY, floor)} is longer than "
                f"{item('breaks.micro.interval', interval)}; using half the interval "
                f"({compact(derived)}) instead"
            )
        else:
            fix = (
                f"set breaks.micro.interval to at least {compact(floor)}"
                if origin(FLOOR_KEY).startswith("locked")
                else "lower it, or remove it to use half the interval"
            )
            checked.errors.append(
                f"{item(FLOOR_KEY, floor)} must not be longer than "
                f"{item('breaks.micro.interval', interval)}: {fix}"
            )
    for kind, brk in (("micro", b.micro), ("rest", b.rest)):
        if brk.duration >= brk.interval:
            checked.errors.append(
                f"{item(f'breaks.{kind}.duration', brk.duration)} must be shorter than "
                f"{item(f'breaks.{kind}.interval', brk.interval)}: shorten the break or "
                "lengthen the interval"
            )
    return checked


def _moot_under_strict(model: ConfigModel, label: str, keys: Mapping[str, object]) -> list[str]:
    """Warnings for keys a file sets that its own strict mode makes meaningless."""
    if not model.breaks.strict:
        return []
    return [
        f"{key} (from {label}) has no effect: breaks.strict = true (from {label}) "
        "allows neither snoozing nor skipping"
        for key in ("breaks.allow_skip", "breaks.max_snoozes")
        if key in keys
    ]


def _read_layers(env: Mapping[str, str], user_file: Path | None) -> tuple[list[_Layer], list[str]]:
    """Read and validate every layer, lowest first; returns the layers and the env warnings.

    Raises :class:`ConfigError` with every problem of every layer.
    """
    site = paths.site_dir(env)
    if user_file is None and env.get("RSIGUARD_CONFIG"):
        user_file = Path(env["RSIGUARD_CONFIG"])
    user = (user_file, False) if user_file is not None else (paths.user_config_file(env), True)
    files: list[tuple[Literal["site", "user", "locked"], Path, bool]] = [
        ("site", site / "defaults.toml", True),
        ("user", *user),
        ("locked", site / "locked.toml", True),
    ]
    layers: list[_Layer] = []
    problems = Problems()
    for kind, path, missing_ok in files:
        try:
            data = read_toml(path, missing_ok=missing_ok)
        except FileProblem as exc:
            problems.add(str(exc))
            continue
        if data is not None:
            layers.append(_Layer(kind, str(path), data))
    settings, names, warnings = split_env(env, KEYS)
    settings, list_errors = checked_env_lists(settings, LIST_EXAMPLES)
    for line in list_errors:
        problems.add(line)
    if settings:
        data = MappingEnvSource(RsiguardSettings, settings)()
        env_layer = _Layer("env", "environment", data, env_names=names, env_vars=settings)
        # The environment sits just below locked.toml.
        at = len(layers) - 1 if layers and layers[-1].locked else len(layers)
        layers.insert(at, env_layer)
    for layer in layers:
        layer.validate(problems, strict=layer.kind != "env")
    if problems:
        raise ConfigError(problems.report())
    return layers, warnings


def _lock_warnings(layers: list[_Layer], locked: _Layer) -> list[str]:
    """A warning for each user or environment value that a different locked value overrides."""
    warnings = []
    for key, value in sorted(locked.values.items()):
        for layer in layers:
            if layer.kind not in ("user", "env") or layer.values.get(key, value) == value:
                continue
            where = f"environment {layer.env_names[key]}" if layer.kind == "env" else layer.label
            warnings.append(
                f"{key} = {toml_value(_shown(key, layer.values[key]))} from {where} is "
                f"overridden by locked value {toml_value(_shown(key, value))} "
                f"from {locked.label}"
            )
    return warnings


def load(env: Mapping[str, str], user_file: Path | None = None) -> Loaded:
    """Read, validate and merge every layer; ``user_file`` (``--config``) replaces the user's file.

    ``env`` is the process environment (never read from ``os.environ`` here). An explicit
    ``user_file`` (or ``$RSIGUARD_CONFIG``) must exist; missing implicit files are skipped.
    Raises :class:`ConfigError` naming the file or variable, key, value and reason.
    """
    layers, warnings = _read_layers(env, user_file)
    sources: list[PydanticBaseSettingsSource] = []
    for layer in reversed(layers):
        if layer.kind == "env":
            sources.append(MappingEnvSource(RsiguardSettings, layer.env_vars))
        else:
            sources.append(DataSource(RsiguardSettings, layer.data))
    token = _LAYERS.set(tuple(sources))
    try:
        merged = RsiguardSettings()
    except ValidationError as exc:
        problems = Problems()
        error_lines(exc, {}, "merged configuration", SCHEMA, problems)
        raise ConfigError(problems.report()) from None
    finally:
        _LAYERS.reset(token)

    origins: dict[str, str] = {}
    ranks: dict[str, int] = {}
    for key in KEYS:
        at = next((n for n in reversed(range(len(layers))) if key in layers[n].values), -1)
        origins[key] = layers[at].origin(key) if at >= 0 else "default"
        ranks[key] = at
    checked = _cross_check(merged, origins.__getitem__, ranks.__getitem__)
    if checked.errors:
        raise ConfigError(checked.errors)
    warnings += checked.warnings
    origins[FLOOR_KEY] = checked.floor_origin

    locked = next((layer for layer in layers if layer.locked), None)
    locked_keys = sorted(locked.values) if locked else []
    if locked is not None:
        warnings += _lock_warnings(layers, locked)
    flat = flatten(merged.model_dump())
    flat[FLOOR_KEY] = checked.floor
    return Loaded(
        policy=to_policy(merged, checked.floor),
        notify_backend=merged.notifications.backend,
        offer_mode=merged.notifications.offer,
        input_backend=merged.activity.backend,
        stats_retention_days=merged.stats.retention_days,
        checkin_every_days=merged.checkins.every_days,
        values={key: _shown(key, flat[key]) for key in sorted(flat)},
        origins=dict(sorted(origins.items())),
        sources=[layer.label for layer in layers],
        locked_keys=locked_keys,
        warnings=warnings,
    )


def check_file(path: Path) -> tuple[list[str], list[str]]:
    """Validate one file alone, as it would apply on top of the defaults (for IT, before
    deployment); returns the error lines (none when fine) and the warnings."""
    try:
        data = read_toml(path, missing_ok=False)
    except FileProblem as exc:
        return [str(exc)], []
    layer = _Layer("user", str(path), data or {})
    problems = Problems()
    model = layer.validate(problems, strict=True)
    if model is None:
        return problems.report(), []
    checked = _cross_check(
        model,
        lambda key: layer.label if key in layer.values else "default",
        lambda key: 0 if key in layer.values else -1,
    )
    return checked.errors, checked.warnings + _moot_under_strict(model, layer.label, layer.values)
