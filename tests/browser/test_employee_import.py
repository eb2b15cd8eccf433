"""The admin imports employees in a real browser: upload, preview, "Jalankan impor", the progress bar moving
while the worker runs it, and the report; a bad file's per-line errors. Each page checked with axe-core, on a
desktop and on a phone."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from ..hr_import.samples import csv_text, office, person
from .support import Person, assert_accessible, log_in, visit

pytestmark = pytest.mark.browser

ADMIN = Person("198803052012121001", "Dewi Lestari", "admin")


@pytest.fixture(scope="module")
def admin(live_server):
    from layani_flow.extensions import db
    from layani_flow.services.users import create_user

    with live_server.app.app_context():
        create_user(nip=ADMIN.nip, name=ADMIN.name, email="admin.impor@dkp.babelprov.go.id", role="admin",
                    password=ADMIN.password)
        db.session.remove()
    return ADMIN


def in_app(live_server, fn):
    from layani_flow.extensions import db

    with live_server.app.app_context():
        try:
            return fn()
        finally:
            db.session.remove()


def test_upload_preview_run_with_progress_and_report(page, live_server, admin, tmp_path):
    from layani_flow.extensions import db
    from layani_flow.models import ImportJob
    from layani_flow.services import import_jobs

    log_in(page, admin)
    visit(page, "/admin")
    page.get_by_role("link", name="Impor pegawai").click()
    page.wait_for_url(re.compile(r"/admin/impor-pegawai$"))
    assert_accessible(page, context="the import page")

    rows = office(40)
    path = tmp_path / "pegawai.csv"
    path.write_text(csv_text(rows, sep=";"), encoding="utf-8-sig")  # as Excel in Indonesia saves it
    page.get_by_label(re.compile("Berkas CSV pegawai")).set_input_files(str(path))
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_url(re.compile(r"/admin/impor-pegawai/\d+$"))
    assert page.get_by_text("Pegawai baru: 40").is_visible()
    assert_accessible(page, context="the preview")

    page.get_by_role("button", name="Jalankan impor").click()
    page.wait_for_load_state("load")
    bar = page.locator("progress#impor-progress")
    assert bar.is_visible()
    assert page.get_by_text("Menunggu worker").is_visible()
    assert_accessible(page, context="the queued import")
    job_id = int(page.url.rsplit("/", 1)[1])

    # A worker claims it and has checked half of the rows: the bar follows without a reload.
    def halfway():
        assert import_jobs.claim_next() == job_id
        db.session.execute(update(ImportJob).where(ImportJob.id == job_id).values(done=20, total=40))
        db.session.commit()
    in_app(live_server, halfway)
    page.get_by_text("20 dari 40 baris diperiksa.").wait_for()
    assert bar.evaluate("b => [b.value, b.max]") == [20, 40]
    assert_accessible(page, context="the running import")

    in_app(live_server, lambda: import_jobs.run_job(job_id))
    page.get_by_role("heading", name="Hasil").wait_for()  # the script reloads the page once it is done
    assert page.get_by_text("Pegawai baru: 40").is_visible()
    assert page.get_by_text("Undangan atur kata sandi masuk antrean email untuk 40 pegawai baru.").is_visible()
    assert_accessible(page, context="the finished import")


def test_a_bad_file_lists_every_line_on_a_phone(phone_page, live_server, admin, tmp_path):
    page = phone_page
    log_in(page, admin)
    visit(page, "/admin/impor-pegawai")
    rows = [person(901), person(902, golongan="Z/z"), person(903, tanggal_lahir="1999-01-01")]
    path = tmp_path / "salah.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    page.get_by_label(re.compile("Berkas CSV pegawai")).set_input_files(str(path))
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_url(re.compile(r"/admin/impor-pegawai/\d+$"))
    assert page.get_by_role("heading", name="Kesalahan (2)").is_visible()
    assert page.get_by_role("button", name="Jalankan impor").count() == 0
    assert_accessible(page, context="a preview with errors, on a phone")

    visit(page, "/admin/impor-pegawai")
    path.write_bytes(b"nip,nama,email\n\xff\xfe\n")
    page.get_by_label(re.compile("Berkas CSV pegawai")).set_input_files(str(path))
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("alert").filter(has_text="bukan teks UTF-8").is_visible()
    assert_accessible(page, context="an upload refused, on a phone")
