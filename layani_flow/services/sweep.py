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
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from flask import current_app
from sqlalchemy import Table, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .. import clock as wall
from ..extensions import db
from ..models import Case, CaseEvent, OutboxMessage, SlaNotice, User
from ..models.sla import CaseClock
from ..timefmt import human_wib
from ..workflows.clocks import APPROVAL, CLOCK_LABELS
from ..working_time import WorkingCalendar, due
from . import approval_requests, escalation_mail, sla
from .access import superior_chain
from .calendar import load_calendar
from .db import unit_of_work
from .errors import STALE_MESSAGE, StaleCase
from .many_rows import insert_many, update_many
from .timeline import system_event_values

logger = logging.getLogger(__name__)

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


def escalation_chain(case: Case, head: Callable[[], User | None] = desk_head,
                     chains: dict[int, list[User]] | None = None) -> list[User]:
    """Who hears of a breach, level by level: up from the owner (or from the desk's head when nobody
    has claimed the case). Parties to the case are skipped, so nobody is told of a complaint about them.
    `chains` keeps each starting person's superiors for a whole batch: walked once per owner, not per case."""
    start = case.owner
    people: list[User] = []
    if start is None:
        start = head()
        if start is not None:
            people.append(start)
    if start is not None and chains is not None:
        if start.id not in chains:
            chains[start.id] = superior_chain(start)
        people += chains[start.id]
    else:
        people += superior_chain(start)
    parties = case.party_ids
    return [p for p in people if p.id not in parties and p.is_active and p.id != case.owner_id]


@dataclass
class _Batch:
    """One batch of due cases, one unit of work: what it reads once (the instant, the calendar, the desk's
    head, each owner's chain) and the rows it writes at its end, one statement per table for the whole batch
    (a flush per case cost more than everything else a case needs)."""

    now: dt.datetime
    cal: WorkingCalendar
    report: SweepReport
    head: Callable[[], User | None]
    chains: dict[int, list[User]] = field(default_factory=dict)
    notices: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    mails: list[dict] = field(default_factory=list)
    deadlines: list[dict] = field(default_factory=list)

    def next_deadline(self, case: Case) -> None:
        """The case's next instant for the sweep, written with the batch (and its version stepped, as any
        change to a case does, so a page open on the old version learns it moved on)."""
        self.deadlines.append({"id": case.id, "version": case.version, "next_deadline_at": sla.next_deadline(case)})

    def notice(self, case: Case, clock: CaseClock, level: int, recipient: User) -> None:
        self.notices.append({"case_id": case.id, "clock": clock.name, "cycle": clock.cycle, "level": level,
                             "recipient_id": recipient.id, "at": self.now})

    def event(self, case: Case, kind: str, comment: str, data: dict) -> None:
        self.events.append(system_event_values(case, kind, self.now, comment, data))

    def mail(self, template: str, case: Case, clock: CaseClock, recipient: User, level: int) -> None:
        # Written, and its links signed, when it is delivered (escalation_mail).
        self.mails.append(escalation_mail.queued_values(template, case, clock, recipient, level, self.now))

    def write(self, cases: Sequence[Case]) -> None:
        """The batch's writes: its changes to clocks, its new rows and its cases' deadlines, one statement per
        table. A notice written twice (another sweeper got there first) or a case changed since it was read
        fails here, and the batch is rolled back."""
        _write_clock_changes([clock for case in cases for clock in case.clocks])
        for model, rows in ((SlaNotice, self.notices), (CaseEvent, self.events), (OutboxMessage, self.mails)):
            insert_many(cast(Table, model.__table__), rows)
        cases_table = cast(Table, Case.__table__)
        moved = update_many(cases_table, self.deadlines, where=("id", "version"),
                            also={"version": cases_table.c.version + 1})
        if moved != len(self.deadlines):  # someone changed one of them since it was read
            raise StaleCase(STALE_MESSAGE)


# What the sweep changes on a clock.
SWEPT_CLOCK_COLUMNS = ("warned_at", "breached_at", "escalation_level", "next_escalation_at")


def _write_clock_changes(clocks: list[CaseClock]) -> None:
    """The clocks the batch changed, in one UPDATE (many_rows.update_many), instead of the session's one per clock;
    then marked as written, so that the session's own flush leaves them alone."""
    changed = [clock for clock in clocks if sa_inspect(clock).modified]
    rows = [{"id": clock.id, **{key: getattr(clock, key) for key in SWEPT_CLOCK_COLUMNS}} for clock in changed]
    update_many(cast(Table, CaseClock.__table__), rows)
    for clock in changed:
        for key in SWEPT_CLOCK_COLUMNS:
            set_committed_value(clock, key, getattr(clock, key))


def _warn(case: Case, clock: CaseClock, batch: _Batch, escalated_to: set[int]) -> None:
    clock.warned_at = batch.now
    recipient = case.owner or batch.head()
    if recipient is None or recipient.id in case.party_ids:
        return
    if recipient.id in escalated_to:
        # They were sent an escalation on this case in this same sweep (another clock breached, found late):
        # that email already says the case needs them now; a warning beside it in the same second is noise.
        return
    batch.notice(case, clock, 0, recipient)
    batch.event(case, "sla_warning",
                f"Peringatan: batas waktu {CLOCK_LABELS[clock.name].lower()} {human_wib(clock.due_at)}.",
                {"clock": clock.name, "to": recipient.name})
    batch.mail(escalation_mail.WARNING, case, clock, recipient, 0)
    batch.report.warned.append(f"{case.ref} {clock.name} → {recipient.name}")


def _chain_ended(case: Case, clock: CaseClock, level: int, batch: _Batch, chain_name: str) -> None:
    """Nobody is left above the last one told: the clock stops escalating, and the timeline says why."""
    clock.next_escalation_at = None
    clock.escalation_level = level - 1
    batch.event(case, "sla_chain_end",
                f"Rantai {chain_name} sudah sampai puncak; tidak ada atasan lain untuk diberi tahu.",
                {"clock": clock.name, "level": level - 1})
    batch.report.chain_ended.append(f"{case.ref} {clock.name}")


def _escalate(case: Case, clock: CaseClock, level: int, batch: _Batch, escalated_to: set[int]) -> None:
    if clock.name == APPROVAL:  # up the approver's chain, each asked to decide (approval_requests)
        _escalate_approval(case, clock, level, batch)
        return
    chain = escalation_chain(case, batch.head, batch.chains)
    if level > len(chain):
        _chain_ended(case, clock, level, batch, "eskalasi")
        return
    recipient = chain[level - 1]
    batch.notice(case, clock, level, recipient)
    clock.escalation_level = level
    clock.next_escalation_at = due(batch.cal, batch.now, clock.escalate_every)
    batch.event(case, "sla_escalation",
                f"Eskalasi tingkat {level} kepada {recipient.name}: {CLOCK_LABELS[clock.name].lower()} "
                f"melewati batas waktu {human_wib(clock.due_at)}.",
                {"clock": clock.name, "level": level, "to": recipient.name})
    batch.report.escalated.append(f"{case.ref} {clock.name} tingkat {level} → {recipient.name}")
    if recipient.id in escalated_to:
        # Two clocks of one case breached and were found in the same sweep: the notice and the timeline
        # record both, and one email (the first) tells the person; its actions reach the whole case.
        return
    escalated_to.add(recipient.id)
    batch.mail(escalation_mail.ESCALATION, case, clock, recipient, level)


def _escalate_approval(case: Case, clock: CaseClock, level: int, batch: _Batch) -> None:
    """The superior has not decided in time: the next one up their chain is asked, and may decide in their
    place (a superior of the requester holds `requester_superior`). Once per level: the notice is unique."""
    chain = approval_requests.escalation_chain(case)
    clock.escalation_level = level
    if level > len(chain):
        _chain_ended(case, clock, level, batch, "persetujuan")
        return
    recipient = chain[level - 1]
    clock.next_escalation_at = due(batch.cal, batch.now, clock.escalate_every)
    approval_requests.send_request(case, recipient, cycle=clock.cycle, level=level, at=batch.now,
                                   late_text=f" sampai batas waktu {human_wib(clock.due_at)}")
    batch.event(case, "sla_escalation",
                f"Eskalasi persetujuan tingkat {level} kepada {recipient.name}: atasan langsung pemohon "
                f"belum memutuskan sampai batas waktu {human_wib(clock.due_at)}.",
                {"clock": clock.name, "level": level, "to": recipient.name})
    batch.report.escalated.append(f"{case.ref} {clock.name} tingkat {level} → {recipient.name}")


def _process(case: Case, batch: _Batch) -> None:
    # Escalations first, then warnings: one person hears of one case once per sweep. A sweep that runs late
    # (the worker was down) can find one clock breached and another in its warning window at once; the
    # desk's head, say, would otherwise get an escalation and a warning about the same case in one second.
    now = batch.now
    escalated_to: set[int] = set()
    running = [c for c in case.clocks if c.is_running and c.acknowledged_at is None]
    for clock in running:
        if clock.escalation_level == 0 and clock.due_at <= now:
            clock.breached_at = clock.due_at
            clock.warned_at = clock.warned_at or now  # a breach found late needs no separate warning
            _escalate(case, clock, 1, batch, escalated_to)
        while (clock.escalation_level > 0 and clock.next_escalation_at is not None
               and clock.next_escalation_at <= now):
            _escalate(case, clock, clock.escalation_level + 1, batch, escalated_to)
    for clock in running:
        if clock.escalation_level == 0 and clock.warned_at is None and clock.warn_at <= now < clock.due_at:
            if clock.name == APPROVAL:
                clock.warned_at = now  # the approver was asked when the clock started: no second email
            else:
                _warn(case, clock, batch, escalated_to)
    batch.next_deadline(case)


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
        cases = db.session.scalars(query).unique().all()
        seen.update((case.id, case.version) for case in cases)
        batch = _Batch(now, cal, report, _desk_head_once())
        for case in cases:
            _process(case, batch)
        batch.write(cases)
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


def sweep_due_cases(now: dt.datetime | None = None, batch_size: int = 500) -> SweepReport:
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
