"""Conversations (ChatCanal): the messages of a case as a thread, read live, with per-person read markers.

A message's `id` is its number in the viewer's timeline (the same number as in the case's `events`), never
the global row id. Live readers (the SSE stream, long-polling clients) ask `latest_event_id` — one indexed
query for a number — at a short interval, and load the case's messages only when it has moved; between two
looks they hold no database connection (`release`).
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, bindparam, func, or_, select

from .. import clock
from ..extensions import db
from ..models import Case, CaseEvent, CaseReadMarker, User
from ..workflows import REGISTRY, case_types_where
from . import cases as case_service
from . import documents
from .access import Actor, acts_for_desk, visible_cases
from .db import unit_of_work
from .declared_sql import one_of_declared
from .errors import InvalidInput

MESSAGE_KINDS = ("message", "auto_reply", "document")


def conversation_types() -> list[str]:
    return case_types_where(lambda wf: wf.conversation)


def is_conversation(case: Case) -> bool:
    return REGISTRY[case.case_type].conversation


def _numbered(case: Case, viewer: Actor) -> list[tuple[int, CaseEvent]]:
    desk = acts_for_desk(case, viewer)
    visible = [e for e in case.events if desk or not e.is_internal]
    return list(enumerate(visible, start=1))


def message_dict(case: Case, number: int, event: CaseEvent) -> dict[str, Any]:
    from ..timefmt import iso_wib

    item: dict[str, Any] = {
        "id": number, "at": iso_wib(event.at), "kind": event.kind,
        "actor": {"name": event.actor_label, "nip": event.actor.nip if event.actor else None},
        "body": event.comment,
    }
    if event.kind == "document":
        position = next((n for n, d in enumerate(case.documents, start=1) if d.original_name == event.comment), None)
        item["body"] = f"Lampiran: {event.comment}"
        item["document"] = {"name": event.comment,
                            "url": f"/kasus/{case.id}/dokumen/{position}" if position else None}
    return item


def messages(case: Case, viewer: Actor, after: int = 0) -> list[tuple[int, CaseEvent]]:
    """The viewer's messages of the case numbered after `after`."""
    return [(n, e) for n, e in _numbered(case, viewer) if n > after and e.kind in MESSAGE_KINDS]


def last_number(case: Case, viewer: Actor) -> int:
    numbered = _numbered(case, viewer)
    return numbered[-1][0] if numbered else 0


def latest_event_id(case_id: int) -> int:
    return int(db.session.scalar(select(func.max(CaseEvent.id)).where(CaseEvent.case_id == case_id)) or 0)


def release() -> None:
    """End the session's transaction and give its connection back to the pool (between two looks)."""
    db.session.remove()


def parse_after(value: Any) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(str(value))
    except ValueError:
        number = -1
    if not 0 <= number <= 10**9:
        raise InvalidInput("Parameter 'after' tidak valid.", {"after": ["Berupa nomor pesan (bilangan ≥ 0)."]})
    return number


# -- writing -----------------------------------------------------------------------------------------------

def send_message(case_id: int, actor: User, body: str, upload: documents.CheckedUpload | None = None) -> Case:
    """One message, with an attachment or without (then the text is required): one unit of work."""
    body = (body or "").strip()
    with unit_of_work():
        if body or upload is None:
            case_service.add_message(case_id, actor, body)
        if upload is not None:
            case_service.upload_documents(case_id, actor, [upload])
        case = case_service.get_case(case_id, actor)
        db.session.flush()  # the new events' ids, for the read marker
        _mark_read(case, actor)
    return case


def _mark_read(case: Case, user: User) -> None:
    last = max((e.id for e in case.events if e.id is not None), default=0)
    marker = db.session.get(CaseReadMarker, (case.id, user.id))
    if marker is None:
        db.session.add(CaseReadMarker(case_id=case.id, user_id=user.id, last_event_id=last))
    elif marker.last_event_id < last:
        marker.last_event_id = last


def mark_read(case_id: int, user: User) -> None:
    """The person has seen the conversation up to its latest event (the page or a poll showed it)."""
    if not isinstance(user, User):
        return
    with unit_of_work():
        _mark_read(case_service.get_case(case_id, user), user)


# -- what waits ---------------------------------------------------------------------------------------------

def unread_events(user: User):
    return _unread_events(user.id)


def _unread_events(user_id: Any):
    """Per open chat the person started or handles: how many messages by others came after their read marker.
    `user_id`: a value, or a bound parameter (unread_total's kept statement)."""
    marker = select(CaseReadMarker.last_event_id).where(
        CaseReadMarker.case_id == Case.id, CaseReadMarker.user_id == user_id).scalar_subquery()
    return (
        select(CaseEvent.case_id, func.count().label("n"))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(one_of_declared(Case.case_type, conversation_types()), Case.closed_at.is_(None),
               or_(Case.requester_id == user_id, Case.owner_id == user_id),
               one_of_declared(CaseEvent.kind, MESSAGE_KINDS), CaseEvent.is_internal.is_(False),
               or_(CaseEvent.actor_id.is_(None), CaseEvent.actor_id != user_id),
               CaseEvent.id > func.coalesce(marker, 0))
        .group_by(CaseEvent.case_id)
    )


def unread_counts(user: User) -> dict[int, int]:
    """Case id → messages the person has not seen, in the open chats they started or handle: one query."""
    return {case_id: n for case_id, n in db.session.execute(unread_events(user)).tuples()}


def unread_total(user: User) -> int:
    """The header's chat count, on every page: one statement, built once (the person is a bound parameter)."""
    return int(db.session.scalar(_unread_total_statement(), {"unread_reader": user.id}) or 0)


@functools.cache
def _unread_total_statement():
    sub = _unread_events(bindparam("unread_reader", type_=Integer)).subquery()
    return select(func.coalesce(func.sum(sub.c.n), 0))


@dataclass(frozen=True)
class ChatRow:
    case: Case
    waiting_since: dt.datetime
    unread: int

    @property
    def waiting_minutes(self) -> int:
        return max(0, int((clock.now() - self.waiting_since).total_seconds() // 60))


def my_chats(user: User, limit: int = 50) -> list[ChatRow]:
    """The chats the person started or handles, open first, newest first; with unread counts (two queries)."""
    rows = db.session.scalars(
        select(Case).where(one_of_declared(Case.case_type, conversation_types()),
                           or_(Case.requester_id == user.id, Case.owner_id == user.id))
        .order_by(Case.closed_at.is_not(None), Case.updated_at.desc()).limit(limit)).unique().all()
    unread = unread_counts(user)
    return [ChatRow(c, c.created_at, unread.get(c.id, 0)) for c in rows]


def waiting_chats(user: User, limit: int = 100) -> list[ChatRow]:
    """For the desk: chats nobody has taken yet, longest waiting first (one query)."""
    rows = db.session.scalars(
        select(Case).where(one_of_declared(Case.case_type, conversation_types()), Case.owner_id.is_(None),
                           Case.closed_at.is_(None), visible_cases(user),
                           and_(func.coalesce(Case.requester_id, 0) != user.id))
        .order_by(Case.created_at).limit(limit)).unique().all()
    return [ChatRow(c, c.created_at, 0) for c in rows]
