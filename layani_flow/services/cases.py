"""Case operations. Each public function is one unit of work: it commits, or changes nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select

from .. import catalogue, clock
from ..extensions import db
from ..models import Case, CaseDocument, CaseEvent, User
from ..models.cases import REF_ALPHABET
from ..roles import DESK_ROLES, Role
from ..workflows import REGISTRY, Step, Workflow
from . import anonymity, documents
from .access import (  # noqa: F401  (re-exported for the views: TrackedFiler, the party rule)
    DESK_TYPES,
    PARTY_MESSAGE,
    Actor,
    TrackedFiler,
    acts_for_desk,
    can_view,
    forbidden,
    is_desk_head,
    is_party,
    on_desk,
    party_on_desk,
    subordinate_ids_query,
    tags_for,
    visible_cases,
)
from .db import unit_of_work
from .errors import (
    CASE_NOT_FOUND,
    STALE_MESSAGE,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    StaleCase,
    TransitionNotAllowed,
)
from .timeline import ANONYMOUS_LABEL, append_event, instant_for, recorded_actor  # noqa: F401 (the label: views)
from .users import active_user_by_nip, find_by_nip

logger = logging.getLogger(__name__)

TRACKING_ALPHABET = REF_ALPHABET  # no 0/O, 1/I/L: read aloud over the phone
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class OpenedCase:
    case: Case
    tracking_code: str | None = None  # shown once to an anonymous filer; only its hash is kept


# -- helpers (flush only) ------------------------------------------------------------------------

def hash_code(code: str) -> str:
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


def new_tracking_code() -> str:
    raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def _visible_case(case_id: int, actor: Actor | None, *, for_update: bool = False) -> Case:
    # Anonymous complaints have negative ids; a number beyond 64 bits cannot be bound as a database integer.
    if not -MAX_ID <= case_id <= MAX_ID or case_id == 0:
        raise NotFound(CASE_NOT_FOUND)
    query = select(Case).where(Case.id == case_id)
    if for_update and db.engine.dialect.name == "postgresql":
        query = query.with_for_update(of=Case)
    case = db.session.scalars(query).unique().one_or_none()
    if case is None or not can_view(case, actor):
        raise NotFound(CASE_NOT_FOUND)
    return case


def _check_version(case: Case, version: Any) -> None:
    try:
        if isinstance(version, bool) or (isinstance(version, float) and not version.is_integer()):
            raise ValueError(version)
        current = int(version)  # OverflowError: an infinite float from JSON
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput("Versi kasus tidak valid.", {"version": ["Versi harus berupa angka."]}) from None
    if current != case.version:
        raise StaleCase(STALE_MESSAGE)


def _store_uploads(case: Case, actor: Actor | None, uploads: list[documents.CheckedUpload],
                   written: list[str], *, at: dt.datetime | None = None) -> None:
    for upload in uploads:
        stored = documents.write(upload)
        written.append(stored)
        uploaded_at = at or instant_for(case, actor)
        doc = CaseDocument(
            case=case, requirement=upload.requirement, original_name=upload.original_name,
            stored_name=stored, content_type=upload.content_type, size_bytes=len(upload.content),
            sha256=upload.sha256, uploaded_by_id=recorded_actor(actor)[0],
            uploaded_at=uploaded_at,
        )
        db.session.add(doc)
        append_event(case, actor, "document", at=uploaded_at, comment=upload.original_name,
                      data={"requirement": upload.requirement})


class _UploadGuard:
    """Removes files written inside a unit of work that then failed."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def __enter__(self) -> list[str]:
        return self.written

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            documents.remove(self.written)


# -- opening ---------------------------------------------------------------------------------------

def _intake_details(case_type: str, data: dict[str, Any], requester: User | None, *,
                    anonymous: bool = False) -> dict[str, Any]:
    """What the database must confirm about an intake: the people it names."""
    details: dict[str, Any] = {}
    if anonymous and data.get("reported_nip"):
        # Whoever files anonymously may be nobody at all: the answer must not tell them whether a NIP
        # belongs to someone. A well-formed NIP is accepted either way; it stays in the case's fields for
        # the desk, and the case is tied to the person only when there is one (so they never read it).
        reported = find_by_nip(data["reported_nip"])
        return {"other_party_id": reported.id} if reported is not None else {}
    if case_type == "mediation":
        other = active_user_by_nip(data.get("other_party_nip"), "other_party_nip")
        if requester is not None and other.id == requester.id:
            raise InvalidInput("Pihak lain tidak valid.", {"other_party_nip": ["Anda tidak dapat menjadi pihak lain."]})
        details["other_party_id"] = other.id
    if case_type == "complaint" and data.get("reported_nip"):
        reported = active_user_by_nip(data["reported_nip"], "reported_nip")
        if requester is not None and reported.id == requester.id:  # the CHECK parties_differ would refuse it
            raise InvalidInput("Pihak yang diadukan tidak valid.",
                               {"reported_nip": ["Anda tidak dapat mengadukan diri sendiri."]})
        details["other_party_id"] = reported.id
    return details


def _title_for(case_type: str, data: dict[str, Any]) -> str:
    if case_type == "service_request":
        return catalogue.SERVICES[data["service"]].name
    return (data.get("subject") or "").strip()[:200]


def open_case(case_type: str, data: dict[str, Any], actor: User | None, *,
              anonymous: bool = False, uploads: list[documents.CheckedUpload] | None = None) -> OpenedCase:
    """File a case from validated form data. An anonymous complaint keeps no trace of who filed it."""
    workflow = REGISTRY[case_type]
    if anonymous and case_type != "complaint":
        raise InvalidInput("Hanya pengaduan yang dapat dikirim tanpa identitas.",
                           {"anonymous": ["Pilihan anonim hanya untuk pengaduan."]})
    if actor is None and not anonymous:
        raise Forbidden("Silakan masuk terlebih dahulu.")
    requester = None if anonymous else actor
    filer = None if anonymous else actor  # who the timeline names
    # An anonymous complaint's id and instants must not place it among its filer's named actions.
    now = anonymity.filer_instant(clock.now()) if anonymous else clock.now()
    with _UploadGuard() as written, unit_of_work(keep_loaded=True):  # the guard sees a failed commit too
        details = _intake_details(case_type, data, requester, anonymous=anonymous)
        tracking_code = new_tracking_code() if anonymous else None
        fields = {k: v for k, v in data.items() if k not in ("anonymous", "service", "subject")}
        case = Case(
            id=anonymity.new_case_id() if anonymous else None,
            case_type=case_type, service=data.get("service"), title=_title_for(case_type, data),
            state=_entry_state(workflow, data, requester), fields=fields,
            requester_id=requester.id if requester else None, is_anonymous=anonymous,
            tracking_code_hash=hash_code(tracking_code) if tracking_code else None,
            created_at=now, updated_at=now, requester=requester, events=[], documents=[], clocks=[],
            **details,
        )
        db.session.add(case)  # inserted once, with its clocks and deadline, by the first flush
        append_event(case, filer, "created", at=now, to_state=case.state)
        _store_uploads(case, filer, uploads or [], written, at=now)
    if anonymous:
        logger.info("Case %s opened anonymously", case.ref)
    else:
        logger.info("Case %s opened by user %s", case.ref, actor.id)
    return OpenedCase(case, tracking_code)


def _entry_state(workflow: Workflow, data: dict[str, Any], requester: User | None) -> str:
    service = catalogue.SERVICES.get(data.get("service") or "")
    if service and service.needs_superior and requester is not None and requester.superior_id is not None:
        return "awaiting_superior"
    return workflow.initial


# -- transitions -----------------------------------------------------------------------------------

def _effect_take_if_unowned(case: Case, actor: Actor, fields: dict) -> dict:
    if case.owner_id is None:
        case.owner_id = actor.id
        return {"owner": actor.name}
    return {}


def _effect_set_mediator(case: Case, actor: Actor, fields: dict) -> dict:
    case.owner_id = fields["mediator_id"]
    return {"mediator": fields["mediator_name"]}


def _effect_involve_other_party(case: Case, actor: Actor, fields: dict) -> dict:
    case.is_other_party_involved = True
    return {}


def _effect_forward(case: Case, actor: Actor, fields: dict) -> dict:
    case.external_body = fields["external_body"]
    return {"external_body": case.external_body}


def _effect_external_returned(case: Case, actor: Actor, fields: dict) -> dict:
    body, case.external_body = case.external_body, None
    return {"external_body": body}


def _effect_answered(case: Case, actor: Actor, fields: dict) -> dict:
    case.answered_at = clock.now()
    return {}


def _effect_reopened(case: Case, actor: Actor, fields: dict) -> dict:
    case.answered_at = None
    return {}


# What a trigger changes on the case besides its state, by trigger name (the same in every workflow).
EFFECTS: dict[str, Callable[[Case, Actor, dict], dict]] = {
    "start_verification": _effect_take_if_unowned,
    "triage": _effect_take_if_unowned,
    "assign_mediator": _effect_set_mediator,
    "bring_in_other_party": _effect_involve_other_party,
    "forward": _effect_forward,
    "external_returned": _effect_external_returned,
    "answer": _effect_answered,
    "reopen": _effect_reopened,
}


def _resolve_trigger_fields(case: Case, step: Step, fields: dict[str, Any]) -> dict[str, Any]:
    """Turn a trigger form's fields into what guards and effects need (NIPs into people)."""
    resolved = dict(fields)
    if step.trigger == "assign_mediator":
        mediator = active_user_by_nip(fields.get("mediator_nip"), "mediator_nip")
        if mediator.role not in DESK_ROLES:
            raise InvalidInput("Mediator tidak valid.",
                               {"mediator_nip": ["Mediator harus petugas layanan atau atasan."]})
        resolved.update(mediator_id=mediator.id, mediator_name=mediator.name)
    if step.trigger == "forward":
        allowed = {key for key, _ in catalogue.EXTERNAL_BODIES}
        if fields.get("external_body") not in allowed:
            raise InvalidInput("Instansi tujuan tidak valid.", {"external_body": ["Pilih instansi tujuan."]})
    return resolved


def transition_case(case_id: int, trigger: str, actor: Actor, version: Any, comment: str = "",
                    fields: dict[str, Any] | None = None) -> Case:
    with unit_of_work():
        case = _visible_case(case_id, actor, for_update=True)
        workflow = REGISTRY[case.case_type]
        step = workflow.by_trigger.get(trigger)
        if step is None:
            raise TransitionNotAllowed(f"Tindakan '{trigger}' tidak dikenal untuk jenis kasus ini.")
        tags = tags_for(case, actor)
        if not workflow.may_fire(trigger, tags):
            raise forbidden(case, actor, step.who,
                            f"Anda tidak berwenang melakukan tindakan \"{step.label}\" pada kasus ini.")
        _check_version(case, version)
        if trigger not in workflow.triggers_from(case.state):
            raise TransitionNotAllowed(
                f"Tindakan \"{step.label}\" tidak dapat dilakukan saat kasus berstatus "
                f"\"{workflow.states[case.state]}\"."
            )
        comment = (comment or "").strip()
        if "comment" in step.needs and not comment:
            raise InvalidInput("Catatan wajib diisi.", {"comment": [f"Tuliskan alasan atau catatan untuk \"{step.label}\"."]})
        resolved = _resolve_trigger_fields(case, step, fields or {})
        now = clock.now()
        ctx = {"actor_id": getattr(actor, "id", None), "tags": tags, "now": now, "fields": resolved,
               "settings": {"complaint_reopen_days": current_app.config["COMPLAINT_REOPEN_DAYS"]}}
        refusal = workflow.refusal(case, trigger, ctx)
        if refusal:
            raise TransitionNotAllowed(" ".join(refusal.reasons))
        from_state = case.state
        if not workflow.fire(case, trigger, **ctx):  # guards re-checked by the machine itself
            raise TransitionNotAllowed("Tindakan ditolak oleh aturan alur kerja.")
        data = EFFECTS.get(trigger, lambda *a: {})(case, actor, resolved)
        stamp = instant_for(case, actor)  # guards judged `now`; what is stored is coarse for an anonymous filer
        if workflow.is_final(case.state):
            case.closed_at = stamp
        case.updated_at = stamp
        append_event(case, actor, "transition", at=stamp, trigger=trigger, from_state=from_state,
                      to_state=case.state, comment=comment, data=data)
    logger.info("Case %s %s→%s by %s", case.ref, from_state, case.state, recorded_actor(actor)[1])
    return case


# -- assignment ------------------------------------------------------------------------------------
# Only the desk hands desk cases around: an officer claims an unclaimed case and passes on one they own;
# the desk head (DESK_HEAD_NIP) may claim or reassign any. A line supervisor who can read a request does
# not handle it, nor does an admin (admins configure the system, they do not work cases). Mediations get
# their mediator through the workflow's "assign_mediator" step instead. Each rule below answers with the
# error to raise, so the page (may_claim, may_assign) offers exactly what the service then allows.

def _handling_refusal(case: Case, actor: Actor | None) -> DomainError | None:
    """What refuses any claim or assignment on this case by this actor, whoever the assignee."""
    if case.case_type not in DESK_TYPES:
        return TransitionNotAllowed("Mediator ditunjuk melalui tindakan \"Tunjuk mediator\".")
    if REGISTRY[case.case_type].is_final(case.state):
        return TransitionNotAllowed("Kasus yang sudah selesai tidak dapat dialihkan.")
    if is_party(case, getattr(actor, "id", None)):
        return Forbidden(PARTY_MESSAGE)
    return None


def claim_refusal(case: Case, actor: Actor | None) -> DomainError | None:
    """Why the actor may not take this case for themselves now; None when they may."""
    refusal = _handling_refusal(case, actor)
    if refusal is not None:
        return refusal
    if not on_desk(actor):
        return Forbidden("Hanya petugas layanan atau kepala layanan kepegawaian yang dapat mengklaim kasus.")
    if case.owner_id == actor.id:
        return TransitionNotAllowed("Kasus ini sudah Anda tangani.")
    if case.owner_id is not None and not is_desk_head(actor):
        return TransitionNotAllowed("Kasus ini sudah ditangani petugas lain.")
    return None


def assign_refusal(case: Case, actor: Actor | None) -> DomainError | None:
    """Why the actor may not hand this case to someone else now; None when they may (to assignable_staff)."""
    refusal = _handling_refusal(case, actor)
    if refusal is not None:
        return refusal
    if isinstance(actor, User) and (is_desk_head(actor) or (actor.role == Role.OFFICER and case.owner_id == actor.id)):
        return None
    return Forbidden("Hanya petugas penanggung jawab atau kepala layanan kepegawaian yang dapat menugaskan kasus ini.")


def assignee_refusal(case: Case, assignee: User) -> InvalidInput | None:
    """Why this person may not be given the case: off the desk, inactive, or a party to it."""
    if not assignee.is_active or not on_desk(assignee):
        return InvalidInput("Petugas tidak valid.", {"assignee_nip": [
            "Hanya petugas layanan atau kepala layanan kepegawaian yang dapat ditugaskan."]})
    if is_party(case, assignee.id):
        return InvalidInput("Petugas tidak valid.", {"assignee_nip": ["Pihak dalam kasus tidak dapat menanganinya."]})
    return None


def may_claim(case: Case, actor: Actor | None) -> bool:
    return claim_refusal(case, actor) is None


def may_assign(case: Case, actor: Actor | None) -> bool:
    return assign_refusal(case, actor) is None


def assignable_staff(case: Case) -> list[User]:
    """Who may be given this case, by name: active officers and the desk head, never a party to it."""
    desk = User.role == Role.OFFICER
    head_nip = current_app.config.get("DESK_HEAD_NIP")
    if head_nip:
        desk = or_(desk, and_(User.role == Role.SUPERVISOR, User.nip == head_nip))
    query = (select(User).where(desk, User.is_active_account, User.id.not_in(sorted(case.party_ids)))
             .order_by(User.name))
    return list(db.session.scalars(query).unique().all())


def claim_case(case_id: int, actor: User, version: Any) -> Case:
    """An officer takes an unclaimed desk case (the desk head: any desk case)."""
    return assign_case(case_id, actor, actor.nip, version)


def assign_case(case_id: int, actor: User, assignee_nip: str, version: Any, comment: str = "") -> Case:
    with unit_of_work():
        case = _visible_case(case_id, actor, for_update=True)
        # The person acting is judged before the person named: someone who may not hand this case around
        # learns that, and not whether a NIP exists.
        self_claim = (assignee_nip or "").strip() == actor.nip
        refusal = claim_refusal(case, actor) if self_claim else assign_refusal(case, actor)
        if refusal is not None:
            raise refusal
        assignee = actor if self_claim else active_user_by_nip(assignee_nip, "assignee_nip")
        refusal = assignee_refusal(case, assignee)
        if refusal is not None:
            raise refusal
        _check_version(case, version)
        if case.owner_id == assignee.id:
            raise TransitionNotAllowed("Kasus ini sudah ditangani oleh petugas tersebut.")
        previous = case.owner.name if case.owner else None
        case.owner_id = assignee.id
        case.updated_at = clock.now()
        append_event(case, actor, "assignment", comment=(comment or "").strip(),
                      data={"from": previous, "to": assignee.name})
    logger.info("Case %s assigned to user %s by user %s", case.ref, assignee.id, actor.id)
    return case


# -- messages and documents ------------------------------------------------------------------------

def upload_refusal(case: Case, actor: Actor | None) -> DomainError | None:
    """Why the actor may not add a document now: only the requester (or anonymous filer) and the owner may,
    while the case is open; a party who is also on the desk adds documents as the requester does."""
    if not tags_for(case, actor) & {"requester", "owner"}:
        return forbidden(case, actor, {"requester", "owner"},
                         "Hanya pemohon atau petugas penanggung jawab yang dapat mengunggah dokumen.")
    if REGISTRY[case.case_type].is_final(case.state):
        return TransitionNotAllowed("Kasus sudah selesai; dokumen tidak dapat ditambahkan.")
    return None


def review_refusal(case: Case, actor: Actor | None) -> DomainError | None:
    """Why the actor may not verify or reject documents now: only the owner does, while the case is open."""
    if "owner" not in tags_for(case, actor):
        return forbidden(case, actor, {"owner"}, "Hanya petugas penanggung jawab yang dapat memverifikasi dokumen.")
    if REGISTRY[case.case_type].is_final(case.state):
        return TransitionNotAllowed("Kasus sudah selesai.")
    return None


def may_upload(case: Case, actor: Actor | None) -> bool:
    return upload_refusal(case, actor) is None


def may_review(case: Case, actor: Actor | None) -> bool:
    return review_refusal(case, actor) is None


def add_message(case_id: int, actor: Actor, body: str, *, internal: bool = False) -> CaseEvent:
    body = (body or "").strip()
    if not body:
        raise InvalidInput("Pesan kosong.", {"body": ["Tuliskan pesan Anda."]})
    if len(body) > 5000:
        raise InvalidInput("Pesan terlalu panjang.", {"body": ["Maksimal 5.000 karakter."]})
    with unit_of_work():
        case = _visible_case(case_id, actor)
        if internal and not acts_for_desk(case, actor):
            raise Forbidden("Catatan internal hanya untuk petugas.")
        event = append_event(case, actor, "note" if internal else "message", comment=body, is_internal=internal)
    return event


def upload_documents(case_id: int, actor: Actor, uploads: list[documents.CheckedUpload]) -> Case:
    """The requester (or anonymous filer) and the owner may add documents while the case is open."""
    with _UploadGuard() as written, unit_of_work():  # the guard sees a failed commit too
        case = _visible_case(case_id, actor)
        refusal = upload_refusal(case, actor)
        if refusal is not None:
            raise refusal
        for upload in uploads:
            if catalogue.document_spec(case.service, upload.requirement) is None:
                raise InvalidInput("Jenis dokumen tidak dikenal.", {"requirement": ["Pilih jenis dokumen dari daftar."]})
        _store_uploads(case, actor, uploads, written)
    return case


REVIEW_DECISIONS = {"verified": "Dokumen diverifikasi", "rejected": "Dokumen ditolak"}


def review_document(case_id: int, number: int, actor: User, decision: str, note: str = "") -> CaseDocument:
    """`number` is the document's place among the case's documents (1, 2, …): global ids would tell the
    desk where a document stands among everyone else's uploads."""
    with unit_of_work():
        case = _visible_case(case_id, actor)
        refusal = review_refusal(case, actor)
        if refusal is not None:
            raise refusal
        if decision not in REVIEW_DECISIONS:
            raise InvalidInput("Keputusan tidak valid.", {"decision": ["Pilih: diverifikasi atau ditolak."]})
        note = (note or "").strip()
        if decision == "rejected" and not note:
            raise InvalidInput("Alasan wajib diisi.", {"note": ["Tuliskan mengapa dokumen ditolak."]})
        doc = document_by_number(case, number)
        if doc is None:
            raise NotFound("Dokumen tidak ditemukan.")
        doc.review_status, doc.review_note = decision, note
        doc.reviewed_by_id, doc.reviewed_at = actor.id, clock.now()
        append_event(case, actor, "document_review", comment=note,
                      data={"document": doc.original_name, "requirement": doc.requirement, "decision": decision})
    return doc


# -- reading ---------------------------------------------------------------------------------------

def get_case(case_id: int, actor: Actor | None) -> Case:
    return _visible_case(case_id, actor)


def document_by_number(case: Case, number: int) -> CaseDocument | None:
    """The case's `number`th document (1-based, in upload order; documents are never removed)."""
    return case.documents[number - 1] if 1 <= number <= len(case.documents) else None


def find_tracked_case(code: str) -> int | None:
    """The id of the anonymous complaint this tracking code opens, if any."""
    return db.session.scalar(select(Case.id).where(Case.tracking_code_hash == hash_code(code or "")))


@dataclass(frozen=True)
class Action:
    """A step the viewer may take now, or could once `blocked_by` is dealt with."""

    trigger: str
    label: str
    needs: frozenset[str]
    tone: str
    blocked_by: tuple[str, ...] = ()


def case_actions(case: Case, actor: Actor | None) -> list[Action]:
    """What this person may do to the case in its current state, with the reasons a guard would refuse."""
    workflow = REGISTRY[case.case_type]
    tags = tags_for(case, actor)
    ctx = {"actor_id": getattr(actor, "id", None), "tags": tags, "now": clock.now(), "fields": {},
           "settings": {"complaint_reopen_days": current_app.config["COMPLAINT_REOPEN_DAYS"]}}
    actions = []
    for step in workflow.available(case, tags):
        # Guards that judge the step's own input (e.g. the chosen mediator) are checked when it is sent.
        refusal = None if "form" in step.needs else workflow.refusal(case, step.trigger, ctx)
        actions.append(Action(step.trigger, step.label, step.needs, step.tone,
                              refusal.reasons if refusal else ()))
    return actions
