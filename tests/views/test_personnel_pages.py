"""The personnel pages: who may open each (a table like tests/views/test_permission_matrix.py), the reminder's
link into the prefilled request form, "Data kepegawaian saya", the planning list and its CSV, the admin's form."""
from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import SentReminder
from layani_flow.services import reminders

from ..factories import UserFactory
from ..timekit import wib

M = "302→/masuk"
ACTORS = ("anon", "employee", "officer", "supervisor", "head", "admin")
# employee: the person the reminder is about; supervisor: a kabid (not the desk head); head: the desk head

ROUTES = {
    #                                           anon  emp  off  sup  head adm
    "GET /data-saya":                          (M,   200, 200, 200, 200, 200),
    "GET /perencanaan":                        (M,   403, 200, 403, 200, 200),
    "GET /perencanaan?bulan=12&aturan=kgb":    (M,   403, 200, 403, 200, 200),
    "GET /perencanaan?bulan=5":                (M,   403, 422, 403, 422, 422),
    "GET /perencanaan/ekspor.csv":             (M,   403, 200, 403, 200, 200),
    "GET /admin/pengguna/<id>/kepegawaian":    (M,   403, 403, 403, 403, 200),
    "POST /admin/pengguna/<id>/kepegawaian":   (M,   403, 403, 403, 403, 303),
    "GET /admin/pengguna/<unknown>/kepegawaian": (M, 403, 403, 403, 403, 404),
    "GET /pengingat/<the employee's>":         (M,   302, 404, 404, 404, 404),
    "POST /pengingat/<the employee's>/sembunyikan": (M, 303, 404, 404, 404, 404),
    "GET /pengingat/<the desk's>":             (M,   404, 302, 404, 302, 302),
    "POST /pengingat/<the desk's>/sembunyikan": (M,  404, 303, 404, 303, 303),
    "GET /pengingat/<unknown>":                (M,   404, 404, 404, 404, 404),
    "GET /pengingat/<id>/sembunyikan":         (405, 405, 405, 405, 405, 405),
}


@pytest.fixture
def world(app, desk, clock):
    desk.employee.kgb_tmt = dt.date(2025, 4, 1)
    db.session.commit()
    reminders.send_due_reminders(wib(2026, 12, 1, 6, 0))   # the employee's KGB at T−4
    reminders.send_due_reminders(wib(2027, 3, 1, 6, 0))    # the desk's notice at T−1 (nothing filed)
    clock.set(wib(2027, 3, 2, 9, 0))
    # the latest of the employee's (T−3 months went out with the desk's run): the one the inbox shows
    mine = db.session.scalar(select(SentReminder).where(SentReminder.rule == "kgb").order_by(SentReminder.due_on.desc()))
    desks = db.session.scalar(select(SentReminder).where(SentReminder.rule == "kgb_desk"))
    people = {"employee": desk.employee, "officer": desk.officer, "supervisor": desk.kabid, "head": desk.kasubbag,
              "admin": desk.admin}
    return desk, people, mine.id, desks.id


def _call(web, route: str, office, mine: int, desks: int):
    method, path = route.split(" ", 1)
    path = (path.replace("<id>", str(office.colleague.id)).replace("<unknown>", "999999")
            .replace("<the employee's>", str(mine)).replace("<the desk's>", str(desks)))
    if method == "GET":
        return web.get(path)
    data = {"position": "Pengelola Kepegawaian", "position_kind": "administrasi", "unit": "Sekretariat"}
    return web.post_form(path, data)


def _outcome(response) -> object:
    if response.status_code == 302 and urlsplit(response.location).path == "/masuk":
        return M
    return response.status_code


@pytest.mark.parametrize("route", list(ROUTES))
def test_who_may_open_what(world, web, route):
    office, people, mine, desks = world
    for actor, expected in zip(ACTORS, ROUTES[route], strict=True):
        if actor != "anon":
            web.login(people[actor])
        assert _outcome(_call(web, route, office, mine, desks)) == expected, (route, actor)
        if actor != "anon":
            web.logout()
        # a refused hide leaves the reminder where it was
        if expected != 303 and "sembunyikan" in route:
            assert all(r.dismissed_at is None for r in db.session.scalars(select(SentReminder)))
        db.session.expire_all()
        for row in db.session.scalars(select(SentReminder)):
            row.dismissed_at = None
        db.session.commit()


def test_the_reminders_link_opens_the_form_filled_from_the_persons_data(world, login_as):
    office, _, mine, _ = world
    web = login_as(office.employee)
    response = web.get(f"/pengingat/{mine}")
    target = urlsplit(response.location)
    assert target.path == "/kasus/baru/service_request" and parse_qs(target.query) == {"layanan": ["kgb"]}
    page = web.get(response.location).get_data(as_text=True)
    assert 'value="2025-04-01"' in page  # TMT KGB terakhir from the person's data


def test_a_pension_reminder_fills_the_kind_and_the_tmt(app, office, login_as, clock):
    person = UserFactory(birth_date=dt.date(1969, 3, 15))
    db.session.commit()
    reminders.send_due_reminders(wib(2026, 4, 1, 6, 0))
    row = db.session.scalar(select(SentReminder).where(SentReminder.rule == "pensiun"))
    web = login_as(person)
    location = web.get(f"/pengingat/{row.id}").location
    assert parse_qs(urlsplit(location).query) == {"layanan": ["pensiun"], "jenis_pensiun": ["bup"],
                                                  "tmt_pensiun": ["2027-04-01"]}
    page = web.get(location).get_data(as_text=True)
    assert '<option selected value="bup">' in page and 'value="2027-04-01"' in page


def test_a_query_string_value_that_is_not_a_choice_is_ignored(office, login_as):
    page = login_as(office.employee).get(
        "/kasus/baru/service_request?layanan=pensiun&jenis_pensiun=raja&tmt_pensiun=bukan-tanggal").get_data(as_text=True)
    assert "selected" not in page.split('name="jenis_pensiun"')[1].split("</select>")[0]
    assert 'value="bukan-tanggal"' not in page


def test_the_inbox_and_the_api_show_the_reminder(world, login_as, api):
    office, _, mine, _ = world
    page = login_as(office.employee).get("/").get_data(as_text=True)
    assert f'href="/pengingat/{mine}"' in page and "Kenaikan gaji berkala (KGB)" in page
    items = api(office.employee).get("/api/v1/inbox").get_json()["items"]
    [item] = [i for i in items if i["type"] == "reminder" and i["reminder_id"] == mine]
    assert item["reason"] == "reminder" and item["id"] is None and item["url"] == f"/pengingat/{mine}"


def test_hiding_takes_it_off_the_inbox(world, login_as):
    office, _, mine, _ = world
    web = login_as(office.employee)
    assert web.post_form(f"/pengingat/{mine}/sembunyikan").status_code == 303
    assert f'href="/pengingat/{mine}"' not in web.get("/").get_data(as_text=True)


def test_my_data_page_and_its_correction_request(world, login_as):
    office, _, _, _ = world
    web = login_as(office.employee)
    page = web.get("/data-saya").get_data(as_text=True)
    assert "Data kepegawaian saya" in page and "1 April 2027" in page  # the next KGB
    href = page.rsplit('class="button" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(href).query)
    assert query["layanan"] == ["pemutakhiran_data"] and "TMT KGB terakhir: 1 April 2025" in query["keterangan"][0]
    form = web.get(href).get_data(as_text=True)
    assert "TMT KGB terakhir: 1 April 2025" in form


def test_the_planning_csv_has_a_bom_and_escapes_formulas(world, login_as):
    office, _, _, _ = world
    UserFactory(name="=HYPERLINK(1)", grade_tmt=dt.date(2023, 4, 1))  # promotion period 1 April 2027
    db.session.commit()
    response = login_as(office.officer).get("/perencanaan/ekspor.csv?bulan=3")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["Nama"] for r in rows} >= {"'=HYPERLINK(1)", office.employee.name}
    kgb = next(r for r in rows if r["Nama"] == office.employee.name)
    assert (kgb["Tanggal"], kgb["Sudah diajukan"], kgb["Sudah diingatkan"]) == ("2027-04-01", "tidak", "ya")


def test_the_admin_form_refuses_a_birth_date_the_nip_contradicts(world, login_as):
    office, _, _, _ = world
    web = login_as(office.admin)
    response = web.post_form(f"/admin/pengguna/{office.colleague.id}/kepegawaian",
                             {"birth_date": "1980-01-01", "position": "Baru"})
    assert response.status_code == 422 and "Tanggal lahir tidak sesuai dengan NIP" in response.get_data(as_text=True)
    db.session.expire_all()
    assert office.colleague.position != "Baru"
    born = office.colleague.nip[:4] + "-" + office.colleague.nip[4:6] + "-" + office.colleague.nip[6:8]
    response = web.post_form(f"/admin/pengguna/{office.colleague.id}/kepegawaian",
                             {"birth_date": born, "position": "Baru", "grade": "iii/c", "retirement_age_override": "60"})
    assert response.status_code == 303
    db.session.expire_all()
    assert (office.colleague.position, office.colleague.grade, office.colleague.retirement_age) == ("Baru", "III/c", 60)
