"""Search from the header box: the employee files a complaint, the officer finds it by a word, by the
employee's NIP as printed on an SK and by its reference, and opens it; axe at 360 and 1280 px."""
import re

import pytest

from .conftest import _new_page
from .support import assert_accessible, log_in, log_out, visit

pytestmark = pytest.mark.browser

NARROW = {"width": 360, "height": 740}


def search_from_header(page, typed: str) -> None:
    box = page.get_by_role("search", name="Cari kasus")
    box.get_by_role("searchbox", name="Cari kasus").fill(typed)
    with page.expect_navigation():
        box.get_by_role("button", name="Cari").click()
    assert_accessible(page, context=f"after searching for {typed!r} ({page.url})")


def file_complaint(page, subject: str, words: str) -> str:
    visit(page, "/kasus/baru/complaint")
    page.get_by_label("Jenis").select_option("masukan")
    page.get_by_label("Judul singkat").fill(subject)
    page.get_by_label("Uraian").fill(words)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Kirim")).click()
    assert re.search(r"/kasus/\d+$", page.url), page.url
    return page.locator("p.ref").inner_text().split("·")[0].strip()


def test_the_officer_finds_a_case_from_the_header_and_opens_it(page, people):
    log_in(page, people["employee"])
    ref = file_complaint(page, "Kursi ruang tunggu patah", "Kursi plastik oranye di ruang tunggu lantai satu patah dua.")
    log_out(page)

    log_in(page, people["officer"])
    search_from_header(page, "kursi oranye")
    assert "/cari" in page.url
    assert page.get_by_role("heading", level=1, name="Cari kasus").is_visible()
    results = page.locator("table.cases")
    assert results.get_by_role("link", name=ref).is_visible()
    assert page.get_by_role("searchbox", name="Cari kasus").input_value() == "kursi oranye"  # the box keeps what was typed

    nip = people["employee"].nip
    search_from_header(page, f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}")
    assert page.locator("table.cases").get_by_role("link", name=ref).is_visible()
    with page.expect_navigation():
        page.locator("table.cases").get_by_role("link", name=ref).click()
    assert re.search(r"/kasus/\d+$", page.url)
    assert_accessible(page)

    visit(page, "/antrian")
    search_from_header(page, ref.lower())  # a reference typed exactly opens the case
    assert re.search(r"/kasus/\d+$", page.url) and ref in page.locator("p.ref").inner_text()

    search_from_header(page, "tidakadakatainidimanapun")
    assert page.get_by_text("Tidak ada kasus yang cocok").is_visible()


def test_the_search_pages_pass_axe_at_360_and_1280(browser, live_server, tmp_path, page, people):
    narrow_context, narrow = _new_page(browser, live_server, tmp_path, NARROW)
    try:
        for each in (page, narrow):
            log_in(each, people["colleague"])
            for path in ("/cari", "/cari?q=kursi", "/cari?q=%22*%22", "/cari?q=" + "x" * 201):
                each.goto(path)
                assert_accessible(each, context=f"{path} at {each.viewport_size['width']} px")
            each.goto("/")
            search_from_header(each, "kursi")
            # at 360 px the box fits the screen: nothing sticks out sideways
            assert each.evaluate("document.documentElement.scrollWidth") <= each.viewport_size["width"] + 1
    finally:
        narrow_context.close()
