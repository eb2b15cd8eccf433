"""The unit of work: one public service call, one transaction."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from .errors import STALE_MESSAGE, StaleCase

_OPEN = "layani.unit_of_work"


@contextmanager
def unit_of_work(*, keep_loaded: bool = False) -> Iterator[None]:
    """Commit on success; roll back and re-raise on any error. Helpers inside only flush.

    No autoflush inside: a case's changes reach the database in one UPDATE (one version step) when
    something needs them there (an explicit flush) or at commit, not whenever a helper runs a query.
    `keep_loaded` keeps the objects' state after commit, for a caller that answers with what it just
    wrote (filing a case) and should not read it all back.

    A public service called inside another's unit of work joins it: the outer one commits or rolls back
    both. So a service can make its own record and another service's change one fact (an email reply
    and the note it became), and an inner commit never publishes half of the outer work.
    """
    session = db.session()
    if session.info.get(_OPEN):
        yield
        return
    expire_on_commit = session.expire_on_commit
    session.info[_OPEN] = True
    try:
        with session.no_autoflush:
            yield
        session.expire_on_commit = not keep_loaded and expire_on_commit
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise StaleCase(STALE_MESSAGE) from exc
    except BaseException:
        db.session.rollback()
        raise
    finally:
        session.expire_on_commit = expire_on_commit
        session.info.pop(_OPEN, None)


def rows_changed(statement: Update | Delete) -> int:
    """Run a bulk UPDATE or DELETE in the current transaction: how many rows it changed."""
    # cast: Session.execute is typed to return Result for every statement, but for an UPDATE or DELETE
    # it is the CursorResult, which carries rowcount (SQLAlchemy 2.0's own advice for typed code).
    result = cast(CursorResult[object], db.session.execute(statement))
    return result.rowcount or 0


def conflict_insert(target: Any) -> postgresql.Insert | sqlite.Insert:
    """INSERT for the database in use, with its ON CONFLICT (`on_conflict_do_nothing`, `on_conflict_do_update`,
    `excluded`), which SQLite and PostgreSQL spell alike."""
    module = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return module.insert(target)
