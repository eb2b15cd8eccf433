"""Flask-Limiter counters in the app's own database (RATELIMIT_STORAGE_URI=database://), so every app server
counts the same sign-in attempts and anonymous filings without a Redis to run.

Defining the class registers the scheme with `limits` (its StorageRegistry metaclass reads STORAGE_SCHEME);
create_app imports this module before Flask-Limiter reads the setting. The fixed-window strategy (Flask-Limiter's
default, and the one this app uses) needs only incr/get/get_expiry. Each call runs on a connection of its own
and commits at once: a refused password counts even when the request's own transaction rolls back.

Time is the limiter's own, `time.time()` as `limits` and Flask-Limiter read it: the reset instants this storage
reports are turned into Retry-After against their clock, so ours must be the same (tests move all three with
the `limiter_clock` fixture).
"""
from __future__ import annotations

import hashlib
import time
from typing import cast

from limits.storage import Storage
from sqlalchemy import Table, case, delete, literal, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .models import RateLimitCounter
from .services.db import conflict_insert

# Core statements: each call is its own short transaction, outside the request's ORM session.
table = cast(Table, RateLimitCounter.__table__)


def _now() -> float:
    return time.time()


KEY_LENGTH = 255  # rate_limit_counters.key


def _stored(key: str) -> str:
    """The key as a row holds it. A key carries what was typed (the NIP of a sign-in): one that PostgreSQL
    cannot store (a NUL) or that is longer than the column is kept as its SHA-256, the same for every server."""
    if "\x00" in key or len(key) > KEY_LENGTH:
        return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return key


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    @staticmethod
    def _engine() -> Engine:
        return db.engine  # the current app's: one limiter object serves whichever app is handling the request

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """One atomic upsert: a new or expired window starts at `amount`, a live one adds to its count."""
        now = _now()
        engine = self._engine()
        insert = conflict_insert(table).values(key=_stored(key), count=amount, expires_at=now + expiry)
        expired = table.c.expires_at <= literal(now)
        statement = insert.on_conflict_do_update(index_elements=["key"], set_={
            "count": case((expired, insert.excluded["count"]), else_=table.c["count"] + insert.excluded["count"]),
            "expires_at": case((expired, insert.excluded.expires_at), else_=table.c.expires_at),
        }).returning(table.c["count"])
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                # A counter is not worth a disk flush per hit: a crash may forget the last few, never corrupt.
                conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
            return int(conn.execute(statement).scalar_one())

    def get(self, key: str) -> int:
        with self._engine().connect() as conn:
            count = conn.execute(select(table.c["count"]).where(table.c.key == _stored(key), table.c.expires_at > _now())).scalar()
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        now = _now()
        with self._engine().connect() as conn:
            expires = conn.execute(select(table.c.expires_at).where(table.c.key == _stored(key), table.c.expires_at > now)).scalar()
        return float(expires) if expires is not None else now

    def check(self) -> bool:
        try:
            with self._engine().connect() as conn:
                conn.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._engine().begin() as conn:
            return conn.execute(delete(table)).rowcount

    def clear(self, key: str) -> None:
        with self._engine().begin() as conn:
            conn.execute(delete(table).where(table.c.key == _stored(key)))


def purge_expired() -> int:
    """Delete windows that ended (the worker's job): a key is rewritten when it is used again, but a NIP or an
    address that never comes back would stay forever. Any number of workers may run it at once."""
    with db.engine.begin() as conn:
        return conn.execute(delete(table).where(table.c.expires_at <= _now())).rowcount or 0
