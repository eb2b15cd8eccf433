"""Separation of duties: nobody owns, verifies, decides or escalates to themselves a case they are a party to.

The finding this answers: an officer filed a KGB request, took it (start_verification made them its owner),
verified their own documents and completed it. A party acts on its own case only as a party (withdraw,
resubmit, reopen, close, reply, upload as requester, messages), through the services, the pages and the API.
Only the desk (officers, the desk head) claims and hands desk cases around, never to a party.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import Case, CaseEvent
from layani_flow.services import cases, escalations, mail_in, tokens
from layani_flow.services.access import PARTY_MESSAGE, tags_for
from layani_flow.services.capabilities import assignable_staff, capabilities
from layani_flow.services.errors import Forbidden, InvalidInput, NotFound

from ..factories import CaseDocumentFactory, CaseFactory, SlaNoticeFactory
from ..mail.helpers import reply
from ..scenarios import escalation_token
from ..views.helpers import open_browser, text_of
from .helpers import COMPLAINT, KGB, mediation_data, upload

KGB_DOCUMENTS = ("sk_pangkat_terakhir", "sk_kgb_terakhir", "skp")


@pytest.fixture
def own_request(desk):
    """office.officer files a KGB request for themselves, with every required document."""
    return cases.open_case("service_request", KGB, desk.officer, uploads=[upload(r) for r in KGB_DOCUMENTS]).case


def snapshot(case_id: int) -> tuple:
    """Everything a desk action could change on the case."""
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    events = db.session.scalars(select(CaseEvent.id).where(CaseEvent.case_id == case_id)).all()
    return (case.state, case.owner_id, case.version, len(events),
            tuple(sorted((d.id, d.review_status) for d in case.documents)))


def refused_as_party(call) -> None:
    with pytest.raises(Forbidden) as info:
        call()
    assert info.value.status == 403
    assert info.value.message == PARTY_MESSAGE


# -- the officer's own request, through the services -----------------------------------------------

def test_an_officer_cannot_take_their_own_request(desk, own_request):
    case, officer = own_request, desk.officer
    before = snapshot(case.id)
    refused_as_party(lambda: cases.transition_case(case.id, "start_verification", officer, case.version))
    refused_as_party(lambda: cases.claim_case(case.id, officer, case.version))
    refused_as_party(lambda: cases.assign_case(case.id, officer, officer.nip, case.version))
    assert snapshot(case.id) == before
    # Nothing of the desk's is offered to them; what a requester does stays theirs.
    assert [a.trigger for a in capabilities(case, officer).actions] == ["withdraw"]
    assert not capabilities(case, officer).claim and not capabilities(case, officer).assign
    assert not capabilities(case, officer).review and capabilities(case, officer).upload
    assert tags_for(case, officer) == {"requester"}


def test_an_officer_cannot_verify_or_decide_their_own_request_once_someone_else_has_it(desk, own_request):
    officer = desk.officer
    case = cases.transition_case(own_request.id, "start_verification", desk.officer2, own_request.version)
    before = snapshot(case.id)
    refused_as_party(lambda: cases.review_document(case.id, case.documents[0].id, officer, "verified"))
    for trigger, comment in (("request_revision", "perbaiki"), ("start_processing", ""), ("reject", "tolak")):
        refused_as_party(lambda t=trigger, c=comment: cases.transition_case(case.id, t, officer, case.version, c))
    refused_as_party(lambda: cases.claim_case(case.id, officer, case.version))
    assert snapshot(case.id) == before
    # ... and still acts as its requester: a message, a document, withdrawing it.
    cases.add_message(case.id, officer, "Mohon kabarnya.")
    with pytest.raises(Forbidden):
        cases.add_message(case.id, officer, "catatan meja layanan", internal=True)
    cases.upload_documents(case.id, officer, [upload("lainnya")])
    case = cases.get_case(case.id, officer)
    assert cases.transition_case(case.id, "withdraw", officer, case.version).state == "withdrawn"


def test_an_owner_who_is_a_party_from_old_data_cannot_act_as_owner(desk):
    """Before this rule an officer could own their own request; such a row stays, and its owner is powerless."""
    officer = desk.officer
    case = CaseFactory(requester=officer, owner=officer, state="processing")
    doc = CaseDocumentFactory(case=case, requirement="lainnya", uploaded_by_id=officer.id)
    for requirement in KGB_DOCUMENTS:
        CaseDocumentFactory(case=case, requirement=requirement, review_status="verified")
    before = snapshot(case.id)
    refused_as_party(lambda: cases.transition_case(case.id, "complete", officer, case.version, "Selesai."))
    refused_as_party(lambda: cases.transition_case(case.id, "forward", officer, case.version, "",
                                                   {"external_body": "BKN"}))
    refused_as_party(lambda: cases.review_document(case.id, doc.id, officer, "verified"))
    refused_as_party(lambda: cases.assign_case(case.id, officer, desk.officer2.nip, case.version))
    assert snapshot(case.id) == before
    assert capabilities(case, officer).actions == []
    # The desk head takes it back onto the desk.
    case = cases.assign_case(case.id, desk.kasubbag, desk.officer2.nip, case.version, "Pemohon tidak boleh menangani.")
    assert case.owner_id == desk.officer2.id


# -- complaints ------------------------------------------------------------------------------------

def test_an_officer_cannot_triage_or_reject_their_own_complaint(desk):
    officer = desk.officer
    case = cases.open_case("complaint", COMPLAINT, officer).case
    before = snapshot(case.id)
    refused_as_party(lambda: cases.transition_case(case.id, "triage", officer, case.version))
    refused_as_party(lambda: cases.transition_case(case.id, "reject", officer, case.version, "Tidak relevan."))
    refused_as_party(lambda: cases.claim_case(case.id, officer, case.version))
    assert snapshot(case.id) == before
    assert capabilities(case, officer).actions == []
    case = cases.transition_case(case.id, "triage", desk.officer2, case.version)
    assert case.owner_id == desk.officer2.id


def test_a_complaint_against_an_officer_is_not_theirs_to_triage_or_claim(desk):
    officer = desk.officer
    case = cases.open_case("complaint", {**COMPLAINT, "reported_nip": officer.nip}, desk.employee).case
    before = snapshot(case.id)
    with pytest.raises(NotFound):
        cases.transition_case(case.id, "triage", officer, case.version)
    with pytest.raises(NotFound):
        cases.claim_case(case.id, officer, case.version)
    with pytest.raises(InvalidInput) as info:  # nor may the desk head give it to them
        cases.assign_case(case.id, desk.kasubbag, officer.nip, case.version)
    assert "assignee_nip" in info.value.errors
    assert snapshot(case.id) == before
    assert tags_for(case, officer) == frozenset()  # even if they could read it, they would be no officer here
    assert officer not in assignable_staff(case)


# -- mediation -------------------------------------------------------------------------------------

def test_a_supervisor_who_asked_for_mediation_does_not_pick_its_mediator(desk):
    """The kasubbag asks for mediation with the head of office: a supervisor, but not this case's."""
    case = cases.open_case("mediation", mediation_data(desk.head), desk.kasubbag).case
    before = snapshot(case.id)
    refused_as_party(lambda: cases.transition_case(case.id, "assign_mediator", desk.kasubbag, case.version, "",
                                                   {"mediator_nip": desk.officer2.nip}))
    assert snapshot(case.id) == before
    assert [a.trigger for a in capabilities(case, desk.kasubbag).actions] == ["withdraw"]
    # A supervisor who is not a party picks one, and never a party (the guard mediator_not_party).
    with pytest.raises(cases.TransitionNotAllowed):
        cases.transition_case(case.id, "assign_mediator", desk.outsider, case.version, "",
                              {"mediator_nip": desk.kasubbag.nip})
    case = cases.transition_case(case.id, "assign_mediator", desk.outsider, case.version, "",
                                 {"mediator_nip": desk.officer2.nip})
    assert case.owner_id == desk.officer2.id


def test_the_other_party_of_a_mediation_does_not_pick_its_mediator_either(desk):
    """The kasubbag, brought into a mediation the head of office asked for, is its other party only."""
    case = CaseFactory(case_type="mediation", service=None, requester=desk.head, other_party=desk.kasubbag,
                       state="in_mediation", owner=desk.officer, is_other_party_involved=True)
    before = snapshot(case.id)
    refused_as_party(lambda: cases.transition_case(case.id, "assign_mediator", desk.kasubbag, case.version, "",
                                                   {"mediator_nip": desk.officer2.nip}))
    assert snapshot(case.id) == before
    assert tags_for(case, desk.kasubbag) == {"other_party"}


# -- who claims and reassigns desk cases -----------------------------------------------------------

@pytest.mark.parametrize("who", ["kabid", "head", "admin"])
def test_only_the_desk_claims_or_assigns(desk, kgb_filed_wednesday, who):
    """The requester's line supervisors (kabid, head of office) see the request, and an admin sees every desk
    case: none of them handles it."""
    case = kgb_filed_wednesday
    actor = getattr(desk, who)
    before = snapshot(case.id)
    for call in (lambda: cases.claim_case(case.id, actor, case.version),
                 lambda: cases.assign_case(case.id, actor, desk.officer.nip, case.version)):
        with pytest.raises(Forbidden):
            call()
    assert snapshot(case.id) == before
    viewed = cases.get_case(case.id, actor)  # they may read it, and the page offers them neither
    assert not capabilities(viewed, actor).claim and not capabilities(viewed, actor).assign


def test_the_desk_head_claims_and_reassigns_any_desk_case_to_the_desk_only(desk, kgb_filed_wednesday):
    head = desk.kasubbag
    case = kgb_filed_wednesday
    case = cases.claim_case(case.id, desk.officer, case.version)
    assert capabilities(case, head).claim and capabilities(case, head).assign
    assert {u.name for u in assignable_staff(case)} == {head.name, desk.officer.name, desk.officer2.name}
    for not_on_desk in (desk.kabid, desk.admin, desk.colleague, desk.employee):
        with pytest.raises(InvalidInput) as info:
            cases.assign_case(case.id, head, not_on_desk.nip, case.version)
        assert "assignee_nip" in info.value.errors
    case = cases.assign_case(case.id, head, desk.officer2.nip, case.version, "Beban kerja.")
    assert case.owner_id == desk.officer2.id
    case = cases.claim_case(case.id, head, case.version)  # takes it over from the officer
    assert case.owner_id == head.id


# -- the same through the page and the API ---------------------------------------------------------

def test_the_page_offers_the_officer_nothing_of_the_desk_on_their_own_request(app, desk, own_request):
    case_id = own_request.id
    web = open_browser(app, desk.officer)
    html = text_of(web.get(f"/kasus/{case_id}"))
    assert PARTY_MESSAGE in html
    assert "Mulai verifikasi" not in html and "Klaim kasus" not in html
    assert 'name="assignee_nip"' not in html and "Simpan pemeriksaan" not in html
    assert 'id="internal"' not in html
    assert "Batalkan permohonan" in html and "Unggah dokumen" in html  # the requester's own steps
    # Nor is it in their work list: it is on their home page.
    assert own_request.ref not in text_of(web.get("/antrian?tampilan=semua"))
    assert own_request.ref in text_of(web.get("/"))


def test_every_desk_post_on_their_own_request_is_403_and_changes_nothing(app, desk, own_request):
    case_id, officer = own_request.id, desk.officer
    web = open_browser(app, officer)
    before = snapshot(case_id)
    version = str(before[2])
    doc_id = own_request.documents[0].id
    for url, data in ((f"/kasus/{case_id}/tindakan/start_verification", {"version": version}),
                      (f"/kasus/{case_id}/klaim", {"version": version}),
                      (f"/kasus/{case_id}/tugaskan", {"assignee_nip": officer.nip, "version": version}),
                      (f"/kasus/{case_id}/dokumen/{doc_id}/periksa", {"decision": "verified"})):
        response = web.post_form(url, data)
        assert response.status_code == 403, url
        assert PARTY_MESSAGE in text_of(response), url
    assert snapshot(case_id) == before


def test_the_api_refuses_the_officer_every_desk_action_on_their_own_request(api, desk, own_request):
    case_id, officer = own_request.id, desk.officer
    client = api(officer)
    base = f"/api/v1/cases/{case_id}"
    before = snapshot(case_id)
    assert client.get(base).get_json()["allowed_triggers"] == ["withdraw"]
    for response in (
        client.post(f"{base}/transitions", json={"trigger": "start_verification", "version": before[2]}),
        client.post(f"{base}/assign", json={"version": before[2]}),
        client.post(f"{base}/assign", json={"assignee_nip": officer.nip, "version": before[2]}),
        client.post(f"{base}/documents/{own_request.documents[0].id}/review", json={"decision": "verified"}),
    ):
        assert response.status_code == 403
        assert response.get_json() == {"error": "forbidden", "message": PARTY_MESSAGE}
    assert snapshot(case_id) == before


def test_the_api_assign_contract(api, desk, own_request, kgb_filed_wednesday):
    """Only the desk assigns (403 for anyone else); the assignee must be on the desk and no party (422)."""
    employees = kgb_filed_wednesday
    for who in (desk.kabid, desk.admin):  # the requester's line supervisor; an admin
        for body in ({"version": employees.version}, {"assignee_nip": desk.officer.nip, "version": employees.version}):
            assert api(who).post(f"/api/v1/cases/{employees.id}/assign", json=body).status_code == 403
    case_id = own_request.id
    base = f"/api/v1/cases/{case_id}/assign"
    version = snapshot(case_id)[2]
    head = api(desk.kasubbag)
    for nip in (desk.officer.nip, desk.kabid.nip, desk.admin.nip):  # the party; a supervisor; an admin
        response = head.post(base, json={"assignee_nip": nip, "version": version})
        assert response.status_code == 422 and "assignee_nip" in response.get_json()["errors"], nip
    response = head.post(base, json={"assignee_nip": desk.officer2.nip, "version": version, "comment": "Tolong."})
    assert response.status_code == 200 and response.get_json()["owner"]["nip"] == desk.officer2.nip


def test_the_assign_dropdown_lists_only_valid_assignees(app, desk, own_request):
    html = text_of(open_browser(app, desk.kasubbag).get(f"/kasus/{own_request.id}"))
    listed = set(re.findall(r'<option value="(\d{18})"', html.split('id="assignee_nip"', 1)[1].split("</select>")[0]))
    assert listed == {desk.officer2.nip, desk.kasubbag.nip}  # not the filing officer, no kabid, no admin


# -- escalation email and mail-in ------------------------------------------------------------------

@pytest.mark.parametrize("action", ["ambil_alih", "alihkan", "instruksi"])
def test_a_party_cannot_act_on_an_escalation_of_their_own_case(app, client, desk, action):
    case = cases.open_case("service_request", KGB, desk.kasubbag).case  # the desk head's own request
    # An escalation already sent to a party (the sweep never sends one to a party; older rows may remain).
    token = escalation_token(SlaNoticeFactory(case=case, recipient=desk.kasubbag), action)
    before = snapshot(case.id)
    refused_as_party(lambda: escalations.preview(token))
    refused_as_party(lambda: escalations.perform_link(token, note="Saya tangani sendiri.",
                                                     assignee_nip=desk.officer.nip))
    page = client.get(f"/email/aksi/{token}")
    assert page.status_code == 403 and PARTY_MESSAGE in text_of(page)
    assert snapshot(case.id) == before


def test_an_escalation_reassigns_only_to_the_desk(desk):
    """The head of office, asked by the escalation chain, may reassign, but only to an officer or the desk head."""
    case = cases.open_case("service_request", KGB, desk.officer).case  # filed by an officer
    notice = SlaNoticeFactory(case=case, recipient=desk.head)
    for nip in (desk.officer.nip, desk.kabid.nip, desk.admin.nip):  # the party; a line supervisor; an admin
        token = escalation_token(notice, "alihkan")
        with pytest.raises(InvalidInput):
            escalations.perform_link(token, note="Tolong.", assignee_nip=nip)
    token = escalation_token(notice, "alihkan")
    assert escalations.perform_link(token, note="Tolong.", assignee_nip=desk.officer2.nip).owner_id == desk.officer2.id


def _reply(case: Case, user, body: str, message_id: str) -> mail_in.ReplyResult:
    address = tokens.reply_address(case.id, user.id, "dkp.babelprov.go.id")
    return mail_in.handle_reply(user.email, [address], reply(user.email, address, body, message_id))


def test_a_mail_in_reply_from_a_party_does_nothing(desk):
    case = cases.open_case("service_request", KGB, desk.kasubbag).case
    SlaNoticeFactory(case=case, recipient=desk.kasubbag)  # sent before the sweep skipped parties
    before = snapshot(case.id)
    for n, body in enumerate(("AMBIL", f"ALIHKAN {desk.officer.nip}", "PERPANJANG 3\nBanyak berkas.",
                              "Saya tangani sendiri.")):
        result = _reply(case, desk.kasubbag, body, f"<p{n}@dkp.babelprov.go.id>")
        assert not result.accepted, body
    assert snapshot(case.id) == before
    # Someone the chain asked who is not a party still acts by reply, but hands the case only to the desk.
    SlaNoticeFactory(case=case, recipient=desk.head, level=2)
    assert not _reply(case, desk.head, f"ALIHKAN {desk.kabid.nip}", "<h1@dkp.babelprov.go.id>").accepted
    assert snapshot(case.id) == before
    assert _reply(case, desk.head, f"ALIHKAN {desk.officer.nip}", "<h2@dkp.babelprov.go.id>").accepted
    assert snapshot(case.id)[1] == desk.officer.id
