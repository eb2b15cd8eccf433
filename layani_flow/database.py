"""Per-connection settings: pragmas for the embedded SQLite database; for PostgreSQL, psycopg's statement cache,
no server-side prepared statements, and result descriptions built only when read."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, cast

from flask import Flask
from sqlalchemy import event

from .extensions import db


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses no committed data
    cursor.execute("PRAGMA busy_timeout=5000")  # a second writer waits instead of failing at once
    cursor.close()


# psycopg turns each statement's %(name)s placeholders into $n and keeps the result only for statements of at
# most 4,096 characters and 50 parameters (psycopg._queries). Every page's own statements are longer: the
# inbox, the header's count, the lists (services.access.visible_cases and the workflows' state lists, each
# list value a parameter), so each execution parsed its text again, 1-2 ms of a page's CPU. The limits are
# module constants read at each execution; raising them keeps those conversions in its LRU cache (128).
PSYCOPG_CACHED_LENGTH = 64 * 1024
PSYCOPG_CACHED_PARAMS = 1000


def _psycopg_caches_long_statements() -> None:
    try:
        from psycopg import _queries
    except ImportError:  # another driver: nothing to tune
        return
    for name, value in (("MAX_CACHED_STATEMENT_LENGTH", PSYCOPG_CACHED_LENGTH),
                        ("MAX_CACHED_STATEMENT_PARAMS", PSYCOPG_CACHED_PARAMS)):
        if isinstance(getattr(_queries, name, None), int):
            setattr(_queries, name, max(getattr(_queries, name), value))


class _Described(Sequence):
    """A result's cursor.description, its Column objects built when first read. psycopg builds one per column on
    every `description` access (a type lookup and a name decode each), and SQLAlchemy asks for it after every
    SELECT; once a statement's compiled form has its result columns cached, it only checks that it is there.
    It was a tenth of an employee's home page on PostgreSQL (about 28 columns a statement)."""

    __slots__ = ("_result", "_count", "_columns")

    def __init__(self, cursor: Any, count: int) -> None:
        # What Column reads from a cursor, held as it is now: the cursor may run another statement before
        # anyone reads these columns.
        self._result = SimpleNamespace(pgresult=cursor.pgresult, _encoding=cursor._encoding,
                                       adapters=cursor.adapters)
        self._count = count
        self._columns: list | None = None

    def _built(self) -> list:
        if self._columns is None:
            from psycopg import Column

            self._columns = [Column(cast(Any, self._result), i) for i in range(self._count)]
        return self._columns

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self._built()[index]

    def __iter__(self) -> Iterator:
        return iter(self._built())


@lru_cache(maxsize=1)
def _lazily_described_cursor() -> type | None:
    try:
        import psycopg
        from psycopg.pq import ExecStatus
    except ImportError:
        return None
    returns_rows = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)

    class LazilyDescribedCursor(psycopg.Cursor):
        @property
        def description(self):  # the condition is psycopg's own (BaseCursor.description)
            result = self.pgresult
            if result and (result.nfields or result.status in returns_rows):
                return _Described(self, result.nfields)
            return None

    return LazilyDescribedCursor


def _never_prepare(dbapi_connection, connection_record) -> None:
    """psycopg prepares a statement on the server after its fifth run on a connection and forgets it at the next
    ROLLBACK, which ends every read-only request: the server parsed and planned it again under a name, then
    dropped it, and a prepared inbox source could get a plan made for no one in particular that ran ten times
    slower. At 50 people this cost more than it saved (docs/performance.md, "Evening figures")."""
    dbapi_connection.prepare_threshold = None


def _describe_lazily(dbapi_connection, connection_record) -> None:
    if (cursor_class := _lazily_described_cursor()) is not None:
        dbapi_connection.cursor_factory = cursor_class


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        elif engine.dialect.driver == "psycopg":
            _psycopg_caches_long_statements()
            event.listen(engine, "connect", _never_prepare)
            event.listen(engine, "connect", _describe_lazily)
