"""Emails people get as their case moves: receipts, status changes, assignments, out-of-hours replies."""
from __future__ import annotations

from sqlalchemy import select

from layani_flow.models import CaseEvent, OutboxMessage
from layani_flow.services import cases as case_service

from ..services.helpers import written_mail
from ..timekit import wib


def _outbox(db) -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_the_filer_gets_a_receipt_with_the_number_and_the_target(db, clock, office, kgb_filed_wednesday):
    case = kgb_filed_wednesday
    db.session.expire_all()
    [receipt] = written_mail()
    assert receipt.to_addr == office.employee.email
    assert receipt.subject == f"[{case.ref}] Kasus Anda sudah kami terima"
    assert "Rabu, 2 Desember 2026 16.00 WIB" in receipt.body_text  # 5 working days for KGB


def test_status_changes_and_assignments_reach_the_right_people(db, desk, kgb_filed_wednesday):
    case = kgb_filed_wednesday
    case = case_service.assign_case(case.id, desk.kasubbag, desk.officer.nip, case.version)
    case = case_service.transition_case(case.id, "start_verification", desk.officer, case.version)
    mails = [(m.to_addr, m.subject.split("] ", 1)[1]) for m in _outbox(db)]
    assert mails == [
        (desk.employee.email, "Kasus Anda sudah kami terima"),
        (desk.officer.email, "Kasus ditugaskan kepada Anda"),
        (desk.employee.email, "Status kasus Anda: Verifikasi berkas"),
    ]


def test_an_anonymous_filer_gets_no_email_and_no_row_names_them(db, office):
    opened = case_service.open_case("complaint", {"category": "pengaduan", "subject": "Pungutan liar",
                                                  "description": "Ada permintaan uang untuk mempercepat berkas."},
                                    office.employee, anonymous=True)
    filer = case_service.TrackedFiler(opened.case.id)
    case_service.add_message(opened.case.id, filer, "Tambahan keterangan dari saya.")
    db.session.expire_all()
    for row in written_mail():
        assert office.employee.email not in (row.to_addr, row.body_text, row.body_html, str(row.context))
        assert office.employee.name not in row.body_text + str(row.context)


def test_a_message_out_of_hours_gets_an_automatic_reply_with_the_due_time(db, clock, office, kgb_filed_wednesday):
    case = kgb_filed_wednesday
    case_service.claim_case(case.id, office.officer, case.version)  # first response given
    clock.set(wib(2026, 11, 27, 20, 0))  # Friday night
    case_service.add_message(case.id, office.employee, "Apakah berkas saya sudah lengkap?")
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()
    reply = events[-1]
    assert reply.kind == "auto_reply" and reply.actor_label == "Sistem LAYANI"
    assert "Senin, 30 November 2026 16.00 WIB" in reply.comment  # next working day's close
    subjects = [m.subject for m in _outbox(db)]
    assert any(s.endswith("Pesan Anda sudah kami terima") for s in subjects)
    assert any(s.endswith("Pesan baru dari pemohon") for s in subjects)


def test_a_message_in_office_hours_gets_no_automatic_reply(db, clock, office, kgb_filed_wednesday):
    case = kgb_filed_wednesday
    case_service.add_message(case.id, office.employee, "Terima kasih.")
    kinds = [e.kind for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))]
    assert "auto_reply" not in kinds


def test_an_automatic_reply_never_promises_a_time_already_past(db, clock, office, kgb_filed_wednesday):
    case = kgb_filed_wednesday  # first response due Thu 16:00
    clock.set(wib(2026, 11, 27, 20, 0))  # Friday night: that deadline has passed, nobody answered
    case_service.add_message(case.id, office.employee, "Halo, apakah ada kabar?")
    reply = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "auto_reply")).one()
    assert "Senin, 30 November 2026 16.00 WIB" in reply.comment
