"""Proactive reminders from personnel data (`layani remind`, run daily by the worker), the desk's planning list,
and what "Data kepegawaian saya" derives from a person's data. The rules are data: reminder_rules.RULES.

Once per person, rule and due date: each reminder is a `sent_reminders` row inserted with ON CONFLICT DO
NOTHING before its email is written to the outbox, in the same transaction. A rerun at the same instant, a
restart, or a second worker running at the same moment finds the row (or waits on the other's uncommitted
insert, then finds it) and writes no email. A person who has filed the request the rule is about (open or
completed, since its window opened) is not reminded, and the desk is not told.

The inbox shows a person's latest reminder per rule while its event is ahead, until they file the request or
hide it ("Sembunyikan", a POST); the desk's reminders the same way to everyone on the desk.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import Date, Integer, bindparam, exists, select

from .. import catalogue, clock
from ..extensions import db
from ..models import Case, SentReminder, User
from ..personnel import POSITION_KINDS, next_kgb_date
from ..reminder_rules import DESK, PERSON, RULES, Rule, current_due, kp_event, upcoming, window_start
from ..roles import Role
from ..timefmt import MONTHS
from ..workflows import REGISTRY
from ..working_time import WIB
from . import outbox
from .access import on_desk
from .capabilities import desk_staff
from .db import conflict_insert, unit_of_work
from .declared_sql import one_of_declared
from .errors import Forbidden, InvalidInput, NotFound

logger = logging.getLogger(__name__)

# A request that ended like this does not count as filed: the person is reminded again.
NOT_FILED_STATES = ("rejected", "withdrawn")
PLANNING_MONTHS = (3, 6, 12)


def request_type() -> str:
    """The case type filed per catalogue service (the service request), as the registry declares it."""
    return next(key for key, wf in REGISTRY.items() if wf.per_service)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), WIB)


def filed_since(user_id: int, service: str, since: dt.date) -> bool:
    """Has the person filed a request of this service since `since` (WIB), still open or completed?"""
    return db.session.scalar(select(exists().where(
        Case.requester_id == user_id, Case.service == service,
        one_of_declared(Case.case_type, [k for k, wf in REGISTRY.items() if wf.per_service]),
        Case.created_at >= _start_of(since), Case.state.not_in(NOT_FILED_STATES)))) or False


def offset_label(rule: Rule, due: dt.date, event: dt.date) -> str:
    for offset, label in zip(rule.before, rule.offset_labels, strict=True):
        if event - offset == due:
            return label
    return rule.label


def tanggal(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# -- the prefilled request form -----------------------------------------------------------------------------

def form_args(rule: Rule, event: dt.date) -> dict[str, Any] | None:
    """The query string of the request form a reminder opens (intake.new), or None when the rule has no
    request. Fixed choices from the rule; the field the event fills (the promotion period, the TMT pensiun)
    from its date; the person's own data fills the rest on the form (FieldSpec.prefill)."""
    if rule.service is None:
        return None
    service = catalogue.SERVICES[rule.service]
    args: dict[str, Any] = {"layanan": service.key, **dict(rule.prefill)}
    for spec in service.fields:
        if spec.name == rule.event_field:
            args[spec.name] = event.isoformat() if spec.kind == "date" else f"{event.month:02d}"
    return args


def correction_args(person: User) -> dict[str, Any]:
    """"Ajukan perbaikan data": the pemutakhiran data request, its description filled with the data held now."""
    lines = [f"{label}: {value or '-'}" for label, value in personnel_rows(person)]
    return {"layanan": CORRECTION_SERVICE, "jenis_data": "lainnya",
            "keterangan": "Mohon perbaikan data kepegawaian saya. Data yang tercatat saat ini:\n" + "\n".join(lines)
            + "\nData yang benar: "}


CORRECTION_SERVICE = "pemutakhiran_data"


def personnel_rows(person: User) -> list[tuple[str, str]]:
    kind = POSITION_KINDS.get(person.position_kind or "")
    return [
        ("Jabatan", person.position),
        ("Jenis jabatan", kind.label if kind else ""),
        ("Pangkat/golongan", person.pangkat_golongan),
        ("TMT golongan", tanggal(person.grade_tmt) if person.grade_tmt else ""),
        ("TMT KGB terakhir", tanggal(person.kgb_tmt) if person.kgb_tmt else ""),
        ("Tanggal lahir", tanggal(person.birth_date) if person.birth_date else ""),
        ("Unit kerja", person.unit),
        ("Atasan langsung", person.superior.name if person.superior else ""),
    ]


# -- sending ----------------------------------------------------------------------------------------------

@dataclass
class ReminderReport:
    sent: dict[str, int] = field(default_factory=dict)  # rule → reminders sent
    emails: int = 0
    skipped_filed: int = 0

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    def lines(self) -> list[str]:
        return [f"{RULES[key].label}: {count}" for key, count in sorted(self.sent.items())]


def _claim(user_id: int, rule: Rule, due: dt.date, event: dt.date, now: dt.datetime) -> int | None:
    """Insert the reminder's row unless it exists; its id when this call inserted it, else None."""
    statement = (conflict_insert(SentReminder)
                 .values(user_id=user_id, rule=rule.key, due_on=due, event_on=event, audience=rule.audience,
                         sent_at=now)
                 .on_conflict_do_nothing(index_elements=["user_id", "rule", "due_on"])
                 .returning(SentReminder.id))
    return db.session.execute(statement).scalar()


def _mail(row_id: int, to: User, about: User, rule: Rule, due: dt.date, event: dt.date) -> None:
    base_url = current_app.config["BASE_URL"].rstrip("/")
    outbox.enqueue(to=to.email, template="pengingat_kepegawaian", dedupe_key=f"reminder-{row_id}-{to.id}",
                   context={"recipient_name": to.name, "about": about, "rule": rule, "for_desk": rule.audience == DESK,
                            "step": offset_label(rule, due, event), "event_text": tanggal(event),
                            "link": f"{base_url}/pengingat/{row_id}"})


def send_due_reminders(now: dt.datetime | None = None) -> ReminderReport:
    """Every reminder due at `now` (WIB day), each in its own transaction: see the module's docstring."""
    now = now or clock.now()
    today = now.astimezone(WIB).date()
    report = ReminderReport()
    with unit_of_work():  # the read: who is owed what (each reminder below is its own unit of work)
        owed = _owed(today, report)
    desk = [u.id for u in desk_staff()]
    for user_id, rule, due, event in owed:
        with unit_of_work():
            row_id = _claim(user_id, rule, due, event, now)
            if row_id is None:
                continue  # another run got there first
            about = db.session.get(User, user_id)
            assert about is not None
            recipients = [about] if rule.audience == PERSON else [u for i in desk if (u := db.session.get(User, i))]
            for to in recipients:
                _mail(row_id, to, about, rule, due, event)
                report.emails += 1
        report.sent[rule.key] = report.sent.get(rule.key, 0) + 1
    if report.total:
        logger.info("Personnel reminders sent: %s", ", ".join(report.lines()))
    return report


def _owed(today: dt.date, report: ReminderReport) -> list[tuple[int, Rule, dt.date, dt.date]]:
    people = db.session.scalars(select(User).where(User.is_active_account).order_by(User.id)).unique().all()
    sent = {(r.user_id, r.rule, r.due_on) for r in db.session.execute(
        select(SentReminder.user_id, SentReminder.rule, SentReminder.due_on)
        .where(SentReminder.event_on > today))}
    owed: list[tuple[int, Rule, dt.date, dt.date]] = []
    for person in people:
        for rule in RULES.values():
            due = current_due(rule, person, today)
            if due is None or (person.id, rule.key, due[0]) in sent:
                continue
            if rule.unless_filed and rule.service and filed_since(person.id, rule.service, window_start(rule, due[1])):
                report.skipped_filed += 1
                continue
            owed.append((person.id, rule, *due))
    return owed


LAST_RUN_KEY = "layani.personnel_reminders_day"


def daily(now: dt.datetime | None = None) -> ReminderReport:
    """The worker's job: send_due_reminders once per WIB day and process, when WORKER_PERSONNEL_REMINDERS is on
    (the unique key keeps a second process, or a restart, from sending anything twice; it only costs a pass
    over the people)."""
    if not current_app.config["WORKER_PERSONNEL_REMINDERS"]:
        return ReminderReport()
    now = now or clock.now()
    today = now.astimezone(WIB).date()
    if current_app.extensions.get(LAST_RUN_KEY) == today:
        return ReminderReport()
    report = send_due_reminders(now)
    current_app.extensions[LAST_RUN_KEY] = today
    return report


# -- reading back: the link, the inbox, hiding -------------------------------------------------------------

def reminder_for(actor: User, reminder_id: int) -> SentReminder:
    """A reminder its reader may open: their own, or the desk's for someone on the desk or an admin."""
    row = db.session.get(SentReminder, reminder_id)
    if row is None or not _may_read(actor, row):
        raise NotFound("Pengingat tidak ditemukan.")
    return row


def _may_read(actor: User, row: SentReminder) -> bool:
    if row.audience == PERSON:
        return row.user_id == actor.id
    return on_desk(actor) or actor.has_role(Role.ADMIN)


@functools.cache
def _open_reminders_query(desk: bool):
    """Built once per kind of person (the header counts reminders on every page): the person and the day are
    bound parameters."""
    audiences = [PERSON] + ([DESK] if desk else [])
    mine = SentReminder.user_id == bindparam("reminders_person", type_=Integer)
    return (select(SentReminder)
            .where(SentReminder.event_on > bindparam("reminders_today", type_=Date), SentReminder.dismissed_at.is_(None),
                   SentReminder.audience.in_(audiences),
                   mine if not desk else ((SentReminder.audience == DESK) | mine))
            .order_by(SentReminder.due_on.desc(), SentReminder.id.desc()).limit(200))


def open_reminders(person: User, today: dt.date | None = None) -> list[SentReminder]:
    """The inbox's reminders for this person: the latest per rule and person while its event is ahead, not
    hidden, and (for a rule about a request) while no such request was filed since its window opened."""
    today = today or clock.now().astimezone(WIB).date()
    latest: dict[tuple[int, str], SentReminder] = {}
    rows = db.session.scalars(_open_reminders_query(on_desk(person)),
                              {"reminders_person": person.id, "reminders_today": today})
    for row in rows.unique():
        latest.setdefault((row.user_id, row.rule), row)
    shown = []
    for row in latest.values():
        rule = RULES.get(row.rule)
        if rule is None:
            continue
        if rule.unless_filed and rule.service and filed_since(row.user_id, rule.service,
                                                             window_start(rule, row.event_on)):
            continue
        shown.append(row)
    return shown


def dismiss(actor: User, reminder_id: int) -> SentReminder:
    """Hide a reminder from the inbox (its email stays sent; it is not sent again)."""
    with unit_of_work():
        row = reminder_for(actor, reminder_id)
        row.dismissed_at = row.dismissed_at or clock.now()
    return row


# -- the desk's planning list ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanRow:
    person: User
    rule: Rule
    event: dt.date
    due_dates: tuple[dt.date, ...]
    filed: bool
    reminded: bool


def may_plan(actor: User) -> bool:
    """Officers, the desk head and admins see the planning list."""
    return on_desk(actor) or actor.has_role(Role.ADMIN)


def planning(actor: User, months: int, rule_key: str | None = None, today: dt.date | None = None) -> list[PlanRow]:
    """Who falls due for what within `months` months from today: each planned rule's events in that span,
    earliest first, with whether the person has filed the request and whether they were reminded."""
    if not may_plan(actor):
        raise Forbidden("Daftar perencanaan hanya untuk petugas layanan, kepala layanan dan admin.")
    if months not in PLANNING_MONTHS:
        raise InvalidInput("Rentang tidak dikenal.", {"bulan": ["Pilih 3, 6 atau 12 bulan."]})
    rules = [r for r in RULES.values() if r.planned]
    if rule_key:
        rules = [r for r in rules if r.key == rule_key]
        if not rules:
            raise InvalidInput("Jenis pengingat tidak dikenal.", {"aturan": ["Pilih jenis dari daftar."]})
    today = today or clock.now().astimezone(WIB).date()
    end = today + relativedelta(months=months)
    people = db.session.scalars(select(User).where(User.is_active_account).order_by(User.name, User.id)).unique().all()
    reminded = {(r.user_id, r.rule, r.event_on) for r in db.session.execute(
        select(SentReminder.user_id, SentReminder.rule, SentReminder.event_on).where(SentReminder.event_on >= today))}
    rows = []
    for person in people:
        for rule in rules:
            for event in upcoming(rule, person, today, end):
                filed = rule.service is not None and filed_since(person.id, rule.service, window_start(rule, event))
                rows.append(PlanRow(person, rule, event, tuple(rule.due_dates(event)), filed,
                                    (person.id, rule.key, event) in reminded))
    return sorted(rows, key=lambda r: (r.event, r.rule.key, r.person.name))


def planned_rules() -> list[Rule]:
    return [r for r in RULES.values() if r.planned]


# -- "Data kepegawaian saya" -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Derived:
    retirement_age: int
    retirement_date: dt.date | None
    next_kgb: dt.date | None
    next_kp: dt.date | None


def derived(person: User, today: dt.date | None = None) -> Derived:
    today = today or clock.now().astimezone(WIB).date()
    return Derived(person.retirement_age, person.retirement_date,
                   next_kgb_date(person.kgb_tmt) if person.kgb_tmt else None,
                   kp_event(person, today - dt.timedelta(days=1)))

