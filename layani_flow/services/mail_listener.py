"""`layani mail-in`: an aiosmtpd listener that hands each received reply to services.mail_in.

What goes back over SMTP says nothing about the reply: "250 OK" whether it was acted on or refused (a
bounce would tell a forger what we check, and would go to an envelope sender that may be forged), and a
bare "451 4.3.0 Coba lagi nanti" when it could not be processed for a passing reason (the database or DNS
is unavailable), so the sending server offers it again later. No exception text ever goes back: failures
are logged here with their stack, without messages, addresses or the reply's text.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from aiosmtpd.controller import Controller
from flask import Flask

from ..logs import trace_without_messages
from .mail_auth import DnsFunc
from .mail_in import RetryLater, handle_reply

logger = logging.getLogger(__name__)

ACCEPTED = "250 OK"
TRY_LATER = "451 4.3.0 Coba lagi nanti"
MAX_MESSAGE_BYTES = 10 * 1024 * 1024  # a reply with a few photos attached; larger ones are refused (552)


class ReplyHandler:
    def __init__(self, app: Flask, dkim_dns: DnsFunc | None = None):
        self.app = app
        self.dkim_dns = dkim_dns

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not address.lower().startswith("balas+"):
            return "550 5.1.1 Alamat tidak dikenal"
        envelope.rcpt_tos.append(address)
        return ACCEPTED

    async def handle_DATA(self, server, session, envelope):
        # One reply at a time, on the listener's own thread: replies come a few a day, and the order they
        # are read in is the order they act in.
        try:
            with self.app.app_context():
                handle_reply(envelope.mail_from or "", list(envelope.rcpt_tos), bytes(envelope.content or b""),
                             dkim_dns=self.dkim_dns)
        except RetryLater:
            return TRY_LATER
        except Exception as exc:
            logger.error("Reply not processed:\n%s", trace_without_messages(exc))
        return ACCEPTED

    async def handle_exception(self, error):
        """aiosmtpd's own default answers "500 Error: (<class>) <message>"; ours says only to try later."""
        logger.error("SMTP session failed:\n%s", trace_without_messages(error))
        return TRY_LATER


def start(app: Flask, host: str, port: int, *, dkim_dns: DnsFunc | None = None) -> Controller:
    """Listen on host:port in a thread of its own. `dkim_dns` replaces DNS for DKIM keys (tests)."""
    # aiosmtpd logs every command line at INFO (RCPT TO names a signed reply address) and the message at
    # DEBUG; only its warnings, which quote neither, reach our log.
    aiosmtpd_log = logging.getLogger("mail.log")
    aiosmtpd_log.setLevel(max(aiosmtpd_log.getEffectiveLevel(), logging.WARNING))
    controller = Controller(ReplyHandler(app, dkim_dns), hostname=host, port=port,
                            data_size_limit=MAX_MESSAGE_BYTES, decode_data=False)
    controller.start()
    return controller


def serve(app: Flask, host: str, port: int, echo: Callable[[str], None] = print) -> None:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    controller = start(app, host, port)
    echo(f"menerima balasan email di {host}:{port}")
    try:
        stop.wait()
    finally:
        controller.stop()
        echo("mail-in berhenti")
