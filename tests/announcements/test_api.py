"""Informasi in the JSON API, as contract.md specifies it: publishing (admins and officers 201, others 403),
the caller's list, one announcement (404 outside its audience), the idempotent acknowledgement and the readers
(author and admins); the audience emailed through the outbox, one row per person, written set-based."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from layani_flow.extensions import db
from layani_flow.models import Announcement, OutboxMessage

from ..factories import UserFactory
from ..services.helpers import count_statements

ALL = {"title": "Jadwal cuti bersama 2027", "body": "Cuti bersama tahun 2027 jatuh pada 24 dan 26 Desember.",
       "audience": {"all": True}, "requires_ack": True, "topic": "cuti_bersama"}


def publish(api, author, **changes):
    return api(author).post("/api/v1/announcements", json={**ALL, **changes})


@pytest.mark.parametrize("who, status", [("officer", 201), ("admin", 201), ("employee", 403), ("kabid", 403)])
def test_admins_and_officers_publish_others_are_refused(api, office, who, status):
    r = publish(api, getattr(office, who))
    assert r.status_code == status, r.get_json()
    if status == 201:
        body = r.get_json()
        assert {"id", "title", "body", "audience", "requires_ack", "topic", "author", "published_at"} <= set(body)
        assert body["audience"]["all"] is True and body["requires_ack"] is True
        assert body["topic_label"] == "Cuti bersama"
    else:
        assert "petugas layanan dan admin" in r.get_json()["message"]
        assert db.session.scalar(select(func.count(Announcement.id))) == 0


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"body": None}, "body"),
    ({"audience": None}, "audience"),
    ({"audience": {}}, "audience"),
    ({"audience": {"units": ["Bidang Tidak Ada"]}}, "units"),
    ({"audience": {"roles": ["raja"]}}, "roles"),
    ({"audience": {"grades": ["V/z"]}}, "grades"),
    ({"audience": {"units": "Bidang Perikanan Tangkap", "roles": [1]}}, "roles"),
    ({"requires_ack": "ya"}, "requires_ack"),
    ({"topic": "gosip"}, "topic"),
    ({"event": {"starts_at": "2026-11-20T09:00", "ends_at": "2026-11-20T10:00", "place": "Aula"}}, "starts_at"),
    ({"event": {"starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T08:00", "place": "Aula"}}, "ends_at"),
    ({"event": {"starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T10:00"}}, "place"),
    ({"event": {"starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T10:00", "meeting_link": "zoom"}}, "meeting_link"),
    ({"event": {"starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T10:00", "place": "A", "capacity": 0}}, "capacity"),
    ({"event": "besok"}, "event"),
])
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(api, office, changes, field):
    r = publish(api, office.officer, **changes)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"], r.get_json()
    assert db.session.scalar(select(func.count(Announcement.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_not_json_is_a_422(api, office):
    r = api(office.officer).post("/api/v1/announcements", data="x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 422


def test_publishing_emails_the_audience_but_not_the_author(api, office):
    UserFactory(name="Pegawai Nonaktif", is_active_account=False)
    r = publish(api, office.officer)
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.to_addr)).all()
    everyone = {u.email for u in (office.head, office.kasubbag, office.officer2, office.kabid, office.employee,
                                  office.colleague, office.admin, office.outsider)}
    assert {m.to_addr for m in rows} == everyone
    assert len({m.message_id for m in rows}) == len(rows)
    first = rows[0]
    assert first.subject == "[Informasi] Pengumuman baru: Jadwal cuti bersama 2027"
    assert f"http://localhost/informasi/{r.get_json()['id']}" in first.body_text
    assert "Saya sudah membaca dan memahami" in first.body_text
    assert first.case_id is None and first.status == "pending"


def test_the_outbox_rows_are_inserted_in_one_statement(api, office, app):
    for n in range(30):
        UserFactory(name=f"Pegawai Massal {n}")
    with count_statements() as counted:
        assert publish(api, office.officer).status_code == 201
    statements = [s for s in counted.statements if s.lstrip().upper().startswith("INSERT INTO OUTBOX_MESSAGES")]
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 38
    assert len(statements) <= 2  # one executemany (batched by the driver as it likes), never one per person


def test_the_list_get_ack_and_readers(api, office):
    made = publish(api, office.officer, audience={"units": ["Bidang Perikanan Tangkap"], "roles": ["pegawai"]}).get_json()
    # The audience: employees of Bidang Perikanan Tangkap: the employee and the colleague (not the kabid: a supervisor).
    assert [a["id"] for a in api(office.employee).get("/api/v1/announcements").get_json()["items"]] == [made["id"]]
    assert api(office.kabid).get("/api/v1/announcements").get_json()["items"] == []
    assert api(office.officer).get("/api/v1/announcements").get_json()["total"] == 1  # the author's own
    assert api(office.kabid).get(f"/api/v1/announcements/{made['id']}").status_code == 404
    assert api(office.kabid).post(f"/api/v1/announcements/{made['id']}/ack").status_code == 404

    readers = api(office.officer).get(f"/api/v1/announcements/{made['id']}/readers").get_json()
    assert readers["acknowledged"] == []
    assert sorted(p["nip"] for p in readers["pending"]) == sorted([office.employee.nip, office.colleague.nip])

    got = api(office.employee).get(f"/api/v1/announcements/{made['id']}")
    assert got.status_code == 200 and got.get_json()["read_at"] and got.get_json()["acknowledged_at"] is None
    first = api(office.employee).post(f"/api/v1/announcements/{made['id']}/ack")
    again = api(office.employee).post(f"/api/v1/announcements/{made['id']}/ack")
    assert first.status_code == again.status_code == 200
    assert first.get_json()["acknowledged_at"] == again.get_json()["acknowledged_at"]

    readers = api(office.admin).get(f"/api/v1/announcements/{made['id']}/readers").get_json()
    assert [(p["nip"], p["name"]) for p in readers["acknowledged"]] == [(office.employee.nip, office.employee.name)]
    assert readers["acknowledged"][0]["at"].endswith("+07:00")
    assert [p["nip"] for p in readers["pending"]] == [office.colleague.nip]
    # The audience but not the author: 403; outside it: 404.
    assert api(office.colleague).get(f"/api/v1/announcements/{made['id']}/readers").status_code == 403
    assert api(office.officer2).get(f"/api/v1/announcements/{made['id']}/readers").status_code == 404
    assert api(office.officer).post(f"/api/v1/announcements/{made['id']}/ack").status_code == 403
    assert api(None).get("/api/v1/announcements").status_code == 401


def test_remind_emails_only_the_pending_once_per_ten_minutes(api, office, clock):
    made = publish(api, office.officer, audience={"roles": ["employee"]}).get_json()
    api(office.employee).post(f"/api/v1/announcements/{made['id']}/ack")
    before = db.session.scalar(select(func.count(OutboxMessage.id)))
    r = api(office.officer).post(f"/api/v1/announcements/{made['id']}/remind")
    assert r.status_code == 200 and r.get_json() == {"reminded": 1}
    newest = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert newest.to_addr == office.colleague.email and newest.subject.startswith("[Informasi] Pengingat")
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before + 1
    assert api(office.officer).post(f"/api/v1/announcements/{made['id']}/remind").status_code == 409
    clock.advance(minutes=11)
    assert api(office.officer).post(f"/api/v1/announcements/{made['id']}/remind").get_json() == {"reminded": 1}
    assert api(office.employee).post(f"/api/v1/announcements/{made['id']}/remind").status_code == 403


def test_search_and_topic_filter(api, office):
    publish(api, office.officer, title="Kenaikan pangkat periode April", body="Berkas diterima sampai 10 Februari.",
            topic="karier")
    publish(api, office.officer, title="Capaian kinerja triwulan III", body="Realisasi 95% dari target_100.",
            topic="kinerja")
    listed = api(office.employee).get("/api/v1/announcements?topic=karier").get_json()["items"]
    assert [a["title"] for a in listed] == ["Kenaikan pangkat periode April"]
    assert [a["title"] for a in api(office.employee).get("/api/v1/announcements?q=FEBRUARI").get_json()["items"]] == [
        "Kenaikan pangkat periode April"]
    assert api(office.employee).get("/api/v1/announcements?q=95%25").get_json()["total"] == 1
    assert api(office.employee).get("/api/v1/announcements?q=t_1").get_json()["total"] == 1  # _ is no wildcard
    assert api(office.employee).get("/api/v1/announcements?q=x_y").get_json()["total"] == 0
    assert api(office.employee).get("/api/v1/announcements?topic=gosip").status_code == 422
