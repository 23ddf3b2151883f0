"""Building blocks of :mod:`rsiguard.settings.config`: reading layer files, the environment layer,
the pydantic-settings sources that merge them, and values as messages show them.

Reading is bounded (see "Limits on configuration input" in docs/config.md): only a regular
file of at most 1 MiB is read, without ever blocking, and tables and arrays may nest at
most 20 levels, so that nothing after the read can take long or recurse without end.

Part of the config layer: imports pydantic-settings, so only
:mod:`rsiguard.settings.config` imports it.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import json
import math
import os
import re
import stat
import sys
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource

from rsiguard.core.durations import compact_duration

#: Prefix of every rsiguard environment variable.
ENV_PREFIX = "RSIGUARD_"
#: Separator of nested keys in environment variable names.
ENV_NESTED = "__"
#: ``RSIGUARD_*`` variables that are not configuration keys (upper case, without the prefix).
NOT_SETTINGS = frozenset({"SITE_DIR", "VENV", "CONFIG"})


#: Largest configuration file read: a real one is a few KiB. This bounds the time and
#: memory of everything after the read (parsing, validation, error messages).
MAX_FILE_BYTES = 1 << 20
#: Deepest nesting of tables and arrays accepted (a real file nests three levels). The
#: parser, pydantic and the helpers here recurse on the data.
MAX_DEPTH = 20
#: Characters of an offending key or value shown in an error message.
MAX_SHOWN = 60


class FileProblem(Exception):
    """A layer file cannot be read or parsed; ``str()`` is the full user-facing line."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return f"file type {stat.S_IFMT(mode):o}"


def _refuse_odd(path: Path, mode: int, size: int) -> None:
    if not stat.S_ISREG(mode):
        raise FileProblem(f"{path}: cannot read: not a regular file ({_kind(mode)})")
    if size > MAX_FILE_BYTES:
        raise FileProblem(f"{path}: cannot read: larger than 1 MiB ({size} bytes)")


def _read_bytes(path: Path) -> bytes:
    """The bytes of the regular file at ``path``, at most :data:`MAX_FILE_BYTES`.

    A FIFO, a socket or a device would block the reader (and so the validator) or never
    end, so anything but a regular file is refused before it is read: by ``stat`` first,
    so that no device is even opened, then by ``fstat`` on what was opened (the path may
    have changed in between). ``O_NONBLOCK`` keeps that open from waiting for a FIFO's
    writer. Raises OSError, or FileProblem for an odd or oversized file.
    """
    st = os.stat(path)
    _refuse_odd(path, st.st_mode, st.st_size)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    try:
        st = os.fstat(fd)
        _refuse_odd(path, st.st_mode, st.st_size)
        chunks, total = [], 0
        # Read to the end, not to st_size: the file may grow meanwhile (/proc files say 0).
        while chunk := os.read(fd, MAX_FILE_BYTES + 1 - total):
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_FILE_BYTES:
                raise FileProblem(f"{path}: cannot read: larger than 1 MiB")
    finally:
        os.close(fd)
    return b"".join(chunks)


def too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether tables and arrays in ``value`` nest more than ``limit`` levels (no recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Iterable[object] = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def read_toml(path: Path, *, missing_ok: bool) -> dict[str, Any] | None:
    """The tables of the TOML file at ``path``, or None when it is missing and ``missing_ok``.

    Raises :class:`FileProblem` naming the file for anything unreadable or invalid: not a
    regular file, larger than :data:`MAX_FILE_BYTES`, not UTF-8, not TOML, or nested deeper
    than :data:`MAX_DEPTH`.
    """
    try:
        raw = _read_bytes(path)
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
    deep = f"{path}: tables and arrays nested more than {MAX_DEPTH} levels deep"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileProblem(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested values recursively
        raise FileProblem(deep) from None
    except ValueError:
        # tomllib lets int()'s own limit through (CVE-2020-10735): a decimal integer longer
        # than sys.get_int_max_str_digits().
        digits = sys.get_int_max_str_digits()
        raise FileProblem(
            f"{path}: invalid TOML: an integer of more than {digits} digits"
        ) from None
    if too_deep(data):
        raise FileProblem(deep)
    return data


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
    if isinstance(value, int) and value.bit_length() > _INT_BITS:
        return hex(value)  # TOML too, and repr() refuses more than 4300 digits
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


# Integers up to this many bits are written in decimal (about 1200 digits).
_INT_BITS = 4000


def _trimmed(value: object, room: int) -> object:
    """``value`` with strings and containers cut to about ``room`` parts, so that showing
    the start of a megabyte value costs no more than showing a short one."""
    if isinstance(value, str):
        return value[: room + 1]
    if isinstance(value, list | tuple):
        return [_trimmed(v, room) for v in value[: room + 1]]
    if isinstance(value, Mapping):
        items = itertools.islice(value.items(), room + 1)
        return {str(k)[: room + 1]: _trimmed(v, room) for k, v in items}
    return value


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters, ending ``...`` when cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shown(value: object) -> str:
    """``value`` as TOML for an error message, at most :data:`MAX_SHOWN` characters."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"(an integer of {int(math.log10(abs(value))) + 1} digits)"
    return shorten(toml_value(_trimmed(value, MAX_SHOWN)))


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def shown_key(parts: Iterable[str]) -> str:
    """A dotted key for an error message: parts that are not bare TOML keys are quoted
    (``breaks."a\\nb"``, so that a line stays one line), the whole cut short."""
    quoted = (
        p if _BARE_KEY.fullmatch(p) else json.dumps(p[:MAX_SHOWN], ensure_ascii=False)
        for p in parts
    )
    return shorten(".".join(quoted))


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
        if leaf in names:
            # Names are case-insensitive, so both set the key; the later one (here and in
            # pydantic-settings' own lower-cased lookup) wins.
            warnings.append(f"environment {names[leaf]} and {var} both set {leaf}; using {var}")
        settings[var] = env[var]
        names[leaf] = var
    return settings, names, warnings


def checked_env_lists(
    settings: Mapping[str, str], examples: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """``settings`` without the list variables whose value is not a JSON list, and an error
    line for each of those (``examples``: dotted list key -> an example value).

    pydantic-settings decodes a list variable as JSON itself, but anything else
    (``rsi``, ``["rsi"``) makes it raise a SettingsError that says neither the variable
    nor the expected form; a deeply nested list makes json raise RecursionError.
    """
    by_var = {env_var_name(key): example for key, example in examples.items()}
    kept, errors = dict(settings), []
    for var, text in settings.items():
        example = by_var.get(var.upper())
        if example is None:
            continue
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            value = None
        if not isinstance(value, list):
            reason = f"expected a JSON list such as {example}"
        elif too_deep(value):
            reason = f"lists nested more than {MAX_DEPTH} levels deep"
        else:
            continue
        errors.append(f"environment {var} = {shown(text)}: {reason}")
        del kept[var]
    return kept, errors


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
