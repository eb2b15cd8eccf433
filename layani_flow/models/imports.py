"""An employee import uploaded on the admin page: its file, its preview, and the worker's run of it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .types import UTCDateTime
from .users import User

IMPORT_STATES = ("previewed", "queued", "running", "done", "failed")


class ImportJob(Model):
    """previewed (uploaded, checked, nothing written) → queued ("Jalankan impor") → running (a worker claimed
    it: a conditional UPDATE, after FOR UPDATE SKIP LOCKED on PostgreSQL) → done (written, in the same
    transaction as the people) or failed (errors found at run time, or the run broke: nothing written)."""

    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in IMPORT_STATES)})", name="status_known"),
        CheckConstraint("done >= 0 AND total >= 0", name="progress_counts"),
        Index("ix_import_jobs_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    filename: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text)  # the file's text (checked UTF-8 on upload)
    status: Mapped[str] = mapped_column(String(10), default="previewed")
    phase: Mapped[str] = mapped_column(String(10), default="")  # while running: check | apply
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    preview: Mapped[dict] = mapped_column(JSON, default=dict)  # {"report", "changes"} at upload
    report: Mapped[dict | None] = mapped_column(JSON)  # the contract's report, once run
    queued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User] = relationship()
