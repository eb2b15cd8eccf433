"""The results page (/cari) behind the search box every signed-in page carries (_search_box.html)."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from layani_flow.services import search
from layani_flow.workflows import ALL_STATES, REGISTRY

from .queue import _dues, _page_number, _typed_words

bp = Blueprint("search", __name__)


@bp.get("/cari")
@login_required
def results():
    words, errors = _typed_words()
    case_type = request.args.get("jenis") if request.args.get("jenis") in REGISTRY else None
    state = request.args.get("status") if request.args.get("status") in ALL_STATES else None
    if words is not None and not words.empty:
        # A reference typed exactly goes straight to the case (GOV.UK's and the helpdesks' habit); one the
        # searcher may not see is simply searched for, and finds nothing.
        case = search.find_by_reference(current_user, words)
        if case is not None:
            return redirect(url_for("cases.detail", case_id=case.id), 303)
    page = search.search_cases(current_user, words, page=_page_number(), size=current_app.config["PAGE_SIZE"],
                               case_type=case_type, state=state) if words is not None else None
    filters = {"q": words.text if words is not None else "", "jenis": case_type or "", "status": state or ""}
    return render_template("search/results.html", words=words, page=page, errors=errors, filters=filters,
                           registry=REGISTRY, dues=_dues(page) if page is not None else {},
                           counted_up_to=search.COUNTED_UP_TO), 400 if errors else 200
