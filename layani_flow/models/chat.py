"""How far each person has read each conversation: the unread counts of chats."""
from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model


class CaseReadMarker(Model):
    """The last timeline event of a case that a person has seen (its global id; never shown to anyone)."""

    __tablename__ = "case_read_markers"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    last_event_id: Mapped[int] = mapped_column(default=0)
