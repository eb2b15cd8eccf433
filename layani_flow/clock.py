"""The only module that reads the wall clock. Tests swap in a FrozenClock through app.extensions["clock"]."""
from __future__ import annotations

import datetime as dt
from typing import overload

from flask import current_app, has_app_context

UTC = dt.UTC


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, start: dt.datetime | None = None):
        self._now = start or dt.datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wed 09:00 WIB

    def now(self) -> dt.datetime:
        return self._now

    def set(self, instant: dt.datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = instant.astimezone(UTC)

    def advance(self, **delta: float) -> dt.datetime:
        self._now += dt.timedelta(**delta)
        return self._now


_system = SystemClock()


def now() -> dt.datetime:
    """Aware UTC now, from the app's clock when there is an app."""
    if has_app_context():
        return current_app.extensions.get("clock", _system).now()
    return _system.now()


@overload
def as_utc(value: dt.datetime) -> dt.datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; every stored instant is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def pause(seconds: float) -> None:
    """Real waiting, in a live reader between two looks at the database (a chat stream, a long poll): the
    seconds a person waits, not business time, so the FrozenClock does not stand in for it."""
    import time

    time.sleep(max(0.0, seconds))
