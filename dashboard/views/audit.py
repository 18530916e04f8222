"""The security audit page's logic, as pure functions: the filters as the query takes them,
the records as the table shows them, and the CSV (formula-neutralised, like every export)."""
from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from dashboard.export import Column, export_file
from dashboard.i18n import t
from queries import audit

COLUMNS = ("occurred_at", "user_name", "role", "source_ip", "what", "target", "outcome", "detail")


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def filters(user: Any, what: Any, outcome: Any, start: Any, end: Any) -> dict[str, Any]:
    """The page's inputs as ``queries.audit.records`` takes them; what is not a choice is no filter."""
    return {"user_name": user if isinstance(user, str) and user else None,
            "what": what if what in audit.WHATS else None,
            "outcome": outcome if outcome in audit.OUTCOMES else None,
            "start": _day(start), "end": _day(end)}


def rows(frame: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """The records as the table and the CSV show them (kinds and outcomes in ``lang``)."""
    out = []
    for record in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        row = {c: record.get(c) for c in COLUMNS}
        row["occurred_at"] = f"{record['occurred_at']:%Y-%m-%d %H:%M:%S}" if record["occurred_at"] is not None else ""
        row["what"] = t(f"audit.what.{record['what']}", lang)
        row["outcome"] = t(f"audit.outcome.{record['outcome']}", lang)
        row["role"] = t(f"login.role.{record['role']}", lang) if record["role"] else ""
        out.append({k: "" if v is None else str(v) for k, v in row.items()})
    return out


def columns(lang: str) -> list[Column]:
    return [Column(c, t(f"audit.col.{c}", lang)) for c in COLUMNS]


def csv_file(records: list[dict[str, Any]], lang: str, stamp: str) -> tuple[bytes, str]:
    return export_file(columns(lang), records, "csv", name=f"audit-{stamp}", sheet=t("audit.page", lang))
