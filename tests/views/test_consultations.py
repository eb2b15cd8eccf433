"""ConsDesk pages without JavaScript: the calendar of free slots, booking one with a topic, a taken slot, the
booking on its case page, moving it, the officer's agenda and the forms that publish slots and patterns, and
the outcome recorded after the meeting."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from layani_flow.models import ConsultationSlot
from layani_flow.services import consultations

from ..factories import ConsultationSlotFactory
from ..services.helpers import statements_to_get
from ..timekit import wib
from .helpers import case_count, fire, fresh_case, last_case, open_browser, text_of


def slot(officer, *start, minutes=30, **attrs):
    begin = wib(*start)
    return ConsultationSlotFactory(officer=officer, start_at=begin, end_at=begin + dt.timedelta(minutes=minutes), **attrs)


def test_the_calendar_lists_free_slots_by_day_as_links(app, office):
    free = slot(office.officer, 2026, 11, 26, 9, 0)
    slot(office.officer, 2026, 11, 26, 9, 30, cancelled_at=wib(2026, 11, 25, 8, 0))  # withdrawn
    web = open_browser(app, office.employee)
    page = text_of(web.get("/konsultasi"))
    assert "Kamis, 26 November 2026" in page
    assert f'href="/konsultasi/jadwal/{free.id}"' in page and "09.00–09.30" in page
    assert "09.30–10.00" not in page
    assert "Tidak ada jadwal kosong." in page  # the days without slots say so
    later = text_of(web.get("/konsultasi?mulai=2026-12-09"))
    assert "Rabu, 9 Desember 2026" in later and "← Sebelumnya" in later
    assert web.get("/konsultasi?mulai=bukan-tanggal").status_code == 200


def test_the_calendar_costs_the_same_queries_for_more_slots(app, office):
    web = open_browser(app, office.employee)
    slot(office.officer, 2026, 11, 26, 9, 0)
    few = statements_to_get(web, "/konsultasi")
    for hour in range(10, 15):
        slot(office.officer2, 2026, 11, 27, hour, 0)
        slot(office.officer, 2026, 11, 30, hour, 0)
    assert statements_to_get(web, "/konsultasi") == few


def test_booking_a_slot_with_a_topic_files_the_consultation(app, office):
    free = slot(office.officer, 2026, 11, 26, 9, 0)
    web = open_browser(app, office.employee)
    form = text_of(web.get(f"/konsultasi/jadwal/{free.id}"))
    assert "Topik konsultasi" in form and "Petugas Satu" in form
    r = web.post_form(f"/konsultasi/jadwal/{free.id}", {"topic": "Perhitungan masa kerja", "description": ""})
    assert r.status_code == 303
    case = last_case()
    assert r.headers["Location"].endswith(f"/kasus/{case.id}")
    page = text_of(web.get(f"/kasus/{case.id}"))
    assert "Perhitungan masa kerja" in page and "Kamis, 26 November 2026 09.00" in page
    assert "Ubah jadwal" in page and "Batalkan konsultasi" in page
    assert "Konfirmasi jadwal" not in page  # the officer's step


def test_a_taken_slot_answers_409_with_a_message_and_files_nothing(app, office):
    free = slot(office.officer, 2026, 11, 26, 9, 0)
    open_browser(app, office.employee).post_form(f"/konsultasi/jadwal/{free.id}", {"topic": "Masa kerja golongan"})
    before = case_count()
    r = open_browser(app, office.colleague).post_form(f"/konsultasi/jadwal/{free.id}", {"topic": "Kenaikan pangkat"})
    assert r.status_code == 409 and "sudah dipesan orang lain" in text_of(r)
    assert case_count() == before


def test_a_booking_without_a_topic_is_422_and_the_form_keeps_the_slot(app, office):
    free = slot(office.officer, 2026, 11, 26, 9, 0)
    r = open_browser(app, office.employee).post_form(f"/konsultasi/jadwal/{free.id}", {"topic": ""})
    assert r.status_code == 422 and "Ada masalah" in text_of(r)
    assert consultations.db.session.get(ConsultationSlot, free.id).case_id is None
    assert open_browser(app, office.employee).get("/konsultasi/jadwal/999999").status_code == 404


def test_the_booking_needs_a_csrf_token(app, office):
    free = slot(office.officer, 2026, 11, 26, 9, 0)
    web = open_browser(app, office.employee)
    r = web.client.post(f"/konsultasi/jadwal/{free.id}", data={"topic": "Masa kerja golongan"})
    assert r.status_code == 400 and case_count() == 0


def test_moving_a_booking_to_another_slot(app, office):
    first, second = slot(office.officer, 2026, 11, 26, 9, 0), slot(office.officer2, 2026, 11, 30, 10, 0)
    web = open_browser(app, office.employee)
    web.post_form(f"/konsultasi/jadwal/{first.id}", {"topic": "Perhitungan masa kerja"})
    case = last_case()
    page = text_of(web.get(f"/kasus/{case.id}/jadwal-ulang"))
    assert f'value="{second.id}"' in page and f'value="{first.id}"' not in page
    r = web.post_form(f"/kasus/{case.id}/jadwal-ulang", {"slot_id": second.id, "version": case.version})
    assert r.status_code == 303
    case = fresh_case(case.id)
    assert case.owner_id == office.officer2.id and "Senin, 30 November 2026 10.00" in text_of(web.get(f"/kasus/{case.id}"))
    # someone else cannot move it, nor see the page
    assert open_browser(app, office.colleague).get(f"/kasus/{case.id}/jadwal-ulang").status_code == 404
    r = open_browser(app, office.officer).post_form(f"/kasus/{case.id}/jadwal-ulang",
                                                     {"slot_id": first.id, "version": case.version})
    assert r.status_code == 403 and fresh_case(case.id).owner_id == office.officer2.id


def test_the_agenda_shows_today_and_the_week(app, office, clock):
    clock.set(wib(2026, 11, 26, 7, 0))
    today = slot(office.officer, 2026, 11, 26, 9, 0)
    slot(office.officer, 2026, 11, 30, 9, 0)
    open_browser(app, office.employee).post_form(f"/konsultasi/jadwal/{today.id}", {"topic": "Masa kerja golongan"})
    case = last_case()
    page = text_of(open_browser(app, office.officer).get("/konsultasi/agenda"))
    today_part = page.split('id="judul-hari-ini"')[1].split('id="judul-minggu"')[0]
    assert case.ref in today_part and "Pegawai Pemohon" in today_part
    week_part = page.split('id="judul-minggu"')[1].split('id="judul-pola"')[0]
    assert "Senin, 30 November 2026" in week_part and "kosong" in week_part


def test_an_officer_publishes_a_weekly_pattern_from_the_agenda(app, office):
    web = open_browser(app, office.officer)
    r = web.post_form("/konsultasi/agenda/pola", {
        "weekdays": ["1", "3"], "start_time": "09:00", "end_time": "11:00", "minutes": "30", "first_day": "2026-11-30",
        "weeks": "2", "pattern_mode": "daring", "pattern_location": "https://meet.example/kons"})
    assert r.status_code == 303
    assert "16 jadwal konsultasi dibuka." in text_of(web.get("/konsultasi/agenda"))
    slots = consultations.db.session.scalars(select(ConsultationSlot)).all()
    assert len(slots) == 16 and {s.mode for s in slots} == {"daring"}


def test_a_bad_pattern_shows_the_form_again_with_its_errors(app, office):
    web = open_browser(app, office.officer)
    r = web.post_form("/konsultasi/agenda/pola", {
        "start_time": "09:00", "end_time": "11:00", "minutes": "30", "first_day": "2026-11-30", "weeks": "2",
        "pattern_mode": "daring", "pattern_location": "https://meet.example/kons"})
    assert r.status_code == 422 and "Pilih paling sedikit satu hari." in text_of(r)
    r = web.post_form("/konsultasi/agenda/jadwal", {"day": "2026-11-26", "start": "12:00", "end": "12:30",
                                                    "mode": "telepon", "location": "0717-1"})
    assert r.status_code == 422 and "jam kerja" in text_of(r)
    r = web.post_form("/konsultasi/agenda/jadwal", {"day": "2026-11-26", "start": "09:00", "end": "09:30",
                                                    "mode": "telepon", "location": "0717-1"})
    assert r.status_code == 303
    r = web.post_form("/konsultasi/agenda/jadwal", {"day": "2026-11-26", "start": "09:15", "end": "09:45",
                                                    "mode": "telepon", "location": "0717-1"})
    assert r.status_code == 409 and "bertumpuk" in text_of(r)


def test_an_officer_withdraws_a_free_slot_but_not_a_booked_one(app, office):
    free, booked = slot(office.officer, 2026, 11, 26, 9, 0), slot(office.officer, 2026, 11, 26, 10, 0)
    open_browser(app, office.employee).post_form(f"/konsultasi/jadwal/{booked.id}", {"topic": "Masa kerja golongan"})
    web = open_browser(app, office.officer)
    assert web.post_form(f"/konsultasi/agenda/{free.id}/tarik").status_code == 303
    assert web.post_form(f"/konsultasi/agenda/{booked.id}/tarik").status_code == 303
    consultations.db.session.expire_all()
    assert consultations.db.session.get(ConsultationSlot, free.id).cancelled_at is not None
    assert consultations.db.session.get(ConsultationSlot, booked.id).cancelled_at is None
    assert open_browser(app, office.officer2).post_form(f"/konsultasi/agenda/{booked.id}/tarik").status_code == 303


def test_the_officer_confirms_and_records_the_outcome_on_the_case_page(app, office, clock):
    free = slot(office.officer, 2026, 11, 25, 9, 15)  # this morning, a quarter of an hour from now
    open_browser(app, office.employee).post_form(f"/konsultasi/jadwal/{free.id}", {"topic": "Masa kerja golongan"})
    case = last_case()
    web = open_browser(app, office.officer)
    assert fire(web, case.id, "confirm").status_code == 302
    clock.set(wib(2026, 11, 25, 9, 20))
    page = text_of(web.get(f"/kasus/{case.id}"))
    assert "Tindak lanjut yang disepakati" in page
    r = fire(web, case.id, "hold", "Masa kerja dihitung ulang bersama.", next_steps="Ajukan PAK baru.")
    assert r.status_code == 302
    case = fresh_case(case.id)
    assert case.state == "held" and case.events[-1].data == {"next_steps": "Ajukan PAK baru."}
    assert "Ajukan PAK baru." in text_of(open_browser(app, office.employee).get(f"/kasus/{case.id}"))


# -- after the meeting: a follow-up case, a link to an existing one, and the satisfaction question ------------

def _held_consultation(app, office, clock, **fields):
    """A consultation the employee booked this morning, confirmed, then recorded by its officer with `fields`."""
    free = slot(office.officer, 2026, 11, 25, 9, 15)
    open_browser(app, office.employee).post_form(f"/konsultasi/jadwal/{free.id}", {"topic": "Syarat KGB"})
    case = last_case()
    web = open_browser(app, office.officer)
    assert fire(web, case.id, "confirm").status_code == 302
    clock.set(wib(2026, 11, 25, 9, 20))
    return case, web, fire(web, case.id, "hold", "SK KGB terakhir belum ada.", next_steps="Unggah SK KGB.", **fields)


def test_the_outcome_may_file_a_follow_up_request_carrying_the_notes(app, office, clock):
    case, web, r = _held_consultation(app, office, clock, type="service_request", service="kgb")
    assert r.status_code == 302
    held = fresh_case(case.id)
    link = held.events[-1].data["link"]
    follow_up = fresh_case(link["id"])
    assert held.state == "held" and follow_up.case_type == "service_request" and follow_up.service == "kgb"
    assert follow_up.requester_id == office.employee.id
    notes = follow_up.events[-1].comment
    assert "SK KGB terakhir belum ada." in notes and "Unggah SK KGB." in notes
    page = text_of(open_browser(app, office.employee).get(f"/kasus/{follow_up.id}"))
    assert held.ref in page and "Unggah SK KGB." in page


def test_the_outcome_may_link_an_existing_case_of_the_same_requester(app, office, clock):
    from layani_flow.services import cases

    from ..services.helpers import KGB
    existing = cases.open_case("service_request", KGB, office.employee).case
    case, web, r = _held_consultation(app, office, clock, link_ref=existing.ref)
    assert r.status_code == 302
    linked = fresh_case(existing.id)
    assert linked.events[-1].kind == "link" and "Unggah SK KGB." in linked.events[-1].comment
    assert fresh_case(case.id).events[-1].data["link"]["ref"] == existing.ref


def test_a_link_to_someone_elses_case_or_to_nothing_is_refused_and_nothing_is_recorded(app, office, clock):
    from layani_flow.services import cases

    from ..services.helpers import KGB
    theirs = cases.open_case("service_request", KGB, office.colleague).case
    case, web, r = _held_consultation(app, office, clock, link_ref=theirs.ref)
    assert r.status_code == 422 and "Tautkan ke kasus lain milik pemohon yang sama." in text_of(r)
    assert fresh_case(case.id).state == "confirmed" and fresh_case(theirs.id).events[-1].kind != "link"
    r = fire(web, case.id, "hold", "Catatan.", link_ref="LYN-2026-99999")
    assert r.status_code == 422 and "Tulis nomor kasus seperti tertera" in text_of(r)
    r = fire(web, case.id, "hold", "Catatan.", link_ref="LYN-2026-00001", type="complaint")
    assert r.status_code == 422 and "Pilih salah satu" in text_of(r)
    assert fresh_case(case.id).state == "confirmed"


def test_a_held_consultation_asks_its_booker_one_question_and_a_no_show_does_not(app, office, clock):
    from layani_flow.models import CaseFeedback

    case, web, r = _held_consultation(app, office, clock)
    assert r.status_code == 302
    asked = app.extensions["sqlalchemy"].session.scalars(select(CaseFeedback).where(CaseFeedback.case_id == case.id)).all()
    assert len(asked) == 1 and asked[0].channel == "consultation" and asked[0].officer_id == office.officer.id
    assert "Seberapa puas" in text_of(open_browser(app, office.employee).get(f"/kasus/{case.id}"))
    other = slot(office.officer, 2026, 11, 25, 9, 30)
    open_browser(app, office.colleague).post_form(f"/konsultasi/jadwal/{other.id}", {"topic": "Masa kerja"})
    missed = last_case()
    clock.set(wib(2026, 11, 25, 9, 40))
    assert fire(web, missed.id, "no_show").status_code == 302
    assert not app.extensions["sqlalchemy"].session.scalars(
        select(CaseFeedback).where(CaseFeedback.case_id == missed.id)).all()
