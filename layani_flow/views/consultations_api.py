"""ConsDesk in the JSON API: `/api/v1/consultation-slots` (contract.md). Booking is `POST /api/v1/cases` with
the consultation type and `fields.slot_id`; the booker's `cancel` frees the slot."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, g, jsonify, request

from .. import clock
from ..extensions import csrf
from ..models import ConsultationSlot
from ..services import consultations
from ..services.errors import DomainError, InvalidInput
from ..timefmt import iso_wib
from .api_v1 import json_body, token_required
from .errors import error_response

bp = Blueprint("consultations_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated, like the rest of /api/v1

MAX_RANGE = dt.timedelta(days=92)


def slot_dict(slot: ConsultationSlot) -> dict:
    return {"id": slot.id, "start": iso_wib(slot.start_at), "end": iso_wib(slot.end_at), "mode": slot.mode,
            "location": slot.location, "officer": {"nip": slot.officer.nip, "name": slot.officer.name},
            "available": slot.available}


@bp.post("/consultation-slots")
@token_required
def publish():
    body = json_body()
    slot = consultations.publish_slot(g.api_user, start=body.get("start"), end=body.get("end"),
                                      mode=body.get("mode"), location=body.get("location"))
    return jsonify(slot_dict(slot)), 201


def _instant(name: str, default: dt.datetime) -> dt.datetime:
    text = request.args.get(name)
    if not text:
        return default
    try:
        value = dt.datetime.fromisoformat(text.replace(" ", "+"))  # a '+' in a query string arrives as a space
    except ValueError:
        raise InvalidInput("Waktu tidak valid.", {name: ["Tulis waktu ISO 8601, mis. 2026-12-08T00:00+07:00."]}) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@bp.get("/consultation-slots")
@token_required
def list_slots():
    start = _instant("from", clock.now())
    end = _instant("to", start + dt.timedelta(days=28))
    if end <= start or end - start > MAX_RANGE:
        raise InvalidInput("Rentang waktu tidak valid.", {"to": ["'to' harus setelah 'from', paling jauh 92 hari."]})
    return jsonify({"items": [slot_dict(s) for s in consultations.slots_between(start, end)]})


@bp.errorhandler(DomainError)
def api_domain_error(exc: DomainError):
    return error_response(exc.status, exc.code, exc.message, exc.errors)
