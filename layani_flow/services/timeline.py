"""The one writer of a case's timeline. Whoever causes an event (a person on a page, through the API or by
replying to an email, the sweep, an automatic reply), it is appended here, inside the caller's unit of work
(flush only); models.cases refuses to update or delete one.

The timeline drives the rest: an event by a person may start, pause, resume or stop an SLA clock
(services.sla) and may owe someone an email (services.notifications), both written in the same
transaction. The system's own events (the sweep's warnings and escalations, an automatic reply) are
consequences of those, and cause nothing further.

notifications imports this module as well (an automatic reply is an event): the two import each other as
modules, never a name from one another, so either may be loaded first.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from .. import clock
from ..models import Case, CaseEvent
from ..models.cases import SYSTEM_LABEL
from . import anonymity, approval_requests, feedback, filing_rows, notifications, search, sla
from .access import Actor, TrackedFiler

ANONYMOUS_LABEL = "Pelapor anonim"


@dataclass(frozen=True)
class SystemActor:
    """LAYANI itself: what the sweep and the automatic replies write."""

    name: str = SYSTEM_LABEL


SYSTEM: Final = SystemActor()


def recorded_actor(actor: Actor | SystemActor | None) -> tuple[int | None, str]:
    """(actor_id, actor_label) as the timeline stores them. An anonymous filer (None, or whoever holds the
    tracking code) is nobody in particular."""
    if isinstance(actor, SystemActor):
        return None, actor.name
    if actor is None or isinstance(actor, TrackedFiler):
        return None, ANONYMOUS_LABEL
    return actor.id, actor.name


def instant_for(case: Case, actor: Actor | SystemActor | None) -> dt.datetime:
    """When this actor's action on the case is recorded: now, except for an anonymous filer, whose actions
    are timed only coarsely so that they cannot be ordered among the same person's named ones."""
    if isinstance(actor, TrackedFiler) and case.is_anonymous:
        return anonymity.filer_instant(clock.now(), (e.at for e in case.events))
    return clock.now()


def system_event_values(case: Case, kind: str, at: dt.datetime, comment: str, data: dict[str, Any]) -> dict[str, Any]:
    """A system event (SYSTEM's: the sweep's warnings and escalations) as its row's values, for a caller that
    writes many in one statement. Such events cause nothing further, so nothing here reacts to them."""
    return {"case_id": case.id, "at": at, "kind": kind, "actor_id": None, "actor_label": SYSTEM.name,
            "trigger": None, "from_state": None, "to_state": None, "comment": comment, "data": data,
            "is_internal": False}


def append_event(case: Case, actor: Actor | SystemActor | None, kind: str, *, at: dt.datetime | None = None,
                 comment: str = "", data: dict[str, Any] | None = None, trigger: str | None = None,
                 from_state: str | None = None, to_state: str | None = None,
                 is_internal: bool = False) -> CaseEvent:
    """Append one event to the case's timeline, and let the clocks and the notifications react to it."""
    actor_id, actor_label = recorded_actor(actor)
    event = CaseEvent(case=case, at=at or instant_for(case, actor), kind=kind, actor_id=actor_id,
                      actor_label=actor_label, trigger=trigger, from_state=from_state, to_state=to_state,
                      comment=comment, data=data or {}, is_internal=is_internal)
    filing_rows.track(event, case)
    if not isinstance(actor, SystemActor):
        sla.observe(case, event, actor)  # every event may start, pause, resume or stop a clock
        feedback.observe(case, event)  # a case that closes may ask its requester one question
        notifications.observe(case, event, actor)  # and may owe someone an email
        approval_requests.observe(case, event)  # a case now waiting on a superior asks them
        search.observe(case, event)  # and may change the words the case is found by
    return event
