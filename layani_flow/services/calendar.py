"""The office calendar as configured: the week from config, closed and shortened days from the database."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from flask import current_app, g, has_request_context
from sqlalchemy import Select, select

from ..extensions import db
from ..models.sla import CalendarException
from ..working_time import DEFAULT_WEEK, WorkingCalendar


def _week() -> dict:
    configured = current_app.config.get("WORKING_WEEK")
    if not configured:
        return DEFAULT_WEEK
    # {"0": [["07:30", "12:00"], …], …} as it can be written in instance/config.py or JSON.
    return {int(day): tuple((dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in spans)
            for day, spans in configured.items()}


def load_calendar() -> WorkingCalendar:
    """Built once per request (or per sweep): the exceptions table is small."""
    if has_request_context() and "working_calendar" in g:
        return g.working_calendar
    rows = db.session.scalars(_exceptions_query()).all()
    exceptions = {row.on: tuple((dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in row.intervals)
                  for row in rows}
    calendar = WorkingCalendar(week=_week(), exceptions=exceptions)
    if has_request_context():
        g.working_calendar = calendar
    return calendar


@lru_cache(maxsize=1)
def _exceptions_query() -> Select[tuple[CalendarException]]:
    return select(CalendarException)  # built once: every filing and step loads the calendar


def working_days(first: dt.date, last: dt.date) -> int:
    """Working days from `first` to `last`, both included, under the configured calendar."""
    return load_calendar().working_days(first, last)
