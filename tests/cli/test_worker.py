"""`layani worker`: one cycle sweeps and delivers; the real process stops cleanly on SIGTERM and SIGINT."""
from __future__ import annotations

import datetime as dt
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
from layani_flow.working_time import WIB

KGB = {"service": "kgb", "tmt_kgb_terakhir": "2024-12-01", "golongan": "Penata, III/c"}


@pytest.fixture
def app_config(mail_config):
    return mail_config


def test_one_cycle_sweeps_then_delivers(app, db, clock, office, smtp_server):
    app.config["DESK_HEAD_NIP"] = office.kasubbag.nip
    clock.set(dt.datetime(2026, 11, 25, 9, 0, tzinfo=WIB))
    case_service.open_case("service_request", KGB, office.employee)
    clock.set(dt.datetime(2026, 11, 26, 16, 0, tzinfo=WIB))
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
    [record] = [r for r in caplog.records if r.name == worker.__name__]
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
