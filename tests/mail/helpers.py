"""Building replies and handing them to the mail-in listener over real SMTP."""
from __future__ import annotations

import re
import smtplib
from email import policy
from email.message import EmailMessage

from sqlalchemy import select

from layani_flow.models import CaseEvent, InboundMessage, OutboxMessage

OFFICE_DOMAIN = "dkp.babelprov.go.id"  # the domain of MAIL_DEFAULT_SENDER
LINK = re.compile(r"http://localhost(/email/aksi/[A-Za-z0-9_.\-]+)")


def links(message) -> dict[str, str]:
    """The escalation email's action links, by action, as paths for the test client."""
    text = message.get_body(("plain",)).get_content()
    found = {}
    for label, key in (("Ambil alih", "ambil_alih"), ("Alihkan", "alihkan"), ("Perpanjang", "perpanjang"),
                       ("Beri instruksi", "instruksi")):
        line = next(line for line in text.splitlines() if line.startswith(f"- {label}"))
        found[key] = LINK.search(line).group(1)
    return found


def reply(sender: str, to: str, body: str | None, message_id: str | None = None, **headers: str) -> bytes:
    """A reply as a mail program writes it (CRLF lines, as SMTP carries them)."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, "Re: eskalasi"
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    if body is not None:
        msg.set_content(body)
    return msg.as_bytes(policy=policy.SMTP)


def send(port: int, envelope_from: str, to: str, raw: bytes) -> None:
    """Deliver as a mail server would: MAIL FROM is `envelope_from`, whatever the From header says."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.sendmail(envelope_from, [to], raw)


def send_reply(port: int, sender: str, to: str, body: str, message_id: str | None = None) -> None:
    """`sender` replies to `to` with `body`, and their mail server delivers it (MAIL FROM is `sender`)."""
    send(port, sender, to, reply(sender, to, body, message_id))


def converse(port: int, envelope_from: str, to: list[str], raw: bytes) -> tuple[int, bytes]:
    """The listener's answer to DATA, whatever it is (sendmail would raise on anything but 250)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.ehlo()
        code, answer = smtp.mail(envelope_from)
        assert code == 250, answer
        for address in to:
            smtp.rcpt(address)
        return smtp.data(raw)


def events(db, case_id: int) -> list[CaseEvent]:
    db.session.expire_all()
    return db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)).all()


def notes(db, case_id: int) -> list[CaseEvent]:
    return [e for e in events(db, case_id) if e.kind == "note"]


def refusal_notices(db) -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("mail-in-refusal:"))
                              .order_by(OutboxMessage.id)).all()


def inbound(db) -> list[InboundMessage]:
    db.session.expire_all()
    return db.session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
