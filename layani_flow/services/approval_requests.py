"""A case that waits on the requester's superior (a cuti) tells that superior, by email, the moment it starts
waiting: what is asked, with signed links to approve or decline (confirmed on a page, done on POST) and a
reply address that takes the commands SETUJU and TOLAK <alasan>.

The request is recorded as an SlaNotice on the pseudo-clock "approval" (level 0 = the approver asked first),
so the links reuse the escalation machinery (services.tokens signs a notice id, the recipient and the action),
the recipient is on record, and a rerun never sends twice (the notice is unique per case, clock, cycle and
level). Flush only, inside the caller's unit of work: services.timeline calls `observe` for every event.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import Case, CaseEvent, SlaNotice, User
from ..workflows import REGISTRY
from ..workflows.clocks import APPROVAL
from . import acting, filing_rows, outbox, sla, tokens
from .access import superior_chain, superior_ids

APPROVAL_NOTICE = APPROVAL  # SlaNotice.clock of an approval request: level 0 asks, 1, 2, … escalate
APPROVAL_ACTIONS = {"setujui": "Setujui permohonan", "tolak": "Tolak permohonan"}
APPROVAL_TRIGGERS = {"setujui": "superior_approve", "tolak": "superior_decline"}


def waits_on_superior(case: Case) -> bool:
    return case.state in REGISTRY[case.case_type].approval_in


def approver_for(case: Case, at=None) -> User | None:
    """Who is asked first: the requester's direct superior, or whoever an admin named to act for them (Plt/Plh)
    on that day; None when there is nobody active to ask."""
    requester = case.requester
    superior = requester.superior if requester is not None else None
    if superior is None:
        return None
    stand_in = acting.acting_for(superior.id, acting.wib_date(at))
    if stand_in is not None and stand_in.acting.is_active and stand_in.acting_id not in case.party_ids:
        return stand_in.acting
    return superior if superior.is_active else None


def escalation_chain(case: Case) -> list[User]:
    """Who is asked, level by level, when the approver does not decide in time: up from the requester's
    direct superior, skipping parties and inactive people."""
    chain = superior_chain(case.requester)[1:]
    return [p for p in chain if p.is_active and p.id not in case.party_ids]


def _entered_waiting(case: Case, event: CaseEvent) -> bool:
    if event.kind == "created":
        return waits_on_superior(case)
    return event.kind == "transition" and event.from_state != event.to_state and waits_on_superior(case)


def observe(case: Case, event: CaseEvent) -> None:
    """Ask the approver when the case starts waiting on them."""
    if not _entered_waiting(case, event):
        return
    approver = approver_for(case, event.at)
    if approver is None:
        return
    filing_rows.write(case)  # the notice names the case
    clock = sla.current_cycle(case, APPROVAL)  # started just before, by services.sla (same cycle number)
    cycle = clock.cycle if clock is not None else (db.session.scalar(select(func.max(SlaNotice.cycle)).where(
        SlaNotice.case_id == case.id, SlaNotice.clock == APPROVAL_NOTICE)) or 0) + 1
    send_request(case, approver, cycle=cycle, level=0, at=event.at)


def send_request(case: Case, recipient: User, *, cycle: int, level: int, at, late_text: str = "") -> SlaNotice:
    """Record the request to `recipient` and queue its email (flush only)."""
    notice = SlaNotice(case_id=case.id, clock=APPROVAL_NOTICE, cycle=cycle, level=level,
                       recipient_id=recipient.id, at=at)
    db.session.add(notice)
    db.session.flush()  # the notice's id goes into the signed links
    base = current_app.config["BASE_URL"].rstrip("/")
    links = {action: f"{base}/email/aksi/{tokens.sign_action(notice.id, recipient.id, action)}"
             for action in APPROVAL_ACTIONS}
    requester = case.requester
    outbox.enqueue(to=recipient.email, template="approval_request", case=case, context={
        "recipient_name": recipient.name, "requester": requester, "level": level, "late_text": late_text,
        "links": links, "actions": APPROVAL_ACTIONS, "case_url": f"{base}/kasus/{case.id}",
        "fields": case.fields or {},
    }, reply_to=tokens.reply_address(case.id, recipient.id, outbox.mail_domain()),
        dedupe_key=f"approval:{case.id}:{cycle}:{level}")
    return notice


def pending_approval(case: Case) -> tuple[User, str] | None:
    """Whom the case waits on now, and how the page names them: the latest approval request's recipient, with
    "(Plh untuk …)" when they act for someone. None when the case does not wait on a superior."""
    if not waits_on_superior(case):
        return None
    notice = db.session.scalar(select(SlaNotice).where(SlaNotice.case_id == case.id,
                                                       SlaNotice.clock == APPROVAL_NOTICE)
                               .order_by(SlaNotice.cycle.desc(), SlaNotice.level.desc()).limit(1))
    person = notice.recipient if notice is not None else approver_for(case)
    if person is None:
        return None
    label = person.name + (f" ({person.position})" if person.position else "")
    chain = superior_ids(case.requester)
    if person.id not in chain:
        stand_in = acting.acting_as(person.id, chain, acting.wib_date(notice.at if notice else None))
        if stand_in is not None:
            label = f"{person.name} ({stand_in.kind_short} untuk {stand_in.official.name})"
    return person, label


def is_asked(case: Case, user_id: int) -> bool:
    """An approval request on this case went to this person (the requester's superior, someone up the chain,
    or whoever acted for one of them)."""
    return db.session.scalar(select(SlaNotice.id).where(
        SlaNotice.case_id == case.id, SlaNotice.clock == APPROVAL_NOTICE, SlaNotice.recipient_id == user_id)
        .limit(1)) is not None
