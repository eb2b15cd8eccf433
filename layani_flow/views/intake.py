"""Filing a case: choose its type, fill its form (a service request also picks a catalogue service).

An anonymous complaint (/aduan-anonim, or the "anonim" box on the complaint form) is filed by one handler
that never looks at who is signed in: the answer is the same for an employee and for a stranger (303 to
the page that shows the tracking code once, a cookie only the server can read, no login session touched),
so nothing in it tells a signed-in filing from an anonymous one. See docs/anonymity.md.
"""
from __future__ import annotations

import math
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_required
from wtforms import BooleanField

from layani_flow import catalogue, leave
from layani_flow.extensions import limiter
from layani_flow.forms import intake_form_class
from layani_flow.nip import masked_nip
from layani_flow.services import calendar, documents, users
from layani_flow.services import cases as case_service
from layani_flow.services.errors import InvalidInput
from layani_flow.workflows import REGISTRY

from . import drafts, tracking_state

bp = Blueprint("intake", __name__)

# /aduan-anonim is the anonymous complaint form: the one case type a stranger files. Which types may be
# filed anonymously at all is the workflows' to say (Workflow.anonymous_allowed).
ANONYMOUS_FORM_TYPE = "complaint"

# A field people never see (and are told, by its label, to leave empty): software that fills in every
# field fills it, and its complaint is not filed.
HONEYPOT = "website"
HONEYPOT_ERROR = ("Kolom \"Kosongkan kolom ini\" terisi, sehingga pengaduan tidak dikirim. "
                  "Kosongkan kolom itu, lalu kirim lagi.")


def _anonymity_ticked() -> bool:
    """The complaint form's "anonim" box as its BooleanField reads it (anything but "" or "false")."""
    return request.method == "POST" and request.form.get("anonymous", "") not in BooleanField.false_values


def _anonymous_type() -> str | None:
    """The case type this request files anonymously, if it does."""
    if request.endpoint == "intake.anonymous":
        return ANONYMOUS_FORM_TYPE
    case_type = (request.view_args or {}).get("case_type") if request.endpoint == "intake.new" else None
    workflow = REGISTRY.get(case_type or "")
    return case_type if workflow is not None and workflow.anonymous_allowed and _anonymity_ticked() else None


def _files_anonymously() -> bool:
    return _anonymous_type() is not None


@bp.url_value_preprocessor
def anonymous_pages(endpoint, values):
    if _files_anonymously():  # before CSRF and the rate limit, so their error pages are neutral too
        tracking_state.mark_anonymous_page()


def _counts_against_limit(response) -> bool:
    """Only complaints filed, and honeypot catches, use up the address's allowance: someone fixing a typo
    is not held back, and software that fills every field is."""
    return response.status_code == 303 or g.get("honeypot_caught", False)


# One allowance per client address for anonymous filings, wherever they come from. Checked before the
# view runs, so a refusal costs no query.
anonymous_limit = limiter.shared_limit(
    lambda: current_app.config["ANONYMOUS_LIMIT_PER_ADDRESS"], scope="anonymous-complaint", methods=["POST"],
    deduct_when=_counts_against_limit, exempt_when=lambda: not _files_anonymously())


@bp.errorhandler(RateLimitExceeded)
def too_many(exc: RateLimitExceeded):
    """Only the anonymous filings are limited here: the form again, with what was typed, and when to retry."""
    current = limiter.current_limit
    wait = max(1, math.ceil(current.reset_at - time.time())) if current is not None else 3600
    message = (f"Terlalu banyak pengaduan anonim dari alamat jaringan ini. Silakan coba lagi dalam "
               f"{math.ceil(wait / 60)} menit; isian Anda di bawah belum terkirim.")
    form = intake_form_class(_anonymous_type() or ANONYMOUS_FORM_TYPE)()
    response = current_app.make_response(_anonymous_page(form, {"form": [message]}, 429))
    response.headers["Retry-After"] = str(wait)
    return response


@bp.get("/kasus/baru")
@login_required
def choose():
    return render_template("intake/choose.html")


@bp.route("/kasus/baru/<case_type>", methods=["GET", "POST"])
@anonymous_limit
def new(case_type: str):
    if _files_anonymously():
        return _file_anonymously()  # whoever sends it, signed in or not
    return _file_named(case_type)


@bp.route("/aduan-anonim", methods=["GET", "POST"])
@anonymous_limit
def anonymous():
    """A complaint from anyone, signed in or not; it never carries who sent it."""
    return _file_anonymously()


# -- anonymous ---------------------------------------------------------------------------------------

def _anonymous_page(form, errors: dict[str, list[str]], status: int = 200):
    """The form again: /aduan-anonim's own, or the complaint form with its "anonim" box ticked."""
    case_type = _anonymous_type() or ANONYMOUS_FORM_TYPE
    return render_template(f"cases/{case_type}/new.html", form=form, service=None, errors=errors,
                           anonymous_only=request.endpoint == "intake.anonymous",
                           honeypot=request.form.get(HONEYPOT, ""),
                           evidence_files=REGISTRY[case_type].evidence_files), status


def _file_anonymously():
    case_type = _anonymous_type() or ANONYMOUS_FORM_TYPE
    form = intake_form_class(case_type)()
    if not form.is_submitted():
        return _anonymous_page(form, {})
    if request.form.get(HONEYPOT):
        g.honeypot_caught = True
        return _anonymous_page(form, {HONEYPOT: [HONEYPOT_ERROR]}, 422)
    valid = form.validate()
    evidence, errors = _checked_evidence(REGISTRY[case_type], anonymous=True)
    if not valid or errors:
        return _anonymous_page(form, {**form.first_errors(), **errors}, 422)
    try:
        opened = case_service.open_case(case_type, {**form.payload(), "anonymous": True}, None, anonymous=True,
                                        uploads=evidence)
    except InvalidInput as exc:
        return _anonymous_page(form, exc.errors or {"form": [exc.message]}, 422)
    response = redirect(url_for("track.code"), code=303)
    response.headers["Cache-Control"] = "no-store"
    return tracking_state.updated(response, shown_once=(opened.case.ref, opened.tracking_code))


# -- named -------------------------------------------------------------------------------------------

@login_required
def _file_named(case_type: str):
    workflow = REGISTRY.get(case_type)
    if workflow is None:
        abort(404)
    service = None
    if workflow.per_service:  # first the catalogue, then the chosen service's own form
        service = catalogue.SERVICES.get(request.form.get("service") or request.args.get("layanan") or "")
        if service is None:
            status = 422 if request.method == "POST" else 200
            return render_template(f"cases/{case_type}/catalogue.html", services=catalogue.SERVICES), status
    form_class = intake_form_class(case_type, service.key if service else None)
    draft = None if request.method == "POST" else drafts.restore()  # typed before a session ran out
    form = form_class(formdata=draft) if draft is not None else form_class()
    if service is not None:
        form.service.data = service.key

    picker = workflow.other_party.nip_field if workflow.other_party and workflow.other_party.chosen_by_name else None
    matches = None

    def page(errors: dict[str, list[str]], status: int = 200):
        return render_template(f"cases/{case_type}/new.html", form=form, service=service, errors=errors,
                               anonymous_only=False, honeypot="", working_days=_working_days(service, form.data),
                               picker=picker, matches=matches, evidence_files=workflow.evidence_files), status

    if not form.is_submitted():
        _prefill(form, service)
        return page({})
    if picker is not None:
        matches = _pick_person(form, picker)
    valid = form.validate()
    uploads, errors = _checked_uploads(service)
    evidence, evidence_errors = _checked_evidence(workflow, anonymous=False)
    uploads, errors = [*uploads, *evidence], {**errors, **evidence_errors}
    if matches is not None and picker is not None:  # a name was typed: chosen from the list, then sent
        return page({**form.first_errors(), picker: [PICK_FROM_LIST if matches else NOBODY_BY_THAT_NAME],
                     **errors}, 422)
    if not valid or errors:
        return page({**form.first_errors(), **errors}, 422)
    try:
        opened = case_service.open_case(case_type, form.payload(), current_user,
                                        anonymous=False, uploads=uploads)
    except InvalidInput as exc:
        return page(exc.errors or {"form": [exc.message]}, 422)
    days = _working_days(service, form.data)
    flash(f"Kasus {opened.case.ref} berhasil diajukan"
          + (f" ({days} hari kerja)." if days is not None else "."), "success")
    # 303 like an anonymous filing: the status code does not tell the two apart.
    return redirect(url_for("cases.detail", case_id=opened.case.id), code=303)


PICK_FROM_LIST = "Pilih orang yang Anda maksud dari daftar di bawah, lalu kirim lagi (atau tulis NIP-nya)."
NOBODY_BY_THAT_NAME = ("Tidak ada pegawai aktif dengan nama itu. Periksa ejaannya, tulis minimal "
                       f"{users.PEOPLE_SEARCH_MIN} huruf, atau tulis NIP-nya.")


def _pick_person(form, field: str) -> list | None:
    """The other party chosen by name. A choice from the list (its radio, "<field>_pilihan") becomes their
    NIP; a name typed in the field gives the matches to choose from (None when a NIP was typed)."""
    choice = request.form.get(f"{field}_pilihan")
    if choice:
        person = users.chosen_person(current_user, choice)
        if person is not None:
            form[field].data = person.nip
            return None
    typed = form[field].data or ""
    if not typed or typed.isdigit():
        return None  # a NIP, right or wrong: the form says which
    return users.find_people(current_user, typed)


bp.add_app_template_filter(masked_nip, "masked_nip")


@bp.get("/kasus/baru/pihak")
@login_required
@limiter.limit(lambda: current_app.config["PEOPLE_SEARCH_LIMIT"], key_func=lambda: f"people:{current_user.id}")
def people():
    """{"items": [{"id", "name", "unit", "nip"}]} for ?q=NAME: whom the filer may name as the other party
    (static/js/pilih_pihak.js). The NIP is masked; the form sends the chosen id, turned into the NIP here."""
    found = users.find_people(current_user, request.args.get("q", ""))
    return jsonify({"items": [{"id": u.id, "name": u.name, "unit": u.unit, "nip": masked_nip(u.nip)}
                              for u in found]})


def _prefill(form, service: catalogue.Service | None) -> None:
    """Fields filled in before the person types: first from the link's query string (a reminder's link says
    ?layanan=pensiun&jenis_pensiun=bup&tmt_pensiun=2027-04-01; a value that is not one of a field's choices,
    or not a date, is ignored), then what the catalogue fills from the person's own data (the pangkat from
    their golongan). Everything stays editable, and an unknown value leaves the field empty."""
    for spec in service.fields if service else ():
        if spec.name not in form or form[spec.name].data:
            continue
        typed = request.args.get(spec.name, "").strip()
        if typed:
            form[spec.name].data = _query_value(spec, typed)
        if spec.prefill and not form[spec.name].data:
            form[spec.name].data = getattr(current_user, spec.prefill, "") or None


def _query_value(spec: catalogue.FieldSpec, typed: str):
    if spec.kind == "date":
        return leave.as_date(typed)
    if spec.kind == "select":
        return typed if typed in dict(spec.choices) else None
    return typed[:3000 if spec.kind == "textarea" else 200]


def _working_days(service: catalogue.Service | None, data: dict) -> int | None:
    """The span a service counts in working days (a leave's length), once both its dates are valid: shown
    beside the dates on the form and in the confirmation, so it needs no JavaScript."""
    if service is None or service.working_days_between is None:
        return None
    first, last = (leave.as_date(data.get(name)) for name in service.working_days_between)
    if first is None or last is None or last < first or last - first > leave.MAX_SPAN:
        return None
    return calendar.working_days(first, last)


@bp.get("/kasus/baru/hari-kerja")
@login_required
def working_days():
    """{"days": N} for ?mulai=&selesai= (ISO dates): the leave form's live count (static/js/hari_kerja.js).
    Read-only, and bounded like the form (leave.MAX_SPAN); null when the dates do not make a span."""
    first, last = leave.as_date(request.args.get("mulai")), leave.as_date(request.args.get("selesai"))
    if first is None or last is None or last < first or last - first > leave.MAX_SPAN:
        return jsonify({"days": None})
    return jsonify({"days": calendar.working_days(first, last)})


EVIDENCE_FIELD = "bukti"


def _checked_evidence(workflow, *, anonymous: bool) -> tuple[list[documents.CheckedUpload], dict[str, list[str]]]:
    """The evidence files a complaint's form carries (up to workflow.evidence_files), checked like every
    document. An anonymous filer's lose their image metadata and their names (documents.anonymised)."""
    files = [f for f in request.files.getlist(EVIDENCE_FIELD) if f and f.filename][:workflow.evidence_files + 1]
    if not files or not workflow.evidence_files:
        return [], {}
    if len(files) > workflow.evidence_files:
        return [], {EVIDENCE_FIELD: [f"Paling banyak {workflow.evidence_files} berkas bukti."]}
    uploads = []
    try:
        for number, file in enumerate(files, start=1):
            checked = documents.check_upload(EVIDENCE_FIELD, catalogue.EVIDENCE.key, file.filename or "", file.read())
            uploads.append(documents.anonymised(checked, number) if anonymous else checked)
    except InvalidInput as exc:
        name = files[len(uploads)].filename
        return [], {EVIDENCE_FIELD: [f"{name}: {m}" for msgs in exc.errors.values() for m in msgs]}
    return uploads, {}


def _checked_uploads(service) -> tuple[list[documents.CheckedUpload], dict[str, list[str]]]:
    """Every file chosen on the form, checked by content; a bad one is an error on its own field."""
    uploads, errors = [], {}
    for spec in service.documents if service else ():
        field = f"doc_{spec.key}"
        file = request.files.get(field)
        if file is None or not file.filename:
            continue
        try:
            uploads.append(documents.check_upload(field, spec.key, file.filename, file.read()))
        except InvalidInput as exc:
            errors.update(exc.errors)
    return uploads, errors
