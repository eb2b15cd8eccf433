"""ConsDesk: officers publish consultation slots in working hours; employees book them as cases.

Which case type books slots is its declaration's to say (`Workflow.booking`); this module never names it.
- A slot lies inside one working interval of its day under the configured calendar (holidays and the admin's
  closed days included) and never overlaps the same officer's other live slots.
- Booking is a conditional UPDATE of the slot (`SET case_id = … WHERE case_id IS NULL AND cancelled_at IS
  NULL AND start_at > now`): of two people booking at once exactly one changes the row; the other gets 409.
  On PostgreSQL the second UPDATE waits for the first transaction and re-reads the row; SQLite writes one
  transaction at a time.
- The booker gets a confirmation with an ICS invitation, and a reminder with the same invitation on the
  working day before (`send_reminders`, run by the sweep): the reminder is claimed by a conditional UPDATE of
  `reminded_at` as well, so reruns and two workers send it once.
- An admin closing a day (or shortening it) cancels the slots that no longer fit, and each booking on them is
  cancelled through the declaration's `closed_day_trigger`, whose `notify` tells the booker and the officer.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from .. import clock
from ..extensions import db
from ..models import Case, ConsultationSlot, User
from ..models.consultations import SLOT_MODES
from ..roles import Role
from ..timefmt import human_wib, to_wib
from ..workflows import REGISTRY, Booking, Workflow, case_types_where
from ..working_time import WIB, WorkingCalendar
from . import filing_rows, ics, outbox
from .access import can_view, tags_for
from .calendar import load_calendar
from .capabilities import step_context
from .db import rows_changed, unit_of_work
from .errors import Conflict, Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from .timeline import append_event

MODE_LABELS: dict[str, str] = {"tatap_muka": "Tatap muka", "daring": "Daring (video)", "telepon": "Telepon"}
LOCATION_HINTS: dict[str, str] = {"tatap_muka": "Ruang", "daring": "Tautan rapat", "telepon": "Nomor telepon"}
WEEKDAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MAX_PATTERN_WEEKS = 12
MAX_SLOT_MINUTES = 240
SLOT_TAKEN = "Jadwal ini sudah dipesan orang lain atau tidak tersedia lagi; pilih jadwal lain."
NOT_AN_OFFICER = "Hanya petugas layanan yang dapat membuka jadwal konsultasi."


def booking_type() -> str:
    """The case type that books slots (the registry says which)."""
    types = case_types_where(lambda wf: wf.booking is not None)
    if not types:
        raise NotFound("Layanan konsultasi tidak tersedia.")
    return types[0]


def _booking(workflow: Workflow) -> Booking:
    assert workflow.booking is not None
    return workflow.booking


# -- publishing -------------------------------------------------------------------------------------------

def _as_aware(value: Any, field: str) -> dt.datetime:
    """An ISO 8601 instant (a naive one is read in WIB)."""
    if isinstance(value, dt.datetime):
        instant = value
    else:
        try:
            instant = dt.datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            raise InvalidInput("Waktu tidak valid.", {field: ["Tulis waktu seperti 2026-12-08T09:00+07:00."]}) from None
    return instant.replace(tzinfo=WIB) if instant.tzinfo is None else instant


def _interval_problem(cal: WorkingCalendar, start: dt.datetime, end: dt.datetime) -> str | None:
    """Why a slot from `start` to `end` is not inside one working interval of its day, or None."""
    if end <= start:
        return "Waktu selesai harus setelah waktu mulai."
    if end - start > dt.timedelta(minutes=MAX_SLOT_MINUTES):
        return f"Satu jadwal paling lama {MAX_SLOT_MINUTES} menit."
    local_start, local_end = start.astimezone(WIB), end.astimezone(WIB)
    day = local_start.date()
    spans = cal.intervals_on(day)
    if not spans:
        reason = cal.holiday_name(day)
        return f"Kantor tutup pada {WEEKDAY_NAMES[day.weekday()]} {day:%d-%m-%Y}" + (f" ({reason})." if reason else ".")
    for a, b in spans:
        if dt.datetime.combine(day, a, WIB) <= local_start and local_end <= dt.datetime.combine(day, b, WIB):
            return None
    hours = ", ".join(f"{a:%H.%M}–{b:%H.%M}" for a, b in spans)
    return f"Jadwal harus berada dalam jam kerja hari itu ({hours} WIB)."


def _check_mode(mode: Any, location: Any) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    if mode not in SLOT_MODES:
        errors["mode"] = ["Pilih: tatap muka, daring atau telepon."]
    text = str(location or "").strip() if isinstance(location, str | type(None)) else None
    if text is None:
        errors["location"] = ["Tulis lokasi sebagai teks."]
    elif len(text) > 300:
        errors["location"] = ["Maksimal 300 karakter."]
    elif not text and mode in SLOT_MODES:
        errors["location"] = [f"{LOCATION_HINTS[str(mode)]} wajib diisi."]
    if errors:
        raise InvalidInput("Jadwal tidak disimpan; periksa isiannya.", errors)
    return str(mode), text or ""


def _overlapping(officer_id: int, start: dt.datetime, end: dt.datetime) -> bool:
    return db.session.scalar(select(ConsultationSlot.id).where(
        ConsultationSlot.officer_id == officer_id, ConsultationSlot.cancelled_at.is_(None),
        ConsultationSlot.start_at < end, ConsultationSlot.end_at > start).limit(1)) is not None


def _lock_officer(officer: User) -> None:
    """Two publications by one officer at once are judged one after the other (overlaps), on PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(select(User.id).where(User.id == officer.id).with_for_update())


def _require_officer(actor: User) -> None:
    if actor.role != Role.OFFICER:
        raise Forbidden(NOT_AN_OFFICER)


def publish_slot(officer: User, *, start: Any, end: Any, mode: Any, location: Any) -> ConsultationSlot:
    """One slot: 422 outside working hours or when it ends before it starts, 409 over the officer's own."""
    _require_officer(officer)
    start_at, end_at = _as_aware(start, "start"), _as_aware(end, "end")
    mode, location = _check_mode(mode, location)
    problem = _interval_problem(load_calendar(), start_at, end_at)
    if problem:
        raise InvalidInput(problem, {"start": [problem]})
    if start_at <= clock.now():
        raise InvalidInput("Jadwal harus di masa depan.", {"start": ["Pilih waktu yang belum lewat."]})
    with unit_of_work(keep_loaded=True):
        _lock_officer(officer)
        if _overlapping(officer.id, start_at, end_at):
            raise Conflict("Jadwal ini bertumpuk dengan jadwal Anda yang lain.")
        slot = ConsultationSlot(officer_id=officer.id, officer=officer, start_at=start_at, end_at=end_at, mode=mode,
                                location=location, cancel_reason="", created_at=clock.now())
        db.session.add(slot)
    return slot


@dataclass(frozen=True)
class PatternResult:
    created: list[ConsultationSlot]
    skipped_closed: int  # would fall on a closed day or outside that day's hours
    skipped_overlap: int  # would overlap the officer's other slots


def _time(value: Any, field: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value or "").strip().replace(".", ":"))
    except ValueError:
        raise InvalidInput("Jam tidak valid.", {field: ["Tulis jam seperti 09.00."]}) from None


def publish_pattern(officer: User, *, weekdays: Iterable[Any], start_time: Any, end_time: Any, minutes: Any,
                    mode: Any, location: Any, first_day: dt.date, weeks: Any) -> PatternResult:
    """A weekly pattern ("Selasa dan Kamis 09.00–11.00, 30 menit") expanded into slots for `weeks` weeks from
    `first_day`. Slots that would fall on a closed day, outside that day's hours, or over the officer's other
    slots are left out and counted; none at all is a 422."""
    _require_officer(officer)
    errors: dict[str, list[str]] = {}
    try:
        days = sorted({int(d) for d in weekdays})
    except (TypeError, ValueError):
        days = []
    if not days or any(not 0 <= d <= 6 for d in days):
        errors["weekdays"] = ["Pilih paling sedikit satu hari."]
    begin, finish = _time(start_time, "start_time"), _time(end_time, "end_time")
    try:
        length = int(minutes)
        if not 10 <= length <= MAX_SLOT_MINUTES:
            raise ValueError
    except (TypeError, ValueError):
        errors["minutes"] = [f"Lama satu jadwal 10 sampai {MAX_SLOT_MINUTES} menit."]
        length = 0
    try:
        count = int(weeks)
        if not 1 <= count <= MAX_PATTERN_WEEKS:
            raise ValueError
    except (TypeError, ValueError):
        errors["weeks"] = [f"Berlaku 1 sampai {MAX_PATTERN_WEEKS} minggu."]
        count = 0
    if finish <= begin:
        errors["end_time"] = ["Jam selesai harus setelah jam mulai."]
    if errors:
        raise InvalidInput("Pola jadwal tidak disimpan; periksa isiannya.", errors)
    mode, location = _check_mode(mode, location)
    cal, now = load_calendar(), clock.now()
    pattern = uuid.uuid4().hex[:12]
    created: list[ConsultationSlot] = []
    closed = overlap = 0
    with unit_of_work(keep_loaded=True):
        _lock_officer(officer)
        for offset in range(count * 7):
            day = first_day + dt.timedelta(days=offset)
            if day.weekday() not in days:
                continue
            cursor = dt.datetime.combine(day, begin, WIB)
            last = dt.datetime.combine(day, finish, WIB)
            while cursor + dt.timedelta(minutes=length) <= last:
                start_at, end_at = cursor, cursor + dt.timedelta(minutes=length)
                cursor = end_at
                if start_at <= now or _interval_problem(cal, start_at, end_at):
                    closed += 1
                elif _overlapping(officer.id, start_at, end_at):
                    overlap += 1
                else:
                    slot = ConsultationSlot(officer_id=officer.id, officer=officer, start_at=start_at,
                                            end_at=end_at, mode=mode, location=location, pattern=pattern,
                                            cancel_reason="", created_at=now)
                    db.session.add(slot)
                    db.session.flush()  # the next slot's overlap check sees this one
                    created.append(slot)
        if not created:
            raise InvalidInput("Tidak ada jadwal yang dapat dibuat dari pola ini: semua jatuh di luar jam kerja, "
                               "pada hari libur, sudah lewat, atau bertumpuk dengan jadwal Anda.",
                               {"start_time": ["Periksa hari dan jam terhadap jam kerja kantor."]})
    return PatternResult(created, closed, overlap)


def withdraw_slot(officer: User, slot_id: int) -> ConsultationSlot:
    """The officer takes back a free slot of theirs (a booked one is cancelled on its case instead)."""
    with unit_of_work(keep_loaded=True):
        slot = db.session.get(ConsultationSlot, slot_id)
        if slot is None or slot.officer_id != officer.id:
            raise NotFound("Jadwal tidak ditemukan.")
        changed = rows_changed(update(ConsultationSlot).where(
            ConsultationSlot.id == slot_id, ConsultationSlot.case_id.is_(None),
            ConsultationSlot.cancelled_at.is_(None)).values(cancelled_at=clock.now(), cancel_reason="Ditarik petugas"))
        if not changed:
            raise Conflict("Jadwal ini sudah dipesan atau sudah dibatalkan; batalkan lewat halaman konsultasinya.")
    return slot


# -- reading ---------------------------------------------------------------------------------------------

def slots_between(start: dt.datetime, end: dt.datetime, *, available_only: bool = False,
                  officer_id: int | None = None, limit: int = 500) -> list[ConsultationSlot]:
    """Live (not cancelled) slots starting in [start, end), earliest first; the officer comes joined."""
    query = select(ConsultationSlot).where(ConsultationSlot.cancelled_at.is_(None),
                                           ConsultationSlot.start_at >= start, ConsultationSlot.start_at < end)
    if available_only:
        query = query.where(ConsultationSlot.case_id.is_(None))
    if officer_id is not None:
        query = query.where(ConsultationSlot.officer_id == officer_id)
    return list(db.session.scalars(query.order_by(ConsultationSlot.start_at, ConsultationSlot.id).limit(limit)))


def agenda(officer: User, day: dt.date) -> tuple[list[ConsultationSlot], list[ConsultationSlot]]:
    """The officer's slots (with their bookings) today and in the seven days from `day`."""
    start = dt.datetime.combine(day, dt.time(0), WIB)
    week = slots_between(start, start + dt.timedelta(days=7), officer_id=officer.id)
    ids = [s.case_id for s in week if s.case_id is not None]
    if ids:  # the bookings and their requesters in one more query, set on their slots: the session holds
        # loaded objects weakly, so cases loaded and dropped here would be loaded again one by one by slot.case
        cases = {case.id: case for case in db.session.scalars(select(Case).where(Case.id.in_(ids))).unique()}
        for slot in week:
            if slot.case_id is not None:
                set_committed_value(slot, "case", cases.get(slot.case_id))
    today = [s for s in week if to_wib(s.start_at).date() == day]
    return today, week


def slot_by_id(slot_id: int) -> ConsultationSlot | None:
    return db.session.get(ConsultationSlot, slot_id) if 0 < slot_id < 2**31 else None


def slot_for_case(case: Case) -> ConsultationSlot | None:
    workflow = REGISTRY[case.case_type]
    if workflow.booking is None:
        return None
    slot_id = (case.fields or {}).get(workflow.booking.slot_field)
    return db.session.get(ConsultationSlot, slot_id) if isinstance(slot_id, int) else None


# -- booking ----------------------------------------------------------------------------------------------

def _take(slot_id: Any, case: Case, requester: User, now: dt.datetime) -> ConsultationSlot:
    """Hold the slot for `case`, or 409: the one conditional UPDATE that decides who wins a slot."""
    if isinstance(slot_id, bool) or not isinstance(slot_id, int) or not 0 < slot_id < 2**31:
        raise InvalidInput("Jadwal tidak valid.", {"slot_id": ["Pilih jadwal dari daftar."]})
    slot = db.session.get(ConsultationSlot, slot_id)
    if slot is None:
        raise InvalidInput("Jadwal tidak ditemukan.", {"slot_id": ["Pilih jadwal dari daftar."]})
    if slot.officer_id == requester.id:
        raise InvalidInput("Anda tidak dapat memesan jadwal Anda sendiri.", {"slot_id": ["Pilih jadwal petugas lain."]})
    filing_rows.write(case)  # the case's id is what the slot holds
    won = rows_changed(update(ConsultationSlot).where(
        ConsultationSlot.id == slot_id, ConsultationSlot.case_id.is_(None), ConsultationSlot.cancelled_at.is_(None),
        ConsultationSlot.start_at > now).values(case_id=case.id).execution_options(synchronize_session=False))
    if not won:
        raise Conflict(SLOT_TAKEN, {"slot_id": [SLOT_TAKEN]})
    db.session.refresh(slot)
    return slot


def _describe(case: Case, slot: ConsultationSlot, booking: Booking, sequence: int) -> None:
    """What the case keeps of its slot: pages, guards (the cut-off) and invitations read it."""
    case.fields = {**(case.fields or {}), booking.slot_field: slot.id, "slot_start": slot.start_at.isoformat(),
                   "slot_end": slot.end_at.isoformat(), "mode": slot.mode, "location": slot.location,
                   "ics_sequence": sequence}
    case.owner_id = slot.officer_id


def _related_case(data: dict[str, Any], requester: User) -> None:
    related = data.get("related_case_id")
    if related in (None, ""):
        return
    target = db.session.get(Case, related) if isinstance(related, int) and 0 < related < 2**31 else None
    if target is None or not can_view(target, requester):
        raise InvalidInput("Kasus terkait tidak ditemukan.", {"related_case_id": ["Pilih salah satu kasus Anda."]})
    data["related_case_ref"] = target.ref


def book(case: Case, workflow: Workflow, data: dict[str, Any], requester: User | None, now: dt.datetime) -> None:
    """Called by open_case for a type with `booking`, inside its unit of work, before the case's first event."""
    booking = _booking(workflow)
    if requester is None:
        raise Forbidden("Silakan masuk terlebih dahulu.")
    _related_case(data, requester)
    if "related_case_ref" in data:
        case.fields = {**(case.fields or {}), "related_case_ref": data["related_case_ref"]}
    slot = _take(data.get(booking.slot_field), case, requester, now)
    _describe(case, slot, booking, 0)
    _invite(case, slot, requester, "konsultasi_dipesan", "Konsultasi Anda sudah dipesan")
    if slot.officer.is_active:
        outbox.enqueue(to=slot.officer.email, template="booking", case=case, context=_mail_context(
            case, slot, slot.officer, "Konsultasi baru dipesan", for_officer=True))


def release(case: Case) -> None:
    """The case let go of its slot (cancelled): someone else may book it."""
    db.session.execute(update(ConsultationSlot).where(ConsultationSlot.case_id == case.id)
                       .values(case_id=None).execution_options(synchronize_session=False))


def observe_state(case: Case, workflow: Workflow) -> None:
    """After a step: a booking in a releasing state frees its slot (services.cases calls this)."""
    if workflow.booking is not None and case.state in workflow.booking.released_in:
        release(case)


def reschedule(case_id: int, actor: User, slot_id: Any, version: Any) -> Case:
    """The booker moves the booking to another free slot, up to the cut-off before the current one."""
    from .cases import _check_version, _visible_case  # the case services' own loading and version check

    with unit_of_work():
        case = _visible_case(case_id, actor, for_update=True)
        workflow = REGISTRY[case.case_type]
        if workflow.booking is None:
            raise NotFound("Kasus ini bukan pemesanan jadwal.")
        booking = workflow.booking
        if "requester" not in tags_for(case, actor):
            raise Forbidden("Hanya pemesan yang dapat mengubah jadwal konsultasinya.")
        _check_version(case, version)
        if case.state not in booking.changeable_in:
            raise TransitionNotAllowed("Jadwal konsultasi ini tidak dapat diubah lagi.")
        ctx = step_context(case, actor, tags_for(case, actor))
        cancel_guards = [g for s in workflow.steps for g in s.guards if s.trigger in _requester_steps(workflow)]
        for guard in cancel_guards:
            if not guard.holds(case, ctx):
                raise TransitionNotAllowed(guard.message)
        old = slot_for_case(case)
        if old is not None and old.id == slot_id:
            raise InvalidInput("Itu jadwal Anda sekarang.", {"slot_id": ["Pilih jadwal lain."]})
        release(case)
        slot = _take(slot_id, case, actor, ctx["now"])
        previous = human_wib(old.start_at) if old is not None else ""
        _describe(case, slot, booking, int((case.fields or {}).get("ics_sequence") or 0) + 1)
        case.updated_at = ctx["now"]
        append_event(case, actor, "rescheduled", comment=f"Jadwal dipindah dari {previous} ke {human_wib(slot.start_at)}.",
                     data={"from": previous, "to": human_wib(slot.start_at)})
        _invite(case, slot, actor, "konsultasi_dipindah", "Jadwal konsultasi Anda dipindah")
    return case


def _requester_steps(workflow: Workflow) -> set[str]:
    """The steps the booker fires to let go of the booking: their guards (the cut-off) bound a change too."""
    booking = _booking(workflow)
    return {s.trigger for s in workflow.steps if "requester" in s.who and s.dest in booking.released_in}


# -- emails with an invitation --------------------------------------------------------------------------

def invitation(case: Case, slot: ConsultationSlot, *, method: str = "REQUEST", sequence: int = 0) -> str:
    """An iCalendar invitation (RFC 5545) for the booking: one event, UTC instants, a stable UID per case."""
    return ics.invitation(
        uid=f"konsultasi-{case.id}@{outbox.mail_domain()}", start=slot.start_at, end=slot.end_at,
        summary=f"Konsultasi kepegawaian ({case.ref}) – {MODE_LABELS[slot.mode]}", location=slot.location,
        description=f"{case.title}\nPetugas: {slot.officer.name}\n"
                    f"{current_app.config['BASE_URL'].rstrip('/')}/kasus/{case.id}",
        organizer=slot.officer, method=method, sequence=sequence, product="LAYANI Flow//ConsDesk",
        attendees=[(case.requester, "REQ-PARTICIPANT")] if case.requester is not None else [])


def _mail_context(case: Case, slot: ConsultationSlot, recipient: User, headline: str, *,
                  for_officer: bool = False) -> dict[str, Any]:
    return {"recipient_name": recipient.name, "headline": headline, "slot": slot,
            "when": f"{human_wib(slot.start_at)}–{to_wib(slot.end_at):%H.%M} WIB",
            "mode_label": MODE_LABELS[slot.mode], "location_label": LOCATION_HINTS[slot.mode],
            "for_officer": for_officer, "topic": (case.fields or {}).get("topic", case.title)}


def _invite(case: Case, slot: ConsultationSlot, requester: User, key: str, headline: str, *,
            dedupe_key: str | None = None) -> None:
    if not requester.is_active:
        return
    ics = invitation(case, slot, sequence=int((case.fields or {}).get("ics_sequence") or 0))
    outbox.enqueue(to=requester.email, template="booking", case=case, dedupe_key=dedupe_key,
                   context=_mail_context(case, slot, requester, headline),
                   attachments=[{"filename": f"{key}.ics", "content_type": "text/calendar; method=REQUEST",
                                 "data": ics}])


# -- the sweep's reminders --------------------------------------------------------------------------------

def reminder_instant(cal: WorkingCalendar, start: dt.datetime) -> dt.datetime | None:
    """The opening of the last working day before the meeting's day (None if there is none within a month)."""
    day = start.astimezone(WIB).date()
    for back in range(1, 32):
        before = day - dt.timedelta(days=back)
        spans = cal.intervals_on(before)
        if spans:
            return dt.datetime.combine(before, spans[0][0], WIB)
    return None


def send_reminders(now: dt.datetime, horizon_days: int = 40) -> int:
    """Remind each booker once, on the working day before the meeting: a reminder is claimed by setting
    `reminded_at` where it is still empty, so a rerun, or another worker at the same time, sends nothing."""
    sent = 0
    live = [key for key, wf in REGISTRY.items() if wf.booking is not None]
    with unit_of_work():
        cal = load_calendar()
        rows = db.session.scalars(
            select(ConsultationSlot).join(Case, Case.id == ConsultationSlot.case_id).where(
                ConsultationSlot.reminded_at.is_(None), ConsultationSlot.cancelled_at.is_(None),
                ConsultationSlot.start_at > now, ConsultationSlot.start_at < now + dt.timedelta(days=horizon_days),
                Case.case_type.in_(live), Case.closed_at.is_(None))
            .order_by(ConsultationSlot.start_at)).all()
        for slot in rows:
            due_at = reminder_instant(cal, slot.start_at)
            if due_at is None or now < due_at:
                continue
            claimed = rows_changed(update(ConsultationSlot).where(
                ConsultationSlot.id == slot.id, ConsultationSlot.reminded_at.is_(None))
                .values(reminded_at=now).execution_options(synchronize_session=False))
            case = slot.case
            if not claimed or case is None or case.requester is None:
                continue
            _invite(case, slot, case.requester, "pengingat_konsultasi", "Pengingat: jadwal konsultasi Anda",
                    dedupe_key=f"consult-reminder-{case.id}-{slot.id}")
            sent += 1
    return sent


# -- the office closes a day ------------------------------------------------------------------------------

def _fits(slot: ConsultationSlot, day: dt.date, spans: list[list[str]]) -> bool:
    start, end = slot.start_at.astimezone(WIB), slot.end_at.astimezone(WIB)
    return any(dt.datetime.combine(day, dt.time.fromisoformat(a), WIB) <= start
               and end <= dt.datetime.combine(day, dt.time.fromisoformat(b), WIB) for a, b in spans)


def cancel_outside_hours(day: dt.date, spans: list[list[str]], actor: User, note: str) -> int:
    """The day's hours changed (closed: `spans` empty): slots that no longer fit are cancelled, and each
    booking on them through its declaration's `closed_day_trigger`, which tells the booker and the officer.
    Joins the caller's unit of work (the calendar change and the cancellations are one fact)."""
    begin = dt.datetime.combine(day, dt.time(0), WIB)
    cancelled = 0
    with unit_of_work():
        now = clock.now()
        slots = db.session.scalars(select(ConsultationSlot).where(
            ConsultationSlot.cancelled_at.is_(None), ConsultationSlot.start_at >= begin,
            ConsultationSlot.start_at < begin + dt.timedelta(days=1))).all()
        for slot in slots:
            if _fits(slot, day, spans):
                continue
            slot.cancelled_at, slot.cancel_reason = now, f"Kantor tutup: {note}"[:200]
            cancelled += 1
            case = slot.case
            if case is None:
                continue
            workflow = REGISTRY[case.case_type]
            booking = workflow.booking
            if booking is None or case.state not in booking.changeable_in:
                continue
            trigger = booking.closed_day_trigger
            ctx = step_context(case, actor, tags_for(case, actor))
            from_state = case.state
            workflow.fire(case, trigger, **ctx)
            if workflow.is_final(case.state):
                case.closed_at = now
            case.updated_at = now
            append_event(case, actor, "transition", at=now, trigger=trigger, from_state=from_state,
                         to_state=case.state, comment=f"Kantor tutup pada hari itu: {note}")
            slot.case_id = None
    return cancelled


def upcoming_free(now: dt.datetime, days: int = 21) -> list[ConsultationSlot]:
    return slots_between(now, now + dt.timedelta(days=days), available_only=True)

