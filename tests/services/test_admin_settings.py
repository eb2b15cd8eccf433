"""Admin settings as services: SLA policies (history kept, only new clocks affected) and calendar exceptions
(validated, unique per date, seen by the next deadline computed)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from layani_flow.models import CalendarException, CaseClock, SlaPolicy
from layani_flow.services import admin_settings
from layani_flow.services import cases as case_service
from layani_flow.services.calendar import load_calendar
from layani_flow.services.errors import InvalidInput, NotFound
from layani_flow.services.sla import terms_for

from ..timekit import wib
from .helpers import COMPLAINT, KGB


def _policy(admin, **overrides):
    terms = {"case_type": "service_request", "clock_name": "resolution", "service": "kgb", "target": "10d",
             "warn_percent": 80, "escalate_every": "4h", **overrides}
    return admin_settings.save_policy(admin, **terms)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# -- validation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, spans", [
    ("", []), ("   ", []), ("08:00-12:00", [["08:00", "12:00"]]),
    ("08:00-12:00, 13:00-15:00", [["08:00", "12:00"], ["13:00", "15:00"]]),
    ("07.30 - 11.30; 12:00-12:30", [["07:30", "11:30"], ["12:00", "12:30"]]),
    ("08:00-12:00,12:00-13:00", [["08:00", "12:00"], ["12:00", "13:00"]]),  # touching is not overlapping
])
def test_intervals_parse(text, spans):
    assert admin_settings.parse_intervals(text) == spans


@pytest.mark.parametrize("text, message", [
    ("8-12", "tidak sesuai format"), ("08:00", "tidak sesuai format"), ("25:00-26:00", "tidak sesuai format"),
    ("08:60-09:00", "tidak sesuai format"), ("12:00-08:00", "jam selesai harus sesudah jam mulai"),
    ("08:00-08:00", "jam selesai harus sesudah jam mulai"), ("08:00-12:00, 11:00-13:00", "tumpang tindih"),
    ("13:00-15:00, 08:00-12:00", "tumpang tindih"), ("08:00-12:00 13:00-15:00", "tidak sesuai format"),
])
def test_bad_intervals_are_refused(text, message):
    with pytest.raises(InvalidInput) as caught:
        admin_settings.parse_intervals(text)
    assert message in caught.value.errors["intervals"][0]


@pytest.mark.parametrize("text, ok", [
    ("2d", True), ("8h", True), ("90m", True), ("0d", True), ("260d", True), (" 4H ", True),
    ("0h", False), ("0m", False), ("261d", False), ("99999999d", False), ("2x", False), ("d", False),
    ("", False), (None, False), ("1.5d", False), ("-1d", False),
])
def test_durations(text, ok):
    assert (admin_settings.duration_problem(text) is None) is ok


# -- SLA policies ----------------------------------------------------------------------------------

def test_saving_a_policy_deactivates_the_previous_one_for_the_same_key_only(db, office):
    general = _policy(office.admin, service=None, target="7d")
    first = _policy(office.admin)
    second = _policy(office.admin, target="12d", warn_percent=60)
    other_clock = _policy(office.admin, clock_name="first_response", target="4h")
    rows = {p.id: p for p in db.session.scalars(select(SlaPolicy)).all()}
    assert not rows[first.id].is_active
    assert rows[second.id].is_active and rows[general.id].is_active and rows[other_clock.id].is_active
    assert rows[second.id].created_by_id == office.admin.id
    history = admin_settings.policy_history()
    assert [p.id for p, _ in history][:2] == [other_clock.id, second.id] and history[0][1] == office.admin.name


@pytest.mark.parametrize("overrides, field", [
    ({"case_type": "kopi"}, "case_type"),  # no such case type ("chat" is one now)
    ({"case_type": "complaint", "clock_name": "external", "service": None}, "clock"),
    ({"case_type": "complaint", "service": "kgb"}, "service"),
    ({"service": "tidak_ada"}, "service"),
    ({"target": "2 minggu"}, "target"), ({"target": "0h"}, "target"),  # "2 hari" is fine: tests/test_durations.py
    ({"escalate_every": "0d"}, "escalate_every"),
    ({"warn_percent": 0}, "warn_percent"), ({"warn_percent": 100}, "warn_percent"),
    ({"warn_percent": None}, "warn_percent"), ({"warn_percent": True}, "warn_percent"),
])
def test_bad_policies_write_nothing(db, office, overrides, field):
    _policy(office.admin)
    with pytest.raises(InvalidInput) as caught:
        _policy(office.admin, **overrides)
    assert field in caught.value.errors
    assert _count(db, SlaPolicy) == 1
    assert db.session.scalars(select(SlaPolicy)).one().is_active


def test_a_policy_change_applies_to_new_cases_only(db, office, kgb_filed_wednesday):
    old = kgb_filed_wednesday
    old_due = db.session.scalars(select(CaseClock.due_at).where(CaseClock.case_id == old.id,
                                                               CaseClock.name == "resolution")).one()
    assert old_due == wib(2026, 12, 2, 16, 0)  # the catalogue's 5 working days
    _policy(office.admin, target="10d")
    new = case_service.open_case("service_request", KGB, office.employee).case
    clocks = {(c.case_id, c.name): c for c in db.session.scalars(select(CaseClock)).all()}
    assert clocks[(old.id, "resolution")].due_at == old_due and clocks[(old.id, "resolution")].target == "5d"
    assert clocks[(new.id, "resolution")].due_at == wib(2026, 12, 9, 16, 0)
    assert (clocks[(new.id, "resolution")].target, clocks[(new.id, "resolution")].warn_percent) == ("10d", 80)
    # Another case type is not touched by a policy for KGB.
    complaint = case_service.open_case("complaint", COMPLAINT, office.employee).case
    assert db.session.scalars(select(CaseClock.target).where(CaseClock.case_id == complaint.id,
                                                            CaseClock.name == "resolution")).one() == "5d"


def test_the_table_says_what_terms_for_will_use(db, app, office):
    _policy(office.admin, service=None, clock_name="first_response", target="6h")
    _policy(office.admin, service="cuti", clock_name="first_response", target="2h")
    _policy(office.admin, service="kgb", target="9d")
    _policy(office.admin, case_type="complaint", service=None, target="3d", warn_percent=50)
    rows = admin_settings.policy_table()
    for row in rows:
        expected = terms_for(SimpleNamespace(case_type=row.case_type, service=row.service), row.clock)
        assert (row.target, row.warn_percent, row.escalate_every) == expected, row
    by_key = {(r.case_type, r.service, r.clock): r for r in rows}
    assert by_key[("service_request", "kgb", "resolution")].source == "Kebijakan admin (layanan ini)"
    assert by_key[("service_request", "cuti", "resolution")].source == "Bawaan katalog layanan"
    assert by_key[("service_request", "cuti", "first_response")].target == "2h"
    assert ("service_request", "kgb", "first_response") not in by_key  # no policy of its own: the general row
    assert by_key[("complaint", None, "resolution")].warn_percent == 50
    assert by_key[("mediation", None, "resolution")].source == "Bawaan alur kerja"
    assert ("complaint", None, "external") not in by_key


# -- calendar ------------------------------------------------------------------------------------

def test_a_closed_day_moves_deadlines_computed_afterwards(db, app, office, kgb_filed_wednesday):
    before = kgb_filed_wednesday
    with app.test_request_context():
        assert load_calendar().is_working(wib(2026, 11, 30, 9, 0))  # cached in g for this request
        admin_settings.add_calendar_exception(office.admin, on=dt.date(2026, 11, 30), intervals="", note="Rapat kerja")
        assert not load_calendar().is_working(wib(2026, 11, 30, 9, 0))  # the same request sees it at once
    after = case_service.open_case("service_request", KGB, office.employee).case
    dues = dict(db.session.execute(select(CaseClock.case_id, CaseClock.due_at).where(
        CaseClock.name == "resolution")).all())
    assert dues[before.id] == wib(2026, 12, 2, 16, 0)
    assert dues[after.id] == wib(2026, 12, 3, 16, 0)  # one working day later
    closed = {d.on: d.name for d in admin_settings.closed_days()}
    assert closed[dt.date(2026, 11, 30)] == "Ditutup oleh admin: Rapat kerja"
    assert dt.date(2026, 12, 25) in closed and dt.date(2027, 1, 1) in closed  # this year and next


def test_a_shortened_day_counts_its_own_hours(db, clock, office):
    clock.set(wib(2026, 11, 25, 9, 0))
    admin_settings.add_calendar_exception(office.admin, on=dt.date(2026, 11, 26), intervals="08:00-10:00",
                                          note="Upacara")
    cal = load_calendar()
    assert cal.intervals_on(dt.date(2026, 11, 26)) == ((dt.time(8), dt.time(10)),)
    assert dt.date(2026, 11, 26) not in {d.on for d in admin_settings.closed_days()}
    case = case_service.open_case("service_request", KGB, office.employee).case
    first = db.session.scalars(select(CaseClock).where(CaseClock.case_id == case.id,
                                                      CaseClock.name == "first_response")).one()
    assert first.due_at == wib(2026, 11, 26, 10, 0)  # the close of the (short) next working day


@pytest.mark.parametrize("on, intervals, note, field", [
    (dt.date(2026, 11, 24), "", "Kemarin", "on"),
    (dt.date(2029, 1, 2), "", "Terlalu jauh", "on"),
    (None, "", "Tanpa tanggal", "on"),
    (dt.date(2026, 12, 1), "12:00-08:00", "Terbalik", "intervals"),
    (dt.date(2026, 12, 1), "", "", "note"),
    (dt.date(2026, 12, 1), "", "x" * 201, "note"),
])
def test_bad_exceptions_write_nothing(db, clock, office, on, intervals, note, field):
    with pytest.raises(InvalidInput) as caught:
        admin_settings.add_calendar_exception(office.admin, on=on, intervals=intervals, note=note)
    assert field in caught.value.errors
    assert _count(db, CalendarException) == 0


def test_one_exception_per_date_and_deleting_gives_the_day_back(db, clock, office):
    row = admin_settings.add_calendar_exception(office.admin, on=dt.date(2026, 12, 1), intervals="", note="Tutup")
    with pytest.raises(InvalidInput) as caught:
        admin_settings.add_calendar_exception(office.admin, on=dt.date(2026, 12, 1), intervals="08:00-12:00",
                                              note="Lagi")
    assert "sudah punya pengecualian" in caught.value.errors["on"][0]
    assert _count(db, CalendarException) == 1
    assert admin_settings.delete_calendar_exception(office.admin, row.id) == dt.date(2026, 12, 1)
    assert _count(db, CalendarException) == 0
    assert load_calendar().is_working(wib(2026, 12, 1, 9, 0))
    with pytest.raises(NotFound):
        admin_settings.delete_calendar_exception(office.admin, row.id)


def test_a_past_exception_stays(db, clock, office):
    admin_settings.add_calendar_exception(office.admin, on=dt.date(2026, 11, 27), intervals="", note="Tutup")
    row = db.session.scalars(select(CalendarException)).one()
    clock.set(wib(2026, 11, 30, 9, 0))
    with pytest.raises(InvalidInput):
        admin_settings.delete_calendar_exception(office.admin, row.id)
    assert _count(db, CalendarException) == 1
