"""The admin's employee import (/admin/impor-pegawai): upload and preview, "Jalankan impor" (the worker runs
it), its progress and the per-line report. Admins only; each POST calls one service."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user

from layani_flow.forms.hr_import import EmployeeImportForm
from layani_flow.roles import Role
from layani_flow.services import employee_import, import_jobs
from layani_flow.services.errors import Conflict, InvalidInput

from .auth import role_required

bp = Blueprint("hr_import", __name__, url_prefix="/admin/impor-pegawai")


def render_index(form: EmployeeImportForm | None = None, errors: dict | None = None, status: int = 200):
    return render_template("admin/import_index.html", form=form or EmployeeImportForm(formdata=None),
                           errors=errors or {}, jobs=import_jobs.recent(),
                           limit_mb=max(1, int(current_app.config["IMPORT_MAX_BYTES"]) // 1024 // 1024),
                           columns=employee_import.COLUMNS, date_formats=employee_import.DATE_FORMATS), status


@bp.get("")
@role_required(Role.ADMIN)
def index():
    return render_index()


@bp.post("")
@role_required(Role.ADMIN)
def upload():
    form = EmployeeImportForm()
    if not form.validate():  # the CSRF token
        return render_index(form, {"form": ["Formulir kedaluwarsa; muat ulang halaman lalu unggah lagi."]}, 400)
    upload = form.file.data
    data = upload.read() if upload else b""
    try:
        job = import_jobs.upload(current_user, upload.filename if upload else "", data)
    except InvalidInput as exc:
        return render_index(form, exc.errors or {"file": [exc.message]}, 422)
    return redirect(url_for("hr_import.detail", job_id=job.id), 303)


@bp.get("/contoh.csv")
@role_required(Role.ADMIN)
def sample():
    return Response(employee_import.SAMPLE_CSV, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="contoh-impor-pegawai.csv"'})


@bp.get("/<int:job_id>")
@role_required(Role.ADMIN)
def detail(job_id: int, errors: dict | None = None, status: int = 200):
    job = import_jobs.get(job_id)
    return render_template("admin/import_job.html", job=job, errors=errors or {},
                           labels=employee_import.FIELD_LABELS), status


@bp.post("/<int:job_id>/jalankan")
@role_required(Role.ADMIN)
def run(job_id: int):
    form = EmployeeImportForm()
    if not form.validate():
        return detail(job_id, {"form": ["Formulir kedaluwarsa; muat ulang halaman lalu coba lagi."]}, 400)
    try:
        import_jobs.queue(current_user, job_id)
    except Conflict as exc:
        return detail(job_id, {"form": [exc.message]}, 409)
    return redirect(url_for("hr_import.detail", job_id=job_id), 303)


@bp.get("/<int:job_id>/status")
@role_required(Role.ADMIN)
def job_status(job_id: int):
    return jsonify(import_jobs.status(import_jobs.get(job_id)))
