"""Every setting of the product, in one place.

Precedence: command-line argument > environment variable (``TOWNSHIP_<NAME>``) >
config file (TOML, path in ``TOWNSHIP_CONFIG``) > default. Units stand in the names.
This module sits in ``queries`` (the lowest layer) so that every layer can read it.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema, create_model

from queries import clock
from queries.contract import check_fields, problem

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db_path", str(REPO_ROOT / "data" / "township.duckdb"), "the DuckDB file"),
    Setting("host", "127.0.0.1", "address the server listens on"),
    Setting("port", 8050, "port the server listens on"),
    Setting("server_threads", 8, "worker threads of the WSGI server"),
    Setting("refresh_interval_s", 2, "how often open pages check for new data (a cheap version look-up)"),
    Setting("query_time_limit_ms", 10_000, "a query running longer is interrupted"),
    Setting("cache_timeout_s", 600, "how long a computed panel stays cached"),
    Setting("yellow_fraction", 0.25, "yellow light when less than this share of the limit is left"),
    Setting("office_hours", "08:30-12:00,13:30-17:30", "office hours of a working day"),
    Setting("sign_limit_work_days", 1, "a dispatched matter should be signed for within this"),
    Setting("follow_up_window_days", 7, "the desk lists closed matters not yet followed up (回访) for this many days"),
    Setting("duplicate_radius_m", 200.0, "matters of the same 小类 within this many metres (and duplicate_window_days) "
                                         "are shown as possible duplicates"),
    Setting("duplicate_window_days", 3, "… and within this many days of each other"),
    Setting("map_tile_url", "", "XYZ tile URL template ({z}/{x}/{y}); empty: no base map"),
    Setting("map_tile_attribution", "", "attribution shown for the tiles"),
    Setting("timezone", "Asia/Shanghai",
            "the center's time zone: every now, light and deadline is its wall-clock time"),
    Setting("language", "zh", "default language of the interface: zh or en"),
    Setting("dev_tools", False, "Dash dev tools (error overlay); for tests, never production"),
    Setting("login_max_failures", 5, "this many failed logins in a row lock the account"),
    Setting("login_lockout_min", 15, "how long a locked account stays locked, in minutes"),
    Setting("session_idle_min", 30, "a signed-in session unused this long ends"),
    Setting("behind_https", False, "served behind an HTTPS reverse proxy: session cookies are Secure"),
    Setting("open311_public_read", True, "Open311 GET (services, requests) answers without a login"),
    Setting("allowed_hosts", "127.0.0.1,localhost",
            "host names the Host header may carry (comma list; the serve host is added; * for any)"),
    Setting("frame_ancestors", "'none'",
            "who may frame the pages (CSP frame-ancestors), e.g. 'self' or a kiosk's origin"),
    Setting("api_max_body_kb", 1024, "a larger request body is refused (413) before it is read"),
    Setting("upload_max_mb", 200, "largest file the import page takes"),
    Setting("login_rate_per_min", 10, "sign-in attempts per minute from one address, and for one user name"),
    Setting("intake_rate_per_min", 600, "POST /api/v1/matters per minute for one token (or address)"),
    Setting("checkpoint_wal_mb", 2.0, "the server checkpoints once the WAL holds this many MB (memory stays flat)"),
    Setting("checkpoint_interval_s", 60.0, "and at least this often (seconds) while the WAL holds anything"),
    Setting("server_connection_limit", 500, "open connections the server takes; more wait in the listen backlog"),
    Setting("server_channel_timeout_s", 15,
            "a connection sending nothing (or a half-sent request) this long is closed"),
    Setting("screen_frame_ancestors", "'none'",
            "who may frame the big screen /screen (CSP frame-ancestors there), e.g. a video wall's origin"),
    Setting("screen_stale_s", 10,
            "the big screen's connection light turns red after this many seconds without an answer"),
    Setting("screen_rotate_s", 0, "the big screen swaps its side panels every this many seconds (0: never)"),
    Setting("chromium_path", "/usr/bin/chromium", "the headless Chromium that renders briefings to PDF"),
    Setting("briefing_dir", "", "where `brief --every` writes its files (empty: briefings/ beside the database)"),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    db_path: str
    host: str
    port: int
    server_threads: int
    refresh_interval_s: float
    query_time_limit_ms: int
    cache_timeout_s: int
    yellow_fraction: float
    office_hours: str
    sign_limit_work_days: int
    follow_up_window_days: int
    duplicate_radius_m: float
    duplicate_window_days: int
    map_tile_url: str
    map_tile_attribution: str
    timezone: str
    language: str
    dev_tools: bool
    login_max_failures: int
    login_lockout_min: int
    session_idle_min: int
    behind_https: bool
    open311_public_read: bool
    allowed_hosts: str
    frame_ancestors: str
    api_max_body_kb: int
    upload_max_mb: int
    login_rate_per_min: int
    intake_rate_per_min: int
    checkpoint_wal_mb: float
    checkpoint_interval_s: float
    server_connection_limit: int
    server_channel_timeout_s: int
    screen_frame_ancestors: str
    screen_stale_s: float
    screen_rotate_s: float
    chromium_path: str
    briefing_dir: str

    def with_overrides(self, **overrides: Any) -> "Settings":
        """Command-line values; None means "not given"."""
        return replace(self, **_checked({k: v for k, v in overrides.items() if v is not None}, ""))


class SettingsError(ValueError):
    pass


AT_LEAST_ONE = ("login_max_failures", "login_lockout_min", "session_idle_min", "api_max_body_kb",
                "upload_max_mb", "login_rate_per_min", "intake_rate_per_min")


def _kind(name: str, kind: type) -> Any:
    """A setting's type (its default's, as it always was): from the TOML file as it is, from
    the environment or the command line as text (a flag: 1/true/yes/on or 0/false/no/off/empty)."""
    says = f"cannot read it as {kind.__name__}"

    def read(value: Any) -> Any:
        if kind is bool and isinstance(value, str):
            word = value.strip().lower()
            if word in ("1", "true", "yes", "on"):
                return True
            if word in ("0", "false", "no", "off", ""):
                return False
        if kind is str and not isinstance(value, str) or kind is not str and isinstance(value, bool) != (kind is bool):
            raise problem(says)
        if kind in (int, float) and isinstance(value, str):
            try:
                value = kind(value.strip())
            except ValueError:
                raise problem(says) from None
        if kind is int and isinstance(value, float):
            raise problem(says)
        if name in AT_LEAST_ONE and value < 1:
            raise problem("must be at least 1")
        if name == "yellow_fraction" and not 0 < value < 1:
            raise problem("must lie between 0 and 1")
        if name == "language" and value not in ("zh", "en"):
            raise problem(f"{value!r} is not zh or en")
        return value

    schema = {"minimum": 1} if name in AT_LEAST_ONE else {"exclusiveMinimum": 0, "exclusiveMaximum": 1} if (
        name == "yellow_fraction") else {"enum": ["zh", "en"]} if name == "language" else {}
    return Annotated[kind, BeforeValidator(read), WithJsonSchema({"type": _JSON_TYPES[kind], **schema})]


_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}
# The settings file's model (queries.contract): every setting with its default and help line.
SettingsFile = create_model(
    "SettingsFile", __config__=ConfigDict(extra="forbid"),
    **{s.name: (_kind(s.name, type(s.default)), Field(s.default, description=s.help)) for s in SETTINGS})


def _checked(values: dict[str, Any], where: str) -> dict[str, Any]:
    """``values`` read and checked against ``SettingsFile``; SettingsError with every problem."""
    clean, errors = check_fields(SettingsFile, values, unknown="unknown setting")
    if errors:
        raise SettingsError("; ".join(f"{where}setting {e['field']}: {e['problem']} ({e['value']!r})"
                                      for e in errors))
    return {k: clean[k] for k in values}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    config_path = environ.get("TOWNSHIP_CONFIG")
    if config_path:
        try:
            with open(config_path, "rb") as fh:
                from_file = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"config file {config_path}: {exc}") from exc
        values.update(_checked(from_file, f"config file {config_path}: "))
    from_env = {s.name: environ[f"TOWNSHIP_{s.name.upper()}"] for s in SETTINGS
                if f"TOWNSHIP_{s.name.upper()}" in environ}
    values.update(_checked(from_env, ""))
    settings = Settings(**values)
    try:
        clock.check_zone(settings.timezone)
    except clock.ClockError as exc:
        raise SettingsError(str(exc)) from exc
    return settings


def office_segments(office_hours: str) -> tuple[int, int, int, int]:
    """'08:30-12:00,13:30-17:30' → minutes (510, 720, 810, 1050). One segment is allowed."""
    try:
        parts = [p.strip() for p in office_hours.split(",") if p.strip()]
        spans = []
        for part in parts:
            a, b = part.split("-")
            spans.append(tuple(int(h) * 60 + int(m) for h, m in (a.split(":"), b.split(":"))))
    except ValueError as exc:
        raise SettingsError(f"setting office_hours: cannot read {office_hours!r}") from exc
    if len(spans) == 1:
        spans.append((spans[0][1], spans[0][1]))
    if len(spans) != 2 or not (0 <= spans[0][0] <= spans[0][1] <= spans[1][0] <= spans[1][1] <= 1440):
        raise SettingsError(f"setting office_hours: {office_hours!r} is not one or two ordered spans")
    return spans[0][0], spans[0][1], spans[1][0], spans[1][1]


SETTING_NAMES = tuple(f.name for f in fields(Settings))
