"""The satisfaction question (services/feedback.py): answered on the case page by the signed-in requester, or
through the signed link of the closing email without signing in; the summary for admins and the desk head."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from layani_flow.roles import Role
from layani_flow.services import feedback
from layani_flow.services.access import is_desk_head
from layani_flow.services.errors import InvalidInput

bp = Blueprint("feedback", __name__)


@bp.post("/kasus/<int(signed=True):case_id>/penilaian")
@login_required
def answer(case_id: int):
    try:
        feedback.answer_feedback(case_id, current_user.id, request.form.get("rating"), request.form.get("comment", ""))
    except InvalidInput as exc:
        flash(exc.message, "error")
        return redirect(url_for("cases.detail", case_id=case_id)), 303
    flash("Terima kasih atas penilaian Anda.", "success")
    return redirect(url_for("cases.detail", case_id=case_id))


def _link_page(token: str, *, errors: dict | None = None, status: int = 200):
    case_id, user_id = feedback.read_link(token)
    found = feedback.feedback_of(case_id)
    if found is None or found.requester_id != user_id:
        abort(404)
    return render_template("feedback/answer.html", item=found, token=token, question=feedback.QUESTION,
                           labels=feedback.RATING_LABELS, errors=errors or {}), status


@bp.get("/umpan-balik/<token>")
def by_link(token: str):
    return _link_page(token)


@bp.post("/umpan-balik/<token>")
def answer_by_link(token: str):
    case_id, user_id = feedback.read_link(token)
    try:
        feedback.answer_feedback(case_id, user_id, request.form.get("rating"), request.form.get("comment", ""))
    except InvalidInput as exc:
        return _link_page(token, errors=exc.errors, status=422)
    return _link_page(token)


@bp.get("/umpan-balik")
@login_required
def summary():
    if not (current_user.has_role(Role.ADMIN) or is_desk_head(current_user)):
        abort(403)
    channels, officers = feedback.summary()
    return render_template("feedback/summary.html", channels=channels, officers=officers, question=feedback.QUESTION)
