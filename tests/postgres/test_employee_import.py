"""An office of 5,000 people imported on PostgreSQL well under a minute, all or nothing, and a rerun that
changes nothing; the worker's claim skips a job another worker holds."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from layani_flow.models import OutboxMessage, User
from layani_flow.services.employee_import import run_import

from ..hr_import.samples import csv_text, office

pytestmark = pytest.mark.postgres


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_five_thousand_people_all_or_nothing_then_all(db, clock):
    rows = office(5000)
    bad = [dict(r) for r in rows]
    bad[4321]["golongan"] = "IX/z"
    bad[17]["nip_atasan"] = "197001012000011999"  # nobody
    report = run_import(csv_text(bad))
    assert [e["line"] for e in report["errors"]] == [19, 4323]
    assert count(db, User) == 0 and count(db, OutboxMessage) == 0

    started = time.perf_counter()
    report = run_import(csv_text(rows))
    seconds = time.perf_counter() - started
    assert report == {"created": 5000, "updated": 0, "unchanged": 0, "errors": []}
    assert seconds < 30, f"{seconds:.1f} s"
    assert count(db, User) == 5000 and count(db, OutboxMessage) == 5000
    # Every superior resolved, including those that came after their staff in the file.
    assert db.session.scalar(select(func.count()).select_from(User).where(User.superior_id.is_(None))) == 1

    started = time.perf_counter()
    assert run_import(csv_text(rows)) == {"created": 0, "updated": 0, "unchanged": 5000, "errors": []}
    assert time.perf_counter() - started < 30


def test_a_locked_queued_job_is_skipped_by_another_worker(db, clock, database_uri):
    from sqlalchemy import create_engine, text

    from layani_flow.services import import_jobs

    from ..factories import UserFactory

    admin = UserFactory(role="admin")
    first = import_jobs.upload(admin, "a.csv", csv_text(office(3)).encode())
    second = import_jobs.upload(admin, "b.csv", csv_text(office(3)).encode())
    import_jobs.queue(admin, first.id)
    import_jobs.queue(admin, second.id)
    other = create_engine(database_uri)
    with other.connect() as conn:
        conn.execute(text("SELECT id FROM import_jobs WHERE id = :id FOR UPDATE"), {"id": first.id})
        assert import_jobs.claim_next() == second.id  # the locked one is skipped, not waited for
        conn.rollback()
    other.dispose()
    assert import_jobs.claim_next() == first.id
