"""/standar-pelayanan in a real browser, signed out, at 1280 px and 360 px: the index (maklumat, topic filter,
word search by a plain GET form) and every standard page pass axe and the Content-Security-Policy, and on a
phone the page itself never scrolls sideways (the diagram scrolls in its own box)."""
import pytest

from layani_flow.services.standards import all_standards

from .support import assert_accessible, log_in, open_menu, visit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 360])
def test_anyone_reads_the_service_standards(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    visit(page, "/masuk")
    open_menu(page)
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Standar pelayanan").click()
    page.wait_for_url("**/standar-pelayanan")
    assert_accessible(page, context=f"/standar-pelayanan at {width}px")
    assert page.get_by_role("heading", level=2, name="Maklumat Pelayanan").is_visible()
    # Filter without JavaScript: the form is a GET.
    page.get_by_label("Topik").select_option(label="Pensiun dan mutasi")
    page.get_by_label("Cari layanan").fill("DPCP")
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_url("**/standar-pelayanan?q=DPCP&topik=pensiun_mutasi")
    assert_accessible(page, context=f"filtered index at {width}px")
    page.get_by_role("link", name="Pensiun").click()
    page.wait_for_url("**/standar-pelayanan/pensiun")
    for s in all_standards():
        visit(page, f"/standar-pelayanan/{s.key}")  # axe at this width, no CSP violation
        assert page.get_by_role("heading", level=1, name=f"Standar pelayanan: {s.name}").is_visible()
        assert page.get_by_role("heading", level=2, name="3. Jangka waktu pelayanan").is_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 1, s.key
    response = page.goto("/standar-pelayanan?q=" + "a" * 201)  # refused with its message, accessible too
    assert response is not None and response.status == 400
    assert_accessible(page, context=f"words too long at {width}px")


def test_an_employee_goes_from_the_form_to_its_standard(page, people):
    log_in(page, people["employee"])
    visit(page, "/kasus/baru/service_request?layanan=kgb")
    page.get_by_role("link", name="Lihat standar pelayanan").click()
    page.wait_for_url("**/standar-pelayanan/kgb")
    assert_accessible(page, context="/standar-pelayanan/kgb signed in")
    assert page.get_by_text("sejak berkas lengkap diterima").first.is_visible()
