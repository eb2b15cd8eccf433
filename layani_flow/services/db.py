"""The unit of work: one public service call, one transaction."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from .errors import STALE_MESSAGE, StaleCase


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit on success; roll back and re-raise on any error. Helpers inside only flush."""
    try:
        yield
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise StaleCase(STALE_MESSAGE) from exc
    except BaseException:
        db.session.rollback()
        raise
