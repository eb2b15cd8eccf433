"""What deadlines are computed from (the working calendar and the active SLA policies), read again only after a
change.

Every filing and step needs both, and both change a few times a year, from the admin pages. A flush that writes
a CalendarException or an SlaPolicy also writes a new random stamp into `settings_stamps`, in the same
transaction, so the stamp is published exactly with the change. A request reads that one row and reuses what this
app last loaded under the same stamp (`current`). Every server and worker sees a change at its next request:
nothing outlives a change, and nothing waits for a cache to expire.

A signed-in request's first query (the session's row, or the API token's owner) brings the stamp along
(`stamp_column`, `remember_stamp`), so the request asks no statement of its own for it.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from flask import current_app, g, has_request_context
from sqlalchemy import Select, Table, event, select

from ..extensions import db
from ..models.sla import CalendarException, SettingsStamp, SlaPolicy
from ..working_time import DEFAULT_WEEK, WorkingCalendar
from .db import conflict_insert

DEADLINES = "deadlines"  # the stamp's row: what deadlines are computed from
_HELD = "office_settings"  # in app.extensions (this app's last load) and in g (this request's)
_STAMP_READ = "office_settings_stamp"  # in g: the stamp the request's first query brought
_NOT_READ = object()


@dataclass(frozen=True)
class ActivePolicy:
    """An active SlaPolicy's terms, as held between requests (plain values: no session owns them)."""

    id: int
    case_type: str
    service: str | None
    clock: str
    target: str
    warn_percent: int
    escalate_every: str


@dataclass(frozen=True)
class OfficeSettings:
    stamp: str | None
    calendar: WorkingCalendar
    policies: Mapping[str, tuple[ActivePolicy, ...]]  # by case type

    def policies_for(self, case_type: str) -> tuple[ActivePolicy, ...]:
        return self.policies.get(case_type, ())


def current() -> OfficeSettings:
    """The calendar and policies in force: one small read a request (the stamp), a full one after a change."""
    if has_request_context() and _HELD in g:
        return cast(OfficeSettings, g.get(_HELD))
    brought = g.pop(_STAMP_READ, _NOT_READ) if has_request_context() else _NOT_READ
    stamp = db.session.scalar(_stamp_query()) if brought is _NOT_READ else cast(str | None, brought)
    held: OfficeSettings | None = current_app.extensions.get(_HELD)
    if held is None or held.stamp != stamp:
        held = current_app.extensions[_HELD] = _load(stamp)
    if has_request_context():
        setattr(g, _HELD, held)
    return held


def stamp_column() -> Any:
    """The stamp as a column a request's first query can carry (None when the row is missing)."""
    return _stamp_query().scalar_subquery().label("settings_stamp")


def remember_stamp(stamp: str | None) -> None:
    """What `stamp_column` read, for this request's `current` (read in the request's first transaction, as
    `current` would have read it)."""
    if has_request_context() and _HELD not in g:
        setattr(g, _STAMP_READ, stamp)


def _load(stamp: str | None) -> OfficeSettings:
    exceptions = {on: _intervals(spans) for on, spans in db.session.execute(_exceptions_query())}
    policies: dict[str, list[ActivePolicy]] = defaultdict(list)
    for row in db.session.execute(_policies_query()):
        policies[row.case_type].append(ActivePolicy(**row._mapping))
    return OfficeSettings(stamp, WorkingCalendar(week=_week(), exceptions=exceptions),
                          {case_type: tuple(rows) for case_type, rows in policies.items()})


def _week() -> dict:
    configured = current_app.config.get("WORKING_WEEK")
    if not configured:
        return DEFAULT_WEEK
    # {"0": [["07:30", "12:00"], …], …} as it can be written in instance/config.py or JSON.
    return {int(day): _intervals(spans) for day, spans in configured.items()}


def _intervals(spans: list[list[str]]) -> tuple[tuple[dt.time, dt.time], ...]:
    """[["07:30", "12:00"], …] as stored (a calendar exception) or configured (the week)."""
    return tuple((dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in spans)


# Built once: every request that computes a deadline runs the first.
@lru_cache(maxsize=1)
def _stamp_query() -> Select[tuple[str]]:
    stamps = _table(SettingsStamp)
    return select(stamps.c.stamp).where(stamps.c.name == DEADLINES)


@lru_cache(maxsize=1)
def _exceptions_query() -> Select[Any]:
    exceptions = _table(CalendarException)
    return select(exceptions.c.on, exceptions.c.intervals)


@lru_cache(maxsize=1)
def _policies_query() -> Select[Any]:
    policies = _table(SlaPolicy)
    return (select(*(policies.c[name] for name in ActivePolicy.__dataclass_fields__))
            .where(policies.c.is_active).order_by(policies.c.id))


def _table(model: type) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


@event.listens_for(CalendarException, "after_insert")
@event.listens_for(CalendarException, "after_update")
@event.listens_for(CalendarException, "after_delete")
@event.listens_for(SlaPolicy, "after_insert")
@event.listens_for(SlaPolicy, "after_update")
@event.listens_for(SlaPolicy, "after_delete")
def _restamp(mapper, connection, target) -> None:
    """Every writer of these rows goes through the flush, so none can forget to say it changed them. (A bulk
    UPDATE or DELETE statement would skip these events: change the rows as objects, as admin_settings does.)"""
    statement = conflict_insert(_table(SettingsStamp)).values(name=DEADLINES, stamp=uuid.uuid4().hex)
    connection.execute(statement.on_conflict_do_update(index_elements=["name"],
                                                       set_={"stamp": statement.excluded.stamp}))
    if has_request_context():  # the rest of this request computes with the change
        g.pop(_HELD, None)
        g.pop(_STAMP_READ, None)
