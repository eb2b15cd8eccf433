"""Informasi in a real browser: an officer writes an announcement for one unit asking for acknowledgement (at
1280 px); an employee of that unit, on a phone 360 px wide, finds it in "Perlu tindakan Anda", reads it and
acknowledges it; the officer sees who has. Every page passes axe at both widths."""
import re

import pytest

from layani_flow.extensions import db as _db
from layani_flow.services.users import create_user

from .conftest import _new_page
from .support import PASSWORD, Person, assert_accessible, log_in, log_out, visit

pytestmark = pytest.mark.browser

NARROW = {"width": 360, "height": 780}
UNIT = "Bidang Uji Informasi"  # its own unit: nobody else's inbox in the shared live server changes
READER = Person("199107072018012003", "Dewi Lestari", "employee")


def test_an_officer_announces_and_an_employee_reads_and_acknowledges(page, browser, live_server, tmp_path, people):
    with live_server.app.app_context():
        create_user(nip=READER.nip, name=READER.name, email="dewi.informasi@dkp.babelprov.go.id", role="employee",
                    password=PASSWORD, unit=UNIT)
        _db.session.remove()

    log_in(page, people["officer"])
    visit(page, "/informasi")
    page.get_by_role("link", name="Tulis pengumuman").click()
    page.wait_for_url(re.compile(r"/informasi/tulis$"))
    assert_accessible(page, context="compose (1280)")
    page.get_by_label("Judul").fill("Pakta integritas pegawai 2027")
    page.get_by_label("Topik").select_option("kebijakan")
    page.get_by_label("Isi pengumuman").fill("Setiap pegawai menandatangani pakta integritas paling lambat 15 Januari.")
    page.get_by_label(UNIT).check()
    page.get_by_label(re.compile("Minta konfirmasi")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Terbitkan dan kirim").click()
    assert re.search(r"/informasi/\d+$", page.url), page.url
    announcement_path = re.search(r"/informasi/\d+$", page.url).group(0)
    assert "diterbitkan" in page.locator(".flash").first.inner_text()
    assert_accessible(page, context="announcement after publishing (1280)")
    log_out(page)

    context, phone = _new_page(browser, live_server, tmp_path, NARROW)
    try:
        log_in(phone, READER)  # lands on the inbox, checked with axe at 360
        line = phone.locator("li.inbox-item").filter(has_text="Pakta integritas pegawai 2027")
        assert "Pengumuman untuk Anda" in line.inner_text() and "Belum dibaca" in line.inner_text()
        with phone.expect_navigation():
            line.get_by_role("link", name=re.compile("^Baca")).click()
        assert phone.url.endswith(announcement_path)
        assert_accessible(phone, context="announcement (360)")
        with phone.expect_navigation():
            phone.get_by_role("button", name="Saya sudah membaca dan memahami").click()
        assert "konfirmasi Anda sudah dicatat" in phone.locator(".flash").first.inner_text()
        assert "Anda sudah mengonfirmasi" in phone.locator("main").inner_text()
        assert_accessible(phone, context="announcement acknowledged (360)")
        visit(phone, "/")
        assert phone.locator("li.inbox-item").filter(has_text="Pakta integritas pegawai 2027").count() == 0
        visit(phone, "/informasi?topik=kebijakan&q=integritas")
        assert phone.get_by_role("link", name="Pakta integritas pegawai 2027").count() == 1
        assert "Sudah dikonfirmasi" in phone.locator("main").inner_text()
    finally:
        context.close()

    log_in(page, people["officer"])
    visit(page, f"{announcement_path}/pembaca")
    text = page.locator("main").inner_text()
    assert "1 dari 1 penerima sudah mengonfirmasi" in text and READER.name in text
