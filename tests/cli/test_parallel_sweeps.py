"""Two `flask --app layani_flow layani sweep --now …` processes at once on one database file.

On SQLite nothing locks a batch while it is read, so both sweepers read the same overdue cases; the unique
(case, clock, cycle, level) notice stops the second from escalating them again. The loser must roll that batch
back, say so, go on with what is left and exit 0 – never an IntegrityError traceback. The first round holds both
processes at their first write (tests/cli/sweep_gate.py), so they certainly collide; the second runs the plain
command line twice at once. (On PostgreSQL the same test runs; SKIP LOCKED shares the batches out instead.)"""
from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from layani_flow.models import Case, CaseEvent, OutboxMessage, SlaNotice

from ..conftest import ON_POSTGRES
from ..scenarios import LEVEL_1, LEVEL_2

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GATE = Path(__file__).with_name("sweep_gate.py")
CASES = 24
BATCH = 4  # small, so the two sweepers meet on several batches
READY_TIMEOUT_S = 120  # two interpreters importing the app on a loaded 2-core machine
RUN_TIMEOUT_S = 180
SUMMARY = re.compile(r"^peringatan: (\d+), eskalasi: (\d+)$", re.M)
LOST = "Sapuan lain lebih dulu menangani"


@pytest.fixture
def overdue(desk, overdue_kgb_requests) -> list[int]:
    """CASES KGB requests filed on Wednesday that nobody claimed: level 1 at LEVEL_1, level 2 at LEVEL_2."""
    return overdue_kgb_requests(CASES)


def _environment(app, desk, **extra) -> dict:
    """The command line's configuration comes from LAYANI_* variables, converted to each setting's type."""
    return {**os.environ, "LAYANI_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "LAYANI_SECRET_KEY": app.config["SECRET_KEY"], "LAYANI_BASE_URL": app.config["BASE_URL"],
            "LAYANI_DESK_HEAD_NIP": desk.kasubbag.nip, "LAYANI_MAIL_SUPPRESS_SEND": "true", **extra}


def _sweep_command(program: list[str], now: dt.datetime) -> list[str]:
    return [sys.executable, *program, "--app", "layani_flow", "layani", "sweep", "--now", now.isoformat(),
            "--batch-size", str(BATCH)]


def _finish(procs) -> list[tuple[int, str, str]]:
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
        results.append((proc.returncode, out, err))
    return results


def _stop(procs) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)


def run_gated(env: dict, now: dt.datetime, n: int = 2) -> list[tuple[int, str, str]]:
    """n sweep processes, each held at its first write until all n have read their first batch."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(READY_TIMEOUT_S)
        env = {**env, "SWEEP_GATE_PORT": str(server.getsockname()[1])}
        procs = [subprocess.Popen(_sweep_command([str(GATE)], now), cwd=ROOT, env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(n)]
        try:
            waiting = []
            for _ in procs:
                conn, _address = server.accept()
                conn.settimeout(READY_TIMEOUT_S)
                waiting.append(conn)
                assert conn.makefile().readline() == "ready\n"
            for conn in waiting:  # everyone has read the same due cases: go
                conn.sendall(b"go\n")
                conn.close()
            return _finish(procs)
        finally:
            _stop(procs)


def run_plain(env: dict, now: dt.datetime, n: int = 2) -> list[tuple[int, str, str]]:
    procs = [subprocess.Popen(_sweep_command(["-m", "flask"], now), cwd=ROOT, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(n)]
    try:
        return _finish(procs)
    finally:
        _stop(procs)


def _clean_exits(results) -> list[int]:
    """Every process exited 0 without a traceback; returns the escalations each one reported."""
    escalated = []
    for code, out, err in results:
        assert code == 0, f"exit {code}\n--- stdout\n{out}\n--- stderr\n{err}"
        assert "Traceback" not in err and "IntegrityError" not in err, err
        summary = SUMMARY.search(out)
        assert summary, out
        assert summary.group(1) == "0", out  # breaches found late need no separate warning
        escalated.append(int(summary.group(2)))
    return escalated


def _check_levels(db, desk, ids: list[int], levels: int) -> None:
    """Each case escalated exactly once per level: one event, one notice, one email, whoever did it."""
    db.session.remove()
    recipients = [desk.kasubbag, desk.head][:levels]
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "sla_escalation")).all()
    assert Counter((e.case_id, e.data["level"]) for e in events) == \
        Counter({(i, level): 1 for i in ids for level in range(1, levels + 1)})
    notices = db.session.scalars(select(SlaNotice)).all()
    assert Counter((n.case_id, n.level, n.recipient_id) for n in notices) == \
        Counter({(i, level, who.id): 1 for i in ids for level, who in enumerate(recipients, start=1)})
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("sla:%"))).all()
    assert Counter((m.dedupe_key, m.to_addr) for m in mail) == \
        Counter({(f"sla:{i}:first_response:1:{level}", who.email): 1 for i in ids
                 for level, who in enumerate(recipients, start=1)})
    assert db.session.scalars(select(Case.id).where(Case.next_deadline_at <= (LEVEL_1, LEVEL_2)[levels - 1])).all() == []


def test_two_sweep_commands_at_once_escalate_each_case_once_and_both_exit_0(app, db, desk, overdue):
    env = _environment(app, desk)

    first = run_gated(env, LEVEL_1)
    assert sum(_clean_exits(first)) == CASES
    _check_levels(db, desk, overdue, levels=1)
    if not ON_POSTGRES:  # both read the same first batch: one of them lost it, said so and went on
        assert any(LOST in out for _code, out, _err in first), first

    second = run_plain(env, LEVEL_2)  # the command line as it ships, twice at once
    assert sum(_clean_exits(second)) == CASES
    _check_levels(db, desk, overdue, levels=2)
