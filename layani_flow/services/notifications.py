"""Who hears of what happens on a case, by email through the outbox (flush only, inside the caller's
unit of work). An anonymous filer has no address and gets no email; they read the tracking page."""
from __future__ import annotations

import datetime as dt

from flask import current_app

from .. import clock
from ..extensions import db
from ..models import Case, CaseDocument, CaseEvent, User
from ..timefmt import human_wib
from ..workflows import REGISTRY
from ..workflows.clocks import FIRST_RESPONSE, RESOLUTION
from ..working_time import due
from . import anonymity, feedback, outbox, sla, timeline
from .access import acts_for_desk
from .calendar import load_calendar


def _send(user: User | None, case: Case, headline: str, comment: str = "", *, actor=None,
          held: tuple[dt.datetime, dt.datetime] | None = None) -> None:
    """`held`: the email's (created_at, send after) when its arrival must say no more than the timeline does."""
    if user is None or not user.is_active or (actor is not None and getattr(actor, "id", None) == user.id):
        return
    resolution = sla.current_cycle(case, RESOLUTION)
    context = {
        "recipient_name": user.name, "headline": headline, "comment": comment,
        "state_label": REGISTRY[case.case_type].states[case.state],
        "due_text": human_wib(resolution.due_at) if resolution is not None and resolution.stopped_at is None else "",
        "feedback_url": feedback.link_for(case, user), "feedback_question": feedback.QUESTION,
    }
    created_at, send_after = held or (None, None)
    outbox.post(to=user.email, template="case_update", case=case, context=context, created_at=created_at,
                send_after=send_after)


def answer_due_at(case: Case, now: dt.datetime) -> dt.datetime:
    """When a message sent now can expect an answer: the running first-response deadline, else the
    configured reply target in working time."""
    first = sla.current_cycle(case, FIRST_RESPONSE)
    if first is not None and first.is_running and first.due_at > now:  # a deadline already missed is no promise
        return first.due_at
    return due(load_calendar(), now, current_app.config["REPLY_TARGET"])


def _auto_reply(case: Case, event: CaseEvent) -> None:
    """A message from the filer out of office hours is answered at once with when to expect a reply."""
    if load_calendar().is_working(event.at):
        return
    answer_by = answer_due_at(case, event.at)
    text = (f"Pesan Anda diterima di luar jam kerja. Petugas akan menanggapi paling lambat "
            f"{human_wib(answer_by)}.")
    timeline.append_event(case, timeline.SYSTEM, "auto_reply", at=event.at, comment=text,
                          data={"answer_due_at": answer_by.isoformat()})
    if case.requester is not None:
        _send(case.requester, case, "Pesan Anda sudah kami terima", text)


def _auto_replied_since_desk(case: Case) -> bool:
    """An automatic reply already stands since the desk last wrote: the promise it made still holds."""
    for e in reversed(case.events):
        if e.kind == "auto_reply":
            return True
        if e.kind == "message" and e.actor_id is not None and e.actor_id != case.requester_id:
            return False
    return False


def _owner(case: Case) -> User | None:
    # owner_id may have just changed in this unit of work; the relationship attribute lags behind it.
    return db.session.get(User, case.owner_id) if case.owner_id else None


def _person(case: Case, relation: str) -> User | None:
    """Who holds `relation` (a Step.notify recipient) on the case; the mediator is its owner."""
    if relation == "requester":
        return case.requester
    if relation == "other_party":
        return case.other_party
    return _owner(case)  # "owner", or what the workflow calls its owner ("mediator")


def observe(case: Case, event: CaseEvent, actor) -> None:
    from_desk = acts_for_desk(case, actor)
    workflow = REGISTRY[case.case_type]
    if event.kind == "created" and case.requester is not None and workflow.booking is None:
        # A receipt the filer can keep, with the case number and the target date (a booking's own
        # confirmation, with its invitation, is services.consultations').
        _send(case.requester, case, "Kasus Anda sudah kami terima")
    elif event.kind == "transition":
        # Whom the step tells, with what headline, is declared with the step (Step.notify).
        state = workflow.states[event.moved()[1]]
        for relation, headline in workflow.by_trigger[event.trigger or ""].notify:
            _send(_person(case, relation), case, headline.format(state=state), event.comment, actor=actor)
    elif event.kind == "assignment":
        _send(_owner(case), case, "Kasus ditugaskan kepada Anda", event.comment, actor=actor)
    elif event.kind == "message" and workflow.conversation:
        # A live conversation (a chat) is read on its page, with unread counts: no email per message; the
        # requester's out-of-hours message is answered once per stretch of closed hours.
        if not from_desk and getattr(actor, "id", None) == case.requester_id and not _auto_replied_since_desk(case):
            _auto_reply(case, event)
    elif event.kind == "message" and from_desk:
        _send(case.requester, case, "Pesan baru dari petugas layanan", event.comment, actor=actor)
    elif event.kind == "message" and (actor is None or getattr(actor, "id", None) == case.requester_id
                                      or getattr(actor, "id", "x") is None):
        # An anonymous filer's email to the officer is a timestamp too: held until the end of the window they
        # wrote in, it tells the officer no more than the coarse time on the timeline does.
        held = (event.at, anonymity.window_end(clock.now())) if case.is_anonymous else None
        _send(_owner(case), case, "Pesan baru dari pemohon", event.comment, actor=actor, held=held)
        _auto_reply(case, event)




def documents_rejected(case: Case, actor, rejected: list[CaseDocument]) -> None:
    """One email to the requester per review round, naming each rejected document and why, so they can
    replace it without opening the case first. (An anonymous filer has no address: the tracking page says it.)"""
    lines = [f"- {doc.original_name}: {doc.review_note}" for doc in rejected]
    headline = "Dokumen Anda ditolak" if len(rejected) == 1 else f"{len(rejected)} dokumen Anda ditolak"
    _send(case.requester, case, headline,
          "Unggah dokumen pengganti pada halaman kasus.\n" + "\n".join(lines), actor=actor)
