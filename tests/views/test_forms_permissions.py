"""Who may use the routes issue 8's forms part added, in the style of test_permission_matrix.py: each row is
a route, each column a person; M is a redirect to the login page. A refusal changes nothing."""
from __future__ import annotations

import pytest

from layani_flow.extensions import db
from layani_flow.models import User

from .helpers import text_of

M = "302→/masuk"
PEOPLE = ("anon", "employee", "officer", "kasubbag", "head", "admin")
ROUTES = {
    #                                            anon emp  off  kasub head adm
    "GET /kasus/baru/hari-kerja":               (M,   200, 200, 200, 200, 200),
    "GET /kasus/baru/pihak":                    (M,   200, 200, 200, 200, 200),
    "POST /admin/pengguna/<id>/golongan":       (M,   403, 403, 403, 403, 303),
    "GET /admin/pengguna/<id>/golongan":        (405, 405, 405, 405, 405, 405),
}


def _answer(response) -> int | str:
    if response.status_code == 302 and response.headers["Location"].startswith("/masuk"):
        return M
    return response.status_code


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("who", PEOPLE)
def test_matrix(web, office, route, who):
    expected = ROUTES[route][PEOPLE.index(who)]
    if who != "anon":
        web.login(getattr(office, who))
    target = office.colleague
    if route == "GET /kasus/baru/hari-kerja":
        response = web.get("/kasus/baru/hari-kerja?mulai=2026-12-01&selesai=2026-12-04")
    elif route == "GET /kasus/baru/pihak":
        response = web.get("/kasus/baru/pihak?q=Pegawai")
    elif route == "POST /admin/pengguna/<id>/golongan":
        response = web.post_form(f"/admin/pengguna/{target.id}/golongan", {"grade": "II/c"})
    else:
        response = web.get(f"/admin/pengguna/{target.id}/golongan")
    assert _answer(response) == expected, text_of(response)[:300]
    db.session.expire_all()
    grade = db.session.get(User, target.id).grade
    assert grade == ("II/c" if expected == 303 else None)


def test_the_name_search_answers_people_only_to_the_signed_in(web):
    response = web.get("/kasus/baru/pihak?q=Pemohon")
    assert response.status_code == 302 and b"Pegawai Pemohon" not in response.data
