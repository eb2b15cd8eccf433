"""The API gives the desk nothing that orders an anonymous complaint among its filer's named actions:
per-case numbers for events and documents, coarse instants for the filer's actions, a listing ordered and
paged by (created_at, id) whatever the ids are."""
from __future__ import annotations

import datetime as dt
import re

from layani_flow.services import cases

from ..services.helpers import COMPLAINT, KGB, upload
from ..timekit import wednesday


def test_an_anonymous_filing_through_the_api_is_timed_coarsely(api, office, clock):
    clock.set(wednesday(9, 37, 12))
    r = api(office.employee).post("/api/v1/cases", json={"type": "complaint", "fields": {**COMPLAINT, "anonymous": True}})
    assert r.status_code == 201
    body = r.get_json()
    assert body["id"] < 0 and re.match(r"^ADU-2026-[A-Z][A-Z2-9]{5}$", body["ref"])
    assert body["created_at"] == body["updated_at"] == "2026-11-25T09:00:00+07:00"
    assert [e["at"] for e in body["events"]] == ["2026-11-25T09:00:00+07:00"]
    assert {c["started_at"] for c in body["sla"]["clocks"]} == {"2026-11-25T09:00:00+07:00"}
    shown = api(office.officer).get(f"/api/v1/cases/{body['id']}").get_json()
    assert shown["ref"] == body["ref"] and shown["created_at"] == body["created_at"]


def test_events_and_documents_are_numbered_within_their_case(api, office, clock):
    other = cases.open_case("service_request", KGB, office.colleague, uploads=[upload("skp")]).case
    case = cases.open_case("service_request", KGB, office.employee,
                           uploads=[upload("skp"), upload("sk_kgb_terakhir")]).case
    cases.claim_case(case.id, office.officer, case.version)
    cases.add_message(case.id, office.officer, "Catatan meja.", internal=True)
    cases.add_message(case.id, office.officer, "Sedang kami periksa.")
    desk = api(office.officer).get(f"/api/v1/cases/{case.id}").get_json()
    assert [e["id"] for e in desk["events"]] == [1, 2, 3, 4, 5, 6]
    assert [d["id"] for d in desk["documents"]] == [1, 2]
    assert [d["url"] for d in desk["documents"]] == [f"/kasus/{case.id}/dokumen/1", f"/kasus/{case.id}/dokumen/2"]
    # The requester's numbers have no gap where the desk's internal note is.
    mine = api(office.employee).get(f"/api/v1/cases/{case.id}").get_json()
    assert [e["id"] for e in mine["events"]] == [1, 2, 3, 4, 5]
    assert "Catatan meja." not in str(mine["events"])
    posted = api(office.employee).post(f"/api/v1/cases/{case.id}/messages", json={"body": "Terima kasih."})
    assert posted.status_code == 201 and posted.get_json()["id"] == 6
    # A document is reviewed by its number in its case, never through another case's.
    reviewed = api(office.officer).post(f"/api/v1/cases/{case.id}/documents/2/review", json={"decision": "verified"})
    assert [d["review_status"] for d in reviewed.get_json()["documents"]] == ["pending", "verified"]
    assert api(office.officer).post(f"/api/v1/cases/{case.id}/documents/3/review",
                                    json={"decision": "verified"}).status_code == 404
    assert other.documents[0].review_status == "pending"


def test_the_listing_runs_newest_first_whatever_the_ids(api, office, clock):
    """Anonymous complaints have random negative ids: the list is ordered by when cases were filed (the
    coarse instant for an anonymous one), then by id, and its cursor carries both."""
    filed = []
    for minute, anonymous in [(5, False), (20, True), (25, False), (40, True), (50, False)]:
        clock.set(wednesday(9, minute))
        filer = None if anonymous else office.employee
        filed.append(cases.open_case("complaint", COMPLAINT, filer, anonymous=anonymous).case)
    clock.set(wednesday(10, 5))
    filed.append(cases.open_case("complaint", COMPLAINT, None, anonymous=True).case)
    client = api(office.officer)
    seen, cursor = [], None
    while True:
        r = client.get("/api/v1/cases", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200
        seen += [(item["created_at"], item["id"]) for item in r.get_json()["items"]]
        cursor = r.get_json()["next"]
        if cursor is None:
            break
    assert seen == sorted(seen, key=lambda item: (dt.datetime.fromisoformat(item[0]), item[1]), reverse=True)
    assert {case_id for _, case_id in seen} == {c.id for c in filed} and len(seen) == len(filed)
    assert seen[0] == ("2026-11-25T10:00:00+07:00", filed[-1].id)


def test_only_the_desk_learns_whether_a_reported_nip_belongs_to_someone(api, office):
    unknown = {**COMPLAINT, "anonymous": True, "reported_nip": "199001012015031999"}
    known = {**COMPLAINT, "anonymous": True, "reported_nip": office.colleague.nip}
    answers = [api(office.employee).post("/api/v1/cases", json={"type": "complaint", "fields": f}) for f in (unknown, known)]
    assert [r.status_code for r in answers] == [201, 201]
    for r in answers:  # the filer's answer is the same either way
        assert "reported_nip_registered" not in r.get_json() and "other_party" not in str(r.get_json()["fields"])
    desk = [api(office.officer).get(f"/api/v1/cases/{r.get_json()['id']}").get_json() for r in answers]
    assert [d["reported_nip_registered"] for d in desk] == [False, True]
    assert desk[0]["fields"]["reported_nip"] == "199001012015031999"
    named = api(office.employee).post("/api/v1/cases", json={"type": "complaint",
                                                              "fields": {**unknown, "anonymous": False}})
    assert named.status_code == 422 and "reported_nip" in named.get_json()["errors"]
