"""A running `layani worker` says it is alive: one row per worker process, its time of last finished cycle.
With workers on several machines, the database is the one place that sees them all (`layani worker status`)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime


class WorkerHeartbeat(Model):
    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)  # host:pid
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    beat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # end of its last cycle
    failed_jobs: Mapped[str] = mapped_column(String(200), default="")  # of that cycle, comma-separated
