"""ChatCanal between two browsers: an employee on a phone-sized screen (360 px) starts a chat, an officer on a
desktop (1280 px) takes it from the waiting list; each one's message appears on the other's page without a
reload (server-sent events), and both pages pass axe at their width."""
import re

import pytest

from .conftest import _new_page
from .support import assert_accessible, log_in, visit

pytestmark = pytest.mark.browser


@pytest.fixture
def two_pages(browser, live_server, tmp_path):
    narrow, employee = _new_page(browser, live_server, tmp_path, {"width": 360, "height": 740})
    wide, officer = _new_page(browser, live_server, tmp_path, {"width": 1280, "height": 800})
    yield employee, officer
    narrow.close()
    wide.close()


def send(page, text: str) -> None:
    page.get_by_label("Pesan", exact=True).fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim", exact=True).click()


def test_a_chat_between_two_browsers_updates_live(two_pages, people):
    employee, officer = two_pages
    log_in(employee, people["employee"])
    visit(employee, "/chat")
    employee.get_by_label("Pesan Anda").fill("Selamat pagi, apakah SK KGB saya sudah terbit?")
    with employee.expect_navigation():
        employee.get_by_role("button", name="Kirim dan mulai chat").click()
    assert re.search(r"/chat/\d+$", employee.url), employee.url
    assert_accessible(employee, context="the employee's chat at 360 px")
    chat_path = "/chat/" + employee.url.rsplit("/chat/", 1)[1]

    log_in(officer, people["officer"])
    visit(officer, "/chat")
    waiting = officer.get_by_role("region", name="Chat menunggu petugas")
    assert waiting.get_by_text("Selamat pagi, apakah SK KGB").is_visible()
    assert waiting.get_by_text(re.compile(r"menunggu \d+ menit")).is_visible()
    with officer.expect_navigation():
        officer.locator(f'a[href="{chat_path}"]').first.click()
    with officer.expect_navigation():
        officer.get_by_role("button", name="Layani chat").click()
    assert officer.url.endswith(chat_path), officer.url
    assert_accessible(officer, context="the officer's chat at 1280 px")

    send(officer, "Selamat pagi, SK KGB Anda sudah terbit; silakan ambil di subbag kepegawaian.")
    # The employee's page was not reloaded: the message arrives over the stream.
    employee.get_by_text("SK KGB Anda sudah terbit").wait_for(timeout=15000)
    assert employee.locator("#chat-messages li").count() >= 2

    send(employee, "Terima kasih, siang ini saya ambil.")
    officer.get_by_text("siang ini saya ambil").wait_for(timeout=15000)

    assert_accessible(employee, context="the employee's chat after live messages (360 px)")
    assert_accessible(officer, context="the officer's chat after live messages (1280 px)")
