"""A new case type is one declaration: registered here for the test alone, it is filed, read, handled and
closed through the services, with its reference, clocks, rights, effects and emails, without a line
changed anywhere else."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import Case, CaseClock, OutboxMessage
from layani_flow.services import cases, listings
from layani_flow.services.access import can_view, visible_cases
from layani_flow.services.capabilities import capabilities
from layani_flow.workflows import REGISTRY, Workflow
from layani_flow.workflows.base import step
from layani_flow.workflows.effects import mark_answered, take_if_unclaimed

QUESTION = Workflow(
    case_type="quick_question", title="Pertanyaan singkat", ref_prefix="TNY", desk_claims=True,
    initial="asked",
    states={"asked": "Ditanyakan", "answering": "Sedang dijawab", "done": "Terjawab"},
    final={"done"},
    sla={"first_response": "4h", "resolution": "1d"},
    steps=[
        step("take_up", "asked", "answering", "Tangani", who={"officer"}, effect=take_if_unclaimed),
        step("reply", "answering", "done", "Jawab", who={"owner"}, needs={"comment"}, effect=mark_answered,
             notify={"requester": "Pertanyaan Anda sudah dijawab ({state})"}),
    ],
)

CONFIDENTIAL = Workflow(
    case_type="private_note", title="Catatan rahasia", ref_prefix="RHS", confidential=True,
    initial="open", states={"open": "Terbuka", "closed": "Ditutup"}, final={"closed"},
    steps=[step("close", "open", "closed", "Tutup", who={"requester"})],
)


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setitem(REGISTRY, QUESTION.case_type, QUESTION)
    monkeypatch.setitem(REGISTRY, CONFIDENTIAL.case_type, CONFIDENTIAL)


def _mail_to(user) -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.to_addr == user.email)))


def test_a_declared_type_is_filed_handled_and_closed_through_the_services(app, office, clock, registered):
    opened = cases.open_case("quick_question", {"subject": "Kapan KGB saya?", "detail": "Sejak Oktober."},
                             office.employee)
    case = db.session.get(Case, opened.case.id)
    assert case.ref.startswith("TNY-") and case.state == "asked" and case.title == "Kapan KGB saya?"
    assert {c.name for c in case.clocks} == {"first_response", "resolution"}
    assert len(_mail_to(office.employee)) == 1  # the receipt

    # The desk reads it (a desk case: not confidential) and may take it up; the requester may not.
    assert can_view(case, office.officer) and not can_view(case, office.colleague)
    assert case in listings.list_queue(office.officer).items
    officer_can = capabilities(case, office.officer)
    assert officer_can.allowed_triggers == ["take_up"] and officer_can.claim
    requester_can = capabilities(case, office.employee)
    assert requester_can.allowed_triggers == [] and not requester_can.claim
    assert requester_can.as_dict()["triggers"][0]["reasons"]  # says why not

    clock.advance(hours=1)
    case = cases.transition_case(case.id, "take_up", office.officer, case.version)
    assert case.owner_id == office.officer.id  # the declared effect
    assert case.events[-1].data == {"owner": office.officer.name}
    first = db.session.scalars(select(CaseClock).where(CaseClock.case_id == case.id,
                                                       CaseClock.name == "first_response")).one()
    assert first.stopped_at == clock.now()  # the desk's first action

    case = cases.transition_case(case.id, "reply", office.officer, case.version, "Bulan depan.")
    assert case.state == "done" and case.answered_at == clock.now() and case.closed_at == clock.now()
    assert f"[{case.ref}] Pertanyaan Anda sudah dijawab (Terjawab)" in _mail_to(office.employee)
    assert capabilities(case, office.officer).allowed_triggers == []


def test_a_confidential_declared_type_is_read_only_by_whom_the_trait_says(app, office, registered):
    opened = cases.open_case("private_note", {"subject": "Hal pribadi"}, office.employee)
    case = db.session.get(Case, opened.case.id)
    assert case.ref.startswith("RHS-")
    readers = {u.name for u in (office.employee, office.officer, office.kabid, office.admin, office.colleague)
               if can_view(case, u)}
    assert readers == {office.employee.name, office.kabid.name, office.admin.name}  # not the desk, not a stranger
    for person in (office.employee, office.officer, office.kabid, office.admin, office.colleague):
        listed = db.session.scalars(select(Case.id).where(visible_cases(person), Case.id == case.id)).all()
        assert bool(listed) == can_view(case, person), person.name
    assert not capabilities(case, office.officer).claim  # not a desk case
    case = cases.transition_case(case.id, "close", office.employee, case.version)
    assert case.state == "closed"
