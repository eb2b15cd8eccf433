"""Rate-limit counters shared by every app server (RATELIMIT_STORAGE_URI=database://, rate_limits.py): one
row per limit key and fixed window. `expires_at` is epoch seconds, as Flask-Limiter's storages count."""
from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model


class RateLimitCounter(Model):
    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int]
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # the worker deletes rows past this
