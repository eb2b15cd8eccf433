"""Personnel data and reminders in a real browser: the reminder in the inbox opens the prefilled KGB form,
"Data kepegawaian saya" and its correction request, the desk's planning list; axe at desktop and phone width."""
from __future__ import annotations

import datetime as dt

import pytest

from layani_flow.extensions import db as _db
from layani_flow.services import reminders
from layani_flow.services.users import create_user
from layani_flow.working_time import WIB

from .support import PASSWORD, Person, log_in, visit

pytestmark = pytest.mark.browser

# Someone of their own, so no other browser test's inbox changes: a KGB on 1 October 2027, reminded at T−4.
REMINDED = Person("199304052019031001", "Galih Prasetyo", "employee")


@pytest.fixture(scope="module")
def reminded(live_server):
    with live_server.app.app_context():
        person = create_user(nip=REMINDED.nip, name=REMINDED.name, email="galih@dkp.babelprov.go.id",
                             role="employee", password=PASSWORD, unit="Bidang Kelautan")
        person = _db.session.merge(person)
        person.kgb_tmt, person.grade = dt.date(2025, 10, 1), "III/a"
        _db.session.commit()
        report = reminders.send_due_reminders(dt.datetime(2027, 6, 1, 7, 0, tzinfo=WIB))
        assert report.sent == {"kgb": 1}  # nobody else in the browser leg has personnel data
        _db.session.remove()
    return REMINDED


def test_the_reminder_opens_the_prefilled_kgb_form(page, reminded):
    log_in(page, reminded)
    visit(page, "/")
    page.get_by_role("link", name="Ajukan Kenaikan gaji berkala (KGB)").click()
    page.wait_for_url("**/kasus/baru/service_request?layanan=kgb")
    assert page.locator("#tmt_kgb_terakhir").input_value() == "2025-10-01"
    assert page.locator("#golongan").input_value() == "Penata Muda, III/a"


def test_my_data_and_the_correction_request(page, phone_page, reminded):
    for each in (page, phone_page):
        log_in(each, reminded)
        visit(each, "/data-saya")
        assert each.get_by_text("1 Oktober 2027").is_visible()  # the next KGB
    page.get_by_role("link", name="Ajukan perbaikan data").click()
    page.wait_for_url("**layanan=pemutakhiran_data**")
    assert "TMT KGB terakhir: 1 Oktober 2025" in page.locator("#keterangan").input_value()


def test_the_planning_list(page, phone_page, people, reminded):
    for each in (page, phone_page):
        log_in(each, people["officer"])
        visit(each, "/perencanaan?bulan=12")
    assert page.get_by_role("heading", level=1, name="Perencanaan kepegawaian").is_visible()
    assert page.get_by_role("link", name="Unduh CSV daftar ini").is_visible()
