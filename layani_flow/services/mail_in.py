"""Replies by email: a signed Reply-To address names the case and the person; a command on the first
line acts as the matching link would, anything else becomes a note on the case.

Mail from anyone but the addressee, to a bad or expired address, changes nothing and is logged.
"""
from __future__ import annotations

import email
import hashlib
import logging
import re
from dataclasses import dataclass
from email import policy
from email.utils import parseaddr

from sqlalchemy import select

from ..extensions import db
from ..models import SlaNotice, User
from . import cases, escalations, tokens
from .errors import DomainError

logger = logging.getLogger(__name__)

QUOTE_START = re.compile(r"^(>|On .+ wrote:|Pada .+ menulis:|-----Original Message-----|-- $)", re.IGNORECASE)
COMMANDS = {"SETUJU": "ambil_alih", "AMBIL": "ambil_alih", "ALIHKAN": "alihkan", "PERPANJANG": "perpanjang"}


@dataclass(frozen=True)
class ReplyResult:
    accepted: bool
    detail: str


def _reply_text(message: email.message.EmailMessage) -> str:
    part = message.get_body(("plain",))
    text = part.get_content() if part is not None else ""
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if QUOTE_START.match(line.strip()):
            break
        lines.append(line.rstrip())
    return "\n".join(lines).strip()


def _claim_for(case_id: int, user_id: int, action: str, message_id: str) -> tokens.ActionClaim:
    notice = db.session.scalars(select(SlaNotice).where(
        SlaNotice.case_id == case_id, SlaNotice.recipient_id == user_id, SlaNotice.level > 0)
        .order_by(SlaNotice.id.desc())).first()
    if notice is None:
        raise tokens.InvalidLink("Tidak ada eskalasi untuk Anda pada kasus ini.")
    # One reply acts once, however often the mail server delivers it.
    jti = "mail-" + hashlib.sha256(message_id.encode()).hexdigest()[:30]
    return tokens.ActionClaim(notice.id, user_id, action, jti)


def handle_reply(recipients: list[str], raw: bytes) -> ReplyResult:
    message = email.message_from_bytes(raw, policy=policy.default)
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    address = next((r for r in recipients if r.lower().startswith("balas+")), None)
    try:
        if address is None:
            raise tokens.InvalidLink("Bukan alamat balasan LAYANI.")
        case_id, user_id = tokens.read_reply_address(address)
        user = db.session.get(User, user_id)
        if user is None or not user.is_active or user.email.lower() != sender:
            raise tokens.InvalidLink("Pengirim bukan penerima email aslinya.")
        body = _reply_text(message)
        if not body:
            raise tokens.InvalidLink("Balasan kosong.")
        first, _, rest = body.partition("\n")
        words = first.split()
        action = COMMANDS.get(words[0].upper().rstrip(":.,")) if words else None
        message_id = str(message.get("Message-ID") or hashlib.sha256(raw).hexdigest())
        if action is None:
            cases.add_message(case_id, user, body, internal=True)
            detail = "catatan"
        else:
            argument = words[1] if len(words) > 1 else ""
            escalations.perform(_claim_for(case_id, user_id, action, message_id), note=rest.strip(),
                                assignee_nip=argument if action == "alihkan" else "",
                                days=argument if action == "perpanjang" else "")
            detail = action
    except DomainError as exc:
        logger.warning("Reply refused (to %s): %s", address or recipients, exc.message)
        return ReplyResult(False, exc.message)
    logger.info("Reply accepted on case %s from user %s: %s", case_id, user_id, detail)
    return ReplyResult(True, detail)
