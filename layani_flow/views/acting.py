"""The admin's page for acting officials (Plt/Plh): who receives approvals meant for an official who is away."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.forms.acting import ActingOfficialForm
from layani_flow.forms.base import choices
from layani_flow.models import User
from layani_flow.roles import Role
from layani_flow.services import acting
from layani_flow.services.errors import InvalidInput

from .auth import role_required

bp = Blueprint("acting", __name__, url_prefix="/admin/pejabat-pelaksana")


def _form(form: ActingOfficialForm | None = None) -> ActingOfficialForm:
    form = form or ActingOfficialForm(formdata=None)
    people = db.session.scalars(select(User).where(User.is_active_account).order_by(User.name)).unique().all()
    superior_ids = set(db.session.scalars(select(User.superior_id).where(User.superior_id.is_not(None))).all())
    label = lambda u: f"{u.name} – {u.position or u.role_label}"  # noqa: E731
    form.official_nip.choices = choices([("", "Pilih pejabat")] + [(u.nip, label(u)) for u in people
                                                                   if u.id in superior_ids])
    form.acting_nip.choices = choices([("", "Pilih pejabat pelaksana")] + [(u.nip, label(u)) for u in people])
    return form


def render(form: ActingOfficialForm | None = None, errors: dict | None = None, status: int = 200):
    return render_template("admin/acting.html", form=_form(form), errors=errors or {}, rows=acting.list_acting(),
                           today=acting.wib_date()), status


@bp.get("")
@role_required(Role.ADMIN)
def index():
    return render()


@bp.post("")
@role_required(Role.ADMIN)
def add():
    form = _form(ActingOfficialForm())
    if not form.validate():
        return render(form, form.first_errors(), 422)
    try:
        row = acting.set_acting(current_user, official_nip=form.official_nip.data, acting_nip=form.acting_nip.data,
                                kind=form.kind.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                note=form.note.data or "")
    except InvalidInput as exc:
        return render(form, exc.errors or {"form": [exc.message]}, 422)
    flash(f"{row.kind_short} {row.acting.name} untuk {row.official.name} disimpan "
          f"({row.starts_on.isoformat()} s.d. {row.ends_on.isoformat()}).", "success")
    return redirect(url_for("acting.index"))


@bp.post("/<int:row_id>/hapus")
@role_required(Role.ADMIN)
def remove(row_id: int):
    acting.remove_acting(current_user, row_id)
    flash("Data pejabat pelaksana dihapus.", "success")
    return redirect(url_for("acting.index"))
