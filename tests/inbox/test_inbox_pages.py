"""The inbox on the home page of every role, its header count, its one-click actions, and GET /api/v1/inbox."""
from __future__ import annotations

from layani_flow.models import Case
from layani_flow.services import cases as case_service
from layani_flow.services.sweep import sweep_due_cases

from ..scenarios import FILED_WEDNESDAY, LEVEL_1
from ..services.helpers import CUTI, KGB, statements_to_get
from ..views.helpers import open_browser


def test_an_empty_inbox_says_so_kindly(app, desk):
    page = open_browser(app, desk.colleague).get("/").get_data(as_text=True)
    assert "Perlu tindakan Anda" in page
    assert "Tidak ada yang menunggu tindakan Anda saat ini" in page
    assert 'class="count is-zero">0<' in page


def test_the_superior_approves_from_the_home_page_with_csrf(app, clock, desk, db):
    clock.set(FILED_WEDNESDAY)
    case = case_service.open_case("service_request", CUTI, desk.employee).case
    web = open_browser(app, desk.kabid)
    page = web.get("/").get_data(as_text=True)
    assert "Menunggu persetujuan Anda" in page and case.ref in page and desk.employee.name in page
    assert "Setujui" in page and "Alasan penolakan" in page
    # Without the CSRF token nothing happens.
    assert web.client.post(f"/kasus/{case.id}/tindakan/superior_approve", data={"version": case.version}).status_code == 400
    done = web.post_form(f"/kasus/{case.id}/tindakan/superior_approve", {"version": case.version})
    assert done.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "submitted"
    assert "Tidak ada yang menunggu tindakan Anda" in web.get("/").get_data(as_text=True)


def test_the_employee_sees_whose_approval_the_case_waits_on(app, clock, desk):
    clock.set(FILED_WEDNESDAY)
    case = case_service.open_case("service_request", CUTI, desk.employee).case
    page = open_browser(app, desk.employee).get(f"/kasus/{case.id}").get_data(as_text=True)
    assert f"Menunggu persetujuan: {desk.kabid.name}" in page


def test_the_desk_head_takes_charge_of_an_escalation_from_the_inbox(app, clock, desk, db, kgb_filed_wednesday):
    clock.set(LEVEL_1)
    sweep_due_cases()
    head = open_browser(app, desk.kasubbag)
    page = head.get("/").get_data(as_text=True)
    assert "Dieskalasikan kepada Anda" in page and "Ambil alih" in page
    url = f"/kotak-masuk/{kgb_filed_wednesday.id}/ambil-alih"
    assert head.get(url).status_code == 405  # no change on GET
    assert head.client.post(url, data={"version": kgb_filed_wednesday.version}).status_code == 400  # no CSRF
    other = open_browser(app, desk.officer)
    assert other.post_form(url, {"version": kgb_filed_wednesday.version}).status_code == 403
    stale = head.post_form(url, {"version": kgb_filed_wednesday.version + 5})
    assert stale.status_code == 409
    done = head.post_form(url, {"version": kgb_filed_wednesday.version})
    assert done.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(Case, kgb_filed_wednesday.id).owner_id == desk.kasubbag.id


def test_the_home_page_costs_the_same_with_1_or_50_items(app, clock, desk):
    clock.set(FILED_WEDNESDAY)
    web = open_browser(app, desk.kabid)
    case_service.open_case("service_request", CUTI, desk.employee)
    case_service.open_case("service_request", KGB, desk.kabid)
    one = statements_to_get(web, "/")
    for _ in range(49):
        case_service.open_case("service_request", CUTI, desk.employee)
    assert statements_to_get(web, "/") == one


def test_the_api_inbox(api, clock, desk):
    clock.set(FILED_WEDNESDAY)
    case = case_service.open_case("service_request", CUTI, desk.employee).case
    assert api(None).get("/api/v1/inbox").status_code == 401
    response = api(desk.kabid).get("/api/v1/inbox")
    assert response.status_code == 200
    [item] = response.get_json()["items"]
    assert {"id", "ref", "type", "state", "reason", "reason_label", "due_at"} <= set(item)
    assert (item["id"], item["ref"], item["type"], item["state"], item["reason"]) == (
        case.id, case.ref, "service_request", "awaiting_superior", "approval")
    assert item["reason_label"] == "Menunggu persetujuan Anda"
    assert api(desk.colleague).get("/api/v1/inbox").get_json() == {"items": []}
