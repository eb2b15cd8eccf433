"""Replies by email: a signed Reply-To address names the case and the person; a command on the first
line acts as the matching link would, anything else becomes an internal note on the case.

A reply acts only when its address is ours and not expired (tokens.read_reply_address), it comes from the
addressee's registered address (mail_auth: envelope sender, From and, if required, DKIM), and it was not
read before (InboundMessage, by Message-ID). Any other reply changes nothing; when the address names a
person, that person hears why by email at their registered address (never the sender's, which may be
forged), at most once per MAIL_IN_REFUSAL_EVERY_MINUTES. Log lines name the case and the person only
when our signature on the address vouches for them; never an address, never the text.
"""
from __future__ import annotations

import datetime as dt
import email
import logging
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..logs import trace_without_messages
from ..models import Case, InboundMessage, OutboxMessage, SlaNotice, User
from ..timefmt import human_wib
from . import approvals, cases, escalations, mail_auth, mail_text, outbox, tokens
from .approval_requests import APPROVAL_NOTICE
from .db import unit_of_work
from .errors import DomainError, StaleCase

logger = logging.getLogger(__name__)

COMMANDS = {"SETUJU": "ambil_alih", "AMBIL": "ambil_alih", "ALIHKAN": "alihkan", "PERPANJANG": "perpanjang"}
NOTE_LIMIT = 5000  # cases.add_message refuses longer text; a longer MAIL_IN_MAX_CHARS is cut to this
MAX_RECIPIENTS_READ = 10  # reply addresses tried per message

EXPIRED, EMPTY, FAILED = "expired", "empty", "failed"
REASONS = {  # what the addressee reads after "Alasannya:"; none repeats anything from the reply itself
    mail_auth.SENDER: "Alamat pengirimnya (amplop SMTP atau kepala From) bukan alamat email Anda yang terdaftar "
                      "di LAYANI.",
    mail_auth.DKIM: "Email tersebut tidak membawa tanda tangan DKIM yang sah dari server email kantor.",
    EXPIRED: "Alamat balasannya sudah kedaluwarsa; alamat balasan dan tautan dalam email berlaku {hours} jam.",
    EMPTY: "Balasannya kosong atau tidak dapat dibaca.",
    FAILED: "Terjadi kesalahan di sistem saat memprosesnya.",
}

# Failures that pass: the reply is answered 451, the sending server offers it again later, and the
# InboundMessage record keeps the second delivery from acting twice.
TRANSIENT = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, sa_exc.DisconnectionError,
             StaleCase, mail_auth.DnsUnavailable)


class RetryLater(Exception):
    """The reply was not processed for a passing reason; the listener answers 451."""


@dataclass(frozen=True)
class ReplyResult:
    accepted: bool
    detail: str


def handle_reply(mail_from: str, recipients: list[str], raw: bytes, *,
                 dkim_dns: mail_auth.DnsFunc | None = None) -> ReplyResult:
    """Act on one received reply, or refuse it. Raises only RetryLater."""
    found = _signed_address(recipients)
    if found is None:
        logger.warning("Reply ignored: no signed reply address among its recipients")
        return ReplyResult(False, "unsigned")
    claim, expired = found
    try:
        return _outcome(claim, expired, mail_from, raw, dkim_dns)
    except TRANSIENT as exc:
        logger.warning("Reply on case %s for user %s not processed now (%s); the sender will offer it again",
                       claim.case_id, claim.user_id, type(exc).__name__)
        raise RetryLater from exc


def _outcome(claim: tokens.ReplyAddress, expired: bool, mail_from: str, raw: bytes,
             dkim_dns: mail_auth.DnsFunc | None) -> ReplyResult:
    try:
        return _handle(claim, expired, mail_from, raw, dkim_dns)
    except TRANSIENT:
        raise
    except DomainError as exc:
        # The services' own messages (fixed texts), with the first hint per field: "Perpanjangan tidak valid.
        # Isi 1 sampai 30 hari kerja."
        reason = " ".join([exc.message] + [hints[0] for hints in exc.errors.values() if hints])
        return _refuse(claim, exc.code, reason)
    except Exception as exc:
        logger.error("Reply on case %s for user %s failed:\n%s", claim.case_id, claim.user_id,
                     trace_without_messages(exc))
        return _refuse(claim, FAILED)


def _signed_address(recipients: list[str]) -> tuple[tokens.ReplyAddress, bool] | None:
    """The first recipient that is a reply address we signed, and whether it has expired."""
    for address in [r for r in recipients if r.lower().startswith("balas+")][:MAX_RECIPIENTS_READ]:
        try:
            return tokens.read_reply_address(address), False
        except tokens.ReplyAddressExpired as exc:
            return exc.address, True
        except tokens.InvalidLink:
            continue
    return None


def _handle(claim: tokens.ReplyAddress, expired: bool, mail_from: str, raw: bytes,
            dkim_dns: mail_auth.DnsFunc | None) -> ReplyResult:
    message = email.message_from_bytes(raw, policy=policy.default)
    if _automatic(mail_from, message):
        logger.info("Reply on case %s for user %s ignored: an automatic message", claim.case_id, claim.user_id)
        return ReplyResult(False, "automatic")
    user = db.session.get(User, claim.user_id)
    if user is None or not user.is_active:
        logger.warning("Reply on case %s for user %s refused: no such active user", claim.case_id, claim.user_id)
        return ReplyResult(False, "no_user")
    config = current_app.config
    dkim_domain = (config["MAIL_IN_DKIM_DOMAIN"] or outbox.mail_domain()) if config["MAIL_IN_REQUIRE_DKIM"] else None
    problem = mail_auth.check_sender(mail_from, message, raw, user.email, dkim_domain=dkim_domain, dns=dkim_dns)
    if problem is not None:
        return _refuse(claim, problem)
    if expired:  # after the sender check: a forger's reply is refused for what it is
        return _refuse(claim, EXPIRED)
    body = mail_text.reply_text(message, min(config["MAIL_IN_MAX_CHARS"], NOTE_LIMIT))
    if not body:
        return _refuse(claim, EMPTY)
    return _act(claim, user, body, mail_text.message_key(message, raw))


def _automatic(mail_from: str, message: EmailMessage) -> bool:
    """A bounce (empty envelope sender) or an auto-reply such as an out-of-office (Auto-Submitted, RFC 3834)
    is neither acted on nor answered: answering machines must not talk to each other."""
    if mail_from.strip() in ("", "<>"):
        return True
    try:
        value = str(message.get("Auto-Submitted") or "").strip().lower()
    except Exception:  # the stdlib's header parser has raised odd errors on odd input
        return False
    return bool(value) and value != "no"


def _act(claim: tokens.ReplyAddress, user: User, body: str, key: str) -> ReplyResult:
    """The note or the command and the record that this reply was read: one transaction, so a crash
    leaves neither and a second delivery finds both."""
    first, _, rest = body.partition("\n")
    words = first.split()
    # A reply to an approval request: SETUJU approves, TOLAK <alasan> declines (the reason may also follow on
    # the next lines). Otherwise the escalation commands, or a note.
    approval = approvals.reply_claim(claim.case_id, user.id, words[0], key) if words else None
    action = approval.action if approval else (COMMANDS.get(words[0].upper().rstrip(":.,")) if words else None)
    try:
        with unit_of_work():
            if _already_read(key):
                logger.info("Reply on case %s from user %s was read before; this delivery changes nothing",
                            claim.case_id, claim.user_id)
                return ReplyResult(False, "duplicate")
            db.session.add(InboundMessage(message_key=key, received_at=clock.now(), case_id=claim.case_id,
                                          user_id=user.id, outcome=action or "note"))
            # Both services join this unit of work and keep their own rules (who may write an internal
            # note, who may act on an escalation); a reply gets no way around them.
            if approval is not None:
                reason = " ".join([" ".join(words[1:]), rest.strip()]).strip()
                approvals.perform(approval, note=reason)
            elif action is None:
                cases.add_message(claim.case_id, user, body, internal=True)
            else:
                argument = words[1] if len(words) > 1 else ""
                escalations.perform(_action_claim(claim.case_id, user.id, action, key), note=rest.strip(),
                                    assignee_nip=argument if action == "alihkan" else "",
                                    days=argument if action == "perpanjang" else "")
    except sa_exc.IntegrityError:
        if not _already_read(key):
            raise
        logger.info("Reply on case %s from user %s was read at the same moment by another delivery",
                    claim.case_id, claim.user_id)
        return ReplyResult(False, "duplicate")
    logger.info("Reply accepted on case %s from user %s: %s", claim.case_id, claim.user_id, action or "note")
    return ReplyResult(True, action or "note")


def _already_read(key: str) -> bool:
    return db.session.scalar(select(InboundMessage.id).where(InboundMessage.message_key == key)) is not None


def _action_claim(case_id: int, user_id: int, action: str, key: str) -> tokens.ActionClaim:
    notice = db.session.scalars(select(SlaNotice).where(
        SlaNotice.case_id == case_id, SlaNotice.recipient_id == user_id, SlaNotice.level > 0,
        SlaNotice.clock != APPROVAL_NOTICE)
        .order_by(SlaNotice.id.desc())).first()
    if notice is None:
        raise tokens.InvalidLink("Tidak ada eskalasi untuk Anda pada kasus ini.")
    # One reply acts once, however often the mail server delivers it (and whatever InboundMessage says).
    return tokens.ActionClaim(notice.id, user_id, action, "mail-" + key[:30])


# -- refusals --------------------------------------------------------------------------------------

def _refuse(claim: tokens.ReplyAddress, code: str, reason: str | None = None) -> ReplyResult:
    logger.warning("Reply on case %s for user %s refused: %s", claim.case_id, claim.user_id, code)
    if reason is None:
        reason = REASONS[code].format(hours=current_app.config["EMAIL_LINK_MAX_AGE_HOURS"])
    try:
        notify_refusal(claim.user_id, claim.case_id, reason)
    except TRANSIENT:
        raise
    except Exception as exc:  # the reply stays refused; only the courtesy email is missing
        logger.error("Refusal notice for user %s not written:\n%s", claim.user_id, trace_without_messages(exc))
    return ReplyResult(False, code)


def notify_refusal(user_id: int, case_id: int, reason: str) -> bool:
    """Tell the addressee, at their registered address, that a reply changed nothing and why; at most once
    per MAIL_IN_REFUSAL_EVERY_MINUTES per person, so forged mail cannot flood them. True if queued."""
    every = dt.timedelta(minutes=current_app.config["MAIL_IN_REFUSAL_EVERY_MINUTES"])
    now = clock.now()
    # Notices are keyed by person and window of `every`; the last one, if recent, is in this window or the
    # one before. The key also lets the database refuse a second notice written at the same moment.
    window = int(now.timestamp() // every.total_seconds())
    key = f"mail-in-refusal:{user_id}:{window}"
    try:
        with unit_of_work():
            user = db.session.get(User, user_id)
            if user is None or not user.is_active:
                return False
            last = db.session.scalar(select(func.max(OutboxMessage.created_at)).where(
                OutboxMessage.dedupe_key.in_([key, f"mail-in-refusal:{user_id}:{window - 1}"])))
            if last is not None and clock.as_utc(last) > now - every:
                return False
            row = outbox.enqueue(to=user.email, template="mail_in_refusal", case=db.session.get(Case, case_id),
                                 dedupe_key=key,
                                 context={"recipient_name": user.name, "reason": reason,
                                          "received_text": human_wib(now),
                                          "every_minutes": int(every.total_seconds() // 60)})
    except sa_exc.IntegrityError:
        return False
    return row is not None
