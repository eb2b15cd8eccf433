"""Uploaded files kept in the database (FILE_STORAGE=database, the default on PostgreSQL): every app server
reads what any other wrote, and a file is written in the same transaction as the case or announcement rows
that name it, so a failed filing leaves nothing behind. services/file_storage.py is the only user."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime


class StoredFile(Model):
    __tablename__ = "stored_files"

    stored_name: Mapped[str] = mapped_column(String(80), primary_key=True)  # as in case_documents.stored_name
    # Deferred: listing or counting files never pulls their bytes; a download asks for them.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
