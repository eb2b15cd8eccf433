"""One case's page and everything done on it. Each POST calls one service and redirects back to the page;
input a person can fix re-renders the page with the errors (422) and what they typed."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import BooleanField, DateField, SelectField

from layani_flow import catalogue, clock
from layani_flow.forms import intake_form_class, trigger_form_class
from layani_flow.forms.base import select_choices
from layani_flow.models import Case, CaseEvent
from layani_flow.services import cases as case_service
from layani_flow.services import documents, feedback, listings
from layani_flow.services.access import Actor
from layani_flow.services.calendar import load_calendar
from layani_flow.services.capabilities import Action, Capabilities, capabilities
from layani_flow.services.errors import InvalidInput
from layani_flow.timefmt import human_wib
from layani_flow.views.case_page import next_step, sent_back_banner
from layani_flow.views.presenters import current_clock_views, visible_events, working_text
from layani_flow.workflows import REGISTRY
from layani_flow.workflows.base import FileInput, Workflow
from layani_flow.workflows.clocks import CLOCK_LABELS

from . import downloads, drafts
from .home import REVIEW_LABELS, tanggal

bp = Blueprint("cases", __name__)

INTAKE_HIDDEN = ("csrf_token", "service", "anonymous", "subject")
SYSTEM_KINDS = ("auto_reply", "sla_warning", "sla_escalation", "sla_chain_end")


# -- what the page shows ---------------------------------------------------------------------------

@dataclass
class ActionView:
    """One step the viewer may take (or could, once `blocked_by` is dealt with), with its form."""

    action: Action
    form: Any
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def comment_required(self) -> bool:
        return "comment" in self.action.needs


def intake_rows(case: Case) -> list[tuple[str, str]]:
    """The intake answers with their form labels; choices shown by label, dates in Indonesian."""
    form = intake_form_class(case.case_type, case.service)(formdata=None, meta={"csrf": False})
    stored = case.fields or {}
    rows = []
    for f in form:
        if f.name in INTAKE_HIDDEN or f.name in getattr(form, "summary_hidden", ()) or f.name not in stored:
            continue
        value = stored[f.name]
        if isinstance(f, SelectField):
            value = next((str(c.label) for c in select_choices(f) if c.value == value), value)
        elif isinstance(f, DateField):
            value = tanggal(value)
        elif isinstance(f, BooleanField):
            value = "Ya" if value else "Tidak"
        rows.append((str(f.label.text), value if value not in (None, "") else "–"))
    return rows


def requirement_label(case: Case, requirement: str) -> str:
    spec = catalogue.document_spec(case.service, requirement)
    return spec.label if spec else requirement


def upload_choices(case: Case) -> list[catalogue.DocumentSpec]:
    service = catalogue.SERVICES.get(case.service or "")
    return list(service.documents) if service else [catalogue.OTHER_DOCUMENT]


def _clock_label(data: dict) -> str:
    return CLOCK_LABELS.get(data.get("clock") or "", "batas waktu").lower()


def _instant(value) -> dt.datetime | None:
    try:
        instant = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return instant if instant is not None and instant.tzinfo is not None else None


def _system_event(event: CaseEvent, data: dict, desk: bool) -> str | None:
    """Events written by the SLA machinery and the escalation email, in one Indonesian sentence."""
    kind, clock_label = event.kind, _clock_label(data)
    if kind == "auto_reply":
        answer_by = _instant(data.get("answer_due_at"))
        when = f" Tanggapan paling lambat {human_wib(answer_by)}." if answer_by else ""
        return "Balasan otomatis: pesan diterima di luar jam kerja." + when
    if kind == "sla_warning":
        to = data.get("to") if desk and data.get("to") else "petugas"
        return f"Pengingat dikirim kepada {to}: batas waktu {clock_label} sudah dekat."
    if kind == "sla_escalation":
        level = data.get("level")
        if desk and data.get("to"):
            return f"Eskalasi tingkat {level} kepada {data['to']}: {clock_label} melewati batas waktu."
        return f"Kasus dieskalasikan ke atasan (tingkat {level}) karena {clock_label} melewati batas waktu."
    if kind == "sla_chain_end":
        return f"Eskalasi {clock_label} sudah sampai pimpinan tertinggi; tidak ada atasan lain untuk diberi tahu."
    if kind == "sla_extension":
        due_at = _instant(data.get("due_at"))
        when = f" menjadi {human_wib(due_at)}" if due_at else ""
        via = " melalui email eskalasi" if data.get("via") == "email" else ""
        return f"Batas waktu {clock_label} diperpanjang {data.get('days')} hari kerja{when}{via}."
    return None


def _state_label(workflow: Workflow, state: str | None) -> str:
    """A state as people read it; a state the workflow no longer declares by its name."""
    return workflow.states.get(state, state) if state is not None else "–"


def describe_event(case: Case, event: CaseEvent, desk: bool = True) -> str:
    """What happened, in one Indonesian sentence (the comment is shown beside it). `desk` False leaves out
    the names of the people an escalation went to: the filer needs to know that it went up, not to whom."""
    workflow = REGISTRY[case.case_type]
    data = event.data or {}
    system = _system_event(event, data, desk)
    if system is not None:
        return system
    if event.kind == "created":
        return f"Kasus diajukan dengan status \"{_state_label(workflow, event.to_state)}\"."
    if event.kind == "transition":
        step = workflow.by_trigger.get(event.trigger or "")
        text = (f"{step.label if step else event.trigger}: "
                f"{_state_label(workflow, event.from_state)} → {_state_label(workflow, event.to_state)}.")
        for key, label in (("owner", "Penanggung jawab"), ("mediator", "Mediator"),
                           ("external_body", "Instansi"), ("next_steps", "Tindak lanjut")):
            if data.get(key):
                text += f" {label}: {data[key]}."
        if isinstance(data.get("link"), dict):
            text += f" Kasus baru: {data['link'].get('ref')}."
        return text
    if event.kind == "assignment":
        text = f"Penanggung jawab: {data.get('from') or 'belum ada'} → {data.get('to')}."
        if data.get("via") == "email":
            level = f" tingkat {data['escalation']}" if data.get("escalation") else ""
            text += f" Dilakukan dari email eskalasi{level}."
        return text
    if event.kind == "document":
        return f"Mengunggah dokumen {requirement_label(case, data.get('requirement', ''))}."
    if event.kind == "document_review":
        verdict = "diverifikasi" if data.get("decision") == "verified" else "ditolak"
        return f"Dokumen {requirement_label(case, data.get('requirement', ''))} ({data.get('document')}) {verdict}."
    if event.kind == "message":
        return "Mengirim pesan."
    if event.kind == "rescheduled":
        return f"Jadwal dipindah: {data.get('from') or '–'} → {data.get('to') or '–'}."
    if event.kind == "link" and isinstance(data.get("link"), dict):
        text = f"Ditautkan dengan {data['link'].get('ref')}."
        return text + (" Percakapannya dilampirkan di bawah." if data.get("transcript") else "")
    if event.kind == "note":
        if data.get("instruction"):
            level = f" (eskalasi tingkat {data['escalation']})" if data.get("escalation") else ""
            via = " melalui email" if data.get("via") == "email" else ""
            return f"Instruksi atasan{via}{level}."
        return "Catatan internal."
    return event.kind.replace("_", " ").capitalize() + "."


def shows_comment(event: CaseEvent) -> bool:
    """The system's own events say it all in their sentence (their stored comment repeats it, and an
    escalation's names who it went to); a person's comment is shown as they wrote it."""
    return bool(event.comment) and event.kind != "document" and event.kind not in SYSTEM_KINDS


def action_views(case: Case, caps: Capabilities, posted: tuple[str, Any, dict] | None = None) -> list[ActionView]:
    views = []
    for action in caps.actions:
        if posted and posted[0] == action.trigger:
            views.append(ActionView(action, posted[1], posted[2]))
            continue
        form = trigger_form_class(case.case_type, action.trigger)(formdata=None)
        form.version.data = str(case.version)  # a hidden field holds text; it renders the same
        views.append(ActionView(action, form))
    return views


def render_case(case: Case, viewer: Actor, *, tracked: bool = False, status: int = 200,
                posted_action: tuple[str, Any, dict] | None = None, errors: dict | None = None,
                typed: dict | None = None):
    """The case page. `errors`/`typed` refill what was sent: the action panel's comment and assignee, an
    upload, a review round."""
    workflow = REGISTRY[case.case_type]
    # What the viewer may do comes from the one answer the services then enforce, never from a copy of
    # their rules. Desk staff who are a party to the case read it as a party does: no internal notes, and
    # no names of whom its escalations went to (caps.internal_note).
    caps = capabilities(case, viewer)
    now, cal = clock.now(), load_calendar()
    events = visible_events(case, viewer)
    pending = sum(1 for d in case.documents if d.review_status == "pending")
    actions = action_views(case, caps, posted_action)
    panel_errors = dict(errors or {})
    anchors = {"form": "comment", "version": "comment", "body": "comment"}  # where the summary's links lead
    if posted_action is not None:
        panel_errors.update(posted_action[2])
        anchors.update({name: f"{posted_action[0]}-{name}" for name in posted_action[2]
                        if name not in ("comment", "form", "version")})
    for name in panel_errors:  # any other field (a document's verdict: doc2_note) is its input's own id
        anchors.setdefault(name, name)
    context = dict(
        case=case, workflow=workflow, tracked=tracked, is_open=not workflow.is_final(case.state), caps=caps,
        clocks=current_clock_views(case, now, cal),
        intake_rows=intake_rows(case), events=events, describe_event=describe_event,
        shows_comment=shows_comment, working_text=working_text, system_kinds=SYSTEM_KINDS,
        requirement_label=requirement_label, upload_choices=upload_choices(case),
        actions=[a for a in actions if tracked or "confirm" not in a.action.needs],
        confirm_actions=[] if tracked else [a for a in actions if "confirm" in a.action.needs],
        errors=panel_errors, typed=typed or {},
        comment_text=posted_action[1].comment.data if posted_action else (typed or {}).get("comment", ""),
        next_step=next_step(case, caps, pending), banner=sent_back_banner(case, events),
        rejected_documents=[d for d in case.documents if d.review_status == "rejected"],
        assignee_loads=listings.open_case_counts([u.id for u in caps.assignees]) if caps.assignees else {},
        desk=caps.internal_note.allowed, error_anchors=anchors,
        links=case_service.links_of(case),
        feedback_pending=feedback.pending_for(case, viewer) if workflow.asks_feedback else None,
        feedback_question=feedback.QUESTION, feedback_labels=feedback.RATING_LABELS,
    )
    return render_template("cases/detail.html", **context), status


def _own_case(case_id: int) -> Case:
    return case_service.get_case(case_id, current_user)


def _back(case_id: int):
    return redirect(url_for("cases.detail", case_id=case_id))


# -- routes ----------------------------------------------------------------------------------------
# Case ids are signed: an anonymous complaint's is a random negative number (services/anonymity.py).

@bp.get("/kasus/<int(signed=True):case_id>")
@login_required
def detail(case_id: int):
    case = _own_case(case_id)
    if REGISTRY[case.case_type].conversation:  # a chat is read as a conversation (views/chat.py)
        return redirect(url_for("chat.conversation", case_id=case_id))
    draft = drafts.restore()  # a message or a step's comment typed before the session ran out
    if draft is None:
        return render_case(case, current_user)
    if draft.get("_endpoint") == "cases.transition":
        trigger = draft.get("_trigger", "")
        return render_case(case, current_user,
                           posted_action=(trigger, trigger_form_class(case.case_type, trigger)(formdata=draft), {}))
    return render_case(case, current_user, typed={"comment": draft.get("comment") or draft.get("body", ""),
                                                  "internal": bool(draft.get("internal"))})


def fire(case: Case, actor: Actor, trigger: str, *, tracked: bool = False):
    """Validate the trigger's form and fire it; None on success, else the page to show again."""
    form = trigger_form_class(case.case_type, trigger)()
    if not form.validate():
        return render_case(case, actor, tracked=tracked, status=422,
                           posted_action=(trigger, form, form.first_errors()))
    try:
        case_service.transition_case(case.id, trigger, actor, form.version.data, form.comment.data or "",
                                     form.payload(), uploads=step_uploads(case, trigger))
    except InvalidInput as exc:
        return render_case(case_service.get_case(case.id, actor), actor, tracked=tracked, status=422,
                           posted_action=(trigger, form, exc.errors or {"form": [exc.message]}))
    return None


def step_uploads(case: Case, trigger: str) -> list[documents.CheckedUpload]:
    """The files posted for the step's declared file inputs, checked by content (InvalidInput on the field)."""
    step = REGISTRY[case.case_type].by_trigger.get(trigger)
    declared = {spec.field for spec in step.inputs if isinstance(spec, FileInput)} if step is not None else set()
    if extra := sorted(name for name, f in request.files.items() if f.filename and name not in declared):
        raise InvalidInput("Berkas tidak diharapkan.", {name: ["Tindakan ini tidak menerima berkas."] for name in extra})
    uploads = []
    for spec in step.inputs if step is not None else ():
        if isinstance(spec, FileInput):
            file = request.files.get(spec.field)
            if file is not None and file.filename:
                uploads.append(documents.check_upload(spec.field, spec.field, file.filename, file.read()))
    return uploads


def done_message(case: Case, trigger: str) -> str:
    step = REGISTRY[case.case_type].by_trigger.get(trigger)
    return f"Tindakan \"{step.label if step else trigger}\" berhasil."


@bp.post("/kasus/<int(signed=True):case_id>/tindakan/<trigger>")
@login_required
def transition(case_id: int, trigger: str):
    case = _own_case(case_id)
    page = fire(case, current_user, trigger)
    if page is not None:
        return page
    flash(done_message(case, trigger), "success")
    return _back(case_id)


def message_body() -> str:
    """The message typed in the action panel's one box ("comment"); "body" is what a message form sent
    before the panel had one box for everything."""
    return request.form.get("comment", request.form.get("body", ""))


def panel_errors(exc: InvalidInput) -> dict[str, list[str]]:
    """A message's error belongs to the panel's comment box, where it was typed."""
    return {("comment" if k == "body" else k): v for k, v in (exc.errors or {"comment": [exc.message]}).items()}


@bp.post("/kasus/<int(signed=True):case_id>/pesan")
@login_required
def message(case_id: int):
    body = message_body()
    internal = request.form.get("internal") in ("y", "on", "1", "true")
    try:
        case_service.add_message(case_id, current_user, body, internal=internal)
    except InvalidInput as exc:
        return render_case(_own_case(case_id), current_user, status=422, errors=panel_errors(exc),
                           typed={"comment": body, "internal": internal})
    flash("Catatan internal disimpan." if internal else "Pesan terkirim.", "success")
    return _back(case_id)


@bp.post("/kasus/<int(signed=True):case_id>/klaim")
@login_required
def claim(case_id: int):
    case = case_service.claim_case(case_id, current_user, request.form.get("version"))
    flash(f"Kasus {case.ref} sekarang Anda tangani.", "success")
    return _back(case_id)


@bp.post("/kasus/<int(signed=True):case_id>/tugaskan")
@login_required
def assign(case_id: int):
    nip = request.form.get("assignee_nip", "")
    try:
        case = case_service.assign_case(case_id, current_user, nip, request.form.get("version"),
                                        request.form.get("comment", ""))
    except InvalidInput as exc:
        return render_case(_own_case(case_id), current_user, status=422, errors=exc.errors,
                           typed={"assignee_nip": nip, "comment": request.form.get("comment", "")})
    assert case.owner is not None, "assign_case gives the case an owner"
    flash(f"Kasus ditugaskan kepada {case.owner.name}.", "success")
    return _back(case_id)


@bp.post("/kasus/<int(signed=True):case_id>/dokumen")
@login_required
def upload(case_id: int):
    requirement = request.form.get("requirement", "")
    file = request.files.get("file")
    try:
        if file is None or not file.filename:
            raise InvalidInput("Berkas tidak ada.", {"file": ["Pilih berkas untuk diunggah."]})
        checked = documents.check_upload("file", requirement, file.filename, file.read())
        case_service.upload_documents(case_id, current_user, [checked])
    except InvalidInput as exc:
        return render_case(_own_case(case_id), current_user, status=422, errors=exc.errors,
                           typed={"requirement": requirement})
    flash("Dokumen berhasil diunggah.", "success")
    return _back(case_id)


# A document is addressed by its place among the case's documents (1, 2, …), not by its global id, which
# would tell where an anonymous filer's upload stands among everyone else's.
@bp.get("/kasus/<int(signed=True):case_id>/dokumen/<int:number>")
@login_required
def document(case_id: int, number: int):
    case = _own_case(case_id)
    doc = case_service.document_by_number(case, number)
    if doc is None:
        abort(404)
    return downloads.stored_file(doc.stored_name, doc.content_type, doc.original_name)


@bp.post("/kasus/<int(signed=True):case_id>/dokumen/<int:number>/periksa")
@login_required
def review(case_id: int, number: int):
    decision, note = request.form.get("decision", ""), request.form.get("note", "")
    try:
        doc = case_service.review_document(case_id, number, current_user, decision, note)
    except InvalidInput as exc:
        return render_case(_own_case(case_id), current_user, status=422,
                           errors={f"doc{number}_{k}": v for k, v in exc.errors.items()},
                           typed={f"doc{number}_note": note, f"doc{number}_decision": decision})
    flash(f"Dokumen {doc.original_name}: {REVIEW_LABELS[doc.review_status].lower()}.", "success")
    return _back(case_id)


def _review_round(case: Case) -> tuple[list[case_service.Review], dict[str, str]]:
    """The review round the documents form sends: per document `doc<n>_decision` (verified, rejected, or
    empty to leave it as it is) and `doc<n>_note`; "verify every document still waiting" fills the empty
    choices of pending documents. Answers the round and what was typed, to show again on a refusal."""
    verify_rest = request.form.get("semua") == "verified"
    reviews, typed = [], {}
    for number, doc in enumerate(case.documents, start=1):
        decision = request.form.get(f"doc{number}_decision", "").strip()
        note = request.form.get(f"doc{number}_note", "")
        typed[f"doc{number}_decision"], typed[f"doc{number}_note"] = decision, note
        if not decision and verify_rest and doc.review_status == "pending":
            decision = "verified"
        if decision:
            reviews.append(case_service.Review(number, decision, note))
    return reviews, typed


@bp.post("/kasus/<int(signed=True):case_id>/dokumen/periksa")
@login_required
def review_all(case_id: int):
    """Every document's verdict in one round, one unit of work: all saved, or none on any bad input."""
    case = _own_case(case_id)
    reviews, typed = _review_round(case)
    try:
        reviewed = case_service.review_documents(case_id, current_user, reviews)
    except InvalidInput as exc:
        return render_case(_own_case(case_id), current_user, status=422, errors=exc.errors, typed=typed)
    verified = sum(1 for d in reviewed if d.review_status == "verified")
    flash(f"Pemeriksaan disimpan: {verified} dokumen diverifikasi, {len(reviewed) - verified} ditolak.", "success")
    return _back(case_id)


@bp.get("/kasus/<int(signed=True):case_id>/tindakan/<trigger>/konfirmasi")
@login_required
def confirm(case_id: int, trigger: str):
    """"Are you sure?" for a step declared needs={"confirm"} (withdrawing): a page of its own, so it works
    without JavaScript and nothing changes on GET. The form posts to the step's usual address."""
    case = _own_case(case_id)
    action = next((a for a in capabilities(case, current_user).steps if a.trigger == trigger), None)
    if action is None or "confirm" not in action.needs:
        abort(404)
    if not action.allowed:
        flash(action.blocked_by[0] if action.blocked_by else "Tindakan ini tidak tersedia.", "error")
        return _back(case_id)
    form = trigger_form_class(case.case_type, trigger)(formdata=None)
    form.version.data = str(case.version)
    return render_template("cases/confirm.html", case=case, workflow=REGISTRY[case.case_type],
                           action=action, form=form)
