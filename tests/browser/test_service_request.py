"""A KGB request from filing to "Selesai", through the pages, as the employee and the officer do it."""
import re

import pytest

from .support import PDF_BYTES, assert_accessible, log_in, log_out, visit

pytestmark = pytest.mark.browser

KGB_DOCUMENTS = {  # label on the form → input name (layani_flow/catalogue.py, service "kgb")
    "SK pangkat terakhir": "doc_sk_pangkat_terakhir",
    "SK KGB terakhir": "doc_sk_kgb_terakhir",
    "SKP satu tahun terakhir": "doc_skp",
}


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def action_form(page, label: str):
    """The case page's one action panel, which offers `label` (a workflow trigger's label) as a button."""
    panel = page.locator("section.action-panel")
    assert panel.get_by_role("button", name=label, exact=True).count() == 1, f"no {label!r} in the panel"
    return panel


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()
    assert_accessible(page)


def status_of(page) -> str:
    return page.locator("dl.case-facts div").filter(has=page.get_by_text("Status", exact=True)).locator("dd").inner_text()


def test_kgb_request_from_filing_to_completed(page, people):
    # The employee files a KGB request with its three required documents.
    log_in(page, people["employee"])
    visit(page, "/kasus/baru/service_request?layanan=kgb")
    page.get_by_label("TMT KGB terakhir").fill("2024-04-01")
    page.get_by_label("Pangkat/golongan sekarang").fill("Penata Muda, III/a")
    for label, name in KGB_DOCUMENTS.items():
        field = page.get_by_label(label)
        assert field.get_attribute("name") == name
        field.set_input_files(pdf(f"{name.removeprefix('doc_')}.pdf"))
    click_and_wait(page, page.get_by_role("button", name="Ajukan permohonan"))
    match = re.search(r"/kasus/(\d+)$", page.url)
    assert match, f"after filing the browser is on {page.url}, not a case page"
    case_path = match.group(0)
    ref = page.locator("p.ref").inner_text().split("·")[0].strip()
    assert status_of(page) == "Diajukan"
    assert page.locator("ul.documents > li").count() == len(KGB_DOCUMENTS)
    log_out(page)

    # The officer finds it in the queue, takes it and verifies every document.
    log_in(page, people["officer"])
    visit(page, "/antrian")
    click_and_wait(page, page.get_by_role("link", name=ref))
    assert page.url.endswith(case_path)
    click_and_wait(page, page.get_by_role("button", name="Klaim kasus"))
    click_and_wait(page, action_form(page, "Mulai verifikasi").get_by_role("button", name="Mulai verifikasi"))
    assert status_of(page) == "Verifikasi berkas"

    # Every document in one round: "Sesuai" for each, one button.
    documents = page.locator("ul.documents > li")
    for i in range(documents.count()):
        documents.nth(i).get_by_label("Sesuai").check()
    click_and_wait(page, page.get_by_role("button", name="Simpan pemeriksaan", exact=True))
    for i in range(documents.count()):
        assert "Terverifikasi" in documents.nth(i).inner_text()

    click_and_wait(page, action_form(page, "Berkas lengkap, proses").get_by_role("button", name="Berkas lengkap, proses"))
    assert status_of(page) == "Diproses"
    complete = action_form(page, "Selesaikan")
    complete.get_by_label("Pesan atau catatan").fill("SK KGB baru sudah terbit dan dikirim ke email Anda.")
    click_and_wait(page, complete.get_by_role("button", name="Selesaikan"))

    assert status_of(page) == "Selesai"
    timeline = page.locator("ol.timeline").inner_text()
    for step in ("Kasus diajukan", "Mulai verifikasi", "diverifikasi", "Berkas lengkap, proses", "Selesaikan",
                 "SK KGB baru sudah terbit"):
        assert step in timeline, f"the timeline lacks {step!r}:\n{timeline}"
    assert timeline.count("diverifikasi") == len(KGB_DOCUMENTS)

    # The employee sees the same outcome.
    log_out(page)
    log_in(page, people["employee"])
    visit(page, case_path)
    assert status_of(page) == "Selesai"


def test_an_officers_own_request_offers_them_nothing_of_the_desk(page, people):
    """Separation of duties on the page: the officer who files a request reads it as its requester, and is
    told why it offers no desk action, on a desktop and at 360 px."""
    log_in(page, people["officer"])
    visit(page, "/kasus/baru/service_request?layanan=kgb")
    page.get_by_label("TMT KGB terakhir").fill("2024-06-01")
    page.get_by_label("Pangkat/golongan sekarang").fill("Penata, III/c")
    for label, name in KGB_DOCUMENTS.items():
        page.get_by_label(label).set_input_files(pdf(f"{name.removeprefix('doc_')}.pdf"))
    click_and_wait(page, page.get_by_role("button", name="Ajukan permohonan"))
    for viewport in ({"width": 1280, "height": 900}, {"width": 360, "height": 780}):
        page.set_viewport_size(viewport)
        assert_accessible(page, context=f"own request at {viewport['width']} px")
        notice = page.get_by_role("note")
        assert notice.is_visible()
        assert "Anda adalah pihak dalam kasus ini" in notice.inner_text()
        for desk_button in ("Klaim kasus", "Mulai verifikasi", "Tugaskan", "Simpan pemeriksaan"):
            assert page.get_by_role("button", name=desk_button).count() == 0, desk_button
        # Withdrawing is there, quietly: a link to a page that asks first.
        assert page.get_by_role("link", name="Batalkan permohonan…").is_visible()
        assert page.get_by_role("button", name="Batalkan permohonan").count() == 0
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
