"""/admin/impor-pegawai: admins only; upload, preview, run by the worker, report; bad uploads answer 4xx."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from layani_flow.models import ImportJob, OutboxMessage, User
from layani_flow.services import import_jobs
from layani_flow.services.worker import run_cycle

from ..factories import UserFactory
from .samples import csv_text, office, person


def upload(web, text: str | bytes, name: str = "pegawai.csv"):
    data = text.encode() if isinstance(text, str) else text
    return web.post_form("/admin/impor-pegawai", {"file": (io.BytesIO(data), name)},
                         content_type="multipart/form-data")


@pytest.fixture
def admin(db):
    return UserFactory(role="admin")


@pytest.mark.parametrize("role", ["employee", "officer", "supervisor"])
def test_only_admins(db, web, role):
    user = UserFactory(role=role)
    job = ImportJob(created_by_id=user.id, created_at=user.created_at, content="nip\n", preview={})
    db.session.add(job)
    db.session.commit()
    for url in ("/admin/impor-pegawai", f"/admin/impor-pegawai/{job.id}", f"/admin/impor-pegawai/{job.id}/status",
                "/admin/impor-pegawai/contoh.csv"):
        assert web.get(url).status_code == 302  # not signed in: to the login page
    web.login(user)
    for url in ("/admin/impor-pegawai", f"/admin/impor-pegawai/{job.id}", f"/admin/impor-pegawai/{job.id}/status",
                "/admin/impor-pegawai/contoh.csv"):
        assert web.get(url).status_code == 403
    assert upload(web, csv_text([person(1)])).status_code == 403
    assert web.post_form(f"/admin/impor-pegawai/{job.id}/jalankan").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 1


def test_upload_preview_run_by_the_worker_and_report(db, web, admin, clock):
    known = UserFactory(nip=person(15)["nip"], email="impor15@dkp.babelprov.go.id")
    web.login(admin)
    rows = office(20)
    answer = upload(web, csv_text(rows))
    assert answer.status_code == 303
    page = web.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Pegawai baru: <strong>19</strong>" in page and "Diperbarui: <strong>1</strong>" in page
    assert "Jalankan impor" in page and known.nip in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 2  # nothing written yet
    job_id = db.session.scalars(select(ImportJob.id)).one()
    assert web.post_form(f"/admin/impor-pegawai/{job_id}/jalankan").status_code == 303
    page = web.get(f"/admin/impor-pegawai/{job_id}").get_data(as_text=True)
    assert "<progress" in page and 'http-equiv="refresh"' in page and "Muat ulang" in page
    assert web.get(f"/admin/impor-pegawai/{job_id}/status").get_json()["status"] == "queued"
    # A second press does not queue it twice.
    assert web.post_form(f"/admin/impor-pegawai/{job_id}/jalankan").status_code == 409
    run_cycle(echo=lambda line: None)
    status = web.get(f"/admin/impor-pegawai/{job_id}/status").get_json()
    assert status["status"] == "done" and status["report"]["created"] == 19 and status["done"] == 20
    page = web.get(f"/admin/impor-pegawai/{job_id}").get_data(as_text=True)
    assert "Selesai" in page and "<progress" not in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 21
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 19


def test_a_file_with_errors_shows_every_line_and_cannot_run(db, web, admin):
    web.login(admin)
    rows = [person(1), person(2, golongan="Z/z"), person(3, tanggal_lahir="1999-01-01")]
    answer = upload(web, csv_text(rows))
    page = web.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Kesalahan (2)" in page and "Jalankan impor" not in page
    assert "<td data-label=\"Baris\">3</td>" in page and "<td data-label=\"Baris\">4</td>" in page
    job = db.session.scalars(select(ImportJob)).one()
    assert web.post_form(f"/admin/impor-pegawai/{job.id}/jalankan").status_code == 409


def test_errors_that_appear_after_the_preview_fail_the_run_and_write_nothing(db, web, admin):
    web.login(admin)
    upload(web, csv_text([person(1), person(2)]))
    job_id = db.session.scalars(select(ImportJob.id)).one()
    web.post_form(f"/admin/impor-pegawai/{job_id}/jalankan")
    UserFactory(email="impor2@dkp.babelprov.go.id")  # someone took that address meanwhile
    run_cycle(echo=lambda line: None)
    job = db.session.get(ImportJob, job_id)
    assert job.status == "failed" and job.report["errors"][0]["line"] == 3
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


@pytest.mark.parametrize("data, message", [
    (b"", "Berkas kosong"),
    (b"nip,nama,email\n\xff\n", "bukan teks UTF-8"),
    (b"\x00\x01\x02", "bukan teks CSV"),
])
def test_bad_uploads_answer_422_with_a_message(db, web, admin, data, message):
    web.login(admin)
    answer = upload(web, data)
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_too_large_a_file_is_refused(app, db, web, admin):
    app.config["IMPORT_MAX_BYTES"] = 2048
    web.login(admin)
    answer = upload(web, csv_text(office(40)))
    assert answer.status_code == 422 and "terlalu besar" in answer.get_data(as_text=True)


def test_no_file_chosen_and_no_csrf(db, web, admin):
    web.login(admin)
    assert web.post_form("/admin/impor-pegawai", {}, content_type="multipart/form-data").status_code == 422
    assert web.post("/admin/impor-pegawai", data={}).status_code == 400


def test_a_job_is_claimed_once(db, admin):
    job = import_jobs.upload(admin, "a.csv", csv_text([person(1)]).encode())
    import_jobs.queue(admin, job.id)
    assert import_jobs.claim_next() == job.id
    assert import_jobs.claim_next() is None


def test_the_sample_downloads_and_imports_cleanly(db, web, admin):
    web.login(admin)
    answer = web.get("/admin/impor-pegawai/contoh.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    from layani_flow.services.employee_import import run_import
    assert run_import(answer.data)["created"] == 2
