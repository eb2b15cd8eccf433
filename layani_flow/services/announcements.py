"""Informasi: announcements and socialisation events for an audience.

Audience. "Everyone" (`audience_all`), or any combination of units, roles and grades: within a kind any value
matches (units A or B), across kinds every named kind must match (units A or B *and* role supervisor). It is
evaluated when read, from the person's `users.unit`, `users.role` and `users.grade`, so someone who moves to a
unit sees what that unit was told. One rule, written twice: over a person (`matches`, for one announcement in
Python) and as SQL (`people_clause` over users, `in_audience_clause` over announcements, for lists and the
inbox); tests hold the three to the same answers.

Who may do what:
- publish: officers and admins;
- see an announcement: its audience, its author, and admins (who oversee Informasi);
- read it (opening it marks it read) and acknowledge it: its audience, which never includes its author;
- see who has read and acknowledged it, and remind those who have not: its author and admins;
- RSVP to an event: its audience, until it starts; capacity is taken by a conditional UPDATE of the event's
  `seats_taken`, so exactly one of two people wins the last seat on SQLite and PostgreSQL alike;
- take attendance on the event's day (WIB): its author, officers and admins who can see it.

Email. Publishing (and "Ingatkan yang belum") writes one outbox row per recipient in the same unit of work,
inserted with executemany in chunks, the text rendered once for all (it names no one); the worker delivers
them in its batches like any other mail. An event's email carries its ICS invitation (METHOD:PUBLISH, the same
for everyone; services/ics.py builds it, as it does ConsDesk's).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true, update

from .. import clock
from ..extensions import db
from ..grades import normalize_grade
from ..models import (
    Announcement,
    AnnouncementAudience,
    AnnouncementEvent,
    AnnouncementFile,
    AnnouncementRead,
    EventRsvp,
    User,
)
from ..models.announcements import TOPICS
from ..roles import ROLE_LABELS, Role
from ..timefmt import human_wib, to_wib
from ..working_time import WIB
from . import documents, ics, outbox
from .db import conflict_insert, rows_changed, unit_of_work
from .errors import Conflict, Forbidden, InvalidInput, NotFound

logger = logging.getLogger(__name__)

PUBLISHERS = (Role.OFFICER.value, Role.ADMIN.value)
ATTENDANCE_TAKERS = (Role.OFFICER.value, Role.ADMIN.value)
NOT_FOUND = "Pengumuman tidak ditemukan atau tidak ditujukan kepada Anda."
EVENT_NOT_FOUND = "Acara tidak ditemukan atau tidak ditujukan kepada Anda."
NOT_A_PUBLISHER = "Hanya petugas layanan dan admin yang dapat menerbitkan pengumuman."
TITLE_MAX, BODY_MAX = 200, 20000
MAX_FILES = 5
MAX_EVENT_HOURS = 24 * 3
MAX_CAPACITY = 10000
EMAIL_CHUNK = 500  # outbox rows per executemany
REMIND_EVERY = dt.timedelta(minutes=10)  # a second "Ingatkan yang belum" within this is refused
SEARCH_MAX = 200
# Roles may be named in English (the API's keys) or as the office says them.
ROLE_WORDS = {"pegawai": "employee", "petugas": "officer", "atasan": "supervisor", **{r.value: r.value for r in Role}}


# -- the audience -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Audience:
    everyone: bool
    units: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()

    def values(self) -> list[tuple[str, str]]:
        return [("unit", v) for v in self.units] + [("role", v) for v in self.roles] + [("grade", v) for v in self.grades]

    def as_dict(self) -> dict[str, Any]:
        return {"all": self.everyone, "units": list(self.units), "roles": list(self.roles), "grades": list(self.grades)}

    def describe(self) -> str:
        """In words, for pages and emails: "Semua pegawai" or "Unit: …; Peran: …; Golongan: …"."""
        if self.everyone:
            return "Semua pegawai"
        parts = []
        if self.units:
            parts.append("Unit: " + ", ".join(self.units))
        if self.roles:
            parts.append("Peran: " + ", ".join(ROLE_LABELS[Role(r)] for r in self.roles))
        if self.grades:
            parts.append("Golongan: " + ", ".join(self.grades))
        return "; ".join(parts)


def audience_of(announcement: Announcement) -> Audience:
    return Audience(announcement.audience_all, *(tuple(announcement.audience_values(k)) for k in ("unit", "role", "grade")))


def matches(audience: Audience, person: User) -> bool:
    """Whether `person` (as they are now) is in `audience`. The Python twin of people_clause()."""
    if not person.is_active_account:
        return False
    if audience.everyone:
        return True
    named = [(audience.units, person.unit), (audience.roles, person.role), (audience.grades, person.grade)]
    return any(values for values, _ in named) and all(not values or have in values for values, have in named)


def people_clause(audience: Audience) -> ColumnElement[bool]:
    """Over users: the active people in `audience`."""
    clauses: list[ColumnElement[bool]] = [User.is_active_account.is_(True)]
    if not audience.everyone:
        if not (audience.units or audience.roles or audience.grades):
            return false()
        for values, column in ((audience.units, User.unit), (audience.roles, User.role), (audience.grades, User.grade)):
            if values:
                clauses.append(column.in_(values))
    return and_(*clauses)


def _names(kind: str, value: Any) -> ColumnElement[bool]:
    return exists().where(AnnouncementAudience.announcement_id == Announcement.id, AnnouncementAudience.kind == kind,
                          AnnouncementAudience.value == value)


def _names_any(kind: str) -> ColumnElement[bool]:
    return exists().where(AnnouncementAudience.announcement_id == Announcement.id, AnnouncementAudience.kind == kind)


def in_audience_clause(person: User) -> ColumnElement[bool]:
    """Over announcements: those whose audience includes `person` (never their own)."""
    if not person.is_active_account:
        return false()
    per_kind = [or_(~_names_any(kind), _names(kind, value) if value else false())
                for kind, value in (("unit", person.unit), ("role", person.role), ("grade", person.grade))]
    return and_(Announcement.author_id != person.id,
                or_(Announcement.audience_all.is_(True), and_(_names_any_kind(), *per_kind)))


def _names_any_kind() -> ColumnElement[bool]:
    return exists().where(AnnouncementAudience.announcement_id == Announcement.id)


def visible_clause(person: User) -> ColumnElement[bool]:
    """Over announcements: what `person` may see (their audience's, their own, and every one for admins)."""
    if person.role == Role.ADMIN.value:
        return true()
    return or_(Announcement.author_id == person.id, in_audience_clause(person))


def in_audience(announcement: Announcement, person: User) -> bool:
    return announcement.author_id != person.id and matches(audience_of(announcement), person)


def can_see(announcement: Announcement, person: User) -> bool:
    return person.role == Role.ADMIN.value or announcement.author_id == person.id or in_audience(announcement, person)


def can_see_readers(announcement: Announcement, person: User) -> bool:
    return person.role == Role.ADMIN.value or announcement.author_id == person.id


def can_take_attendance(announcement: Announcement, person: User) -> bool:
    return can_see(announcement, person) and (announcement.author_id == person.id or person.role in ATTENDANCE_TAKERS)


def known_units() -> list[str]:
    return list(db.session.scalars(select(User.unit).where(User.unit != "", User.is_active_account.is_(True))
                                   .distinct().order_by(User.unit)))


def _string_list(raw: Any, field: str, errors: dict[str, list[str]]) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        errors.setdefault(field, []).append("Harus berupa daftar teks.")
        return []
    return [v.strip() for v in raw if v.strip()]


def parse_audience(raw: Any) -> Audience:
    """The audience from `{"all": true}` or `{"units": [...], "roles": [...], "grades": [...]}` (the page sends
    the same keys). Unknown units, roles or grades are refused by name: a typo would reach nobody."""
    if not isinstance(raw, dict):
        raise InvalidInput("Penerima pengumuman tidak valid.", {"audience": [
            'Kirim objek "audience": {"all": true}, atau "units", "roles", "grades" berupa daftar.']})
    errors: dict[str, list[str]] = {}
    everyone = raw.get("all") is True or raw.get("all") in ("y", "1", "true", "on")
    units = _string_list(raw.get("units"), "units", errors)
    roles_typed = _string_list(raw.get("roles"), "roles", errors)
    grades_typed = _string_list(raw.get("grades"), "grades", errors)
    if errors:
        raise InvalidInput("Penerima pengumuman tidak valid.", errors)
    if everyone:
        return Audience(True)
    present = set(known_units())
    unknown_units = [u for u in units if u not in present]
    if unknown_units:
        errors["units"] = [f"Unit tidak dikenal: {', '.join(unknown_units)}. Unit yang ada: {', '.join(sorted(present))}."]
    roles = [ROLE_WORDS.get(r.lower(), "") for r in roles_typed]
    if "" in roles:
        bad = [r for r, key in zip(roles_typed, roles, strict=True) if not key]
        errors["roles"] = [f"Peran tidak dikenal: {', '.join(bad)}. Pilih pegawai, petugas, atasan atau admin."]
    grades = [normalize_grade(g) for g in grades_typed]
    if None in grades:
        bad = [g for g, key in zip(grades_typed, grades, strict=True) if key is None]
        errors["grades"] = [f"Golongan tidak dikenal: {', '.join(bad)}; tulis seperti di SK, mis. III/a atau IX."]
    if errors:
        raise InvalidInput("Penerima pengumuman tidak valid.", errors)
    if not (units or roles or grades):
        raise InvalidInput("Pilih penerima pengumuman.", {"audience": [
            "Pilih semua pegawai, atau sedikitnya satu unit, peran atau golongan."]})
    return Audience(False, tuple(sorted(set(units))), tuple(sorted(set(roles))),
                    tuple(sorted({g for g in grades if g is not None})))


# -- publishing ---------------------------------------------------------------------------------------------

def _text(value: Any, field: str, label: str, max_len: int, min_len: int, errors: dict[str, list[str]]) -> str:
    if not isinstance(value, str) or not value.strip():
        errors[field] = [f"{label} wajib diisi."]
        return ""
    value = value.strip()
    if not min_len <= len(value) <= max_len:
        errors[field] = [f"Panjang harus antara {min_len} dan {max_len} karakter."]
    return value


def _instant(value: Any, field: str, errors: dict[str, list[str]]) -> dt.datetime | None:
    """An ISO 8601 instant; without an offset it is read as WIB (what the page's date-time inputs send)."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            errors[field] = ["Tanggal dan jam tidak valid; tulis mis. 2026-12-10 09:00."]
            return None
    else:
        errors[field] = ["Wajib diisi."]
        return None
    return parsed.replace(tzinfo=WIB) if parsed.tzinfo is None else parsed


@dataclass(frozen=True)
class EventInput:
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    meeting_link: str
    capacity: int | None


def parse_event(raw: Any, now: dt.datetime) -> EventInput | None:
    """The event part of a publication, or None when there is none."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidInput("Acara tidak valid.", {"event": ["Kirim objek acara."]})
    errors: dict[str, list[str]] = {}
    starts, ends = _instant(raw.get("starts_at"), "starts_at", errors), _instant(raw.get("ends_at"), "ends_at", errors)
    if starts is not None and starts <= now:
        errors["starts_at"] = ["Waktu mulai harus setelah saat ini."]
    if starts is not None and ends is not None:
        if ends <= starts:
            errors["ends_at"] = ["Waktu selesai harus setelah waktu mulai."]
        elif ends - starts > dt.timedelta(hours=MAX_EVENT_HOURS):
            errors["ends_at"] = ["Satu acara paling lama 3 hari."]
    place_raw, link_raw = raw.get("place"), raw.get("meeting_link")
    place = place_raw.strip() if isinstance(place_raw, str) else ""
    link = link_raw.strip() if isinstance(link_raw, str) else ""
    if len(place) > 300:
        errors["place"] = ["Maksimal 300 karakter."]
    if link and (len(link) > 500 or not re.match(r"^https?://[^\s]+$", link)):
        errors["meeting_link"] = ["Tautan rapat harus diawali https:// (tanpa spasi, maksimal 500 karakter)."]
    if not place and not link:
        errors["place"] = ["Isi tempat, tautan rapat, atau keduanya."]
    capacity_raw = raw.get("capacity")
    capacity: int | None = None
    if capacity_raw not in (None, ""):
        try:
            capacity = int(str(capacity_raw).strip())
        except ValueError:
            capacity = 0
        if isinstance(capacity_raw, bool) or not 1 <= capacity <= MAX_CAPACITY:
            errors["capacity"] = [f"Kapasitas berupa bilangan bulat 1–{MAX_CAPACITY}, atau kosong bila tidak dibatasi."]
    if errors:
        raise InvalidInput("Acara tidak valid.", errors)
    assert starts is not None and ends is not None
    return EventInput(starts, ends, place, link, capacity)


def publish(author: User, *, title: Any, body: Any, topic: Any = "lainnya", audience: Any = None,
            requires_ack: Any = False, event: Any = None,
            uploads: Iterable[documents.CheckedUpload] = ()) -> Announcement:
    """Publish an announcement (and its event, and its files) and email its audience, in one unit of work."""
    if author.role not in PUBLISHERS:
        raise Forbidden(NOT_A_PUBLISHER)
    now = clock.now()
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", "Judul", TITLE_MAX, 5, errors)
    body = _text(body, "body", "Isi pengumuman", BODY_MAX, 1, errors)
    topic = topic or "lainnya"
    if topic not in TOPICS:
        errors["topic"] = [f"Topik tidak dikenal; pilih salah satu: {', '.join(TOPICS)}."]
    if not isinstance(requires_ack, bool):
        errors["requires_ack"] = ["Harus true atau false."]
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        errors["files"] = [f"Paling banyak {MAX_FILES} berkas."]
    parsed_audience: Audience | None = None
    try:
        parsed_audience = parse_audience(audience)
    except InvalidInput as exc:
        errors.update(exc.errors)
    parsed_event: EventInput | None = None
    try:
        parsed_event = parse_event(event, now)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors or parsed_audience is None:
        raise InvalidInput("Pengumuman belum dapat diterbitkan; periksa isiannya.", errors)
    written: list[str] = []
    try:
        with unit_of_work(keep_loaded=True):
            announcement = Announcement(author_id=author.id, title=title, body=body, topic=topic,
                                        audience_all=parsed_audience.everyone, requires_ack=bool(requires_ack),
                                        published_at=now, reminders_sent=0)
            announcement.audience = [AnnouncementAudience(kind=k, value=v) for k, v in parsed_audience.values()]
            db.session.add(announcement)
            if parsed_event is not None:
                db.session.add(AnnouncementEvent(
                    announcement=announcement, starts_at=parsed_event.starts_at, ends_at=parsed_event.ends_at,
                    place=parsed_event.place, meeting_link=parsed_event.meeting_link, capacity=parsed_event.capacity,
                    seats_taken=0))
            for upload in uploads:
                stored = documents.write(upload)
                written.append(stored)
                db.session.add(AnnouncementFile(
                    announcement=announcement, original_name=upload.original_name, stored_name=stored,
                    content_type=upload.content_type, size_bytes=len(upload.content), sha256=upload.sha256,
                    uploaded_by_id=author.id, uploaded_at=now))
            db.session.flush()
            recipients = _audience_people(announcement, parsed_audience)
            sent = _email(announcement, recipients, "terbit", headline="Pengumuman baru")
            logger.info("Announcement %s published by %s to %s people", announcement.id, author.id, sent)
    except BaseException:
        documents.remove(written)
        raise
    return announcement


def _audience_people(announcement: Announcement, audience: Audience) -> list[User]:
    return list(db.session.scalars(select(User).where(people_clause(audience), User.id != announcement.author_id)
                                   .order_by(User.name, User.id)))


def announcement_url(announcement: Announcement) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/informasi/{announcement.id}"


def _email(announcement: Announcement, recipients: list[User], round_key: str, *, headline: str) -> int:
    """One outbox row per recipient, written with executemany: the text is the same for all, so it is
    rendered once. Returns how many rows were written."""
    people = [p for p in recipients if p.email]
    if not people:
        return 0
    event = announcement.event
    subject, text, html = outbox.rendered("announcement", {
        "headline": headline, "announcement": announcement, "url": announcement_url(announcement),
        "audience_text": audience_of(announcement).describe(), "event": event,
        "event_when": _event_when(event) if event else "",
        "event_url": f"{current_app.config['BASE_URL'].rstrip('/')}/informasi/acara/{event.id}" if event else "",
    })
    attachments = ([{"filename": "undangan.ics", "content_type": "text/calendar; method=PUBLISH",
                     "data": event_invitation(event)}] if event is not None else [])
    thread = f"<pengumuman-{announcement.id}@{outbox.mail_domain()}>"
    return outbox.insert_rows([
        outbox.row_values(to=p.email, subject=subject, body_text=text, body_html=html, thread_id=thread,
                          dedupe_key=f"pengumuman-{announcement.id}-{round_key}-{p.id}", attachments=attachments)
        for p in people], EMAIL_CHUNK)


def event_invitation(event: AnnouncementEvent) -> str:
    announcement = event.announcement
    where = ", ".join(x for x in (event.place, event.meeting_link) if x)
    return ics.invitation(
        uid=f"acara-{event.id}@{outbox.mail_domain()}", start=event.starts_at, end=event.ends_at,
        summary=announcement.title, location=where, method="PUBLISH", product="LAYANI Flow//Informasi",
        description=f"{announcement.body[:1000]}\n{announcement_url(announcement)}", organizer=announcement.author)


def _event_when(event: AnnouncementEvent) -> str:
    start, end = to_wib(event.starts_at), to_wib(event.ends_at)
    if start.date() == end.date():
        return f"{human_wib(event.starts_at).removesuffix(' WIB')}–{end:%H.%M} WIB"
    return f"{human_wib(event.starts_at)} – {human_wib(event.ends_at)}"


event_when = _event_when


# -- reading ------------------------------------------------------------------------------------------------

def _load(announcement_id: Any) -> Announcement | None:
    try:
        number = int(announcement_id)
    except (TypeError, ValueError):
        return None
    if not 0 < number < 2**31:
        return None
    return db.session.get(Announcement, number)


def get_announcement(announcement_id: Any, person: User) -> Announcement:
    """One announcement `person` may see (404 otherwise, so outsiders learn nothing of it). Changes nothing."""
    announcement = _load(announcement_id)
    if announcement is None or not can_see(announcement, person):
        raise NotFound(NOT_FOUND)
    return announcement


def _upsert_read(announcement_id: int, user_id: int, now: dt.datetime) -> None:
    """Record the first reading; a second (or two at once) leaves the first."""
    values = {"announcement_id": announcement_id, "user_id": user_id, "read_at": now, "acked_at": None}
    db.session.execute(conflict_insert(AnnouncementRead).values(**values).on_conflict_do_nothing())


def open_announcement(announcement_id: Any, person: User) -> Announcement:
    """What the page and `GET /api/v1/announcements/<id>` do: the announcement, marked read for its audience."""
    with unit_of_work(keep_loaded=True):
        announcement = get_announcement(announcement_id, person)
        if in_audience(announcement, person):
            _upsert_read(announcement.id, person.id, clock.now())
    return announcement


def acknowledge(announcement_id: Any, person: User) -> AnnouncementRead:
    """"Saya sudah membaca dan memahami": idempotent, the first instant stays."""
    with unit_of_work(keep_loaded=True):
        announcement = get_announcement(announcement_id, person)
        if not in_audience(announcement, person):
            if announcement.author_id == person.id:
                raise Forbidden("Anda penulis pengumuman ini; konfirmasi hanya untuk penerimanya.")
            raise NotFound(NOT_FOUND)  # an admin outside the audience: there is nothing for them to confirm
        now = clock.now()
        _upsert_read(announcement.id, person.id, now)
        rows_changed(update(AnnouncementRead).where(
            AnnouncementRead.announcement_id == announcement.id, AnnouncementRead.user_id == person.id,
            AnnouncementRead.acked_at.is_(None)).values(acked_at=now))
        reading = db.session.get(AnnouncementRead, (announcement.id, person.id), populate_existing=True)
        assert reading is not None
    return reading


def reading_of(announcement: Announcement, person: User) -> AnnouncementRead | None:
    return db.session.get(AnnouncementRead, (announcement.id, person.id))


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class ListedAnnouncement:
    announcement: Announcement
    read_at: dt.datetime | None
    acked_at: dt.datetime | None
    for_me: bool  # in the person's audience (else: their own, or an admin's overview)

    @property
    def waiting(self) -> bool:
        """Still in the person's inbox: unread, or not acknowledged when asked."""
        return self.for_me and (self.read_at is None or (self.announcement.requires_ack and self.acked_at is None))


def check_search(q: Any) -> str:
    text = q.strip() if isinstance(q, str) else ""
    if len(text) > SEARCH_MAX:
        raise InvalidInput("Kata pencarian terlalu panjang.", {"q": [f"Paling banyak {SEARCH_MAX} karakter."]})
    return text


def check_topic(topic: Any) -> str:
    if topic in (None, ""):
        return ""
    if topic not in TOPICS:
        raise InvalidInput("Topik tidak dikenal.", {"topik": [f"Pilih salah satu: {', '.join(TOPICS)}."]})
    return str(topic)


def list_for(person: User, *, topic: str = "", q: str = "", limit: int = 25, offset: int = 0) -> tuple[list[ListedAnnouncement], int]:
    """What `person` may see, newest first, with their reading; filtered by topic and by words in the title
    or the text (a plain LIKE: a few hundred announcements a year need no full-text index). And the total."""
    reading = (select(AnnouncementRead).where(AnnouncementRead.user_id == person.id).subquery())
    conditions: list[ColumnElement[bool]] = [visible_clause(person)]
    if topic:
        conditions.append(Announcement.topic == topic)
    for word in q.split()[:10]:
        pattern = _like(word.lower())
        conditions.append(or_(func.lower(Announcement.title).like(pattern, escape="\\"),
                              func.lower(Announcement.body).like(pattern, escape="\\")))
    mine = in_audience_clause(person)
    query = (select(Announcement, reading.c.read_at, reading.c.acked_at, mine)
             .outerjoin(reading, reading.c.announcement_id == Announcement.id)
             .where(*conditions).order_by(Announcement.published_at.desc(), Announcement.id.desc()))
    total = db.session.scalar(select(func.count()).select_from(select(Announcement.id).where(*conditions).subquery()))
    rows = db.session.execute(query.limit(limit).offset(offset)).all()
    return [ListedAnnouncement(a, read_at, acked_at, bool(for_me)) for a, read_at, acked_at, for_me in rows], total or 0


def waiting_query(person: User):
    """The inbox's source: announcements in the person's audience they have not read, or not acknowledged
    when asked (one statement), each with whether they have opened it."""
    done = exists().where(AnnouncementRead.announcement_id == Announcement.id, AnnouncementRead.user_id == person.id,
                          or_(Announcement.requires_ack.is_(False), AnnouncementRead.acked_at.is_not(None)))
    was_read = exists().where(AnnouncementRead.announcement_id == Announcement.id, AnnouncementRead.user_id == person.id)
    return (select(Announcement, was_read).where(in_audience_clause(person), ~done)
            .order_by(Announcement.published_at.desc(), Announcement.id.desc()))


# -- readers and reminders -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reader:
    person: User
    read_at: dt.datetime | None
    acked_at: dt.datetime | None


@dataclass(frozen=True)
class Readers:
    announcement: Announcement
    people: list[Reader]

    @property
    def acknowledged(self) -> list[Reader]:
        return [r for r in self.people if r.acked_at is not None]

    @property
    def read(self) -> list[Reader]:
        return [r for r in self.people if r.read_at is not None]

    @property
    def pending(self) -> list[Reader]:
        """Who has not done what was asked: acknowledge it when asked, else read it."""
        if self.announcement.requires_ack:
            return [r for r in self.people if r.acked_at is None]
        return [r for r in self.people if r.read_at is None]


def _readers(announcement: Announcement) -> Readers:
    query = (select(User, AnnouncementRead.read_at, AnnouncementRead.acked_at)
             .outerjoin(AnnouncementRead, and_(AnnouncementRead.announcement_id == announcement.id,
                                               AnnouncementRead.user_id == User.id))
             .where(people_clause(audience_of(announcement)), User.id != announcement.author_id)
             .order_by(User.name, User.id))
    return Readers(announcement, [Reader(u, r, a) for u, r, a in db.session.execute(query)])


def _for_readers(announcement_id: Any, person: User) -> Announcement:
    announcement = get_announcement(announcement_id, person)
    if not can_see_readers(announcement, person):
        raise Forbidden("Hanya penulis pengumuman ini dan admin yang dapat melihat siapa yang sudah membacanya.")
    return announcement


def readers(announcement_id: Any, person: User) -> Readers:
    """Who has read and acknowledged it, and who has not: its audience as it is now (the author and admins)."""
    return _readers(_for_readers(announcement_id, person))


def remind_pending(announcement_id: Any, person: User) -> int:
    """Email those who have not acknowledged it (or not read it, when no acknowledgement was asked). At most
    once per REMIND_EVERY: a conditional UPDATE claims the round, so a double click sends one."""
    with unit_of_work():
        announcement = _for_readers(announcement_id, person)
        pending = [r.person for r in _readers(announcement).pending]
        if not pending:
            raise Conflict("Semua penerima sudah " + ("mengonfirmasi." if announcement.requires_ack else "membaca."))
        now = clock.now()
        claimed = rows_changed(update(Announcement).where(
            Announcement.id == announcement.id,
            or_(Announcement.reminded_at.is_(None), Announcement.reminded_at <= now - REMIND_EVERY))
            .values(reminded_at=now, reminders_sent=Announcement.reminders_sent + 1))
        if not claimed:
            raise Conflict("Pengingat baru saja dikirim; tunggu 10 menit sebelum mengingatkan lagi.")
        number = db.session.scalar(select(Announcement.reminders_sent).where(Announcement.id == announcement.id))
        sent = _email(announcement, pending, f"ingat{number}", headline="Pengingat: pengumuman menunggu Anda")
        logger.info("Announcement %s: %s reminded by %s", announcement.id, sent, person.id)
    return sent


# -- files --------------------------------------------------------------------------------------------------

def file_of(announcement_id: Any, number: Any, person: User) -> AnnouncementFile:
    """The announcement's `number`-th file (from 1), for whoever may see the announcement."""
    announcement = get_announcement(announcement_id, person)
    try:
        index = int(number) - 1
    except (TypeError, ValueError):
        index = -1
    if not 0 <= index < len(announcement.files):
        raise NotFound("Berkas tidak ditemukan.")
    return announcement.files[index]


# -- events -------------------------------------------------------------------------------------------------

def get_event(event_id: Any, person: User) -> AnnouncementEvent:
    try:
        number = int(event_id)
    except (TypeError, ValueError):
        number = 0
    event = db.session.get(AnnouncementEvent, number) if 0 < number < 2**31 else None
    if event is None or not can_see(event.announcement, person):
        raise NotFound(EVENT_NOT_FOUND)
    return event


def rsvp_of(event: AnnouncementEvent, person: User) -> EventRsvp | None:
    return db.session.get(EventRsvp, (event.id, person.id))


def rsvp(event_id: Any, person: User, answer: Any) -> EventRsvp:
    """Yes or no, until the event starts. A yes takes a seat by a conditional UPDATE of `seats_taken`
    (`capacity IS NULL OR seats_taken < capacity`): of two people asking for the last seat exactly one changes
    the row, the other gets 409 and nothing is written. A no gives a yes's seat back."""
    if answer not in ("yes", "no"):
        raise InvalidInput("Jawaban tidak valid.", {"rsvp": ["Pilih hadir (yes) atau tidak hadir (no)."]})
    with unit_of_work(keep_loaded=True):
        event = get_event(event_id, person)
        if db.session.get_bind().dialect.name == "postgresql":  # one answer at a time per event
            db.session.execute(select(AnnouncementEvent.id).where(AnnouncementEvent.id == event.id).with_for_update())
        if not in_audience(event.announcement, person):
            raise Forbidden("Acara ini untuk penerima pengumumannya; Anda penulisnya.") \
                if event.announcement.author_id == person.id else NotFound(EVENT_NOT_FOUND)
        now = clock.now()
        if event.starts_at <= now:
            raise Conflict("Acara sudah dimulai; jawaban kehadiran tidak dapat diubah lagi.")
        current = db.session.get(EventRsvp, (event.id, person.id), with_for_update=True)
        before = current.answer if current else None
        if before == answer:
            return current  # type: ignore[return-value]
        if answer == "yes":
            taken = rows_changed(update(AnnouncementEvent).where(
                AnnouncementEvent.id == event.id,
                or_(AnnouncementEvent.capacity.is_(None), AnnouncementEvent.seats_taken < AnnouncementEvent.capacity))
                .values(seats_taken=AnnouncementEvent.seats_taken + 1))
            if not taken:
                raise Conflict("Kursi acara ini sudah penuh.")
        elif before == "yes":
            rows_changed(update(AnnouncementEvent).where(AnnouncementEvent.id == event.id)
                         .values(seats_taken=AnnouncementEvent.seats_taken - 1))
        if current is None:
            current = EventRsvp(event_id=event.id, user_id=person.id, answer=answer, answered_at=now)
            db.session.add(current)
        else:
            current.answer, current.answered_at = answer, now
        # Opening the event counts as reading its announcement.
        _upsert_read(event.announcement_id, person.id, now)
        db.session.flush()
        db.session.refresh(event)
    return current


def attendees(event: AnnouncementEvent) -> list[EventRsvp]:
    return list(db.session.scalars(select(EventRsvp).join(User, User.id == EventRsvp.user_id)
                                   .where(EventRsvp.event_id == event.id, EventRsvp.answer == "yes")
                                   .order_by(User.name, User.id)))


def attendance_open(event: AnnouncementEvent, now: dt.datetime) -> bool:
    """Attendance is taken on the day: from the start day's 00.00 WIB to the end day's 23.59 WIB."""
    today = to_wib(now).date()
    return to_wib(event.starts_at).date() <= today <= to_wib(event.ends_at).date()


def record_attendance(event_id: Any, person: User, present_user_ids: Iterable[Any]) -> int:
    """Mark who came, among those who answered yes; the others are marked absent. Returns how many came."""
    with unit_of_work():
        event = get_event(event_id, person)
        if not can_take_attendance(event.announcement, person):
            raise Forbidden("Hanya penulis pengumuman, petugas layanan dan admin yang dapat mencatat kehadiran.")
        now = clock.now()
        if not attendance_open(event, now):
            raise Conflict("Kehadiran dicatat pada hari acara.")
        wanted: set[int] = set()
        for value in present_user_ids:
            try:
                wanted.add(int(value))
            except (TypeError, ValueError):
                raise InvalidInput("Daftar hadir tidak valid.", {"hadir": ["Pilih dari daftar peserta."]}) from None
        rows = attendees(event)
        unknown = wanted - {r.user_id for r in rows}
        if unknown:
            raise InvalidInput("Daftar hadir tidak valid.", {"hadir": ["Hanya peserta yang menjawab hadir yang dapat dicatat."]})
        for row in rows:
            if row.user_id in wanted and row.attended_at is None:
                row.attended_at, row.attendance_by_id = now, person.id
            elif row.user_id not in wanted and row.attended_at is not None:
                row.attended_at, row.attendance_by_id = None, person.id
        count = len(wanted)
        logger.info("Event %s: attendance of %s recorded by %s", event.id, count, person.id)
    return count


def upcoming_events(person: User, now: dt.datetime, limit: int = 5) -> list[AnnouncementEvent]:
    return list(db.session.scalars(
        select(AnnouncementEvent).join(Announcement, Announcement.id == AnnouncementEvent.announcement_id)
        .where(visible_clause(person), AnnouncementEvent.ends_at > now)
        .order_by(AnnouncementEvent.starts_at).limit(limit)))
