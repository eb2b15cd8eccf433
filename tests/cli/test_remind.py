"""`layani remind [--now ISO8601]` (the contract): what is due is sent, a second run at the same instant sends
nothing, a bad --now is refused in Indonesian; the worker's daily job runs it once per WIB day."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from layani_flow.extensions import db
from layani_flow.models import OutboxMessage, SentReminder
from layani_flow.services import reminders
from layani_flow.services.worker import JOBS

from ..factories import UserFactory
from ..timekit import wib


def _remind(runner, *args):
    return runner.invoke(args=["layani", "remind", *args])


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_remind_sends_what_is_due_and_a_rerun_sends_nothing(runner, office):
    UserFactory(kgb_tmt=dt.date(2025, 4, 1))
    db.session.commit()
    first = _remind(runner, "--now", "2026-12-01T07:00:00+07:00")
    assert first.exit_code == 0, first.output
    assert "Kenaikan gaji berkala (KGB): 1" in first.output
    sent, mails = _count(SentReminder), _count(OutboxMessage)
    assert sent >= 1 and mails >= sent
    again = _remind(runner, "--now", "2026-12-01T07:00:00+07:00")
    assert again.exit_code == 0 and "pengingat terkirim: 0, email: 0" in again.output
    assert (_count(SentReminder), _count(OutboxMessage)) == (sent, mails)


def test_remind_refuses_a_time_without_a_zone(runner, office):
    result = _remind(runner, "--now", "2026-12-01T07:00:00")
    assert result.exit_code != 0 and "zona waktu" in result.output


def test_the_worker_runs_the_reminders_once_a_day(app, office, monkeypatch):
    calls = []
    assert reminders.daily(wib(2026, 12, 1, 0, 5)).total == 0  # off in the tests' configuration
    app.config["WORKER_PERSONNEL_REMINDERS"] = True
    monkeypatch.setattr(reminders, "send_due_reminders", lambda now: calls.append(now) or reminders.ReminderReport())
    for now in (wib(2026, 12, 1, 0, 5), wib(2026, 12, 1, 23, 55), wib(2026, 12, 2, 0, 0)):
        reminders.daily(now)
    assert calls == [wib(2026, 12, 1, 0, 5), wib(2026, 12, 2, 0, 0)]
    assert "personnel_reminders" in [job.name for job in JOBS]


def test_the_demo_has_reminders_due_at_once(runner, clock):
    from layani_flow.models import User

    assert runner.invoke(args=["layani", "demo", "--password", "demo-rahasia"]).exit_code == 0
    result = _remind(runner)
    assert result.exit_code == 0, result.output
    by_rule = dict(db.session.execute(select(SentReminder.rule, func.count()).group_by(SentReminder.rule)).all())
    assert by_rule["kgb"] >= 1 and by_rule["kp"] >= 1 and by_rule["kgb_desk"] == 1
    andi = db.session.scalar(select(User).where(User.email == "andi@dkp.babelprov.go.id"))
    assert andi.birth_date == dt.date(1989, 12, 3) and andi.position_kind == "jf_ahli_pertama"
    officer = db.session.scalar(select(User).where(User.role == "admin"))
    assert reminders.planning(officer, 12)  # the planning list has something to show
