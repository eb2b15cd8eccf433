"""`layani mail-in`: an aiosmtpd listener that hands each received reply to services.mail_in."""
from __future__ import annotations

import signal
import threading
from collections.abc import Callable

from aiosmtpd.controller import Controller
from flask import Flask

from .mail_in import handle_reply


class ReplyHandler:
    def __init__(self, app: Flask):
        self.app = app

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not address.lower().startswith("balas+"):
            return "550 5.1.1 Alamat tidak dikenal"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.app.app_context():
            handle_reply(list(envelope.rcpt_tos), envelope.content)
        # Accepted either way: a refused reply is logged, and bouncing it would tell a forger what we check.
        return "250 OK"


def start(app: Flask, host: str, port: int) -> Controller:
    controller = Controller(ReplyHandler(app), hostname=host, port=port)
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
