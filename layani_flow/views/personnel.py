"""Personnel data pages: "Data kepegawaian saya" (everyone), a reminder's link (to the prefilled request form),
hiding a reminder from the inbox, and the desk's planning list with its CSV export (services.reminders)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from layani_flow import clock
from layani_flow.reminder_rules import DESK, RULES
from layani_flow.services import reminders
from layani_flow.services.errors import InvalidInput
from layani_flow.working_time import WIB

from .csv_export import csv_download, csv_lines

bp = Blueprint("personnel", __name__)


@bp.app_context_processor
def rules_for_templates() -> dict:
    return {"reminder_rules": RULES, "may_plan": lambda: reminders.may_plan(current_user)}


@bp.get("/data-saya")
@login_required
def my_data():
    person = current_user
    return render_template("personnel/mine.html", person=person, rows=reminders.personnel_rows(person),
                           derived=reminders.derived(person),
                           correction_url=url_for("intake.new", case_type=reminders.request_type(),
                                                  **reminders.correction_args(person)))


@bp.get("/pengingat/<int:reminder_id>")
@login_required
def open_reminder(reminder_id: int):
    """A reminder's link (email and inbox): the request form it is about, filled from the person's data; for
    the desk, the planning list of its kind. Read-only: opening it changes nothing."""
    row = reminders.reminder_for(current_user, reminder_id)
    rule = RULES.get(row.rule)
    if rule is None:
        abort(404)
    if row.audience == DESK:
        planned = next((r.key for r in reminders.planned_rules() if r.service == rule.service), None)
        return redirect(url_for("personnel.planning", bulan=3, aturan=planned))
    args = reminders.form_args(rule, row.event_on)
    if args is None:
        return redirect(url_for("personnel.my_data"))
    return redirect(url_for("intake.new", case_type=reminders.request_type(), **args))


@bp.post("/pengingat/<int:reminder_id>/sembunyikan")
@login_required
def dismiss_reminder(reminder_id: int):
    row = reminders.dismiss(current_user, reminder_id)
    flash(f"Pengingat \"{RULES[row.rule].label}\" disembunyikan dari kotak masuk.", "success")
    return redirect(url_for("home.index"), code=303)


def _planning_args() -> tuple[int, str | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    text = request.args.get("bulan", "3")
    months = int(text) if text.isdigit() and int(text) in reminders.PLANNING_MONTHS else 0
    if not months:
        errors["bulan"] = ["Pilih 3, 6 atau 12 bulan."]
    rule = request.args.get("aturan") or None
    if rule is not None and rule not in {r.key for r in reminders.planned_rules()}:
        errors["aturan"] = ["Pilih jenis dari daftar."]
    return months, rule, errors


def _require_planner() -> None:
    if not reminders.may_plan(current_user):
        abort(403)


@bp.get("/perencanaan")
@login_required
def planning():
    """Who falls due for what in the next 3, 6 or 12 months (KGB, promotion periods, pensions)."""
    _require_planner()
    months, rule, errors = _planning_args()
    rows = []
    if not errors:
        try:
            rows = reminders.planning(current_user, months, rule)
        except InvalidInput as exc:
            errors = exc.errors or {"form": [exc.message]}
    return render_template("personnel/planning.html", rows=rows, months=months or 3, rule=rule, errors=errors,
                           rules=reminders.planned_rules(), choices=reminders.PLANNING_MONTHS), 422 if errors else 200


CSV_HEADER = ["Jenis", "Tanggal", "Nama", "NIP", "Unit kerja", "Jabatan", "Golongan", "Tanggal pengingat",
              "Sudah diajukan", "Sudah diingatkan"]


@bp.get("/perencanaan/ekspor.csv")
@login_required
def planning_csv():
    _require_planner()
    months, rule, errors = _planning_args()
    if errors:
        return render_template("personnel/planning.html", rows=[], months=3, rule=None, errors=errors,
                               rules=reminders.planned_rules(), choices=reminders.PLANNING_MONTHS), 422
    rows = reminders.planning(current_user, months, rule)
    lines = csv_lines(CSV_HEADER, [[
        (r.rule.label, r.event.isoformat(), r.person.name, r.person.nip, r.person.unit, r.person.position,
         r.person.grade or "", " ".join(d.isoformat() for d in r.due_dates), "ya" if r.filed else "tidak",
         "ya" if r.reminded else "tidak") for r in rows]])
    today = clock.now().astimezone(WIB).date().isoformat()
    return csv_download(f"perencanaan-{months}-bulan-{rule or 'semua'}-{today}.csv", lines)
