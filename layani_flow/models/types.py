"""Column types shared by the models."""
import datetime as dt

from sqlalchemy import JSON, DateTime, String, Text
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC in Python on every database (SQLite forgets the zone; PostgreSQL keeps it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use layani_flow.clock.now()")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _without_nul(value):
    """PostgreSQL cannot store U+0000 in text; it carries no meaning in anything a person typed."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


class CleanText(TypeDecorator):
    """Text typed by people: stored without NUL characters on every database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return _without_nul(value)


class CleanString(TypeDecorator):
    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return _without_nul(value)


class CleanJSON(TypeDecorator):
    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return _without_nul(value)
