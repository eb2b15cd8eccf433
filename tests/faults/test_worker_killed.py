"""`kill -9` of a real worker in the middle of a delivery batch, then a restart: nothing is lost, every email
arrives, and the one the dead worker had in flight is sent again under the same Message-ID.

The mail server takes the 4th message in and then answers nothing (StallingSink), so the worker is killed at
a known point without sleeping: rows 1-3 recorded as sent, row 4 received by the server but not recorded,
rows 5-8 claimed and never tried. The claim's lease (OUTBOX_LEASE_SECONDS, 1 s here) is what gives those
rows back; the restarted worker, configured like the first one, sends them.
"""
from __future__ import annotations

import datetime as dt
import signal

import pytest
from sqlalchemy import select

from layani_flow.models import OutboxMessage
from layani_flow.services import outbox
from layani_flow.services.db import unit_of_work

from ..factories import CaseFactory
from ..processes import layani_env, running
from ..smtp_fakes import WAIT_S, StallingSink, start_smtp, stop_smtp

pytestmark = pytest.mark.slow

EMAILS, STALL_AT = 8, 4


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def stalling(smtp_port):
    sink = StallingSink(stall_at=STALL_AT)
    controller = start_smtp(sink, smtp_port)
    yield sink
    sink.release.set()
    stop_smtp(controller)


def test_a_worker_killed_mid_batch_loses_nothing_and_a_resend_keeps_its_message_id(
        app, db, clock, office, database_uri, smtp_port, stalling, tmp_path):
    clock.set(dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC))  # written long before the real now: due for the worker
    case = CaseFactory(requester=office.employee)
    for i in range(1, EMAILS + 1):
        with unit_of_work():
            outbox.enqueue(to=f"pegawai{i}@dkp.babelprov.go.id", template="case_update", case=case,
                           context={"recipient_name": "Pegawai Uji", "headline": f"Pesan ke-{i}",
                                    "state_label": "Diproses", "comment": ""})
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    by_id = {r.message_id: r for r in rows}
    db.session.remove()  # hold nothing open while the workers run
    env = layani_env(SQLALCHEMY_DATABASE_URI=database_uri, SECRET_KEY="env-secret", MAIL_SERVER="127.0.0.1",
                     MAIL_PORT=smtp_port, MAIL_TIMEOUT=WAIT_S, WORKER_INTERVAL="0.2", OUTBOX_LEASE_SECONDS=1,
                     BASE_URL="https://layani.test", UPLOAD_FOLDER=tmp_path / "uploads")

    with running() as processes:
        first = processes.worker(env, tmp_path, "worker 1")
        first.expect("worker berjalan")
        assert stalling.stalled.wait(WAIT_S), processes.outputs()
        assert first.kill() == -signal.SIGKILL

        db.session.expire_all()
        states = [r.status for r in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
        assert states == ["sent"] * (STALL_AT - 1) + ["pending"] * (EMAILS - STALL_AT + 1), processes.outputs()
        assert list(stalling.message_ids()) == [r.message_id for r in rows[:STALL_AT]]
        stalling.release.set()
        db.session.remove()

        second = processes.worker(env, tmp_path, "worker 2")
        assert stalling.wait_for_ids(by_id, timeout=WAIT_S), processes.outputs()
        assert second.stop() == 0, processes.outputs()

    received = stalling.message_ids()
    assert set(received) == set(by_id)  # every email arrived
    assert received == {**{r.message_id: 1 for r in rows}, rows[STALL_AT - 1].message_id: 2}  # only the one in flight twice
    for _, message in stalling.messages:  # and a resend is the same email under the same Message-ID
        assert message["Subject"] == by_id[message["Message-ID"]].subject
    db.session.expire_all()
    assert {r.status for r in db.session.scalars(select(OutboxMessage))} == {"sent"}
