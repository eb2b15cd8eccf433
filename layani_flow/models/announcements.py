"""Informasi: announcements to an audience, who read and acknowledged them, their files, and socialisation
events (an announcement with a date, a place or link, seats, RSVPs and attendance)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .types import CleanString, CleanText, UTCDateTime
from .users import User

# A fixed vocabulary: key → Indonesian label (the Informasi page filters by it).
TOPICS: dict[str, str] = {
    "kebijakan": "Kebijakan",
    "karier": "Kenaikan pangkat & karier",
    "kinerja": "Kinerja kantor",
    "cuti_bersama": "Cuti bersama",
    "sosialisasi": "Sosialisasi",
    "lainnya": "Lainnya",
}
# Who an announcement is for, besides "everyone": one row per unit, role or grade named.
AUDIENCE_KINDS = ("unit", "role", "grade")


class Announcement(Model):
    __tablename__ = "announcements"
    __table_args__ = (
        CheckConstraint(f"topic IN ({', '.join(repr(t) for t in TOPICS)})", name="topic_known"),
        Index("ix_announcements_published", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(CleanString(200))
    body: Mapped[str] = mapped_column(CleanText)
    topic: Mapped[str] = mapped_column(String(20))
    audience_all: Mapped[bool] = mapped_column(default=False)
    requires_ack: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # "Ingatkan yang belum": claimed by a conditional UPDATE, so a double click sends one round.
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminders_sent: Mapped[int] = mapped_column(default=0)

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    audience: Mapped[list[AnnouncementAudience]] = relationship(
        back_populates="announcement", cascade="all, delete-orphan", lazy="selectin")
    files: Mapped[list[AnnouncementFile]] = relationship(
        back_populates="announcement", order_by="AnnouncementFile.id", lazy="selectin")
    event: Mapped[AnnouncementEvent | None] = relationship(back_populates="announcement", lazy="selectin")

    @property
    def topic_label(self) -> str:
        return TOPICS.get(self.topic, self.topic)

    def audience_values(self, kind: str) -> list[str]:
        return sorted(a.value for a in self.audience if a.kind == kind)


class AnnouncementAudience(Model):
    """Within a kind any value matches (OR); across kinds every named kind must match (AND)."""

    __tablename__ = "announcement_audiences"
    __table_args__ = (CheckConstraint("kind IN ('unit', 'role', 'grade')", name="kind_known"),)

    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)

    announcement: Mapped[Announcement] = relationship(back_populates="audience")


class AnnouncementRead(Model):
    """One person's reading of one announcement: opened (read_at) and, when asked, acknowledged (acked_at)."""

    __tablename__ = "announcement_reads"
    __table_args__ = (Index("ix_announcement_reads_user", "user_id"),)

    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    read_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    acked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AnnouncementFile(Model):
    """Materials: checked and stored like case documents (services/documents.py), served to the audience only."""

    __tablename__ = "announcement_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(CleanString(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    announcement: Mapped[Announcement] = relationship(back_populates="files")


class AnnouncementEvent(Model):
    """A socialisation event. `seats_taken` counts the yes-RSVPs; taking a seat is a conditional UPDATE
    (`… WHERE capacity IS NULL OR seats_taken < capacity`), so of two people answering yes for the last seat
    exactly one wins, on SQLite and PostgreSQL alike; the CHECK holds it even against a bug."""

    __tablename__ = "announcement_events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint("capacity IS NULL OR seats_taken <= capacity", name="within_capacity"),
        CheckConstraint("seats_taken >= 0", name="seats_not_negative"),
        CheckConstraint("place <> '' OR meeting_link <> ''", name="has_place_or_link"),
        Index("ix_announcement_events_starts", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"), unique=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(CleanString(300), default="")
    meeting_link: Mapped[str] = mapped_column(CleanString(500), default="")
    capacity: Mapped[int | None]
    seats_taken: Mapped[int] = mapped_column(default=0)

    announcement: Mapped[Announcement] = relationship(back_populates="event", lazy="joined", innerjoin=True)

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.seats_taken)


class EventRsvp(Model):
    __tablename__ = "event_rsvps"
    __table_args__ = (CheckConstraint("answer IN ('yes', 'no')", name="answer_known"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("announcement_events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    answer: Mapped[str] = mapped_column(String(3))
    answered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # marked on the day
    attendance_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
