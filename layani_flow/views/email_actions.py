"""Escalation email links: GET shows what would happen, only POST does it (mail scanners open links). A link
acts for its addressee: signed out it works on its own, signed in as someone else it is refused (403)."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..forms.base import choices
from ..forms.email_actions import EmailActionForm
from ..services import escalations
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


@bp.get("/aksi/<token>")
def confirm(token: str):
    pending = escalations.preview(token)
    refuse_other_person(pending.recipient)
    return render_template("email_actions/confirm.html", pending=pending, form=_form(pending), token=token)


@bp.post("/aksi/<token>")
def perform(token: str):
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
