"""Informasi in the JSON API: `/api/v1/announcements` (contract.md, "Employees, reminders, announcements")."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, request

from ..extensions import csrf
from ..models import Announcement, AnnouncementEvent
from ..services import announcements
from ..services.errors import DomainError, InvalidInput
from ..timefmt import iso_wib
from .api_v1 import json_body, token_required
from .errors import error_response

bp = Blueprint("announcements_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated, like the rest of /api/v1

PAGE = 50


def event_dict(event: AnnouncementEvent | None) -> dict[str, Any] | None:
    if event is None:
        return None
    return {"id": event.id, "starts_at": iso_wib(event.starts_at), "ends_at": iso_wib(event.ends_at),
            "place": event.place, "meeting_link": event.meeting_link, "capacity": event.capacity,
            "seats_left": event.seats_left}


def announcement_dict(item: Announcement, *, read_at=None, acked_at=None, for_me: bool = False) -> dict[str, Any]:
    return {
        "id": item.id, "title": item.title, "body": item.body, "topic": item.topic, "topic_label": item.topic_label,
        "audience": announcements.audience_of(item).as_dict(), "requires_ack": item.requires_ack,
        "author": {"nip": item.author.nip, "name": item.author.name}, "published_at": iso_wib(item.published_at),
        "for_me": for_me, "read_at": iso_wib(read_at), "acknowledged_at": iso_wib(acked_at),
        "files": [{"number": n, "name": f.original_name, "size": f.size_bytes,
                   "url": f"/informasi/{item.id}/berkas/{n}"} for n, f in enumerate(item.files, 1)],
        "event": event_dict(item.event),
    }


def _mine(item: Announcement) -> dict[str, Any]:
    reading = announcements.reading_of(item, g.api_user)
    return announcement_dict(item, read_at=reading.read_at if reading else None,
                             acked_at=reading.acked_at if reading else None,
                             for_me=announcements.in_audience(item, g.api_user))


@bp.post("/announcements")
@token_required
def publish():
    body = json_body()
    item = announcements.publish(g.api_user, title=body.get("title"), body=body.get("body"),
                                 topic=body.get("topic") or "lainnya", audience=body.get("audience"),
                                 requires_ack=body.get("requires_ack", False), event=body.get("event"))
    return jsonify(_mine(item)), 201


@bp.get("/announcements")
@token_required
def list_announcements():
    topic = announcements.check_topic(request.args.get("topic"))
    q = announcements.check_search(request.args.get("q"))
    try:
        offset = max(0, int(request.args.get("offset") or 0))
    except ValueError:
        raise InvalidInput("offset tidak valid.", {"offset": ["Harus bilangan bulat ≥ 0."]}) from None
    rows, total = announcements.list_for(g.api_user, topic=topic, q=q, limit=PAGE, offset=offset)
    return jsonify({"items": [announcement_dict(r.announcement, read_at=r.read_at, acked_at=r.acked_at,
                                                for_me=r.for_me) for r in rows],
                    "total": total, "next_offset": offset + PAGE if offset + PAGE < total else None})


@bp.get("/announcements/<int:announcement_id>")
@token_required
def get_announcement(announcement_id: int):
    """Reading it through the API counts as reading it, as opening its page does."""
    return jsonify(_mine(announcements.open_announcement(announcement_id, g.api_user)))


@bp.post("/announcements/<int:announcement_id>/ack")
@token_required
def acknowledge(announcement_id: int):
    reading = announcements.acknowledge(announcement_id, g.api_user)
    return jsonify({"id": announcement_id, "read_at": iso_wib(reading.read_at),
                    "acknowledged_at": iso_wib(reading.acked_at)})


@bp.get("/announcements/<int:announcement_id>/readers")
@token_required
def readers(announcement_id: int):
    found = announcements.readers(announcement_id, g.api_user)
    return jsonify({
        "requires_ack": found.announcement.requires_ack,
        "acknowledged": [{"nip": r.person.nip, "name": r.person.name, "at": iso_wib(r.acked_at)}
                         for r in found.acknowledged],
        "read": [{"nip": r.person.nip, "name": r.person.name, "at": iso_wib(r.read_at)} for r in found.read],
        "pending": [{"nip": r.person.nip, "name": r.person.name} for r in found.pending],
    })


@bp.post("/announcements/<int:announcement_id>/remind")
@token_required
def remind(announcement_id: int):
    sent = announcements.remind_pending(announcement_id, g.api_user)
    return jsonify({"reminded": sent})


@bp.errorhandler(DomainError)
def api_domain_error(exc: DomainError):
    return error_response(exc.status, exc.code, exc.message, exc.errors)
