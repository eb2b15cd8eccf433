"""A local mail catcher for development: an SMTP server that delivers nothing and keeps everything.

Every message is saved as instance/mail/<timestamp>-<n>.eml (open it with any mail program) and its
From/To/Subject are printed. The app's default MAIL_SERVER/MAIL_PORT are 127.0.0.1:8025.

    .venv/bin/python scripts/mailcatcher.py [--host 127.0.0.1] [--port 8025] [--dir instance/mail]
"""
from __future__ import annotations

import argparse
import email
import itertools
import signal
import sys
import threading
from datetime import datetime
from email import policy
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent


class SaveToFolder:
    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._serial = itertools.count(1)
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            n = next(self._serial)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")  # noqa: TID251 (a dev tool names files by wall time)
        path = self.folder / f"{stamp}-{n}.eml"
        path.write_bytes(envelope.content)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        print(f"mail {n}: From: {message.get('From', envelope.mail_from)} | To: {', '.join(envelope.rcpt_tos)}"
              f" | Subject: {message.get('Subject', '')} → {path}", flush=True)
        return "250 Message accepted for delivery"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, default=ROOT / "instance" / "mail")
    args = parser.parse_args(argv)

    controller = Controller(SaveToFolder(args.dir), hostname=args.host, port=args.port)
    controller.start()
    print(f"mailcatcher: SMTP on {args.host}:{args.port}, saving to {args.dir}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
