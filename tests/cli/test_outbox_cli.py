"""`layani outbox failed` lists failed mail, one line each; `layani outbox retry ID` puts one back in the queue;
`layani deliver` counts failed mail as "gagal"."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from layani_flow.models import OutboxMessage
from layani_flow.services import outbox
from layani_flow.services.db import unit_of_work

from ..factories import CaseFactory
from ..smtp_fakes import PickySink, start_smtp, stop_smtp

DOMAIN = "dkp.babelprov.go.id"


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def sink(smtp_port):
    sink = PickySink(rcpt={f"hilang@{DOMAIN}": "550 5.1.1 mailbox unknown"})
    controller = start_smtp(sink, smtp_port)
    yield sink
    stop_smtp(controller)


def _enqueue(case, to) -> int:
    with unit_of_work():  # the row is written when the unit of work commits: its id is known after
        row = outbox.enqueue(to=to, template="case_update", case=case, context={
            "recipient_name": "Pegawai Uji", "headline": "Kasus Anda diproses", "state_label": "Diproses",
            "comment": ""})
    return row.id


@pytest.fixture
def failed_ids(app, db, clock, office, sink, runner):
    """Two failed emails (a non-ASCII address, an unknown mailbox) and one sent."""
    case = CaseFactory(requester=office.employee)
    ids = [_enqueue(case, f"pégawai@{DOMAIN}"), _enqueue(case, f"hilang@{DOMAIN}"), _enqueue(case, f"ok@{DOMAIN}")]
    clock.set(dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC))
    result = runner.invoke(args=["layani", "deliver"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["terkirim: 1, dicoba lagi nanti: 0, gagal: 2"]
    return ids


def test_failed_lists_each_failed_email_on_one_line(failed_ids, runner):
    result = runner.invoke(args=["layani", "outbox", "failed"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    first, second = (line.split("\t") for line in lines)
    assert first[:2] == [str(failed_ids[0]), f"pégawai@{DOMAIN}"]
    assert first[2].endswith("Kasus Anda diproses")
    assert first[3] == "2026-11-25T10:00:00+07:00"
    assert "non-ASCII" in first[4]
    assert second[:2] == [str(failed_ids[1]), f"hilang@{DOMAIN}"]
    assert second[4] == "server mail menolak penerima: 550 5.1.1 mailbox unknown"


def test_failed_says_so_when_there_is_none(app, runner):
    result = runner.invoke(args=["layani", "outbox", "failed"])
    assert result.exit_code == 0 and result.stdout == ""
    assert "Tidak ada email yang gagal." in result.stderr


def test_retry_puts_a_failed_email_back_due_now_and_it_goes_out(failed_ids, runner, db, clock, sink):
    clock.advance(hours=1)
    sink.rcpt.clear()  # the mailbox was created

    result = runner.invoke(args=["layani", "outbox", "retry", str(failed_ids[1])])

    assert result.exit_code == 0, result.output
    assert f"Email #{failed_ids[1]} ke hilang@{DOMAIN} kembali ke antrean" in result.stdout
    row = db.session.get(OutboxMessage, failed_ids[1])
    db.session.refresh(row)
    assert (row.status, row.attempts, row.failed_at, row.next_attempt_at) == ("pending", 0, None, clock.now())
    assert runner.invoke(args=["layani", "deliver"]).stdout.startswith("terkirim: 1,")
    assert sink.message_ids()[row.message_id] == 1  # the same Message-ID as the first try
    listed = runner.invoke(args=["layani", "outbox", "failed"]).stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == [str(failed_ids[0])]


@pytest.mark.parametrize("which, message", [
    ("unknown", "tidak ada di outbox"),
    ("sent", "berstatus 'sent', bukan 'failed'"),
])
def test_retry_refuses_an_unknown_id_or_a_row_that_is_not_failed(failed_ids, runner, db, which, message):
    target = failed_ids[2] if which == "sent" else 999_999
    before = {r.id: (r.status, r.attempts) for r in db.session.scalars(select(OutboxMessage))}

    result = runner.invoke(args=["layani", "outbox", "retry", str(target)])

    assert result.exit_code == 1
    assert message in result.output and f"#{target}" in result.output
    db.session.expire_all()
    assert {r.id: (r.status, r.attempts) for r in db.session.scalars(select(OutboxMessage))} == before


def test_retry_needs_a_number(app, runner):
    result = runner.invoke(args=["layani", "outbox", "retry", "satu"])
    assert result.exit_code == 2 and "satu" in result.output
