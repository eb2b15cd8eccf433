"""The admin page's imports: an upload checked and previewed at once (nothing written), queued by the admin,
run by the worker with its progress on the job's row, and the report kept for the page.

Progress is written through a connection of its own while the import's transaction is open, so the page
sees it during the run; on SQLite only while the rows are checked (the import holds SQLite's one write
lock while it saves; the page then shows "menyimpan" without a count). The job's final status and report
are written in the import's own transaction: the people and the report land together or not at all.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from .. import clock
from ..extensions import db
from ..models import ImportJob, User
from . import employee_import
from .db import rows_changed, unit_of_work
from .errors import Conflict, InvalidInput, NotFound

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 200  # rows of each kind the preview lists; the counts cover them all


def upload(actor: User, filename: str, data: bytes) -> ImportJob:
    """Check an uploaded file (size, UTF-8 text, every row against the database) and keep it with its
    preview. Nothing about anyone is written. InvalidInput (422) when it is no readable file at all."""
    limit = int(current_app.config["IMPORT_MAX_BYTES"])
    if not data:
        raise InvalidInput("Pilih berkas CSV untuk diunggah.", {"file": ["Berkas kosong atau belum dipilih."]})
    if len(data) > limit:
        size = f"{limit // 1024 // 1024} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
        raise InvalidInput("Berkas terlalu besar.", {"file": [
            f"Berkas terlalu besar: paling besar {size}; pecah menjadi beberapa berkas."]})
    text = employee_import.decode(data)  # NotUtf8 is an InvalidInput
    if "\x00" in text:
        raise InvalidInput("Berkas bukan teks CSV.", {"file": ["Berkas ini bukan teks CSV (memuat byte nol)."]})
    with unit_of_work(keep_loaded=True):
        plan = employee_import.plan_import(employee_import.read_rows(text), employee_import.load_known())
        job = ImportJob(created_by_id=actor.id, created_at=clock.now(), filename=(filename or "")[:200],
                        content=text, status="previewed", total=len(plan.people) + len(plan.errors),
                        preview=_preview(plan))
        db.session.add(job)
    logger.info("Import %s uploaded by user %s: %s", job.id, actor.id, job.preview["report"] | {"errors": len(plan.errors)})
    return job


def _preview(plan: employee_import.Plan) -> dict[str, Any]:
    listed: dict[str, list[dict[str, Any]]] = {"created": [], "updated": []}
    for change in plan.changes:
        if change.action in listed and len(listed[change.action]) < PREVIEW_ROWS:
            listed[change.action].append(change.as_dict())
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for change in plan.changes:
        counts[change.action] += 1
    return {"report": plan.report(), "counts": counts, "listed": listed}


def get(job_id: int) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if job is None:
        raise NotFound("Impor tidak ditemukan.")
    return job


def recent(limit: int = 10) -> list[ImportJob]:
    return list(db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))


def queue(actor: User, job_id: int) -> ImportJob:
    """"Jalankan impor": the worker runs it next. Only a previewed file without errors; once."""
    with unit_of_work(keep_loaded=True):
        job = get(job_id)
        if job.preview.get("report", {}).get("errors"):
            raise Conflict("Berkas ini masih memuat kesalahan; perbaiki lalu unggah ulang.")
        if not rows_changed(update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == "previewed")
                            .values(status="queued", queued_at=clock.now(), done=0, phase="")):
            raise Conflict("Impor ini sudah dijalankan.")
    logger.info("Import %s queued by user %s", job_id, actor.id)
    return get(job_id)


def claim_next() -> int | None:
    """The oldest queued job, now ours (status running). On PostgreSQL the candidate is picked FOR UPDATE SKIP
    LOCKED, so two workers never wait on one row; the conditional UPDATE makes the claim safe everywhere."""
    with unit_of_work():
        query = select(ImportJob.id).where(ImportJob.status == "queued").order_by(ImportJob.id).limit(1)
        if db.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        job_id = db.session.scalar(query)
        if job_id is None:
            return None
        if not rows_changed(update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == "queued")
                            .values(status="running", started_at=clock.now(), phase="check", done=0)):
            return None
    return job_id


def _progress_writer(job_id: int):
    engine = db.engine
    on_postgres = engine.dialect.name == "postgresql"

    def write(phase: str, done: int, total: int) -> None:
        if phase == "apply" and not on_postgres:
            return  # SQLite: the import holds the write lock while it saves
        with engine.begin() as conn:
            conn.execute(update(ImportJob).where(ImportJob.id == job_id)
                         .values(phase=phase, done=done, total=total))

    return write


def run_job(job_id: int) -> dict[str, Any]:
    """Run a claimed job: the import and the job's report in one transaction. Errors found now (someone
    changed the people since the preview) mark it failed, with nothing written."""
    job = get(job_id)
    content = job.content
    db.session.rollback()  # nothing held while the rows are checked
    progress = _progress_writer(job_id)
    try:
        with unit_of_work():
            plan = employee_import.plan_import(employee_import.read_rows(content), employee_import.load_known(),
                                               progress)
            if plan.errors:
                report = plan.report()
            else:
                progress("apply", 0, 1)
                report = employee_import.apply_plan(plan, progress)
            db.session.execute(update(ImportJob).where(ImportJob.id == job_id).values(
                status="failed" if report["errors"] else "done", report=report, finished_at=clock.now(),
                phase="", done=len(plan.people) + len(plan.errors), total=len(plan.people) + len(plan.errors)))
    except Exception:
        logger.exception("Import %s failed", job_id)
        with unit_of_work():
            db.session.execute(update(ImportJob).where(ImportJob.id == job_id).values(
                status="failed", finished_at=clock.now(), phase="", report={
                    "created": 0, "updated": 0, "unchanged": 0, "errors": [{"line": 1, "message": (
                        "Impor gagal karena kesalahan sistem; tidak ada yang ditulis. Coba jalankan lagi atau "
                        "hubungi pengelola aplikasi.")}]}))
        raise
    logger.info("Import %s %s", job_id, "failed" if report["errors"] else "done")
    return report


def run_queued() -> int:
    """The worker's job: every queued import, one at a time. How many ran."""
    count = 0
    while (job_id := claim_next()) is not None:
        run_job(job_id)
        count += 1
    return count


def status(job: ImportJob) -> dict[str, Any]:
    """What the page's script polls."""
    return {"id": job.id, "status": job.status, "phase": job.phase, "done": job.done, "total": job.total,
            "report": job.report}
