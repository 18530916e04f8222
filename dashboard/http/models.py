"""The API's query arguments and answers as pydantic models: what ``dashboard.http.contract``
parses a request's arguments with, and what ``/api/v1/openapi.json`` says each endpoint
answers. Bodies are ``queries.bodies`` (the write path checks them).

Answers allow fields beyond those named (``extra="allow"``): a field added to an answer
is no break of the contract, a field that changes its type is.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from dashboard.http.replies import EARLIEST, LATEST, TIME_RANGE, parse_time
from queries.contract import INT32, OneOf, Text, Whole, problem
from queries.resources import KINDS as RESOURCE_KINDS
from queries.vocabulary import LIGHTS, SOURCES, STATUSES
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
    """``GET /api/v1/playback``: the instant to show."""
    model_config = ConfigDict(extra="forbid")

    at: Text(40) = Field(None, description="an ISO 8601 time in the past (required)")


class NoArguments(BaseModel):
    """An endpoint that takes no query arguments."""
    model_config = ConfigDict(extra="forbid")


class Board(Answer):
    """The board at an instant: lights of the open matters, counts per cell, department loads."""
    as_of: Optional[str] = None


class EmergencyDeclaration(BaseModel):
    """``POST /api/v1/emergencies`` (checked by ``queries.emergency.check_declare``)."""
    model_config = ConfigDict(extra="allow", title="EmergencyDeclaration")

    title: Optional[str] = None
    level: Optional[str] = None
    kind: Optional[str] = None
    matter_id: Optional[int] = None
    commander: Optional[str] = None
    sign_alarm_min: Optional[int] = None
    area: Optional[dict[str, Any]] = Field(None, description='{"points": [[lon, lat], …], "radius_m": R}, '
                                                             '{"polygon": geometry} or {"geojson": …}')


class EmergencyAction(BaseModel):
    """``POST /api/v1/emergencies/{id}/actions`` (checked by ``queries.emergency.check_action``)."""
    model_config = ConfigDict(extra="allow", title="EmergencyAction")

    action: str


class Emergency(Answer):
    id: Optional[int] = None


class EmergencyList(Answer):
    items: list[dict[str, Any]]


class AreaCountsQuery(Period):
    """``GET /api/v1/areas.geojson``: cells or villages with their counts over [from, to)."""
    level: Text(40) = Field("cell", json_schema_extra={"enum": ["cell", "village"]},
                            description="cell or village (checked with the period: both problems told at once)")
