"""A person changes her own password in a real browser; too many wrong passwords give the 429 page. Each page
checked with axe-core."""
import re

import pytest

from .support import Person, assert_accessible, log_in, log_out, visit

pytestmark = pytest.mark.browser

NEW_PASSWORD = "ikan tenggiri dari bangka"
NEW_LABEL = re.compile(r"^Kata sandi baru")  # not "Ulangi kata sandi baru"


def test_a_person_changes_her_password_from_the_header(page, people):
    person = people["changer"]
    log_in(page, person)
    page.get_by_role("link", name="Kata sandi").click()
    page.wait_for_url(re.compile(r"/kata-sandi$"))
    assert page.get_by_role("heading", level=1, name="Ganti kata sandi").is_visible()
    assert_accessible(page, context="the change page")

    page.get_by_label("Kata sandi saat ini").fill("bukan-sandinya-lho")
    page.get_by_label(NEW_LABEL).fill(NEW_PASSWORD)
    page.get_by_label("Ulangi kata sandi baru").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Simpan kata sandi baru").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("alert").filter(has_text="Kata sandi saat ini salah.").is_visible()
    assert_accessible(page, context="the change page refusing a wrong current password")

    page.get_by_label("Kata sandi saat ini").fill(person.password)
    page.get_by_label(NEW_LABEL).fill("pendek")
    page.get_by_label("Ulangi kata sandi baru").fill("pendek")
    page.get_by_role("button", name="Simpan kata sandi baru").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Kata sandi minimal 12 karakter.").first.is_visible()
    assert_accessible(page, context="the change page refusing a short password")

    page.get_by_label("Kata sandi saat ini").fill(person.password)
    page.get_by_label(NEW_LABEL).fill(NEW_PASSWORD)
    page.get_by_label("Ulangi kata sandi baru").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Simpan kata sandi baru").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_text("Kata sandi Anda sudah diganti.").is_visible()
    assert_accessible(page, context="home page after the change")

    log_out(page)
    log_in(page, Person(person.nip, person.name, person.role, NEW_PASSWORD))


def test_too_many_wrong_passwords_give_a_429_page(page, people):
    person = people["throttled"]
    visit(page, "/masuk")
    for _ in range(5):
        page.get_by_label("NIP").fill(person.nip)
        page.get_by_label("Kata sandi").fill("bukan-sandinya")
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_load_state("load")
        assert page.get_by_role("alert").filter(has_text="NIP atau kata sandi salah.").is_visible()
    page.get_by_label("NIP").fill(person.nip)
    page.get_by_label("Kata sandi").fill(person.password)  # the right one, refused while throttled
    with page.expect_response(lambda r: r.request.method == "POST" and "/masuk" in r.url) as answer:
        page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("load")
    assert answer.value.status == 429
    assert 890 <= int(answer.value.headers["retry-after"]) <= 901
    assert page.get_by_role("heading", level=1).inner_text() == "Terlalu banyak percobaan"  # in words, no code
    reason = page.locator(".error-page p").first.inner_text()
    assert re.fullmatch(r"Terlalu banyak percobaan masuk\. Coba lagi dalam 1[45] menit\.", reason), reason
    assert_accessible(page, context="the 429 page")
