"""The API's query arguments and answers as pydantic models: what ``dashboard.http.contract``
parses a request's arguments with, and what ``/api/v1/openapi.json`` says each endpoint
answers. Bodies are ``queries.bodies`` (the write path checks them).

Answers allow fields beyond those named (``extra="allow"``): a field added to an answer
is no break of the contract, a field that changes its type is.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Optional, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from dashboard.http.replies import EARLIEST, LATEST, TIME_RANGE, parse_time
from queries.contract import INT32, OneOf, Text, Whole, problem
from queries.emergency import ACTIONS as EMERGENCY_ACTIONS
from queries.resources import KINDS as RESOURCE_KINDS
from queries.vocabulary import EMERGENCY_KINDS, EMERGENCY_LOG_KINDS, LEVELS, LIGHTS, SOURCES, STATUSES, TASK_CLOCKS
from queries.warnings import METHODS, SEVERITIES

GROUPINGS = ("department", "village", "source", "category", "cell", "major", "township")
MAX_PAGE = 500
MAX_OFFSET = 10_000_000


# -- argument types ------------------------------------------------------------------------
def _time(value: Any) -> Any:
    if value is None or value == "":
        return None
    try:
        return parse_time(value)
    except (ValueError, TypeError):
        raise problem(f"an ISO 8601 date or time {TIME_RANGE}") from None


def _day(value: Any) -> date:
    if value is None or value == "":
        raise problem("required: a date as YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
        if not EARLIEST.date() <= day <= LATEST.date():
            raise ValueError(TIME_RANGE)
    except (ValueError, TypeError):
        raise problem(f"a date as YYYY-MM-DD {TIME_RANGE}") from None
    return day


TimeArg = Annotated[Optional[datetime], BeforeValidator(_time)]
DayArg = Annotated[date, BeforeValidator(_day)]
AmongOf = lambda values: Optional[list[OneOf(values, says=f"must be among {', '.join(values)}")]]  # noqa: E731
IntList = Optional[list[Whole(*INT32, says=f"must be whole numbers from {INT32[0]} to {INT32[1]}")]]
Words = Optional[list[Text(100, required=True, says="too long")]]


# -- query arguments (a list argument: repeated, or comma-separated) --------------------------
class MatterFilters(BaseModel):
    """Filters and paging of ``GET /api/v1/matters``."""
    model_config = ConfigDict(extra="forbid")

    status: AmongOf(STATUSES) = None
    light: AmongOf(LIGHTS) = None
    cell: Words = Field(None, description="grid cell codes")
    village: IntList = Field(None, description="village ids")
    department: IntList = Field(None, description="lead department ids")
    source: AmongOf(SOURCES) = None
    category: Words = Field(None, description="小类 codes")
    created_from: TimeArg = None
    created_to: TimeArg = None
    limit: Whole(1, MAX_PAGE) = 50
    offset: Whole(0, MAX_OFFSET) = 0


class Period(BaseModel):
    """A half-open period of days [from, to): ``from`` counts, ``to`` does not; from < to."""
    model_config = ConfigDict(extra="ignore")

    start: DayArg = Field(alias="from", description="the first day", examples=["2026-10-01"])
    end: DayArg = Field(alias="to", description="the day after the last (half-open: [from, to))",
                        examples=["2026-11-01"])


class IndicatorQuery(Period):
    by: OneOf(GROUPINGS, says=f"one of {', '.join(GROUPINGS)}") = "department"


class WarningFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    method: AmongOf(METHODS) = None
    severity: AmongOf(SEVERITIES) = None


# -- answers -------------------------------------------------------------------------------
class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class FieldProblem(BaseModel):
    model_config = ConfigDict(extra="forbid", title="FieldProblem")
    field: str
    problem: str
    value: Any = Field(description="what was sent, cut to 40 characters (a container: its JSON type's name)")


class ErrorBody(BaseModel):
    """The one shape of every error under /api/."""
    model_config = ConfigDict(extra="forbid", title="Error")
    status: int = Field(description="the HTTP status")
    error: str = Field(description="what went wrong, in one line")
    errors: list[FieldProblem] = Field(description="every field problem; empty unless the status is 422")


Time = Optional[str]
Num = Optional[float]


class Matter(Answer):
    """A matter as a write answers it."""
    id: int
    status: str
    source: str
    category: Optional[str]
    department_id: Optional[int]
    cell: Optional[str]
    village: Optional[str]
    lon: Num
    lat: Num
    level: Optional[str]
    created_at: str
    due_at: Time
    limit_min: Optional[int]
    updated_at: str


class MatterRow(Answer):
    id: int
    status: str
    light: Optional[str]
    remaining_min: Optional[int]
    source: str
    category: Optional[str]
    department_id: Optional[int]
    cell: Optional[str]
    village_id: Optional[int]
    lon: Num
    lat: Num
    created_at: str
    due_at: Time
    closed_at: Time
    description: Optional[str]


class MatterPage(Answer):
    items: list[MatterRow]
    total: int
    limit: int
    offset: int


class Event(Answer):
    seq: int
    action: str
    actor: Optional[str]
    occurred_at: str
    from_status: Optional[str]
    to_status: Optional[str]
    note: Optional[str]


class MatterDetail(MatterRow):
    events: list[Event]


class Rate(Answer):
    value: Num
    numerator: float
    denominator: float


class Summary(Answer):
    as_of: str
    data_version: int
    received_today: int
    closed_today: int
    open: int
    overdue: int
    due_soon: int
    on_time_closure_rate_30d: Rate
    satisfaction_rate_30d: Rate
    yellow_share: float


class IndicatorValue(Answer):
    value: Num
    numerator: Num
    denominator: Num


class IndicatorGroup(Answer):
    key: str
    name: Optional[str]
    name_en: Optional[str]
    indicators: dict[str, IndicatorValue]


class IndicatorDefinition(Answer):
    key: str
    name: str
    name_en: str
    unit: str
    denominator_rule: str
    numerator: dict[str, float]
    denominator: dict[str, float]


class Indicators(Answer):
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    by: str
    as_of: str
    indicators: list[IndicatorDefinition]
    groups: list[IndicatorGroup]


class RankedDepartment(Answer):
    dept_id: int
    code: Optional[str]
    name: Optional[str]
    rank: Optional[int]
    score: Num
    terms: list[dict[str, Any]]


class Ranking(Answer):
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    as_of: str
    score_terms: list[dict[str, Any]]
    volume_measure: str
    volume_points: float
    departments: list[RankedDepartment]


class WarningItem(Answer):
    key: str
    method: str
    severity: str
    scope: dict[str, Any]
    observed: Num
    expected: Num
    threshold: Num
    statistic: Num
    window: dict[str, Time]
    first_seen: Time
    last_seen: Time
    acknowledged: Optional[dict[str, Any]]
    drilldown: Optional[str]


class Warnings(Answer):
    as_of: str
    refreshed_at: Optional[str]
    warnings: list[WarningItem]


class Acknowledged(Answer):
    warning_key: str
    acknowledged_by: str
    acknowledged_at: str
    note: Optional[str]


# -- resources and what the desk asks about one matter ------------------------------------------
class ResourceQuery(BaseModel):
    """Filters of ``GET /api/v1/resources``."""
    model_config = ConfigDict(extra="forbid")

    kind: AmongOf(RESOURCE_KINDS) = None
    cell: Words = Field(None, description="grid cell codes")
    near: Text(60) = Field(None, description="lon,lat in WGS-84 degrees")
    radius_m: Text(30) = Field(None, description="metres around near (default 1000)")


class Resource(Answer):
    id: int
    kind: str
    name: Optional[str] = None
    distance_m: Num = None


class Resources(Answer):
    items: list[Resource]
    total: int


class Related(Answer):
    matter: int
    radius_m: float
    days: float
    items: list[dict[str, Any]]
    total: int


class Suggestion(Answer):
    matter: int
    candidates: list[dict[str, Any]]
    reason: Optional[str] = None


class ForecastQuery(BaseModel):
    """``GET /api/v1/forecasts``: which series, in which language."""
    model_config = ConfigDict(extra="forbid")

    by: OneOf(("major", "village", "township")) = "major"
    lang: OneOf(("zh", "en")) = None


class Forecasts(Answer):
    by: str
    series: list[dict[str, Any]]


# -- time playback and emergencies --------------------------------------------------------------
class PlaybackQuery(BaseModel):
    """``GET /api/v1/playback``: the instant to show (checked by ``dashboard.http.playback``:
    in the past, not before the working calendar's first day)."""
    model_config = ConfigDict(extra="forbid")

    at: Text(40, required=True) = Field(description="an ISO 8601 time in the past",
                                        examples=["2026-11-17T10:00:00+08:00"])


class NoArguments(BaseModel):
    """An endpoint that takes no query arguments."""
    model_config = ConfigDict(extra="forbid")


class Board(Answer):
    """The board at an instant: lights of the open matters (by matter id), counts per cell,
    department loads and the headline counts."""
    as_of: str
    counts: dict[str, int]
    cells: list[dict[str, Any]]
    departments: list[dict[str, Any]]
    lights: dict[str, OneOf(LIGHTS)]


class EmergencyArea(BaseModel):
    """An affected area: ``points`` with ``radius_m``, or a ``polygon``, or ``geojson``
    (checked by ``layers.area.build_area``)."""
    model_config = ConfigDict(extra="forbid", title="EmergencyArea")

    points: Optional[list[list[float]]] = Field(None, description="[[lon, lat], …] in WGS-84 degrees")
    radius_m: Optional[float] = Field(None, description="metres around the points, 1 to 20000")
    polygon: Optional[dict[str, Any]] = Field(None, description="a GeoJSON Polygon or MultiPolygon")
    geojson: Optional[Any] = Field(None, description="a GeoJSON geometry, Feature or FeatureCollection")


class EmergencyDeclaration(BaseModel):
    """``POST /api/v1/emergencies`` (checked by ``queries.emergency.check_declare``; without
    an ``area``, 500 m around the matter it is declared from)."""
    model_config = ConfigDict(extra="forbid", title="EmergencyDeclaration", json_schema_extra={"examples": [
        {"title": "暴雨内涝", "level": "larger", "kind": "flood",
         "area": {"points": [[119.38, 32.37]], "radius_m": 500}}]})

    title: Text(200, required=True)
    level: OneOf(LEVELS)
    kind: OneOf(EMERGENCY_KINDS)
    matter_id: Optional[Whole(1, 2**63 - 1)] = Field(None, description="a matter of level 较大 or above, or urgent")
    commander: Text(100) = Field(None, description="the signed-in user when not given")
    sign_alarm_min: Optional[float] = Field(None, ge=0.05, le=24 * 60, description="minutes (default 30)")
    area: Optional[EmergencyArea] = None


class EmergencyAction(BaseModel):
    """``POST /api/v1/emergencies/{id}/actions`` (checked by ``queries.emergency.check_action``):
    ``post_task`` takes ``department``, ``what``, ``minutes``, ``clock``; ``sign_task``,
    ``report_task`` (with ``text``), ``close_task`` a ``task`` number; ``log`` ``kind`` and
    ``text``; ``report_up`` ``text`` and ``to``; ``reply`` ``text``, ``reply_to``, ``from``;
    ``ack_alarm`` an ``alarm`` key; ``close`` a ``note``."""
    model_config = ConfigDict(extra="forbid", title="EmergencyAction", populate_by_name=True,
                              json_schema_extra={"examples": [{"action": "log", "kind": "note", "text": "雨势减弱"}]})

    action: OneOf(tuple(a for a in EMERGENCY_ACTIONS if a != "declare"))
    department: Optional[Union[int, Annotated[str, Field(max_length=100)]]] = None
    what: Text(500) = None
    minutes: Optional[Whole(1, 60 * 24 * 30)] = None
    clock: OneOf(TASK_CLOCKS) = Field(None, description="post_task: working or calendar (default)")
    task: Optional[Whole(1, 100_000)] = None
    kind: OneOf(EMERGENCY_LOG_KINDS) = Field(None, description="log: note (default), decision or call")
    text: Text(2000) = None
    to: Text(200) = None
    reply_to: Optional[Whole(1, 100_000)] = None
    sender: Text(200) = Field(None, alias="from")
    alarm: Text(60) = None
    note: Text(2000) = None


class Emergency(Answer):
    """A declared emergency as its row holds it."""
    id: int
    title: str
    level: str
    kind: str
    status: str


class EmergencyActed(Answer):
    """What an action wrote: the task, the log entry, the acknowledgement or the emergency."""
    task: Optional[dict[str, Any]] = None
    entry: Optional[dict[str, Any]] = None
    ack: Optional[dict[str, Any]] = None
    emergency: Optional[dict[str, Any]] = None


class EmergencyBoard(Answer):
    """An emergency's board at ``as_of``."""
    emergency: dict[str, Any]
    as_of: str
    tasks: list[dict[str, Any]]
    log: list[dict[str, Any]]
    reports: list[dict[str, Any]]
    alarms: list[dict[str, Any]]
    open_alarms: int
    inside: dict[str, Any]


class EmergencySummary(Answer):
    """The after-action summary (复盘)."""
    emergency: dict[str, Any]
    tasks: list[dict[str, Any]]


class EmergencyRow(Answer):
    emergency_id: int
    title: str
    level: str
    kind: str
    commander: Optional[str] = None
    status: str
    declared_at: Optional[str] = None
    closed_at: Optional[str] = None
    open_tasks: int


class EmergencyList(Answer):
    items: list[EmergencyRow]


class AreaCountsQuery(Period):
    """``GET /api/v1/areas.geojson``: cells or villages with their counts over [from, to)."""
    level: Text(40) = Field("cell", json_schema_extra={"enum": ["cell", "village"]},
                            description="cell or village (checked with the period: both problems told at once)")
