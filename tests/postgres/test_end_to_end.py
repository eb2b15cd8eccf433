"""The whole desk as it is deployed, on PostgreSQL: the web app under gunicorn and two `layani worker`
processes, all configured only by LAYANI_* environment variables, with a real SMTP server on loopback.

A case is filed over the HTTP API with a personal token made by `layani token create`, then moved 90 days
into the past in the database (the processes read the real clock), so both workers find it overdue in
their next sweeps at once. Exactly one escalation per clock and level must come of it however the two
workers race, and the receipt and each escalation email must reach the SMTP server exactly once.
"""
from __future__ import annotations

import subprocess
from collections import Counter

import pytest
import requests
from sqlalchemy import select

from layani_flow.models import CaseEvent, OutboxMessage, SlaNotice

from ..conftest import _free_port
from ..processes import FLASK, REPO, layani_env, running
from ..services.helpers import KGB
from .conftest import move_into_the_past

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CLOCKS = ("first_response", "resolution")  # both run from filing; 90 days back, both are breached
START_S = 120  # starting gunicorn or a worker (imports, the database) on a loaded 2-core machine


def test_two_workers_and_the_app_from_the_environment_escalate_once_and_mail_once(
        app, db, office, database_uri, smtp_port, sink, tmp_path):
    desk_head, filer = office.kasubbag, office.employee
    desk_head_id, desk_head_email, filer_email = desk_head.id, desk_head.email, filer.email
    db.session.commit()  # the office, for the other processes to see
    web_port = _free_port()
    env = layani_env(SQLALCHEMY_DATABASE_URI=database_uri, SECRET_KEY="e2e-secret", DESK_HEAD_NIP=desk_head.nip,
                     MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port, WORKER_INTERVAL="0.3",
                     BASE_URL=f"http://127.0.0.1:{web_port}", UPLOAD_FOLDER=tmp_path / "uploads")
    made = subprocess.run([*FLASK, "layani", "token", "create", "--nip", filer.nip], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=START_S)
    assert made.returncode == 0, made.stdout + made.stderr
    token = made.stdout.strip().splitlines()[-1]

    with running() as processes:
        web = processes.start([*FLASK[:1], "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{web_port}",
                               "wsgi:app"], env, REPO, "gunicorn")
        workers = [processes.worker(env, tmp_path, f"worker {name}") for name in "AB"]
        web.expect("Booting worker", timeout=START_S)
        for worker in workers:
            worker.expect("worker berjalan", timeout=START_S)

        filed = requests.post(f"http://127.0.0.1:{web_port}/api/v1/cases", json={"type": "service_request",
                              "fields": KGB}, headers={"Authorization": f"Bearer {token}"}, timeout=START_S)
        assert filed.status_code == 201, filed.text
        case_id = filed.json()["id"]
        assert sink.wait_for(1, timeout=60), processes.outputs()  # the receipt
        move_into_the_past(db, case_id)
        db.session.commit()
        # Both clocks breached at once and escalate to the desk head: both are recorded, one email tells them
        # (services/sweep.py: one person hears of one case once per sweep).
        assert sink.wait_for(2, timeout=60), processes.outputs()
        for worker in workers:  # as an operator stops them: each finishes its cycle and records what it sent
            assert worker.stop() == 0, processes.outputs()
        assert web.stop() == 0, processes.outputs()

    db.session.remove()
    notices = Counter((n.clock, n.cycle, n.level, n.recipient_id)
                      for n in db.session.scalars(select(SlaNotice).where(SlaNotice.case_id == case_id)))
    assert notices == Counter({(clock, 1, 1, desk_head_id): 1 for clock in CLOCKS})
    escalations = Counter((e.data["clock"], e.data["level"]) for e in db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == "sla_escalation")))
    assert escalations == Counter({(clock, 1): 1 for clock in CLOCKS})

    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert {r.status for r in rows} == {"sent"}
    escalation_mail = [(r.to_addr, r.dedupe_key) for r in rows if r.dedupe_key and r.dedupe_key.startswith("sla:")]
    assert len(escalation_mail) == 1 and escalation_mail[0] in \
        {(desk_head_email, f"sla:{case_id}:{clock}:1:1") for clock in CLOCKS}, escalation_mail
    assert [r.to_addr for r in rows if "sudah kami terima" in r.subject] == [filer_email]
    assert sink.message_ids() == Counter({r.message_id: 1 for r in rows})  # each email exactly once
    subjects = [m["Subject"] for _, m in sink.messages]
    assert sum("Eskalasi tingkat 1" in s for s in subjects) == 1, subjects
