"""The SLA sweep: warn owners, escalate breaches up the superior chain, level after level.

Cost grows with the cases that are due, not with all open cases: it reads only rows whose indexed
`next_deadline_at` has passed, in batches, one transaction per batch. On PostgreSQL the rows are locked
with SKIP LOCKED, so several sweepers on several machines share the work and never handle one case
twice; a unique (case, clock, cycle, level) notice makes a rerun a no-op on every database.

SQLite locks nothing while a batch is read, so two sweepers at once read the same due cases, and the one
that writes second breaks that unique notice (or finds the case's version moved on). It is a race lost, not
an error: that batch is rolled back, logged, and the sweep goes on with what is still due, which no longer
includes the cases the other sweeper committed. A database whose write lock another process holds for longer
than SQLite's busy timeout is retried in the same way while the due cases keep being handled by someone; if
they stop getting fewer and are still there, the sweep ends with SweepBusy (plain words, no traceback).
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload

from .. import clock as wall
from ..extensions import db
from ..models import Case, SlaNotice, User
from ..models.sla import CaseClock
from ..timefmt import human_wib, working_text
from ..workflows import REGISTRY
from ..workflows.clocks import APPROVAL, CLOCK_LABELS
from ..working_time import WorkingCalendar, due
from . import approval_requests, outbox, sla, tokens
from .access import superior_chain
from .calendar import load_calendar
from .db import unit_of_work
from .errors import StaleCase
from .timeline import SYSTEM, append_event

logger = logging.getLogger(__name__)

EMAIL_ACTIONS = {
    "ambil_alih": "Ambil alih dan tangani",
    "alihkan": "Alihkan ke petugas lain",
    "perpanjang": "Perpanjang batas waktu",
    "instruksi": "Beri instruksi",
}


# How many times in a row a batch may find the database locked, with no due case handled by anyone meanwhile
# (each time after SQLite's busy timeout, five seconds in database.py), before the sweep gives up and says so.
BUSY_ATTEMPTS = 3


@dataclass
class SweepReport:
    warned: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    chain_ended: list[str] = field(default_factory=list)
    lost_races: int = 0  # batches rolled back because another sweeper (or a person) changed them first
    busy_waits: int = 0  # batches rolled back because another process held the database's write lock

    def lines(self) -> list[str]:
        return ([f"peringatan  {x}" for x in self.warned] + [f"eskalasi    {x}" for x in self.escalated]
                + [f"rantai habis {x}" for x in self.chain_ended])

    def add(self, batch: SweepReport) -> None:
        self.warned += batch.warned
        self.escalated += batch.escalated
        self.chain_ended += batch.chain_ended


class SweepBusy(Exception):
    """The database stayed locked by another process, and due cases are left for the next sweep."""

    def __init__(self, remaining: int, report: SweepReport):
        super().__init__(f"Basis data dikunci proses lain terlalu lama; {remaining} kasus jatuh tempo belum disapu. "
                         "Jalankan sapuan lagi nanti.")
        self.remaining, self.report = remaining, report


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
    people += superior_chain(start)
    parties = case.party_ids
    return [p for p in people if p.id not in parties and p.is_active and p.id != case.owner_id]


def filer_text(case: Case) -> str:
    """Who filed, as an escalation tells it: an anonymous filer stays nobody (the requester is joined with the
    case, so this costs no statement)."""
    if case.is_anonymous or case.requester is None:
        return "anonim"
    return f"{case.requester.name} (NIP {case.requester.nip})"


def _email_context(case: Case, clock: CaseClock, recipient: User, cal: WorkingCalendar, now: dt.datetime) -> dict:
    left = sla.remaining(clock, now, cal)
    late_minutes = math.floor(-left.total_seconds() / 60) if left.total_seconds() < 0 else 0
    return {
        "recipient_name": recipient.name, "clock_label": CLOCK_LABELS[clock.name],
        "due_text": human_wib(clock.due_at), "state_label": REGISTRY[case.case_type].states[case.state],
        "owner_name": case.owner.name if case.owner else "belum ada petugas",
        "filer_text": filer_text(case),
        # Working time past the due instant, as the case page says it ("terlambat 2 hari 3 jam kerja").
        "late_text": f"terlambat {working_text(late_minutes)}" if late_minutes > 0 else "",
        "remaining": left,
    }


def _warn(case: Case, clock: CaseClock, now: dt.datetime, cal: WorkingCalendar, report: SweepReport,
          head: Callable[[], User | None] = desk_head, escalated_to: set[int] | None = None) -> None:
    clock.warned_at = now
    recipient = case.owner or head()
    if recipient is None or recipient.id in case.party_ids:
        return
    if escalated_to and recipient.id in escalated_to:
        # They were sent an escalation on this case in this same sweep (another clock breached, found late):
        # that email already says the case needs them now; a warning beside it in the same second is noise.
        return
    db.session.add(SlaNotice(case_id=case.id, clock=clock.name, cycle=clock.cycle, level=0,
                             recipient_id=recipient.id, at=now))
    append_event(case, SYSTEM, "sla_warning", at=now,
                 comment=f"Peringatan: batas waktu {CLOCK_LABELS[clock.name].lower()} {human_wib(clock.due_at)}.",
                 data={"clock": clock.name, "to": recipient.name})
    outbox.enqueue(to=recipient.email, template="sla_warning", case=case,
                   context=_email_context(case, clock, recipient, cal, now),
                   dedupe_key=f"sla:{case.id}:{clock.name}:{clock.cycle}:0")
    report.warned.append(f"{case.ref} {clock.name} → {recipient.name}")


def _chain_ended(case: Case, clock: CaseClock, level: int, now: dt.datetime, report: SweepReport,
                 chain_name: str) -> None:
    """Nobody is left above the last one told: the clock stops escalating, and the timeline says why."""
    clock.next_escalation_at = None
    clock.escalation_level = level - 1
    append_event(case, SYSTEM, "sla_chain_end", at=now,
                 comment=f"Rantai {chain_name} sudah sampai puncak; tidak ada atasan lain untuk diberi tahu.",
                 data={"clock": clock.name, "level": level - 1})
    report.chain_ended.append(f"{case.ref} {clock.name}")


def _escalate(case: Case, clock: CaseClock, level: int, now: dt.datetime, cal: WorkingCalendar,
              report: SweepReport, head: Callable[[], User | None] = desk_head,
              escalated_to: set[int] | None = None) -> None:
    if clock.name == APPROVAL:  # up the approver's chain, each asked to decide (approval_requests)
        _escalate_approval(case, clock, level, now, cal, report)
        return
    chain = escalation_chain(case, head)
    if level > len(chain):
        _chain_ended(case, clock, level, now, report, "eskalasi")
        return
    recipient = chain[level - 1]
    notice = SlaNotice(case_id=case.id, clock=clock.name, cycle=clock.cycle, level=level,
                       recipient_id=recipient.id, at=now)
    db.session.add(notice)
    clock.escalation_level = level
    clock.next_escalation_at = due(cal, now, clock.escalate_every)
    db.session.flush()  # the notice's id goes into the signed links; the clock's changes ride in this flush
    append_event(case, SYSTEM, "sla_escalation", at=now,
                 comment=f"Eskalasi tingkat {level} kepada {recipient.name}: {CLOCK_LABELS[clock.name].lower()} "
                 f"melewati batas waktu {human_wib(clock.due_at)}.",
                 data={"clock": clock.name, "level": level, "to": recipient.name})
    report.escalated.append(f"{case.ref} {clock.name} tingkat {level} → {recipient.name}")
    if escalated_to is not None:
        if recipient.id in escalated_to:
            # Two clocks of one case breached and were found in the same sweep: the notice and the timeline
            # record both, and one email (the first) tells the person; its actions reach the whole case.
            return
        escalated_to.add(recipient.id)
    base = current_app.config["BASE_URL"].rstrip("/")
    links = {action: f"{base}/email/aksi/{tokens.sign_action(notice.id, recipient.id, action)}"
             for action in EMAIL_ACTIONS}
    outbox.enqueue(to=recipient.email, template="sla_escalation", case=case,
                   context={**_email_context(case, clock, recipient, cal, now), "level": level,
                            "links": links, "actions": EMAIL_ACTIONS},
                   reply_to=tokens.reply_address(case.id, recipient.id, outbox.mail_domain()),
                   dedupe_key=f"sla:{case.id}:{clock.name}:{clock.cycle}:{level}")


def _escalate_approval(case: Case, clock: CaseClock, level: int, now: dt.datetime, cal: WorkingCalendar,
                       report: SweepReport) -> None:
    """The superior has not decided in time: the next one up their chain is asked, and may decide in their
    place (a superior of the requester holds `requester_superior`). Once per level: the notice is unique."""
    chain = approval_requests.escalation_chain(case)
    clock.escalation_level = level
    if level > len(chain):
        _chain_ended(case, clock, level, now, report, "persetujuan")
        return
    recipient = chain[level - 1]
    clock.next_escalation_at = due(cal, now, clock.escalate_every)
    approval_requests.send_request(case, recipient, cycle=clock.cycle, level=level, at=now,
                                   late_text=f" sampai batas waktu {human_wib(clock.due_at)}")
    append_event(case, SYSTEM, "sla_escalation", at=now,
                 comment=f"Eskalasi persetujuan tingkat {level} kepada {recipient.name}: atasan langsung pemohon "
                 f"belum memutuskan sampai batas waktu {human_wib(clock.due_at)}.",
                 data={"clock": clock.name, "level": level, "to": recipient.name})
    report.escalated.append(f"{case.ref} {clock.name} tingkat {level} → {recipient.name}")


def _process(case: Case, now: dt.datetime, cal: WorkingCalendar, report: SweepReport,
             head: Callable[[], User | None] = desk_head) -> None:
    # Escalations first, then warnings: one person hears of one case once per sweep. A sweep that runs late
    # (the worker was down) can find one clock breached and another in its warning window at once; the
    # desk's head, say, would otherwise get an escalation and a warning about the same case in one second.
    escalated_to: set[int] = set()
    running = [c for c in case.clocks if c.is_running and c.acknowledged_at is None]
    for clock in running:
        if clock.escalation_level == 0 and clock.due_at <= now:
            clock.breached_at = clock.due_at
            clock.warned_at = clock.warned_at or now  # a breach found late needs no separate warning
            _escalate(case, clock, 1, now, cal, report, head, escalated_to)
        while (clock.escalation_level > 0 and clock.next_escalation_at is not None
               and clock.next_escalation_at <= now):
            _escalate(case, clock, clock.escalation_level + 1, now, cal, report, head, escalated_to)
    for clock in running:
        if clock.escalation_level == 0 and clock.warned_at is None and clock.warn_at <= now < clock.due_at:
            if clock.name == APPROVAL:
                clock.warned_at = now  # the approver was asked when the clock started: no second email
            else:
                _warn(case, clock, now, cal, report, head, escalated_to)
    case.next_deadline_at = sla.next_deadline(case)


def _sweep_batch(now: dt.datetime, cal: WorkingCalendar, batch_size: int,
                 seen: dict[int, int]) -> tuple[list[int], SweepReport]:
    """One batch, one unit of work. Returns the ids it committed and what it did; `seen` gets each case's
    version as read, so a caller whose batch failed can tell whether someone else changed it meanwhile."""
    report = SweepReport()  # merged by the caller only once the batch is committed
    seen.clear()
    with unit_of_work():
        # Clocks come with the batch in one more query (not one lazy load per case).
        query = (select(Case).where(Case.next_deadline_at <= now).options(selectinload(Case.clocks))
                 .order_by(Case.next_deadline_at, Case.id).limit(batch_size))
        if db.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Case)
        batch = db.session.scalars(query).unique().all()
        seen.update((case.id, case.version) for case in batch)
        head = _desk_head_once()
        for case in batch:
            _process(case, now, cal, report, head)
    return list(seen), report


def _changed_by_another(seen: dict[int, int]) -> bool:
    """After a rollback: has someone else committed a change to one of these cases since we read them?"""
    if not seen:
        return False
    now_versions = dict(db.session.execute(select(Case.id, Case.version).where(Case.id.in_(seen))).tuples().all())
    db.session.rollback()  # end the read, so this sweep holds nothing while it decides what to do next
    return any(now_versions.get(case_id) != version for case_id, version in seen.items())


def _is_busy(exc: OperationalError) -> bool:
    """SQLite's "database is locked" (SQLITE_BUSY, including its extended codes)."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return isinstance(exc.orig, sqlite3.OperationalError) and code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


def _due_count(now: dt.datetime) -> int:
    count = db.session.execute(select(func.count(Case.id)).where(Case.next_deadline_at <= now)).scalar_one()
    db.session.rollback()
    return count


def sweep_due_cases(now: dt.datetime | None = None, batch_size: int = 200) -> SweepReport:
    """One sweep at `now`. Running it twice at the same instant, one after the other or at once, does nothing
    new; a batch another sweeper got to first is rolled back and skipped (see the module's docstring)."""
    now = now or wall.now()
    report = SweepReport()
    cal = load_calendar()
    done: set[int] = set()
    seen: dict[int, int] = {}
    stalled, last_remaining = 0, None  # consecutive lock waits in which no due case was handled by anyone
    while True:
        try:
            committed, batch_report = _sweep_batch(now, cal, batch_size, seen)
        except (IntegrityError, StaleCase) as exc:
            # unit_of_work has rolled the batch back. A duplicate notice (or a moved version) on cases nobody
            # else touched would be a bug in this sweep: that is raised, not skipped.
            if not _changed_by_another(seen):
                raise
            report.lost_races += 1
            logger.info("SLA sweep at %s: another sweeper got there first on cases %s (%s); that batch is rolled "
                        "back and the sweep goes on with what is still due", now.isoformat(), sorted(seen),
                        "a notice already sent" if isinstance(exc, IntegrityError) else "the case changed")
            continue
        except OperationalError as exc:
            if not _is_busy(exc):
                raise
            report.busy_waits += 1
            remaining = _due_count(now)
            # Only waits in which nobody made progress count: another sweeper working through many batches holds
            # the lock most of the time, and the number of due cases falls each time it commits one.
            stalled = 1 if last_remaining is None or remaining < last_remaining else stalled + 1
            last_remaining = remaining
            logger.warning("SLA sweep at %s: database is locked by another process; batch rolled back, %d cases "
                           "still due (%d of %d waits without progress)", now.isoformat(), remaining, stalled,
                           BUSY_ATTEMPTS)
            if remaining == 0:
                break  # whoever held the lock did the work
            if stalled >= BUSY_ATTEMPTS:
                raise SweepBusy(remaining, report) from None
            continue
        stalled, last_remaining = 0, None
        report.add(batch_report)
        repeated = done.intersection(committed)
        done.update(committed)
        if repeated:  # processing always moves a deadline past `now`; if not, stop rather than spin
            logger.error("SLA sweep saw cases %s twice at %s; stopping this sweep", sorted(repeated), now)
            break
        if len(committed) < batch_size:
            break
    for line in report.lines():
        logger.info("SLA %s", line)
    return report
