"""The one question asked when a case of a type that `asks_feedback` closes, and the answer to it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .cases import Case
from .types import CleanText, UTCDateTime


class CaseFeedback(Model):
    """Asked once per case (unique case_id) of its requester; answered once (rating set with answered_at).
    `officer_id` and `channel` are copied at asking time, so the per-officer and per-channel summaries
    stay what they were when the case closed, whoever handles it afterwards."""

    __tablename__ = "case_feedback"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("(rating IS NULL) = (answered_at IS NULL)", name="answered_with_rating"),
        Index("ix_case_feedback_channel_officer", "channel", "officer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(30))  # the case type
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    rating: Mapped[int | None]
    comment: Mapped[str] = mapped_column(CleanText, default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="feedback")
