"""Escalation and approval email links: GET shows what would happen, only POST does it (mail scanners open links). A link
acts for its addressee: signed out it works on its own, signed in as someone else it is refused (403)."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..forms.base import choices
from ..forms.email_actions import ApprovalActionForm, EmailActionForm
from ..services import approvals, escalations, tokens
from ..services.capabilities import assignable_staff
from ..services.errors import InvalidInput
from ..services.listings import open_case_counts
from .auth import refuse_other_person

bp = Blueprint("email_actions", __name__, url_prefix="/email")


def _form(pending) -> EmailActionForm:
    form = EmailActionForm()
    staff = assignable_staff(pending.case)
    loads = open_case_counts([u.id for u in staff])  # one grouped query, whatever the desk's size
    form.assignee_nip.choices = choices([
        (u.nip, f"{u.name} – {u.position or u.role_label} ({loads.get(u.id, 0)} kasus terbuka)") for u in staff])
    return form


def _is_approval(token: str) -> bool:
    """Which kind of link this is; an invalid one is refused by the service that reads it."""
    try:
        return approvals.is_approval_action(tokens.read_action(token).action)
    except tokens.InvalidLink:
        return False


def _approval_page(token: str, pending, form, errors=None, status: int = 200):
    return render_template("email_actions/approval_confirm.html", pending=pending, form=form, token=token,
                           errors=errors or {}), status


@bp.get("/aksi/<token>")
def confirm(token: str):
    if _is_approval(token):
        approval = approvals.preview(token)
        refuse_other_person(approval.recipient)
        return _approval_page(token, approval, ApprovalActionForm())
    pending = escalations.preview(token)
    refuse_other_person(pending.recipient)
    # A link that can no longer act (the clock stopped, the case closed) says so now, with no form to fill in.
    return render_template("email_actions/confirm.html", pending=pending, form=_form(pending), token=token)


@bp.post("/aksi/<token>")
def perform(token: str):
    if _is_approval(token):
        return _perform_approval(token)
    pending = escalations.preview(token)
    refuse_other_person(pending.recipient)
    form = _form(pending)
    if not form.validate():
        return render_template("email_actions/confirm.html", pending=pending, form=form, token=token,
                               errors=form.first_errors()), 422
    try:
        case = escalations.perform_link(token, note=form.note.data or "", assignee_nip=form.assignee_nip.data or "",
                                        days=str(form.days.data or ""))
    except InvalidInput as exc:
        return render_template("email_actions/confirm.html", pending=pending, form=form, token=token,
                               errors=exc.errors or {"note": [exc.message]}), 422
    return render_template("email_actions/done.html", pending=pending, case=case)


def _perform_approval(token: str):
    pending = approvals.preview(token)
    refuse_other_person(pending.recipient)
    form = ApprovalActionForm()
    if not form.validate():
        return _approval_page(token, pending, form, form.first_errors(), 422)
    try:
        case = approvals.perform_link(token, note=form.note.data or "")
    except InvalidInput as exc:
        return _approval_page(token, pending, form, exc.errors or {"note": [exc.message]}, 422)
    return render_template("email_actions/done.html", pending=pending, case=case)
