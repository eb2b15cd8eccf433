"""What a person had typed when their session ran out, kept until they sign in again (services/drafts.py)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import CleanJSON, UTCDateTime


class FormDraft(Model):
    """One form's typed text, bound to one browser (the SHA-256 of a random cookie) and, for a named form,
    to the person who was signed in. Never a password, a CSRF token or a file; deleted when used, useless
    after `expires_at`."""

    __tablename__ = "form_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    browser_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Who may get it back; None for an anonymous complaint, which is never tied to anyone.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(300))  # the page that shows the form again
    fields: Mapped[dict] = mapped_column(CleanJSON, default=dict)  # name → list of values, as posted
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
