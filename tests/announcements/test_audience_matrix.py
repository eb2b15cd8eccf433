"""Who sees, reads, acknowledges and reads the readers of what: every person of a small office × every kind of
audience, through the API and the pages, and the three spellings of the audience rule (Python, SQL over
people, SQL over announcements) agreeing.

Read a row as: for an announcement (written by the officer `author`) to this audience, each person gets

  in   in the audience: sees it (200), it waits in their inbox, acknowledges it (200); readers 403
  out  not in it: 404 for everything (they learn nothing of it)
  A    its author: sees it, never its reader (ack 403), readers 200
  ADM  an admin outside the audience: sees it and its readers (200); nothing to acknowledge (404)
  INA  an admin in the audience: reads and acknowledges it like everyone in it, and sees its readers
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import Announcement, User
from layani_flow.services import announcements, inbox

from ..factories import UserFactory

IN, OUT, A, ADM, INA = "in", "out", "A", "ADM", "INA"
PEOPLE = ("emp_a", "emp_b", "sup_a", "off_b", "admin", "author", "inactive")


def cast() -> dict[str, User]:
    return {
        "emp_a": UserFactory(name="Pegawai A", role="employee", unit="Bidang A", grade="III/a"),
        "emp_b": UserFactory(name="Pegawai B", role="employee", unit="Bidang B", grade="III/b"),
        "sup_a": UserFactory(name="Kabid A", role="supervisor", unit="Bidang A", grade="IV/a"),
        "off_b": UserFactory(name="Petugas B", role="officer", unit="Bidang B", grade="III/a"),
        "admin": UserFactory(name="Admin", role="admin", unit="Sekretariat", grade=None),
        "author": UserFactory(name="Petugas Penulis", role="officer", unit="Sekretariat", grade="III/c"),
        "inactive": UserFactory(name="Pegawai Keluar", role="employee", unit="Bidang A", grade="III/a",
                                is_active_account=False),
    }


#                      audience                                                  emp_a emp_b sup_a off_b admin author inactive
MATRIX = {
    "all":                ({"all": True},                                        (IN,  IN,   IN,   IN,   INA,  A,     OUT)),
    "unit":               ({"units": ["Bidang A"]},                              (IN,  OUT,  IN,   OUT,  ADM,  A,     OUT)),
    "role":               ({"roles": ["supervisor"]},                            (OUT, OUT,  IN,   OUT,  ADM,  A,     OUT)),
    "roles (officer, admin)": ({"roles": ["petugas", "admin"]},                  (OUT, OUT,  OUT,  IN,   INA,  A,     OUT)),
    "grade":              ({"grades": ["III/a"]},                                (IN,  OUT,  OUT,  IN,   ADM,  A,     OUT)),
    "unit and role":      ({"units": ["Bidang A"], "roles": ["employee"]},       (IN,  OUT,  OUT,  OUT,  ADM,  A,     OUT)),
    "units and grade":    ({"units": ["Bidang A", "Bidang B"], "grades": ["iii a"]}, (IN, OUT, OUT,  IN,   ADM,  A,     OUT)),
}
API_EXPECTED = {  # relation → (GET one, POST ack, GET readers, listed)
    IN: (200, 200, 403, True),
    OUT: (404, 404, 404, False),
    A: (200, 403, 200, True),
    ADM: (200, 404, 200, True),
    INA: (200, 200, 200, True),
}


@pytest.mark.parametrize("kind", list(MATRIX))
def test_the_audience_matrix_through_the_api(api, app, kind):
    audience, expected = MATRIX[kind]
    people = cast()
    made = api(people["author"]).post("/api/v1/announcements", json={
        "title": f"Pengumuman untuk {kind}", "body": "Isi.", "audience": audience, "requires_ack": True})
    assert made.status_code == 201, made.get_json()
    aid = made.get_json()["id"]
    seen = {}
    for name, _relation in zip(PEOPLE, expected, strict=True):
        if name == "inactive":
            continue  # no token works for a deactivated account; the service checks below cover them
        client = api(people[name])
        listed = aid in [a["id"] for a in client.get("/api/v1/announcements").get_json()["items"]]
        readers = client.get(f"/api/v1/announcements/{aid}/readers").status_code
        got = client.get(f"/api/v1/announcements/{aid}").status_code
        ack = client.post(f"/api/v1/announcements/{aid}/ack").status_code
        seen[name] = (got, ack, readers, listed)
    assert seen == {n: API_EXPECTED[r] for n, r in zip(PEOPLE, expected, strict=True) if n != "inactive"}
    # The readers list is the audience as it is now, without the author.
    body = api(people["author"]).get(f"/api/v1/announcements/{aid}/readers").get_json()
    audience_names = {people[n].name for n, r in zip(PEOPLE, expected, strict=True) if r in (IN, INA)}
    assert {p["name"] for p in body["acknowledged"]} == audience_names  # all of them acknowledged above
    assert body["pending"] == []


@pytest.mark.parametrize("kind", list(MATRIX))
def test_the_rule_in_python_and_in_both_sql_spellings_agree(app, kind):
    audience_raw, expected = MATRIX[kind]
    people = cast()
    item = announcements.publish(people["author"], title=f"Pengumuman {kind}", body="Isi.", audience=audience_raw)
    audience = announcements.audience_of(item)
    over_people = set(db.session.scalars(select(User.id).where(announcements.people_clause(audience))))
    for name, relation in zip(PEOPLE, expected, strict=True):
        person = people[name]
        in_sql = item.id in db.session.scalars(
            select(Announcement.id).where(announcements.in_audience_clause(person))).all()
        in_python = announcements.in_audience(item, person)
        assert in_python == in_sql == (relation in (IN, INA)), (name, in_python, in_sql)
        assert (person.id in over_people) == (relation in (IN, INA) or (name == "author" and announcements.matches(audience, person)))
        waiting = any(i.announcement is not None and i.announcement.id == item.id for i in inbox.inbox_for(person))
        assert waiting == (relation in (IN, INA)), name


PAGES = {  # relation → (GET /informasi/<id>, POST …/konfirmasi, GET …/pembaca, POST …/ingatkan)
    IN: (200, 303, 403, 403),
    OUT: (404, 404, 404, 404),
    A: (200, 403, 200, 303),
    ADM: (200, 404, 200, 303),
    INA: (200, 303, 200, 303),
}


@pytest.mark.parametrize("kind", ["unit", "unit and role", "roles (officer, admin)"])
def test_the_audience_matrix_through_the_pages(app, client, kind):
    from ..conftest import WebClient

    audience, expected = MATRIX[kind]
    people = cast()
    item = announcements.publish(people["author"], title=f"Pengumuman {kind}", body="Isi.", audience=audience,
                                 requires_ack=True)
    seen = {}
    for name, _relation in zip(PEOPLE, expected, strict=True):
        if name == "inactive":
            continue
        web = WebClient(app.test_client())
        web.login(people[name], "rahasia123")
        seen[name] = (web.get(f"/informasi/{item.id}").status_code,
                      web.post_form(f"/informasi/{item.id}/konfirmasi").status_code,
                      web.get(f"/informasi/{item.id}/pembaca").status_code,
                      web.post_form(f"/informasi/{item.id}/ingatkan").status_code)
    assert seen == {n: PAGES[r] for n, r in zip(PEOPLE, expected, strict=True) if n != "inactive"}


@pytest.mark.parametrize("role, status", [("employee", 403), ("supervisor", 403), ("officer", 200), ("admin", 200)])
def test_who_may_write_an_announcement(app, login_as, role, status):
    web = login_as(UserFactory(role=role))
    assert web.get("/informasi/tulis").status_code == status
    posted = web.post_form("/informasi/tulis", {"title": "Judul yang cukup", "body": "Isi.", "everyone": "y"})
    assert posted.status_code == (303 if status == 200 else 403)
    assert web.get("/informasi").status_code == 200


def test_signed_out_people_are_sent_to_sign_in(client, office):
    for url in ("/informasi", "/informasi/tulis", "/informasi/1", "/informasi/1/pembaca", "/informasi/acara/1"):
        r = client.get(url)
        assert r.status_code == 302 and "/masuk" in r.headers["Location"], url
