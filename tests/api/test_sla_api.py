"""The clock in the API: `sla` on every case (owner, resolution due in WIB, each clock with its status and
working minutes left), `?overdue=` on the list, and a list that costs the same queries for 3 or 30 cases."""
from __future__ import annotations

import datetime as dt

from layani_flow.services import cases as case_service
from layani_flow.services.sweep import sweep_due_cases

from ..factories import START, CaseClockFactory, CaseFactory, UserFactory
from ..services.helpers import KGB, statements_to_get
from ..timekit import wib

CLOCK_KEYS = {"name", "label", "cycle", "status", "started_at", "due_at", "remaining_working_minutes",
              "escalation_level", "breached_at", "paused_minutes"}


def test_a_new_case_carries_its_clocks(api, clock, desk):
    clock.set(wib(2026, 11, 25, 9, 0))
    r = api(desk.employee).post("/api/v1/cases", json={"type": "service_request", "fields": KGB})
    assert r.status_code == 201
    sla = r.get_json()["sla"]
    assert sla["due_at"] == "2026-12-02T16:00:00+07:00" and sla["owner"] is None
    first, resolution = sla["clocks"]
    assert set(first) >= CLOCK_KEYS
    assert (first["name"], first["label"], first["cycle"], first["status"]) == (
        "first_response", "Tanggapan pertama", 1, "running")
    assert first["started_at"] == "2026-11-25T09:00:00+07:00" and first["due_at"] == "2026-11-26T16:00:00+07:00"
    assert first["remaining_working_minutes"] == 810  # 6 h today and 7.5 h tomorrow
    assert resolution["name"] == "resolution" and resolution["remaining_working_minutes"] == 6 * 60 + 5 * 450
    assert (resolution["escalation_level"], resolution["breached_at"], resolution["paused_minutes"]) == (0, None, 0)


def test_breach_pause_and_owner_in_the_detail(api, clock, desk, kgb_filed_wednesday):
    case = kgb_filed_wednesday
    sweep_due_cases(wib(2026, 11, 27, 9, 0))  # first response breached Thursday 16.00, escalated
    clock.set(wib(2026, 11, 27, 9, 0))
    body = api(desk.officer).get(f"/api/v1/cases/{case.id}").get_json()
    first = body["sla"]["clocks"][0]
    assert first["status"] == "breached" and first["remaining_working_minutes"] == -90
    assert first["breached_at"] == "2026-11-26T16:00:00+07:00" and first["escalation_level"] == 1

    case = case_service.transition_case(case.id, "start_verification", desk.officer, case.version)
    case_service.transition_case(case.id, "request_revision", desk.officer, case.version, "Lengkapi SKP.")
    clock.set(wib(2026, 11, 30, 9, 0))  # Friday 09.00 → Monday 09.00: 7.5 working hours paused
    body = api(desk.employee).get(f"/api/v1/cases/{case.id}").get_json()
    assert body["sla"]["owner"]["name"] == desk.officer.name
    first, resolution = body["sla"]["clocks"]
    assert first["status"] == "stopped" and first["remaining_working_minutes"] == -90  # late when it stopped
    assert resolution["status"] == "paused" and resolution["paused_minutes"] == 450
    assert body["sla"]["due_at"] == resolution["due_at"]  # a paused resolution still has its due instant


def test_a_closed_case_has_no_due(api, clock, desk):
    case = CaseFactory(requester=desk.employee, state="completed")
    due = clock.now() + dt.timedelta(days=1)
    CaseClockFactory(case=case, due_at=due, stopped_at=clock.now())
    sla = api(desk.employee).get(f"/api/v1/cases/{case.id}").get_json()["sla"]
    assert sla["due_at"] is None and sla["clocks"][0]["status"] == "stopped"


def _add_clock(case, due, *, paused=False, stopped=False, name="resolution"):
    CaseClockFactory(case=case, name=name, started_at=START - dt.timedelta(days=9), due_at=due,
                     paused_at=due - dt.timedelta(hours=1) if paused else None, stopped_at=START if stopped else None)


def test_overdue_filter(api, clock, desk):
    now = clock.now()
    overdue = CaseFactory(requester=desk.employee)
    _add_clock(overdue, now - dt.timedelta(hours=1))
    _add_clock(overdue, now + dt.timedelta(days=3), name="first_response")
    exactly_now = CaseFactory(requester=desk.employee)
    _add_clock(exactly_now, now)
    paused_late = CaseFactory(requester=desk.employee)
    _add_clock(paused_late, now - dt.timedelta(days=1), paused=True)
    stopped_late = CaseFactory(requester=desk.employee)
    _add_clock(stopped_late, now - dt.timedelta(days=2), stopped=True)
    on_time = CaseFactory(requester=desk.employee)
    _add_clock(on_time, now + dt.timedelta(hours=1))
    no_clock = CaseFactory(requester=desk.employee)
    someone_elses = CaseFactory()
    _add_clock(someone_elses, now - dt.timedelta(hours=5))

    client = api(desk.employee)
    ids = lambda q: {c["id"] for c in client.get(f"/api/v1/cases?{q}").get_json()["items"]}  # noqa: E731
    assert ids("overdue=true") == {overdue.id, exactly_now.id}
    assert ids("overdue=false") == {paused_late.id, stopped_late.id, on_time.id, no_clock.id}
    assert ids("") == ids("overdue=true") | ids("overdue=false")
    # The desk sees the other requester's late case too.
    assert someone_elses.id in {c["id"] for c in api(desk.officer).get("/api/v1/cases?overdue=true").get_json()["items"]}
    listed = {c["id"]: c for c in client.get("/api/v1/cases?overdue=true").get_json()["items"]}
    statuses = {c["name"]: c["status"] for c in listed[overdue.id]["sla"]["clocks"]}
    assert statuses == {"first_response": "running", "resolution": "breached"}
    assert client.get("/api/v1/cases?overdue=ya").status_code == 422


def test_the_list_loads_clocks_in_one_query_for_3_or_30_cases(api, clock, desk):
    def add(n):
        for i in range(n):
            case = CaseFactory(requester=UserFactory(), owner=desk.officer if i % 2 else None)
            _add_clock(case, clock.now() + dt.timedelta(hours=i - 4), name="first_response")
            _add_clock(case, clock.now() + dt.timedelta(days=4), stopped=bool(i % 3))

    client = api(desk.officer)
    add(3)
    few = statements_to_get(client, "/api/v1/cases?limit=100")
    add(27)
    many = statements_to_get(client, "/api/v1/cases?limit=100")
    assert few == many
    items = client.get("/api/v1/cases?limit=100").get_json()["items"]
    assert len(items) == 30 and all(len(c["sla"]["clocks"]) == 2 for c in items)
    assert statements_to_get(client, "/api/v1/cases?limit=100&overdue=true") == many
