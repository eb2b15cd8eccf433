"""The calendar and the SLA policies are read once per change (services.office_settings): every process sees a
change at its next read, in any server, and a change that rolls back changes nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select

from layani_flow import create_app
from layani_flow.extensions import db as _db
from layani_flow.models.sla import CalendarException, SettingsStamp, SlaPolicy
from layani_flow.services import admin_settings, cases, office_settings
from layani_flow.services.calendar import load_calendar
from layani_flow.services.db import unit_of_work
from layani_flow.services.sla import terms_for

from ..timekit import wib
from .helpers import COMPLAINT, count_statements

MONDAY = dt.date(2026, 11, 30)
MONDAY_MORNING = wib(2026, 11, 30, 9, 0)


def _stamp() -> str | None:
    return _db.session.scalar(select(SettingsStamp.stamp).where(SettingsStamp.name == office_settings.DEADLINES))


def _complaint_resolution() -> tuple[str, int, str] | None:
    return terms_for(_Case("complaint", None), "resolution")


class _Case:
    def __init__(self, case_type: str, service: str | None) -> None:
        self.case_type, self.service = case_type, service


@pytest.fixture
def other_server(app_config):
    """A second app on the same database, as another gunicorn server or worker would be."""
    other = create_app(app_config)

    def run(work):
        with other.app_context():
            try:
                return work()
            finally:
                _db.session.remove()

    yield run
    with other.app_context():
        _db.engine.dispose()


def test_once_read_a_request_costs_one_small_statement_and_the_next_none(app, db, office):
    office_settings.current()
    with count_statements() as outside_requests:
        assert load_calendar().is_working(MONDAY_MORNING)
    assert outside_requests.count == 1  # the stamp: the calendar itself is kept
    with app.test_request_context(), count_statements() as in_a_request:
        load_calendar(), _complaint_resolution(), load_calendar()
    assert in_a_request.count == 1


def test_a_closed_day_saved_on_one_server_holds_on_the_other_at_its_next_read(app, db, office, other_server):
    assert other_server(lambda: load_calendar().is_working(MONDAY_MORNING))
    admin_settings.add_calendar_exception(office.admin, on=MONDAY, intervals="", note="Rapat kerja")
    assert not other_server(lambda: load_calendar().is_working(MONDAY_MORNING))
    row = db.session.scalars(select(CalendarException)).one()
    admin_settings.delete_calendar_exception(office.admin, row.id)
    assert other_server(lambda: load_calendar().is_working(MONDAY_MORNING))


def test_a_policy_saved_on_one_server_holds_on_the_other_at_its_next_read(app, db, office, other_server):
    before = other_server(_complaint_resolution)
    admin_settings.save_policy(office.admin, case_type="complaint", clock_name="resolution", service=None,
                               target="3d", warn_percent=50, escalate_every="2d")
    assert before != ("3d", 50, "2d")
    assert other_server(_complaint_resolution) == ("3d", 50, "2d")


def test_any_flush_of_the_rows_writes_a_new_stamp_even_outside_the_admin_pages(app, db, office):
    stamps = [_stamp()]
    with unit_of_work():
        db.session.add(CalendarException(on=MONDAY, intervals=[], note="Langsung", created_at=wib(2026, 11, 1, 8, 0)))
    stamps.append(_stamp())
    assert not load_calendar().is_working(MONDAY_MORNING)
    with unit_of_work():
        db.session.scalars(select(CalendarException)).one().intervals = [["08:00", "10:00"]]
    stamps.append(_stamp())
    assert load_calendar().is_working(MONDAY_MORNING)
    with unit_of_work():
        db.session.add(SlaPolicy(case_type="complaint", clock="resolution", target="3d", warn_percent=50,
                                 escalate_every="2d", created_at=wib(2026, 11, 1, 8, 0)))
    stamps.append(_stamp())
    assert _complaint_resolution() == ("3d", 50, "2d")
    with unit_of_work():
        db.session.delete(db.session.scalars(select(SlaPolicy)).one())
    stamps.append(_stamp())
    assert _complaint_resolution() != ("3d", 50, "2d")
    assert None not in stamps[1:] and len(set(stamps)) == len(stamps)  # none before on a truncated PostgreSQL


def test_a_change_that_rolls_back_leaves_the_stamp_and_the_calendar_as_they_were(app, db, office):
    stamp = _stamp()
    assert load_calendar().is_working(MONDAY_MORNING)
    with pytest.raises(RuntimeError), unit_of_work():
        db.session.add(CalendarException(on=MONDAY, intervals=[], note="Batal", created_at=wib(2026, 11, 1, 8, 0)))
        db.session.flush()
        assert not load_calendar().is_working(MONDAY_MORNING)  # the transaction itself sees its change
        raise RuntimeError("the rest of the change failed")
    assert _stamp() == stamp
    assert load_calendar().is_working(MONDAY_MORNING)


def test_without_a_stamp_row_the_first_change_writes_one(app, db, office, other_server):
    with unit_of_work():
        db.session.execute(delete(SettingsStamp))
    assert other_server(lambda: load_calendar().is_working(MONDAY_MORNING))
    admin_settings.add_calendar_exception(office.admin, on=MONDAY, intervals="", note="Rapat kerja")
    assert _stamp() is not None
    assert not other_server(lambda: load_calendar().is_working(MONDAY_MORNING))


def test_a_signed_in_request_reads_the_stamp_with_its_first_query(app, db, office, login_as, api):
    office_settings.current()
    case = cases.open_case("complaint", COMPLAINT, office.employee).case
    with count_statements() as by_the_api:
        filed = api(office.employee).post("/api/v1/cases", json={"type": "complaint", "fields": COMPLAINT})
    assert filed.status_code == 201 and filed.get_json()["sla"]["due_at"]
    stamp_reads = by_the_api.naming("settings_stamps")
    assert len(stamp_reads) == 1 and "api_tokens" in stamp_reads[0]  # the token's owner brought it
    web = login_as(office.officer)
    with count_statements() as by_a_page:
        assert web.get(f"/kasus/{case.id}").status_code == 200
    stamp_reads = by_a_page.naming("settings_stamps")
    assert len(stamp_reads) == 1 and "user_sessions" in stamp_reads[0]  # the session's row brought it


def test_a_change_made_in_the_request_holds_for_the_rest_of_it(app, db, office):
    office_settings.current()  # this app has loaded the settings under the current stamp
    with app.app_context(), app.test_request_context():  # a request of its own (its own g)
        office_settings.remember_stamp(_stamp())  # as the request's first query brings it
        with count_statements() as counted:
            assert load_calendar().is_working(MONDAY_MORNING)
        assert counted.count == 0
    with app.app_context(), app.test_request_context():  # a request of its own (its own g)
        office_settings.remember_stamp(_stamp())
        with unit_of_work():  # nothing in the request has read the settings yet
            db.session.add(CalendarException(on=MONDAY, intervals=[], note="Rapat", created_at=wib(2026, 11, 1, 8, 0)))
        assert not load_calendar().is_working(MONDAY_MORNING)  # not what the stamp brought said
