"""ConsDesk in the JSON API, as contract.md specifies it: publishing and listing slots, booking through
POST /api/v1/cases (409 when taken), the booker's cancel freeing the slot, and the reminder the sweep sends
once on the working day before — delivered through a real SMTP server with a valid ICS invitation."""
from __future__ import annotations

import icalendar
import pytest

from layani_flow.services import outbox

from ..timekit import wib

SLOT = {"start": "2026-11-26T09:00:00+07:00", "end": "2026-11-26T09:30:00+07:00", "mode": "tatap_muka",
        "location": "Ruang Kepegawaian"}


def publish(api, officer, **changes):
    return api(officer).post("/api/v1/consultation-slots", json={**SLOT, **changes})


def book(api, person, slot_id, topic="Perhitungan masa kerja"):
    return api(person).post("/api/v1/cases", json={"type": "consultation",
                                                   "fields": {"slot_id": slot_id, "topic": topic}})


def test_an_officer_publishes_a_slot(api, office):
    r = publish(api, office.officer)
    assert r.status_code == 201
    body = r.get_json()
    assert set(body) == {"id", "start", "end", "mode", "location", "officer", "available"}
    assert body["start"] == "2026-11-26T09:00:00+07:00" and body["available"] is True
    assert body["officer"]["nip"] == office.officer.nip


@pytest.mark.parametrize("changes, status", [
    ({"start": "2026-11-26T12:00:00+07:00", "end": "2026-11-26T12:30:00+07:00"}, 422),  # lunch
    ({"start": "2026-11-28T09:00:00+07:00", "end": "2026-11-28T09:30:00+07:00"}, 422),  # Saturday
    ({"end": "2026-11-26T09:00:00+07:00"}, 422),  # end == start
    ({"end": "2026-11-26T08:30:00+07:00"}, 422),  # end before start
    ({"start": "kemarin"}, 422),
    ({"start": None}, 422),
    ({"start": ["2026-11-26T09:00:00+07:00"]}, 422),
    ({"mode": "surat"}, 422),
    ({"location": {"ruang": 1}}, 422),
])
def test_bad_slots_are_422_with_a_message(api, office, changes, status):
    r = publish(api, office.officer, **changes)
    assert r.status_code == status
    assert r.get_json()["message"] and r.get_json()["error"] == "invalid"


def test_an_overlapping_slot_of_the_same_officer_is_409(api, office):
    assert publish(api, office.officer).status_code == 201
    r = publish(api, office.officer, start="2026-11-26T09:15:00+07:00", end="2026-11-26T09:45:00+07:00")
    assert r.status_code == 409 and r.get_json()["error"] == "conflict"
    assert publish(api, office.officer2).status_code == 201  # another officer's slot may overlap


@pytest.mark.parametrize("who", ["employee", "kabid", "admin"])
def test_only_officers_publish(api, office, who):
    r = publish(api, getattr(office, who))
    assert r.status_code == 403 and r.get_json()["error"] == "forbidden"


def test_slots_are_listed_with_their_availability(api, office):
    first = publish(api, office.officer).get_json()
    second = publish(api, office.officer, start="2026-11-30T09:00:00+07:00", end="2026-11-30T09:30:00+07:00").get_json()
    assert book(api, office.employee, first["id"]).status_code == 201
    items = api(office.colleague).get("/api/v1/consultation-slots").get_json()["items"]
    assert [(s["id"], s["available"]) for s in items] == [(first["id"], False), (second["id"], True)]
    only_monday = api(office.colleague).get("/api/v1/consultation-slots", query_string={
        "from": "2026-11-30T00:00:00+07:00", "to": "2026-12-01T00:00:00+07:00"}).get_json()["items"]
    assert [s["id"] for s in only_monday] == [second["id"]]
    assert api(office.colleague).get("/api/v1/consultation-slots?from=besok").status_code == 422
    assert api(None).get("/api/v1/consultation-slots").status_code == 401


def test_booking_answers_the_case_and_a_taken_slot_is_409(api, office):
    slot = publish(api, office.officer).get_json()
    r = book(api, office.employee, slot["id"])
    assert r.status_code == 201
    case = r.get_json()
    assert case["type"] == "consultation" and case["state"] == "booked"
    assert case["owner"]["nip"] == office.officer.nip
    taken = book(api, office.colleague, slot["id"])
    assert taken.status_code == 409 and "sudah dipesan" in taken.get_json()["message"]


@pytest.mark.parametrize("fields", [{"topic": "Tanpa jadwal"}, {"slot_id": "satu", "topic": "Masa kerja"},
                                    {"slot_id": 10**30, "topic": "Masa kerja"}, {"slot_id": 1}])
def test_a_booking_without_a_valid_slot_or_topic_is_422(api, office, fields):
    publish(api, office.officer)
    r = api(office.employee).post("/api/v1/cases", json={"type": "consultation", "fields": fields})
    assert r.status_code == 422 and r.get_json()["errors"]


def test_the_bookers_cancel_frees_the_slot(api, office):
    slot = publish(api, office.officer).get_json()
    case = book(api, office.employee, slot["id"]).get_json()
    r = api(office.employee).post(f"/api/v1/cases/{case['id']}/transitions",
                                  json={"trigger": "cancel", "version": case["version"]})
    assert r.status_code == 200 and r.get_json()["state"] == "cancelled"
    assert book(api, office.colleague, slot["id"]).status_code == 201


@pytest.fixture
def app_config(mail_config):
    return mail_config


def test_confirmation_and_reminder_arrive_by_smtp_with_a_valid_invitation(api, office, clock, runner, smtp_server):
    slot = publish(api, office.officer, start="2026-11-30T10:00:00+07:00", end="2026-11-30T10:30:00+07:00").get_json()
    case = book(api, office.employee, slot["id"]).get_json()
    # The sweep on Thursday sends nothing yet; on Friday (the working day before Monday) it reminds once,
    # and a second sweep at the same instant sends nothing new.
    for instant, reminded in (("2026-11-26T15:00:00+07:00", 0), ("2026-11-27T08:00:00+07:00", 1),
                              ("2026-11-27T08:00:00+07:00", 0)):
        result = runner.invoke(args=["layani", "sweep", "--now", instant])
        assert result.exit_code == 0 and f"pengingat konsultasi: {reminded}" in result.output
    outbox.deliver_pending()
    to_booker = [m for rcpt, m in smtp_server.messages if rcpt == [office.employee.email]]
    assert [m["Subject"] for m in to_booker] == [f"[{case['ref']}] Konsultasi Anda sudah dipesan",
                                                 f"[{case['ref']}] Pengingat: jadwal konsultasi Anda"]
    for message in to_booker:
        parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        assert len(parts) == 1 and parts[0].get_filename().endswith(".ics")
        calendar = icalendar.Calendar.from_ical(parts[0].get_content())
        event = calendar.walk("VEVENT")[0]
        assert event.decoded("dtstart") == wib(2026, 11, 30, 10, 0)
        assert event.decoded("dtend") == wib(2026, 11, 30, 10, 30)
        assert str(event["organizer"]) == f"mailto:{office.officer.email}"
        assert str(event["attendee"]) == f"mailto:{office.employee.email}"
        assert "Lihat kasus" in message.get_body(("plain",)).get_content()
