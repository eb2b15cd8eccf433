"""Proactive reminders sent (reminder_rules.RULES): one row per person, rule and due date, written in the same
transaction as the email it stands for. The unique key makes a rerun, a restart or a second worker a no-op:
the row is inserted first (ON CONFLICT DO NOTHING), and only the one that inserted it writes the email."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .types import UTCDateTime
from .users import User


class SentReminder(Model):
    __tablename__ = "sent_reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "rule", "due_on"),
        CheckConstraint("audience IN ('person', 'desk')", name="audience_known"),
        CheckConstraint("due_on <= event_on", name="due_before_event"),
        Index("ix_sent_reminders_event_on", "event_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)  # whom it is about
    rule: Mapped[str] = mapped_column(String(30))  # reminder_rules.RULES key
    due_on: Mapped[dt.date] = mapped_column(Date)
    event_on: Mapped[dt.date] = mapped_column(Date)  # the KGB, promotion period, TMT pensiun … it announces
    audience: Mapped[str] = mapped_column(String(10))  # person, or desk (told about the person)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    dismissed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # hidden from the inbox by a click

    user: Mapped[User] = relationship(lazy="joined")
