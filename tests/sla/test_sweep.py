"""SLA clocks walked with a controllable clock: warning, first and second escalation, pauses."""
from __future__ import annotations

from sqlalchemy import func, select

from layani_flow.models import CaseClock, CaseEvent, OutboxMessage, SlaNotice
from layani_flow.services import cases as case_service
from layani_flow.services.sweep import escalation_chain, sweep_due_cases

from ..timekit import wib


def _clock(db, case_id, name, cycle=None):
    query = select(CaseClock).where(CaseClock.case_id == case_id, CaseClock.name == name)
    return db.session.scalars(query.order_by(CaseClock.cycle.desc())).first()


def _kinds(db, case_id):
    return [e.kind for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))]


def test_opening_starts_both_clocks_in_working_time(db, desk, kgb_filed_wednesday):
    case = kgb_filed_wednesday
    first, resolution = _clock(db, case.id, "first_response"), _clock(db, case.id, "resolution")
    assert first.due_at == wib(2026, 11, 26, 16, 0)       # close of the next working day
    assert resolution.due_at == wib(2026, 12, 2, 16, 0)   # KGB: 5 working days
    assert first.warn_at == wib(2026, 11, 26, 11, 37, 30)  # 75 % of 13.5 working hours
    assert case.next_deadline_at == first.warn_at


def test_warning_then_first_and_second_escalation_up_the_chain(db, desk, kgb_filed_wednesday):
    case = kgb_filed_wednesday

    report = sweep_due_cases(wib(2026, 11, 26, 12, 0))
    assert len(report.warned) == 1 and not report.escalated
    assert sweep_due_cases(wib(2026, 11, 26, 12, 0)).lines() == []  # same instant: nothing new

    report = sweep_due_cases(wib(2026, 11, 26, 16, 0))  # first response breached; nobody claimed it
    assert [line.split("→")[1].strip() for line in report.escalated] == [desk.kasubbag.name]
    report = sweep_due_cases(wib(2026, 11, 30, 16, 0))  # a working day later: one level up
    assert [line.split("→")[1].strip() for line in report.escalated] == [desk.head.name]
    assert sweep_due_cases(wib(2026, 11, 30, 16, 0)).lines() == []

    notices = db.session.scalars(select(SlaNotice).where(SlaNotice.case_id == case.id).order_by(SlaNotice.level)).all()
    assert [(n.clock, n.level) for n in notices] == [("first_response", 0), ("first_response", 1), ("first_response", 2)]
    assert _kinds(db, case.id).count("sla_escalation") == 2
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.dedupe_key.like("sla:%"))) == 3


def test_an_officer_action_stops_the_first_response_clock(db, clock, desk, kgb_filed_wednesday):
    case = kgb_filed_wednesday
    clock.set(wib(2026, 11, 25, 10, 0))
    case_service.claim_case(case.id, desk.officer, case.version)
    assert _clock(db, case.id, "first_response").stopped_at == wib(2026, 11, 25, 10, 0)
    assert sweep_due_cases(wib(2026, 11, 27, 9, 0)).lines() == []


def test_waiting_on_the_employee_pauses_and_moves_the_deadline(db, clock, desk, kgb_filed_wednesday):
    case = kgb_filed_wednesday
    before = _clock(db, case.id, "resolution").due_at
    case = case_service.transition_case(case.id, "start_verification", desk.officer, case.version)
    case = case_service.transition_case(case.id, "request_revision", desk.officer, case.version, "Lengkapi SKP.")
    assert _clock(db, case.id, "resolution").paused_at is not None
    assert sweep_due_cases(wib(2026, 12, 9, 9, 0)).lines() == []  # paused: no escalation while waiting

    clock.set(wib(2026, 11, 30, 9, 0))  # Monday: three working days later (Wed 9:00 → Mon 9:00)
    case = case_service.transition_case(case.id, "resubmit", desk.employee, case.version)
    resolution = _clock(db, case.id, "resolution")
    assert resolution.paused_at is None
    assert resolution.due_at == wib(2026, 12, 7, 16, 0)  # the pause (3 working days) moved it
    assert resolution.due_at > before


def test_forwarding_pauses_resolution_and_runs_the_external_clock(db, clock, desk, data_update_forwarded):
    case = data_update_forwarded
    assert _clock(db, case.id, "resolution").paused_at is not None
    external = _clock(db, case.id, "external")
    assert external.is_running and external.due_at == wib(2026, 12, 9, 16, 0)  # 10 working days
    clock.set(wib(2026, 11, 27, 9, 0))
    case = case_service.transition_case(case.id, "external_returned", desk.officer, case.version, "SK terbit.")
    assert _clock(db, case.id, "external").stopped_at == wib(2026, 11, 27, 9, 0)
    assert _clock(db, case.id, "resolution").is_running


def test_escalation_skips_parties_to_the_case(db, clock, desk):
    """A complaint about the desk's head never escalates to the desk's head."""
    clock.set(wib(2026, 11, 25, 9, 0))
    case = case_service.open_case("complaint", {
        "category": "pengaduan", "subject": "Sikap kasubbag", "description": "Keluhan tentang pelayanan kasubbag.",
        "reported_nip": desk.kasubbag.nip}, desk.employee).case
    assert [p.name for p in escalation_chain(case)] == [desk.head.name]
    report = sweep_due_cases(wib(2026, 11, 26, 16, 0))
    assert desk.kasubbag.name not in " ".join(report.lines())


def test_the_chain_ends_quietly(db, desk, kgb_filed_wednesday):
    case = kgb_filed_wednesday
    for day in (26, 30):
        sweep_due_cases(wib(2026, 11, day, 16, 0))
    report = sweep_due_cases(wib(2026, 12, 2, 16, 0))  # level 2 was the head of office: nobody above
    assert [line.split()[1] for line in report.chain_ended] == ["first_response"]
    later = sweep_due_cases(wib(2026, 12, 31, 16, 0))
    assert not any("first_response" in line for line in later.lines())
    assert _kinds(db, case.id).count("sla_chain_end") == 1


def test_sweep_command_accepts_now_and_prints_a_summary(runner, desk, kgb_filed_wednesday):
    result = runner.invoke(args=["layani", "sweep", "--now", "2026-11-26T16:00:00+07:00"])
    assert result.exit_code == 0, result.output
    assert "eskalasi: 1" in result.output
    again = runner.invoke(args=["layani", "sweep", "--now", "2026-11-26T16:00:00+07:00"])
    assert "peringatan: 0, eskalasi: 0" in again.output
    assert runner.invoke(args=["layani", "sweep", "--now", "kemarin"]).exit_code != 0
