"""POST /api/v1/cases/<id>/documents/review: a review round through the API, as the case page does it —
every verdict saved with one email to the requester, or, on any bad entry, nothing."""
from __future__ import annotations

import pytest

from layani_flow.extensions import db
from layani_flow.models import CaseEvent
from layani_flow.services import cases, outbox

from ..services.helpers import KGB, upload
from ..views.helpers import fresh_case

KGB_DOCUMENTS = ("sk_pangkat_terakhir", "sk_kgb_terakhir", "skp")


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def kgb(desk):
    case = cases.open_case("service_request", KGB, desk.employee, uploads=[upload(r) for r in KGB_DOCUMENTS]).case
    return cases.transition_case(case.id, "start_verification", desk.officer, case.version)


def _round(api, user, case_id, reviews):
    return api(user).post(f"/api/v1/cases/{case_id}/documents/review", json={"reviews": reviews})


def test_a_round_saves_every_verdict_and_sends_one_email(api, desk, kgb, smtp_server):
    r = _round(api, desk.officer, kgb.id, [
        {"document": 1, "decision": "verified"},
        {"document": 2, "decision": "rejected", "note": "Buram."},
        {"document": 3, "decision": "verified"},
    ])
    assert r.status_code == 200
    assert [d["review_status"] for d in r.get_json()["documents"]] == ["verified", "rejected", "verified"]
    outbox.deliver_pending()
    rejected = [m for to, m in smtp_server.messages if desk.employee.email in to and "ditolak" in m["Subject"]]
    assert len(rejected) == 1 and "Buram." in rejected[0].get_body(("plain",)).get_content()


def test_one_bad_entry_saves_nothing_and_names_each_problem(api, desk, kgb):
    before = db.session.query(CaseEvent).filter_by(case_id=kgb.id).count()
    r = _round(api, desk.officer, kgb.id, [
        {"document": 1, "decision": "verified"},
        {"document": 2, "decision": "rejected", "note": "  "},
        {"document": 3, "decision": "mungkin"},
        {"document": 9, "decision": "verified"},
    ])
    assert r.status_code == 422
    body = r.get_json()
    assert body["message"] == "Pemeriksaan dokumen belum lengkap."
    assert body["errors"] == {"doc2_note": ["Tuliskan mengapa dokumen ditolak."],
                              "doc3_decision": ["Pilih: diverifikasi atau ditolak."],
                              "doc9_decision": ["Dokumen tidak ditemukan."]}
    assert [d.review_status for d in fresh_case(kgb.id).documents] == ["pending"] * 3
    assert db.session.query(CaseEvent).filter_by(case_id=kgb.id).count() == before


@pytest.mark.parametrize("body", [
    {},
    {"reviews": []},
    {"reviews": "semua"},
    {"reviews": [1, 2]},
    {"reviews": [{"document": "1", "decision": "verified"}]},
    {"reviews": [{"document": True, "decision": "verified"}]},
    {"reviews": [{"document": 1, "decision": None}]},
    {"reviews": [{"document": 1, "decision": "rejected", "note": ["Buram"]}]},
    {"reviews": [{"document": 1, "decision": "verified"}] * 201},
])
def test_a_malformed_round_is_a_422_in_words(api, desk, kgb, body):
    r = api(desk.officer).post(f"/api/v1/cases/{kgb.id}/documents/review", json=body)
    assert r.status_code == 422
    assert r.get_json()["message"] and r.get_json()["errors"]
    assert [d.review_status for d in fresh_case(kgb.id).documents] == ["pending"] * 3


def test_a_document_named_twice_is_refused(api, desk, kgb):
    r = _round(api, desk.officer, kgb.id, [{"document": 1, "decision": "verified"},
                                           {"document": 1, "decision": "rejected", "note": "x"}])
    assert r.status_code == 422 and r.get_json()["errors"] == {"doc1_decision": ["Dokumen disebut lebih dari sekali."]}


@pytest.mark.parametrize(("who", "status"), [
    ("employee", 403), ("officer2", 403), ("kasubbag", 403), ("admin", 403), ("outsider", 404), (None, 401),
])
def test_only_the_owner_reviews(api, desk, kgb, who, status):
    r = api(getattr(desk, who) if who else None).post(
        f"/api/v1/cases/{kgb.id}/documents/review", json={"reviews": [{"document": 1, "decision": "verified"}]})
    assert r.status_code == status
    assert fresh_case(kgb.id).documents[0].review_status == "pending"
