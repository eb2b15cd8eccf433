"""The admin's pages: SLA policies, the office calendar and people (set-password links). Admins only; every change is a POST through one
service call; input a person can fix re-renders the page with the messages (422)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from layani_flow import catalogue, grades
from layani_flow.forms.admin import CalendarExceptionForm, PersonnelForm, PolicyForm
from layani_flow.forms.base import entered
from layani_flow.roles import Role
from layani_flow.services import admin_settings, passwords, reminders, users
from layani_flow.services.errors import InvalidInput
from layani_flow.timefmt import DAYS
from layani_flow.workflows import REGISTRY
from layani_flow.workflows.clocks import CLOCK_LABELS

from .auth import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("")
@role_required(Role.ADMIN)
def index():
    return render_template("admin/index.html")


# -- SLA policies ----------------------------------------------------------------------------------

def render_policies(form: PolicyForm | None = None, errors: dict | None = None, status: int = 200):
    form = form or PolicyForm(formdata=None)
    return render_template(
        "admin/sla.html", form=form, errors=errors or {}, rows=admin_settings.policy_table(),
        history=admin_settings.policy_history(), registry=REGISTRY, clock_labels=CLOCK_LABELS,
        services=catalogue.SERVICES,
    ), status


@bp.get("/sla")
@role_required(Role.ADMIN)
def policies():
    return render_policies()


@bp.post("/sla")
@role_required(Role.ADMIN)
def save_policy():
    form = PolicyForm()
    if not form.validate():
        return render_policies(form, form.first_errors(), 422)
    try:
        policy = admin_settings.save_policy(
            current_user, case_type=form.case_type.data, clock_name=form.clock.data, service=form.service.data or None,
            target=entered(form.target), warn_percent=form.warn_percent.data,
            escalate_every=entered(form.escalate_every))
    except InvalidInput as exc:
        return render_policies(form, exc.errors or {"form": [exc.message]}, 422)
    flash(f"Kebijakan SLA disimpan: {REGISTRY[policy.case_type].title}, {CLOCK_LABELS[policy.clock].lower()} "
          f"{policy.target}. Berlaku untuk kasus yang dibuka mulai sekarang.", "success")
    return redirect(url_for("admin.policies"))


# -- calendar ------------------------------------------------------------------------------------

def render_calendar(form: CalendarExceptionForm | None = None, errors: dict | None = None, status: int = 200):
    form = form or CalendarExceptionForm(formdata=None)
    week = admin_settings.working_week()
    return render_template(
        "admin/calendar.html", form=form, errors=errors or {}, closed=admin_settings.closed_days(),
        exceptions=admin_settings.calendar_exceptions(), today=admin_settings.today_wib(),
        week=[(DAYS[day], week.get(day, ())) for day in range(7)],
    ), status


@bp.get("/kalender")
@role_required(Role.ADMIN)
def calendar():
    return render_calendar()


@bp.post("/kalender")
@role_required(Role.ADMIN)
def add_day():
    form = CalendarExceptionForm()
    if not form.validate():
        return render_calendar(form, form.first_errors(), 422)
    try:
        admin_settings.add_calendar_exception(current_user, on=form.on.data, intervals=form.intervals.data,
                                              note=form.note.data)
    except InvalidInput as exc:
        return render_calendar(form, exc.errors or {"form": [exc.message]}, 422)
    flash("Hari disimpan. Batas waktu yang dihitung mulai sekarang memakainya.", "success")
    return redirect(url_for("admin.calendar"))


@bp.post("/kalender/<int:exception_id>/hapus")
@role_required(Role.ADMIN)
def delete_day(exception_id: int):
    try:
        admin_settings.delete_calendar_exception(current_user, exception_id)
    except InvalidInput as exc:
        return render_calendar(errors=exc.errors or {"form": [exc.message]}, status=422)
    flash("Pengecualian dihapus; hari itu kembali memakai jam kerja biasa.", "success")
    return redirect(url_for("admin.calendar"))


# -- people ----------------------------------------------------------------------------------------

def render_people(query: str = "", errors: dict | None = None, status: int = 200):
    rows, total = users.list_users(query, limit=int(current_app.config["PAGE_SIZE"]))
    return render_template("admin/users.html", rows=rows, total=total, query=query, errors=errors or {},
                           link_hours=current_app.config["SET_PASSWORD_LINK_HOURS"],
                           grade_choices=grades.grade_choices()), status


@bp.get("/pengguna")
@role_required(Role.ADMIN)
def people():
    return render_people(request.args.get("q", ""))


@bp.post("/pengguna/<int:user_id>/tautan-sandi")
@role_required(Role.ADMIN)
def send_password_link(user_id: int):
    query = request.form.get("q", "")
    try:
        user = passwords.send_password_link(user_id=user_id, requested_by=current_user)
    except InvalidInput as exc:
        return render_people(query, exc.errors or {"form": [exc.message]}, 422)
    flash(f"Tautan atur kata sandi untuk {user.name} dikirim ke {user.email}; berlaku "
          f"{current_app.config['SET_PASSWORD_LINK_HOURS']} jam.", "success")
    return redirect(url_for("admin.people", q=query or None))


@bp.post("/pengguna/<int:user_id>/golongan")
@role_required(Role.ADMIN)
def set_grade(user_id: int):
    """The golongan the intake forms prefill the pangkat from (layani_flow/grades.py)."""
    query = request.form.get("q", "")
    try:
        user = users.set_grade(current_user, user_id, request.form.get("grade", ""))
    except InvalidInput as exc:
        return render_people(query, exc.errors or {"form": [exc.message]}, 422)
    flash(f"Golongan {user.name}: {user.pangkat_golongan or 'dikosongkan'}.", "success")
    return redirect(url_for("admin.people", q=query or None), code=303)


# -- a person's HR data ----------------------------------------------------------------------------------

def render_personnel(user, form: PersonnelForm | None = None, errors: dict | None = None, status: int = 200):
    if form is None:
        form = PersonnelForm(formdata=None, data={
            "position": user.position, "position_kind": user.position_kind or "", "grade": user.grade or "",
            "grade_tmt": user.grade_tmt, "kgb_tmt": user.kgb_tmt, "birth_date": user.birth_date,
            "retirement_age_override": user.retirement_age_override, "unit": user.unit,
            "superior_nip": user.superior.nip if user.superior else ""})
    return render_template("admin/personnel.html", person=user, form=form, errors=errors or {},
                           grade_choices=grades.grade_choices(), derived=reminders.derived(user)), status


@bp.get("/pengguna/<int:user_id>/kepegawaian")
@role_required(Role.ADMIN)
def personnel(user_id: int):
    return render_personnel(_person_or_404(user_id))


@bp.post("/pengguna/<int:user_id>/kepegawaian")
@role_required(Role.ADMIN)
def save_personnel(user_id: int):
    user = _person_or_404(user_id)
    form = PersonnelForm()
    if not form.validate():
        return render_personnel(user, form, form.first_errors(), 422)
    try:
        users.update_personnel(current_user, user_id, users.PersonnelInput(
            position=form.position.data or "", position_kind=form.position_kind.data or None,
            grade=form.grade.data or None, grade_tmt=form.grade_tmt.data, kgb_tmt=form.kgb_tmt.data,
            birth_date=form.birth_date.data, retirement_age_override=form.retirement_age_override.data,
            unit=form.unit.data or "", superior_nip=form.superior_nip.data or None))
    except InvalidInput as exc:
        return render_personnel(_person_or_404(user_id), form, exc.errors or {"form": [exc.message]}, 422)
    flash(f"Data kepegawaian {user.name} disimpan.", "success")
    return redirect(url_for("admin.personnel", user_id=user_id), code=303)


def _person_or_404(user_id: int):
    user = users.get_user(user_id)
    if user is None:
        abort(404)
    return user
