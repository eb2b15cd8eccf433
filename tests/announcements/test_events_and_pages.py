"""Socialisation events (RSVP with a capacity, attendance on the day, the ICS invitation, materials), the
Informasi pages (writing with files, reading marks it read, acknowledging, the readers page and its reminder)
and the inbox (an announcement waits until read, or acknowledged when asked)."""
from __future__ import annotations

import io

import icalendar
import pytest
from sqlalchemy import func, select

from layani_flow.extensions import db
from layani_flow.models import AnnouncementEvent, AnnouncementFile, EventRsvp, OutboxMessage
from layani_flow.services import announcements, inbox
from layani_flow.services.errors import Conflict, Forbidden, InvalidInput, NotFound

from ..factories import UserFactory
from ..services.samples import PDF
from ..timekit import wib

EVENT = {"starts_at": "2026-11-30T09:00", "ends_at": "2026-11-30T11:00", "place": "Aula DKP lantai 2",
         "meeting_link": "https://zoom.us/j/123", "capacity": 2}


def sosialisasi(office, **changes):
    data = {"title": "Sosialisasi SIASN bersama BKPSDMD", "body": "Pemutakhiran data mandiri.",
            "topic": "sosialisasi", "audience": {"all": True}, "event": dict(EVENT), **changes}
    return announcements.publish(office.officer, **data)


def test_an_event_is_emailed_with_its_ics_invitation(app, office):
    item = sosialisasi(office)
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == office.employee.email)).one()
    assert "Senin, 30 November 2026 09.00–11.00 WIB" in mail.body_text and "Aula DKP lantai 2" in mail.body_text
    [attachment] = mail.attachments
    cal = icalendar.Calendar.from_ical(attachment["data"])
    [ev] = cal.walk("VEVENT")
    assert cal["method"] == "PUBLISH" and str(ev["summary"]) == item.title
    assert ev.decoded("dtstart") == wib(2026, 11, 30, 9, 0) and ev.decoded("dtend") == wib(2026, 11, 30, 11, 0)
    assert str(ev["uid"]).startswith(f"acara-{item.event.id}@")
    assert "Aula DKP lantai 2" in str(ev["location"]) and "zoom.us" in str(ev["location"])


def test_rsvp_takes_seats_up_to_the_capacity(app, office, clock):
    event_id = sosialisasi(office).event.id
    assert announcements.rsvp(event_id, office.employee, "yes").answer == "yes"
    announcements.rsvp(event_id, office.employee, "yes")  # again: nothing more taken
    announcements.rsvp(event_id, office.colleague, "yes")
    with pytest.raises(Conflict, match="penuh"):
        announcements.rsvp(event_id, office.kabid, "yes")
    assert db.session.get(EventRsvp, (event_id, office.kabid.id)) is None
    announcements.rsvp(event_id, office.colleague, "no")  # gives the seat back
    announcements.rsvp(event_id, office.kabid, "yes")
    event = db.session.get(AnnouncementEvent, event_id)
    db.session.refresh(event)
    assert event.seats_taken == 2 and event.seats_left == 0
    with pytest.raises(InvalidInput):
        announcements.rsvp(event_id, office.head, "mungkin")
    with pytest.raises(Forbidden):
        announcements.rsvp(event_id, office.officer, "yes")  # the author
    clock.set(wib(2026, 11, 30, 9, 0))
    with pytest.raises(Conflict, match="sudah dimulai"):
        announcements.rsvp(event_id, office.kabid, "no")


def test_an_event_outside_the_audience_is_not_found(app, office):
    event_id = sosialisasi(office, audience={"roles": ["supervisor"]}).event.id
    with pytest.raises(NotFound):
        announcements.rsvp(event_id, office.employee, "yes")
    with pytest.raises(NotFound):
        announcements.get_event(event_id, office.employee)


def test_attendance_is_taken_on_the_day_by_the_author_officers_and_admins(app, office, clock):
    event_id = sosialisasi(office).event.id
    announcements.rsvp(event_id, office.employee, "yes")
    announcements.rsvp(event_id, office.colleague, "yes")
    with pytest.raises(Conflict, match="hari acara"):
        announcements.record_attendance(event_id, office.officer, [office.employee.id])
    clock.set(wib(2026, 11, 30, 10, 0))
    with pytest.raises(Forbidden):
        announcements.record_attendance(event_id, office.kabid, [office.employee.id])
    with pytest.raises(InvalidInput):
        announcements.record_attendance(event_id, office.officer, [office.kabid.id])  # did not answer yes
    assert announcements.record_attendance(event_id, office.officer2, [office.employee.id]) == 1
    assert db.session.get(EventRsvp, (event_id, office.employee.id)).attended_at == clock.now()
    assert announcements.record_attendance(event_id, office.admin, [str(office.colleague.id)]) == 1
    db.session.expire_all()
    assert db.session.get(EventRsvp, (event_id, office.employee.id)).attended_at is None
    assert db.session.get(EventRsvp, (event_id, office.colleague.id)).attended_at is not None


def test_the_event_page_rsvp_and_attendance_forms(app, office, login_as, clock):
    event_id = sosialisasi(office).event.id
    web = login_as(office.employee)
    page = web.get(f"/informasi/acara/{event_id}").get_data(as_text=True)
    assert "Senin, 30 November 2026 09.00–11.00 WIB" in page and "sisa 2 kursi" in page
    assert "Daftar hadir" not in page
    r = web.post_form(f"/informasi/acara/{event_id}/jawab", {"answer": "yes"})
    assert r.status_code == 303
    page = web.get(f"/informasi/acara/{event_id}").get_data(as_text=True)
    assert "Jawaban Anda: <strong>Hadir</strong>" in page and "sisa 1 kursi" in page
    ics = web.get(f"/informasi/acara/{event_id}/undangan.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data
    web.logout()
    clock.set(wib(2026, 11, 30, 8, 0))
    officer = login_as(office.officer2)
    page = officer.get(f"/informasi/acara/{event_id}").get_data(as_text=True)
    assert "Daftar hadir (1 menjawab hadir)" in page and office.employee.name in page
    r = officer.post_form(f"/informasi/acara/{event_id}/daftar-hadir", {"hadir": str(office.employee.id)})
    assert r.status_code == 303
    assert db.session.get(EventRsvp, (event_id, office.employee.id)).attended_at is not None


def test_writing_an_announcement_with_materials_through_the_page(app, office, login_as, tmp_path):
    web = login_as(office.officer)
    form = web.get("/informasi/tulis").get_data(as_text=True)
    assert "Bidang Perikanan Tangkap" in form and "Pimpinan" in form  # the units people are in
    r = web.post_form("/informasi/tulis", {
        "title": "Kenaikan pangkat periode April 2027", "topic": "karier", "body": "Lengkapi berkas.",
        "units": ["Bidang Perikanan Tangkap"], "roles": ["employee"], "grades": "", "requires_ack": "y",
        "files": [(io.BytesIO(PDF), "syarat-kp.pdf")]}, content_type="multipart/form-data")
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    [stored] = db.session.scalars(select(AnnouncementFile)).all()
    assert stored.original_name == "syarat-kp.pdf"
    emailed = set(db.session.scalars(select(OutboxMessage.to_addr)))
    assert emailed == {office.employee.email, office.colleague.email}
    page = web.get(r.headers["Location"]).get_data(as_text=True)
    assert "syarat-kp.pdf" in page and "Lihat siapa yang sudah membaca" in page
    web.logout()
    reader = login_as(office.employee)
    got = reader.get(f"{r.headers['Location']}/berkas/1")
    assert got.status_code == 200 and got.data == PDF and got.headers["X-Content-Type-Options"] == "nosniff"
    got.close()
    assert reader.get(f"{r.headers['Location']}/berkas/2").status_code == 404
    reader.logout()
    assert login_as(office.kabid).get(f"{r.headers['Location']}/berkas/1").status_code == 404


@pytest.mark.parametrize("data, field", [
    ({"title": "", "body": "Isi.", "everyone": "y"}, "title"),
    ({"title": "Judul yang cukup", "body": "Isi."}, "audience"),
    ({"title": "Judul yang cukup", "body": "Isi.", "everyone": "y", "starts_at": "besok"}, "starts_at"),
    ({"title": "Judul yang cukup", "body": "Isi.", "grades": "Z/z"}, "grades"),
    ({"title": "Judul yang cukup", "body": "Isi.", "units": ["Unit Palsu"]}, "units"),
])
def test_a_bad_form_comes_back_with_its_problems_and_writes_nothing(app, office, login_as, data, field):
    web = login_as(office.officer)
    r = web.post_form("/informasi/tulis", data)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Ada masalah" in html and "<title>Galat:" in html
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_a_file_that_is_not_a_pdf_is_refused(app, office, login_as):
    web = login_as(office.officer)
    r = web.post_form("/informasi/tulis", {"title": "Judul yang cukup", "body": "Isi.", "everyone": "y",
                                           "files": [(io.BytesIO(b"MZ\x90\x00"), "materi.pdf")]},
                      content_type="multipart/form-data")
    assert r.status_code == 422 and "PDF, JPG atau PNG" in r.get_data(as_text=True)


@pytest.mark.usefixtures("inbox_count_matches")
def test_an_announcement_waits_in_the_inbox_until_read_or_acknowledged(app, office, login_as, api):
    plain = announcements.publish(office.officer, title="Capaian kinerja triwulan III", body="95%.",
                                  topic="kinerja", audience={"all": True})
    asked = announcements.publish(office.admin, title="Pakta integritas", body="Mohon konfirmasi.",
                                  topic="kebijakan", audience={"all": True}, requires_ack=True)

    def waiting(person):
        return {i.announcement.id: i.waiting_for for i in inbox.inbox_for(person) if i.announcement is not None}

    assert waiting(office.employee) == {plain.id: "read", asked.id: "read"}
    items = api(office.employee).get("/api/v1/inbox").get_json()["items"]
    assert {(i["type"], i["id"], i["state"], i["reason"]) for i in items} == {
        ("announcement", plain.id, "unread", "announcement"), ("announcement", asked.id, "unread", "announcement")}
    web = login_as(office.employee)
    home = web.get("/").get_data(as_text=True)
    assert "Pengumuman untuk Anda" in home and "Pakta integritas" in home
    assert "Informasi" in home  # the menu
    web.get(f"/informasi/{plain.id}")
    web.get(f"/informasi/{asked.id}")
    db.session.expire_all()
    assert waiting(office.employee) == {asked.id: "ack"}
    page = web.get(f"/informasi/{asked.id}").get_data(as_text=True)
    assert "Saya sudah membaca dan memahami" in page
    assert web.post_form(f"/informasi/{asked.id}/konfirmasi").status_code == 303
    db.session.expire_all()
    assert waiting(office.employee) == {}
    assert "Anda sudah mengonfirmasi" in web.get(f"/informasi/{asked.id}").get_data(as_text=True)
    assert waiting(office.officer) == {asked.id: "read"}  # the officer is in the admin's audience, not their own
    listing = web.get("/informasi?topik=kebijakan").get_data(as_text=True)
    assert "Pakta integritas" in listing and "Capaian kinerja" not in listing
    assert "Sudah dikonfirmasi" in listing
    assert web.get("/informasi?topik=gosip").status_code == 400
    assert web.get("/informasi?q=" + "x" * 201).status_code == 400


def test_the_readers_page_and_its_reminder(app, office, login_as):
    item = announcements.publish(office.officer, title="Pakta integritas", body="Mohon konfirmasi.",
                                 audience={"roles": ["employee"]}, requires_ack=True)
    announcements.acknowledge(item.id, office.employee)
    web = login_as(office.officer)
    page = web.get(f"/informasi/{item.id}/pembaca").get_data(as_text=True)
    assert "1 dari 2 penerima sudah mengonfirmasi" in page and office.colleague.nip in page
    before = db.session.scalar(select(func.count(OutboxMessage.id)))
    r = web.post_form(f"/informasi/{item.id}/ingatkan")
    assert r.status_code == 303
    assert "Pengingat dikirim ke 1 orang." in web.get(r.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before + 1
    web.post_form(f"/informasi/{item.id}/ingatkan")
    assert "tunggu 10 menit" in web.get(f"/informasi/{item.id}/pembaca").get_data(as_text=True)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before + 1


def test_someone_who_joins_a_unit_later_sees_what_it_was_told(app, office):
    item = announcements.publish(office.officer, title="Rapat bidang", body="Isi.", audience={"units": ["Pimpinan"]})
    newcomer = UserFactory(unit="Bidang Perikanan Tangkap")
    with pytest.raises(NotFound):
        announcements.get_announcement(item.id, newcomer)
    newcomer.unit = "Pimpinan"
    db.session.commit()
    assert announcements.open_announcement(item.id, newcomer).id == item.id
