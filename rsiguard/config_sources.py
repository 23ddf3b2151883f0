"""Building blocks of :mod:`rsiguard.config`: reading layer files, the environment layer,
and the pydantic-settings sources that merge them.

Part of the config layer: imports pydantic-settings, so only :mod:`rsiguard.config` imports it.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource

from rsiguard.core.durations import compact_duration

#: Prefix of every rsiguard environment variable.
ENV_PREFIX = "RSIGUARD_"
#: Separator of nested keys in environment variable names.
ENV_NESTED = "__"
#: ``RSIGUARD_*`` variables that are not configuration keys (upper case, without the prefix).
NOT_SETTINGS = frozenset({"SITE_DIR", "VENV", "CONFIG"})


class FileProblem(Exception):
    """A layer file cannot be read or parsed; ``str()`` is the full user-facing line."""


def read_toml(path: Path, *, missing_ok: bool) -> dict[str, Any] | None:
    """The tables of the TOML file at ``path``, or None when it is missing and ``missing_ok``.

    Raises :class:`FileProblem` naming the file for anything unreadable or invalid.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return None
        raise FileProblem(f"{path}: cannot read: No such file or directory") from None
    except OSError as exc:
        raise FileProblem(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblem(f"{path}: invalid TOML: not UTF-8 text ({exc.reason})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileProblem(f"{path}: invalid TOML: {exc}") from None


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables as flat dotted keys: ``{"a": {"b": 1}}`` -> ``{"a.b": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def toml_value(value: object) -> str:
    """``value`` written as a TOML value (strings quoted, booleans lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


def suggest(name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The closest of ``candidates`` to ``name``, if any is close enough."""
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def env_var_name(dotted: str) -> str:
    """The canonical environment variable of a dotted key: ``RSIGUARD_BREAKS__SNOOZE``."""
    return ENV_PREFIX + dotted.replace(".", ENV_NESTED).upper()


def split_env(
    env: Mapping[str, str], leaves: Iterable[str]
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Sort the ``RSIGUARD_*`` variables of ``env`` (names compared case-insensitively).

    Returns ``(settings, names, warnings)``: the variables that set a known key (as given),
    dotted key -> variable name as given, and one warning per variable that is not a setting.
    """
    by_var = {env_var_name(leaf): leaf for leaf in leaves}
    settings: dict[str, str] = {}
    names: dict[str, str] = {}
    warnings: list[str] = []
    for var in sorted(env):
        upper = var.upper()
        if not upper.startswith(ENV_PREFIX) or upper[len(ENV_PREFIX) :] in NOT_SETTINGS:
            continue
        leaf = by_var.get(upper)
        if leaf is None:
            hint = suggest(upper, by_var, cutoff=0.8)
            extra = f" (did you mean {hint}?)" if hint else ""
            warnings.append(f"environment {var} is not an rsiguard setting; ignored{extra}")
            continue
        settings[var] = env[var]
        names[leaf] = var
    return settings, names, warnings


class DataSource(PydanticBaseSettingsSource):
    """A pydantic-settings source serving tables already read (and attributed) by the loader."""

    def __init__(self, settings_cls: type[BaseSettings], data: Mapping[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = dict(data)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """The value of one top-level field (a table), as read."""
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        """All tables of this layer (a copy: merging must not alter the layer)."""
        return copy.deepcopy(self._data)


class MappingEnvSource(EnvSettingsSource):
    """pydantic-settings' environment source reading a given mapping instead of ``os.environ``.

    Names are matched case-insensitively, nested keys are separated by ``__``.
    """

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = dict(environ)
        super().__init__(
            settings_cls,
            case_sensitive=False,
            env_prefix=ENV_PREFIX,
            env_nested_delimiter=ENV_NESTED,
        )

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in self._environ.items()}


def compact(seconds: float) -> str:
    """Seconds in the form users write: ``20m``, ``1h30m``, ``0.5s``."""
    return compact_duration(seconds) if seconds == int(seconds) else f"{seconds:g}s"


@dataclass(frozen=True)
class SchemaInfo:
    """What error messages need to know about the schema."""

    #: dotted keys holding durations (limits are shown as ``10s``)
    durations: frozenset[str]
    #: dotted table ("" for the top) -> the names of its keys and sub-tables
    children: Mapping[str, list[str]]


_MISSING = object()
_SIMPLE_REASONS = {
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected an integer",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "string_type": "expected a string",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
    "dict_type": "expected a table",
}
_LIMITS = {
    "greater_than_equal": ("ge", "must be at least"),
    "greater_than": ("gt", "must be more than"),
    "less_than_equal": ("le", "must be at most"),
    "less_than": ("lt", "must be less than"),
}


def _lookup(data: Any, loc: tuple[str, ...]) -> Any:
    for part in loc:
        if not isinstance(data, Mapping) or part not in data:
            return _MISSING
        data = data[part]
    return data


def _reason(err: ErrorDetails, loc: tuple[str, ...], schema: SchemaInfo) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden":
        parent = ".".join(loc[:-1])
        hint = suggest(loc[-1], schema.children.get(parent, []))
        where = parent + "." if parent else ""
        return "unknown key" + (f" (did you mean {where}{hint}?)" if hint else "")
    if kind in _SIMPLE_REASONS:
        return _SIMPLE_REASONS[kind]
    if kind == "literal_error":
        return f"expected {ctx.get('expected')}"
    if kind in _LIMITS:
        name, text = _LIMITS[kind]
        bound = ctx.get(name)
        if isinstance(bound, int | float) and ".".join(loc) in schema.durations:
            return f"{text} {compact(bound)}"
        return f"{text} {bound:g}" if isinstance(bound, float) else f"{text} {bound}"
    return err["msg"].removeprefix("Value error, ")


def error_lines(
    exc: ValidationError,
    data: Mapping[str, Any],
    label: str,
    env_names: Mapping[str, str] | None,
    schema: SchemaInfo,
) -> list[str]:
    """One line per error: ``FILE: key = value: reason`` (``FILE: key: unknown key ...``), or
    ``environment VAR = value: reason`` when ``env_names`` (dotted key -> variable) is given."""
    lines = []
    for err in exc.errors():
        loc = tuple(str(part) for part in err["loc"])
        key, reason, raw = ".".join(loc), _reason(err, loc, schema), _lookup(data, loc)
        if env_names is not None:
            var = env_names.get(key, env_var_name(key))
            lines.append(f"environment {var} = {toml_value(raw)}: {reason}")
        elif raw is _MISSING or err["type"] == "extra_forbidden":
            lines.append(f"{label}: {key}: {reason}")
        else:
            lines.append(f"{label}: {key} = {toml_value(raw)}: {reason}")
    return lines
