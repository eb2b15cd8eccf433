"""Several SLA sweepers at once, in separate processes, on a real PostgreSQL server.

Four processes sweep the same overdue cases at the same instant (they wait on a Barrier, so they really
overlap), with small batches so their batches interleave. SKIP LOCKED must share the cases out: each case
gets exactly one escalation event, one SLA notice and one email per level, whoever handled it. Then four
more sweep at a later instant that reaches level 2, and four more again at that instant, which find nothing.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
import queue
import time
import traceback
from collections import Counter

import pytest
from sqlalchemy import select

from layani_flow.models import Case, CaseEvent, OutboxMessage, SlaNotice

from ..scenarios import FILED_WEDNESDAY, LEVEL_1, LEVEL_2

pytestmark = pytest.mark.postgres

CASES = 48
SWEEPERS = 4
BATCH = 3  # small, so the sweepers' batches interleave over the same cases
READY_TIMEOUT_S = 90  # spawning and importing the app on a loaded 2-core machine
RUN_TIMEOUT_S = 180


def _sweeper(index: int, config: dict, now_iso: str, batch_size: int, barrier, results) -> None:
    """One sweeper process (spawned): build the app, warm up, wait for the others, sweep once at `now`."""
    try:
        from layani_flow import create_app
        from layani_flow.clock import FrozenClock
        from layani_flow.extensions import db
        from layani_flow.services.sweep import sweep_due_cases

        now = dt.datetime.fromisoformat(now_iso)
        app = create_app(config)
        app.extensions["clock"] = FrozenClock(now)
        with app.app_context():
            # Warm-up at an instant when nothing is due: imports, connection, calendar, the code path.
            if sweep_due_cases(FILED_WEDNESDAY, batch_size=batch_size).lines():
                raise AssertionError("the warm-up sweep found work")
            db.session.remove()
            barrier.wait(timeout=READY_TIMEOUT_S)
            started = time.time()
            report = sweep_due_cases(now, batch_size=batch_size)
            ended = time.time()
            db.session.remove()
            db.engine.dispose()
        results.put((index, "ok", {"escalated": report.escalated, "warned": report.warned,
                                   "chain_ended": report.chain_ended, "started": started, "ended": ended}))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the test with it
        results.put((index, "error", traceback.format_exc()))


def _run_sweepers(config: dict, now: dt.datetime, n: int = SWEEPERS) -> list[dict]:
    """n sweeper processes that start sweeping together; every wait is bounded."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_sweeper, args=(i, config, now.isoformat(), BATCH, barrier, results), daemon=True)
             for i in range(n)]
    for proc in procs:
        proc.start()
    answers: dict[int, tuple[str, object]] = {}
    deadline = time.monotonic() + RUN_TIMEOUT_S
    try:
        while len(answers) < n and time.monotonic() < deadline:
            try:
                index, status, payload = results.get(timeout=1)
            except queue.Empty:
                if not any(p.is_alive() for p in procs) and results.empty():
                    break  # someone died without answering
                continue
            answers[index] = (status, payload)
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
    assert len(answers) == n, f"{n - len(answers)} sweeper(s) gave no answer in time; exit codes " \
                              f"{[p.exitcode for p in procs]}; answers {answers}"
    errors = [payload for status, payload in answers.values() if status != "ok"]
    assert not errors, "\n".join(errors)
    return [answers[i][1] for i in range(n)]


def _sweeper_config(app, desk) -> dict:
    return {"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "BASE_URL": app.config["BASE_URL"],
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"], "MAIL_SUPPRESS_SEND": True,
            "DESK_HEAD_NIP": desk.kasubbag.nip}


@pytest.fixture
def overdue(desk, overdue_kgb_requests) -> list[int]:
    """CASES KGB requests filed on Wednesday that nobody claimed: level 1 at LEVEL_1, level 2 at LEVEL_2."""
    return overdue_kgb_requests(CASES)


def _escalations(db) -> Counter:
    """(case id, clock, level) → how many sla_escalation events."""
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "sla_escalation")).all()
    return Counter((e.case_id, e.data["clock"], e.data["level"]) for e in events)


def _notices(db) -> Counter:
    return Counter((n.case_id, n.clock, n.cycle, n.level, n.recipient_id) for n in db.session.scalars(select(SlaNotice)))


def _sla_mail(db) -> Counter:
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("sla:%"))).all()
    return Counter((r.dedupe_key, r.to_addr) for r in rows)


def _check_levels(db, desk, ids: list[int], levels: int) -> None:
    db.session.remove()
    recipients = [desk.kasubbag, desk.head][:levels]
    expected = Counter({(i, "first_response", level): 1 for i in ids for level in range(1, levels + 1)})
    assert _escalations(db) == expected
    assert _notices(db) == Counter({(i, "first_response", 1, level, who.id): 1 for i in ids
                                    for level, who in enumerate(recipients, start=1)})
    assert _sla_mail(db) == Counter({(f"sla:{i}:first_response:1:{level}", who.email): 1 for i in ids
                                     for level, who in enumerate(recipients, start=1)})
    still_due = db.session.scalars(select(Case.id).where(Case.next_deadline_at <= (LEVEL_1, LEVEL_2)[levels - 1]))
    assert still_due.all() == []


def _handled_once(results: list[dict], ids: list[int], level: int) -> list[int]:
    """Across all sweepers, each case was reported escalated exactly once; returns cases per sweeper."""
    refs = Counter(line.split()[0] for r in results for line in r["escalated"])
    assert all(f"tingkat {level}" in line for r in results for line in r["escalated"])
    assert len(refs) == len(ids) and set(refs.values()) == {1}, refs
    assert not any(r["warned"] or r["chain_ended"] for r in results), results
    return [len(r["escalated"]) for r in results]


def test_parallel_sweepers_escalate_each_case_once_per_level(app, db, desk, overdue):
    config = _sweeper_config(app, desk)

    first = _run_sweepers(config, LEVEL_1)
    shares = _handled_once(first, overdue, level=1)
    _check_levels(db, desk, overdue, levels=1)

    second = _run_sweepers(config, LEVEL_2)
    shares2 = _handled_once(second, overdue, level=2)
    _check_levels(db, desk, overdue, levels=2)

    again = _run_sweepers(config, LEVEL_2)  # the same instant once more, all at once: nothing new
    assert all(not r["escalated"] and not r["warned"] and not r["chain_ended"] for r in again), again
    _check_levels(db, desk, overdue, levels=2)

    # They did overlap: every sweeper had started before the first one finished (the barrier released them
    # together and each sweep takes far longer than the release). Shares show how SKIP LOCKED split the work.
    for results in (first, second):
        assert max(r["started"] for r in results) < min(r["ended"] for r in results), (shares, shares2, results)
    assert sum(shares) == sum(shares2) == CASES
