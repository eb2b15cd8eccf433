"""Following an anonymous complaint with its tracking code. The code is checked once and then lives only
in the signed session (as the case id): it never appears in a URL, a log line or a page after the first."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from layani_flow.forms.complaint import TrackForm
from layani_flow.services import cases as case_service
from layani_flow.services.access import TrackedFiler
from layani_flow.services.errors import InvalidInput

from .cases import done_message, fire, render_case

bp = Blueprint("track", __name__)

SESSION_KEY = "tracked_case_id"
NOT_FOUND = "Kode pelacakan tidak ditemukan."


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _filer() -> TrackedFiler | None:
    case_id = session.get(SESSION_KEY)
    return TrackedFiler(case_id) if isinstance(case_id, int) else None


@bp.route("/lacak", methods=["GET", "POST"])
def index():
    form = TrackForm()
    failed = False
    if form.validate_on_submit():
        case_id = case_service.find_tracked_case(form.code.data)
        if case_id is not None:
            session[SESSION_KEY] = case_id
            return redirect(url_for("track.case"))
        failed = True
    status = 422 if form.errors else 200
    return render_template("track/index.html", form=form, failed=failed), status


@bp.get("/lacak/kasus")
def case():
    filer = _filer()
    if filer is None:
        return redirect(url_for("track.index"))
    return render_case(case_service.get_case(filer.case_id, filer), filer, tracked=True)


@bp.post("/lacak/pesan")
def message():
    filer = _filer()
    if filer is None:
        return redirect(url_for("track.index"))
    body = request.form.get("body", "")
    try:
        case_service.add_message(filer.case_id, filer, body)
    except InvalidInput as exc:
        return render_case(case_service.get_case(filer.case_id, filer), filer, tracked=True, status=422,
                           errors=exc.errors, typed={"body": body})
    flash("Keterangan Anda terkirim.", "success")
    return redirect(url_for("track.case"))


@bp.post("/lacak/tindakan/<trigger>")
def transition(trigger: str):
    filer = _filer()
    if filer is None:
        return redirect(url_for("track.index"))
    tracked_case = case_service.get_case(filer.case_id, filer)
    page = fire(tracked_case, filer, trigger, tracked=True)
    if page is not None:
        return page
    flash(done_message(tracked_case, trigger), "success")
    return redirect(url_for("track.case"))


@bp.post("/lacak/keluar")
def forget():
    session.pop(SESSION_KEY, None)
    flash("Kode pelacakan sudah dilupakan oleh peramban ini.", "info")
    return redirect(url_for("track.index"))
