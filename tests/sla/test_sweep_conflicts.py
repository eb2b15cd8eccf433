"""Two sweeps at once on SQLite, in one process and deterministically: the loser of a race rolls its batch back
and goes on, a database locked by someone else is waited out or reported in plain words, and a real bug in a
batch is still an error. (tests/cli/test_parallel_sweeps.py runs two real `layani sweep` processes; on
PostgreSQL the batch is locked with SKIP LOCKED, so nobody can get there first: tests/postgres.)"""
from __future__ import annotations

import logging
import sqlite3
import threading
from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from layani_flow.extensions import db as _db
from layani_flow.models import Case, CaseEvent, OutboxMessage, SlaNotice
from layani_flow.services import sweep
from layani_flow.services.calendar import load_calendar
from layani_flow.services.sweep import SweepBusy, sweep_due_cases

from ..conftest import ON_POSTGRES
from ..scenarios import LEVEL_1

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite only: PostgreSQL locks the batch (SKIP LOCKED)")

CASES = 6
BATCH = 4


@pytest.fixture
def overdue(desk, overdue_kgb_requests) -> list[int]:
    """CASES KGB requests filed on Wednesday that nobody claimed: first response breached at LEVEL_1."""
    return overdue_kgb_requests(CASES)


def _in_another_app_context(app, work):
    """Run `work` as another sweeper would: its own thread, app context, session and database connection."""
    outcome = {}

    def run():
        with app.app_context():
            try:
                outcome["result"] = work()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
                outcome["error"] = exc
            finally:
                _db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the other sweeper did not finish"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _level_1_once_each(db, ids):
    db.session.remove()
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "sla_escalation")).all()
    assert Counter((e.case_id, e.data["level"]) for e in events) == Counter({(i, 1): 1 for i in ids})
    notices = db.session.scalars(select(SlaNotice)).all()
    assert Counter((n.case_id, n.level) for n in notices) == Counter({(i, 1): 1 for i in ids})
    mail = db.session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like("sla:%"))).all()
    assert Counter(mail) == Counter({f"sla:{i}:first_response:1:1": 1 for i in ids})
    assert db.session.scalars(select(Case.id).where(Case.next_deadline_at <= LEVEL_1)).all() == []


@pytest.fixture
def another_sweeper_first(app, monkeypatch):
    """Just after this sweep has read its first batch, another sweeper sweeps everything and commits."""
    process, other = sweep._process, {}

    def process_after_the_other(case, *args, **kwargs):
        if threading.current_thread() is threading.main_thread() and "report" not in other:  # not in the other's
            other["report"] = _in_another_app_context(app, lambda: sweep_due_cases(LEVEL_1, batch_size=BATCH))
        return process(case, *args, **kwargs)

    monkeypatch.setattr(sweep, "_process", process_after_the_other)
    return other


def test_the_loser_of_a_race_rolls_back_its_batch_and_goes_on(db, overdue, another_sweeper_first, caplog):
    caplog.set_level(logging.INFO, logger="layani_flow.services.sweep")
    report = sweep_due_cases(LEVEL_1, batch_size=BATCH)  # would raise IntegrityError on the notice

    assert report.escalated == [] and report.warned == [] and report.lost_races == 1
    assert len(another_sweeper_first["report"].escalated) == CASES
    assert any("another sweeper got there first" in r.getMessage() and r.levelno in (logging.INFO, logging.WARNING)
               for r in caplog.records), caplog.text
    _level_1_once_each(db, overdue)


def test_the_loser_keeps_what_it_committed_before_losing(app, db, overdue, monkeypatch):
    """The other sweeper arrives at the second batch: the first stays done, the second is rolled back."""
    process, calls = sweep._process, []

    def process_then_race(case, *args, **kwargs):
        if threading.current_thread() is threading.main_thread():  # not in the other sweeper's thread
            calls.append(case.id)
            if len(calls) == BATCH + 1:  # the first case of the second batch
                _in_another_app_context(app, lambda: sweep_due_cases(LEVEL_1, batch_size=BATCH))
        return process(case, *args, **kwargs)

    monkeypatch.setattr(sweep, "_process", process_then_race)
    report = sweep_due_cases(LEVEL_1, batch_size=BATCH)
    assert len(report.escalated) == BATCH and report.lost_races == 1
    _level_1_once_each(db, overdue)


def test_the_command_says_another_sweeper_was_first_and_exits_0(runner, db, overdue, another_sweeper_first):
    result = runner.invoke(args=["layani", "sweep", "--now", LEVEL_1.isoformat(), "--batch-size", str(BATCH)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "peringatan: 0, eskalasi: 0" in result.output
    assert "Sapuan lain lebih dulu menangani 1 kelompok kasus" in result.output
    _level_1_once_each(db, overdue)


def test_a_duplicate_nobody_else_caused_is_still_an_error(db, overdue, monkeypatch):
    """A unique violation while no other sweeper touched the batch is a bug, not a race: it is raised."""
    escalate = sweep._escalate

    def escalate_twice(case, clock, level, *args, **kwargs):
        escalate(case, clock, level, *args, **kwargs)
        _db.session.add(SlaNotice(case_id=case.id, clock=clock.name, cycle=clock.cycle, level=level, at=LEVEL_1))

    monkeypatch.setattr(sweep, "_escalate", escalate_twice)
    with pytest.raises(IntegrityError):
        sweep_due_cases(LEVEL_1, batch_size=BATCH)
    db.session.remove()
    assert db.session.scalars(select(SlaNotice)).all() == []


# --- a database locked by another writer -------------------------------------------------------------------

@pytest.fixture
def short_busy_timeout(app, db):
    """Wait 20 ms for a lock instead of the app's 5 s, so each locked attempt fails fast."""

    def pragma(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout=20")

    db.session.remove()
    event.listen(db.engine, "connect", pragma)  # after the app's own pragmas, so it wins
    db.engine.dispose()
    yield
    event.remove(db.engine, "connect", pragma)


@pytest.fixture
def writer(app, db, short_busy_timeout):
    """Another process's write transaction: it holds SQLite's write lock until `release()`."""
    connection = sqlite3.connect(db.engine.url.database, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    yield connection
    if connection.in_transaction:
        connection.rollback()
    connection.close()


class OnLog(logging.Handler):
    """Calls `action` at each record (or only the first) whose message contains `text`: a hook between two
    attempts of the sweep, at a point it reaches on its own."""

    def __init__(self, text, action, every: bool = False):
        super().__init__()
        self.text, self.action, self.every, self.calls = text, action, every, 0

    def handle(self, record):
        # No handler lock: the action runs another sweeper whose own log lines come through this handler
        # from its thread while this one still waits for the action to end.
        self.emit(record)
        return True

    def emit(self, record):
        if self.text in record.getMessage() and (self.every or not self.calls):
            self.calls += 1
            self.action()


@contextmanager
def hooked(handler):
    logger = logging.getLogger("layani_flow.services.sweep")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def test_a_lock_held_throughout_ends_in_sweep_busy_and_writes_nothing(db, overdue, writer):
    with pytest.raises(SweepBusy) as raised:
        sweep_due_cases(LEVEL_1, batch_size=BATCH)
    assert raised.value.remaining == CASES
    assert "dikunci" in str(raised.value) and f"{CASES} kasus" in str(raised.value)
    writer.rollback()
    db.session.remove()
    assert db.session.scalars(select(SlaNotice)).all() == []


def test_the_command_reports_a_locked_database_without_a_traceback(runner, db, overdue, writer):
    result = runner.invoke(args=["layani", "sweep", "--now", LEVEL_1.isoformat(), "--batch-size", str(BATCH)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"Error: Basis data dikunci proses lain terlalu lama; {CASES} kasus jatuh tempo belum disapu." \
        in result.output


def test_when_the_lock_holder_was_a_sweeper_that_did_the_work_the_command_exits_0(app, runner, db, overdue, writer):
    def the_other_sweeper_finishes():
        writer.rollback()  # the lock is released: the other sweeper's transaction was this one
        _in_another_app_context(app, lambda: sweep_due_cases(LEVEL_1, batch_size=BATCH))

    with hooked(OnLog("database is locked", the_other_sweeper_finishes)) as hook:
        result = runner.invoke(args=["layani", "sweep", "--now", LEVEL_1.isoformat(), "--batch-size", str(BATCH)])
    assert hook.calls == 1
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "peringatan: 0, eskalasi: 0" in result.output
    assert "Basis data sempat dikunci proses lain" in result.output
    _level_1_once_each(db, overdue)


def test_a_lock_held_by_a_sweeper_that_keeps_making_progress_is_waited_out(app, db, overdue, writer):
    """Each time this sweep finds the database locked, the lock holder has committed one more case: more waits
    than BUSY_ATTEMPTS, but never one without progress, so the sweep waits them out and ends cleanly."""

    def the_other_commits_one_case_and_locks_again():
        writer.rollback()
        _in_another_app_context(app, lambda: sweep._sweep_batch(LEVEL_1, load_calendar(), 1, {}))
        writer.execute("BEGIN IMMEDIATE")

    with hooked(OnLog("database is locked", the_other_commits_one_case_and_locks_again, every=True)) as hook:
        report = sweep_due_cases(LEVEL_1, batch_size=BATCH)
    assert hook.calls == report.busy_waits == CASES > sweep.BUSY_ATTEMPTS
    assert report.escalated == []
    writer.rollback()
    _level_1_once_each(db, overdue)
