"""One booking per ConsDesk slot on a real PostgreSQL server: people booking the same slot at once, each in
their own connection and transaction, and exactly one of them wins; the others get 409 and leave no case."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, text

from layani_flow.extensions import db as _db
from layani_flow.models import Case, ConsultationSlot, User
from layani_flow.services import cases as case_service
from layani_flow.services import consultations
from layani_flow.services.errors import Conflict

from ..factories import CaseFactory, ConsultationSlotFactory, UserFactory
from .test_concurrency import _race

pytestmark = pytest.mark.postgres

KIND = consultations.booking_type()


def _book(person_id: int, slot_id: int):
    person = _db.session.get(User, person_id)
    return case_service.open_case(KIND, {"slot_id": slot_id, "topic": "Masa kerja golongan"}, person).case


def test_five_people_booking_one_slot_at_once_one_wins(app, db, office, clock):
    slot = ConsultationSlotFactory(officer=office.officer, start_at=clock.now() + dt.timedelta(days=1))
    people = [UserFactory(superior=office.kabid).id for _ in range(5)]
    slot_id = slot.id
    db.session.commit()
    db.session.remove()

    results = _race(app, 5, lambda i: _book(people[i], slot_id))

    wins = [r for r in results if isinstance(r, Case)]
    assert len(wins) == 1, results
    assert all(isinstance(r, Conflict) and r.status == 409 for r in results if r not in wins), results
    assert db.session.get(ConsultationSlot, slot_id).case_id == wins[0].id
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1  # the losers left nothing behind


def test_a_booking_waiting_on_anothers_uncommitted_booking_loses_when_it_commits(app, db, office, clock):
    """The conditional UPDATE, step by step: another transaction holds the slot's row with its own booking;
    ours waits for it, re-reads the row when it commits, finds the slot taken and answers 409."""
    slot = ConsultationSlotFactory(officer=office.officer, start_at=clock.now() + dt.timedelta(days=1))
    theirs = CaseFactory(case_type=KIND, requester=office.colleague, owner=office.officer, state="booked")
    slot_id, their_id, employee_id = slot.id, theirs.id, office.employee.id
    db.session.commit()
    db.session.remove()

    other = _db.engine.connect()
    other_tx = other.begin()
    assert other.execute(text("UPDATE consultation_slots SET case_id = :case WHERE id = :slot AND case_id IS NULL"),
                         {"case": their_id, "slot": slot_id}).rowcount == 1
    outcome: list[object] = []

    def ours() -> None:
        with app.app_context():
            try:
                outcome.append(_book(employee_id, slot_id))
            except Exception as exc:  # asserted below
                outcome.append(exc)

    thread = threading.Thread(target=ours)
    thread.start()
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE consultation_slots%'"
    # Asked from a third connection outside any transaction: inside one, pg_stat_activity is a snapshot.
    watcher = _db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        for _ in range(400):  # until our UPDATE waits on their row lock (at most ~20 s)
            if watcher.execute(text(waiting)).scalar() or not thread.is_alive():
                break
            thread.join(timeout=0.05)
        assert outcome == [] and thread.is_alive(), outcome  # still waiting for their transaction
        other_tx.commit()
    finally:
        if other_tx.is_active:
            other_tx.rollback()
        other.close()
        watcher.close()
    thread.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict), outcome
    assert db.session.get(ConsultationSlot, slot_id).case_id == their_id
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1


def test_the_reminder_is_claimed_once_by_two_sweepers_at_once(app, db, office, clock):
    slot = ConsultationSlotFactory(officer=office.officer, start_at=clock.now() + dt.timedelta(days=1))
    case = CaseFactory(case_type=KIND, requester=office.employee, owner=office.officer, state="confirmed")
    slot.case_id = case.id
    db.session.commit()
    db.session.remove()
    now = clock.now()

    results = _race(app, 2, lambda i: consultations.send_reminders(now))

    assert sorted(results) == [0, 1], results
