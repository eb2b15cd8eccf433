"""Email that is never lost: rows written with the change, delivered later with retries and backoff.

`enqueue` and `post` only add a row (inside the caller's unit of work). `deliver_pending` claims due rows for a
lease of OUTBOX_LEASE_SECONDS (the rows of a worker that dies mid-batch are claimed again when it runs
out, so a worker sends nothing past its lease), sends them over one SMTP session and commits each
message's result before trying the next.
Delivery is at-least-once: a crash or a dropped connection between the server's "250 OK" and our commit
sends that row again, under the same Message-ID, so mail clients show it once.

Each message is its own failure boundary; one bad message never holds up the others. What a failure
means for the message:

failed (permanent: never retried by itself; `failed_at` is set, `last_error` says why; `layani outbox
failed` lists these and `layani outbox retry ID` puts one back):
  * a 5xx reply to this message's RCPT TO or DATA (unknown mailbox, a header or content the server
    refuses, a policy rejection), and 552 to MAIL FROM (SIZE: the message is too large for the server);
  * an address that cannot travel as we send it: a local part with non-ASCII letters (`pégawai@…`:
    Flask-Mail writes ASCII headers only and we never use SMTPUTF8, so no server can take it), no `@`,
    a line break; and SMTPNotSupportedError (an extension this message needs is not offered);
  * a header Flask-Mail refuses (BadHeaderError: a line break in subject, sender or Reply-To);
  * any other exception while composing or sending this one message (UnicodeError, ValueError, …): the
    same row would fail the same way every time, and must not block the rows behind it.
  The batch goes on with the next message over the same connection (after RSET), or over a new one if
  the server dropped it.

pending (transient: tried again after an exponential backoff of 1, 2, 4 … minutes, capped at an hour;
`last_error` holds the latest reason):
  * a 4xx reply to this message's RCPT TO or DATA (mailbox full, greylisting);
  * the server going away during this message (connection dropped, 421, no answer within MAIL_TIMEOUT):
    it may or may not have arrived, so it goes again later under the same Message-ID. The batch goes on
    over a new connection (so a message that makes the server hang up holds up nothing but itself); if
    none can be opened, or the server drops it too before answering any message, the batch stops as below;
  * the server unavailable (connection refused, no greeting within MAIL_TIMEOUT, EHLO, STARTTLS or login
    refused, our own sender refused at MAIL FROM): nothing is wrong with the messages; this one and the
    rest of the batch wait for the next try, and delivery stops until then.
  A temporary problem never fails a message: mail waits as long as the server is away.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from dataclasses import dataclass
from email.charset import QP, Charset
from email.mime.text import MIMEText
from email.utils import parseaddr
from functools import lru_cache
from typing import Any, cast

from flask import current_app
from flask_mail import BadHeaderError, Message, email_dispatched, sanitize_address, sanitize_addresses
from sqlalchemy import Table, insert, select

from .. import clock
from ..extensions import db
from ..models import Case, OutboxMessage
from . import filing_rows
from .db import unit_of_work
from .errors import Conflict, NotFound
from .many_rows import insert_many
from .smtp_session import SmtpSession

logger = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(hours=1)


def mail_domain() -> str:
    return _domain_of(current_app.config["MAIL_DEFAULT_SENDER"])


@lru_cache(maxsize=8)
def _domain_of(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "layani.local"


def thread_id_for(case: Case) -> str:
    """Every email about one case carries the same References, so mail clients thread them."""
    return f"<kasus-{case.id}@{mail_domain()}>"


@dataclass(frozen=True)
class CaseFacts:
    """What a case notice says of its case, kept in the outbox row until the email is written."""

    id: int
    ref: str
    title: str


def case_url(case: Case | CaseFacts | None, base_url: str) -> str:
    """The absolute link every email about a case ends with ("Lihat kasus"). Only people who may read the case
    are ever emailed about it (an anonymous filer has no address and follows the case at /lacak with their
    code), so the link is the case page; an anonymous complaint's id is a random number that names nobody."""
    return f"{base_url}/kasus/{case.id}" if case is not None else f"{base_url}/"


def rendered(template: str, context: dict) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of an email template; every email gets `base_url` and its "Lihat kasus"
    link (`case_url`, from `context["case"]`, None for an email about no case)."""
    context = _with_links(context)
    env = current_app.jinja_env
    return (_subject(template, context), env.get_template(f"emails/{template}.txt").render(context),
            env.get_template(f"emails/{template}.html").render(context))


def _with_links(context: dict) -> dict:
    base_url = current_app.config["BASE_URL"].rstrip("/")
    return {"base_url": base_url, "case": None, "case_url": case_url(context.get("case"), base_url), **context}


def _subject(template: str, context: dict) -> str:
    # Straight from the Jinja environment (its globals hold `config`), not render_template: the pages' context
    # processors are for pages (they read the signed-in user), and ran three times for every email.
    return current_app.jinja_env.get_template(f"emails/{template}.subject.txt").render(context).strip()[:250]


def row_values(*, to: str, subject: str = "", body_text: str = "", body_html: str = "", case_id: int | None = None,
               thread_id: str | None = None, dedupe_key: str | None = None, reply_to: str | None = None,
               attachments: list[dict[str, str]] | None = None, template: str | None = None,
               context: dict | None = None) -> dict[str, Any]:
    """A new pending outbox row's values, due now: for `enqueue`, and for senders that write many rows in one
    statement (`insert_rows`)."""
    now = clock.now()
    return {"case_id": case_id, "dedupe_key": dedupe_key, "to_addr": to, "reply_to": reply_to, "subject": subject,
            "body_text": body_text, "body_html": body_html, "template": template, "context": context,
            "message_id": f"<{uuid.uuid4().hex}@{mail_domain()}>", "thread_id": thread_id, "headers": {},
            "attachments": attachments or [], "status": "pending", "attempts": 0, "created_at": now,
            "next_attempt_at": now, "last_error": ""}


def insert_rows(rows: list[dict[str, Any]], chunk: int = 1000) -> int:
    """Many outbox rows (`row_values`) in a few statements (many_rows), inside the caller's unit of work."""
    for start in range(0, len(rows), chunk):
        insert_many(cast(Table, OutboxMessage.__table__), rows[start:start + chunk])
    return len(rows)


def enqueue(*, to: str, template: str, context: dict, case: Case | None = None,
            dedupe_key: str | None = None, reply_to: str | None = None,
            attachments: list[dict[str, str]] | None = None) -> OutboxMessage | None:
    """Add one email to the outbox, written with the caller's unit of work (flushed at once only with a
    `dedupe_key`). None if `dedupe_key` was already used."""
    if dedupe_key and db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    row = OutboxMessage(**_rendered_row(to, template, context, case, dedupe_key=dedupe_key, reply_to=reply_to,
                                        attachments=attachments))
    db.session.add(row)
    if dedupe_key:
        db.session.flush()  # the next lookup of this key, in the same unit of work, must see it
    return row


CASE_NOTICES = frozenset({"case_update"})  # the templates `post` queues: written from the facts in their row


def post(*, to: str, template: str, context: dict, case: Case, created_at: dt.datetime | None = None,
         send_after: dt.datetime | None = None) -> None:
    """Queue one notice about a case (the receipt, every step's email), written when it is delivered: the row
    keeps its template and `context` (plain values, JSON) with the case's number and title, and its subject,
    written now so that a list of waiting mail says what each is. One INSERT, no row object: every filing and
    step sends one, and rendering its bodies then was a twentieth of a filing."""
    if template not in CASE_NOTICES:
        raise ValueError(f"{template!r} is not a case notice")
    filing_rows.write(case)  # the case's number is part of the email
    facts = {**context, "case": {"id": case.id, "ref": case.ref, "title": case.title}}
    values = row_values(to=to, subject=_subject(template, _with_links(_case_facts(facts))), case_id=case.id,
                        thread_id=thread_id_for(case), template=template, context=facts)
    if created_at is not None:
        values["created_at"] = created_at
    if send_after is not None:
        values["next_attempt_at"] = send_after
    db.session.execute(_insert_row(), values)


def _case_facts(facts: dict) -> dict:
    return {**facts, "case": CaseFacts(**facts["case"])}


@lru_cache(maxsize=1)
def _insert_row() -> Any:
    return insert(cast(Table, OutboxMessage.__table__))


def _rendered_row(to: str, template: str, context: dict, case: Case | None, **more: Any) -> dict[str, Any]:
    if case is not None:
        filing_rows.write(case)  # the case's number and thread id are part of the email
    subject, text, html = rendered(template, {"case": case, **context})
    return row_values(to=to, subject=subject, body_text=text, body_html=html, case_id=case.id if case else None,
                      thread_id=thread_id_for(case) if case else None, **more)


def later_values(*, to: str, template: str, context: dict, case: Case, dedupe_key: str | None = None) -> dict[str, Any]:
    """The row of an email to be written when it is delivered (nothing rendered), for a sender that inserts
    many at once (the sweep). `context` holds plain facts (JSON); `write_queued` turns them into the
    template's context at delivery. The caller guarantees the email is queued once (the dedupe key is still
    unique, but not looked up first)."""
    return row_values(to=to, case_id=case.id, thread_id=thread_id_for(case), dedupe_key=dedupe_key,
                      template=template, context=context)


def write_queued(row: OutboxMessage) -> None:
    """Write a queued email (`post`, `later_values`) into its row, once, just before it is first sent."""
    from . import escalation_mail  # it reads cases and signs links; the outbox itself knows neither

    if row.template in CASE_NOTICES:
        facts, reply_to = _case_facts(row.context or {}), row.reply_to
    elif row.template in escalation_mail.TEMPLATES:
        try:
            facts, reply_to = escalation_mail.render(row)
        except LookupError as exc:
            raise Unsendable(str(exc)) from None
    else:
        raise Unsendable(f"templat email {row.template!r} tidak dikenal")
    row.subject, row.body_text, row.body_html = rendered(row.template, facts)
    row.reply_to = reply_to


def enqueue_many(template: str, messages: list[tuple[str, dict]]) -> int:
    """Many emails of one template, not about a case, in one INSERT (an import's invitations): each
    (to, context) rendered as `enqueue` would, flushed together. Returns how many."""
    rows = []
    for to, context in messages:
        subject, text, html = rendered(template, context)
        rows.append(row_values(to=to, subject=subject, body_text=text, body_html=html))
    return insert_rows(rows)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0  # left pending, to be tried again after a backoff
    failed: int = 0  # permanently: status "failed"
    error: str = ""  # why delivery stopped early (the server unavailable), for the operator


class _QuotedPrintableMessage(Message):
    """Flask-Mail sends UTF-8 bodies as raw 8-bit lines; quoted-printable keeps every line under SMTP's
    1,000-octet limit whatever the text (long links, long comments)."""

    def _mimetext(self, text, subtype="plain"):
        body_charset = Charset("utf-8")
        body_charset.body_encoding = QP
        # cast: typeshed allows only a charset name here, but MIMEText hands _charset to set_payload, which
        # takes a Charset too; only a Charset object carries the quoted-printable body encoding.
        return MIMEText(text or "", _subtype=subtype, _charset=cast(Any, body_charset))


def _message(row: OutboxMessage) -> Message:
    msg = _QuotedPrintableMessage(subject=row.subject, recipients=[row.to_addr], body=row.body_text, html=row.body_html,
                  sender=current_app.config["MAIL_DEFAULT_SENDER"], reply_to=row.reply_to,
                  extra_headers={"In-Reply-To": row.thread_id, "References": row.thread_id,
                                 "Auto-Submitted": "auto-generated"} if row.thread_id else
                  {"Auto-Submitted": "auto-generated"})
    msg.msgId = row.message_id
    for item in row.attachments or []:  # an ICS invitation: text, carried in the row as it will be sent
        msg.attach(item["filename"], item["content_type"], item["data"].encode("utf-8"))
    return msg


def _backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])


# -- what a failure means -------------------------------------------------------------------------------

FAILED, DEFERRED, DROPPED, UNAVAILABLE = "failed", "deferred", "dropped", "unavailable"


@dataclass(frozen=True)
class Verdict:
    kind: str  # FAILED (permanent), DEFERRED (this message, later), DROPPED (server gone mid-message), UNAVAILABLE
    reason: str  # for people: goes into last_error


class Unsendable(Exception):
    """This message can never be sent as it is (found before talking to the server)."""


def _reply_text(code: int, resp: bytes | str) -> str:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return f"{code} {' '.join(text.split())}".strip()


def _by_code(code: int, reason: str) -> Verdict:
    if code == 421:  # "service not available, closing transmission channel": the server is going away
        return Verdict(DROPPED, reason)
    return Verdict(FAILED if 500 <= code <= 599 else DEFERRED, reason)


def classify(exc: BaseException) -> Verdict:
    """What a failure while composing or sending one message means (see the module docstring). The order
    matters: every smtplib exception is also an OSError."""
    if isinstance(exc, Unsendable):
        return Verdict(FAILED, str(exc))
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, resp = next(iter(exc.recipients.values()), (0, b""))
        return _by_code(code, f"server mail menolak penerima: {_reply_text(code, resp)}")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        reply = _reply_text(exc.smtp_code, exc.smtp_error)
        if exc.smtp_code == 552:  # SIZE exceeded: this message, not our sender
            return Verdict(FAILED, f"email terlalu besar untuk server mail: {reply}")
        if exc.smtp_code == 421:
            return Verdict(DROPPED, f"server mail menutup koneksi: {reply}")
        return Verdict(UNAVAILABLE, f"server mail menolak alamat pengirim (periksa MAIL_DEFAULT_SENDER): {reply}")
    if isinstance(exc, smtplib.SMTPDataError):
        return _by_code(exc.smtp_code, f"server mail menolak isi atau kepala email: "
                                       f"{_reply_text(exc.smtp_code, exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return Verdict(FAILED, f"server mail tidak mendukung yang diperlukan email ini: {exc}")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(exc.smtp_code, f"server mail menjawab {_reply_text(exc.smtp_code, exc.smtp_error)}")
    if isinstance(exc, TimeoutError) or (isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in str(exc)):
        return Verdict(DROPPED, f"server mail tidak menjawab dalam {current_app.config['MAIL_TIMEOUT']:g} detik")
    if isinstance(exc, OSError):  # SMTPServerDisconnected, a reset or broken connection
        return Verdict(DROPPED, f"koneksi ke server mail terputus: {type(exc).__name__}: {exc}")
    if isinstance(exc, BadHeaderError):
        return Verdict(FAILED, "kepala email memuat baris baru (subjek, pengirim, penerima atau Reply-To)")
    if isinstance(exc, UnicodeError):
        return Verdict(FAILED, f"alamat atau kepala email tidak dapat ditulis untuk SMTP: {type(exc).__name__}: {exc}")
    return Verdict(FAILED, f"email ini tidak dapat disusun atau dikirim: {type(exc).__name__}: {exc}")


def _address_problem(address: str) -> str | None:
    """Why an address can never be sent to as we send mail (ASCII only, no SMTPUTF8), or None."""
    if "\r" in address or "\n" in address:
        return f"alamat penerima memuat baris baru: {address!r}"
    local, at, domain = parseaddr(address)[1].rpartition("@")
    if not (local and at and domain):
        return f"alamat penerima bukan alamat email: {address!r}"
    if not local.isascii():
        return (f"alamat penerima {address} memuat huruf non-ASCII sebelum '@'; email dikirim tanpa SMTPUTF8, "
                "jadi alamat ini tidak dapat dikirimi. Perbaiki alamatnya, lalu kirim ulang.")
    return None


@dataclass(frozen=True)
class _Envelope:
    message: Message
    sender: str
    recipients: list[str]
    data: bytes


def _compose(row: OutboxMessage, now: dt.datetime) -> _Envelope:
    """The bytes to send, or an exception that makes the message failed: nothing here depends on the
    server, so retrying would give the same result."""
    problem = _address_problem(row.to_addr)
    if problem:
        raise Unsendable(problem)
    if row.template and not row.body_text:
        write_queued(row)
    msg = _message(row)
    msg.date = now.timestamp()  # the Date header comes from the app's clock, like every other instant
    if msg.has_bad_headers():
        raise BadHeaderError()
    return _Envelope(msg, sanitize_address(msg.sender), sanitize_addresses(msg.send_to), msg.as_bytes())


# -- claiming and recording -------------------------------------------------------------------------------

def _claim(now: dt.datetime, batch: int) -> list[int]:
    with unit_of_work():
        query = (select(OutboxMessage).where(OutboxMessage.status == "pending",
                                             OutboxMessage.next_attempt_at <= now)
                 .order_by(OutboxMessage.id).limit(batch))
        if db.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = db.session.scalars(query).all()
        lease_until = now + _lease()
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = lease_until
        return [row.id for row in rows]


def _record(row_id: int, now: dt.datetime, verdict: Verdict | None, report: DeliveryReport) -> None:
    """One message's result, committed at once: a crash after this never sends it again."""
    with unit_of_work():
        row = db.session.get(OutboxMessage, row_id)
        if row is None:  # deleted by hand while it was out: nothing left to record
            logger.warning("Outbox %s vanished before its result was recorded", row_id)
            return
        if verdict is None:
            row.status, row.sent_at, row.last_error = "sent", now, ""
            report.sent += 1
            return
        row.last_error = verdict.reason[:2000]
        if verdict.kind == FAILED:
            row.status, row.failed_at = "failed", now
            report.failed += 1
            logger.error("Outbox %s to %s failed: %s", row.id, row.to_addr, row.last_error)
        else:
            row.next_attempt_at = now + _backoff(row.attempts)
            report.retried += 1
            logger.warning("Outbox %s to %s deferred: %s", row.id, row.to_addr, row.last_error)


def _put_back(row_ids: list[int], now: dt.datetime, reason: str, report: DeliveryReport) -> None:
    """The server is unavailable: the rest of the batch waits for the next try, in one transaction."""
    with unit_of_work():
        for row in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(row_ids))):
            row.last_error = reason[:2000]
            row.next_attempt_at = now + _backoff(row.attempts)
    report.retried += len(row_ids)
    report.error = reason
    logger.warning("Mail server unavailable, %s email(s) wait: %s", len(row_ids), reason)


# -- delivery ---------------------------------------------------------------------------------------------

def _send_batch(session: SmtpSession, ids: list[int], now: dt.datetime, report: DeliveryReport,
                suppress: bool) -> bool:
    """Send claimed rows one by one. False when the server turned out unavailable (the rest was put back)."""
    drops = 0  # connections lost in a row, with no message answered in between
    lease_ends = now + _lease()
    for position, row_id in enumerate(ids):
        if clock.now() >= lease_ends:
            # Past the lease another worker may claim these rows; sending them too would send them twice.
            # They stay leased until then and go in a later batch, by whoever claims them.
            logger.warning("Outbox lease of %s s ran out with %s email(s) unsent; OUTBOX_LEASE_SECONDS is short "
                           "for this mail server", current_app.config["OUTBOX_LEASE_SECONDS"], len(ids) - position)
            return False
        row = db.session.get(OutboxMessage, row_id)
        if row is None:  # deleted by hand since it was claimed: nothing to send
            logger.warning("Outbox %s vanished before it was sent", row_id)
            continue
        try:
            envelope = _compose(row, now)
        except Exception as exc:  # composing depends on nothing but the row: permanent
            _record(row_id, now, Verdict(FAILED, classify(exc).reason), report)
            continue
        if not suppress and not session.is_open:
            try:
                session.open()
            except Exception as exc:  # refused, silent, greeting or login refused: not about this message
                _put_back(ids[position:], now, f"server mail tidak tersedia: {classify(exc).reason}", report)
                return False
        try:
            if not suppress:
                session.send(envelope.sender, envelope.recipients, envelope.data)
        except Exception as exc:  # each message is its own failure boundary
            verdict = classify(exc)
            if verdict.kind == DROPPED:
                drops += 1
                session.close()  # the next message opens a new connection
            if verdict.kind == UNAVAILABLE or drops >= 2:
                # Our sender refused, or a second connection lost before the server answered anything:
                # the next rows would only fail (or hang) the same way. One drop alone goes on, so a
                # message that makes the server hang up cannot hold up the queue behind it.
                _put_back(ids[position:], now, f"server mail tidak tersedia: {verdict.reason}", report)
                return False
            if verdict.kind != DROPPED:
                session.reset()  # a MAIL FROM may be open; RSET, or drop the connection if that fails
                if isinstance(exc, smtplib.SMTPResponseException):
                    drops = 0  # the server answered
            if verdict.kind == FAILED and not isinstance(exc, smtplib.SMTPException):
                logger.exception("Outbox %s: unexpected error while sending", row_id)
            _record(row_id, now, verdict, report)
            continue
        drops = 0
        # current_app is typed as Flask but is the proxy; Flask's own code reads it the same way.
        email_dispatched.send(current_app._get_current_object(), message=envelope.message)  # type: ignore[attr-defined]
        _record(row_id, now, None, report)
    return True


def deliver_pending(batch: int = 100) -> DeliveryReport:
    """Try once to send every due email. A dead mail server leaves them pending for a later try; a message
    that can never be sent is marked failed and the others go on."""
    report = DeliveryReport()
    mail = current_app.extensions["mail"]
    with SmtpSession.from_flask_mail(mail, timeout=float(current_app.config["MAIL_TIMEOUT"])) as session:
        while True:
            now = clock.now()  # each batch's lease runs from its own claim
            ids = _claim(now, batch)
            if not ids or not _send_batch(session, ids, now, report, mail.suppress) or len(ids) < batch:
                return report


# -- failed mail, for the operator ------------------------------------------------------------------------

def failed_messages() -> list[OutboxMessage]:
    """Every failed email, oldest failure first."""
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed")
                                   .order_by(OutboxMessage.failed_at, OutboxMessage.id)))


def retry_failed(message_id: int) -> OutboxMessage:
    """Put one failed email back in the queue, due now, with a fresh count of attempts (its backoff starts
    again at a minute: whoever retries it has dealt with the cause). Same row, same Message-ID."""
    with unit_of_work(keep_loaded=True):
        row = db.session.get(OutboxMessage, message_id)
        if row is None:
            raise NotFound(f"Email #{message_id} tidak ada di outbox.")
        if row.status != "failed":
            raise Conflict(f"Email #{message_id} berstatus {row.status!r}, bukan 'failed'; "
                           "hanya email yang gagal yang dapat dikirim ulang.")
        row.status, row.failed_at, row.attempts, row.next_attempt_at = "pending", None, 0, clock.now()
        logger.info("Outbox %s to %s put back in the queue (was: %s)", row.id, row.to_addr, row.last_error)
    return row
