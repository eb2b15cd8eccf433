"""Emails lead somewhere: every email about a case ends with "Lihat kasus" (an absolute link from BASE_URL), an
escalation says who filed and how late it is, a sweep that runs late sends one email per person, and an
extension link on a clock that has stopped says so before anyone types a reason. Over the real SMTP fake."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from layani_flow.models import Case, CaseClock, OutboxMessage
from layani_flow.services import cases as case_service
from layani_flow.services import outbox
from layani_flow.services.sweep import sweep_due_cases

from ..conftest import csrf_token_from
from ..scenarios import LEVEL_1
from ..timekit import wib

BASE = "https://layani.dkp.example.go.id"


@pytest.fixture
def app_config(mail_config):
    return {**mail_config, "BASE_URL": BASE}


def _links(message) -> dict[str, str]:
    """The escalation's action links as paths, checked to start with BASE_URL."""
    plain = message.get_body(("plain",)).get_content()
    found = dict(re.findall(rf"^- (\S+)[^:]*: {re.escape(BASE)}(/email/aksi/[\w.\-]+)", plain, re.M))
    return {"perpanjang": found["Perpanjang"], "ambil_alih": found["Ambil"]}


def _delivered(smtp_server):
    outbox.deliver_pending()
    return [m for _, m in smtp_server.messages]


def _texts(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def _case_link_in_both(message, case_id: int) -> None:
    plain, html = _texts(message)
    assert f"Lihat kasus: {BASE}/kasus/{case_id}" in plain
    assert re.search(rf'<a href="{re.escape(BASE)}/kasus/{case_id}"[^>]*>Lihat kasus</a>', html), html


def test_a_status_email_and_a_warning_link_to_the_case(db, desk, kgb_filed_wednesday, smtp_server):
    case = kgb_filed_wednesday
    sweep_due_cases(wib(2026, 11, 26, 12, 0))  # the first response's warning, to the desk's head
    receipt, warning = _delivered(smtp_server)
    assert "Peringatan" in warning["Subject"]
    for message in (receipt, warning):
        _case_link_in_both(message, case.id)


def test_an_escalation_links_to_the_case_and_says_who_filed_and_how_late(db, desk, kgb_filed_wednesday,
                                                                      smtp_server):
    case = kgb_filed_wednesday
    sweep_due_cases(wib(2026, 11, 27, 10, 0))  # found late: Friday 10.00, due Thursday 16.00
    [escalation] = [m for m in _delivered(smtp_server) if "Eskalasi" in m["Subject"]]
    _case_link_in_both(escalation, case.id)
    plain, html = _texts(escalation)
    filer = f"{desk.employee.name} (NIP {desk.employee.nip})"
    assert f"Pemohon      : {filer}" in plain and filer in html
    # Thursday 16.00 → Friday 10.00 is 2 h 30 min of working time (07.30–10.00).
    assert "terlambat 2 jam 30 menit kerja" in plain and "terlambat 2 jam 30 menit kerja" in html


def test_an_escalation_of_an_anonymous_complaint_names_nobody(db, clock, desk, smtp_server):
    clock.set(wib(2026, 11, 25, 9, 0))
    case = case_service.open_case("complaint", {
        "category": "pengaduan", "subject": "Pungutan liar", "description": "Ada permintaan uang di loket."},
        desk.employee, anonymous=True).case
    sweep_due_cases(wib(2026, 12, 1, 9, 0))
    escalations = [m for m in _delivered(smtp_server) if "Eskalasi" in m["Subject"]]
    assert escalations
    for message in escalations:
        plain, html = _texts(message)
        assert "Pemohon      : anonim" in plain
        assert desk.employee.name not in plain + html and desk.employee.nip not in plain + html
        _case_link_in_both(message, case.id)  # a random id: it names nobody


def test_a_late_sweep_sends_one_email_per_person_not_a_warning_beside_an_escalation(db, desk, kgb_filed_wednesday,
                                                                                smtp_server):
    """Nobody swept until Tuesday noon: the first response is long breached (Thursday 16.00) and the resolution
    clock is in its warning window (from Tuesday 11.37). The desk's head hears once, by the escalation."""
    report = sweep_due_cases(wib(2026, 12, 1, 12, 0))
    assert len(report.escalated) == 1
    messages = _delivered(smtp_server)[1:]  # after the filer's receipt
    assert [(m["To"], "Eskalasi" in m["Subject"]) for m in messages] == [(desk.kasubbag.email, True)]
    assert sweep_due_cases(wib(2026, 12, 1, 12, 0)).lines() == []
    assert len(_delivered(smtp_server)) == 2
    # The warning is not kept for later either: it would arrive after the escalation it precedes.
    assert sweep_due_cases(wib(2026, 12, 1, 14, 0)).warned == []
    resolution = db.session.scalars(select(CaseClock).where(CaseClock.case_id == kgb_filed_wednesday.id,
                                                            CaseClock.name == "resolution")).one()
    assert resolution.warned_at is not None


def test_a_sweep_on_time_still_warns_then_escalates(db, desk, kgb_filed_wednesday):
    assert len(sweep_due_cases(wib(2026, 11, 26, 12, 0)).warned) == 1
    assert len(sweep_due_cases(LEVEL_1).escalated) == 1
    # The sweep's emails are written when delivered (services.escalation_mail): their rows name the template.
    sent = db.session.scalars(select(OutboxMessage.template).order_by(OutboxMessage.id)).all()
    assert sent[1:] == ["sla_warning", "sla_escalation"]


def test_extending_a_clock_that_has_stopped_says_so_on_the_page_before_any_reason(escalated, client, db, desk):
    case_id, message = escalated
    path = _links(message)["perpanjang"]
    case_service.claim_case(case_id, desk.officer, db.session.get(Case, case_id).version)  # first response stops
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "sudah tidak berjalan" in html and "tidak ada yang perlu diperpanjang" in html
    assert 'name="note"' not in html and 'name="days"' not in html  # nothing to type in vain
    assert f'href="/kasus/{case_id}"' in html


def test_an_extension_link_on_a_running_clock_still_offers_the_form(escalated, client):
    _, message = escalated
    html = client.get(_links(message)["perpanjang"]).get_data(as_text=True)
    assert 'name="days"' in html and 'name="note"' in html and "sudah tidak berjalan" not in html


def test_a_post_on_a_stopped_clock_is_refused_with_the_same_words(escalated, client, db, desk):
    case_id, message = escalated
    path = _links(message)["perpanjang"]
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    case_service.claim_case(case_id, desk.officer, db.session.get(Case, case_id).version)
    refused = client.post(path, data={"csrf_token": token, "days": "3", "note": "Menunggu data."})
    assert refused.status_code == 409 and "tidak ada yang perlu diperpanjang" in refused.get_data(as_text=True)


CASE_TEMPLATES = ("case_update", "sla_warning", "sla_escalation", "mail_in_refusal")


@pytest.mark.parametrize("template", CASE_TEMPLATES)
def test_every_email_about_a_case_has_the_link_in_both_parts(app, db, desk, kgb_filed_wednesday, template):
    """Each template as the outbox renders it (the same context helper), whatever else its sender passes."""
    case = kgb_filed_wednesday
    row = outbox.enqueue(to=desk.kasubbag.email, template=template, case=case, context={
        "recipient_name": desk.kasubbag.name, "headline": "Uji", "reason": "Uji", "received_text": "tadi",
        "every_minutes": 60, "links": {}, "actions": {}, "level": 1, "clock_label": "Penyelesaian"})
    assert f"Lihat kasus: {BASE}/kasus/{case.id}" in row.body_text
    assert f'<a href="{BASE}/kasus/{case.id}"' in row.body_html and ">Lihat kasus</a>" in row.body_html


def test_the_emails_without_a_case_lead_to_the_app(app, db, desk):
    row = outbox.enqueue(to=desk.employee.email, template="password_changed", context={
        "recipient_name": desk.employee.name, "nip": desk.employee.nip, "when_text": "tadi", "how": "oleh Anda"})
    assert f"Masuk ke LAYANI: {BASE}/masuk" in row.body_text and f'href="{BASE}/masuk"' in row.body_html
    refusal = outbox.enqueue(to=desk.employee.email, template="mail_in_refusal", context={
        "recipient_name": desk.employee.name, "reason": "Uji", "received_text": "tadi", "every_minutes": 60})
    assert f"{BASE}/" in refusal.body_text and "Lihat kasus" not in refusal.body_text


def test_a_queued_escalation_is_written_at_delivery_and_one_that_cannot_be_fails_alone(db, desk, kgb_filed_wednesday,
                                                                                        smtp_server):
    sweep_due_cases(LEVEL_1)
    queued = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "sla_escalation")).all()
    assert [(m.template, m.subject, m.body_text) for m in queued] == [("sla_escalation", "", "")]
    twin = OutboxMessage(**{c: getattr(queued[0], c) for c in ("case_id", "to_addr", "subject", "body_text",
                                                               "body_html", "thread_id", "headers", "attachments",
                                                               "status", "attempts", "created_at", "next_attempt_at",
                                                               "template")},
                         context={**queued[0].context, "clock_id": 999_999}, message_id="<twin@example.org>")
    db.session.add(twin)
    db.session.commit()
    report = outbox.deliver_pending()
    assert report.failed == 1
    db.session.expire_all()
    assert db.session.get(OutboxMessage, twin.id).status == "failed"
    assert "sudah tidak ada" in db.session.get(OutboxMessage, twin.id).last_error
    written = db.session.get(OutboxMessage, queued[0].id)
    assert written.status == "sent" and written.subject.startswith(f"[{kgb_filed_wednesday.ref}] Eskalasi tingkat 1")
    assert written.reply_to.startswith("balas+") and "/email/aksi/" in written.body_text
