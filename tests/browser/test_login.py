"""Signing in and out in a real browser, on a desktop and on a phone."""
import re

import pytest

from .support import assert_accessible, log_in, log_out, open_menu, visit

pytestmark = pytest.mark.browser


def test_login_page_is_accessible_and_refuses_a_wrong_password(page, people):
    visit(page, "/masuk")
    assert page.get_by_role("heading", level=1).is_visible()
    page.get_by_label("NIP").fill(people["employee"].nip)
    page.get_by_label("Kata sandi").fill("bukan-sandinya")
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("load")
    assert re.search(r"/masuk", page.url)
    assert page.get_by_role("alert").filter(has_text="salah").is_visible()
    assert_accessible(page, context="login page with a wrong password")


def test_employee_logs_in_and_out_on_a_phone(phone_page, people):
    log_in(phone_page, people["employee"])
    # The header folds its menu on a phone: the name is behind "Menu" until it is opened.
    assert not phone_page.get_by_text(people["employee"].name).first.is_visible()
    open_menu(phone_page)
    assert phone_page.get_by_text(people["employee"].name).first.is_visible()
    log_out(phone_page)
    assert phone_page.get_by_role("button", name="Masuk").is_visible()
