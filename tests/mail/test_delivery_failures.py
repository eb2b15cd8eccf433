"""One bad message never holds up the others: each send is its own failure boundary. Permanent reasons fail
that row (failed_at, a readable last_error); temporary ones keep it pending with a backoff; the batch goes on
over the same connection."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from layani_flow.models import OutboxMessage
from layani_flow.services import outbox
from layani_flow.services.db import unit_of_work
from layani_flow.services.worker import run_worker

from ..factories import CaseFactory
from ..smtp_fakes import PickySink, start_smtp, stop_smtp

DOMAIN = "dkp.babelprov.go.id"


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def case(app, office):
    return CaseFactory(requester=office.employee)


def _enqueue(case, to, headline="Kasus Anda sudah diproses", **extra) -> OutboxMessage:
    with unit_of_work():
        return outbox.enqueue(to=to, template="case_update", case=case, context={
            "recipient_name": "Pegawai Uji", "headline": headline, "state_label": "Diproses",
            "comment": "Berkas lengkap."}, **extra)


def _rows(db) -> dict[str, OutboxMessage]:
    db.session.expire_all()
    return {r.to_addr: r for r in db.session.scalars(select(OutboxMessage))}


@pytest.fixture
def picky(smtp_port):
    servers = []

    def start(**refusals) -> PickySink:
        sink = PickySink(**refusals)
        servers.append(start_smtp(sink, smtp_port))
        return sink

    yield start
    for controller in servers:
        stop_smtp(controller)


def test_a_non_ascii_local_part_fails_that_row_and_the_rest_still_go(app, db, clock, case, picky):
    sink = picky()
    good1 = _enqueue(case, f"satu@{DOMAIN}")
    _enqueue(case, f"pégawai@{DOMAIN}")
    good2 = _enqueue(case, f"dua@{DOMAIN}")

    report = outbox.deliver_pending()

    assert (report.sent, report.failed, report.retried) == (2, 1, 0)
    assert sorted(sink.message_ids()) == sorted([good1.message_id, good2.message_id])
    assert sink.connections() == 1
    rows = _rows(db)
    bad = rows[f"pégawai@{DOMAIN}"]
    assert bad.status == "failed" and bad.failed_at == clock.now()
    assert "non-ASCII" in bad.last_error and f"pégawai@{DOMAIN}" in bad.last_error
    assert {rows[f"satu@{DOMAIN}"].status, rows[f"dua@{DOMAIN}"].status} == {"sent"}
    clock.advance(hours=2)
    assert outbox.deliver_pending().failed == 0  # a failed row is not tried again by itself


def test_a_5xx_for_one_recipient_fails_it_at_once_over_the_same_connection(app, db, case, picky):
    sink = picky(rcpt={f"hilang@{DOMAIN}": "550 5.1.1 <hilang@dkp.babelprov.go.id>: mailbox unknown"})
    for to in ("a", "hilang", "b"):
        _enqueue(case, f"{to}@{DOMAIN}")

    report = outbox.deliver_pending()

    assert (report.sent, report.failed) == (2, 1)
    assert sink.connections() == 1 and len(sink.messages) == 2
    bad = _rows(db)[f"hilang@{DOMAIN}"]
    assert bad.status == "failed" and bad.attempts == 1
    assert bad.last_error == "server mail menolak penerima: 550 5.1.1 <hilang@dkp.babelprov.go.id>: mailbox unknown"


def test_a_header_the_server_refuses_fails_that_message(app, db, case, picky):
    sink = picky(data={"TERLARANG": "554 5.6.0 header Subject ditolak"})
    _enqueue(case, f"a@{DOMAIN}", headline="TERLARANG")
    _enqueue(case, f"b@{DOMAIN}")

    report = outbox.deliver_pending()

    assert (report.sent, report.failed) == (1, 1) and sink.connections() == 1
    bad = _rows(db)[f"a@{DOMAIN}"]
    assert bad.status == "failed"
    assert bad.last_error == "server mail menolak isi atau kepala email: 554 5.6.0 header Subject ditolak"


def test_a_4xx_keeps_that_message_pending_with_backoff_and_it_goes_later(app, db, clock, case, picky, smtp_port):
    sink = picky(rcpt={f"penuh@{DOMAIN}": "452 4.2.2 mailbox full"})
    _enqueue(case, f"penuh@{DOMAIN}")
    _enqueue(case, f"b@{DOMAIN}")

    report = outbox.deliver_pending()

    assert (report.sent, report.failed, report.retried) == (1, 0, 1)
    deferred = _rows(db)[f"penuh@{DOMAIN}"]
    assert deferred.status == "pending" and deferred.failed_at is None
    assert deferred.next_attempt_at == clock.now() + dt.timedelta(minutes=1)
    assert deferred.last_error == "server mail menolak penerima: 452 4.2.2 mailbox full"

    sink.rcpt.clear()  # the mailbox has room again
    assert outbox.deliver_pending().sent == 0  # not due yet
    clock.advance(minutes=1)
    assert outbox.deliver_pending().sent == 1
    assert _rows(db)[f"penuh@{DOMAIN}"].status == "sent" and _rows(db)[f"penuh@{DOMAIN}"].last_error == ""


def test_a_line_break_in_a_header_fails_that_message(app, db, case, picky):
    sink = picky()
    _enqueue(case, f"a@{DOMAIN}", reply_to="balas@dkp.babelprov.go.id\r\nBcc: semua@contoh.test")
    _enqueue(case, f"b@{DOMAIN}")

    report = outbox.deliver_pending()

    assert (report.sent, report.failed) == (1, 1) and len(sink.messages) == 1
    assert "baris baru" in _rows(db)[f"a@{DOMAIN}"].last_error


def test_any_other_error_composing_one_message_fails_only_that_one(app, db, case, picky, monkeypatch):
    sink = picky()
    broken = _enqueue(case, f"a@{DOMAIN}")
    _enqueue(case, f"b@{DOMAIN}")
    real = outbox._message

    def message(row):
        if row.id == broken.id:
            raise LookupError("unknown encoding: x-rusak")
        return real(row)

    monkeypatch.setattr(outbox, "_message", message)
    report = outbox.deliver_pending()

    assert (report.sent, report.failed) == (1, 1) and len(sink.messages) == 1
    assert _rows(db)[f"a@{DOMAIN}"].last_error == \
        "email ini tidak dapat disusun atau dikirim: LookupError: unknown encoding: x-rusak"


def test_an_error_in_the_middle_of_a_transaction_resets_it_for_the_next_message(app, db, case, picky, monkeypatch):
    """A failure after MAIL FROM (here, an address smtplib cannot encode in RCPT TO) leaves the session
    mid-transaction; RSET makes it usable again, so the next message goes over the same connection."""
    import smtplib

    sink = picky()
    _enqueue(case, f"a@{DOMAIN}")
    _enqueue(case, f"b@{DOMAIN}")
    real_rcpt = smtplib.SMTP.rcpt
    calls = []

    def rcpt(self, recip, options=()):
        calls.append(recip)
        if len(calls) == 1:
            return real_rcpt(self, f"pé{recip}", options)  # UnicodeEncodeError inside smtplib
        return real_rcpt(self, recip, options)

    monkeypatch.setattr(smtplib.SMTP, "rcpt", rcpt)
    report = outbox.deliver_pending()

    assert (report.sent, report.failed) == (1, 1) and sink.connections() == 1
    assert _rows(db)[f"a@{DOMAIN}"].last_error.startswith("alamat atau kepala email tidak dapat ditulis untuk SMTP")


def test_the_worker_cycle_stays_green_with_a_bad_address_in_the_queue(app, db, case, picky):
    picky()
    _enqueue(case, f"pégawai@{DOMAIN}")
    _enqueue(case, f"b@{DOMAIN}")
    lines: list[str] = []

    run_worker(interval=60, once=True, echo=lines.append)

    assert lines[1:-1] == ["deliver: terkirim 1, tertunda 0, gagal 1"], lines
