"""The outbox: every email is a row written in the same transaction as the change that caused it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import CleanString, CleanText, UTCDateTime


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        # failed: a permanent refusal (bad address, rejected recipient); `last_error` says why. Never retried
        # by itself; `layani outbox retry ID` puts it back to pending.
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status_known"),
        # The delivery loop reads only what is due: pending rows by their next attempt.
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # Makes "send this once" a database fact: a second enqueue with the same key is a no-op.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(CleanString(250))
    body_text: Mapped[str] = mapped_column(CleanText)
    body_html: Mapped[str] = mapped_column(CleanText)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    thread_id: Mapped[str | None] = mapped_column(String(200))
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Files sent with it, each {"filename", "content_type", "data"} (text: an ICS invitation).
    attachments: Mapped[list | None] = mapped_column(JSON, default=list)  # None: a row from before attachments
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # An email written when it is delivered (services.outbox.enqueue_later): its template and the facts it
    # is rendered from; subject and bodies stay empty until then.
    template: Mapped[str | None] = mapped_column(String(60))
    context: Mapped[dict | None] = mapped_column(JSON)


class InboundMessage(Model):
    """An email reply that was read once (by the SHA-256 of its Message-ID): a mail server delivering it
    again changes nothing the second time."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_key: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(40), default="")
