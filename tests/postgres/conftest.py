"""What the PostgreSQL tests with real processes share: a counting SMTP server, and cases sent back in time."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from layani_flow.models import Case
from layani_flow.models.sla import CaseClock

from ..smtp_fakes import CountingSink, start_smtp, stop_smtp

BACK = dt.timedelta(days=90)


@pytest.fixture
def sink(smtp_port):
    sink = CountingSink()
    controller = start_smtp(sink, smtp_port)
    yield sink
    stop_smtp(controller)


def move_into_the_past(db, case_id: int) -> None:
    """As if the case had been filed 90 days ago: its clocks, deadline and times (the caller commits)."""
    case = db.session.get(Case, case_id)
    for clock in db.session.scalars(select(CaseClock).where(CaseClock.case_id == case_id)):
        clock.started_at, clock.due_at, clock.warn_at = clock.started_at - BACK, clock.due_at - BACK, clock.warn_at - BACK
    case.created_at, case.updated_at = case.created_at - BACK, case.updated_at - BACK
    case.next_deadline_at = case.next_deadline_at - BACK
