"""Filing a case: choose its type, fill its form (a service request also picks a catalogue service)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from layani_flow import catalogue
from layani_flow.forms import intake_form_class
from layani_flow.services import cases as case_service
from layani_flow.services import documents
from layani_flow.services.errors import InvalidInput
from layani_flow.workflows import REGISTRY

bp = Blueprint("intake", __name__)


@bp.get("/kasus/baru")
@login_required
def choose():
    return render_template("intake/choose.html")


@bp.route("/kasus/baru/<case_type>", methods=["GET", "POST"])
@login_required
def new(case_type: str):
    if case_type not in REGISTRY:
        abort(404)
    service = None
    if case_type == "service_request":
        service = catalogue.SERVICES.get(request.form.get("service") or request.args.get("layanan") or "")
        if service is None:
            status = 422 if request.method == "POST" else 200
            return render_template("cases/service_request/catalogue.html", services=catalogue.SERVICES), status
    form = intake_form_class(case_type, service.key if service else None)()
    if case_type == "service_request":
        form.service.data = service.key
    return _file(form, case_type, service, anonymous_only=False)


@bp.route("/aduan-anonim", methods=["GET", "POST"])
def anonymous():
    """A complaint from anyone, signed in or not; it never carries who sent it."""
    form = intake_form_class("complaint")()
    return _file(form, "complaint", None, anonymous_only=True)


def _file(form, case_type: str, service, *, anonymous_only: bool):
    def page(errors: dict[str, list[str]], status: int = 200):
        return render_template(f"cases/{case_type}/new.html", form=form, service=service, errors=errors,
                               anonymous_only=anonymous_only), status

    if not form.is_submitted():
        return page({})
    valid = form.validate()
    uploads, errors = _checked_uploads(service)
    if not valid or errors:
        return page({**form.first_errors(), **errors}, 422)
    data = form.payload()
    anonymous = anonymous_only or bool(data.get("anonymous"))
    try:
        opened = case_service.open_case(case_type, data, None if anonymous_only else current_user,
                                        anonymous=anonymous, uploads=uploads)
    except InvalidInput as exc:
        return page(exc.errors or {"form": [exc.message]}, 422)
    if opened.tracking_code:
        response = make_response(render_template("cases/complaint/tracking_code.html", case=opened.case,
                                                 code=opened.tracking_code))
        response.headers["Cache-Control"] = "no-store"  # the code is shown once and kept nowhere
        return response
    flash(f"Kasus {opened.case.ref} berhasil diajukan.", "success")
    return redirect(url_for("cases.detail", case_id=opened.case.id))


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
