"""Service levels: admin policies, each case's running clocks, the notices they caused, calendar exceptions, and the
stamp that says when the policies or the calendar last changed."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..workflows.clocks import sql_list
from .types import UTCDateTime


class SlaPolicy(Model):
    """An admin's terms for one clock of a case type (optionally one service). Rows are never edited:
    a change deactivates the old row and adds a new one, and only cases opened later use it."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        CheckConstraint(f"clock IN ({sql_list()})", name="clock_known"),
        CheckConstraint("warn_percent BETWEEN 1 AND 99", name="warn_percent_range"),
        Index("ix_sla_policies_lookup", "case_type", "service", "clock", "is_active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_type: Mapped[str] = mapped_column(String(30))
    service: Mapped[str | None] = mapped_column(String(40))
    clock: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(10))  # "2d", "8h", "90m"
    warn_percent: Mapped[int] = mapped_column(default=75)
    escalate_every: Mapped[str] = mapped_column(String(10), default="1d")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CaseClock(Model):
    """One clock of one case, with the terms it started under (so later policy edits never rewrite it)."""

    __tablename__ = "case_clocks"
    __table_args__ = (
        UniqueConstraint("case_id", "name", "cycle", name="uq_case_clocks_case_name_cycle"),
        CheckConstraint(f"name IN ({sql_list()})", name="name_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    cycle: Mapped[int] = mapped_column(default=1)
    target: Mapped[str] = mapped_column(String(10))
    warn_percent: Mapped[int] = mapped_column(default=75)
    escalate_every: Mapped[str] = mapped_column(String(10), default="1d")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    warned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    paused_minutes: Mapped[int] = mapped_column(default=0)  # working minutes spent paused, for reports
    stopped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalation_level: Mapped[int] = mapped_column(default=0)
    next_escalation_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case = relationship("Case", back_populates="clocks")

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None and self.paused_at is None


class SlaNotice(Model):
    """A warning or escalation that was sent. Unique per clock cycle and level, so a rerun is a no-op."""

    __tablename__ = "sla_notices"
    __table_args__ = (
        UniqueConstraint("case_id", "clock", "cycle", "level", name="uq_sla_notices_case_clock_cycle_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    clock: Mapped[str] = mapped_column(String(20))
    cycle: Mapped[int]
    level: Mapped[int]  # 0 = warning to the owner; 1, 2, … = escalation up the chain
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    recipient = relationship("User")


class CalendarException(Model):
    """A day the office is closed or works shorter hours than its usual week."""

    __tablename__ = "calendar_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    on: Mapped[dt.date] = mapped_column(Date, unique=True)
    intervals: Mapped[list] = mapped_column(JSON, default=list)  # [["08:00", "12:00"], …]; empty = closed
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class UsedEmailToken(Model):
    """A signed email link or reply address that has been used; each works once."""

    __tablename__ = "used_email_tokens"

    jti: Mapped[str] = mapped_column(String(40), primary_key=True)
    used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SettingsStamp(Model):
    """A random stamp, written anew with every change to what deadlines are computed from (the calendar
    exceptions and the SLA policies: services.office_settings), so that each process can tell with one small
    read whether what it last loaded still holds."""

    __tablename__ = "settings_stamps"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))
