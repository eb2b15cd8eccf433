"""open_case / transition_case: each call is one unit of work that commits, or changes nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import Case, CaseEvent
from layani_flow.services import cases, file_storage
from layani_flow.services.errors import Forbidden, InvalidInput, NotFound, StaleCase, TransitionNotAllowed
from layani_flow.workflows import REGISTRY
from layani_flow.workflows.guards import documents_verified

from ..factories import CaseFactory, UserFactory
from ..timekit import wib
from .helpers import COMPLAINT, CUTI, KGB, counts, mediation_data, transitions_of, upload
from .samples import PNG

# -- opening ---------------------------------------------------------------------------------------------


def test_open_service_request_with_uploads(app, office, clock):
    opened = cases.open_case("service_request", KGB, office.employee,
                             uploads=[upload("sk_pangkat_terakhir", "sk-pangkat.pdf"),
                                      upload("sk_kgb_terakhir", "sk kgb.png", content=PNG)])
    case = db.session.get(Case, opened.case.id)
    assert opened.tracking_code is None
    assert (case.case_type, case.service, case.state) == ("service_request", "kgb", "submitted")
    assert case.title == "Kenaikan gaji berkala (KGB)"
    assert case.requester_id == office.employee.id and case.owner_id is None and not case.is_anonymous
    assert case.fields == {"tmt_kgb_terakhir": "2024-12-01", "golongan": "Penata, III/c"}
    assert case.created_at == clock.now() and case.ref == f"LYN-2026-{case.id:05d}"
    assert [(d.requirement, d.original_name, d.content_type, d.review_status) for d in case.documents] == [
        ("sk_pangkat_terakhir", "sk-pangkat.pdf", "application/pdf", "pending"),
        ("sk_kgb_terakhir", "sk kgb.png", "image/png", "pending"),
    ]
    for d in case.documents:
        assert len(file_storage.read(d.stored_name) or b"") == d.size_bytes
        assert d.uploaded_by_id == office.employee.id
    assert [(e.kind, e.to_state, e.actor_id) for e in case.events] == [
        ("created", "submitted", office.employee.id), ("document", None, office.employee.id),
        ("document", None, office.employee.id)]


@pytest.mark.parametrize("who, entry_state", [("employee", "awaiting_superior"), ("head", "submitted")])
def test_leave_request_waits_for_the_superior_only_when_there_is_one(office, who, entry_state):
    requester = getattr(office, who)
    assert (requester.superior_id is not None) == (who == "employee")
    case = cases.open_case("service_request", CUTI, requester, uploads=[upload("formulir_cuti")]).case
    assert case.state == entry_state
    assert case.events[0].to_state == entry_state


def test_services_without_endorsement_start_submitted_even_with_a_superior(office):
    assert cases.open_case("service_request", KGB, office.employee).case.state == "submitted"


@pytest.mark.parametrize("approver", ["kabid", "head"])
def test_any_superior_up_the_chain_may_endorse_leave(office, approver):
    case = cases.open_case("service_request", CUTI, office.employee).case
    case = cases.transition_case(case.id, "superior_approve", getattr(office, approver), case.version)
    assert case.state == "submitted"


@pytest.mark.parametrize("who", ["officer", "colleague", "outsider"])
def test_others_may_not_endorse_leave(office, who):
    case = cases.open_case("service_request", CUTI, office.employee).case
    with pytest.raises((Forbidden, NotFound)):
        cases.transition_case(case.id, "superior_approve", getattr(office, who), case.version)
    assert db.session.get(Case, case.id).state == "awaiting_superior"


def test_open_complaint_and_mediation(office):
    complaint = cases.open_case("complaint", {**COMPLAINT, "reported_nip": office.colleague.nip}, office.employee).case
    assert (complaint.state, complaint.title, complaint.other_party_id) == (
        "submitted", "Layanan lambat", office.colleague.id)
    assert complaint.requester_id == office.employee.id
    mediation = cases.open_case("mediation", mediation_data(office.kabid), office.employee).case
    assert (mediation.state, mediation.other_party_id, mediation.is_other_party_involved) == (
        "submitted", office.kabid.id, False)
    assert mediation.ref.startswith("MED-") and complaint.ref.startswith("ADU-")


OPEN_REFUSALS = {
    "anonymous service request": ("service_request", KGB, "employee", True, InvalidInput),
    "anonymous mediation": ("mediation", None, "employee", True, InvalidInput),
    "nobody, not anonymous": ("complaint", COMPLAINT, None, False, Forbidden),
    "mediation with oneself": ("mediation", "self", "employee", False, InvalidInput),
    "mediation with an unknown NIP": ("mediation", "unknown", "employee", False, InvalidInput),
    "complaint about an unknown NIP": ("complaint", {**COMPLAINT, "reported_nip": "199001012015031999"},
                                       "employee", False, InvalidInput),
    "complaint about oneself": ("complaint", "self-report", "employee", False, InvalidInput),
}


@pytest.mark.parametrize("case_type, data, who, anonymous, error", OPEN_REFUSALS.values(), ids=OPEN_REFUSALS.keys())
def test_open_case_refusals_write_nothing(office, case_type, data, who, anonymous, error):
    actor = getattr(office, who) if who else None
    if data is None:
        data = mediation_data(office.kabid)
    elif data == "self":
        data = mediation_data(office.employee)
    elif data == "unknown":
        data = {**mediation_data(office.kabid), "other_party_nip": "199001012015031999"}
    elif data == "self-report":
        data = {**COMPLAINT, "reported_nip": office.employee.nip}
    before = counts()
    with pytest.raises(error):
        cases.open_case(case_type, data, actor, anonymous=anonymous)
    assert counts() == before


def test_an_inactive_person_cannot_be_named_as_the_other_party(office):
    office.kabid.is_active_account = False
    db.session.commit()
    with pytest.raises(InvalidInput) as info:
        cases.open_case("mediation", mediation_data(office.kabid), office.employee)
    assert "other_party_nip" in info.value.errors


# -- the whole service-request path ----------------------------------------------------------------------

def test_service_request_full_path(office, clock):
    employee, officer = office.employee, office.officer
    case = cases.open_case("service_request", KGB, employee,
                           uploads=[upload("sk_pangkat_terakhir"), upload("sk_kgb_terakhir")]).case
    expected = []

    def fire(trigger, actor, comment="", fields=None):
        nonlocal case
        clock.advance(hours=1)
        before, version = case.state, case.version
        case = cases.transition_case(case.id, trigger, actor, case.version, comment, fields)
        assert case.version > version
        expected.append((clock.now(), actor.id, actor.name, trigger, before, case.state, comment))
        return case

    fire("start_verification", officer)
    assert case.owner_id == officer.id, "starting verification claims an unclaimed case"
    fire("request_revision", officer, "Mohon unggah SKP satu tahun terakhir.")
    cases.upload_documents(case.id, employee, [upload("skp", "skp-2025.pdf")])
    fire("resubmit", employee)
    assert case.state == "in_verification"

    # Blocked until every required document is verified; the refusal says so and changes nothing.
    for verified in range(3):
        version, events = case.version, len(case.events)
        with pytest.raises(TransitionNotAllowed) as info:
            cases.transition_case(case.id, "start_processing", officer, case.version)
        assert info.value.message == documents_verified.message
        assert info.value.status == 409
        case = db.session.get(Case, case.id)
        assert (case.state, case.version, len(case.events)) == ("in_verification", version, events)
        cases.review_document(case.id, verified + 1, officer, "verified")

    fire("start_processing", officer)
    fire("forward", officer, "Dikirim ke Kanreg BKN.", {"external_body": "BKN"})
    assert case.external_body == "BKN"
    fire("external_returned", officer, "Pertimbangan teknis BKN diterima.")
    assert case.external_body is None
    fire("complete", officer, "SK KGB sudah terbit.")
    assert case.state == "completed" and case.closed_at == clock.now()

    case = db.session.get(Case, case.id)
    timeline = [(e.at, e.actor_id, e.actor_label, e.trigger, e.from_state, e.to_state, e.comment)
                for e in transitions_of(case)]
    assert timeline == expected
    assert [e.to_state for e in transitions_of(case)] == [
        "in_verification", "revision_requested", "in_verification", "processing", "forwarded", "processing",
        "completed"]
    assert [e.data for e in transitions_of(case) if e.trigger in ("forward", "external_returned")] == [
        {"external_body": "BKN"}, {"external_body": "BKN"}]
    assert REGISTRY["service_request"].machine.models == []


# -- refusals: the error, and nothing written ------------------------------------------------------------

@pytest.fixture
def verifying(office):
    """A KGB request under verification, owned by office.officer."""
    return CaseFactory(requester=office.employee, owner=office.officer, state="in_verification")


def _refused(case_id, trigger, actor, version, comment="", fields=None):
    return lambda: cases.transition_case(case_id, trigger, actor, version, comment, fields)


REFUSALS = {
    # name: (trigger, who, version offset, comment, fields, error, message fragment or error field)
    "stale version": ("request_revision", "officer", -1, "perbaiki", None, StaleCase, "baru saja diubah"),
    "future version": ("request_revision", "officer", +3, "perbaiki", None, StaleCase, "baru saja diubah"),
    "version not a number": ("request_revision", "officer", "x", "perbaiki", None, InvalidInput, "version"),
    "version missing": ("request_revision", "officer", None, "perbaiki", None, InvalidInput, "version"),
    "version infinite": ("request_revision", "officer", float("inf"), "perbaiki", None, InvalidInput, "version"),
    "version not a number (NaN)": ("request_revision", "officer", float("nan"), "perbaiki", None, InvalidInput,
                                   "version"),
    "version a fraction": ("request_revision", "officer", 1.5, "perbaiki", None, InvalidInput, "version"),
    "version a boolean": ("request_revision", "officer", True, "perbaiki", None, InvalidInput, "version"),
    "impossible from this state": ("resubmit", "employee", 0, "", None, TransitionNotAllowed, "Verifikasi berkas"),
    "unknown trigger": ("fly_away", "officer", 0, "", None, TransitionNotAllowed, "tidak dikenal"),
    "another workflow's trigger": ("triage", "officer", 0, "", None, TransitionNotAllowed, "tidak dikenal"),
    "not the owner": ("request_revision", "officer2", 0, "perbaiki", None, Forbidden, "tidak berwenang"),
    "the requester doing the desk's work": ("request_revision", "employee", 0, "x", None, Forbidden, "tidak berwenang"),
    "the desk withdrawing for the requester": ("withdraw", "officer", 0, "", None, Forbidden, "tidak berwenang"),
    "cannot see the case": ("withdraw", "colleague", 0, "", None, NotFound, "tidak ditemukan"),
    "required comment missing": ("request_revision", "officer", 0, "", None, InvalidInput, "comment"),
    "required comment blank": ("request_revision", "officer", 0, "  \n\t ", None, InvalidInput, "comment"),
    "guard refuses": ("start_processing", "officer", 0, "", None, TransitionNotAllowed, "diverifikasi"),
}


@pytest.mark.parametrize("trigger, who, offset, comment, fields, error, detail", REFUSALS.values(),
                         ids=REFUSALS.keys())
def test_a_refused_transition_raises_and_changes_nothing(office, verifying, trigger, who, offset, comment, fields,
                                                         error, detail):
    case_id, state, version = verifying.id, verifying.state, verifying.version
    sent = version + offset if type(offset) is int else offset
    before = counts()
    with pytest.raises(error) as info:
        cases.transition_case(case_id, trigger, getattr(office, who), sent, comment, fields)
    assert detail in info.value.message or detail in info.value.errors
    assert info.value.status == {StaleCase: 409, TransitionNotAllowed: 409, Forbidden: 403, NotFound: 404,
                                 InvalidInput: 422}[error]
    db.session.expire_all()
    stored = db.session.get(Case, case_id)
    assert (stored.state, stored.version, stored.owner_id) == (state, version, office.officer.id)
    assert counts() == before


def test_trigger_form_input_is_checked_by_the_service(office):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="processing")
    for fields in ({}, {"external_body": "KPK"}, {"external_body": None}):
        with pytest.raises(InvalidInput) as info:
            cases.transition_case(case.id, "forward", office.officer, case.version, "kirim", fields)
        assert "external_body" in info.value.errors
    assert db.session.get(Case, case.id).state == "processing"


def test_a_guard_failing_inside_the_machine_is_still_a_409_and_writes_nothing(office, verifying, monkeypatch):
    """If refusal() and the machine ever disagreed, fire() returning False must not half-apply the step."""
    workflow = REGISTRY["service_request"]
    monkeypatch.setattr(workflow, "refusal", lambda case, trigger, ctx: None)
    before = counts()
    with pytest.raises(TransitionNotAllowed):
        cases.transition_case(verifying.id, "start_processing", office.officer, verifying.version)
    db.session.expire_all()
    assert db.session.get(Case, verifying.id).state == "in_verification"
    assert counts() == before


# -- the timeline is append-only ------------------------------------------------------------------------

def test_events_cannot_be_updated_through_the_orm(office, verifying):
    cases.transition_case(verifying.id, "request_revision", office.officer, verifying.version, "perbaiki")
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == verifying.id)).one()
    event.comment = "diubah diam-diam"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalars(select(CaseEvent.comment).where(CaseEvent.case_id == verifying.id)).all() == ["perbaiki"]


def test_events_cannot_be_deleted_through_the_orm(office, verifying):
    cases.add_message(verifying.id, office.employee, "Halo")
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == verifying.id)).one()
    db.session.delete(event)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalars(select(CaseEvent.comment).where(CaseEvent.case_id == verifying.id)).all() == ["Halo"]


# -- the shared machine stays clean when the service fires it ----------------------------------------

def test_service_transitions_register_nothing_on_the_machine(office):
    for _ in range(20):
        case = CaseFactory(requester=office.employee, state="submitted")
        case = cases.transition_case(case.id, "start_verification", office.officer, case.version)
        cases.transition_case(case.id, "withdraw", office.employee, case.version)
    for wf in REGISTRY.values():
        assert wf.machine.models == []


# -- messages --------------------------------------------------------------------------------------------

def test_messages_are_checked_and_internal_notes_are_for_the_desk(office, verifying):
    with pytest.raises(InvalidInput):
        cases.add_message(verifying.id, office.employee, "   ")
    with pytest.raises(InvalidInput):
        cases.add_message(verifying.id, office.employee, "x" * 5001)
    with pytest.raises(Forbidden):
        cases.add_message(verifying.id, office.employee, "rahasia", internal=True)
    with pytest.raises(NotFound):
        cases.add_message(verifying.id, office.colleague, "halo")
    note = cases.add_message(verifying.id, office.officer, "cek ke BKN", internal=True)
    message = cases.add_message(verifying.id, office.employee, "  terima kasih  ")
    assert (note.kind, note.is_internal, message.kind, message.comment) == ("note", True, "message", "terima kasih")
    assert message.actor_id == office.employee.id and message.at == cases.clock.now()


def test_claiming_and_assigning(desk):
    case = CaseFactory(requester=desk.employee, state="submitted")
    case = cases.claim_case(case.id, desk.officer, case.version)
    assert case.owner_id == desk.officer.id
    with pytest.raises(TransitionNotAllowed):
        cases.claim_case(case.id, desk.officer2, case.version)
    with pytest.raises(Forbidden):
        cases.assign_case(case.id, desk.employee, desk.officer2.nip, case.version)
    with pytest.raises(InvalidInput):
        cases.assign_case(case.id, desk.kasubbag, desk.colleague.nip, case.version)  # not desk staff
    case = cases.assign_case(case.id, desk.officer, desk.officer2.nip, case.version, "cuti")
    assert case.owner_id == desk.officer2.id
    assignment = [e for e in case.events if e.kind == "assignment"]
    assert [e.data for e in assignment] == [{"from": None, "to": desk.officer.name},
                                            {"from": desk.officer.name, "to": desk.officer2.name}]


def test_a_party_is_never_assigned_to_handle_the_case(desk):
    requester = UserFactory(role="officer")
    case = CaseFactory(requester=requester, state="submitted")
    with pytest.raises(Forbidden) as info:  # claiming it: the party may not act on the desk's side
        cases.claim_case(case.id, requester, case.version)
    assert info.value.message == cases.PARTY_MESSAGE
    with pytest.raises(InvalidInput) as info:  # the desk head naming them: a party is no valid assignee
        cases.assign_case(case.id, desk.kasubbag, requester.nip, case.version)
    assert "assignee_nip" in info.value.errors
    assert db.session.get(Case, case.id).owner_id is None


def test_events_carry_the_clock(office, clock, verifying):
    clock.set(wib(2026, 12, 1, 8, 0))
    case = cases.transition_case(verifying.id, "request_revision", office.officer, verifying.version, "perbaiki")
    assert case.events[-1].at == dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
    assert case.updated_at == clock.now()
