"""Following an anonymous complaint with its tracking code. The code is checked once; after that the browser
holds only an encrypted cookie naming the case (tracking_state.py). The code never appears in a URL or a
log line, and on a page only once, right after filing. These pages never look at who is signed in."""
from __future__ import annotations

from flask import Blueprint, g, make_response, redirect, render_template, url_for

from layani_flow.forms.base import entered
from layani_flow.forms.complaint import TrackForm
from layani_flow.services import cases as case_service
from layani_flow.services.access import TrackedFiler
from layani_flow.services.errors import InvalidInput

from . import tracking_state
from .cases import done_message, fire, message_body, panel_errors, render_case

bp = Blueprint("track", __name__)

NOT_FOUND = "Kode pelacakan tidak ditemukan."


@bp.url_value_preprocessor
def anonymous_pages(endpoint, values):
    tracking_state.mark_anonymous_page()  # before CSRF and other checks, so their error pages are neutral too


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _filer() -> TrackedFiler | None:
    case_id = tracking_state.read().case_id
    return TrackedFiler(case_id) if case_id is not None else None


def _page(body, status: int = 200):
    """A tracking page; a notice waiting in the cookie is shown on it once."""
    state = tracking_state.read()
    g.page_notices = [("success", state.notice)] if state.notice else []
    response = make_response(body() if callable(body) else body, status)
    return tracking_state.updated(response, notice=None) if state.notice else response


def _back(notice: str, endpoint: str = "track.case"):
    return tracking_state.updated(redirect(url_for(endpoint)), notice=notice)


@bp.route("/lacak", methods=["GET", "POST"])
def index():
    form = TrackForm()
    failed = False
    if form.validate_on_submit():
        case_id = case_service.find_tracked_case(entered(form.code))
        if case_id is not None:
            return tracking_state.updated(redirect(url_for("track.case")), case_id=case_id, notice=None)
        failed = True
    status = 422 if form.errors else 200
    return _page(lambda: render_template("track/index.html", form=form, failed=failed), status)


@bp.get("/lacak/kode")
def code():
    """The tracking code of a complaint just filed, shown once: the cookie forgets it with this answer."""
    shown = tracking_state.read().shown_once
    if shown is None:
        return redirect(url_for("track.index"))
    ref, tracking_code = shown
    response = make_response(render_template("cases/complaint/tracking_code.html", ref=ref, code=tracking_code))
    return tracking_state.updated(response, shown_once=None)


@bp.get("/lacak/kasus")
def case():
    filer = _filer()
    if filer is None:
        return redirect(url_for("track.index"))
    return _page(lambda: render_case(case_service.get_case(filer.case_id, filer), filer, tracked=True)[0])


@bp.post("/lacak/pesan")
def message():
    filer = _filer()
    if filer is None:
        return redirect(url_for("track.index"))
    body = message_body()
    try:
        case_service.add_message(filer.case_id, filer, body)
    except InvalidInput as exc:
        return render_case(case_service.get_case(filer.case_id, filer), filer, tracked=True, status=422,
                           errors=panel_errors(exc), typed={"comment": body})
    return _back("Keterangan Anda terkirim.")


@bp.post("/lacak/tindakan/<trigger>")
def transition(trigger: str):
    filer = _filer()
    if filer is None:
        return redirect(url_for("track.index"))
    tracked_case = case_service.get_case(filer.case_id, filer)
    page = fire(tracked_case, filer, trigger, tracked=True)
    if page is not None:
        return page
    return _back(done_message(tracked_case, trigger))


@bp.post("/lacak/keluar")
def forget():
    response = redirect(url_for("track.index"))
    return tracking_state.write(response, tracking_state.TrackingState(
        notice="Kode pelacakan sudah dilupakan oleh peramban ini."))
