"""The desk's work lists: the queue (officers, supervisors, admins) and a supervisor's team."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from layani_flow import clock
from layani_flow.roles import DESK_ROLES, LEAD_ROLES, Role
from layani_flow.services import listings, search
from layani_flow.services.calendar import load_calendar
from layani_flow.services.errors import InvalidInput
from layani_flow.services.listings import CasePage
from layani_flow.workflows import ALL_STATES, REGISTRY

from .auth import role_required
from .presenters import ClockView, next_due

bp = Blueprint("queue", __name__)

VIEW_LABELS = {"belum_diklaim": "Belum diklaim", "saya": "Saya tangani", "semua": "Semua"}


def _dues(page: CasePage) -> dict[int, ClockView | None]:
    """Each listed case's nearest deadline, from the clocks the listing loaded with the page."""
    now, cal = clock.now(), load_calendar()
    return {case.id: next_due(case, now, cal) for case in page.items}


def _page_number() -> int:
    value = request.args.get("halaman", "1")
    # ASCII digits only ("²" passes str.isdigit but not int()), and few enough for int() and an OFFSET
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 and int(value) > 0 else 1


def _typed_words() -> tuple[search.Query | None, dict[str, list[str]]]:
    """The `q` the search box or the filter form sent (None, with the errors to show, when it is refused)."""
    try:
        return search.parse(request.args.get("q")), {}
    except InvalidInput as exc:
        return None, exc.errors


@bp.get("/antrian")
@role_required(*DESK_ROLES)
def index():
    default_view = "belum_diklaim" if current_user.role == Role.OFFICER else "semua"
    view = request.args.get("tampilan", default_view)
    view = view if view in listings.QUEUE_VIEWS else default_view
    state = request.args.get("status") if request.args.get("status") in ALL_STATES else None
    case_type = request.args.get("jenis") if request.args.get("jenis") in REGISTRY else None
    words, errors = _typed_words()
    page = listings.list_queue(current_user, view=view, state=state, case_type=case_type,
                                   page=_page_number(), size=current_app.config["PAGE_SIZE"], words=words)
    filters = {"tampilan": view, "status": state or "", "jenis": case_type or "", "q": words.text if words else ""}
    return render_template("queue/index.html", page=page, filters=filters, view_labels=VIEW_LABELS,
                           registry=REGISTRY, dues=_dues(page), errors=errors), 400 if errors else 200


@bp.get("/tim")
@role_required(*LEAD_ROLES)
def team():
    words, errors = _typed_words()
    page = listings.list_team_cases(current_user, page=_page_number(), size=current_app.config["PAGE_SIZE"],
                                    words=words)
    filters = {"q": words.text} if words and words.text else {}
    return render_template("queue/team.html", page=page, filters=filters, dues=_dues(page),
                           errors=errors), 400 if errors else 200
