"""How :mod:`rsiguard.settings.config` turns pydantic's validation errors into user-facing lines.

Each line names the file (or variable), the key, the value and the reason. Lines are
bounded: keys and values are shown cut short, and a load reports at most
:data:`MAX_PROBLEMS` lines, then how many more there were, so that a hostile file gives a
short message quickly (it must fit a control-socket reply at ``rsiguard reload``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from rsiguard.settings.sources import (
    MAX_SHOWN,
    compact,
    env_var_name,
    shorten,
    shown,
    shown_key,
    suggest,
)

#: Error lines shown at most; the rest are counted (``... and N more problems``).
MAX_PROBLEMS = 20
#: Characters of one error line at most (a path, a key, a value, a reason).
MAX_LINE = 400


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
    "int_parsing_size": "integer too large",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "string_type": "expected a string",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
    "dict_type": "expected a table",
    "list_type": "expected a list",
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
        # difflib takes time quadratic in the name's length; a long one is no typo anyway.
        near = len(loc[-1]) <= MAX_SHOWN
        hint = suggest(loc[-1], schema.children.get(parent, [])) if near else None
        where = parent + "." if parent else ""
        return "unknown key" + (f" (did you mean {where}{hint}?)" if hint else "")
    if kind in _SIMPLE_REASONS:
        return _SIMPLE_REASONS[kind]
    if kind in ("too_short", "too_long"):
        least = kind == "too_short"
        n = ctx.get("min_length" if least else "max_length")
        entries = "entry" if n == 1 else "entries"
        return f"needs at least {n} {entries}" if least else f"may have at most {n} {entries}"
    if kind == "literal_error":
        return f"expected {ctx.get('expected')}"
    if kind in _LIMITS:
        name, text = _LIMITS[kind]
        bound = ctx.get(name)
        if isinstance(bound, int | float) and ".".join(loc) in schema.durations:
            return f"{text} {compact(bound)}"
        return f"{text} {bound:g}" if isinstance(bound, float) else f"{text} {bound}"
    return err["msg"].removeprefix("Value error, ")


class Problems:
    """The user errors of one load, bounded: the first :data:`MAX_PROBLEMS` lines (each cut
    to :data:`MAX_LINE` characters) are kept, the rest only counted. A file of 100 000 bad
    keys so gives a short message, quickly, that fits a control-socket reply."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.more = 0

    def __bool__(self) -> bool:
        return bool(self.lines)

    @property
    def full(self) -> bool:
        """Whether further problems are only counted."""
        return len(self.lines) >= MAX_PROBLEMS

    def add(self, line: str) -> None:
        """Record one problem."""
        if self.full:
            self.more += 1
        else:
            self.lines.append(shorten(line, MAX_LINE))

    def report(self) -> list[str]:
        """The lines to show, ending ``... and N more problems`` when some were left out."""
        if not self.more:
            return list(self.lines)
        return [*self.lines, f"... and {self.more} more problem{'s' if self.more > 1 else ''}"]


def _env_var(loc: tuple[str, ...], env_names: Mapping[str, str]) -> str:
    """The variable that set the key at ``loc`` (or inside it: ``routines.targets.0``)."""
    for end in range(len(loc), 0, -1):
        if ".".join(loc[:end]) in env_names:
            return env_names[".".join(loc[:end])]
    return env_var_name(".".join(loc))


def error_lines(
    exc: ValidationError,
    data: Mapping[str, Any],
    label: str,
    schema: SchemaInfo,
    into: Problems,
    env: tuple[Mapping[str, str], Mapping[str, str]] | None = None,
) -> None:
    """Add one line per error to ``into``: ``FILE: key = value: reason`` (``FILE: key:
    unknown key ...``), or ``environment VAR = value: reason`` when ``env`` is given as
    (dotted key -> variable, variable -> its text). Keys and values are shown cut short."""
    errors = exc.errors(include_url=False, include_input=False)
    for count, err in enumerate(errors):
        if into.full:
            into.more += len(errors) - count
            return
        loc = tuple(str(part) for part in err["loc"])
        key, reason, raw = shown_key(loc), _reason(err, loc, schema), _lookup(data, loc)
        if env is not None:
            var = _env_var(loc, env[0])
            text = env[1].get(var, raw)
            value = "" if text is _MISSING else f" = {shown(text)}"
            into.add(f"environment {var}{value}: {reason}")
        elif raw is _MISSING or err["type"] == "extra_forbidden":
            into.add(f"{label}: {key}: {reason}")
        else:
            into.add(f"{label}: {key} = {shown(raw)}: {reason}")
