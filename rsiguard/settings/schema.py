"""The schema of the configuration: every key, its type, default and limits (pydantic).

Every number has an upper bound as well as a lower one, checked where the value enters,
so that no value a user, IT or a hostile environment writes can overflow a timer or a
counter later (``pause.max = 1e300`` is an error naming the key and the limit, not a
crash at the first ``rsiguard pause``). Lists are bounded in length too. Part of the
config layer: only :mod:`rsiguard.settings.config` imports it.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from rsiguard.core.durations import DurationTooLong, compact_duration, parse_duration
from rsiguard.core.policy import BreakPolicy, IntensityPolicy, Policy
from rsiguard.core.routines.model import CONTRAINDICATIONS, TARGETS
from rsiguard.settings.errors import SchemaInfo

_DEFAULT = Policy()

#: Upper bounds (seconds). A day for anything measured in active time; an hour for what
#: only postpones or detects a break. docs/config.md and config/rsiguard.toml list them.
DAY = 86400.0
HOUR = 3600.0
#: Upper bounds of the intensity weights (the defaults are 0.5 to 120).
MAX_BASELINE = 100000.0
MAX_WEIGHT = 1000.0
#: Longest list of ids (each vocabulary has about ten; longer lists are only repeats).
MAX_IDS = 100


class _DurationMark:
    """Marks fields holding seconds parsed from a duration (shown as ``20m`` again)."""


_DURATION = _DurationMark()


def _seconds_up_to(limit: float) -> Callable[[object], float]:
    """A validator reading a duration of at most ``limit`` seconds.

    The limit is checked here rather than with ``Field(le=...)`` so that a duration too
    long for a float (``1e400``, a 400-digit integer) gets the same message as ``25h``.
    """

    def to_seconds(value: object) -> float:
        if not isinstance(value, str | int | float):
            raise ValueError("expected a duration such as 30s, 20m or 1h30m")
        try:
            seconds = parse_duration(value)
        except DurationTooLong:
            seconds = limit + 1
        if seconds > limit:
            raise ValueError(f"must be at most {compact_duration(limit)}")
        return seconds

    return to_seconds


#: Seconds, written as ``30s``, ``20m``, ``1h30m`` or a plain number; at most a day.
Duration = Annotated[float, BeforeValidator(_seconds_up_to(DAY)), _DURATION]
#: The same, at most a week.
WeekDuration = Annotated[float, BeforeValidator(_seconds_up_to(7 * DAY)), _DURATION]
#: The same, at most an hour.
ShortDuration = Annotated[float, BeforeValidator(_seconds_up_to(HOUR)), _DURATION]

_SECTION = ConfigDict(extra="forbid", allow_inf_nan=False)


class MicroBreakSettings(BaseModel):
    """``[breaks.micro]``: short, frequent breaks."""

    model_config = _SECTION
    interval: Duration = Field(default=float(_DEFAULT.micro.interval), ge=10)
    duration: Duration = Field(default=float(_DEFAULT.micro.duration), ge=1)
    min_interval: Duration = Field(default=float(_DEFAULT.micro_min_interval), ge=10)


class RestBreakSettings(BaseModel):
    """``[breaks.rest]``: longer, rarer breaks."""

    model_config = _SECTION
    interval: Duration = Field(default=float(_DEFAULT.rest.interval), ge=10)
    duration: Duration = Field(default=float(_DEFAULT.rest.duration), ge=1)


class BreaksSettings(BaseModel):
    """``[breaks]``: both kinds of break and what the user may do about them."""

    model_config = _SECTION
    micro: MicroBreakSettings = Field(default_factory=MicroBreakSettings)
    rest: RestBreakSettings = Field(default_factory=RestBreakSettings)
    snooze: ShortDuration = Field(default=float(_DEFAULT.snooze), ge=1)
    max_snoozes: int = Field(default=_DEFAULT.max_snoozes, ge=0, le=10)
    allow_skip: bool = _DEFAULT.allow_skip
    strict: bool = _DEFAULT.strict
    daily_limit: Duration = Field(default=float(_DEFAULT.daily_limit), ge=0)
    weekly_limit: WeekDuration = Field(default=float(_DEFAULT.weekly_limit), ge=0)


class PauseSettings(BaseModel):
    """``[pause]``: how long the user may pause reminders."""

    model_config = _SECTION
    max: Duration = Field(default=float(_DEFAULT.pause_max), gt=0)


class ActivitySettings(BaseModel):
    """``[activity]``: how input activity is watched."""

    model_config = _SECTION
    idle_threshold: ShortDuration = Field(default=float(_DEFAULT.idle_threshold), ge=1)
    backend: Literal["auto", "xrecord", "pynput", "evdev", "gnome", "wayland", "logind", "none"] = (
        "auto"
    )


class IntensitySettings(BaseModel):
    """``[intensity]``: the weights of the input-intensity heuristic."""

    model_config = _SECTION
    enabled: bool = _DEFAULT.intensity.enabled
    baseline: float = Field(default=_DEFAULT.intensity.baseline, gt=0, le=MAX_BASELINE)
    key_weight: float = Field(default=_DEFAULT.intensity.key_weight, ge=0, le=MAX_WEIGHT)
    click_weight: float = Field(default=_DEFAULT.intensity.click_weight, ge=0, le=MAX_WEIGHT)
    scroll_weight: float = Field(default=_DEFAULT.intensity.scroll_weight, ge=0, le=MAX_WEIGHT)
    pointer_weight: float = Field(default=_DEFAULT.intensity.pointer_weight, ge=0, le=MAX_WEIGHT)
    smoothing: float = Field(default=_DEFAULT.intensity.smoothing, gt=0, le=1)


class NotificationSettings(BaseModel):
    """``[notifications]``: how break reminders are shown."""

    model_config = _SECTION
    backend: Literal["auto", "dbus", "plyer", "log"] = "auto"
    #: Where a break offer's buttons go: the bubble, rsiguard's own small offer window
    #: beside a plain bubble, or (auto) the window where the bubble cannot carry them.
    offer: Literal["auto", "bubble", "window"] = "auto"


def _known(vocabulary: Mapping[str, str], what: str) -> Callable[[list[str]], list[str]]:
    """A validator accepting only ids from ``vocabulary`` (one source of truth: the model)."""

    def check(ids: list[str]) -> list[str]:
        unknown = [i for i in ids if i not in vocabulary]
        if unknown:
            # An unknown id can be megabytes long: show its start only.
            shown = unknown[0] if len(unknown[0]) <= 40 else unknown[0][:37] + "..."
            raise ValueError(f"unknown {what} {shown!r}; known: {', '.join(vocabulary)}")
        return ids

    return check


TargetIds = Annotated[list[str], AfterValidator(_known(TARGETS, "target"))]
AvoidIds = Annotated[list[str], AfterValidator(_known(CONTRAINDICATIONS, "condition"))]


class RoutineSettings(BaseModel):
    """``[routines]``: what the guided routines should help with, and what to avoid."""

    model_config = _SECTION
    targets: TargetIds = Field(default_factory=lambda: ["rsi"], min_length=1, max_length=MAX_IDS)
    avoid: AvoidIds = Field(default_factory=list, max_length=MAX_IDS)
    window: bool = _DEFAULT.window


class StatsSettings(BaseModel):
    """``[stats]``: the local statistics (rsiguard stats, rsiguard report)."""

    model_config = _SECTION
    retention_days: int = Field(default=90, ge=1, le=3650)


class CheckinSettings(BaseModel):
    """``[checkins]``: the discomfort check-in reminder."""

    model_config = _SECTION
    every_days: int = Field(default=7, ge=0, le=365)


class ConfigModel(BaseModel):
    """The whole schema; validates one layer alone (every field has a default)."""

    model_config = _SECTION
    breaks: BreaksSettings = Field(default_factory=BreaksSettings)
    pause: PauseSettings = Field(default_factory=PauseSettings)
    activity: ActivitySettings = Field(default_factory=ActivitySettings)
    intensity: IntensitySettings = Field(default_factory=IntensitySettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    routines: RoutineSettings = Field(default_factory=RoutineSettings)
    stats: StatsSettings = Field(default_factory=StatsSettings)
    checkins: CheckinSettings = Field(default_factory=CheckinSettings)


def _walk(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, str, bool]]:
    """``(dotted key, kind, is a duration)`` for every field of ``model``, depth first;
    kind is ``table``, ``list`` or ``value``."""
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield prefix + name, "table", False
            yield from _walk(ann, f"{prefix}{name}.")
        else:
            kind = "list" if typing.get_origin(ann) is list else "value"
            yield prefix + name, kind, any(m is _DURATION for m in info.metadata)


#: Every settable dotted key, in schema order.
KEYS: tuple[str, ...] = tuple(key for key, kind, _ in _walk(ConfigModel) if kind != "table")
DURATION_KEYS = frozenset(key for key, _, dur in _walk(ConfigModel) if dur)
#: List keys, with the example an error about a malformed list in the environment gives.
LIST_EXAMPLES = {"routines.targets": '["rsi", "eyes"]', "routines.avoid": '["ra_flare", "fever"]'}
assert set(LIST_EXAMPLES) == {key for key, kind, _ in _walk(ConfigModel) if kind == "list"}
_CHILDREN: dict[str, list[str]] = {}
for _key, _kind, _dur in _walk(ConfigModel):
    _CHILDREN.setdefault(_key.rpartition(".")[0], []).append(_key.rpartition(".")[2])
SCHEMA = SchemaInfo(durations=DURATION_KEYS, children=_CHILDREN)


def to_policy(model: ConfigModel, floor: float) -> Policy:
    """The plain policy of validated settings, with the micro-break floor in effect."""
    b, i = model.breaks, model.intensity
    return Policy(
        micro=BreakPolicy(interval=b.micro.interval, duration=b.micro.duration),
        # Without intensity the floor does nothing; it never lengthens the interval.
        micro_min_interval=min(floor, b.micro.interval),
        rest=BreakPolicy(interval=b.rest.interval, duration=b.rest.duration),
        snooze=b.snooze,
        max_snoozes=b.max_snoozes,
        allow_skip=b.allow_skip,
        strict=b.strict,
        daily_limit=b.daily_limit,
        weekly_limit=b.weekly_limit,
        pause_max=model.pause.max,
        idle_threshold=model.activity.idle_threshold,
        intensity=IntensityPolicy(
            enabled=i.enabled,
            baseline=i.baseline,
            key_weight=i.key_weight,
            click_weight=i.click_weight,
            scroll_weight=i.scroll_weight,
            pointer_weight=i.pointer_weight,
            smoothing=i.smoothing,
        ),
        targets=tuple(dict.fromkeys(model.routines.targets)),
        avoid=tuple(dict.fromkeys(model.routines.avoid)),
        window=model.routines.window,
    )
