"""Two people acting on one case at the same moment, on a real PostgreSQL server with real commits."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from layani_flow.extensions import db as _db
from layani_flow.models import Case, CaseEvent, User
from layani_flow.services import cases as case_service
from layani_flow.services.errors import DomainError

from ..factories import CaseFactory, UserFactory

pytestmark = pytest.mark.postgres


def _user(user_id: int) -> User:
    """Each thread has its own session, so it loads its own copy of the actor."""
    return _db.session.get(User, user_id)


def _race(app, n: int, action) -> list[object]:
    """Run `action(i)` in n threads that start together, each in its own app context and session."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        with app.app_context():
            barrier.wait(timeout=10)
            try:
                results[i] = action(i)
            except DomainError as exc:
                results[i] = exc
            except Exception as exc:  # surfaced by the assertions below
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_same_version_transitions_one_wins_the_other_gets_a_conflict(app, db, office):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="in_verification")
    case_id, version, officer_id = case.id, case.version, office.officer.id
    db.session.remove()

    results = _race(app, 2, lambda i: case_service.transition_case(
        case_id, "request_revision", _user(officer_id), version, f"perbaikan ke-{i}"))

    wins = [r for r in results if isinstance(r, Case)]
    conflicts = [r for r in results if isinstance(r, DomainError)]
    assert len(wins) == 1, results
    assert len(conflicts) == 1 and conflicts[0].status == 409, results
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
    assert [e.trigger for e in events] == ["request_revision"]
    assert db.session.get(Case, case_id).version == version + 1


def test_two_officers_claiming_one_case_leaves_exactly_one_owner(app, db, office):
    case = CaseFactory(requester=office.employee, state="submitted")
    case_id, version = case.id, case.version
    officer_ids = [office.officer.id, office.officer2.id]
    db.session.remove()

    results = _race(app, 2, lambda i: case_service.claim_case(case_id, _user(officer_ids[i]), version))

    assert sum(isinstance(r, Case) for r in results) == 1, results
    assert sum(isinstance(r, DomainError) and r.status == 409 for r in results) == 1, results
    stored = db.session.get(Case, case_id)
    assert stored.owner_id in officer_ids
    assignments = db.session.scalar(
        select(func.count(CaseEvent.id)).where(CaseEvent.case_id == case_id, CaseEvent.kind == "assignment"))
    assert assignments == 1


def test_many_concurrent_messages_all_land_without_touching_the_version(app, db, office):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="in_verification")
    case_id, version = case.id, case.version
    people = [office.employee.id, office.officer.id] * 4
    db.session.remove()

    results = _race(app, len(people), lambda i: case_service.add_message(case_id, _user(people[i]), f"pesan {i}"))

    assert all(isinstance(r, CaseEvent) for r in results), results
    count = db.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.case_id == case_id))
    assert count == len(people)
    assert db.session.get(Case, case_id).version == version


def test_concurrent_intake_gives_every_case_its_own_number(app, db, office):
    filers = [UserFactory().id for _ in range(6)]
    db.session.remove()
    data = {"category": "masukan", "subject": "Saran layanan", "description": "Mohon layanan dibuka lebih awal."}

    results = _race(app, len(filers), lambda i: case_service.open_case("complaint", data, _user(filers[i])).case.id)

    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == len(filers)
