"""What an admin configures: SLA policies per case type, service and clock; the office calendar's closed and
shortened days. Each public function that writes is one unit of work: it commits, or changes nothing.

Policies are never edited in place: a change deactivates the active row for the same (case type, service,
clock) and adds a new one, so the history stays, and cases already open keep the terms their clocks
started with (CaseClock copies them). Calendar exceptions apply to every deadline computed afterwards.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import catalogue, clock
from ..extensions import db
from ..models import User
from ..models.sla import CalendarException, SlaPolicy
from ..timefmt import to_wib
from ..workflows import REGISTRY
from ..workflows.clocks import CLOCK_LABELS, RESOLUTION
from ..working_time import CalendarError, normalized_duration, parse_duration
from . import consultations
from .calendar import load_calendar
from .db import unit_of_work
from .errors import InvalidInput, NotFound
from .office_settings import ActivePolicy
from .sla import effective_terms

# Upper bounds keep deadline arithmetic bounded (it walks day by day): a year of working days at most.
MAX_AMOUNT = {"d": 260, "h": 260 * 8, "m": 260 * 8 * 60}
MAX_YEARS_AHEAD = 2
INTERVAL_RE = re.compile(r"^([01]\d|2[0-3])[:.]([0-5]\d)\s*[-–]\s*([01]\d|2[0-3])[:.]([0-5]\d)$")


# -- validation (pure) ---------------------------------------------------------------------------

def duration_problem(text: str | None, *, allow_zero_days: bool = True) -> str | None:
    """Why `text` is not a usable SLA duration ('2d', '8h', '90m', '2 hari', '8 jam kerja', '90 menit'), or None."""
    try:
        unit, amount = parse_duration(text or "")
    except CalendarError as exc:
        return str(exc).capitalize() + "."
    if amount == 0 and not (unit == "d" and allow_zero_days):
        return "Durasi harus lebih dari nol (0 hari berarti akhir hari kerja yang sama)."
    if amount > MAX_AMOUNT[unit]:
        return (f"Terlalu panjang: paling banyak {MAX_AMOUNT['d']} hari kerja, {MAX_AMOUNT['h']} jam atau "
                f"{MAX_AMOUNT['m']} menit.")
    return None


def parse_intervals(text: str | None) -> list[list[str]]:
    """'08:00-12:00, 13:00-15:00' → [['08:00', '12:00'], ['13:00', '15:00']]; empty text = closed all day.

    Raises InvalidInput (field `intervals`) unless every piece is HH:MM-HH:MM, each ends after it starts
    and each starts at or after the previous one ends.
    """
    text = (text or "").strip()
    if not text:
        return []
    spans: list[list[str]] = []
    previous_end = None
    for piece in re.split(r"[,;\n]+", text):
        piece = piece.strip()
        if not piece:
            continue
        match = INTERVAL_RE.match(piece)
        if match is None:
            raise InvalidInput("Jam kerja tidak valid.", {"intervals": [
                f"\"{piece[:20]}\" tidak sesuai format JJ:MM-JJ:MM, mis. 08:00-12:00."]})
        start, end = f"{match[1]}:{match[2]}", f"{match[3]}:{match[4]}"
        if not start < end:
            raise InvalidInput("Jam kerja tidak valid.", {"intervals": [f"{start}-{end}: jam selesai harus sesudah jam mulai."]})
        if previous_end is not None and start < previous_end:
            raise InvalidInput("Jam kerja tidak valid.", {"intervals": [
                f"{start}-{end} tumpang tindih atau mendahului rentang sebelumnya; tulis berurutan dari pagi."]})
        spans.append([start, end])
        previous_end = end
    return spans


# -- SLA policies ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PolicyRow:
    """The terms a new clock gets today for one case type, service and clock, and where they come from."""

    case_type: str
    service: str | None
    clock: str
    target: str
    warn_percent: int
    escalate_every: str
    source: str  # Indonesian: "Kebijakan admin", "Bawaan katalog layanan", "Bawaan alur kerja"
    policy: SlaPolicy | ActivePolicy | None

    @property
    def clock_label(self) -> str:
        return CLOCK_LABELS[self.clock]


def policy_clocks(case_type: str) -> list[str]:
    """The clocks a case type runs (those its workflow gives a default target)."""
    return [name for name in CLOCK_LABELS if name in REGISTRY[case_type].sla]


def _active_policies() -> list[SlaPolicy]:
    return list(db.session.scalars(select(SlaPolicy).where(SlaPolicy.is_active).order_by(SlaPolicy.id)).all())


def _effective(policies: list[SlaPolicy], case_type: str, service: str | None, clock_name: str) -> PolicyRow:
    """What services.sla.effective_terms gives a new clock, with where it comes from in words."""
    terms = effective_terms(policies, case_type, service, clock_name)
    if terms is None:  # policy_clocks lists only the clocks a workflow runs
        raise ValueError(f"{case_type} runs no {clock_name} clock")
    if terms.policy is not None:
        source = "Kebijakan admin" + (" (layanan ini)" if terms.policy.service else " (semua layanan)" if service else "")
    else:
        source = "Bawaan katalog layanan" if terms.from_catalogue else "Bawaan alur kerja"
    return PolicyRow(case_type, service, clock_name, terms.target, terms.warn_percent, terms.escalate_every,
                     source, terms.policy)


def policy_table() -> list[PolicyRow]:
    """Every case type and clock; for service requests also each service's resolution clock, and any other
    clock a service has its own policy for. One query."""
    policies = _active_policies()
    rows = []
    for case_type in REGISTRY:
        for clock_name in policy_clocks(case_type):
            rows.append(_effective(policies, case_type, None, clock_name))
            if not REGISTRY[case_type].per_service:
                continue
            for key in catalogue.SERVICES:
                own = any(p.case_type == case_type and p.service == key and p.clock == clock_name for p in policies)
                if clock_name == RESOLUTION or own:
                    rows.append(_effective(policies, case_type, key, clock_name))
    return rows


def policy_history(limit: int = 200) -> list[tuple[SlaPolicy, str]]:
    """Every policy row, newest first, with who saved it."""
    query = (select(SlaPolicy, User.name).outerjoin(User, User.id == SlaPolicy.created_by_id)
             .order_by(SlaPolicy.created_at.desc(), SlaPolicy.id.desc()).limit(limit))
    return [(policy, name or "–") for policy, name in db.session.execute(query).unique().all()]


def save_policy(actor: User, *, case_type: str, clock_name: str, service: str | None, target: str,
                warn_percent: int | None, escalate_every: str) -> SlaPolicy:
    """Make these the terms for clocks started from now on. Cases already open keep theirs."""
    errors: dict[str, list[str]] = {}
    service = service or None
    if case_type not in REGISTRY:
        errors["case_type"] = ["Jenis kasus tidak dikenal."]
    elif clock_name not in policy_clocks(case_type):
        errors["clock"] = [f"{REGISTRY[case_type].title} tidak memakai jam ini."]
    if service is not None and (case_type not in REGISTRY or not REGISTRY[case_type].per_service
                                or service not in catalogue.SERVICES):
        errors["service"] = ["Layanan hanya dapat dipilih untuk permohonan layanan kepegawaian dari katalog."]
    target, escalate_every = (target or "").strip().lower(), (escalate_every or "").strip().lower()
    if problem := duration_problem(target):
        errors["target"] = [problem]
    if problem := duration_problem(escalate_every, allow_zero_days=False):
        errors["escalate_every"] = [problem]
    if not isinstance(warn_percent, int) or isinstance(warn_percent, bool) or not 1 <= warn_percent <= 99:
        errors["warn_percent"] = ["Isi bilangan bulat 1 sampai 99."]
    if errors:
        raise InvalidInput("Kebijakan SLA tidak disimpan; periksa isiannya.", errors)
    # Stored in the short form every reader of a policy parses ("2 hari kerja" → "2d").
    target, escalate_every = normalized_duration(target), normalized_duration(escalate_every)
    with unit_of_work():
        now = clock.now()
        same = [SlaPolicy.case_type == case_type, SlaPolicy.clock == clock_name, SlaPolicy.is_active,
                SlaPolicy.service.is_(None) if service is None else SlaPolicy.service == service]
        for previous in db.session.scalars(select(SlaPolicy).where(*same).with_for_update()).all():
            previous.is_active = False
        policy = SlaPolicy(case_type=case_type, service=service, clock=clock_name, target=target,
                           warn_percent=warn_percent, escalate_every=escalate_every, is_active=True,
                           created_at=now, created_by_id=actor.id)
        db.session.add(policy)
    return policy


# -- calendar ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClosedDay:
    on: dt.date
    name: str


def today_wib() -> dt.date:
    return to_wib(clock.now()).date()


def closed_days(years: tuple[int, ...] | None = None) -> list[ClosedDay]:
    """Working days of the week that are closed this year and next: holidays, cuti bersama, admin closures."""
    cal = load_calendar()
    this_year = today_wib().year
    notes = {row.on: row.note for row in calendar_exceptions()}
    days = []
    for year in years or (this_year, this_year + 1):
        for on, name in cal.closed_days(year):
            days.append(ClosedDay(on, f"Ditutup oleh admin: {notes[on]}" if notes.get(on) else name))
    return days


def calendar_exceptions() -> list[CalendarException]:
    return list(db.session.scalars(select(CalendarException).order_by(CalendarException.on)).all())


def working_week() -> dict[int, tuple]:
    """The configured week (weekday → intervals), as the calendar uses it."""
    return dict(load_calendar().week)


def _check_date(on: dt.date | None) -> dict[str, list[str]]:
    if not isinstance(on, dt.date):
        return {"on": ["Isi tanggal dengan format TTTT-BB-HH."]}
    today = today_wib()
    if on < today:
        return {"on": ["Tanggal yang sudah lewat tidak dapat diubah: batas waktu yang sudah berjalan tidak ditulis ulang."]}
    if on.year > today.year + MAX_YEARS_AHEAD:
        return {"on": [f"Paling jauh tahun {today.year + MAX_YEARS_AHEAD}."]}
    return {}


def add_calendar_exception(actor: User, *, on: dt.date | None, intervals: str | None, note: str | None) -> CalendarException:
    """Close a day (no intervals) or give it its own working hours (a shortened day, or an extra working day)."""
    note = (note or "").strip()
    errors = _check_date(on)
    try:
        spans = parse_intervals(intervals)
    except InvalidInput as exc:
        errors.update(exc.errors)
        spans = []
    if not note:
        errors["note"] = ["Tuliskan keterangan, mis. \"Cuti bersama tambahan\" atau \"Rapat kerja\"."]
    elif len(note) > 200:
        errors["note"] = ["Maksimal 200 karakter."]
    if not errors and db.session.scalar(select(CalendarException.id).where(CalendarException.on == on)) is not None:
        errors["on"] = ["Tanggal ini sudah punya pengecualian; hapus dulu yang lama bila ingin mengubahnya."]
    if errors:
        raise InvalidInput("Hari tidak disimpan; periksa isiannya.", errors)
    try:
        with unit_of_work():
            row = CalendarException(on=on, intervals=spans, note=note, created_at=clock.now(), created_by_id=actor.id)
            db.session.add(row)
            db.session.flush()
            # Consultation slots that no longer fit the day are cancelled with it, and their bookers told.
            if on is not None:  # _check_date refused a missing one above
                consultations.cancel_outside_hours(on, spans, actor, note)
    except IntegrityError:  # someone saved the same date a moment ago
        raise InvalidInput("Hari tidak disimpan; periksa isiannya.", {"on": [
            "Tanggal ini sudah punya pengecualian; hapus dulu yang lama bila ingin mengubahnya."]}) from None
    return row


def delete_calendar_exception(actor: User, exception_id: int) -> dt.date:
    """Give a day back its usual hours (today or later only: the past is not rewritten). Returns the date."""
    with unit_of_work():
        row = db.session.get(CalendarException, exception_id)
        if row is None:
            raise NotFound("Pengecualian kalender tidak ditemukan.")
        on = row.on
        if on < today_wib():
            raise InvalidInput("Hari yang sudah lewat tidak dapat diubah.",
                               {"on": ["Batas waktu yang sudah berjalan tidak ditulis ulang."]})
        db.session.delete(row)
    return on
