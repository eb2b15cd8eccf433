"""ConsDesk: the slots officers publish, each held by at most one booking (a consultation case)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .cases import Case
from .types import CleanString, UTCDateTime
from .users import User

SLOT_MODES = ("tatap_muka", "daring", "telepon")


class ConsultationSlot(Model):
    """One published slot. `case_id` is the booking that holds it: booking is a conditional UPDATE
    (`… WHERE case_id IS NULL`), so two people booking at once cannot both win, on any database; the unique
    index keeps one case from holding two slots. A cancelled slot (the officer withdrew it, or the office
    closed that day) keeps its row for the bookings' history."""

    __tablename__ = "consultation_slots"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        CheckConstraint("mode IN ('tatap_muka', 'daring', 'telepon')", name="mode_known"),
        Index("ix_consultation_slots_officer_start", "officer_id", "start_at"),
        Index("ix_consultation_slots_start", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    mode: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(CleanString(300), default="")  # a room, a meeting link, a number
    pattern: Mapped[str | None] = mapped_column(String(40))  # slots published together by one weekly pattern
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the reminder went (once)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(CleanString(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    officer: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    case: Mapped[Case | None] = relationship()

    @property
    def available(self) -> bool:
        return self.case_id is None and self.cancelled_at is None
