"""A plain filing's rows go in by Core INSERTs (services.filing_rows): the same rows the unit of work wrote, the
objects attached as if loaded, and the session's flush for anything else."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import Case, CaseEvent, CaseSearchText, OutboxMessage
from layani_flow.models.sla import CaseClock
from layani_flow.services import cases, filing_rows
from layani_flow.services.db import unit_of_work

from ..factories import UserFactory
from .helpers import COMPLAINT, CUTI, KGB, count_statements, mediation_data, upload

FILINGS = {
    "a service request": lambda office: ("service_request", KGB, office.employee, {}),
    "leave, waiting on the superior": lambda office: ("service_request", CUTI, office.employee, {}),
    "an anonymous complaint": lambda office: ("complaint", COMPLAINT, None, {"anonymous": True}),
    "a mediation": lambda office: ("mediation", mediation_data(office.kabid), office.employee, {}),
    "a chat": lambda office: ("chat", {"body": "Bagaimana cara mengurus KGB?"}, office.employee, {}),
}
NOT_COMPARED = {"id", "case_id", "tracking_code_hash"}  # new numbers (an anonymous one random) and a new code


def _columns(obj) -> dict:
    return {c.key: getattr(obj, c.key) for c in sa_inspect(type(obj)).columns if c.key not in NOT_COMPARED}


def _written(case_id: int) -> tuple[dict, list[dict], list[dict], int, int]:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))
    clocks = db.session.scalars(select(CaseClock).where(CaseClock.case_id == case_id).order_by(CaseClock.id))
    search_rows = len(db.session.scalars(select(CaseSearchText).where(CaseSearchText.case_id == case_id)).all())
    mails = len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id)).all())
    return _columns(case), [_columns(e) for e in events], [_columns(c) for c in clocks], search_rows, mails


def _orm_write(case: Case) -> None:
    """What every filing did before: the case in the session (its events and clocks with it), flushed."""
    if not sa_inspect(case).has_identity:
        db.session.add(case)
        db.session.flush()


@pytest.mark.parametrize("filing", FILINGS)
def test_the_rows_are_the_ones_the_unit_of_work_wrote(office, clock, monkeypatch, filing):
    case_type, data, actor, options = FILINGS[filing](office)
    by_core = _written(cases.open_case(case_type, dict(data), actor, **options).case.id)
    monkeypatch.setattr(filing_rows, "write", _orm_write)
    by_orm = _written(cases.open_case(case_type, dict(data), actor, **options).case.id)
    assert by_core == by_orm
    case, events, clocks, search_rows, _ = by_core
    assert case["version"] == 1 and events and search_rows == 1
    assert clocks or case_type == "chat" or filing == "leave, waiting on the superior"


@pytest.mark.parametrize("filing", FILINGS)
def test_the_objects_are_attached_as_loaded(office, clock, filing):
    case_type, data, actor, options = FILINGS[filing](office)
    case = cases.open_case(case_type, dict(data), actor, **options).case
    with count_statements() as counted:
        objects = [case, *case.events, *case.clocks]
        assert all(sa_inspect(obj).persistent for obj in objects)
        values = [_columns(obj) for obj in objects]  # every column, as written: nothing read back
    assert counted.count == 0 and values[0]["version"] == 1
    assert db.session.get(Case, case.id) is case


def test_anything_else_pending_goes_in_with_the_flush(office, monkeypatch):
    flushed = []
    real_flush = db.session.flush
    monkeypatch.setattr(db.session, "flush", lambda *args: flushed.append(1) or real_flush(*args))
    with unit_of_work():  # the filing joins it, with someone else's row pending beside the case's own
        newcomer = UserFactory.build()
        db.session.add(newcomer)
        case = cases.open_case("service_request", KGB, office.employee).case
        assert flushed and newcomer.id is not None and case.id is not None
    assert [e.kind for e in db.session.get(Case, case.id).events] == ["created"]


def test_documents_filed_with_the_case_follow_it_at_commit(office):
    case = cases.open_case("service_request", KGB, office.employee,
                           uploads=[upload("sk_pangkat_terakhir", "sk-pangkat.pdf")]).case
    db.session.expire_all()
    written = db.session.get(Case, case.id)
    assert [e.kind for e in written.events] == ["created", "document"]
    assert [d.original_name for d in written.documents] == ["sk-pangkat.pdf"] and written.version == 1


def test_a_filed_case_moves_on_in_the_next_unit_of_work(office):
    case = cases.open_case("service_request", KGB, office.employee).case
    claimed = cases.claim_case(case.id, office.officer, case.version)
    assert (claimed.version, claimed.owner_id) == (2, office.officer.id)
