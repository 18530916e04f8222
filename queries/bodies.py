"""What a write takes, as pydantic models (``queries.contract``): a new matter (受理), an
action on a matter, the acknowledgement of a warning. The write path checks every body
against these (the API, Open311, the desk's buttons and the simulator all come through
it), and the API's OpenAPI document describes its bodies with them.

The checks that need the store (a category code, a department) and those between fields
(lon with lat, the one unit of an extension) stay in ``queries.writepath``.
"""
from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from queries import lifecycle
from queries.contract import Number, OneOf, Text, Whole, is_text, problem
from queries.vocabulary import LEVELS, SATISFACTION, SOURCES

MAX_TEXT = 2000
MAX_NOTE_CHARS = 1000
ACTIONS = tuple(a for a in lifecycle.TRANSITIONS if a != "accept")
EXTENSION_UNITS = ("minutes", "hours", "work_days")


def _department(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or (
            isinstance(value, str) and (len(value) > 100 or not is_text(value))):
        raise problem("a department id or code")
    return value


def _a_list(value: Any) -> Any:
    if value is not None and not isinstance(value, list):
        raise problem("must be a list")
    return value


# An id (any integer: one beyond INTEGER is simply unknown) or a code; the store says which exists.
Department = Annotated[Union[int, Annotated[str, Field(max_length=100)]], BeforeValidator(_department)]


class NewMatter(BaseModel):
    """A matter to register (受理). Give ``lon`` and ``lat`` together, or an ``address``."""
    model_config = ConfigDict(extra="forbid", title="NewMatter", json_schema_extra={"examples": [
        {"source": "public", "category": "0401", "description": "路灯不亮", "address": "甲路 1 号"},
        {"source": "grid", "category": "0401", "description": "路灯不亮", "lon": 119.38, "lat": 32.37}]})

    source: OneOf(SOURCES) = Field(description="上级交办 transfer, 巡查发现 inspection, 网格上报 grid, 群众反映 public")
    category: Text(20, required=True) = Field(description="the 小类 code, e.g. 0401")
    description: Text(MAX_TEXT, required=True)
    lon: Number(-180, 180) = Field(None, description="WGS-84 longitude")
    lat: Number(-90, 90) = Field(None, description="WGS-84 latitude")
    address: Text(300) = None
    reporter: Text(100) = None
    external_ref: Text(100) = Field(None, description="the reference of the source, e.g. a 12345 ticket")
    level: OneOf(LEVELS) = "general"
    actor: Text(100) = Field(None, description="set by the write path's callers; the API refuses it "
                                                "(the actor is the signed-in user)")


class MatterAction(BaseModel):
    """An action on a matter. ``dispatch`` takes ``department`` (and ``co_departments``),
    ``extend`` exactly one of ``minutes``, ``hours``, ``work_days``, ``follow_up`` a
    ``satisfaction``, ``merge`` the ``into`` matter's id; supervise, extend, suspend, return, void, reject, escalate and
    reopen need a ``note``."""
    model_config = ConfigDict(extra="forbid", title="MatterAction", json_schema_extra={"examples": [
        {"action": "supervise", "note": "请加快处置"}, {"action": "extend", "hours": 8, "note": "等材料"}]})

    action: OneOf(ACTIONS)
    actor: Text(100) = Field(None, description="the API refuses it (the actor is the signed-in user)")
    note: Text(MAX_TEXT) = None
    department: Department | None = Field(None, description="a department id or code")
    co_departments: Annotated[list[Department] | None, BeforeValidator(_a_list)] = None
    minutes: float | None = Field(None, gt=0)
    hours: float | None = Field(None, gt=0)
    work_days: float | None = Field(None, gt=0)
    satisfaction: OneOf(SATISFACTION) | None = None
    into: Whole(1, 2**63 - 1, says="the id of the original matter") | None = Field(
        None, description="merge: the id of the original this matter duplicates")


class Acknowledgement(BaseModel):
    """The acknowledgement of a warning; who acknowledges is the signed-in user."""
    model_config = ConfigDict(extra="forbid", title="Acknowledgement",
                              json_schema_extra={"examples": [{"note": "已安排核查"}]})

    note: Text(MAX_NOTE_CHARS, says=f"text of at most {MAX_NOTE_CHARS} characters", keep=True) = None
