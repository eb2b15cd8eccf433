"""Complaints (anonymous, on a phone, and named) and a mediation request, filed through the pages."""
import re

import pytest

from .support import assert_accessible, log_in, visit

pytestmark = pytest.mark.browser


def submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert_accessible(page)


def status_of(page) -> str:
    return page.locator("dl.case-facts div").filter(has=page.get_by_text("Status", exact=True)).locator("dd").inner_text()


def test_anonymous_complaint_on_a_phone_gives_a_code_that_tracks_it(phone_page):
    page = phone_page
    visit(page, "/aduan-anonim")
    page.get_by_label("Jenis").select_option("pengaduan")
    page.get_by_label("Judul singkat").fill("Antrian loket absensi terlalu lama")
    page.get_by_label("Uraian").fill("Setiap pagi mesin absensi di lantai dua rusak dan antrian mengular sampai 08.00.")
    # The honeypot is off screen and out of the tab order; its label asks screen-reader users to leave it.
    honeypot = page.get_by_label("Kosongkan kolom ini")
    box = honeypot.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0, box
    assert honeypot.get_attribute("tabindex") == "-1" and honeypot.input_value() == ""
    submit(page, "Kirim pengaduan")

    assert page.url.endswith("/lacak/kode"), page.url
    code = page.get_by_label("Kode pelacakan").inner_text().strip()
    assert len(code) >= 6, f"no tracking code on the page: {code!r}"
    ref = page.get_by_text(re.compile(r"Nomor pengaduan")).inner_text()

    visit(page, "/lacak")
    page.get_by_label("Kode pelacakan").fill(code)
    submit(page, "Lacak")
    assert page.url.endswith("/lacak/kasus")
    assert page.get_by_role("heading", level=1, name="Antrian loket absensi terlalu lama").is_visible()
    assert status_of(page) == "Diterima"
    assert page.locator("p.ref").inner_text().split("·")[0].strip() in ref
    assert code not in page.content(), "the tracking code must not be shown again after the first page"

    # A wrong code finds nothing.
    visit(page, "/lacak")
    page.get_by_label("Kode pelacakan").fill("BUKAN-KODE-INI")
    page.get_by_role("button", name="Lacak").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("alert").filter(has_text="tidak ditemukan").is_visible()
    assert_accessible(page, context="/lacak with an unknown code")


def test_a_filled_honeypot_is_shown_with_its_error_and_nothing_is_filed(phone_page):
    page = phone_page
    visit(page, "/aduan-anonim")
    page.get_by_label("Jenis").select_option("kritik")
    page.get_by_label("Judul singkat").fill("Papan informasi tidak diperbarui")
    page.get_by_label("Uraian").fill("Pengumuman kenaikan pangkat periode April belum ditempel sampai sekarang.")
    page.get_by_label("Kosongkan kolom ini").fill("http://spam.example", force=True)  # as software would
    submit(page, "Kirim pengaduan")
    assert page.url.endswith("/aduan-anonim"), page.url
    honeypot = page.get_by_label("Kosongkan kolom ini")
    assert honeypot.is_visible() and honeypot.bounding_box()["x"] >= 0  # a person can now see and empty it
    assert page.get_by_text("sehingga pengaduan tidak dikirim").first.is_visible()
    assert page.get_by_label("Judul singkat").input_value() == "Papan informasi tidak diperbarui"


def test_employee_files_a_named_complaint(page, people):
    log_in(page, people["employee"])
    visit(page, "/kasus/baru")
    visit(page, "/kasus/baru/complaint")
    page.get_by_label("Jenis").select_option("masukan")
    page.get_by_label("Judul singkat").fill("Formulir cuti sebaiknya daring")
    page.get_by_label("Uraian").fill("Formulir cuti masih dicetak dan ditandatangani basah; mohon dibuat daring.")
    submit(page, "Kirim pengaduan")
    assert re.search(r"/kasus/\d+$", page.url), page.url
    assert page.get_by_role("heading", level=1, name="Formulir cuti sebaiknya daring").is_visible()
    assert status_of(page) == "Diterima"
    assert people["employee"].name in page.locator("dl.summary").inner_text()


def test_employee_asks_for_mediation_with_the_superior(page, people):
    log_in(page, people["employee"])
    visit(page, "/kasus/baru/mediation")
    page.get_by_label("NIP pihak lain").fill(people["kasubbag"].nip)
    page.get_by_label("Hubungan").select_option("atasan")
    page.get_by_label("Pokok masalah").fill("Pembagian tugas lapangan")
    page.get_by_label("Uraian masalah").fill("Saya selalu ditugaskan ke lapangan tanpa jadwal bergilir sejak Juli.")
    page.get_by_label("Hasil yang diharapkan").fill("Jadwal tugas lapangan bergilir.")
    page.get_by_label("dugaan pelanggaran disiplin").select_option("tidak")
    submit(page, "Ajukan mediasi")
    assert re.search(r"/kasus/\d+$", page.url), page.url
    assert page.get_by_role("heading", level=1, name="Pembagian tugas lapangan").is_visible()
    assert status_of(page) == "Diajukan"
