"""The one validation layer: pydantic 2 models of what comes in (request bodies, query
arguments, the settings file, an import's mapping TOML), and their problems said the one
way every caller reports them, ``{field, problem, value}``.

A model's fields use the types below, each of which says its own problem in the words the
API has always used ("must be one of …", "contains characters that are not text") and
checks what pydantic alone would let through: a 4,000-digit integer where a float belongs,
``²`` where digits belong, a lone surrogate, NUL. Fields are checked one by one
(``check_fields``), so every problem is reported at once and the fields that passed are
still at hand for the checks that need the store (a category code, a department).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any, Iterable, Literal

from annotated_types import Interval, MaxLen, MinLen
from pydantic import BaseModel, BeforeValidator, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError, PydanticUndefined

from queries.concurrency import Refusal

# What JSON text may carry but neither UTF-8 nor the store can: lone surrogates ("\ud800"
# as a JSON escape) and NUL.
NOT_TEXT = re.compile("[\x00\ud800-\udfff]")
ECHO_CHARS = 40
WHOLE = re.compile(r"-?[0-9]{1,20}")
INT32 = (-2**31, 2**31 - 1)
INT64 = (-2**63, 2**63 - 1)


class FieldErrors(Refusal, ValueError):
    """Invalid input: every problem, as {field, problem, value}. HTTP 422."""

    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__("; ".join(f"{e['field']}: {e['problem']}" for e in errors))
        self.errors = errors


def is_text(value: str) -> bool:
    """Whether ``value`` holds only characters a reply and the store can carry."""
    return NOT_TEXT.search(value) is None


def echo(value: Any) -> Any:
    """A rejected value as an error repeats it, always encodable: text cut to 40 characters
    (what is not text replaced by U+FFFD), an integer too long to read as its first digits,
    a container as the name of its JSON type."""
    if isinstance(value, str):
        cut = NOT_TEXT.sub("\ufffd", value[:ECHO_CHARS])
        return cut + "…" if len(value) > ECHO_CHARS else cut
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 15:
        digits = str(abs(value))
        return f"{'-' if value < 0 else ''}{digits[:15]}… ({len(digits)} digits)"
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return type(value).__name__


def field_name(name: Any) -> str:
    return NOT_TEXT.sub("\ufffd", str(name)[:ECHO_CHARS])


def problem(text: str, value: Any = PydanticUndefined) -> PydanticCustomError:
    """A field's problem in our words; ``value``: what to echo instead of the input."""
    ctx = {} if value is PydanticUndefined else {"echo": value}
    return PydanticCustomError("problem", text.replace("{", "{{").replace("}", "}}"), ctx)


# -- the field types -------------------------------------------------------------------------
def _text(max_len: int, required: bool, says: str | None, keep: bool):
    def check(value: Any) -> str | None:
        if value is None or (value == "" and not keep):
            if required:
                raise problem("required")
            return None
        if not isinstance(value, str):
            raise problem(says or "must be a string")
        if len(value) > max_len:
            raise problem(says or f"longer than {max_len} characters")
        if not is_text(value):
            raise problem(says or "contains characters that are not text")
        return value if keep else value.strip()
    return check


def Text(max_len: int, *, required: bool = False, says: str | None = None, keep: bool = False) -> Any:
    """Text of at most ``max_len`` characters, stripped, empty counting as absent (``keep``:
    as it is); ``says``: the one problem of every way it can be wrong."""
    kind = Annotated[str, MinLen(1), MaxLen(max_len)] if required else Annotated[str, MaxLen(max_len)]
    return Annotated[kind if required else kind | None, BeforeValidator(_text(max_len, required, says, keep))]


def _number(lo: float, hi: float):
    def check(value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise problem("must be a number")
        # Integers are compared as they are: a 4,000-digit one does not fit a float.
        if not lo <= value <= hi:
            raise problem(f"must lie between {lo} and {hi}")
        return float(value)
    return check


def Number(lo: float, hi: float) -> Any:
    """A JSON number from ``lo`` to ``hi`` (no NaN, no infinity), as a float."""
    return Annotated[Annotated[float, Interval(ge=lo, le=hi)] | None, BeforeValidator(_number(lo, hi))]


def _one_of(values: tuple[str, ...], says: str):
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in values:
            raise problem(says)
        return value
    return check


def OneOf(values: Iterable[str], *, says: str | None = None) -> Any:
    """One word of ``values``; ``says``: the problem otherwise (default "must be one of …")."""
    values = tuple(values)
    return Annotated[Literal[values], BeforeValidator(_one_of(values, says or f"must be one of {', '.join(values)}"))]


def _whole(lo: int, hi: int, says: str):
    def check(value: Any) -> int:
        # ASCII digits only: "²" and "٣" pass str.isdigit; int() reads the second as 3,
        # and pydantic's own parsing takes " 5", "5.0" and "1_0".
        if isinstance(value, str) and WHOLE.fullmatch(value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise problem(says)
        return value
    return check


def Whole(lo: int, hi: int, *, says: str | None = None) -> Any:
    """A whole number from ``lo`` to ``hi``, from JSON or from ASCII digits in a query string."""
    return Annotated[Annotated[int, Interval(ge=lo, le=hi)],
                     BeforeValidator(_whole(lo, hi, says or f"a whole number from {lo} to {hi}"))]


# -- checking ---------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _adapters(model: type[BaseModel]) -> dict[str, tuple[str, TypeAdapter, Any]]:
    """Per field: (its name in the input, an adapter checking it alone, its default)."""
    out = {}
    for name, info in model.model_fields.items():
        default = PydanticUndefined if info.is_required() else info.get_default(call_default_factory=True)
        kind = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        out[name] = (info.alias or name, TypeAdapter(kind), default)
    return out


def errors_of(exc: ValidationError, field: str | None = None, *, nested: bool = False) -> list[dict[str, Any]]:
    """pydantic's errors as ours: the field (``field``, or its whole location; with
    ``nested``, ``field`` and the location inside it), the problem in our words, and the
    value echoed safely."""
    out = []
    for e in exc.errors(include_url=False):
        ctx = e.get("ctx") or {}
        inside = [str(p) for p in e["loc"]] if nested or field is None else []
        name = ".".join([field, *inside] if field is not None else inside) or "body"
        says = {"missing": "required", "extra_forbidden": "unknown field"}.get(e["type"], e["msg"])
        value = ctx["echo"] if "echo" in ctx else (None if e["type"] == "missing" else echo(e.get("input")))
        out.append({"field": field_name(name), "problem": says, "value": value})
    return out


def check_fields(model: type[BaseModel], data: dict[str, Any], *, unknown_value: bool = True,
                 ignore: frozenset[str] = frozenset(), unknown: str = "unknown field",
                 nested: bool = False) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Check every field of ``data`` against ``model`` on its own: (the clean values of the
    fields that passed, by field name; every problem). A key the model does not know is
    ``unknown`` ("unknown field") when the model forbids extras (its value echoed when ``unknown_value``),
    else ignored; the fields in ``ignore`` are
    the caller's to check; ``nested``: a problem inside a field's table or list names where
    (``formats.delimiter``)."""
    adapters = {k: v for k, v in _adapters(model).items() if v[0] not in ignore}
    known = {alias for alias, _, _ in adapters.values()} | ignore
    extras = sorted(set(data) - known, key=str) if model.model_config.get("extra") == "forbid" else []
    errors = [{"field": field_name(k), "problem": unknown, "value": echo(data[k]) if unknown_value else None}
              for k in extras]
    clean: dict[str, Any] = {}
    for name, (alias, adapter, default) in adapters.items():
        if alias not in data and default is not PydanticUndefined:
            clean[name] = default
            continue
        try:       # a missing required field: the problem its type finds with null
            clean[name] = adapter.validate_python(data.get(alias))
        except ValidationError as exc:
            errors.extend(errors_of(exc, alias, nested=nested))
    return clean, errors


def parse(model: type[BaseModel], data: dict[str, Any], **kwargs: Any) -> BaseModel:
    """``data`` as ``model``, or FieldErrors with every problem."""
    clean, errors = check_fields(model, data, **kwargs)
    if errors:
        raise FieldErrors(errors)
    return model.model_construct(**clean)
