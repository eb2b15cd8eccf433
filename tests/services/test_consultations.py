"""ConsDesk through the services: publishing slots in working hours, booking one (one booking per slot),
cancelling and moving a booking up to the cut-off, the outcome, the confirmation clock, a closed day added
later, and the reminder on the working day before, once, with a valid ICS invitation."""
from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from sqlalchemy import func, select

from layani_flow.models import Case, ConsultationSlot, OutboxMessage
from layani_flow.services import admin_settings, consultations
from layani_flow.services import cases as case_service
from layani_flow.services.errors import Conflict, Forbidden, InvalidInput, TransitionNotAllowed
from layani_flow.services.sweep import sweep_due_cases
from layani_flow.workflows.clocks import FIRST_RESPONSE

from ..timekit import wib

KIND = consultations.booking_type()
THURSDAY = (2026, 11, 26)
MONDAY = (2026, 11, 30)


def publish(officer, day=THURSDAY, start=(9, 0), end=(9, 30), mode="tatap_muka", location="Ruang Kepegawaian"):
    return consultations.publish_slot(officer, start=wib(*day, *start).isoformat(), end=wib(*day, *end).isoformat(),
                                      mode=mode, location=location)


def book(employee, slot, topic="Syarat kenaikan pangkat"):
    return case_service.open_case(KIND, {"slot_id": slot.id, "topic": topic}, employee).case


def outbox_rows(to=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if to is not None:
        query = query.where(OutboxMessage.to_addr == to)
    return list(consultations.db.session.scalars(query))


# -- publishing ---------------------------------------------------------------------------------------------

def test_an_officer_publishes_a_slot_in_working_hours(office):
    slot = publish(office.officer)
    assert slot.available and slot.officer_id == office.officer.id and slot.mode == "tatap_muka"


@pytest.mark.parametrize("day, start, end, message", [
    (THURSDAY, (12, 0), (12, 30), "jam kerja"),  # the lunch break
    (THURSDAY, (15, 45), (16, 15), "jam kerja"),  # runs past closing
    ((2026, 11, 28), (9, 0), (9, 30), "tutup"),  # Saturday
    ((2026, 12, 25), (9, 0), (9, 30), "tutup"),  # Christmas, a public holiday
    (THURSDAY, (9, 30), (9, 0), "setelah"),  # ends before it starts
    ((2026, 11, 25), (8, 0), (8, 30), "masa depan"),  # Wednesday 08.00: already past at 09.00
])
def test_a_slot_outside_working_hours_is_refused(office, day, start, end, message):
    with pytest.raises(InvalidInput) as info:
        publish(office.officer, day, start, end)
    assert message in info.value.message
    assert consultations.db.session.scalar(select(func.count()).select_from(ConsultationSlot)) == 0


def test_a_slot_over_the_officers_own_is_a_conflict_but_another_officer_may(office):
    publish(office.officer, start=(9, 0), end=(10, 0))
    with pytest.raises(Conflict):
        publish(office.officer, start=(9, 30), end=(10, 30))
    publish(office.officer, start=(10, 0), end=(10, 30))  # touching is not overlapping
    publish(office.officer2, start=(9, 30), end=(10, 30))


@pytest.mark.parametrize("role", ["employee", "supervisor", "admin"])
def test_only_officers_publish(office, role):
    person = {"employee": office.employee, "supervisor": office.kabid, "admin": office.admin}[role]
    with pytest.raises(Forbidden):
        publish(person)


def test_a_mode_needs_its_place(office):
    with pytest.raises(InvalidInput) as info:
        publish(office.officer, mode="daring", location="")
    assert "Tautan rapat" in info.value.errors["location"][0]
    with pytest.raises(InvalidInput):
        publish(office.officer, mode="video")


def test_a_weekly_pattern_expands_into_slots_and_skips_closed_days(office):
    # Tuesdays and Thursdays 09.00–11.00, 30 minutes, three weeks from Monday 30 November; Thursday 3 December
    # is closed by the admin, so its four slots are left out.
    admin_settings.add_calendar_exception(office.admin, on=dt.date(2026, 12, 3), intervals="", note="Rapat kerja")
    result = consultations.publish_pattern(office.officer, weekdays=["1", "3"], start_time="09.00", end_time="11.00",
                                           minutes="30", mode="daring", location="https://meet.example/kons",
                                           first_day=dt.date(2026, 11, 30), weeks="3")
    starts = [consultations.to_wib(s.start_at) for s in result.created]
    assert len(starts) == 5 * 4 and result.skipped_closed == 4 and result.skipped_overlap == 0
    assert {s.weekday() for s in starts} == {1, 3}
    assert dt.date(2026, 12, 3) not in {s.date() for s in starts}
    # The same pattern again overlaps every slot: nothing new, and it says so.
    with pytest.raises(InvalidInput):
        consultations.publish_pattern(office.officer, weekdays=["1", "3"], start_time="09.00", end_time="11.00",
                                      minutes="30", mode="daring", location="x", first_day=dt.date(2026, 11, 30),
                                      weeks="3")


@pytest.mark.parametrize("changes, field", [
    ({"weekdays": []}, "weekdays"), ({"minutes": "5"}, "minutes"), ({"weeks": "99"}, "weeks"),
    ({"end_time": "08.00"}, "end_time"), ({"start_time": "sembilan"}, "start_time"),
])
def test_a_bad_pattern_is_a_422_on_its_field(office, changes, field):
    args = dict(weekdays=["1"], start_time="09.00", end_time="11.00", minutes="30", mode="telepon",
                location="0717-123", first_day=dt.date(2026, 11, 30), weeks="2") | changes
    with pytest.raises(InvalidInput) as info:
        consultations.publish_pattern(office.officer, **args)
    assert field in info.value.errors


# -- booking ------------------------------------------------------------------------------------------------

def test_booking_holds_the_slot_and_gives_the_case_to_its_officer(office):
    slot = publish(office.officer)
    case = book(office.employee, slot)
    assert case.state == "booked" and case.owner_id == office.officer.id and case.title == "Syarat kenaikan pangkat"
    assert consultations.db.session.get(ConsultationSlot, slot.id).case_id == case.id
    assert case.fields["slot_start"] == slot.start_at.isoformat()


def test_a_taken_slot_is_a_conflict_and_writes_no_case(office):
    slot = publish(office.officer)
    book(office.employee, slot)
    with pytest.raises(Conflict):
        book(office.colleague, slot)
    assert consultations.db.session.scalar(select(func.count()).select_from(Case)) == 1


def test_no_booking_of_ones_own_slot_or_of_a_slot_that_does_not_exist(office):
    slot = publish(office.officer)
    with pytest.raises(InvalidInput):
        book(office.officer, slot)
    with pytest.raises(InvalidInput):
        case_service.open_case(KIND, {"slot_id": 999, "topic": "Apa saja"}, office.employee)


def test_a_related_case_must_be_one_the_booker_may_read(office, kgb_filed_wednesday):
    slot = publish(office.officer)
    with pytest.raises(InvalidInput):
        case_service.open_case(KIND, {"slot_id": slot.id, "topic": "KGB saya",
                                      "related_case_id": kgb_filed_wednesday.id}, office.colleague)
    case = case_service.open_case(KIND, {"slot_id": slot.id, "topic": "KGB saya",
                                         "related_case_id": kgb_filed_wednesday.id}, office.employee).case
    assert case.fields["related_case_ref"] == kgb_filed_wednesday.ref


def test_the_booker_gets_a_confirmation_with_an_invitation_and_the_officer_is_told(office):
    slot = publish(office.officer)
    case = book(office.employee, slot)
    mine = outbox_rows(office.employee.email)
    assert len(mine) == 1 and "dipesan" in mine[0].subject
    ics = icalendar.Calendar.from_ical(mine[0].attachments[0]["data"])
    event = ics.walk("VEVENT")[0]
    assert event.decoded("dtstart") == slot.start_at and event.decoded("dtend") == slot.end_at
    assert str(event["uid"]).startswith(f"konsultasi-{case.id}@") and str(ics["method"]) == "REQUEST"
    assert str(event["location"]) == "Ruang Kepegawaian"
    assert [m.subject for m in outbox_rows(office.officer.email)] == [f"[{case.ref}] Konsultasi baru dipesan"]


def test_cancelling_frees_the_slot_for_someone_else(office):
    slot = publish(office.officer)
    case = book(office.employee, slot)
    case_service.transition_case(case.id, "cancel", office.employee, case.version)
    assert consultations.db.session.get(ConsultationSlot, slot.id).case_id is None
    assert book(office.colleague, slot).state == "booked"


def test_the_booker_cannot_cancel_after_the_cut_off_but_the_officer_can(office, clock):
    slot = publish(office.officer)  # Thursday 09.00; the cut-off is two hours before
    case = book(office.employee, slot)
    clock.set(wib(*THURSDAY, 7, 30))
    with pytest.raises(TransitionNotAllowed) as info:
        case_service.transition_case(case.id, "cancel", office.employee, case.version)
    assert "Batas waktu" in info.value.message
    case = case_service.transition_case(case.id, "desk_cancel", office.officer, case.version, "Petugas sakit")
    assert case.state == "cancelled"


def test_the_outcome_is_recorded_after_the_meeting_with_its_next_steps(office, clock):
    slot = publish(office.officer)
    case = book(office.employee, slot)
    case = case_service.transition_case(case.id, "confirm", office.officer, case.version)
    with pytest.raises(TransitionNotAllowed):
        case_service.transition_case(case.id, "hold", office.officer, case.version, "Dibahas", {})
    clock.set(wib(*THURSDAY, 9, 35))
    with pytest.raises(InvalidInput):  # the notes are the comment, and they are required
        case_service.transition_case(case.id, "hold", office.officer, case.version, "", {})
    case = case_service.transition_case(case.id, "hold", office.officer, case.version, "Syarat dijelaskan",
                                        {"next_steps": "Unggah SKP dua tahun terakhir"})
    assert case.state == "held"
    assert case.events[-1].data == {"next_steps": "Unggah SKP dua tahun terakhir"}
    assert consultations.db.session.get(ConsultationSlot, slot.id).case_id == case.id  # a held slot stays used


def test_a_no_show_is_recorded_by_the_officer_only(office, clock):
    case = book(office.employee, publish(office.officer))
    clock.set(wib(*THURSDAY, 9, 20))
    with pytest.raises(Forbidden):
        case_service.transition_case(case.id, "no_show", office.officer2, case.version)
    assert case_service.transition_case(case.id, "no_show", office.officer, case.version).state == "no_show"


def test_moving_a_booking_frees_the_old_slot_and_sends_a_new_invitation(office):
    first, second = publish(office.officer), publish(office.officer2, start=(10, 0), end=(10, 30))
    case = book(office.employee, first)
    case = consultations.reschedule(case.id, office.employee, second.id, case.version)
    assert case.owner_id == office.officer2.id and case.fields["slot_id"] == second.id
    assert consultations.db.session.get(ConsultationSlot, first.id).case_id is None
    invitations = [m for m in outbox_rows(office.employee.email) if m.attachments]
    assert len(invitations) == 2
    moved = icalendar.Calendar.from_ical(invitations[-1].attachments[0]["data"]).walk("VEVENT")[0]
    assert moved.decoded("dtstart") == second.start_at and int(moved["sequence"]) == 1
    assert [e.kind for e in case.events][-1] == "rescheduled"


def test_only_the_booker_moves_a_booking_and_only_to_a_free_slot(office):
    first, second = publish(office.officer), publish(office.officer2, start=(10, 0), end=(10, 30))
    case = book(office.employee, first)
    book(office.colleague, second)
    with pytest.raises(Forbidden):
        consultations.reschedule(case.id, office.officer, second.id, case.version)
    with pytest.raises(Conflict):
        consultations.reschedule(case.id, office.employee, second.id, case.version)
    # the failed move changed nothing: the first slot is still the booker's
    assert consultations.db.session.get(ConsultationSlot, first.id).case_id == case.id


# -- the confirmation clock --------------------------------------------------------------------------------

def test_a_booking_not_confirmed_within_a_working_hour_escalates(office, clock, desk):
    case = book(office.employee, publish(office.officer))
    first = next(c for c in case.clocks if c.name == FIRST_RESPONSE)
    assert first.due_at == wib(2026, 11, 25, 10, 0)
    clock.set(wib(2026, 11, 25, 10, 1))
    report = sweep_due_cases()
    assert len(report.escalated) == 1 and "first_response" in report.escalated[0]


def test_confirming_stops_the_clock(office, clock):
    case = book(office.employee, publish(office.officer))
    case = case_service.transition_case(case.id, "confirm", office.officer, case.version)
    assert all(c.stopped_at is not None for c in case.clocks if c.name == FIRST_RESPONSE)


# -- a day closed later ----------------------------------------------------------------------------------

def test_closing_a_day_cancels_its_slots_and_tells_the_bookers(office):
    booked = publish(office.officer)
    free = publish(office.officer, start=(10, 0), end=(10, 30))
    other_day = publish(office.officer, day=MONDAY)
    case = book(office.employee, booked)
    before = len(outbox_rows(office.employee.email))
    admin_settings.add_calendar_exception(office.admin, on=dt.date(*THURSDAY), intervals="", note="Banjir")
    session = consultations.db.session
    session.expire_all()
    assert session.get(ConsultationSlot, booked.id).cancelled_at is not None
    assert session.get(ConsultationSlot, free.id).cancelled_at is not None
    assert session.get(ConsultationSlot, other_day.id).cancelled_at is None
    case = session.get(Case, case.id)
    assert case.state == "cancelled" and case.events[-1].trigger == "office_closed"
    told = outbox_rows(office.employee.email)[before:]
    assert len(told) == 1 and "kantor tutup" in told[0].subject


def test_shortening_a_day_cancels_only_what_no_longer_fits(office):
    morning, afternoon = publish(office.officer), publish(office.officer, start=(14, 0), end=(14, 30))
    admin_settings.add_calendar_exception(office.admin, on=dt.date(*THURSDAY), intervals="07:30-12:00",
                                          note="Setengah hari")
    session = consultations.db.session
    session.expire_all()
    assert session.get(ConsultationSlot, morning.id).cancelled_at is None
    assert session.get(ConsultationSlot, afternoon.id).cancelled_at is not None


# -- reminders --------------------------------------------------------------------------------------------

def test_the_reminder_goes_once_on_the_working_day_before(office, clock):
    slot = publish(office.officer, day=MONDAY)  # the working day before Monday 30 is Friday 27
    case = book(office.employee, slot)
    assert consultations.send_reminders(wib(2026, 11, 26, 16, 0)) == 0  # Thursday: too early
    assert consultations.send_reminders(wib(2026, 11, 27, 7, 29)) == 0
    assert consultations.send_reminders(wib(2026, 11, 27, 7, 30)) == 1
    assert consultations.send_reminders(wib(2026, 11, 27, 7, 30)) == 0  # a rerun sends nothing
    assert consultations.send_reminders(wib(2026, 11, 28, 10, 0)) == 0
    reminders = [m for m in outbox_rows(office.employee.email) if "Pengingat" in m.subject]
    assert len(reminders) == 1 and reminders[0].case_id == case.id
    event = icalendar.Calendar.from_ical(reminders[0].attachments[0]["data"]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == slot.start_at


def test_no_reminder_for_a_cancelled_booking(office):
    case = book(office.employee, publish(office.officer, day=MONDAY))
    case_service.transition_case(case.id, "cancel", office.employee, case.version)
    assert consultations.send_reminders(wib(2026, 11, 27, 8, 0)) == 0


# -- the inbox --------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("inbox_count_matches")
def test_the_officers_inbox_asks_to_confirm_then_lists_today_then_asks_for_the_outcome(office, clock):
    from layani_flow.services import inbox

    def reasons(person):
        return {item.case.ref: item.reason for item in inbox.inbox_for(person)}

    case = book(office.employee, publish(office.officer))  # Thursday 09.00
    assert reasons(office.officer) == {case.ref: "booking_to_confirm"}
    assert case.ref not in reasons(office.officer2) and case.ref not in reasons(office.employee)
    case = case_service.transition_case(case.id, "confirm", office.officer, case.version)
    assert case.ref not in reasons(office.officer)  # confirmed, and not today
    clock.set(wib(*THURSDAY, 7, 30))
    assert reasons(office.officer) == {case.ref: "meeting_today"}
    clock.set(wib(*THURSDAY, 9, 5))
    assert reasons(office.officer) == {case.ref: "meeting_to_record"}
    case_service.transition_case(case.id, "hold", office.officer, case.version, "Dijelaskan.", {})
    assert case.ref not in reasons(office.officer)
