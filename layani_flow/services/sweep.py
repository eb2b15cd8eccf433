"""The SLA sweep: warn owners, escalate breaches up the superior chain, level after level.

Cost grows with the cases that are due, not with all open cases: it reads only rows whose indexed
`next_deadline_at` has passed, in batches, one transaction per batch. On PostgreSQL the rows are locked
with SKIP LOCKED, so several sweepers on several machines share the work and never handle one case
twice; a unique (case, clock, cycle, level) notice makes a rerun a no-op on every database.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import clock as wall
from ..extensions import db
from ..models import Case, CaseEvent, SlaNotice, User
from ..models.cases import SYSTEM_LABEL
from ..models.sla import CaseClock
from ..timefmt import human_wib
from ..workflows import REGISTRY
from ..working_time import WorkingCalendar, due
from . import outbox, sla, tokens
from .calendar import load_calendar
from .db import unit_of_work

logger = logging.getLogger(__name__)

EMAIL_ACTIONS = {
    "ambil_alih": "Ambil alih dan tangani",
    "alihkan": "Alihkan ke petugas lain",
    "perpanjang": "Perpanjang batas waktu",
    "instruksi": "Beri instruksi",
}


@dataclass
class SweepReport:
    warned: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    chain_ended: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return ([f"peringatan  {x}" for x in self.warned] + [f"eskalasi    {x}" for x in self.escalated]
                + [f"rantai habis {x}" for x in self.chain_ended])


def desk_head() -> User | None:
    nip = current_app.config.get("DESK_HEAD_NIP")
    return db.session.scalar(select(User).where(User.nip == nip)) if nip else None


def _desk_head_once() -> Callable[[], User | None]:
    """desk_head(), looked up at most once: the sweep makes one per batch (one transaction), so a batch
    of unclaimed cases costs one query for the head instead of one per case."""
    found: list[User | None] = []

    def head() -> User | None:
        if not found:
            found.append(desk_head())
        return found[0]

    return head


def escalation_chain(case: Case, head: Callable[[], User | None] = desk_head) -> list[User]:
    """Who hears of a breach, level by level: up from the owner (or from the desk's head when nobody
    has claimed the case). Parties to the case are skipped, so nobody is told of a complaint about them."""
    start = case.owner
    people: list[User] = []
    if start is None:
        start = head()
        if start is not None:
            people.append(start)
    seen = {case.owner_id}
    current = start
    while current is not None and current.superior_id is not None and current.superior_id not in seen:
        seen.add(current.superior_id)
        # The relationship, not session.get(): the loaded superior stays referenced from its subordinate,
        # so the identity map (weak) keeps it for the rest of the batch instead of one SELECT per case.
        current = current.superior
        people.append(current)
    parties = case.party_ids
    return [p for p in people if p.id not in parties and p.is_active and p.id != case.owner_id]


def _system_event(case: Case, now: dt.datetime, kind: str, comment: str, data: dict) -> None:
    db.session.add(CaseEvent(case=case, at=now, actor_id=None, actor_label=SYSTEM_LABEL, kind=kind,
                             comment=comment, data=data, is_internal=False))


def _email_context(case: Case, clock: CaseClock, recipient: User, cal: WorkingCalendar, now: dt.datetime) -> dict:
    return {
        "recipient_name": recipient.name, "clock_label": sla.CLOCK_LABELS[clock.name],
        "due_text": human_wib(clock.due_at), "state_label": REGISTRY[case.case_type].states[case.state],
        "owner_name": case.owner.name if case.owner else "belum ada petugas",
        "remaining": sla.remaining(clock, now, cal),
    }


def _warn(case: Case, clock: CaseClock, now: dt.datetime, cal: WorkingCalendar, report: SweepReport,
          head: Callable[[], User | None] = desk_head) -> None:
    clock.warned_at = now
    recipient = case.owner or head()
    if recipient is None or recipient.id in case.party_ids:
        return
    db.session.add(SlaNotice(case_id=case.id, clock=clock.name, cycle=clock.cycle, level=0,
                             recipient_id=recipient.id, at=now))
    _system_event(case, now, "sla_warning",
                  f"Peringatan: batas waktu {sla.CLOCK_LABELS[clock.name].lower()} {human_wib(clock.due_at)}.",
                  {"clock": clock.name, "to": recipient.name})
    outbox.enqueue(to=recipient.email, template="sla_warning", case=case,
                   context=_email_context(case, clock, recipient, cal, now),
                   dedupe_key=f"sla:{case.id}:{clock.name}:{clock.cycle}:0")
    report.warned.append(f"{case.ref} {clock.name} → {recipient.name}")


def _escalate(case: Case, clock: CaseClock, level: int, now: dt.datetime, cal: WorkingCalendar,
              report: SweepReport, head: Callable[[], User | None] = desk_head) -> None:
    chain = escalation_chain(case, head)
    if level > len(chain):
        clock.next_escalation_at = None
        clock.escalation_level = level - 1
        _system_event(case, now, "sla_chain_end",
                      "Rantai eskalasi sudah sampai puncak; tidak ada atasan lain untuk diberi tahu.",
                      {"clock": clock.name, "level": level - 1})
        report.chain_ended.append(f"{case.ref} {clock.name}")
        return
    recipient = chain[level - 1]
    notice = SlaNotice(case_id=case.id, clock=clock.name, cycle=clock.cycle, level=level,
                       recipient_id=recipient.id, at=now)
    db.session.add(notice)
    clock.escalation_level = level
    clock.next_escalation_at = due(cal, now, clock.escalate_every)
    db.session.flush()  # the notice's id goes into the signed links; the clock's changes ride in this flush
    _system_event(case, now, "sla_escalation",
                  f"Eskalasi tingkat {level} kepada {recipient.name}: {sla.CLOCK_LABELS[clock.name].lower()} "
                  f"melewati batas waktu {human_wib(clock.due_at)}.",
                  {"clock": clock.name, "level": level, "to": recipient.name})
    base = current_app.config["BASE_URL"].rstrip("/")
    links = {action: f"{base}/email/aksi/{tokens.sign_action(notice.id, recipient.id, action)}"
             for action in EMAIL_ACTIONS}
    outbox.enqueue(to=recipient.email, template="sla_escalation", case=case,
                   context={**_email_context(case, clock, recipient, cal, now), "level": level,
                            "links": links, "actions": EMAIL_ACTIONS},
                   reply_to=tokens.reply_address(case.id, recipient.id, outbox.mail_domain()),
                   dedupe_key=f"sla:{case.id}:{clock.name}:{clock.cycle}:{level}")
    report.escalated.append(f"{case.ref} {clock.name} tingkat {level} → {recipient.name}")


def _process(case: Case, now: dt.datetime, cal: WorkingCalendar, report: SweepReport,
             head: Callable[[], User | None] = desk_head) -> None:
    for clock in case.clocks:
        if not clock.is_running or clock.acknowledged_at is not None:
            continue
        if clock.escalation_level == 0 and clock.warned_at is None and clock.warn_at <= now < clock.due_at:
            _warn(case, clock, now, cal, report, head)
        if clock.escalation_level == 0 and clock.due_at <= now:
            clock.breached_at = clock.due_at
            clock.warned_at = clock.warned_at or now  # a breach found late needs no separate warning
            _escalate(case, clock, 1, now, cal, report, head)
        while (clock.escalation_level > 0 and clock.next_escalation_at is not None
               and clock.next_escalation_at <= now):
            _escalate(case, clock, clock.escalation_level + 1, now, cal, report, head)
    case.next_deadline_at = sla.next_deadline(case)


def sweep_due_cases(now: dt.datetime | None = None, batch_size: int = 200) -> SweepReport:
    """One sweep at `now`. Running it twice at the same instant does nothing new."""
    now = now or wall.now()
    report = SweepReport()
    cal = load_calendar()
    done: set[int] = set()
    while True:
        with unit_of_work():
            # Clocks come with the batch in one more query (not one lazy load per case).
            query = (select(Case).where(Case.next_deadline_at <= now).options(selectinload(Case.clocks))
                     .order_by(Case.next_deadline_at, Case.id).limit(batch_size))
            if db.engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=Case)
            batch = db.session.scalars(query).unique().all()
            repeated = done.intersection(c.id for c in batch)
            head = _desk_head_once()
            for case in batch:
                _process(case, now, cal, report, head)
                done.add(case.id)
        if repeated:  # processing always moves a deadline past `now`; if not, stop rather than spin
            logger.error("SLA sweep saw cases %s twice at %s; stopping this sweep", sorted(repeated), now)
            break
        if len(batch) < batch_size:
            break
    for line in report.lines():
        logger.info("SLA %s", line)
    return report
