"""Is it alive: the database as an app server sees it (GET /healthz, for the reverse proxy or the orchestrator),
and the workers as they last said (`worker_heartbeats`, `layani workers`)."""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Iterable

from sqlalchemy import delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from .. import clock
from ..extensions import db
from ..models import WorkerHeartbeat
from .db import conflict_insert, unit_of_work

logger = logging.getLogger(__name__)


def database_reachable() -> bool:
    """One `SELECT 1`: cheap enough for a probe every few seconds. A failure is logged once per probe."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()  # no transaction left open between probes
        return True
    except SQLAlchemyError as exc:
        db.session.rollback()
        logger.warning("Health check: database unreachable: %s", exc.__class__.__name__)
        return False


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def record_heartbeat(name: str, started_at: dt.datetime, failed_jobs: Iterable[str] = ()) -> None:
    """The end of a worker cycle: one upsert of this worker's row (other workers have rows of their own)."""
    now = clock.now()
    values = {"name": name, "started_at": started_at, "beat_at": now, "failed_jobs": ",".join(failed_jobs)[:200]}
    insert = conflict_insert(WorkerHeartbeat).values(**values)
    with unit_of_work():
        db.session.execute(insert.on_conflict_do_update(index_elements=["name"], set_={
            "beat_at": insert.excluded.beat_at, "failed_jobs": insert.excluded.failed_jobs,
            "started_at": insert.excluded.started_at}))


def forget_worker(name: str) -> None:
    """A worker that stops cleanly takes its row away: it is not missing, it is gone."""
    with unit_of_work():
        db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.name == name))


def heartbeats() -> list[WorkerHeartbeat]:
    return list(db.session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.name)))
