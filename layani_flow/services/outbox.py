"""Email that is never lost: rows written with the change, delivered later with retries and backoff.

`enqueue` only adds a row (inside the caller's unit of work). `deliver_pending` claims due rows, sends
them over one SMTP connection and records each result at once. Delivery is at-least-once: a crash
between the SMTP server's "250 OK" and our commit may send a row again, with the same Message-ID, so
mail clients show it once.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
import uuid
from dataclasses import dataclass
from email.charset import QP, Charset
from email.mime.text import MIMEText
from email.utils import parseaddr

from flask import current_app, render_template
from flask_mail import Connection, Message
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import Case, OutboxMessage
from .db import unit_of_work

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)  # a claimed row becomes due again if its worker dies mid-batch
MAX_BACKOFF = dt.timedelta(hours=1)
PERMANENT_AFTER = 10  # attempts at a recipient the server keeps refusing before we stop trying


def mail_domain() -> str:
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return address.rpartition("@")[2] or "layani.local"


def thread_id_for(case: Case) -> str:
    """Every email about one case carries the same References, so mail clients thread them."""
    return f"<kasus-{case.id}@{mail_domain()}>"


def enqueue(*, to: str, template: str, context: dict, case: Case | None = None,
            dedupe_key: str | None = None, reply_to: str | None = None) -> OutboxMessage | None:
    """Add one email to the outbox (flush only). None if `dedupe_key` was already used."""
    if dedupe_key and db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    if case is not None and case.id is None:
        db.session.flush()  # the case's number and thread id are part of the email
    context = {"base_url": current_app.config["BASE_URL"].rstrip("/"), "case": case, **context}
    subject = render_template(f"emails/{template}.subject.txt", **context).strip()
    now = clock.now()
    row = OutboxMessage(
        case_id=case.id if case else None, dedupe_key=dedupe_key, to_addr=to, reply_to=reply_to,
        subject=subject[:250], body_text=render_template(f"emails/{template}.txt", **context),
        body_html=render_template(f"emails/{template}.html", **context),
        message_id=f"<{uuid.uuid4().hex}@{mail_domain()}>", thread_id=thread_id_for(case) if case else None,
        headers={}, status="pending", attempts=0, created_at=now, next_attempt_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    given_up: int = 0
    error: str = ""


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout, so a hung server delays mail but never the worker."""

    def configure_host(self):
        timeout = current_app.config.get("MAIL_TIMEOUT", 10)
        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(timeout)
        try:
            return super().configure_host()
        finally:
            socket.setdefaulttimeout(previous)


class _QuotedPrintableMessage(Message):
    """Flask-Mail sends UTF-8 bodies as raw 8-bit lines; quoted-printable keeps every line under SMTP's
    1,000-octet limit whatever the text (long links, long comments)."""

    def _mimetext(self, text, subtype="plain"):
        body_charset = Charset("utf-8")
        body_charset.body_encoding = QP
        return MIMEText(text or "", _subtype=subtype, _charset=body_charset)


def _message(row: OutboxMessage) -> Message:
    msg = _QuotedPrintableMessage(subject=row.subject, recipients=[row.to_addr], body=row.body_text, html=row.body_html,
                  sender=current_app.config["MAIL_DEFAULT_SENDER"], reply_to=row.reply_to,
                  extra_headers={"In-Reply-To": row.thread_id, "References": row.thread_id,
                                 "Auto-Submitted": "auto-generated"} if row.thread_id else
                  {"Auto-Submitted": "auto-generated"})
    msg.msgId = row.message_id
    return msg


def _backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claim(now: dt.datetime, batch: int) -> list[int]:
    with unit_of_work():
        query = (select(OutboxMessage).where(OutboxMessage.status == "pending",
                                             OutboxMessage.next_attempt_at <= now)
                 .order_by(OutboxMessage.id).limit(batch))
        if db.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = db.session.scalars(query).all()
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + LEASE
        return [row.id for row in rows]


def _record(row_id: int, now: dt.datetime, error: Exception | None, report: DeliveryReport) -> None:
    with unit_of_work():
        row = db.session.get(OutboxMessage, row_id)
        if error is None:
            row.status, row.sent_at, row.last_error = "sent", now, ""
            report.sent += 1
            return
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        permanent = isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError) and \
            row.attempts >= PERMANENT_AFTER
        if permanent:
            row.status, row.failed_at = "failed", now
            report.given_up += 1
            logger.error("Outbox %s given up after %s attempts: %s", row.id, row.attempts, row.last_error)
        else:
            row.next_attempt_at = now + _backoff(row.attempts)
            report.retried += 1


def deliver_pending(batch: int = 100) -> DeliveryReport:
    """Try once to send every due email. A dead mail server leaves them pending for a later try."""
    now = clock.now()
    report = DeliveryReport()
    while True:
        ids = _claim(now, batch)
        if not ids:
            return report
        recorded: set[int] = set()
        try:
            with _TimedConnection(current_app.extensions["mail"]) as connection:
                for row_id in ids:
                    try:
                        connection.send(_message(db.session.get(OutboxMessage, row_id)))
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                        _record(row_id, now, exc, report)
                    else:
                        _record(row_id, now, None, report)
                    recorded.add(row_id)
        except (OSError, smtplib.SMTPException) as exc:
            # The server went away: whatever was not recorded yet is retried after a backoff.
            report.error = f"{type(exc).__name__}: {exc}"
            logger.warning("Mail server unavailable: %s", report.error)
            for row_id in ids:
                if row_id not in recorded:
                    _record(row_id, now, exc, report)
            return report
        if len(ids) < batch:
            return report
