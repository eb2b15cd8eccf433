"""The approval clock: it runs while a case waits on the requester's superior (the desk's clocks stay paused),
and when it runs out the sweep asks the next superior up the approver's chain, once per level."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from layani_flow.models import Case, CaseClock, OutboxMessage, SlaNotice
from layani_flow.services import admin_settings, inbox
from layani_flow.services import cases as case_service
from layani_flow.services.sweep import sweep_due_cases

from ..scenarios import FILED_WEDNESDAY
from ..services.helpers import CUTI
from ..timekit import wib

APPROVAL_DUE = wib(2026, 11, 27, 16, 30)  # Friday's close: day 0 is Wednesday, +2 working days


@pytest.fixture
def cuti(clock, desk) -> Case:
    clock.set(FILED_WEDNESDAY)
    return case_service.open_case("service_request", CUTI, desk.employee).case


def clocks(db, case_id) -> dict[str, CaseClock]:
    db.session.expire_all()
    rows = db.session.scalars(select(CaseClock).where(CaseClock.case_id == case_id).order_by(CaseClock.id)).all()
    return {c.name: c for c in rows}


def approval_mail(db, case_id) -> list[tuple[str, str]]:
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id,
                                                          OutboxMessage.dedupe_key.like("approval:%"))
                              .order_by(OutboxMessage.id)).all()
    return [(m.to_addr, m.dedupe_key) for m in rows]


def test_only_the_approval_clock_runs_while_the_superior_decides(cuti, db):
    running = clocks(db, cuti.id)
    assert running["approval"].is_running and running["approval"].due_at == APPROVAL_DUE
    assert running["first_response"].paused_at is not None and running["resolution"].paused_at is not None
    assert db.session.get(Case, cuti.id).next_deadline_at is not None


def test_a_late_approval_escalates_up_the_approvers_chain_once_per_level(cuti, clock, db, desk):
    clock.set(APPROVAL_DUE)
    report = sweep_due_cases()
    assert report.escalated == [f"{cuti.ref} approval tingkat 1 → {desk.head.name}"]
    assert report.warned == []  # the approver was asked at the start: no separate warning
    assert sweep_due_cases().escalated == []  # the same instant again: nothing new
    assert approval_mail(db, cuti.id) == [(desk.kabid.email, f"approval:{cuti.id}:1:0"),
                                          (desk.head.email, f"approval:{cuti.id}:1:1")]
    # The head of office may now decide in the kabid's place, and finds it in the inbox.
    assert {i.case.id: i.reason for i in inbox.inbox_for(desk.head)}[cuti.id] == "approval"
    clock.set(wib(2026, 12, 1, 16, 0))  # a working day after Monday (day 0): nobody above the head
    assert sweep_due_cases().chain_ended == [f"{cuti.ref} approval"]
    assert sweep_due_cases().chain_ended == []
    levels = db.session.scalars(select(SlaNotice.level).where(SlaNotice.case_id == cuti.id)
                                .order_by(SlaNotice.level)).all()
    assert levels == [0, 1]

    case = case_service.transition_case(cuti.id, "superior_approve", desk.head, db.session.get(Case, cuti.id).version)
    assert case.state == "submitted"
    after = clocks(db, cuti.id)
    assert after["approval"].stopped_at is not None
    # The superior's decision is not the desk's first response: both desk clocks run from here.
    assert after["resolution"].is_running and after["first_response"].is_running


def test_the_approval_target_is_configurable_per_service(clock, db, desk):
    admin_settings.save_policy(desk.admin, case_type="service_request", clock_name="approval", service="cuti",
                               target="3d", warn_percent=75, escalate_every="1d")
    clock.set(FILED_WEDNESDAY)
    case = case_service.open_case("service_request", CUTI, desk.employee).case
    assert clocks(db, case.id)["approval"].due_at == wib(2026, 11, 30, 16, 0)  # Monday's close
    rows = [r for r in admin_settings.policy_table() if r.clock == "approval"]
    assert any(r.service == "cuti" and r.target == "3d" for r in rows)


def test_a_request_without_a_superior_to_ask_runs_no_approval_clock(clock, db, desk):
    from ..factories import UserFactory

    alone = UserFactory(name="Tanpa Atasan")
    clock.set(FILED_WEDNESDAY)
    case = case_service.open_case("service_request", CUTI, alone).case
    assert case.state == "submitted" and "approval" not in clocks(db, case.id)
