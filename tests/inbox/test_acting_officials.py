"""Acting officials (Plt/Plh): set by an admin for a range of dates; during it, approvals meant for the official
go to the acting person, who may decide on the page, in the API and from the email alike."""
from __future__ import annotations

import datetime as dt

import pytest

from layani_flow.models import ActingOfficial, Case, OutboxMessage
from layani_flow.services import acting, inbox
from layani_flow.services import cases as case_service
from layani_flow.services.capabilities import capabilities
from layani_flow.services.errors import InvalidInput

from ..factories import UserFactory
from ..scenarios import FILED_WEDNESDAY
from ..services.helpers import CUTI
from ..views.helpers import open_browser

NOV_25 = dt.date(2026, 11, 25)


@pytest.fixture
def plh(app, desk):
    """The kabid is away this week; a colleague from another field acts for them (Plh)."""
    stand_in = UserFactory(role="supervisor", name="Plh Sementara", superior=desk.head)
    acting.set_acting(desk.admin, official_nip=desk.kabid.nip, acting_nip=stand_in.nip, kind="plh",
                      starts_on=dt.date(2026, 11, 23), ends_on=dt.date(2026, 11, 27), note="SP Plh 12/2026")
    return stand_in


def test_during_the_range_the_approval_goes_to_the_acting_official(app, clock, desk, plh, db, api):
    clock.set(FILED_WEDNESDAY)
    case = case_service.open_case("service_request", CUTI, desk.employee).case
    mail = db.session.query(OutboxMessage).filter(OutboxMessage.dedupe_key.like("approval:%")).all()
    assert [m.to_addr for m in mail] == [plh.email]
    assert {i.case.id: i.reason for i in inbox.inbox_for(plh)} == {case.id: "approval"}
    assert case.id not in {i.case.id for i in inbox.inbox_for(desk.kabid)}  # asked of the Plh instead
    # The page, the API and the service agree that the Plh may decide.
    assert "superior_approve" in capabilities(case, plh).allowed_triggers
    detail = api(plh).get(f"/api/v1/cases/{case.id}").get_json()
    assert "superior_approve" in detail["allowed_triggers"]
    # Someone who is neither in the chain nor asked may not.
    assert "superior_approve" not in capabilities(case, desk.outsider).allowed_triggers
    page = open_browser(app, desk.employee)
    text = page.get(f"/kasus/{case.id}").get_data(as_text=True)
    assert f"Menunggu persetujuan: {plh.name} (Plh untuk {desk.kabid.name})" in text
    done = case_service.transition_case(case.id, "superior_approve", plh, case.version)
    assert done.state == "submitted"


def test_outside_the_range_the_official_is_asked(clock, desk, plh, db):
    clock.set(FILED_WEDNESDAY + dt.timedelta(days=7))
    case = case_service.open_case("service_request", CUTI, desk.employee).case
    assert {i.case.id: i.reason for i in inbox.inbox_for(desk.kabid)} == {case.id: "approval"}
    assert case.id not in {i.case.id for i in inbox.inbox_for(plh)}
    assert "superior_approve" not in capabilities(db.session.get(Case, case.id), plh).allowed_triggers


@pytest.mark.parametrize("change, field", [
    ({"acting_nip": "official"}, "acting_nip"),
    ({"starts_on": dt.date(2026, 11, 27), "ends_on": dt.date(2026, 11, 26)}, "ends_on"),
    ({"starts_on": dt.date(2026, 11, 27), "ends_on": dt.date(2026, 12, 4)}, "starts_on"),  # overlaps
    ({"kind": "bos"}, "kind"),
    ({"acting_nip": "199999999999999999"}, "acting_nip"),
])
def test_the_rules(desk, plh, change, field, db):
    data = {"official_nip": desk.kabid.nip, "acting_nip": desk.colleague.nip, "kind": "plt",
            "starts_on": dt.date(2026, 12, 1), "ends_on": dt.date(2026, 12, 4)}
    data.update(change)
    if data["acting_nip"] == "official":
        data["acting_nip"] = desk.kabid.nip
    with pytest.raises(InvalidInput) as refused:
        acting.set_acting(desk.admin, **data)
    assert field in refused.value.errors
    assert db.session.query(ActingOfficial).count() == 1  # only the fixture's


def test_the_admin_page_sets_one_with_csrf_and_refuses_others(app, desk, db):
    admin = open_browser(app, desk.admin)
    page = admin.get("/admin/pejabat-pelaksana")
    assert page.status_code == 200 and "Pejabat pelaksana (Plt/Plh)" in page.get_data(as_text=True)
    form = {"official_nip": desk.kabid.nip, "acting_nip": desk.colleague.nip, "kind": "plh",
            "starts_on": "2026-12-07", "ends_on": "2026-12-04", "note": ""}
    refused = admin.post_form("/admin/pejabat-pelaksana", form)
    assert refused.status_code == 422 and "tidak boleh sebelum tanggal mulai" in refused.get_data(as_text=True)
    ok = admin.post_form("/admin/pejabat-pelaksana", {**form, "ends_on": "2026-12-11"})
    assert ok.status_code in (302, 303)
    assert db.session.query(ActingOfficial).count() == 1
    assert admin.client.post("/admin/pejabat-pelaksana", data=form).status_code == 400  # no CSRF token
    for who in (desk.kabid, desk.officer, desk.employee):
        other = open_browser(app, who)
        assert other.get("/admin/pejabat-pelaksana").status_code == 403
        assert other.post_form("/admin/pejabat-pelaksana", form).status_code == 403
