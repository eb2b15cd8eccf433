"""Case operations. Each public function is one unit of work: it commits, or changes nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import catalogue, clock
from ..extensions import db
from ..models import Case, CaseDocument, CaseEvent, User
from ..models.cases import REF_ALPHABET
from ..nip import normalize_nip
from ..workflows import REGISTRY, Intake, Step, Workflow
from ..workflows.base import ChoiceInput, FileInput, PersonInput
from . import anonymity, consultations, documents, filing_rows, notifications
from .access import PARTY_MESSAGE, Actor, TrackedFiler, can_view, tags_for  # noqa: F401 (callers use them from here)
from .admin_settings import today_wib
from .capabilities import (
    assign_refusal,
    assignee_refusal,
    claim_refusal,
    internal_note_refusal,
    permission_refusal,
    review_refusal,
    state_refusal,
    step_context,
    upload_refusal,
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
from .timeline import ANONYMOUS_LABEL, append_event, instant_for, recorded_actor  # noqa: F401 (the label: pages)
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
                   written: list[str], *, at: dt.datetime | None = None, issued: bool = False) -> None:
    """`issued`: documents the desk produced (the SK on completion): verified as they are stored, since
    nobody reviews what the desk itself issues."""
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
        if issued:
            doc.review_status, doc.reviewed_by_id, doc.reviewed_at = "verified", recorded_actor(actor)[0], uploaded_at
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

def _other_party_id(workflow: Workflow, data: dict[str, Any], requester: User | None, *,
                    anonymous: bool) -> int | None:
    """The person the intake names as the other party (workflow.other_party), confirmed in the database."""
    other = workflow.other_party
    nip = data.get(other.nip_field) if other is not None else None
    if other is None or not (nip or other.required):
        return None
    if anonymous:
        # Whoever files anonymously may be nobody at all: the answer must not tell them whether a NIP
        # belongs to someone. A well-formed NIP is accepted either way; it stays in the case's fields for
        # the desk, and the case is tied to the person only when there is one (so they never read it).
        found = find_by_nip(nip)
        return found.id if found is not None else None
    person = active_user_by_nip(nip, other.nip_field)
    if requester is not None and person.id == requester.id:  # the CHECK parties_differ would refuse it
        raise InvalidInput(other.invalid, {other.nip_field: [other.not_yourself]})
    return person.id


def _title(workflow: Workflow, data: dict[str, Any]) -> str:
    if workflow.per_service:
        return catalogue.SERVICES[data["service"]].name
    if workflow.first_message_field and not data.get("subject"):  # a chat is called by how it begins
        first = " ".join(str(data.get(workflow.first_message_field) or "").split())
        return first if len(first) <= 80 else first[:79] + "…"
    return (data.get("subject") or data.get("topic") or "").strip()[:200]


def open_case(case_type: str, data: dict[str, Any], actor: User | None, *,
              anonymous: bool = False, uploads: list[documents.CheckedUpload] | None = None,
              for_requester: User | None = None) -> OpenedCase:
    """File a case from validated form data. An anonymous one keeps no trace of who filed it.
    `for_requester`: the desk files it for someone else (a chat turned into a case); `actor` is recorded."""
    workflow = REGISTRY.get(case_type)
    if workflow is None:
        raise InvalidInput("Jenis kasus tidak dikenal.", {"type": [f"Pilih salah satu: {', '.join(REGISTRY)}."]})
    if anonymous and not workflow.anonymous_allowed:
        raise InvalidInput("Hanya pengaduan yang dapat dikirim tanpa identitas.",
                           {"anonymous": ["Pilihan anonim hanya untuk pengaduan."]})
    if actor is None and not anonymous:
        raise Forbidden("Silakan masuk terlebih dahulu.")
    service = catalogue.SERVICES.get(data.get("service") or "") if workflow.per_service else None
    if service is not None and (problems := service.problems(data, today_wib())):
        raise InvalidInput("Isian permohonan tidak valid.", problems)
    requester = None if anonymous else (for_requester or actor)
    filer = None if anonymous else actor  # who the timeline names
    # An anonymous case's id and instants must not place it among its filer's named actions.
    now = anonymity.filer_instant(clock.now()) if anonymous else clock.now()
    with _UploadGuard() as written, unit_of_work(keep_loaded=True):  # the guard sees a failed commit too
        other_party_id = _other_party_id(workflow, data, requester, anonymous=anonymous)
        tracking_code = new_tracking_code() if anonymous else None
        fields = {k: v for k, v in data.items()
                  if k not in ("anonymous", "service", "subject", workflow.first_message_field)}
        intake = Intake(data, requester_has_superior=requester is not None and requester.superior_id is not None)
        case = Case(
            id=anonymity.new_case_id() if anonymous else None,
            case_type=case_type, service=data.get("service"), title=_title(workflow, data),
            state=workflow.first_state(intake), fields=fields,
            requester_id=requester.id if requester else None, is_anonymous=anonymous,
            tracking_code_hash=hash_code(tracking_code) if tracking_code else None,
            created_at=now, updated_at=now, requester=requester, events=[], documents=[], clocks=[],
            other_party_id=other_party_id,
        )
        if workflow.booking is not None:  # filed for a published slot: hold it, or 409
            consultations.book(case, workflow, data, requester, now)
        append_event(case, filer, "created", at=now, to_state=case.state)
        if workflow.first_message_field:  # it begins with a message (the clocks and auto-reply see it)
            append_event(case, filer, "message", at=now, comment=str(data.get(workflow.first_message_field) or ""))
        filing_rows.write(case)  # with its first events and clocks (the first that needed its number wrote them)
        _store_uploads(case, filer, uploads or [], written, at=now)
    if anonymous or actor is None:
        logger.info("Case %s opened anonymously", case.ref)
    else:
        logger.info("Case %s opened by user %s", case.ref, actor.id)
    return OpenedCase(case, tracking_code)


# -- transitions -----------------------------------------------------------------------------------

def _resolved_inputs(step: Step, fields: dict[str, Any]) -> dict[str, Any]:
    """The step's form fields plus what its declared inputs resolve to: the people a NIP names (who must
    hold one of the input's roles), and choices checked against the declared ones."""
    resolved = dict(fields)
    for spec in step.inputs:
        if isinstance(spec, PersonInput):
            found = active_user_by_nip(fields.get(spec.field), spec.field)
            if found.role not in spec.roles:
                raise InvalidInput(spec.invalid, {spec.field: [spec.hint]})
            resolved.update({f"{spec.becomes}_id": found.id, f"{spec.becomes}_name": found.name})
        elif isinstance(spec, ChoiceInput) and fields.get(spec.field) not in spec.choices:
            if spec.optional and not fields.get(spec.field):
                resolved[spec.field] = None
                continue
            raise InvalidInput(spec.invalid, {spec.field: [spec.hint]})
    return resolved


def _step_files(step: Step, uploads: list[documents.CheckedUpload]) -> list[documents.CheckedUpload]:
    """The files the step declares (FileInput), each as the document kind it declares; one it requires and
    does not get is a 422 on its field, and a file it does not declare is refused."""
    declared = {spec.field: spec for spec in step.inputs if isinstance(spec, FileInput)}
    by_field = {u.requirement: u for u in uploads}
    if unknown := set(by_field) - set(declared):
        raise InvalidInput("Berkas tidak diharapkan.", {name: ["Tindakan ini tidak menerima berkas."] for name in unknown})
    kept = []
    for field, spec in declared.items():
        if field in by_field:
            u = by_field[field]
            kept.append(documents.CheckedUpload(spec.requirement, u.original_name, u.content, u.content_type))
        elif spec.required:
            raise InvalidInput("Berkas wajib dilampirkan.", {field: [spec.hint]})
    return kept


def transition_case(case_id: int, trigger: str, actor: Actor, version: Any, comment: str = "",
                    fields: dict[str, Any] | None = None,
                    uploads: list[documents.CheckedUpload] | None = None) -> Case:
    """Fire one step of the case's workflow: who may, from which state, with which inputs and guards come
    from its declaration; so do what it changes (its effect) and whom it tells (notifications). `uploads`
    are the step's declared files (FileInput), keyed by field in `requirement`; stored with the step, as
    documents the desk issued (verified), or not at all."""
    with _UploadGuard() as written, unit_of_work():
        case = _visible_case(case_id, actor, for_update=True)
        workflow = REGISTRY[case.case_type]
        step = workflow.by_trigger.get(trigger)
        if step is None:
            raise TransitionNotAllowed(f"Tindakan '{trigger}' tidak dikenal untuk jenis kasus ini.")
        tags = tags_for(case, actor)
        refusal: DomainError | None = permission_refusal(case, step, actor, tags)
        if refusal is not None:
            raise refusal
        _check_version(case, version)
        refusal = state_refusal(case, workflow, step)
        if refusal is not None:
            raise refusal
        comment = (comment or "").strip()
        if "comment" in step.needs and not comment:
            raise InvalidInput("Catatan wajib diisi.", {"comment": [f"Tuliskan alasan atau catatan untuk \"{step.label}\"."]})
        files = _step_files(step, uploads or [])
        ctx = step_context(case, actor, tags, _resolved_inputs(step, fields or {}))
        guarded = workflow.refusal(case, trigger, ctx)
        if guarded:
            raise TransitionNotAllowed(" ".join(guarded.reasons))
        from_state = case.state
        if not workflow.fire(case, trigger, **ctx):  # guards re-checked by the machine itself
            raise TransitionNotAllowed("Tindakan ditolak oleh aturan alur kerja.")
        data = step.effect(case, ctx) if step.effect is not None else {}
        consultations.observe_state(case, workflow)  # a cancelled booking frees its slot
        if link := _follow_up(case, step, actor, ctx["fields"], carried_notes(case, comment, data)):
            data["link"] = link
        stamp = instant_for(case, actor)  # guards judged `now`; what is stored is coarse for an anonymous filer
        if workflow.is_final(case.state):
            case.closed_at = stamp
        case.updated_at = stamp
        append_event(case, actor, "transition", at=stamp, trigger=trigger, from_state=from_state,
                     to_state=case.state, comment=comment, data=data)
        _store_uploads(case, actor, files, written, at=stamp, issued=True)
    logger.info("Case %s %s→%s by %s", case.ref, from_state, case.state, recorded_actor(actor)[1])
    return case


def link_dict(case: Case) -> dict[str, Any]:
    return {"id": case.id, "ref": case.ref, "type": case.case_type}


def links_of(case: Case) -> list[dict[str, Any]]:
    """The cases this one is linked with (a chat and the case it became), from its timeline."""
    return [e.data["link"] for e in case.events if e.kind in ("link", "transition") and (e.data or {}).get("link")]


def transcript(case: Case) -> str:
    """The conversation as text: each message, the automatic replies and attachments, with time and name."""
    from ..timefmt import human_wib

    lines = []
    for e in case.events:
        if e.is_internal or e.kind not in ("message", "auto_reply", "document"):
            continue
        body = e.comment if e.kind != "document" else f"[lampiran: {e.comment}]"
        lines.append(f"[{human_wib(e.at)}] {e.actor_label}: {body}")
    return "\n".join(lines)


def carried_notes(case: Case, comment: str, data: Mapping[str, Any]) -> str:
    """What a case filed or linked from this one starts with: its conversation, then the step's notes and the
    next steps agreed (a consultation's outcome)."""
    parts = [transcript(case)]
    if comment:
        parts.append(f"Catatan dari {case.ref}: {comment}")
    if data.get("next_steps"):
        parts.append(f"Tindak lanjut yang disepakati: {data['next_steps']}")
    return "\n\n".join(p for p in parts if p)


def _follow_up(case: Case, step: Any, actor: Actor, fields: Mapping[str, Any], notes: str) -> dict[str, Any] | None:
    """A step declared `files_case` or `links_case`: the new case filed, or the existing one linked (one
    of them, not both); None when the step's form asked for neither."""
    files = step.files_case and bool(fields.get("type"))
    ref = str(fields.get("link_ref") or "").strip() if step.links_case else ""
    if files and ref:
        message = "Pilih salah satu: buat kasus lanjutan atau tautkan ke kasus yang sudah ada."
        raise InvalidInput(message, {"link_ref": [message]})
    if files:
        return _file_linked_case(case, actor, fields, notes)
    if ref:
        return _link_existing_case(case, actor, ref, notes)
    return None


def _link_existing_case(case: Case, actor: Actor, ref: str, notes: str) -> dict[str, Any]:
    """Link this case to an existing case of the same requester, named by its reference: the other case's
    timeline receives the notes. Another person's case is refused: the notes are about this requester."""
    from . import search  # search reads cases; cases only needs its reference lookup here

    try:
        other = search.find_by_reference(actor, search.parse(ref))
    except InvalidInput:
        other = None
    if other is None:
        raise InvalidInput("Kasus yang ditautkan tidak ditemukan.",
                           {"link_ref": ["Tulis nomor kasus seperti tertera, mis. LYN-2026-00042."]})
    if other.id == case.id or other.requester_id is None or other.requester_id != case.requester_id:
        raise InvalidInput("Kasus ini tidak dapat ditautkan.",
                           {"link_ref": ["Tautkan ke kasus lain milik pemohon yang sama."]})
    append_event(other, actor, "link", comment=notes, data={"link": link_dict(case), "transcript": True})
    return link_dict(other)


def _file_linked_case(case: Case, actor: Actor, fields: Mapping[str, Any], notes: str) -> dict[str, Any]:
    """A step declared `files_case`: a new case of the chosen type for this case's requester, filed by the
    actor, beginning with this case's conversation and notes; each case's timeline links to the other."""
    target = REGISTRY[fields["type"]]
    if case.requester is None or not isinstance(actor, User):
        raise TransitionNotAllowed("Kasus tanpa pemohon yang dikenal tidak dapat dijadikan kasus lain.")
    data: dict[str, Any] = {"subject": f"Dari {case.ref}: {case.title}"[:200]}
    if target.per_service:
        service = fields.get("service")
        if service not in catalogue.SERVICES:
            raise InvalidInput("Pilih layanan untuk permohonan ini.", {"service": ["Pilih layanan dari katalog."]})
        data["service"] = service
    new = open_case(target.case_type, data, actor, for_requester=case.requester).case
    db.session.flush()  # its number, for both links
    append_event(new, actor, "link", comment=notes, data={"link": link_dict(case), "transcript": True})
    return link_dict(new)


# -- assignment ------------------------------------------------------------------------------------
# Who may claim, assign and be assigned: services.capabilities (claim_refusal, assign_refusal,
# assignee_refusal), the same rules the page asks what to offer.

def claim_case(case_id: int, actor: User, version: Any) -> Case:
    """An officer takes an unclaimed desk case (the desk head: any desk case)."""
    return assign_case(case_id, actor, actor.nip, version)


def assign_case(case_id: int, actor: User, assignee_nip: str, version: Any, comment: str = "") -> Case:
    with unit_of_work():
        case = _visible_case(case_id, actor, for_update=True)
        # The person acting is judged before the person named: someone who may not hand this case around
        # learns that, and not whether a NIP exists.
        self_claim = normalize_nip(assignee_nip) == actor.nip
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

def add_message(case_id: int, actor: Actor, body: str, *, internal: bool = False) -> CaseEvent:
    body = (body or "").strip()
    if not body:
        raise InvalidInput("Pesan kosong.", {"body": ["Tuliskan pesan Anda."]})
    if len(body) > 5000:
        raise InvalidInput("Pesan terlalu panjang.", {"body": ["Maksimal 5.000 karakter."]})
    with unit_of_work():
        case = _visible_case(case_id, actor)
        refusal = internal_note_refusal(case, actor) if internal else None
        if refusal is not None:
            raise refusal
        event = append_event(case, actor, "note" if internal else "message", comment=body, is_internal=internal)
    return event


def upload_documents(case_id: int, actor: Actor, uploads: list[documents.CheckedUpload]) -> Case:
    """The requester (or anonymous filer) and the owner may add documents while the case is open."""
    with _UploadGuard() as written, unit_of_work():  # the guard sees a failed commit too
        case = _visible_case(case_id, actor)
        refusal = upload_refusal(case, actor, tags_for(case, actor))
        if refusal is not None:
            raise refusal
        for upload in uploads:
            if catalogue.document_spec(case.service, upload.requirement) is None:
                raise InvalidInput("Jenis dokumen tidak dikenal.", {"requirement": ["Pilih jenis dokumen dari daftar."]})
        _store_uploads(case, actor, uploads, written)
    return case


REVIEW_DECISIONS = {"verified": "Dokumen diverifikasi", "rejected": "Dokumen ditolak"}


@dataclass(frozen=True)
class Review:
    """One document's verdict in a review round: its number on the case (1, 2, …), the decision, the reason."""

    number: int
    decision: str
    note: str = ""


def _review_errors(case: Case, reviews: list[Review]) -> dict[str, list[str]]:
    """Every problem of the round at once, keyed `doc<number>_decision` / `doc<number>_note`, so the page
    marks each document's own inputs and the API names them."""
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for r in reviews:
        key = f"doc{r.number}"
        if document_by_number(case, r.number) is None:
            errors[f"{key}_decision"] = ["Dokumen tidak ditemukan."]
        elif r.number in seen:
            errors[f"{key}_decision"] = ["Dokumen disebut lebih dari sekali."]
        elif r.decision not in REVIEW_DECISIONS:
            errors[f"{key}_decision"] = ["Pilih: diverifikasi atau ditolak."]
        elif r.decision == "rejected" and not r.note.strip():
            errors[f"{key}_note"] = ["Tuliskan mengapa dokumen ditolak."]
        elif len(r.note) > 2000:
            errors[f"{key}_note"] = ["Maksimal 2.000 karakter."]
        seen.add(r.number)
    return errors


MAX_REVIEWS_PER_ROUND = 200  # far more documents than a case holds; a longer list is a mistake or an attack


def reviews_from_json(items: object) -> list[Review]:
    """A review round as the API sends it, `[{"document": 1, "decision": "verified", "note": ""}, …]`: its
    shape is checked here, its content by review_documents (which names each document's own problems)."""
    shape = InvalidInput("Daftar pemeriksaan dokumen tidak valid.", {"reviews": [
        'Kirim "reviews" sebagai daftar berisi {"document": nomor, "decision": "verified"/"rejected", "note": …}.']})
    if not isinstance(items, list) or len(items) > MAX_REVIEWS_PER_ROUND:
        raise shape
    reviews = []
    for item in items:
        if not isinstance(item, dict):
            raise shape
        number, decision, note = item.get("document"), item.get("decision"), item.get("note") or ""
        if isinstance(number, bool) or not isinstance(number, int) or not isinstance(decision, str) \
                or not isinstance(note, str):
            raise shape
        reviews.append(Review(number, decision, note))
    return reviews


def review_documents(case_id: int, actor: User, reviews: list[Review]) -> list[CaseDocument]:
    """Verify or reject several documents in one round: all of them or, on any bad input, none. The requester
    gets one email listing what was rejected and why (not one per document)."""
    with unit_of_work():
        case = _visible_case(case_id, actor, for_update=True)
        refusal = review_refusal(case, actor, tags_for(case, actor))
        if refusal is not None:
            raise refusal
        if not reviews:
            raise InvalidInput("Belum ada dokumen yang diperiksa.",
                               {"documents": ["Pilih hasil pemeriksaan untuk sedikitnya satu dokumen."]})
        errors = _review_errors(case, reviews)
        if errors:
            raise InvalidInput("Pemeriksaan dokumen belum lengkap.", errors)
        now, reviewed, rejected = clock.now(), [], []
        for r in reviews:
            doc = document_by_number(case, r.number)
            assert doc is not None  # checked above
            note = r.note.strip()
            doc.review_status, doc.review_note = r.decision, note
            doc.reviewed_by_id, doc.reviewed_at = actor.id, now
            append_event(case, actor, "document_review", comment=note,
                         data={"document": doc.original_name, "requirement": doc.requirement, "decision": r.decision})
            reviewed.append(doc)
            if r.decision == "rejected":
                rejected.append(doc)
        if rejected:
            notifications.documents_rejected(case, actor, rejected)
    logger.info("Case %s: %d document(s) reviewed by user %s", case.ref, len(reviewed), actor.id)
    return reviewed


def review_document(case_id: int, number: int, actor: User, decision: str, note: str = "") -> CaseDocument:
    """One document (the API's call): a review round of one. `number` is the document's place among the
    case's documents (1, 2, …): global ids would tell the desk where a document stands among everyone
    else's uploads."""
    try:
        return review_documents(case_id, actor, [Review(number, decision, note or "")])[0]
    except InvalidInput as exc:
        # The one-document form answers with its own field names, as before.
        prefix = f"doc{number}_"
        errors = {k.removeprefix(prefix): v for k, v in (exc.errors or {}).items()}
        if errors.get("decision") == ["Dokumen tidak ditemukan."]:
            raise NotFound("Dokumen tidak ditemukan.") from None
        raise InvalidInput(exc.message, errors) from None


# -- reading ---------------------------------------------------------------------------------------

def get_case(case_id: int, actor: Actor | None) -> Case:
    return _visible_case(case_id, actor)


def document_by_number(case: Case, number: int) -> CaseDocument | None:
    """The case's `number`th document (1-based, in upload order; documents are never removed)."""
    return case.documents[number - 1] if 1 <= number <= len(case.documents) else None


def find_tracked_case(code: str) -> int | None:
    """The id of the anonymous complaint this tracking code opens, if any."""
    return db.session.scalar(select(Case.id).where(Case.tracking_code_hash == hash_code(code or "")))
