"""The JSON shapes of the API, and the service-level view of a case that the pages share with it. An
anonymous filer's identity has no field here to leak into; nor does the order of the filer's actions
among everyone else's: events and documents are numbered within their case (1, 2, …), never by the
global ids that would place an anonymous complaint between its filer's named actions."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from .. import clock as wall
from ..models import Case, CaseDocument, CaseEvent, User
from ..models.sla import CaseClock
from ..reminder_rules import RULES
from ..services.access import Actor, acts_for_desk
from ..services.calendar import load_calendar
from ..services.capabilities import capabilities
from ..services.cases import links_of
from ..services.inbox import InboxItem
from ..services.sla import current_cycle, remaining
from ..timefmt import WORKDAY_MINUTES, iso_wib, working_text  # noqa: F401  (pages and tests read them here)
from ..workflows import REGISTRY
from ..workflows.clocks import CLOCK_LABELS, CLOCK_NAMES, RESOLUTION
from ..working_time import WorkingCalendar


def person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"nip": user.nip, "name": user.name, "unit": user.unit, "position": user.position}


def event_dict(event: CaseEvent, number: int) -> dict[str, Any]:
    """`number`: the event's place in the case's timeline as the viewer sees it (see numbered_events)."""
    return {
        "id": number, "at": iso_wib(event.at), "kind": event.kind,
        "actor": {"name": event.actor_label, "nip": event.actor.nip if event.actor else None},
        "trigger": event.trigger, "from": event.from_state, "to": event.to_state,
        "comment": event.comment, "data": event.data or {}, "internal": event.is_internal,
    }


def document_dict(case: Case, doc: CaseDocument, number: int) -> dict[str, Any]:
    """`number`: the document's place among the case's documents, which is also its address."""
    return {
        "id": number, "requirement": doc.requirement, "name": doc.original_name,
        "content_type": doc.content_type, "size": doc.size_bytes, "uploaded_at": iso_wib(doc.uploaded_at),
        "review_status": doc.review_status, "review_note": doc.review_note,
        "url": f"/kasus/{case.id}/dokumen/{number}",
    }


def visible_events(case: Case, viewer: Actor) -> list[CaseEvent]:
    # Internal notes are for the desk; desk staff who are a party (requester, other side of a mediation) are not.
    desk = acts_for_desk(case, viewer)
    return [e for e in case.events if desk or not e.is_internal]


def numbered_events(case: Case, viewer: Actor) -> list[tuple[int, CaseEvent]]:
    """The viewer's timeline numbered 1, 2, …. Numbered among what the viewer sees, so the requester's
    numbers have no gaps that would count the desk's internal notes; a timeline is append-only and an
    event never changes visibility, so each viewer's numbers never shift."""
    return list(enumerate(visible_events(case, viewer), start=1))


# -- service levels --------------------------------------------------------------------------------
# Shared by the pages and the API, so both say the same thing about a clock (working_text lives in timefmt,
# where the sweep's emails read it too).


def _minutes(delta: dt.timedelta) -> int:
    """Whole minutes, rounded down: 30 seconds overdue is already -1."""
    return math.floor(delta.total_seconds() / 60)


def _pause_reason(case: Case, clock: CaseClock) -> str:
    workflow = REGISTRY[case.case_type]
    if case.state in workflow.external_in:
        return f"menunggu instansi lain: {case.external_body}" if case.external_body else "menunggu instansi lain"
    return workflow.waiting_on(case.state)


@dataclass(frozen=True)
class ClockView:
    """One clock as people read it: status, due, working time left (negative once breached)."""

    name: str
    label: str
    cycle: int
    status: str  # running | paused | stopped | breached
    paused: bool
    started_at: dt.datetime
    due_at: dt.datetime
    stopped_at: dt.datetime | None
    breached_at: dt.datetime | None
    remaining_minutes: int
    escalation_level: int
    paused_minutes: int
    pause_reason: str | None
    at_risk: bool = False  # running and past its warning point (the owner has been, or is about to be, warned)

    @property
    def is_late(self) -> bool:
        return self.remaining_minutes < 0 or (self.remaining_minutes == 0 and self.status == "breached")

    @property
    def standing(self) -> str:
        """late | at_risk | paused | on_time: the queue's deadline chip, said in words beside its colour."""
        if self.is_late:
            return "late"
        if self.paused:
            return "paused"
        return "at_risk" if self.at_risk else "on_time"

    @property
    def remaining_text(self) -> str:
        if self.is_late:
            return f"lewat {working_text(self.remaining_minutes)}"
        return f"sisa {working_text(self.remaining_minutes)}"


def clock_view(case: Case, clock: CaseClock, now: dt.datetime, cal: WorkingCalendar) -> ClockView:
    left = _minutes(remaining(clock, now, cal))
    if clock.stopped_at is not None:
        status = "stopped"
    elif clock.due_at <= (clock.paused_at or now):
        status = "breached"
    elif clock.paused_at is not None:
        status = "paused"
    else:
        status = "running"
    paused_minutes = clock.paused_minutes or 0
    if clock.paused_at is not None and clock.stopped_at is None:  # the pause going on now counts too
        paused_minutes += _minutes(cal.elapsed(clock.paused_at, now))
    breached_at = clock.breached_at
    if breached_at is None and (status == "breached" or (clock.stopped_at and clock.stopped_at > clock.due_at)):
        breached_at = clock.due_at  # the sweep records the same instant when it gets there
    return ClockView(
        name=clock.name, label=CLOCK_LABELS[clock.name], cycle=clock.cycle, status=status,
        paused=clock.paused_at is not None and clock.stopped_at is None, started_at=clock.started_at,
        due_at=clock.due_at, stopped_at=clock.stopped_at, breached_at=breached_at, remaining_minutes=left,
        escalation_level=clock.escalation_level or 0, paused_minutes=paused_minutes,
        pause_reason=_pause_reason(case, clock) if clock.paused_at is not None and clock.stopped_at is None else None,
        at_risk=status == "running" and clock.warn_at <= now,
    )


def _ordered(clocks) -> list[CaseClock]:
    return sorted(clocks, key=lambda c: (CLOCK_NAMES.index(c.name), c.cycle))


def clock_views(case: Case, now: dt.datetime | None = None, cal: WorkingCalendar | None = None) -> list[ClockView]:
    """Every clock of the case, every cycle, first response → resolution → external."""
    now, cal = now or wall.now(), cal or load_calendar()
    return [clock_view(case, c, now, cal) for c in _ordered(case.clocks)]


def current_clock_views(case: Case, now: dt.datetime | None = None,
                        cal: WorkingCalendar | None = None) -> list[ClockView]:
    """The latest cycle of each clock: what the case page shows."""
    latest = [c for c in (current_cycle(case, name) for name in CLOCK_NAMES) if c is not None]
    now, cal = now or wall.now(), cal or load_calendar()
    return [clock_view(case, c, now, cal) for c in latest]


def current_resolution(case: Case) -> CaseClock | None:
    """The resolution clock that still counts (running or paused), if any."""
    latest = current_cycle(case, RESOLUTION)
    return latest if latest is not None and latest.stopped_at is None else None


def next_due(case: Case, now: dt.datetime | None = None, cal: WorkingCalendar | None = None) -> ClockView | None:
    """What the queue orders by: the running clock due first; else a paused one (shown as paused)."""
    open_clocks = [c for c in case.clocks if c.stopped_at is None]
    if not open_clocks:
        return None
    running = [c for c in open_clocks if c.paused_at is None]
    chosen = min(running or open_clocks, key=lambda c: (c.due_at, c.id))
    return clock_view(case, chosen, now or wall.now(), cal or load_calendar())


def sla_dict(case: Case, now: dt.datetime | None = None, cal: WorkingCalendar | None = None) -> dict[str, Any]:
    now, cal = now or wall.now(), cal or load_calendar()
    resolution = current_resolution(case)
    return {
        "due_at": iso_wib(resolution.due_at) if resolution is not None else None,
        "owner": person(case.owner),
        "clocks": [{
            "name": v.name, "label": v.label, "cycle": v.cycle, "status": v.status,
            "started_at": iso_wib(v.started_at), "due_at": iso_wib(v.due_at),
            "stopped_at": iso_wib(v.stopped_at), "remaining_working_minutes": v.remaining_minutes,
            "escalation_level": v.escalation_level, "breached_at": iso_wib(v.breached_at),
            "paused_minutes": v.paused_minutes,
        } for v in clock_views(case, now, cal)],
    }


def case_summary(case: Case) -> dict[str, Any]:
    workflow = REGISTRY[case.case_type]
    return {
        "id": case.id, "ref": case.ref, "type": case.case_type, "service": case.service, "title": case.title,
        "state": case.state, "state_label": workflow.states[case.state], "version": case.version,
        "anonymous": case.is_anonymous, "requester": person(case.requester), "owner": person(case.owner),
        "created_at": iso_wib(case.created_at), "updated_at": iso_wib(case.updated_at),
        "closed_at": iso_wib(case.closed_at),
        "sla": sla_dict(case),
    }


def case_detail(case: Case, viewer: Actor) -> dict[str, Any]:
    caps = capabilities(case, viewer)
    other = REGISTRY[case.case_type].other_party
    takes_part = other is not None and other.takes_part
    body = case_summary(case)
    body.update(
        fields=case.fields or {},
        external_body=case.external_body,
        # The other side of a case they take part in; the person a complaint is about is not named here.
        other_party=person(case.other_party) if takes_part else None,
        other_party_involved=case.is_other_party_involved if takes_part else None,
        events=[event_dict(e, n) for n, e in numbered_events(case, viewer)],
        documents=[document_dict(case, d, n) for n, d in enumerate(case.documents, start=1)],
        allowed_triggers=caps.allowed_triggers,
        actions=[{"trigger": a.trigger, "label": a.label, "needs": sorted(a.needs),
                  "blocked_by": list(a.blocked_by)} for a in caps.actions],
        capabilities=caps.as_dict(),
        links=links_of(case),
    )
    if other is not None and not takes_part and case.fields.get(other.nip_field) and caps.see_other_party:
        # For the desk only: whether the NIP named in the complaint belongs to someone. The filer is never
        # told (an anonymous form must not answer "does this NIP exist?").
        body["reported_nip_registered"] = case.other_party_id is not None
    return body


def inbox_item(item: InboxItem) -> dict[str, Any]:
    """One line of `GET /api/v1/inbox` (the contract's keys, plus the title, state label and other reasons). An
    announcement's line has type "announcement", no ref, its state "unread" or "unacknowledged" and its url."""
    case = item.case
    if item.reminder is not None:  # a personnel reminder: no case yet, a link to the request it prefills
        row = item.reminder
        rule = RULES[row.rule]
        return {"id": None, "ref": None, "type": "reminder", "state": None, "state_label": None,
                "title": f"{rule.label}: {row.user.name}" if row.audience == "desk" else rule.label,
                "reason": item.reason, "reason_label": item.reason_label, "also": [],
                "due_at": iso_wib(item.due_at), "reminder_id": row.id, "url": f"/pengingat/{row.id}"}
    if case is None:
        assert item.announcement is not None
        unread = item.waiting_for != "ack"
        return {
            "id": item.announcement.id, "ref": None, "type": "announcement",
            "state": "unread" if unread else "unacknowledged",
            "state_label": "Belum dibaca" if unread else "Belum dikonfirmasi", "title": item.announcement.title,
            "reason": item.reason, "reason_label": item.reason_label, "also": list(item.also), "due_at": None,
            "url": f"/informasi/{item.announcement.id}",
        }
    return {
        "id": case.id, "ref": case.ref, "type": case.case_type, "state": case.state,
        "state_label": REGISTRY[case.case_type].states[case.state], "title": case.title,
        "reason": item.reason, "reason_label": item.reason_label, "also": list(item.also),
        "due_at": iso_wib(item.due_at),
    }
