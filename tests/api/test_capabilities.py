"""The case detail carries `capabilities`: the same answer the page renders, with the reasons for what the
caller may not do, and it agrees with `allowed_triggers`, `actions` and what the services then allow."""
from __future__ import annotations

from layani_flow.services.access import PARTY_MESSAGE
from layani_flow.workflows import REGISTRY

from ..factories import CaseFactory

DOCUMENTS_FIRST = "Semua dokumen wajib harus sudah diverifikasi terlebih dahulu."


def test_the_owner_sees_every_step_with_why_not(api, office):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="in_verification")
    body = api(office.officer).get(f"/api/v1/cases/{case.id}").get_json()
    caps = body["capabilities"]
    triggers = {t["trigger"]: t for t in caps["triggers"]}
    assert [t["trigger"] for t in caps["triggers"]] == [s.trigger for s in REGISTRY["service_request"].steps]
    assert [t for t, v in triggers.items() if v["allowed"]] == body["allowed_triggers"] == ["request_revision", "reject"]
    assert triggers["start_processing"]["reasons"] == [DOCUMENTS_FIRST]  # offered, waiting on a guard
    assert triggers["withdraw"]["reasons"] == [
        'Anda tidak berwenang melakukan tindakan "Batalkan permohonan" pada kasus ini.']
    assert triggers["complete"]["reasons"] == [
        'Tindakan "Selesaikan" tidak dapat dilakukan saat kasus berstatus "Verifikasi berkas".']
    assert caps["review_documents"] == {"allowed": True, "reason": None}
    assert caps["upload"]["allowed"] and caps["internal_note"]["allowed"] and caps["message"]["allowed"]
    assert caps["claim"] == {"allowed": False, "reason": "Kasus ini sudah Anda tangani."}
    assert caps["assign"]["allowed"] and {p["nip"] for p in caps["assign"]["to"]} >= {office.officer2.nip}


def test_the_requester_is_told_what_is_the_desks(api, office):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="in_verification")
    caps = api(office.employee).get(f"/api/v1/cases/{case.id}").get_json()["capabilities"]
    assert [t["trigger"] for t in caps["triggers"] if t["allowed"]] == ["withdraw"]
    assert caps["internal_note"] == {"allowed": False, "reason": "Catatan internal hanya untuk petugas."}
    assert caps["claim"]["allowed"] is False
    assert caps["assign"] == {"allowed": False, "to": [], "reason": PARTY_MESSAGE}  # their own case
    assert caps["see_other_party"]["allowed"] is False  # a service request has no other party


def test_desk_staff_who_are_a_party_are_told_the_party_rule(api, office):
    case = CaseFactory(requester=office.officer, state="submitted")
    caps = api(office.officer).get(f"/api/v1/cases/{case.id}").get_json()["capabilities"]
    assert caps["claim"] == {"allowed": False, "reason": PARTY_MESSAGE}
    assert {t["trigger"]: t["reasons"] for t in caps["triggers"]}["start_verification"] == [PARTY_MESSAGE]
    assert caps["review_documents"]["reason"] == PARTY_MESSAGE


def test_who_sees_the_other_party(api, office):
    about = CaseFactory(case_type="complaint", service=None, requester=office.employee, other_party=office.colleague)
    assert api(office.officer).get(f"/api/v1/cases/{about.id}").get_json()["capabilities"]["see_other_party"][
        "allowed"]
    assert not api(office.employee).get(f"/api/v1/cases/{about.id}").get_json()["capabilities"]["see_other_party"][
        "allowed"]
    mediation = CaseFactory(case_type="mediation", service=None, requester=office.employee,
                            other_party=office.colleague)
    caps = api(office.employee).get(f"/api/v1/cases/{mediation.id}").get_json()["capabilities"]
    assert caps["see_other_party"]["allowed"]
    assert caps["claim"]["reason"] == 'Mediator ditunjuk melalui tindakan "Tunjuk mediator".'
