"""Issue 8, forms, in a real browser at 360 px and 1280 px, with axe on every page: a NIP typed as an SK
prints it, the error summary that leads to the field, a leave's working days counted while typing, the
other party of a mediation chosen by name (with and without JavaScript), and typed text that survives a
session that ended."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import update

from layani_flow import clock
from layani_flow.extensions import db
from layani_flow.models import User, UserSession
from layani_flow.timefmt import WIB

from .conftest import DESKTOP, _new_page
from .support import assert_accessible, log_in, visit

pytestmark = pytest.mark.browser

NARROW = {"width": 360, "height": 740}


@pytest.fixture(params=["360", "1280"])
def any_page(request, browser, live_server, tmp_path):
    """The same test on a 360 px phone and a 1280 px desktop."""
    if request.param == "360":
        context, page = _new_page(browser, live_server, tmp_path, NARROW, is_mobile=True, has_touch=True)
    else:
        context, page = _new_page(browser, live_server, tmp_path, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def no_js_page(browser, live_server, tmp_path):
    context, page = _new_page(browser, live_server, tmp_path, NARROW, java_script_enabled=False)
    yield page
    context.close()


def submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert_accessible(page)


def as_printed(nip: str) -> str:
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def test_sign_in_with_the_nip_as_an_sk_prints_it(any_page, people):
    page = any_page
    visit(page, "/masuk")
    page.get_by_label("NIP").fill(as_printed(people["colleague"].nip))
    page.get_by_label("Kata sandi").fill(people["colleague"].password)
    submit(page, "Masuk")
    assert not re.search(r"/masuk(\?|$)", page.url), page.url


def test_the_error_summary_leads_to_each_field(any_page, people):
    page = any_page
    log_in(page, people["colleague"])
    visit(page, "/kasus/baru/complaint")
    page.get_by_label("Uraian").fill("pendek")
    submit(page, "Kirim pengaduan")
    assert page.title().startswith("Galat: ")
    summary = page.locator(".error-summary")
    assert summary.get_by_role("heading", name="Ada masalah").is_visible()
    link = summary.get_by_role("link", name=re.compile(r"^Judul singkat: "))
    link.click()
    assert page.evaluate("document.activeElement.id") == "subject"
    assert summary.get_by_role("link", name=re.compile(r"^Uraian: ")).is_visible()


def test_a_leave_shows_its_working_days_and_refuses_the_past(any_page, people, live_server):
    page = any_page
    with live_server.app.app_context():
        today = clock.now().astimezone(WIB).date()
    # The coming Monday to the Friday after: a week with no holiday in it is not guaranteed, so the count is
    # the one the server gives for the same dates (checked against the calendar in the view tests).
    monday = today + dt.timedelta(days=7 - today.weekday())
    log_in(page, people["colleague"])
    visit(page, "/kasus/baru/service_request?layanan=cuti")
    page.get_by_label("Jenis cuti").select_option("tahunan")
    page.get_by_label("Tanggal mulai").fill(monday.isoformat())
    page.get_by_label("Tanggal selesai").fill((monday + dt.timedelta(days=4)).isoformat())
    expected = page.request.get(f"/kasus/baru/hari-kerja?mulai={monday}&selesai={monday + dt.timedelta(days=4)}").json()
    count = page.locator("#hari-kerja")
    count.filter(has_text=f"Jumlah hari kerja: {expected['days']}").wait_for()
    # A start in the past is refused, with the summary leading to it.
    page.get_by_label("Tanggal mulai").fill((today - dt.timedelta(days=3)).isoformat())
    page.get_by_label("Alamat selama cuti").fill("Pangkalpinang")
    page.get_by_label("Alasan").fill("Urusan keluarga")
    submit(page, "Ajukan permohonan")
    assert page.locator(".error-summary").get_by_role(
        "link", name="Tanggal mulai: Tanggal mulai tidak boleh sebelum hari ini.").is_visible()
    assert_accessible(page, context="leave form with an error")


def test_choose_the_other_party_by_name_while_typing(any_page, people):
    page = any_page
    log_in(page, people["employee"])
    visit(page, "/kasus/baru/mediation")
    page.get_by_label("Nama atau NIP pihak lain").fill("Rahma")
    choice = page.get_by_role("radio", name=re.compile("Rahmawati"))
    choice.wait_for()
    assert_accessible(page, context="mediation form with the list of matches")
    choice.check()
    fill_mediation(page)
    submit(page, "Ajukan mediasi")
    assert re.search(r"/kasus/\d+$", page.url), page.url


def test_choose_the_other_party_by_name_without_javascript(no_js_page, people):
    # axe runs in the page's JavaScript, so this page is not checked with it: the JavaScript test above
    # checks the same list, which the server draws the same way.
    page = no_js_page

    def send(button: str) -> None:
        with page.expect_navigation():
            page.get_by_role("button", name=button).click()

    page.goto("/masuk")
    page.get_by_label("NIP").fill(people["employee"].nip)
    page.get_by_label("Kata sandi").fill(people["employee"].password)
    send("Masuk")
    page.goto("/kasus/baru/mediation")
    page.get_by_label("Nama atau NIP pihak lain").fill("rahmawati")
    fill_mediation(page)
    send("Ajukan mediasi")
    assert page.url.endswith("/kasus/baru/mediation")
    page.get_by_role("radio", name=re.compile("Rahmawati")).check()
    assert page.get_by_label("Pokok masalah").input_value() == "Jadwal piket"
    send("Ajukan mediasi")
    assert re.search(r"/kasus/\d+$", page.url), page.url


def fill_mediation(page) -> None:
    page.get_by_label("Hubungan").select_option("bawahan")
    page.get_by_label("Pokok masalah").fill("Jadwal piket")
    page.get_by_label("Uraian masalah").fill("Jadwal piket akhir pekan tidak pernah dibagi bergilir.")
    page.get_by_label("dugaan pelanggaran disiplin").select_option("tidak")


def end_sessions_of(live_server, nip: str) -> None:
    """What the idle limit, a password change elsewhere or an admin does: the session row ends."""
    with live_server.app.app_context():
        user_id = db.session.scalar(db.select(User.id).where(User.nip == nip))
        db.session.execute(update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
                           .values(ended_at=clock.now(), end_reason="idle"))
        db.session.commit()
        db.session.remove()


def test_typed_text_comes_back_after_the_session_ended(any_page, people, live_server):
    page = any_page
    person = people["colleague"]
    log_in(page, person)
    visit(page, "/kasus/baru/complaint")
    page.get_by_label("Jenis").select_option("masukan")
    page.get_by_label("Judul singkat").fill("Antrean loket terlalu panjang")
    page.get_by_label("Uraian").fill("Setiap Senin pagi antrean loket kepegawaian mencapai dua jam.")
    end_sessions_of(live_server, person.nip)  # meanwhile, the session runs out
    submit(page, "Kirim pengaduan")
    assert "/masuk" in page.url
    assert page.get_by_text("isian Anda sudah disimpan").is_visible()
    page.get_by_label("NIP").fill(person.nip)
    page.get_by_label("Kata sandi").fill(person.password)
    submit(page, "Masuk")
    assert page.url.endswith("/kasus/baru/complaint"), page.url
    assert page.get_by_text("Isian Anda dari sebelum sesi berakhir dikembalikan").is_visible()
    assert page.get_by_label("Judul singkat").input_value() == "Antrean loket terlalu panjang"
    assert "dua jam" in page.get_by_label("Uraian").input_value()
    assert page.get_by_label("Jenis").input_value() == "masukan"
    submit(page, "Kirim pengaduan")
    assert re.search(r"/kasus/\d+$", page.url), page.url
