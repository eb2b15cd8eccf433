"""The JSON shapes of the API. An anonymous filer's identity has no field here to leak into."""
from __future__ import annotations

from typing import Any

from ..models import Case, CaseDocument, CaseEvent, User
from ..services.access import Actor
from ..services.cases import case_actions
from ..timefmt import iso_wib
from ..workflows import REGISTRY

DESK_ROLES = ("officer", "supervisor", "admin")


def person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"nip": user.nip, "name": user.name, "unit": user.unit, "position": user.position}


def event_dict(event: CaseEvent) -> dict[str, Any]:
    return {
        "id": event.id, "at": iso_wib(event.at), "kind": event.kind,
        "actor": {"name": event.actor_label, "nip": event.actor.nip if event.actor else None},
        "trigger": event.trigger, "from": event.from_state, "to": event.to_state,
        "comment": event.comment, "data": event.data or {}, "internal": event.is_internal,
    }


def document_dict(case: Case, doc: CaseDocument) -> dict[str, Any]:
    return {
        "id": doc.id, "requirement": doc.requirement, "name": doc.original_name,
        "content_type": doc.content_type, "size": doc.size_bytes, "uploaded_at": iso_wib(doc.uploaded_at),
        "review_status": doc.review_status, "review_note": doc.review_note,
        "url": f"/kasus/{case.id}/dokumen/{doc.id}",
    }


def visible_events(case: Case, viewer: Actor) -> list[CaseEvent]:
    # Internal notes are for the desk; a supervisor who is a party (requester, other side of a mediation) is not.
    desk = getattr(viewer, "role", None) in DESK_ROLES and getattr(viewer, "id", None) not in case.party_ids
    return [e for e in case.events if desk or not e.is_internal]


def case_summary(case: Case) -> dict[str, Any]:
    workflow = REGISTRY[case.case_type]
    return {
        "id": case.id, "ref": case.ref, "type": case.case_type, "service": case.service, "title": case.title,
        "state": case.state, "state_label": workflow.states[case.state], "version": case.version,
        "anonymous": case.is_anonymous, "requester": person(case.requester), "owner": person(case.owner),
        "created_at": iso_wib(case.created_at), "updated_at": iso_wib(case.updated_at),
        "closed_at": iso_wib(case.closed_at),
        "sla": {"due_at": None},
    }


def case_detail(case: Case, viewer: Actor) -> dict[str, Any]:
    actions = case_actions(case, viewer)
    body = case_summary(case)
    body.update(
        fields=case.fields or {},
        external_body=case.external_body,
        other_party=person(case.other_party) if case.case_type == "mediation" else None,
        other_party_involved=case.is_other_party_involved if case.case_type == "mediation" else None,
        events=[event_dict(e) for e in visible_events(case, viewer)],
        documents=[document_dict(case, d) for d in case.documents],
        allowed_triggers=[a.trigger for a in actions if not a.blocked_by],
        actions=[{"trigger": a.trigger, "label": a.label, "needs": sorted(a.needs),
                  "blocked_by": list(a.blocked_by)} for a in actions],
    )
    return body
