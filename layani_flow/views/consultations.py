"""ConsDesk pages: the free slots as a calendar (no JavaScript needed), booking one, moving a booking, and the
officer's agenda with the forms that publish slots and weekly patterns. One service call per request."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from layani_flow import clock
from layani_flow.forms import intake_form_class
from layani_flow.forms.consultation import RescheduleForm
from layani_flow.roles import Role
from layani_flow.services import cases as case_service
from layani_flow.services import consultations, listings
from layani_flow.services.errors import DomainError
from layani_flow.timefmt import human_wib, to_wib
from layani_flow.working_time import WIB

from .auth import role_required

bp = Blueprint("consultations", __name__)

DAYS_SHOWN = 14


def _first_day() -> dt.date:
    today = to_wib(clock.now()).date()
    try:
        chosen = dt.date.fromisoformat(request.args.get("mulai", ""))
    except ValueError:
        return today
    return min(max(chosen, today), today + dt.timedelta(days=365))


def _by_day(slots, first: dt.date, days: int) -> list[tuple[dt.date, list]]:
    grouped: dict[dt.date, list] = {first + dt.timedelta(days=n): [] for n in range(days)}
    for slot in slots:
        grouped.setdefault(to_wib(slot.start_at).date(), []).append(slot)
    return sorted(grouped.items())


@bp.get("/konsultasi")
@login_required
def calendar():
    first = _first_day()
    start = max(dt.datetime.combine(first, dt.time(0), WIB), clock.now())
    end = dt.datetime.combine(first + dt.timedelta(days=DAYS_SHOWN), dt.time(0), WIB)
    slots = consultations.slots_between(start, end, available_only=True)
    today = to_wib(clock.now()).date()
    return render_template(
        "consultations/calendar.html", days=_by_day(slots, first, DAYS_SHOWN), first=first,
        previous=first - dt.timedelta(days=DAYS_SHOWN) if first > today else None,
        following=first + dt.timedelta(days=DAYS_SHOWN), modes=consultations.MODE_LABELS,
        weekdays=consultations.WEEKDAY_NAMES, is_officer=current_user.role == Role.OFFICER)


def _own_open_cases():
    return [c for c in listings.list_own_cases(current_user, limit=50) if c.closed_at is None]


@bp.route("/konsultasi/jadwal/<int:slot_id>", methods=["GET", "POST"])
@login_required
def book(slot_id: int):
    case_type = consultations.booking_type()
    slot = consultations.slot_by_id(slot_id)
    if slot is None:
        abort(404)
    form = intake_form_class(case_type)()
    form.slot_id.data = slot_id

    def page(errors: dict[str, list[str]], status: int = 200):
        return render_template("consultations/book.html", form=form, slot=slot, errors=errors,
                               modes=consultations.MODE_LABELS, own_cases=_own_open_cases()), status

    if not form.is_submitted():
        return page({})
    if not form.validate():
        return page(form.first_errors(), 422)
    try:
        opened = case_service.open_case(case_type, {**form.payload(), "slot_id": slot_id}, current_user)
    except DomainError as exc:
        return page(exc.errors or {"form": [exc.message]}, exc.status)
    flash(f"Konsultasi {opened.case.ref} sudah dipesan. Undangan kalender dikirim ke email Anda.", "success")
    return redirect(url_for("cases.detail", case_id=opened.case.id), code=303)


@bp.route("/kasus/<int:case_id>/jadwal-ulang", methods=["GET", "POST"])
@login_required
def reschedule(case_id: int):
    case = case_service.get_case(case_id, current_user)
    slot = consultations.slot_for_case(case)
    if slot is None:
        abort(404)
    form = RescheduleForm()
    now = clock.now()
    choices = [s for s in consultations.upcoming_free(now) if s.officer_id != current_user.id]

    def page(errors: dict[str, list[str]], status: int = 200):
        return render_template("consultations/reschedule.html", case=case, slot=slot, choices=choices,
                               errors=errors, form=form, modes=consultations.MODE_LABELS), status

    if not form.is_submitted():
        return page({})
    if not form.validate():
        return page(form.first_errors(), 422)
    try:
        consultations.reschedule(case_id, current_user, form.slot_id.data, form.version.data)
    except DomainError as exc:
        return page(exc.errors or {"form": [exc.message]}, exc.status)
    flash("Jadwal konsultasi dipindah. Undangan kalender yang baru dikirim ke email Anda.", "success")
    return redirect(url_for("cases.detail", case_id=case_id), code=303)


# -- the officer's side -------------------------------------------------------------------------------------

def _agenda_page(errors: dict[str, list[str]] | None = None, status: int = 200, typed=None):
    today = to_wib(clock.now()).date()
    today_slots, week = consultations.agenda(current_user, today)
    return render_template("consultations/agenda.html", today=today, today_slots=today_slots,
                           week=_by_day(week, today, 7), errors=errors or {}, typed=typed or {},
                           modes=consultations.MODE_LABELS, weekdays=consultations.WEEKDAY_NAMES,
                           checked_days=typed.getlist("weekdays") if typed is not None else [],
                           max_weeks=consultations.MAX_PATTERN_WEEKS), status


@bp.get("/konsultasi/agenda")
@role_required(Role.OFFICER)
def agenda():
    return _agenda_page()


@bp.post("/konsultasi/agenda/jadwal")
@role_required(Role.OFFICER)
def publish_slot():
    form = request.form
    day, start, end = form.get("day", ""), form.get("start", "").replace(".", ":"), form.get("end", "").replace(".", ":")
    try:
        consultations.publish_slot(current_user, start=f"{day}T{start}", end=f"{day}T{end}",
                                   mode=form.get("mode"), location=form.get("location"))
    except DomainError as exc:
        return _agenda_page(exc.errors or {"form": [exc.message]}, exc.status, form)
    flash("Jadwal konsultasi dibuka.", "success")
    return redirect(url_for("consultations.agenda"), code=303)


@bp.post("/konsultasi/agenda/pola")
@role_required(Role.OFFICER)
def publish_pattern():
    form = request.form
    try:
        first = dt.date.fromisoformat(form.get("first_day", ""))
    except ValueError:
        return _agenda_page({"first_day": ["Tulis tanggal mulai berlaku."]}, 422, form)
    try:
        result = consultations.publish_pattern(
            current_user, weekdays=form.getlist("weekdays"), start_time=form.get("start_time"),
            end_time=form.get("end_time"), minutes=form.get("minutes"), mode=form.get("pattern_mode"),
            location=form.get("pattern_location"), first_day=first, weeks=form.get("weeks"))
    except DomainError as exc:
        return _agenda_page(exc.errors or {"form": [exc.message]}, exc.status, form)
    note = ""
    if result.skipped_closed or result.skipped_overlap:
        note = (f" {result.skipped_closed} dilewati karena di luar jam kerja atau hari libur, "
                f"{result.skipped_overlap} karena bertumpuk dengan jadwal Anda.")
    flash(f"{len(result.created)} jadwal konsultasi dibuka.{note}", "success")
    return redirect(url_for("consultations.agenda"), code=303)


@bp.post("/konsultasi/agenda/<int:slot_id>/tarik")
@role_required(Role.OFFICER)
def withdraw(slot_id: int):
    try:
        consultations.withdraw_slot(current_user, slot_id)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("consultations.agenda"), code=303)
    flash("Jadwal ditarik.", "success")
    return redirect(url_for("consultations.agenda"), code=303)


# -- template helpers ------------------------------------------------------------------------------------

@bp.app_template_filter("wib_hm")
def wib_hm(value: dt.datetime | None) -> str:
    """09.30: the time of day in WIB."""
    return f"{to_wib(value):%H.%M}" if value is not None else "–"


def _instant(text) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


@bp.app_template_filter("wib_text")
def wib_text(text) -> str:
    """An ISO instant as a case's fields keep it, as people read it."""
    instant = _instant(text)
    return human_wib(instant) if instant is not None else "–"


@bp.app_template_filter("wib_time")
def wib_time(text) -> str:
    return wib_hm(_instant(text))


@bp.app_context_processor
def consultation_labels():
    return {"consultation_modes": consultations.MODE_LABELS}
