"""Acting officials: who acts (Plt/Plh) for an official who is away, for a range of dates."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .types import CleanString, UTCDateTime
from .users import User

ACTING_KINDS = {"plh": "Plh (pelaksana harian)", "plt": "Plt (pelaksana tugas)"}


class ActingOfficial(Model):
    """During [starts_on, ends_on] (WIB dates, both included), approvals meant for `official` go to `acting`.
    An admin sets it; the service refuses overlapping ranges for one official."""

    __tablename__ = "acting_officials"
    __table_args__ = (
        CheckConstraint("acting_id <> official_id", name="acting_not_official"),
        CheckConstraint("ends_on >= starts_on", name="range_ordered"),
        CheckConstraint("kind IN ('plh', 'plt')", name="kind_known"),
        Index("ix_acting_officials_official_range", "official_id", "starts_on", "ends_on"),
        Index("ix_acting_officials_acting_range", "acting_id", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    acting_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(3))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(CleanString(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    official: Mapped[User] = relationship(foreign_keys=[official_id], lazy="joined")
    acting: Mapped[User] = relationship(foreign_keys=[acting_id], lazy="joined")

    @property
    def kind_short(self) -> str:
        return self.kind.capitalize()  # "Plh", "Plt"
