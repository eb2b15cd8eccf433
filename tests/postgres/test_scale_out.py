"""Scale-out on one PostgreSQL: two gunicorn app servers (A and B) and two `layani worker` processes, each
configured only by LAYANI_* variables, with a real SMTP server on loopback. Nothing may live on one server's
disk or in one process's memory, so across the servers:

- a session signed in on A is valid on B (sessions are rows, the cookie is signed with the shared SECRET_KEY);
- a document uploaded on A downloads on B with the same bytes (FILE_STORAGE=database), and neither server's
  UPLOAD_FOLDER holds a file;
- an officer moves on B a case filed on A;
- refused passwords on A and on B spend one allowance (RATELIMIT_STORAGE_URI=database://);
- cases made overdue (moved 90 days back in the database: the processes read the real clock) are escalated
  exactly once per clock and level however the two workers race, and every email reaches the SMTP server
  exactly once.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from layani_flow.models import Case, CaseDocument, CaseEvent, OutboxMessage, SlaNotice, StoredFile

from ..conftest import _free_port
from ..factories import PASSWORD
from ..processes import FLASK, REPO, layani_env, running
from ..services.helpers import KGB
from ..services.samples import PDF
from .conftest import move_into_the_past

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

START_S = 120  # starting gunicorn or a worker on a loaded 2-core machine
CASES = 4  # filed on A; the first two are taken up on B, the last two left to go overdue
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _token(env: dict, cwd: Path, nip: str) -> str:
    import subprocess

    made = subprocess.run([*FLASK, "layani", "token", "create", "--nip", nip], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=START_S)
    assert made.returncode == 0, made.stdout + made.stderr
    return made.stdout.strip().splitlines()[-1]


def _csrf(browser: requests.Session, base: str) -> str:
    page = browser.get(f"{base}/masuk", timeout=30)
    match = CSRF.search(page.text)
    assert match, page.text[:500]
    return match.group(1)


def _sign_in(browser: requests.Session, base: str, nip: str, password: str, token: str) -> requests.Response:
    return browser.post(f"{base}/masuk", data={"csrf_token": token, "nip": nip, "password": password},
                        allow_redirects=False, timeout=30)


def test_two_app_servers_and_two_workers_on_one_database_lose_and_double_nothing(
        app, db, office, database_uri, smtp_port, sink, tmp_path):
    desk_head, filer, officer, stranger = office.kasubbag, office.employee, office.officer, office.head
    ids = {"desk_head": desk_head.id}
    db.session.commit()  # the office, for the other processes to see
    ports = {name: _free_port() for name in "AB"}
    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    common = dict(SQLALCHEMY_DATABASE_URI=database_uri, SECRET_KEY="scale-out-secret", DESK_HEAD_NIP=desk_head.nip,
                  MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port, WORKER_INTERVAL="0.3", BASE_URL=base["A"],
                  FILE_STORAGE="database", RATELIMIT_STORAGE_URI="database://")
    folders = {name: tmp_path / f"uploads-{name}" for name in ("A", "B", "worker")}  # each its own, as on
    env = {name: layani_env(**common, UPLOAD_FOLDER=folder) for name, folder in folders.items()}  # 3 machines
    filer_token, officer_token = _token(env["A"], tmp_path, filer.nip), _token(env["A"], tmp_path, officer.nip)

    with running() as processes:
        servers = {name: processes.start(
            [*FLASK[:1], "-m", "gunicorn", "--worker-class", "gthread", "--workers", "1", "--threads", "4",
             "--bind", f"127.0.0.1:{ports[name]}", "wsgi:app"], env[name], REPO, f"gunicorn {name}") for name in "AB"}
        workers = [processes.worker(env["worker"], tmp_path, f"worker {name}") for name in "12"]
        for server in servers.values():
            server.expect("Booting worker", timeout=START_S)
        for worker in workers:
            worker.expect("worker berjalan", timeout=START_S)
        for name in "AB":
            health = requests.get(f"{base[name]}/healthz", timeout=30)
            assert (health.status_code, health.json()) == (200, {"status": "ok", "database": "ok"})

        # Filed on A, each with an uploaded document.
        as_filer = {"Authorization": f"Bearer {filer_token}"}
        case_ids, uploaded = [], {}
        for number in range(CASES):
            filed = requests.post(f"{base['A']}/api/v1/cases", json={"type": "service_request", "fields": KGB},
                                  headers=as_filer, timeout=60)
            assert filed.status_code == 201, filed.text
            case_id = filed.json()["id"]
            content = PDF + f"\n% berkas {number}\n".encode()
            sent = requests.post(f"{base['A']}/api/v1/cases/{case_id}/documents", headers=as_filer, timeout=60,
                                 data={"requirement": "skp"}, files={"file": (f"skp-{number}.pdf", content)})
            assert sent.status_code == 201, sent.text
            case_ids.append(case_id)
            uploaded[case_id] = content

        # Signed in on A; the same browser on B is signed in and downloads what A received.
        browser = requests.Session()
        signed_in = _sign_in(browser, base["A"], filer.nip, PASSWORD, _csrf(browser, base["A"]))
        assert signed_in.status_code in (302, 303), signed_in.text[:500]
        for case_id, content in uploaded.items():
            download = browser.get(f"{base['B']}/kasus/{case_id}/dokumen/1", timeout=30, allow_redirects=False)
            assert download.status_code == 200, download.text[:300]
            assert download.content == content

        # An officer on B takes up the first two cases that were filed on A.
        for case_id in case_ids[:2]:
            detail = requests.get(f"{base['B']}/api/v1/cases/{case_id}", timeout=30,
                                  headers={"Authorization": f"Bearer {officer_token}"})
            moved = requests.post(f"{base['B']}/api/v1/cases/{case_id}/transitions", timeout=30,
                                  headers={"Authorization": f"Bearer {officer_token}"},
                                  json={"trigger": "start_verification", "version": detail.json()["version"]})
            assert moved.status_code == 200, moved.text
            assert moved.json()["state"] == "in_verification"

        # Guessing a password: three refusals on A and two on B spend the allowance of five on both servers.
        guesser = requests.Session()
        token = _csrf(guesser, base["A"])
        for name, times in (("A", 3), ("B", 2)):
            for _ in range(times):
                assert _sign_in(guesser, base[name], stranger.nip, "bukan-sandinya", token).status_code == 401
        for name in "AB":
            assert _sign_in(guesser, base[name], stranger.nip, PASSWORD, token).status_code == 429

        # The last two cases go overdue: both workers' sweeps find them at once.
        db.session.remove()
        mail_before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        for case_id in case_ids[2:]:
            move_into_the_past(db, case_id)
        db.session.commit()
        # Both clocks of each case escalate to the desk head, who hears of each case in one email.
        assert sink.wait_for(mail_before + 2, timeout=60), processes.outputs()
        for worker in workers:  # as an operator stops them: each finishes its cycle and records what it sent
            assert worker.stop() == 0, processes.outputs()
        for server in servers.values():
            assert server.stop() == 0, processes.outputs()

    db.session.remove()
    # Nothing lost: every case, document and file is there once; nothing on any server's disk.
    assert db.session.scalar(select(func.count()).select_from(Case)) == CASES
    documents = db.session.scalars(select(CaseDocument)).all()
    assert sorted(d.case_id for d in documents) == sorted(case_ids)
    stored = {f.stored_name: f for f in db.session.scalars(select(StoredFile))}
    assert set(stored) == {d.stored_name for d in documents}
    assert all(stored[d.stored_name].size_bytes == len(uploaded[d.case_id]) for d in documents)
    for folder in folders.values():
        assert not folder.exists() or not any(folder.iterdir()), list(folder.iterdir())

    # Nothing doubled: one escalation per overdue case, clock and level; one email per outbox row.
    for case_id in case_ids[2:]:
        notices = Counter((n.clock, n.level, n.recipient_id)
                          for n in db.session.scalars(select(SlaNotice).where(SlaNotice.case_id == case_id)))
        assert notices == Counter({(clock, 1, ids["desk_head"]): 1 for clock in ("first_response", "resolution")})
        escalations = Counter((e.data["clock"], e.data["level"]) for e in db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == "sla_escalation")))
        assert escalations == Counter({("first_response", 1): 1, ("resolution", 1): 1})
    assert db.session.scalar(select(func.count()).select_from(SlaNotice).where(
        SlaNotice.case_id.in_(case_ids[:2]))) == 0  # taken up in time
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {r.status for r in rows} == {"sent"}
    assert sum(1 for r in rows if r.dedupe_key and r.dedupe_key.startswith("sla:")) == 2
    assert sum("sudah kami terima" in r.subject for r in rows) == CASES  # the receipts
    assert sink.message_ids() == Counter({r.message_id: 1 for r in rows})  # each email exactly once
