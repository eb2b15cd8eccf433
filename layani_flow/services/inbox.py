"""What waits on a person now: the inbox every role's home page and `GET /api/v1/inbox` show.

Each source below is one query over the cases `access.visible_cases` lets the person see, so an inbox never
names a case its owner may not read, and it costs the same few queries whatever its length (the sources that
do not apply to a role are not asked). A case several sources name appears once, under its most urgent reason;
the others are kept on the item (`also`) for whoever wants them.

Read-only: no unit of work.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g, has_request_context
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    false,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.orm import aliased, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from .. import clock
from ..extensions import db
from ..models import Announcement, Case, CaseClock, CaseEvent, ConsultationSlot, SentReminder, SlaNotice, User
from ..models.types import UTCDateTime
from ..roles import LEAD_ROLES
from ..workflows import REGISTRY, Workflow
from ..working_time import WIB
from . import announcements, conversations, reminders
from .access import is_desk_head, leads_anyone, on_desk, own_cases, subordinate_ids_query, visible_cases
from .approval_requests import APPROVAL_NOTICE
from .declared_sql import one_of_declared
from .listings import final_state_clause, in_states, next_running_due

LIMIT_PER_SOURCE = 100  # an inbox is a to-do list, not a queue: the queue pages through the rest

# reason → (label, urgency: lower comes first). Stable keys: the API returns them.
REASONS: dict[str, tuple[str, int]] = {
    "escalated_to_you": ("Dieskalasikan kepada Anda", 10),
    "approval": ("Menunggu persetujuan Anda", 20),
    "revision": ("Perbaiki dan kirim ulang", 30),
    "question": ("Pertanyaan petugas menunggu jawaban Anda", 35),
    "overdue": ("Melewati batas waktu", 40),
    "meeting_to_record": ("Catat hasil konsultasi", 45),
    "resubmitted": ("Perbaikan dikirim ulang pemohon", 50),
    "replied": ("Pemohon membalas", 55),
    "booking_to_confirm": ("Konfirmasi jadwal konsultasi", 57),
    "meeting_today": ("Konsultasi hari ini", 58),
    "unread_message": ("Pesan chat belum dibaca", 57),
    "due_soon": ("Segera jatuh tempo", 60),
    "reminder": ("Pengingat kepegawaian", 65),  # a personnel reminder (services.reminders), not a case
    "announcement": ("Pengumuman untuk Anda", 65),
    "team_overdue": ("Kasus tim melewati batas waktu", 70),
    "escalated": ("Tereskalasi", 75),
    "unclaimed": ("Belum diklaim", 80),
}

# Kinds of timeline event that count as someone's move on a case.
_MOVES = ("transition", "message", "document", "document_review", "assignment")


@dataclass
class InboxItem:
    """A case waiting on the person or, with `case` None, a personnel reminder (`reminder`) or an announcement
    for them that they have not read, or not acknowledged when it asks for it (`announcement`)."""

    case: Case | None
    reason: str
    due_at: dt.datetime | None
    also: list[str] = field(default_factory=list)  # other reasons the same case is here
    reminder: SentReminder | None = None
    announcement: Announcement | None = None
    waiting_for: str = ""  # an announcement's: "read" or "ack"

    @property
    def created_at(self) -> dt.datetime:
        if self.case is not None:
            return self.case.created_at
        if self.reminder is not None:
            return self.reminder.sent_at
        assert self.announcement is not None
        return self.announcement.published_at

    @property
    def key(self) -> tuple[str, int]:
        if self.case is not None:
            return ("case", self.case.id)
        if self.reminder is not None:
            return ("reminder", self.reminder.id)
        assert self.announcement is not None
        return ("announcement", self.announcement.id)

    @property
    def reason_label(self) -> str:
        return REASONS[self.reason][0]

    @property
    def urgency(self) -> int:
        return REASONS[self.reason][1]


# -- what the workflows declare ---------------------------------------------------------------------

def approval_states(wf: Workflow) -> set[str]:
    """States in which a case waits on the requester's superior: a `requester_superior` step leaves them."""
    return set(wf.approval_in)


def requester_turn_states(wf: Workflow) -> set[str]:
    """States in which the case waits on its requester (paused for them) and they have a step to take
    that is not giving up (withdraw)."""
    return {s for step in wf.steps if "requester" in step.who and step.tone != "danger"
            for s in step.sources if s in wf.paused_in and s not in approval_states(wf)}


def approval_clause() -> ColumnElement[bool]:
    return in_states(approval_states)


def _requester_turn_clause() -> ColumnElement[bool]:
    return in_states(requester_turn_states)


# -- per-row facts, as correlated subqueries (one statement per source) ----------------------------------

def _last_event_id(*conditions) -> ColumnElement:
    return (select(func.max(CaseEvent.id)).where(CaseEvent.case_id == Case.id, *conditions)
            .correlate(Case).scalar_subquery())


def _requester_last_move():
    return _last_event_id(CaseEvent.actor_id == Case.requester_id, one_of_declared(CaseEvent.kind, _MOVES))


def _others_last_message():
    """The latest public message on the case by someone other than its requester."""
    return _last_event_id(CaseEvent.kind == "message", CaseEvent.is_internal.is_(False),
                          CaseEvent.actor_id.is_not(None), CaseEvent.actor_id != func.coalesce(Case.requester_id, 0))


def _requester_last(kind: str):
    return _last_event_id(CaseEvent.actor_id == Case.requester_id, CaseEvent.kind == kind,
                          CaseEvent.is_internal.is_(False))


def _owner_last_move():
    return _last_event_id(CaseEvent.actor_id == Case.owner_id, one_of_declared(CaseEvent.kind, _MOVES))


def _running_warn_at():
    return (select(func.min(CaseClock.warn_at)).where(CaseClock.case_id == Case.id, CaseClock.stopped_at.is_(None),
                                                      CaseClock.paused_at.is_(None), CaseClock.acknowledged_at.is_(None))
            .correlate(Case).scalar_subquery())


@dataclass(frozen=True)
class _At:
    """What the sources compare with: the instants (values for the inbox, bound parameters for the cached
    count) and the person's open visible cases, one expression for every source (a statement that unites the
    sources holds visible_cases' named CTEs once). A source of cases they filed or handle says only that: the
    whole visibility rule on top cost PostgreSQL's planner more than running the query."""

    now: Any
    today_ends: Any  # midnight WIB after `now`: a booking before it is on today's list
    open_visible: tuple[ColumnElement[bool], ...]  # for the queries; the readers get none
    open_own: tuple[ColumnElement[bool], ...]  # the same for a source of their own cases only (access.own_cases)
    leads: bool = False  # someone names them as superior (access.leads_anyone); the queries only


def _midnight_after(now: dt.datetime) -> dt.datetime:
    return (now.astimezone(WIB) + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def _open_visible(person: User, leads: bool) -> tuple[ColumnElement[bool], ...]:
    return visible_cases(person, leads=leads), ~final_state_clause()


def _open_own(person: User) -> tuple[ColumnElement[bool], ...]:
    return own_cases(person), ~final_state_clause()


# -- the sources ---------------------------------------------------------------------------------------------
# Each case source is a query (`_..._query(person, at)`: its WHERE keeps only rows that put something in the
# inbox, so that count_for can count them without reading them) and a reader of its rows that names the
# reasons. The queries are built once per shape of person (_statements), not per request.

def _requester_query(person: User, at: _At) -> Select:
    due = next_running_due()
    req_msg, others_msg = _requester_last("message"), _others_last_message()
    turn = _requester_turn_clause()
    return (select(Case, due, turn, req_msg, others_msg)
            .where(Case.requester_id == person.id, *at.open_own,
                   or_(turn, and_(others_msg.is_not(None), others_msg > func.coalesce(req_msg, 0)))))


def _as_requester(rows, add, at: _At) -> None:
    """Their own cases waiting on them: a revision to send, a question from the desk to answer."""
    for case, due_at, in_turn, mine, theirs in rows:
        if in_turn:
            add(case, "revision", due_at)
        if theirs is not None and theirs > (mine or 0):
            add(case, "question", due_at)


def _approver_query(person: User, at: _At) -> Select:
    requester = aliased(User)
    asked = exists().where(SlaNotice.case_id == Case.id, SlaNotice.clock == APPROVAL_NOTICE,
                           SlaNotice.recipient_id == person.id)
    # Nobody was asked (data from before approval requests): the direct superior is the one to ask.
    nobody_asked = ~exists().where(SlaNotice.case_id == Case.id, SlaNotice.clock == APPROVAL_NOTICE)
    query = select(Case, next_running_due()).where(approval_clause(), *at.open_visible, Case.requester_id != person.id)
    if not at.leads:  # asked as an acting official, or up the chain, or not at all: nobody's direct superior
        return query.where(asked)
    return (query.join(requester, requester.id == Case.requester_id)
            .where(or_(asked, and_(requester.superior_id == person.id, nobody_asked))))


def _as_approver(rows, add, at: _At) -> None:
    """Cases waiting on the superior's approval, for whoever an approval request went to: the requester's
    direct superior, or the official acting for them (Plt/Plh), then each superior up the chain it escalated to."""
    for case, due_at in rows:
        add(case, "approval", due_at)


def _owner_query(person: User, at: _At) -> Select:
    due, warn = next_running_due(), _running_warn_at()
    req_move, req_transition, req_msg = _requester_last_move(), _requester_last("transition"), _requester_last("message")
    owner_move = _owner_last_move()
    requester_moved_last = and_(req_move.is_not(None), req_move > func.coalesce(owner_move, 0))
    # What _as_owner reads from a row: a resubmission or a reply after the owner's last move, or a deadline.
    names_a_reason = or_(req_transition > func.coalesce(owner_move, 0), req_msg > func.coalesce(owner_move, 0),
                         due <= at.now, warn <= at.now)
    return (select(Case, due, warn, req_transition, req_msg, owner_move)
            .where(Case.owner_id == person.id, *at.open_own, ~approval_clause(),
                   or_(requester_moved_last, warn <= at.now), names_a_reason))


def _as_owner(rows, add, at: _At) -> None:
    """Their cases where the next move is theirs: the requester sent a revision or wrote, or a clock is near
    or past its deadline."""
    now = at.now
    for case, due_at, warn_at, transition_id, message_id, owner_id in rows:
        owner_id = owner_id or 0
        if transition_id is not None and transition_id > owner_id:
            add(case, "resubmitted", due_at)
        elif message_id is not None and message_id > owner_id:
            add(case, "replied", due_at)
        if due_at is not None and due_at <= now:
            add(case, "overdue", due_at)
        elif warn_at is not None and warn_at <= now:
            add(case, "due_soon", due_at)


def _booking_types() -> dict[str, Workflow]:
    return {key: wf for key, wf in REGISTRY.items() if wf.booking is not None}


def _bookings_query(person: User, at: _At) -> Select:
    booking_types = _booking_types()
    in_first_state = or_(false(), *(and_(Case.case_type == key, Case.state == wf.initial)
                                    for key, wf in booking_types.items()))
    return (select(Case, ConsultationSlot.start_at, next_running_due())
            .join(ConsultationSlot, ConsultationSlot.case_id == Case.id)
            .where(Case.owner_id == person.id, one_of_declared(Case.case_type, booking_types), *at.open_own,
                   or_(ConsultationSlot.start_at <= at.now, in_first_state, ConsultationSlot.start_at < at.today_ends))
            .order_by(ConsultationSlot.start_at))


def _bookings(rows, add, at: _At) -> None:
    """ConsDesk (a type with `Workflow.booking`): the officer's bookings still in their first state wait for
    confirmation; a meeting that has begun waits for its outcome; the others of today are on today's list."""
    booking_types = _booking_types()
    for case, start_at, due_at in rows:
        if start_at <= at.now:
            add(case, "meeting_to_record", start_at)
        elif case.state == booking_types[case.case_type].initial:
            add(case, "booking_to_confirm", due_at or start_at)
        elif start_at < at.today_ends:
            add(case, "meeting_today", start_at)


def _unclaimed_query(person: User, at: _At) -> Select:
    claimable = [key for key, wf in REGISTRY.items() if wf.desk_claims]
    return (select(Case, next_running_due())
            .where(one_of_declared(Case.case_type, claimable), Case.owner_id.is_(None), *at.open_visible,
                   ~approval_clause(), func.coalesce(Case.requester_id, 0) != person.id)
            .order_by(Case.created_at))


def _unclaimed(rows, add, at: _At) -> None:
    """Desk cases nobody has claimed, except those still waiting on the requester's superior."""
    for case, due_at in rows:
        add(case, "unclaimed", due_at)


def _escalated_to_query(person: User, at: _At) -> Select:
    return (select(Case, CaseClock.due_at)
            .join(SlaNotice, SlaNotice.case_id == Case.id)
            .join(CaseClock, and_(CaseClock.case_id == Case.id, CaseClock.name == SlaNotice.clock,
                                  CaseClock.cycle == SlaNotice.cycle))
            .where(SlaNotice.recipient_id == person.id, SlaNotice.level >= 1, SlaNotice.clock != APPROVAL_NOTICE,
                   CaseClock.stopped_at.is_(None),
                   CaseClock.acknowledged_at.is_(None), *at.open_visible))


def _escalated_to(rows, add, at: _At) -> None:
    """SLA escalations sent to them whose clock still runs and nobody has acted on (an approval escalation
    is an approval to give: _as_approver)."""
    for case, due_at in rows:
        add(case, "escalated_to_you", due_at)


def _team_overdue_query(person: User, at: _At) -> Select:
    due = next_running_due()
    # A CTE of its own name: visible_cases holds two more over the same table.
    team = subordinate_ids_query(person.id, "team")
    return select(Case, due).where(Case.owner_id.in_(team), *at.open_visible, due <= at.now)


def _team_overdue(rows, add, at: _At) -> None:
    """Open cases handled by people under them with a clock past its deadline."""
    for case, due_at in rows:
        add(case, "team_overdue", due_at)


def _desk_escalations_query(person: User, at: _At) -> Select:
    escalated = exists().where(CaseClock.case_id == Case.id, CaseClock.stopped_at.is_(None),
                               CaseClock.name != APPROVAL_NOTICE,  # the superior's to decide, not the desk's
                               CaseClock.escalation_level >= 1, CaseClock.acknowledged_at.is_(None))
    return select(Case, next_running_due()).where(escalated, *at.open_visible)


def _desk_escalations(rows, add, at: _At) -> None:
    """For the desk head: every open desk case with an escalation nobody has acted on."""
    for case, due_at in rows:
        add(case, "escalated", due_at)


def _unread_chats_query(person: User, at: _At) -> Select:
    unread = conversations.unread_events(person).subquery()
    return select(Case, next_running_due()).join(unread, unread.c.case_id == Case.id).where(*at.open_own)


def _unread_chats(rows, add, at: _At) -> None:
    """Open conversations (chats) they started or handle with messages they have not seen (read markers)."""
    for case, due_at in rows:
        add(case, "unread_message", due_at)


def _announcements(rows, add, at: _At) -> None:
    """Announcements for them (services/announcements.py) not yet read, or not acknowledged when asked."""
    for announcement, was_read in rows:
        add(announcement, "announcement", None).waiting_for = "ack" if was_read else "read"


_QUERIES = {_as_requester: _requester_query, _as_approver: _approver_query, _as_owner: _owner_query,
            _bookings: _bookings_query, _unclaimed: _unclaimed_query, _escalated_to: _escalated_to_query,
            _team_overdue: _team_overdue_query, _desk_escalations: _desk_escalations_query,
            _unread_chats: _unread_chats_query}


def sources_for(person: User) -> list:
    """Which sources apply to this person: everyone is a requester and may be someone's superior, and reads
    the announcements meant for them."""
    sources = [_as_requester, _as_approver, _unread_chats, _announcements]
    if on_desk(person):
        sources += [_as_owner, _bookings, _unclaimed]
    if person.role in LEAD_ROLES:
        sources += [_escalated_to, _team_overdue]
    if is_desk_head(person):
        sources.append(_desk_escalations)
    return sources


def _order_key(item: InboxItem) -> tuple:
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return item.urgency, clock.as_utc(item.due_at) if item.due_at else far, clock.as_utc(item.created_at), item.key


def _reminders(person: User) -> list[InboxItem]:
    """Personnel reminders (KGB, promotion, pension …) still ahead and not acted on: services.reminders."""
    return [InboxItem(None, "reminder", dt.datetime.combine(row.event_on, dt.time(0), WIB), reminder=row)
            for row in reminders.open_reminders(person)]


def inbox_for(person: User) -> list[InboxItem]:
    """What waits on `person` now, most urgent first (by reason, then the nearest deadline, then the oldest)."""
    cached = g.get("inbox") if has_request_context() else None
    if cached is not None and cached[0] == person.id:
        return cached[1]
    items: dict[tuple[str, int], InboxItem] = {}

    def add(subject: Case | Announcement, reason: str, due_at: dt.datetime | None) -> InboxItem:
        key = ("case", subject.id) if isinstance(subject, Case) else ("announcement", subject.id)
        item = items.get(key)
        if item is None:
            item = items[key] = (InboxItem(subject, reason, due_at) if isinstance(subject, Case)
                                 else InboxItem(None, reason, due_at, announcement=subject))
            return item
        if reason in (item.reason, *item.also):
            return item
        if REASONS[reason][1] < item.urgency:
            item.also.insert(0, item.reason)
            item.reason = reason
        else:
            item.also.append(reason)
        item.due_at = item.due_at or due_at
        return item

    now = clock.now()
    at = _At(now, _midnight_after(now), (), ())
    params = _params(person, now)
    for source, statement in _statements(person).sources:
        source(db.session.execute(statement, params).unique().all(), add, at)
    _load_people(person, [item.case for item in items.values() if item.case is not None])
    ordered = sorted([*items.values(), *_reminders(person)], key=_order_key)
    if has_request_context():
        g.inbox = (person.id, ordered)
    return ordered


def _load_people(reader: User, cases: list[Case]) -> None:
    """Everyone the inbox's cases name but the reader, in one statement for all its sources: the sources read
    their cases without joining three users each (_WITHOUT_PEOPLE)."""
    named = {pid for case in cases for rel in _PEOPLE if (pid := getattr(case, f"{rel}_id")) is not None}
    people = {reader.id: reader}
    if others := sorted(named - set(people)):
        people.update((user.id, user) for user in db.session.scalars(select(User).where(User.id.in_(others))))
    for case in cases:  # set as loaded, so that reading them asks nothing more
        for rel in _PEOPLE:
            set_committed_value(case, rel, people.get(getattr(case, f"{rel}_id")))


def count_for(person: User) -> int:
    """The header's count, len(inbox_for(person)) without reading the inbox: one COUNT over the union of the
    case sources' rows (the same WHERE and the same LIMIT_PER_SOURCE first rows), one over the announcements,
    plus the personnel reminders. The header shows it on every page; the statements are built once per shape
    of person (_statements)."""
    cached = g.get("inbox") if has_request_context() else None
    if cached is not None and cached[0] == person.id:
        return len(cached[1])
    return counted(person)


def counted(person: User) -> int:
    """count_for without the request's inbox (tests hold the two equal)."""
    params = _params(person, clock.now())
    cases_and_announcements = sum(db.session.scalar(count, params) or 0 for count in _statements(person).counts)
    return int(cases_and_announcements) + len(_reminders(person))


def _params(person: User, now: dt.datetime) -> dict:
    return {"inbox_person": person.id, "inbox_now": now, "inbox_today_ends": _midnight_after(now)}


@dataclass(frozen=True)
class _Statements:
    """A person's inbox: each source's statement (its first LIMIT_PER_SOURCE rows), and their counts."""

    sources: tuple[tuple[Any, Select], ...]
    counts: tuple[Select, ...]


# A Case joins its requester, owner and other party by default (models.cases); on PostgreSQL those three joins
# doubled the time to plan a source, which is planned anew on every page and costs more than it runs.
_PEOPLE = ("requester", "owner", "other_party")  # each with its `<name>_id` column
_WITHOUT_PEOPLE = tuple(lazyload(getattr(Case, rel)) for rel in _PEOPLE)

_SHAPES_KEPT = 200  # a bound, not an expected case: an office has a few dozen shapes


def _statements(person: User) -> _Statements:
    """The person's statements, built on first use for everyone of the same shape and kept on the app:
    building them was most of an inbox's cost (some thousand SQL expression objects a request), and a kept
    statement is also compiled only once and keeps its cache key. Two parts, each with its own shape: the
    case sources (about 0.5 MB) depend on the person's role, whether they head the desk and whether they lead
    anyone (what decides their sources and visible_cases); the announcements (small) on their role, unit,
    grade and account."""
    built = current_app.extensions.setdefault("inbox_statements", {})
    leads = leads_anyone(person.id)
    cases_key = ("cases", person.role, is_desk_head(person), leads)
    announcements_key = ("announcements", person.role, person.unit, person.grade, person.is_active_account)
    for key, build in ((cases_key, lambda: _build_cases(person, leads)),
                       (announcements_key, lambda: _build_announcements(person))):
        if key not in built:
            if len(built) >= _SHAPES_KEPT:
                built.clear()
            built[key] = build()
    cases, waiting = built[cases_key], built[announcements_key]
    return _Statements((*cases.sources, *waiting.sources), (*cases.counts, *waiting.counts))


def _stand_in(person: User) -> User:
    """Everyone of this person's shape, for building statements: its id is the bound parameter. Never added to
    the session."""
    return User(id=bindparam("inbox_person", type_=Integer), role=person.role, unit=person.unit,
                grade=person.grade, is_active_account=person.is_active_account,
                nip=person.nip if is_desk_head(person) else "-")  # no NIP matches "-"


def _build_cases(person: User, leads: bool) -> _Statements:
    stand_in = _stand_in(person)
    at = _At(bindparam("inbox_now", type_=UTCDateTime), bindparam("inbox_today_ends", type_=UTCDateTime),
             _open_visible(stand_in, leads), _open_own(stand_in), leads)
    # A source's first LIMIT_PER_SOURCE rows, by case id after its own order: the same rows for the inbox and
    # for its count, whatever the database would pick among equals.
    sources = tuple((source, _QUERIES[source](stand_in, at).options(*_WITHOUT_PEOPLE).order_by(Case.id)
                     .limit(LIMIT_PER_SOURCE))
                    for source in sources_for(person) if source is not _announcements)
    firsts = [statement.with_only_columns(Case.id.label("id")).subquery() for _, statement in sources]
    cases = union(*(select(first.c.id) for first in firsts)).subquery()
    return _Statements(sources, (select(func.count()).select_from(cases),))


def _build_announcements(person: User) -> _Statements:
    waiting = announcements.waiting_query(_stand_in(person)).limit(LIMIT_PER_SOURCE)
    return _Statements(((_announcements, waiting),), (select(func.count()).select_from(waiting.subquery()),))


def reasons_of(items: Iterable[InboxItem]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.reason] = counts.get(item.reason, 0) + 1
    return counts
