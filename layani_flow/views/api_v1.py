"""The JSON API (/api/v1). Bearer tokens; the same forms and services as the pages."""
from __future__ import annotations

import json
from functools import wraps

from flask import Blueprint, g, jsonify, request

from .. import catalogue
from ..extensions import csrf
from ..forms import JsonShapeError, describe_fields, intake_form_class, trigger_form_class
from ..services import cases as case_service
from ..services import conversations, documents, inbox, listings
from ..services.errors import DomainError, InvalidInput
from ..services.users import user_for_token
from ..workflows import REGISTRY
from . import chat as chat_views
from .cases import step_uploads
from .errors import error_response
from .json_input import MAX_DEPTH, nesting_depth_of_body
from .presenters import case_detail, case_summary, event_dict, inbox_item, numbered_events

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated; browsers never send the bearer token on their own

def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            return error_response(401, "unauthorized", "Token API tidak ada atau tidak berlaku.")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def json_body() -> dict:
    # Measured before parsing: the parser, json.dumps below and later walks of the value all recurse.
    if request.is_json and nesting_depth_of_body(request.get_data(cache=True)) > MAX_DEPTH:
        raise InvalidInput(f"Isi permintaan terlalu bersarang (paling dalam {MAX_DEPTH} tingkat).",
                           {"body": [f"JSON boleh bersarang paling dalam {MAX_DEPTH} tingkat."]})
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("Isi permintaan harus berupa objek JSON.", {"body": ["Kirim objek JSON."]})
    try:  # JSON may escape a lone surrogate ("\ud800"): Python accepts it, the database cannot store it
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("Isi permintaan memuat karakter yang tidak sah.",
                           {"body": ["Teks harus berupa Unicode yang sah (tanpa surrogate tunggal)."]}) from None
    return body


def _validated(form_class, payload, **kwargs):
    try:
        form = form_class.from_json(payload, **kwargs)
    except JsonShapeError as exc:
        raise InvalidInput("Isian tidak valid.", exc.errors) from None
    if not form.validate():
        raise InvalidInput("Isian tidak valid.", form.first_errors())
    return form


@bp.get("/case-types")
@token_required
def case_types():
    items = []
    for key, workflow in REGISTRY.items():
        item = {
            "key": key, "name": workflow.title,
            "fields": describe_fields(intake_form_class(key).from_json({})),
            "states": [{"key": s, "label": label, "final": workflow.is_final(s)} for s, label in workflow.states.items()],
            "transitions": [{"trigger": s.trigger, "label": s.label, "from": list(s.sources), "to": s.dest,
                             "who": sorted(s.who), "needs": sorted(s.needs)} for s in workflow.steps],
        }
        if workflow.per_service:
            item["services"] = [
                {"key": svc.key, "name": svc.name, "summary": svc.summary,
                 "fields": describe_fields(intake_form_class(key, svc.key).from_json({})),
                 "documents": [{"key": d.key, "label": d.label, "required": d.required} for d in svc.documents]}
                for svc in catalogue.SERVICES.values()
            ]
        items.append(item)
    return jsonify({"items": items})


@bp.post("/cases")
@token_required
def create_case():
    body = json_body()
    case_type = body.get("type")
    if not isinstance(case_type, str) or case_type not in REGISTRY:
        raise InvalidInput("Jenis kasus tidak dikenal.",
                           {"type": [f"Pilih salah satu: {', '.join(REGISTRY)}."]})
    fields = body.get("fields") if isinstance(body.get("fields"), dict) else None
    if fields is None:
        raise InvalidInput("Isian kasus tidak ada.", {"fields": ["Kirim objek 'fields'."]})
    service = fields.get("service") if isinstance(fields.get("service"), str) else None
    form = _validated(intake_form_class(case_type, service), fields)
    data = form.payload()
    anonymous = bool(data.get("anonymous"))
    opened = case_service.open_case(case_type, data, g.api_user, anonymous=anonymous)
    if anonymous:
        # The filer's token authenticated the call, but the case knows nothing of them: answer with the
        # tracking code and what any anonymous filer may see.
        body = case_detail(opened.case, case_service.TrackedFiler(opened.case.id))
        body["tracking_code"] = opened.tracking_code
    else:
        body = case_detail(opened.case, g.api_user)
    return jsonify(body), 201


@bp.get("/cases/<int(signed=True):case_id>")
@token_required
def get_case(case_id: int):
    case = case_service.get_case(case_id, g.api_user)
    return jsonify(case_detail(case, g.api_user))


@bp.get("/cases")
@token_required
def list_cases():
    page, after = listings.list_cases(g.api_user, request.args)
    return jsonify({"items": [case_summary(c) for c in page], "next": after})


@bp.get("/inbox")
@token_required
def get_inbox():
    """What waits on the caller now, most urgent first (services.inbox)."""
    return jsonify({"items": [inbox_item(item) for item in inbox.inbox_for(g.api_user)]})


@bp.post("/cases/<int(signed=True):case_id>/transitions")
@token_required
def transition(case_id: int):
    body = _multipart_transition() if request.mimetype == "multipart/form-data" else json_body()
    trigger = body.get("trigger")
    if not isinstance(trigger, str) or not trigger:
        raise InvalidInput("Tindakan tidak disebutkan.", {"trigger": ["Wajib diisi."]})
    case = case_service.get_case(case_id, g.api_user)
    fields = body.get("fields") or {}
    if not isinstance(fields, dict):
        raise InvalidInput("Isian tidak valid.", {"fields": ["Harus berupa objek JSON."]})
    form_class = trigger_form_class(case.case_type, trigger)
    form = _validated(form_class, {**fields, "comment": body.get("comment"), "version": body.get("version")})
    updated = case_service.transition_case(case_id, trigger, g.api_user, body.get("version"),
                                           form.comment.data or "", form.payload(),
                                           uploads=step_uploads(case, trigger))
    return jsonify(case_detail(updated, g.api_user))


def _multipart_transition() -> dict:
    """A transition that carries a file (the output document on "complete"): multipart/form-data with
    `trigger`, `version`, `comment`, the step's other fields as form fields and the file under its input's
    name (e.g. doc_keluaran). The same checks as the JSON body and the page."""
    reserved = ("trigger", "version", "comment")
    form = request.form
    return {"trigger": form.get("trigger"), "version": form.get("version"), "comment": form.get("comment"),
            "fields": {k: v for k, v in form.items() if k not in reserved}}


@bp.post("/cases/<int(signed=True):case_id>/messages")
@token_required
def post_message(case_id: int):
    body = json_body()
    text = body.get("body")
    if not isinstance(text, str):
        raise InvalidInput("Pesan tidak valid.", {"body": ["Tuliskan pesan sebagai teks."]})
    event = case_service.add_message(case_id, g.api_user, text, internal=bool(body.get("internal")))
    number = next(n for n, e in numbered_events(event.case, g.api_user) if e is event)
    return jsonify(event_dict(event, number)), 201


@bp.get("/cases/<int(signed=True):case_id>/messages")
@token_required
def list_messages(case_id: int):
    """The messages after `after` (a message id); `wait` holds the answer up to that many seconds for one."""
    case_service.get_case(case_id, g.api_user)
    after = conversations.parse_after(request.args.get("after"))
    wait = chat_views.parse_wait(request.args.get("wait"))
    return jsonify({"items": chat_views.wait_for_messages(case_id, g.api_user, after, wait)})


@bp.get("/cases/<int(signed=True):case_id>/stream")
@token_required
def stream(case_id: int):
    """Server-sent events: each new message as one `data: <json>` event (views/chat.py)."""
    return chat_views.stream_response(case_id, g.api_user)


@bp.post("/cases/<int(signed=True):case_id>/assign")
@token_required
def assign(case_id: int):
    body = json_body()
    nip = body.get("assignee_nip") or g.api_user.nip
    case = case_service.assign_case(case_id, g.api_user, str(nip), body.get("version"), str(body.get("comment") or ""))
    return jsonify(case_detail(case, g.api_user))


@bp.post("/cases/<int(signed=True):case_id>/documents")
@token_required
def upload(case_id: int):
    requirement = request.form.get("requirement", "")
    file = request.files.get("file")
    if file is None:
        raise InvalidInput("Berkas tidak ada.", {"file": ["Pilih berkas untuk diunggah."]})
    checked = documents.check_upload("file", requirement, file.filename or "", file.read())
    case = case_service.upload_documents(case_id, g.api_user, [checked])
    return jsonify(case_detail(case, g.api_user)), 201


@bp.post("/cases/<int(signed=True):case_id>/documents/review")
@token_required
def review_round(case_id: int):
    """Several documents in one round, as the case page does it: all verdicts saved, or none on any bad one."""
    reviews = case_service.reviews_from_json(json_body().get("reviews"))
    case_service.review_documents(case_id, g.api_user, reviews)
    return jsonify(case_detail(case_service.get_case(case_id, g.api_user), g.api_user))


@bp.post("/cases/<int(signed=True):case_id>/documents/<int:number>/review")
@token_required
def review(case_id: int, number: int):
    """`number` is the document's `id` in the case's detail: its place among the case's documents."""
    body = json_body()
    case_service.review_document(case_id, number, g.api_user, str(body.get("decision") or ""),
                                 str(body.get("note") or ""))
    return jsonify(case_detail(case_service.get_case(case_id, g.api_user), g.api_user))


@bp.errorhandler(DomainError)
def api_domain_error(exc: DomainError):
    return error_response(exc.status, exc.code, exc.message, exc.errors)
