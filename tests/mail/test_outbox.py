"""The outbox against a real SMTP server on loopback: delivered once, kept while the server is down."""
from __future__ import annotations

import datetime as dt

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete, select

from layani_flow.models import OutboxMessage
from layani_flow.services import outbox
from layani_flow.services.db import unit_of_work

from ..factories import CaseFactory


@pytest.fixture
def app_config(mail_config):
    return mail_config


def _enqueue(case, to="pegawai@dkp.babelprov.go.id", **extra):
    with unit_of_work():
        return outbox.enqueue(to=to, template="case_update", case=case, context={
            "recipient_name": "Pegawai Uji", "headline": "Kasus Anda sudah diproses",
            "state_label": "Diproses", "comment": "Berkas lengkap."}, **extra)


def test_a_case_notice_is_queued_with_its_facts_and_written_as_it_is_sent(app, db, smtp_server, office,
                                                                          kgb_filed_wednesday):
    case = kgb_filed_wednesday
    receipt = db.session.scalars(select(OutboxMessage)).one()
    assert (receipt.template, receipt.subject, receipt.body_text, receipt.body_html) == (
        "case_update", f"[{case.ref}] Kasus Anda sudah kami terima", "", "")  # a list of waiting mail says what it is
    assert receipt.context["case"] == {"id": case.id, "ref": case.ref, "title": case.title}

    assert outbox.deliver_pending().sent == 1

    [(rcpts, message)] = smtp_server.messages
    assert rcpts == [office.employee.email] and message["Subject"] == receipt.subject
    text, html = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
    assert text.startswith(f"Yth. {office.employee.name}") and "Rabu, 2 Desember 2026 16.00 WIB" in text
    assert f"Lihat kasus: http://localhost/kasus/{case.id}" in text
    assert f"<title>{case.ref}</title>" in html and f'href="http://localhost/kasus/{case.id}"' in html
    db.session.expire_all()
    assert "Rabu, 2 Desember 2026 16.00 WIB" in db.session.get(OutboxMessage, receipt.id).body_text  # kept as sent


def test_an_email_arrives_once_with_text_html_and_threading_headers(app, db, smtp_server, office):
    case = CaseFactory(requester=office.employee)
    row = _enqueue(case)

    report = outbox.deliver_pending()

    assert report.sent == 1 and len(smtp_server.messages) == 1
    rcpts, message = smtp_server.messages[0]
    assert rcpts == ["pegawai@dkp.babelprov.go.id"]
    assert message["Subject"] == f"[{case.ref}] Kasus Anda sudah diproses"
    assert message["Message-ID"] == row.message_id
    assert message["References"] == message["In-Reply-To"] == f"<kasus-{case.id}@dkp.babelprov.go.id>"
    assert message.get_body(("plain",)).get_content().startswith("Yth. Pegawai Uji")
    assert "Lihat kasus" in message.get_body(("html",)).get_content()
    assert db.session.scalar(select(OutboxMessage.status)) == "sent"
    assert outbox.deliver_pending().sent == 0 and len(smtp_server.messages) == 1


def test_a_dead_mail_server_delays_mail_and_never_loses_or_duplicates_it(app, db, clock, smtp_server, smtp_port, office):
    smtp_server.controller.stop()
    case = CaseFactory(requester=office.employee)
    rows = [_enqueue(case, to=f"p{i}@dkp.babelprov.go.id") for i in range(3)]

    first = outbox.deliver_pending()
    assert first.sent == 0 and first.retried == 3 and first.error
    assert outbox.deliver_pending().retried == 0  # not due again yet: backoff
    db.session.expire_all()
    assert {r.status for r in db.session.scalars(select(OutboxMessage))} == {"pending"}

    clock.advance(minutes=10)
    assert outbox.deliver_pending().retried == 3  # still down: tried again, kept again

    restarted = Controller(smtp_server, hostname="127.0.0.1", port=smtp_port)
    restarted.start()
    try:
        clock.advance(minutes=10)
        report = outbox.deliver_pending()
        assert report.sent == 3
        clock.advance(hours=2)
        assert outbox.deliver_pending().sent == 0
    finally:
        restarted.stop()
    received = sorted(m["Message-ID"] for _, m in smtp_server.messages)
    assert received == sorted(r.message_id for r in rows)


def test_a_dedupe_key_makes_a_second_enqueue_a_no_op(app, db, office):
    case = CaseFactory(requester=office.employee)
    assert _enqueue(case, dedupe_key="eskalasi:1:resolution:1") is not None
    assert _enqueue(case, dedupe_key="eskalasi:1:resolution:1") is None
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_a_row_deleted_by_hand_after_its_claim_is_skipped_and_the_rest_still_goes(app, db, smtp_server, office,
                                                                                   monkeypatch, caplog):
    case = CaseFactory(requester=office.employee)
    gone, kept = _enqueue(case, to="hilang@dkp.babelprov.go.id"), _enqueue(case)
    gone_id, claim = gone.id, outbox._claim

    def claim_then_delete(now, batch):  # an operator deletes a row by hand while the batch is out
        ids = claim(now, batch)
        if gone_id in ids:
            with unit_of_work():
                db.session.execute(delete(OutboxMessage).where(OutboxMessage.id == gone_id))
        return ids

    monkeypatch.setattr(outbox, "_claim", claim_then_delete)
    report = outbox.deliver_pending()

    assert (report.sent, report.failed) == (1, 0)
    assert [m["Message-ID"] for _, m in smtp_server.messages] == [kept.message_id]
    assert f"Outbox {gone_id} vanished" in caplog.text


def test_backoff_grows_and_is_capped():
    assert [outbox._backoff(n) for n in (1, 2, 3, 4)] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert outbox._backoff(30) == dt.timedelta(hours=1)


def test_deliver_command_exits_zero_when_the_server_is_down(app, runner, smtp_server, office):
    smtp_server.controller.stop()
    _enqueue(CaseFactory(requester=office.employee))
    result = runner.invoke(args=["layani", "deliver"])
    assert result.exit_code == 0, result.output
    assert "dicoba lagi nanti: 1" in result.output
