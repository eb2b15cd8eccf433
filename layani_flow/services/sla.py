"""SLA clocks of a case: started, paused, resumed and stopped by what happens on its timeline.

`observe(case, event)` is called for every event appended to a case, inside the caller's unit of work
(flush only). The rules:
- first_response stops at the first action or reply by someone on the desk who is not the requester;
- resolution stops in a final state, or in an "answered" state (a reopen starts a new cycle);
- both pause while the case waits on the requester (or their superior) and resume after, with the
  working time that was left;
- while the case waits on an external body, resolution pauses and the external clock runs instead;
- while it waits on the requester's superior (Workflow.approval_in), the approval clock runs: the superior
  owes a decision, and the sweep escalates up the superior's own chain when it runs out.
Each case keeps the earliest instant at which the sweep has something to do in `next_deadline_at`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from .. import catalogue
from ..extensions import db
from ..models import Case, CaseEvent
from ..models.sla import CaseClock, SlaPolicy
from ..workflows import REGISTRY
from ..workflows.clocks import APPROVAL, EXTERNAL, FIRST_RESPONSE, RESOLUTION
from ..working_time import WorkingCalendar, due
from . import filing_rows, office_settings
from .access import acts_for_desk
from .calendar import load_calendar
from .office_settings import ActivePolicy


@dataclass(frozen=True)
class Terms:
    """What a new clock runs under, and where that comes from."""

    target: str  # "2d", "8h", "90m"
    warn_percent: int
    escalate_every: str
    policy: SlaPolicy | ActivePolicy | None = None  # the admin's policy, when one applies
    from_catalogue: bool = False  # the service's own resolution days (catalogue.Service.sla_days)

    def as_tuple(self) -> tuple[str, int, str]:
        return self.target, self.warn_percent, self.escalate_every


def effective_terms(policies: Iterable[SlaPolicy | ActivePolicy], case_type: str, service: str | None,
                    clock_name: str) -> Terms | None:
    """The one precedence rule: a service's own policy, then the case type's policy, then the catalogue (a
    service's resolution days), then the workflow's default. None when the case type runs no such clock."""
    matching = [p for p in policies
                if p.case_type == case_type and p.clock == clock_name and p.service in (None, service)]
    policy = max(matching, key=lambda p: (p.service is not None, p.id), default=None)
    if policy is not None:
        return Terms(policy.target, policy.warn_percent, policy.escalate_every, policy=policy)
    workflow = REGISTRY[case_type]
    setting = workflow.sla_settings.get(clock_name)
    target = current_app.config[setting] if setting else workflow.sla.get(clock_name)
    spec = catalogue.SERVICES.get(service or "")
    from_catalogue = spec is not None and (clock_name == RESOLUTION or (clock_name == APPROVAL and spec.needs_superior))
    if spec is not None and from_catalogue:
        target = f"{spec.sla_days if clock_name == RESOLUTION else spec.approval_days}d"
    if target is None:
        return None
    config = current_app.config
    return Terms(target, config["SLA_WARN_PERCENT"], config["SLA_ESCALATE_EVERY"], from_catalogue=from_catalogue)


def terms_for(case: Case, clock_name: str) -> tuple[str, int, str] | None:
    """(target, warn percent, escalate every) for a new clock of this case (see effective_terms)."""
    policies = office_settings.current().policies_for(case.case_type)
    terms = effective_terms(policies, case.case_type, case.service, clock_name)
    return terms.as_tuple() if terms is not None else None


def _clocks(case: Case) -> list[CaseClock]:
    return list(case.clocks)


def current_cycle(case: Case, name: str) -> CaseClock | None:
    """The latest cycle of the case's clock `name` (running, paused or stopped), if it ever ran."""
    cycles = [c for c in _clocks(case) if c.name == name]
    return max(cycles, key=lambda c: c.cycle, default=None)


def _warn_instant(cal: WorkingCalendar, start: dt.datetime, due_at: dt.datetime, percent: int) -> dt.datetime:
    return cal.add(start, cal.elapsed(start, due_at) * percent / 100)


def _open_cycle(case: Case, name: str, cycle: int, terms: tuple[str, int, str], now: dt.datetime,
                due_at: dt.datetime, cal: WorkingCalendar) -> CaseClock:
    target, warn_percent, every = terms
    clock = CaseClock(case=case, name=name, cycle=cycle, target=target, warn_percent=warn_percent,
                      escalate_every=every, started_at=now, due_at=due_at,
                      warn_at=_warn_instant(cal, now, due_at, warn_percent),
                      escalation_level=0, paused_minutes=0)  # set now: the deadline is read before any flush
    filing_rows.track(clock, case)
    return clock


def start_clock(case: Case, name: str, now: dt.datetime, cal: WorkingCalendar) -> CaseClock | None:
    """A new cycle of `name` under the terms in force now (None when the case type runs no such clock)."""
    terms = terms_for(case, name)
    if terms is None:
        return None
    previous = current_cycle(case, name)
    return _open_cycle(case, name, (previous.cycle + 1) if previous else 1, terms, now, due(cal, now, terms[0]), cal)


def restart_clock(case: Case, old: CaseClock, due_at: dt.datetime, now: dt.datetime,
                  cal: WorkingCalendar) -> CaseClock:
    """Close `old` and open its next cycle under the same terms with a new deadline (an extension, or a new
    owner's time to act); its notices start again at level 0."""
    old.stopped_at = old.stopped_at or now
    return _open_cycle(case, old.name, old.cycle + 1, (old.target, old.warn_percent, old.escalate_every), now,
                       due_at, cal)


def _pause(clock: CaseClock | None, now: dt.datetime) -> None:
    if clock is not None and clock.is_running:
        clock.paused_at = now


def _resume(clock: CaseClock | None, now: dt.datetime, cal: WorkingCalendar) -> None:
    """Give back the working time that was left when the clock paused."""
    if clock is None or clock.stopped_at is not None or clock.paused_at is None:
        return
    paused_at = clock.paused_at

    def shifted(instant: dt.datetime) -> dt.datetime:
        if instant <= paused_at:
            return instant
        return cal.add(now, cal.elapsed(paused_at, instant))

    clock.due_at, clock.warn_at = shifted(clock.due_at), shifted(clock.warn_at)
    if clock.next_escalation_at is not None:
        clock.next_escalation_at = shifted(clock.next_escalation_at)
    clock.paused_minutes += int(cal.elapsed(paused_at, now).total_seconds() // 60)
    clock.paused_at = None


def _stop(clock: CaseClock | None, now: dt.datetime) -> None:
    if clock is not None and clock.stopped_at is None:
        clock.stopped_at = now


def _is_desk_response(case: Case, event: CaseEvent, actor) -> bool:
    return (acts_for_desk(case, actor)  # a party answering its own case is no response from the desk
            and event.kind in ("transition", "assignment", "message", "document_review")
            and not event.is_internal
            and not _superiors_decision(case, event))  # a supervisor approving as the requester's superior


def _superiors_decision(case: Case, event: CaseEvent) -> bool:
    """The requester's superior approving or declining: the desk has not answered yet, whatever their role."""
    step = REGISTRY[case.case_type].by_trigger.get(event.trigger or "") if event.kind == "transition" else None
    return step is not None and "requester_superior" in step.who


def observe(case: Case, event: CaseEvent, actor=None) -> None:
    """React to one new timeline event (flush only)."""
    workflow = REGISTRY[case.case_type]
    now = event.at
    cal = load_calendar()
    if event.kind == "created":
        for name in (FIRST_RESPONSE, RESOLUTION):
            clock = start_clock(case, name, now, cal)
            if case.state in workflow.paused_in:
                _pause(clock, now)
        if case.state in workflow.approval_in:
            start_clock(case, APPROVAL, now, cal)
    if _is_desk_response(case, event, actor):
        _stop(current_cycle(case, FIRST_RESPONSE), now)
    if event.kind == "transition" and event.from_state != event.to_state:
        _on_state_change(case, workflow, *event.moved(), now, cal)
    case.next_deadline_at = next_deadline(case)


def _on_state_change(case: Case, workflow, source: str, dest: str, now: dt.datetime, cal: WorkingCalendar) -> None:
    resolution = current_cycle(case, RESOLUTION)
    if workflow.is_final(dest):
        for clock in _clocks(case):
            _stop(clock, now)
        return
    if source in workflow.external_in and dest not in workflow.external_in:
        _stop(current_cycle(case, EXTERNAL), now)
    if source in workflow.approval_in and dest not in workflow.approval_in:
        _stop(current_cycle(case, APPROVAL), now)
    elif dest in workflow.approval_in and source not in workflow.approval_in:
        start_clock(case, APPROVAL, now, cal)
    if dest in workflow.answered_in:
        _stop(resolution, now)
        return
    if source in workflow.answered_in:  # reopened: the desk owes a new answer
        start_clock(case, RESOLUTION, now, cal)
        return
    if dest in workflow.paused_in:
        _pause(resolution, now)
        _pause(current_cycle(case, FIRST_RESPONSE), now)
    elif dest in workflow.external_in:
        _pause(resolution, now)
        start_clock(case, EXTERNAL, now, cal)
    else:
        _resume(resolution, now, cal)
        _resume(current_cycle(case, FIRST_RESPONSE), now, cal)


def clock_next_action(clock: CaseClock) -> dt.datetime | None:
    """When the sweep next has something to do for this clock."""
    if not clock.is_running or clock.acknowledged_at is not None:
        return None
    if clock.escalation_level == 0:
        return clock.due_at if clock.warned_at is not None else min(clock.warn_at, clock.due_at)
    return clock.next_escalation_at


def next_deadline(case: Case) -> dt.datetime | None:
    instants = [t for t in (clock_next_action(c) for c in _clocks(case)) if t is not None]
    return min(instants, default=None)


def remaining(clock: CaseClock, now: dt.datetime, cal: WorkingCalendar) -> dt.timedelta:
    """Working time left (negative once breached) at `now`, or at the pause for a paused clock."""
    at = clock.paused_at or clock.stopped_at or now
    if at <= clock.due_at:
        return cal.elapsed(at, clock.due_at)
    return -cal.elapsed(clock.due_at, at)


def open_clock_count(case_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(select(CaseClock.case_id, func.count()).where(
        CaseClock.case_id.in_(case_ids), CaseClock.stopped_at.is_(None)).group_by(CaseClock.case_id))
    return dict(rows.tuples().all())
