"""The JSON API as /work/shared/contract.md states it."""
from __future__ import annotations

import json

import pytest

from layani_flow.extensions import db
from layani_flow.models import Case
from layani_flow.services import cases
from layani_flow.workflows import REGISTRY

from ..factories import CaseFactory
from ..services.helpers import COMPLAINT, CUTI, KGB, counts, mediation_data

CONTRACT_CASE_KEYS = {"id", "ref", "type", "state", "version", "owner", "sla", "events", "allowed_triggers"}
EVENT_KEYS = {"at", "actor", "trigger", "from", "to", "comment"}


def assert_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body.get("error"), str) and body["error"]
    assert isinstance(body.get("message"), str) and body["message"]
    if code:
        assert body["error"] == code
    return body


# -- case types ------------------------------------------------------------------------------------------

def test_case_types_describe_every_workflow(api, office):
    r = api(office.employee).get("/api/v1/case-types")
    assert r.status_code == 200
    items = {item["key"]: item for item in r.get_json()["items"]}
    assert set(items) == set(REGISTRY)
    for key, item in items.items():
        wf = REGISTRY[key]
        assert item["name"] == wf.title
        assert [s["key"] for s in item["states"]] == list(wf.states)
        assert {s["key"] for s in item["states"] if s["final"]} == set(wf.final)
        assert [t["trigger"] for t in item["transitions"]] == [s.trigger for s in wf.steps]
        for t in item["transitions"]:
            assert set(t) >= {"trigger", "label", "from", "to", "who", "needs"}
        for field in item["fields"]:
            assert set(field) >= {"name", "type", "required"}
            assert isinstance(field["required"], bool)
            if field["type"] == "choice":
                assert field["choices"] and all(set(c) == {"value", "label"} for c in field["choices"])
        assert not {"csrf_token", "version", "submit"} & {f["name"] for f in item["fields"]}
    complaint_fields = {f["name"]: f for f in items["complaint"]["fields"]}
    assert complaint_fields["anonymous"]["type"] == "boolean" and not complaint_fields["anonymous"]["required"]
    assert complaint_fields["subject"]["required"]
    assert [c["value"] for c in complaint_fields["category"]["choices"]] == ["pengaduan", "masukan", "kritik"]


def test_case_types_carry_the_service_catalogue(api, office):
    from layani_flow import catalogue

    item = next(i for i in api(office.employee).get("/api/v1/case-types").get_json()["items"]
                if i["key"] == "service_request")
    services = {s["key"]: s for s in item["services"]}
    assert list(services) == list(catalogue.SERVICES)
    cuti = services["cuti"]
    assert {f["name"] for f in cuti["fields"]} == {"service", "jenis_cuti", "tanggal_mulai", "tanggal_selesai",
                                                  "alamat_selama_cuti", "alasan"}
    assert {f["name"]: f["type"] for f in cuti["fields"]}["tanggal_mulai"] == "date"
    assert [(d["key"], d["required"]) for d in cuti["documents"]] == [
        ("formulir_cuti", True), ("surat_dokter", False), ("lainnya", False)]


# -- filing ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case_type, fields, state", [
    ("service_request", KGB, "submitted"),
    ("service_request", CUTI, "awaiting_superior"),
    ("complaint", COMPLAINT, "submitted"),
    ("mediation", "mediation", "submitted"),
])
def test_filing_answers_201_with_the_case(api, office, clock, case_type, fields, state):
    if fields == "mediation":
        fields = mediation_data(office.kabid)
    r = api(office.employee).post("/api/v1/cases", json={"type": case_type, "fields": fields})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert CONTRACT_CASE_KEYS <= set(body)
    assert (body["type"], body["state"], body["owner"]) == (case_type, state, None)
    assert body["requester"]["nip"] == office.employee.nip
    assert set(body["sla"]) >= {"due_at"}
    [created] = body["events"]
    assert EVENT_KEYS <= set(created)
    assert (created["to"], created["actor"]["nip"], created["at"]) == (state, office.employee.nip,
                                                                      "2026-11-25T09:00:00+07:00")
    assert db.session.get(Case, body["id"]).state == state


def test_field_errors_answer_422_per_field(api, office):
    client = api(office.employee)
    before = counts()
    r = client.post("/api/v1/cases", json={"type": "complaint", "fields": {"category": "gosip", "subject": "ab"}})
    body = assert_error(r, 422, "invalid")
    assert set(body["errors"]) == {"category", "subject", "description"}
    assert all(isinstance(m, list) and m and all(isinstance(x, str) for x in m) for m in body["errors"].values())
    r = client.post("/api/v1/cases", json={"type": "service_request", "fields": {**CUTI, "tanggal_selesai": "2026-12-01"}})
    assert assert_error(r, 422)["errors"] == {"tanggal_selesai": ["Tanggal selesai tidak boleh sebelum tanggal mulai."]}
    r = client.post("/api/v1/cases", json={"type": "service_request", "fields": {**KGB, "tmt_kgb_terakhir": "1/12/24"}})
    assert list(assert_error(r, 422)["errors"]) == ["tmt_kgb_terakhir"]
    r = client.post("/api/v1/cases", json={"type": "mediation", "fields": mediation_data(office.employee)})
    assert list(assert_error(r, 422)["errors"]) == ["other_party_nip"]
    assert counts() == before


@pytest.mark.parametrize("body, field", [
    ({"type": "ceramah", "fields": {}}, "type"),
    ({"type": None, "fields": {}}, "type"),
    ({"type": ["complaint"], "fields": COMPLAINT}, "type"),
    ({"type": {"complaint": 1}, "fields": COMPLAINT}, "type"),
    ({"fields": COMPLAINT}, "type"),
    ({"type": "complaint"}, "fields"),
    ({"type": "complaint", "fields": ["subject"]}, "fields"),
    ({"type": "complaint", "fields": {**COMPLAINT, "subject": {"a": 1}}}, "subject"),
    ({"type": "service_request", "fields": {**KGB, "service": "haji"}}, "service"),
    ({"type": "service_request", "fields": {**KGB, "service": ["kgb"]}}, "service"),
])
def test_unknown_type_and_malformed_bodies_answer_422(api, office, body, field):
    before = counts()
    assert field in assert_error(api(office.employee).post("/api/v1/cases", json=body), 422)["errors"]
    assert counts() == before


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'"complaint"', b"null", b"{", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_answers_422(api, office, raw):
    r = api(office.employee).post("/api/v1/cases", data=raw, headers={"Content-Type": "application/json"})
    assert_error(r, 422)


def test_an_anonymous_complaint_answers_with_a_code_and_no_identity(api, office):
    user = office.employee
    r = api(user).post("/api/v1/cases", json={"type": "complaint", "fields": {**COMPLAINT, "anonymous": True}})
    assert r.status_code == 201
    body, text = r.get_json(), r.get_data(as_text=True)
    assert body["tracking_code"] and body["anonymous"] is True and body["requester"] is None
    for value in (user.nip, user.name, user.email, user.email.split("@")[0]):
        assert value not in text
    assert cases.find_tracked_case(body["tracking_code"]) == body["id"]
    # Later answers do not name the filer either, to anyone.
    cases.claim_case(body["id"], office.officer, db.session.get(Case, body["id"]).version)
    for viewer in (office.officer, office.admin):
        shown = api(viewer).get(f"/api/v1/cases/{body['id']}").get_data(as_text=True)
        assert user.nip not in shown and user.name not in shown and user.email not in shown
    assert api(user).get(f"/api/v1/cases/{body['id']}").status_code == 404
    listing = api(user).get("/api/v1/cases").get_json()
    assert listing["items"] == []


def test_anonymous_is_only_for_complaints(api, office):
    r = api(office.employee).post("/api/v1/cases", json={"type": "service_request", "fields": {**KGB, "anonymous": True}})
    assert r.status_code == 201 and r.get_json()["anonymous"] is False and "tracking_code" not in r.get_json()


# -- reading ----------------------------------------------------------------------------------------------

def test_case_detail_follows_the_contract(api, office, clock):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="in_verification")
    clock.advance(hours=2)
    cases.transition_case(case.id, "request_revision", office.officer, case.version, "Unggah SKP.")
    r = api(office.employee).get(f"/api/v1/cases/{case.id}")
    assert r.status_code == 200
    body = r.get_json()
    assert CONTRACT_CASE_KEYS <= set(body)
    assert (body["id"], body["ref"], body["type"], body["state"]) == (
        case.id, f"LYN-2026-{case.id:05d}", "service_request", "revision_requested")
    assert body["version"] == db.session.get(Case, case.id).version
    assert body["owner"] == {"nip": office.officer.nip, "name": office.officer.name, "unit": office.officer.unit,
                             "position": office.officer.position}
    assert "due_at" in body["sla"]
    [event] = body["events"]
    assert {k: event[k] for k in EVENT_KEYS} == {
        "at": "2026-11-25T11:00:00+07:00", "actor": {"name": office.officer.name, "nip": office.officer.nip},
        "trigger": "request_revision", "from": "in_verification", "to": "revision_requested",
        "comment": "Unggah SKP."}
    assert body["allowed_triggers"] == ["resubmit", "withdraw"]
    assert api(office.officer).get(f"/api/v1/cases/{case.id}").get_json()["allowed_triggers"] == []
    assert api(office.colleague).get(f"/api/v1/cases/{case.id}").status_code == 404


def test_allowed_triggers_leave_out_what_a_guard_refuses(api, office):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="in_verification")
    body = api(office.officer).get(f"/api/v1/cases/{case.id}").get_json()
    assert body["allowed_triggers"] == ["request_revision", "reject"]
    blocked = {a["trigger"]: a["blocked_by"] for a in body["actions"]}
    assert blocked["start_processing"] == ["Semua dokumen wajib harus sudah diverifikasi terlebih dahulu."]


@pytest.mark.parametrize("url", ["/api/v1/cases/999999", "/api/v1/cases/0", "/api/v1/cases/-999999",
                                 "/api/v1/cases/99999999999999999999999",
                                 "/api/v1/cases/-99999999999999999999999"])
def test_a_missing_case_is_404_json(api, office, url):
    assert_error(api(office.admin).get(url), 404, "not_found")


# -- listing ----------------------------------------------------------------------------------------------

def test_listing_pages_through_visible_cases_only(api, office):
    mine = [CaseFactory(requester=office.employee, state=s).id
            for s in ["submitted", "in_verification", "submitted", "completed", "submitted"] * 3]
    CaseFactory(requester=office.colleague)
    CaseFactory(case_type="complaint", service=None, requester=office.colleague)
    client = api(office.employee)
    seen, cursor, pages = [], None, 0
    while True:
        r = client.get("/api/v1/cases", query_string={"limit": 4, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200
        body = r.get_json()
        assert len(body["items"]) <= 4
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert pages == 4
    assert seen == sorted(mine, reverse=True) and len(set(seen)) == len(seen)

    submitted = client.get("/api/v1/cases", query_string={"state": "submitted"}).get_json()["items"]
    assert {i["id"] for i in submitted} == set(mine[0::5] + mine[2::5] + mine[4::5])
    assert client.get("/api/v1/cases", query_string={"type": "complaint"}).get_json() == {"items": [], "next": None}
    officer_view = api(office.officer).get("/api/v1/cases", query_string={"type": "complaint"}).get_json()["items"]
    assert [i["type"] for i in officer_view] == ["complaint"]


@pytest.mark.parametrize("params, field", [
    ({"type": "ceramah"}, "type"), ({"cursor": "abc"}, "cursor"), ({"cursor": "²"}, "cursor"),
    ({"cursor": "9" * 40}, "cursor"), ({"limit": "lots"}, "limit"), ({"overdue": "maybe"}, "overdue"),
    ({"cursor": "12"}, "cursor"), ({"cursor": "1_"}, "cursor"), ({"cursor": "_1"}, "cursor"),
    ({"cursor": "-1_1"}, "cursor"), ({"cursor": "1_2_3"}, "cursor"),
])
def test_bad_listing_parameters_answer_422(api, office, params, field):
    assert field in assert_error(api(office.employee).get("/api/v1/cases", query_string=params), 422)["errors"]


# -- acting ------------------------------------------------------------------------------------------------

@pytest.fixture
def verifying(office):
    return CaseFactory(requester=office.employee, owner=office.officer, state="in_verification")


def fire(api, user, case, trigger, version=None, **extra):
    body = {"trigger": trigger, "version": case.version if version is None else version, **extra}
    return api(user).post(f"/api/v1/cases/{case.id}/transitions", json=body)


def test_a_transition_answers_200_with_the_updated_case(api, office, verifying):
    r = fire(api, office.officer, verifying, "request_revision", comment="Unggah SKP.")
    assert r.status_code == 200
    body = r.get_json()
    assert body["state"] == "revision_requested" and body["version"] > verifying.version
    assert body["events"][-1]["trigger"] == "request_revision"
    db.session.expire_all()
    r = fire(api, office.employee, db.session.get(Case, verifying.id), "resubmit")
    assert r.status_code == 200 and r.get_json()["state"] == "in_verification"


def test_a_transition_with_a_form_takes_its_fields(api, office):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="processing")
    r = fire(api, office.officer, case, "forward", comment="Kirim.", fields={"external_body": "TASPEN"})
    assert r.status_code == 200 and r.get_json()["external_body"] == "TASPEN"


@pytest.mark.parametrize("who, trigger, version, extra, status, code", [
    ("officer", "request_revision", -1, {"comment": "x"}, 409, "stale_version"),
    ("officer", "request_revision", "+1", {"comment": "x"}, 409, "stale_version"),
    ("employee", "resubmit", 0, {}, 409, "transition_not_allowed"),
    ("officer", "teleport", 0, {}, 409, "transition_not_allowed"),
    ("officer2", "request_revision", 0, {"comment": "x"}, 403, "forbidden"),
    ("employee", "request_revision", 0, {"comment": "x"}, 403, "forbidden"),
    ("colleague", "withdraw", 0, {}, 404, "not_found"),
    ("officer", "request_revision", 0, {}, 422, "invalid"),
    ("officer", "request_revision", 0, {"comment": "x" * 5001}, 422, "invalid"),
    ("officer", "request_revision", "missing", {"comment": "x"}, 422, "invalid"),
    ("officer", "request_revision", "abc", {"comment": "x"}, 422, "invalid"),
    ("officer", "request_revision", float("inf"), {"comment": "x"}, 422, "invalid"),
    ("officer", "request_revision", 0, {"comment": {"text": "x"}}, 422, "invalid"),
    ("officer", "request_revision", 0, {"comment": "x", "fields": ["a"]}, 422, "invalid"),
    ("officer", "", 0, {}, 422, "invalid"),
    ("officer", ["request_revision"], 0, {}, 422, "invalid"),
])
def test_refused_transitions(api, office, verifying, who, trigger, version, extra, status, code):
    sent = {0: verifying.version, -1: verifying.version - 1, "+1": verifying.version + 1}.get(version, version)
    body = {"trigger": trigger, **extra}
    if sent != "missing":
        body["version"] = sent
    before = counts()
    r = api(getattr(office, who)).post(f"/api/v1/cases/{verifying.id}/transitions", json=body)
    assert_error(r, status, code)
    db.session.expire_all()
    assert db.session.get(Case, verifying.id).state == "in_verification"
    assert counts() == before


def test_messages_answer_201(api, office, verifying):
    r = api(office.employee).post(f"/api/v1/cases/{verifying.id}/messages", json={"body": "Kapan selesai?"})
    assert r.status_code == 201
    assert {k: r.get_json()[k] for k in ("kind", "comment", "internal")} == {
        "kind": "message", "comment": "Kapan selesai?", "internal": False}
    for bad in ({}, {"body": ""}, {"body": 5}, {"body": None}, {"body": "x" * 5001}):
        assert_error(api(office.employee).post(f"/api/v1/cases/{verifying.id}/messages", json=bad), 422)
    assert_error(api(office.colleague).post(f"/api/v1/cases/{verifying.id}/messages", json={"body": "hai"}), 404)


def test_internal_notes_are_hidden_from_the_requester_and_from_parties(api, office):
    """A supervisor who is a party (here: the other side of a mediation, and a requester) never reads notes."""
    mediation = CaseFactory(case_type="mediation", service=None, requester=office.employee,
                            other_party=office.kabid, owner=office.officer, state="in_mediation",
                            is_other_party_involved=True)
    own = CaseFactory(requester=office.kabid, owner=office.officer, state="in_verification")
    for case in (mediation, own):
        r = api(office.officer).post(f"/api/v1/cases/{case.id}/messages", json={"body": "rahasia", "internal": True})
        assert r.status_code == 201
        assert "rahasia" in api(office.officer).get(f"/api/v1/cases/{case.id}").get_data(as_text=True)
        assert "rahasia" in api(office.admin).get(f"/api/v1/cases/{case.id}").get_data(as_text=True)
        shown = api(office.kabid).get(f"/api/v1/cases/{case.id}")
        assert shown.status_code == 200 and "rahasia" not in shown.get_data(as_text=True)
        assert_error(api(office.kabid).post(f"/api/v1/cases/{case.id}/messages",
                                            json={"body": "catatan", "internal": True}), 403)
    assert "rahasia" not in api(office.employee).get(f"/api/v1/cases/{mediation.id}").get_data(as_text=True)


# -- authentication and the error shape ----------------------------------------------------------------

@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Bearer lyn_nope", "Basic dXNlcjpwYXNz",
                                    "Token {token}", "bearer {token}x", "{token}"])
@pytest.mark.parametrize("method, url", [("get", "/api/v1/case-types"), ("get", "/api/v1/cases"),
                                         ("post", "/api/v1/cases"), ("get", "/api/v1/cases/1"),
                                         ("post", "/api/v1/cases/1/transitions"),
                                         ("post", "/api/v1/cases/1/messages")])
def test_missing_or_bad_tokens_answer_401_json(client, office, api, header, method, url):
    token = api(office.admin).token
    headers = {} if header is None else {"Authorization": header.format(token=token)}
    r = getattr(client, method)(url, headers=headers, json={} if method == "post" else None)
    assert_error(r, 401, "unauthorized")


def test_the_scheme_is_case_insensitive(client, api, office):
    token = api(office.admin).token
    assert client.get("/api/v1/case-types", headers={"Authorization": f"bearer {token}"}).status_code == 200


@pytest.mark.parametrize("method, url, status", [
    ("get", "/api/v1/nothing-here", 404), ("delete", "/api/v1/cases", 405), ("put", "/api/v1/cases/1", 405),
    ("get", "/api/v1/cases/abc", 404), ("post", "/api/v1/case-types", 405),
])
def test_http_errors_under_the_api_are_json_too(api, office, method, url, status):
    client = api(office.admin)
    r = client.client.open(url, method=method.upper(), headers=client._headers())
    body = assert_error(r, status)
    assert "<html" not in r.get_data(as_text=True).lower() and body


def test_an_unexpected_error_is_a_json_500_without_details(api, office, monkeypatch):
    monkeypatch.setattr(cases, "get_case", lambda *a: 1 / 0)
    r = api(office.admin).get("/api/v1/cases/1")
    body = assert_error(r, 500, "server_error")
    assert "ZeroDivision" not in json.dumps(body)


def test_a_body_too_large_is_a_json_413(api, office, app):
    big = {"type": "complaint", "fields": {**COMPLAINT, "description": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}}
    assert_error(api(office.employee).post("/api/v1/cases", json=big), 413)

