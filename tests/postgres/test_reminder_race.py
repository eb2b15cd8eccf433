"""`layani remind` twice at once on a real PostgreSQL server: exactly one email per person, rule and due date.

Both runs are held until each has worked out who is owed what, so both then try to send every reminder; the
unique (user, rule, due date) row, inserted before the email in the same transaction, lets one of them through
and makes the other wait on its insert and then do nothing. Then two real `layani remind` processes at once."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from layani_flow.models import OutboxMessage, SentReminder
from layani_flow.services import reminders

from ..factories import UserFactory
from ..timekit import wib
from .test_concurrency import _race

pytestmark = pytest.mark.postgres

PEOPLE = 12
NOW = wib(2026, 12, 1, 6, 0)  # T−4 months of a KGB on 1 April 2027, and leave reminders for everyone
ROOT = Path(__file__).resolve().parents[2]


def _people(db) -> None:
    for _ in range(PEOPLE):
        UserFactory(kgb_tmt=dt.date(2025, 4, 1), grade_tmt=dt.date(2023, 4, 1))
    db.session.commit()
    db.session.remove()


def _one_email_each(db) -> int:
    rows = db.session.execute(select(SentReminder.user_id, SentReminder.rule, SentReminder.due_on)).all()
    assert len(rows) == len(set(rows))
    mails = Counter(m.dedupe_key for m in db.session.scalars(select(OutboxMessage)))
    assert mails and set(mails.values()) == {1}, mails
    assert len(mails) == len(rows)  # one email per reminder (all to the person: no desk rule is due)
    return len(rows)


def test_two_runs_at_once_send_each_reminder_once(app, db, monkeypatch):
    _people(db)
    both_read = threading.Barrier(2)
    owed = reminders._owed

    def owed_then_wait(today, report):
        found = owed(today, report)
        both_read.wait(timeout=20)  # the other run has its list too: both will try every reminder
        return found

    monkeypatch.setattr(reminders, "_owed", owed_then_wait)
    results = _race(app, 2, lambda i: reminders.send_due_reminders(NOW))
    assert all(isinstance(r, reminders.ReminderReport) for r in results), results
    total = _one_email_each(db)
    assert sum(r.total for r in results) == total  # every reminder counted by exactly one run
    by_rule = dict(db.session.execute(select(SentReminder.rule, func.count()).group_by(SentReminder.rule)).all())
    assert by_rule["kgb"] == PEOPLE and by_rule["kp"] == PEOPLE and by_rule["cuti_tahunan"] >= PEOPLE


def test_two_remind_processes_at_once(app, db):
    _people(db)
    env = {**os.environ, "LAYANI_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
           "LAYANI_SECRET_KEY": app.config["SECRET_KEY"], "LAYANI_BASE_URL": app.config["BASE_URL"],
           "LAYANI_MAIL_SUPPRESS_SEND": "true"}
    command = [sys.executable, "-m", "flask", "--app", "layani_flow", "layani", "remind", "--now", NOW.isoformat()]
    procs = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    total = _one_email_each(db)
    counted = sum(int(out.split("pengingat terkirim: ")[1].split(",")[0]) for out, _ in outputs)
    assert counted == total
