"""unit_of_work: one transaction per public service call; a service called inside another's joins it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from layani_flow import clock
from layani_flow.extensions import db
from layani_flow.models import InboundMessage
from layani_flow.services import cases
from layani_flow.services.db import unit_of_work
from layani_flow.services.errors import Forbidden

from ..factories import CaseFactory


def _record(key: str) -> None:
    db.session.add(InboundMessage(message_key=key, received_at=clock.now(), outcome="note"))


def _keys() -> list[str]:
    db.session.expire_all()
    return db.session.scalars(select(InboundMessage.message_key).order_by(InboundMessage.id)).all()


def test_an_inner_service_that_fails_takes_the_outer_work_back_with_it(app, office):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="in_verification")
    with pytest.raises(Forbidden), unit_of_work():
        _record("a" * 64)
        cases.add_message(case.id, office.employee, "Catatan internal dari pemohon", internal=True)
    assert _keys() == []


def test_an_inner_service_does_not_commit_half_of_the_outer_work(app, office):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="in_verification")
    with pytest.raises(RuntimeError), unit_of_work():
        _record("b" * 64)
        cases.add_message(case.id, office.officer, "Catatan petugas", internal=True)  # its own commit, formerly
        raise RuntimeError("the outer work fails after the inner service returned")
    assert _keys() == [] and [e.kind for e in cases.get_case(case.id, office.officer).events
                              if e.kind == "note"] == []


def test_joined_work_commits_once_at_the_end(app, office):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="in_verification")
    with unit_of_work():
        _record("c" * 64)
        cases.add_message(case.id, office.officer, "Catatan petugas", internal=True)
    assert _keys() == ["c" * 64]
    with unit_of_work():  # and the next unit of work is a unit of its own again
        _record("d" * 64)
    assert _keys() == ["c" * 64, "d" * 64]
