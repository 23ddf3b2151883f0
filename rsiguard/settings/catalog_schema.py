"""The routine catalog's schema: pydantic models for one TOML file, and its error lines.

Every problem is one line naming the file, the routine (id, or ``#n`` without one), the
step and the field. A step's properties (``does``) are closed under what its picture
and the properties themselves imply, and the routine's contraindications are derived
from them (:mod:`rsiguard.core.routines.properties`). Imported only by the loader.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from rsiguard.core.durations import parse_duration
from rsiguard.core.routines.illustrations import ILLUSTRATIONS
from rsiguard.core.routines.model import CONTRAINDICATIONS, KINDS, SIDES, TARGETS, Routine, Step
from rsiguard.core.routines.properties import PROPERTIES, UNSUITABLE, closure, contraindications_of
from rsiguard.core.text import COLUMNS, MAX_BUBBLE_LINES, bubble_lines
from rsiguard.settings.sources import suggest, toml_value

#: How long a routine of each kind may last, in seconds (inclusive).
KIND_SECONDS: dict[str, tuple[float, float]] = {"micro": (20.0, 40.0), "rest": (180.0, 300.0)}
#: Longest step instruction: it has to fit a notification.
MAX_INSTRUCTION = 200

_ID = re.compile(r"[a-z0-9_]+")


class CatalogError(Exception):
    """Invalid routine files; ``str()`` is the user-facing message, one line per problem."""

    def __init__(self, message: str | Iterable[str]) -> None:
        self.lines = [message] if isinstance(message, str) else list(message)
        super().__init__("\n".join(self.lines))


# --- the schema ----------------------------------------------------------------------


def _unknown(what: str, value: str, known: Iterable[str]) -> ValueError:
    names = list(known)
    hint = suggest(value, names)
    did = f" (did you mean '{hint}'?)" if hint else ""
    return ValueError(f"{what} '{value}' is not known{did} (known: {', '.join(names)})")


def _member(what: str, known: Iterable[str]) -> AfterValidator:
    names = tuple(known)

    def check(value: str) -> str:
        if value not in names:
            raise _unknown(what, value, names)
        return value

    return AfterValidator(check)


def _routine_id(value: str) -> str:
    if not _ID.fullmatch(value):
        raise ValueError(f"id '{value}' must use only lowercase letters a-z, digits and _")
    return value


def _pace(value: object) -> float:
    shown = toml_value(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f'pace = {shown}: expected a duration such as "2s" or a number of seconds')
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise ValueError(f"pace = {shown}: {exc}") from None
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"pace = {shown}: must be more than 0 s")
    return seconds


_Text = Annotated[str, StringConstraints(min_length=1)]
_MODEL = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, allow_inf_nan=False)


class StepModel(BaseModel):
    """One ``[[routine.step]]`` table."""

    model_config = _MODEL
    instruction: Annotated[str, StringConstraints(min_length=1, max_length=MAX_INSTRUCTION)]
    seconds: float | None = Field(default=None, gt=0)
    reps: int | None = Field(default=None, ge=1)
    pace: Annotated[float | None, BeforeValidator(_pace)] = None
    side: Annotated[str, _member("side", SIDES)] = "both"
    illustration: Annotated[str, _member("illustration", ILLUSTRATIONS)] = "rest"
    cautions: list[_Text] = Field(default_factory=list)
    does: list[Annotated[str, _member("property", PROPERTIES)]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_length(self) -> StepModel:
        timed, counted = self.seconds is not None, self.reps is not None or self.pace is not None
        if timed and counted:
            raise ValueError("give either seconds or reps with pace, not both")
        if not timed and not counted:
            raise ValueError(
                'give its length: seconds, or reps with pace (e.g. reps = 5, pace = "2s")'
            )
        if self.reps is not None and self.pace is None:
            raise ValueError('reps needs a pace: the time per repetition (e.g. pace = "2s")')
        if self.pace is not None and self.reps is None:
            raise ValueError("pace needs reps: how many repetitions")
        return self

    def build(self) -> Step:
        """The plain :class:`Step`."""
        if self.reps is not None and self.pace is not None:
            seconds = self.reps * self.pace
        else:
            seconds = float(self.seconds or 0.0)
        return Step(
            instruction=self.instruction,
            seconds=seconds,
            side=self.side,
            illustration=self.illustration,
            cautions=tuple(self.cautions),
            reps=self.reps,
            pace_s=self.pace,
            does=closure(self.does, self.illustration),
        )


class RoutineModel(BaseModel):
    """One ``[[routine]]`` table."""

    model_config = _MODEL
    id: Annotated[str, AfterValidator(_routine_id)]
    title: _Text
    summary: str = ""
    kind: Annotated[str, _member("kind", KINDS)]
    targets: list[Annotated[str, _member("target", TARGETS)]] = Field(min_length=1)
    safety: list[_Text] = Field(min_length=1)
    contraindications: list[Annotated[str, _member("contraindication", CONTRAINDICATIONS)]] = Field(
        default_factory=list
    )
    step: list[StepModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _length_fits_kind(self) -> RoutineModel:
        low, high = KIND_SECONDS[self.kind]
        total = sum(s.build().seconds for s in self.step)
        if not low - 1e-9 <= total <= high + 1e-9:
            raise ValueError(
                f"kind '{self.kind}' must last {low:g} to {high:g} s, "
                f"steps add up to {round(total, 3):g} s"
            )
        return self

    @model_validator(mode="after")
    def _suits_its_targets(self) -> RoutineModel:
        # A routine may not be offered for a target whose own advice its steps contradict.
        for n, step in enumerate(self.step, 1):
            does = closure(step.does, step.illustration)
            for target in dict.fromkeys(self.targets):
                clash = sorted(does & UNSUITABLE.get(target, frozenset()))
                if clash:
                    raise ValueError(
                        f"step {n} does {', '.join(clash)}, which does not suit target "
                        f"'{target}': drop the target or change the step"
                    )
        return self

    @model_validator(mode="after")
    def _fits_a_bubble(self) -> RoutineModel:
        # Its safety notes open every step's bubble: too much text pushes the buttons off
        # the screen (the first routine ever adds the general notes).
        lines = bubble_lines(self.build(), first=True)
        if lines > MAX_BUBBLE_LINES:
            raise ValueError(
                f"its step bubbles would need {lines} lines (the safety notes and the longest "
                f"step, at {COLUMNS} characters a line; at most {MAX_BUBBLE_LINES}): shorten "
                "the safety notes or that step's instruction and cautions"
            )
        return self

    def build(self) -> Routine:
        """The plain :class:`Routine`; its contraindications follow from its steps.

        ``contraindications`` in the file can only add to what the steps imply.
        """
        steps = tuple(s.build() for s in self.step)
        derived = set(contraindications_of(s.does for s in steps)) | set(self.contraindications)
        return Routine(
            id=self.id,
            title=self.title,
            kind=self.kind,
            targets=tuple(dict.fromkeys(self.targets)),
            steps=steps,
            safety=tuple(self.safety),
            contraindications=tuple(c for c in CONTRAINDICATIONS if c in derived),
            summary=self.summary,
        )


# --- error lines -----------------------------------------------------------------------

_REASONS = {
    "int_type": "expected a whole number",
    "float_type": "expected a number",
    "finite_number": "expected a finite number",
    "string_type": "expected a string",
    "list_type": "expected a list",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
}


def _field(loc: Sequence[str | int]) -> str:
    """``('targets', 1)`` -> ``targets #2``: items counted from 1, as people count."""
    return " ".join(f"#{p + 1}" if isinstance(p, int) else p for p in loc)


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _raw(data: Any, loc: Sequence[str | int]) -> Any:
    for part in loc:
        found = (isinstance(part, int) and isinstance(data, list) and part < len(data)) or (
            isinstance(part, str) and isinstance(data, dict) and part in data
        )
        if not found:
            return None
        data = data[part]
    return data


def _reason(err: ErrorDetails, loc: Sequence[str | int], data: Any, keys: Iterable[str]) -> str:
    kind, ctx, name = err["type"], err.get("ctx") or {}, _field(loc)
    if kind == "extra_forbidden":
        hint = suggest(str(loc[-1]), keys)
        return f"unknown key '{loc[-1]}'" + (f" (did you mean '{hint}'?)" if hint else "")
    if kind == "missing":
        return f"{name} is missing"
    if kind == "value_error":
        return err["msg"].removeprefix("Value error, ")
    if kind in ("string_too_short", "too_short"):
        return (
            "has no steps: add [[routine.step]] tables"
            if name == "step"
            else f"{name} must not be empty"
        )
    if kind == "string_too_long":
        return (
            f"{name} is too long for a notification: keep it to {ctx.get('max_length')} characters"
        )
    if kind == "greater_than":
        reason = f"must be more than {_number(ctx.get('gt'))}"
    elif kind == "greater_than_equal":
        reason = f"must be at least {_number(ctx.get('ge'))}"
    else:
        reason = _REASONS.get(kind, err["msg"])
    raw = _raw(data, loc)
    return f"{name} = {toml_value(raw)}: {reason}" if raw is not None else f"{name}: {reason}"


def _error_lines(exc: ValidationError, data: dict[str, Any], where: str) -> list[str]:
    lines = []
    for err in exc.errors():
        loc: list[str | int] = list(err["loc"])
        prefix, part, keys = where, data, list(RoutineModel.model_fields)
        if len(loc) >= 2 and loc[0] == "step" and isinstance(loc[1], int):
            prefix = f"{where} step {loc[1] + 1}"
            part, loc, keys = _raw(data, loc[:2]), loc[2:], list(StepModel.model_fields)
        lines.append(f"{prefix}: {_reason(err, loc, part, keys)}")
    return lines


def routines_of(data: dict[str, Any], label: str) -> list[Routine]:
    """Validate the tables of one file; raises :class:`CatalogError` with every problem."""
    errors = [
        f"{label}: unknown key '{key}'"
        + (" (did you mean 'routine'?)" if suggest(key, ["routine"]) else "")
        for key in data
        if key != "routine"
    ]
    tables = data.get("routine", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        errors.append(f"{label}: routine must be an array of tables, written [[routine]]")
        tables = []
    routines: list[Routine] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables):
        raw_id = table.get("id")
        named = isinstance(raw_id, str) and raw_id.strip()
        where = (
            f"{label}: routine '{raw_id.strip()}'" if named else f"{label}: routine #{index + 1}"
        )
        try:
            routine = RoutineModel.model_validate(table).build()
        except ValidationError as exc:
            errors += _error_lines(exc, table, where)
            continue
        if routine.id in seen:
            errors.append(f"{where}: id is already used by routine #{seen[routine.id] + 1}")
            continue
        seen[routine.id] = index
        routines.append(routine)
    if errors:
        raise CatalogError(errors)
    return routines
