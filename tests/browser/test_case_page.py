"""The case page that leads, in a real browser: every document reviewed in one round, withdrawal that asks
first, the header's menu folded on a phone without JavaScript, the queue's bulk claim; axe at 360 and 1280 px.

With LAYANI_SCREENSHOT_DIR=<folder> the tests also photograph the pages they walk through (docs/screenshots/
holds the committed ones)."""
from __future__ import annotations

import re

import pytest

from .conftest import DESKTOP, _new_page
from .support import PDF_BYTES, assert_accessible, log_in, log_out, open_menu, photograph, visit

pytestmark = pytest.mark.browser

KGB_DOCUMENTS = {"SK pangkat terakhir": "sk-pangkat.pdf", "SK KGB terakhir": "sk-kgb.pdf",
                 "SKP satu tahun terakhir": "skp-2025.pdf"}
SIZES = ({"width": 1280, "height": 900}, {"width": 360, "height": 780})


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()
    assert_accessible(page)


def at_both_sizes(page, context: str) -> None:
    for size in SIZES:
        page.set_viewport_size(size)
        assert_accessible(page, context=f"{context} at {size['width']} px")
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{context} scrolls sideways at {size['width']} px")
    page.set_viewport_size(DESKTOP)


def file_kgb(page, tmt: str = "2024-04-01") -> str:
    """The signed-in employee files a KGB request with its three documents; answers the case's path."""
    visit(page, "/kasus/baru/service_request?layanan=kgb")
    page.get_by_label("TMT KGB terakhir").fill(tmt)
    page.get_by_label("Pangkat/golongan sekarang").fill("Penata Muda, III/a")
    for label, name in KGB_DOCUMENTS.items():
        page.get_by_label(label).set_input_files({"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES})
    click_and_wait(page, page.get_by_role("button", name="Ajukan permohonan"))
    return re.search(r"/kasus/-?\d+$", page.url).group(0)


def next_step(page) -> str:
    return page.locator("#langkah-berikut").inner_text()


def test_documents_reviewed_in_one_round_and_the_page_leads(page, people):
    log_in(page, people["employee"])
    case_path = file_kgb(page)
    assert next_step(page).startswith("Tidak ada yang perlu Anda lakukan")
    log_out(page)

    log_in(page, people["officer"])
    visit(page, case_path)
    assert next_step(page).startswith("Anda perlu: mengambil kasus ini")
    click_and_wait(page, page.get_by_role("button", name="Klaim kasus"))
    click_and_wait(page, page.get_by_role("button", name="Mulai verifikasi"))
    assert next_step(page) == "Anda perlu: memverifikasi 3 dokumen."
    at_both_sizes(page, "officer's case page in verification")
    photograph(page, "case-page-officer-1280")
    # Two screens at 1280 px: the whole case, from the header to the footer.
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height <= 2 * DESKTOP["height"], f"the case page is {height} px tall"

    documents = page.locator("ul.documents > li")
    # A rejection without its reason: refused as a whole, nothing saved, the choices kept.
    documents.nth(0).get_by_label("Sesuai").check()
    documents.nth(2).get_by_label("Tolak", exact=True).check()
    click_and_wait(page, page.get_by_role("button", name="Simpan pemeriksaan", exact=True))
    summary = page.get_by_role("alert")
    assert "Tuliskan mengapa dokumen ditolak." in summary.inner_text()
    assert documents.nth(0).get_by_label("Sesuai").is_checked()
    assert page.locator(".badge.review-verified").count() == 0
    summary.get_by_role("link", name="Tuliskan mengapa dokumen ditolak.").click()
    assert page.evaluate("() => location.hash") == "#doc3_note"

    documents.nth(2).get_by_label("Alasan bila ditolak").fill("SKP belum ditandatangani atasan.")
    click_and_wait(page, page.get_by_role("button", name="Simpan, verifikasi sisanya"))
    statuses = [documents.nth(i).locator(".badge").inner_text() for i in range(3)]
    assert statuses == ["Terverifikasi", "Terverifikasi", "Ditolak"]
    assert "1 ditolak" in page.locator(".flash-success").inner_text()

    # The officer asks for a revision with the panel's one comment box.
    page.get_by_label("Pesan atau catatan").fill("Mohon unggah SKP yang sudah ditandatangani.")
    click_and_wait(page, page.get_by_role("button", name="Minta perbaikan berkas"))
    log_out(page)

    # The employee sees why, at the top, and what to do.
    log_in(page, people["employee"])
    visit(page, case_path)
    banner = page.locator(".banner-revision")
    assert "Mohon unggah SKP yang sudah ditandatangani." in banner.inner_text()
    assert "SKP belum ditandatangani atasan." in banner.inner_text()
    assert next_step(page).startswith("Anda perlu: memperbaiki berkas")
    at_both_sizes(page, "employee's case page waiting on a revision")
    page.set_viewport_size(SIZES[1])
    photograph(page, "case-page-employee-360")
    page.set_viewport_size(DESKTOP)


def test_withdrawal_asks_first_and_can_be_called_off(page, people):
    log_in(page, people["colleague"])
    case_path = file_kgb(page, "2024-05-01")
    assert page.get_by_role("button", name="Batalkan permohonan").count() == 0
    click_and_wait(page, page.get_by_role("link", name="Batalkan permohonan…"))
    assert page.get_by_role("heading", level=1).inner_text() == "Batalkan permohonan?"
    at_both_sizes(page, "withdrawal confirmation")
    click_and_wait(page, page.get_by_role("link", name="Tidak, kembali ke kasus"))
    assert page.url.endswith(case_path)
    assert page.locator("dl.case-facts .badge").inner_text() == "Diajukan"

    click_and_wait(page, page.get_by_role("link", name="Batalkan permohonan…"))
    page.get_by_label("Catatan").fill("Salah memilih layanan.")
    click_and_wait(page, page.get_by_role("button", name="Ya, batalkan permohonan"))
    assert page.url.endswith(case_path)
    assert page.locator("dl.case-facts .badge").inner_text() == "Dibatalkan pemohon"
    assert "Salah memilih layanan." in page.locator("ol.timeline").inner_text()


def test_the_phone_menu_folds_without_javascript(browser, live_server, tmp_path, people):
    """The menu is a <details>: it folds and unfolds with JavaScript switched off. (axe needs JavaScript, so
    the same header is checked with axe, folded and open, in a phone page that has it, below.)"""
    context, page = _new_page(browser, live_server, tmp_path, {"width": 360, "height": 780},
                              java_script_enabled=False, is_mobile=True, has_touch=True)
    try:
        page.goto("/masuk")
        page.get_by_label("NIP").fill(people["officer"].nip)
        page.get_by_label("Kata sandi").fill(people["officer"].password)
        with page.expect_navigation():
            page.get_by_role("button", name="Masuk").click()
        header = page.locator("header.site-header")
        assert header.bounding_box()["height"] <= 80, "the folded header stays small on a phone"
        queue = page.get_by_role("link", name="Antrian", exact=True)
        assert not queue.is_visible()
        open_menu(page)
        assert queue.is_visible() and page.get_by_role("button", name="Keluar").is_visible()
        with page.expect_navigation():
            queue.click()
        assert page.url.endswith("/antrian")
        assert not page.get_by_role("link", name="Alur kerja", exact=True).is_visible()  # folded on the new page
        # From 48rem the menu is simply the header's navigation, no "Menu" to press.
        page.set_viewport_size(DESKTOP)
        assert not page.locator("details.menu > summary").is_visible()
        assert page.get_by_role("link", name="Antrian", exact=True).is_visible()
    finally:
        context.close()


def test_the_phone_menu_is_accessible_folded_and_open(page, people):
    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, people["officer"])
    assert_accessible(page, context="the phone header, folded")
    open_menu(page)
    assert page.get_by_role("link", name="Antrian", exact=True).is_visible()
    assert_accessible(page, context="the phone header, open")


def test_bulk_claim_from_the_queue(page, people):
    log_in(page, people["employee"])
    paths = [file_kgb(page, f"2024-0{m}-01") for m in (6, 7)]
    log_out(page)
    log_in(page, people["officer"])
    visit(page, "/antrian")
    at_both_sizes(page, "the queue")
    photograph(page, "queue-1280")
    refs = []
    for path in paths:
        row = page.locator("table.queue tr").filter(has=page.locator(f'a[href="{path}"]'))
        refs.append(row.locator("td.ref-cell").inner_text())
        row.get_by_role("checkbox").check()
        # One line per case: nothing in the row wraps.
        assert row.bounding_box()["height"] < 50, f"the queue's row of {path} wraps"
    click_and_wait(page, page.get_by_role("button", name="Klaim yang dicentang"))
    assert f"2 kasus diklaim: {refs[0]}, {refs[1]}." in page.locator(".flash-success").inner_text() or \
        f"2 kasus diklaim: {refs[1]}, {refs[0]}." in page.locator(".flash-success").inner_text()
    visit(page, "/antrian?tampilan=saya")
    for ref in refs:
        assert page.get_by_role("link", name=ref).is_visible()
