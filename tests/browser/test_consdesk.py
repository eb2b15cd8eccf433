"""ConsDesk in a real browser: an officer publishes a weekly pattern on a desktop screen; an employee, in a
browser with JavaScript switched off, finds a free slot on the calendar, books it with a topic and sees the
booking; the pages pass axe at 360 and 1280 pixels wide."""
import datetime as dt
import re

import pytest

from layani_flow import clock
from layani_flow.working_time import WIB

from .conftest import _new_page
from .support import assert_accessible, log_in, log_out, visit

pytestmark = pytest.mark.browser

NARROW = {"width": 360, "height": 780}


def next_monday() -> dt.date:
    today = clock.now().astimezone(WIB).date()
    return today + dt.timedelta(days=7 - today.weekday())


def test_an_officer_publishes_a_pattern_and_an_employee_books_without_javascript(
        page, browser, live_server, tmp_path, people):
    monday = next_monday()
    # The officer opens Tuesdays and Thursdays 13.00–14.00 in 30-minute slots for two weeks, by telephone.
    log_in(page, people["officer"])
    visit(page, "/konsultasi/agenda")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Buka jadwal")).first
    form.get_by_label("Selasa").check()
    form.get_by_label("Kamis").check()
    form.get_by_label("Jam mulai").fill("13:00")
    form.get_by_label("Jam selesai").fill("14:00")
    form.get_by_label("Lama satu jadwal (menit)").fill("30")
    form.get_by_label("Mulai berlaku").fill(monday.isoformat())
    form.get_by_label("Berlaku berapa minggu").fill("2")
    form.get_by_label("Cara").select_option("telepon")
    form.get_by_label("Ruang, tautan rapat atau nomor telepon").fill("(0717) 439 012")
    with page.expect_navigation():
        form.get_by_role("button", name="Buka jadwal").click()
    assert_accessible(page, context="agenda after publishing (1280)")
    notice = page.locator(".flash").first.inner_text()
    assert re.search(r"\d+ jadwal konsultasi dibuka", notice), notice
    log_out(page)

    # The employee, JavaScript off, on a phone 360 px wide: the calendar, a slot, the booking form.
    context = browser.new_context(base_url=live_server.url, viewport=NARROW, locale="id-ID",
                                  timezone_id="Asia/Jakarta", java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto("/masuk")
        plain.get_by_label("NIP").fill(people["employee"].nip)
        plain.get_by_label("Kata sandi").fill(people["employee"].password)
        with plain.expect_navigation():
            plain.get_by_role("button", name="Masuk").click()
        plain.goto(f"/konsultasi?mulai={monday.isoformat()}")
        tuesday = plain.locator("li.consult-day").filter(
            has=plain.get_by_role("heading", name=re.compile(r"^Selasa")))
        first_slot = tuesday.first.get_by_role("link").first
        label = first_slot.inner_text()
        assert label.startswith("13.00–13.30") and "Siti Nurhaliza" in label, label
        with plain.expect_navigation():
            first_slot.click()
        plain.get_by_label("Topik konsultasi").fill("Syarat kenaikan pangkat reguler")
        with plain.expect_navigation():
            plain.get_by_role("button", name="Pesan jadwal ini").click()
        assert re.search(r"/kasus/\d+$", plain.url), plain.url
        case_path = re.search(r"/kasus/\d+$", plain.url).group(0)
        summary = plain.locator("main").inner_text()
        assert "Dipesan" in summary and "Syarat kenaikan pangkat reguler" in summary and "13.00" in summary
        assert "sudah dipesan" in plain.locator(".flash").first.inner_text()
        # The slot is no longer offered.
        plain.goto(f"/konsultasi?mulai={monday.isoformat()}")
        first_tuesday = plain.locator("li.consult-day").filter(
            has=plain.get_by_role("heading", name=re.compile(r"^Selasa"))).first
        assert not first_tuesday.get_by_role("link", name=re.compile(r"^13\.00–13\.30")).count()
    finally:
        context.close()

    # The same pages at 360 px with axe (which needs scripts), as that employee sees them.
    narrow_context, narrow = _new_page(browser, live_server, tmp_path, NARROW)
    try:
        log_in(narrow, people["employee"])
        visit(narrow, f"/konsultasi?mulai={monday.isoformat()}")
        slot_link = narrow.locator("ul.consult-slots a").first
        with narrow.expect_navigation():
            slot_link.click()
        assert_accessible(narrow, context="booking form (360)")
        visit(narrow, case_path)
        assert "Dipesan" in narrow.locator("main").inner_text()
        visit(narrow, f"{case_path}/jadwal-ulang")
    finally:
        narrow_context.close()

    # The officer's agenda (the coming seven days) lists the booking when it falls in them, at 1280.
    log_in(page, people["officer"])
    visit(page, "/konsultasi/agenda")
    booked_day = monday + dt.timedelta(days=1)
    if booked_day <= clock.now().astimezone(WIB).date() + dt.timedelta(days=6):
        assert "Andi Pratama" in page.locator("#judul-minggu").locator("..").inner_text()
    visit(page, "/konsultasi")
