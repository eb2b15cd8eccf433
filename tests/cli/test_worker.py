"""`layani worker`: one cycle sweeps and delivers; the real process stops cleanly on SIGTERM and SIGINT."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest
from sqlalchemy import select

from layani_flow.models import OutboxMessage
from layani_flow.services import cases as case_service
from layani_flow.services.worker import run_worker

from ..scenarios import LEVEL_1
from ..services.helpers import KGB
from ..timekit import wib


@pytest.fixture
def app_config(mail_config):
    return mail_config


def test_one_cycle_sweeps_then_delivers(db, clock, desk, kgb_filed_wednesday, smtp_server):
    clock.set(LEVEL_1)  # the first response is due: the sweep escalates
    lines: list[str] = []

    assert run_worker(interval=60, once=True, echo=lines.append) == 1

    assert any("eskalasi 1" in line for line in lines), lines
    subjects = [m["Subject"] for _, m in smtp_server.messages]
    assert any("Eskalasi tingkat 1" in s for s in subjects) and any("sudah kami terima" in s for s in subjects)
    assert {r.status for r in db.session.scalars(select(OutboxMessage))} == {"sent"}


def test_a_locked_database_skips_the_cycle_with_a_warning_and_no_traceback(app, monkeypatch, caplog):
    from layani_flow.services import worker
    from layani_flow.services.sweep import SweepBusy, SweepReport

    def locked():
        raise SweepBusy(3, SweepReport())

    monkeypatch.setattr(worker, "sweep_due_cases", locked)
    assert run_worker(interval=60, once=True, echo=lambda _: None) == 1
    [record] = [r for r in caplog.records if r.name == worker.__name__ and r.levelname != "INFO"]  # not the counts
    assert record.levelname == "WARNING" and record.exc_info is None
    assert "3 kasus jatuh tempo belum disapu" in record.getMessage()


def test_a_set_stop_event_ends_the_loop_without_waiting_out_the_interval(app):
    stop = threading.Event()
    stop.set()
    assert run_worker(interval=3600, stop=stop, echo=lambda _: None) == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_the_worker_process_stops_cleanly_on_a_signal(database_uri, tmp_path, sig):
    env = {**os.environ, "LAYANI_SQLALCHEMY_DATABASE_URI": database_uri, "LAYANI_SECRET_KEY": "t",
           "LAYANI_WORKER_INTERVAL": "3600", "LAYANI_MAIL_PORT": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "layani_flow", "layani", "worker"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    try:
        first = proc.stdout.readline()  # blocks until the loop has started; no sleeping
        assert "worker berjalan" in first, first
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "worker berhenti" in out


def test_a_failing_sweep_does_not_hold_up_delivery(app, db, kgb_filed_wednesday, smtp_server, monkeypatch, caplog):
    from layani_flow.services import worker

    # kgb_filed_wednesday's receipt waits in the outbox

    def broken_sweep():
        raise RuntimeError("operator does not exist: character varying = bigint")

    monkeypatch.setattr(worker, "sweep_due_cases", broken_sweep)
    lines: list[str] = []
    with caplog.at_level("ERROR", logger="layani_flow.services.worker"):
        run_worker(interval=60, once=True, echo=lines.append)

    assert any(line.startswith("GAGAL: tugas sweep") for line in lines), lines
    assert "worker job 'sweep' failed" in caplog.text and "character varying = bigint" in caplog.text
    assert [m["Subject"] for _, m in smtp_server.messages] and \
        {r.status for r in db.session.scalars(select(OutboxMessage))} == {"sent"}


def test_a_failing_delivery_does_not_hold_up_the_sweep(clock, desk, kgb_filed_wednesday, monkeypatch):
    from layani_flow.services import worker

    clock.set(LEVEL_1)  # the first response is due: the sweep escalates
    monkeypatch.setattr(worker, "deliver_pending", lambda: 1 / 0)
    lines: list[str] = []

    run_worker(interval=60, once=True, echo=lines.append)

    assert any("eskalasi 1" in line for line in lines) and any("GAGAL: tugas deliver" in line for line in lines)


def test_the_worker_configured_from_the_environment_escalates_and_mails(database_uri, app, db, clock, office,
                                                                        smtp_server, smtp_port, tmp_path):
    """As an operator runs it: every setting a LAYANI_* variable, the desk head's NIP unquoted. An unclaimed
    case filed days ago escalates to the desk head and the email goes out (on PostgreSQL in that CI leg)."""
    clock.set(wib(2026, 11, 2, 9, 0))  # long before the real now the subprocess reads
    opened = case_service.open_case("service_request", KGB, office.employee)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYANI_")}
    env.update(LAYANI_SQLALCHEMY_DATABASE_URI=database_uri, LAYANI_SECRET_KEY="env-secret",
               LAYANI_DESK_HEAD_NIP=office.kasubbag.nip, LAYANI_MAIL_SERVER="127.0.0.1",
               LAYANI_MAIL_PORT=str(smtp_port), LAYANI_WORKER_INTERVAL="1", LAYANI_BASE_URL="https://layani.test",
               LAYANI_UPLOAD_FOLDER=str(tmp_path / "uploads"), PYTHONUNBUFFERED="1")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "layani_flow", "layani", "worker", "--once"],
                          env=env, capture_output=True, text=True, cwd=tmp_path, timeout=120)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "GAGAL" not in done.stdout and "Traceback" not in done.stderr, done.stdout + done.stderr
    escalations = [m for rcpts, m in smtp_server.messages if "Eskalasi tingkat 1" in m["Subject"]]
    assert escalations and {m["To"] for m in escalations} == {office.kasubbag.email}  # both clocks breached
    assert opened.case.ref in escalations[0]["Subject"] + escalations[0].get_body(("plain",)).get_content()
    db.session.expire_all()
    assert {r.status for r in db.session.scalars(select(OutboxMessage))} == {"sent"}
