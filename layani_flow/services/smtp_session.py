"""One SMTP session for a delivery batch: connects lazily, with a socket timeout, and says when it is gone.

It knows nothing of the outbox. `services.outbox` decides what each failure means for a message; this
module only guarantees that every socket operation gives up after MAIL_TIMEOUT seconds (a hung server
delays mail, never the worker) and that a session whose server dropped it is noticed, so the next
message goes over a new connection instead of failing on the dead one.
"""
from __future__ import annotations

import logging
import smtplib

logger = logging.getLogger(__name__)


class SmtpSession:
    def __init__(self, *, server: str, port: int, timeout: float, use_ssl: bool = False, use_tls: bool = False,
                 username: str | None = None, password: str | None = None):
        self.server, self.port, self.timeout = server, port, timeout
        self.use_ssl, self.use_tls = use_ssl, use_tls
        self.username, self.password = username, password
        self.host: smtplib.SMTP | None = None

    @classmethod
    def from_flask_mail(cls, state, timeout: float) -> SmtpSession:
        """Flask-Mail's settings (MAIL_SERVER, MAIL_PORT, MAIL_USE_SSL/TLS, MAIL_USERNAME/PASSWORD)."""
        return cls(server=state.server, port=state.port, timeout=timeout, use_ssl=state.use_ssl,
                   use_tls=state.use_tls, username=state.username, password=state.password)

    @property
    def is_open(self) -> bool:
        return self._live_host() is not None

    def _live_host(self) -> smtplib.SMTP | None:
        # smtplib sets sock to None when it closes the connection itself (on a 421, or a reply it could
        # not read), so this also notices a server that went away in the middle of a message.
        host = self.host
        return host if host is not None and host.sock is not None else None

    def open(self) -> smtplib.SMTP:
        """Connect, greet, STARTTLS and log in, and return the connection. Raises OSError or SMTPException
        when the server is not there (refused, silent past the timeout, greeting or login refused)."""
        self.close()
        cls = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        host = cls(self.server, self.port, timeout=self.timeout)
        try:
            host.ehlo_or_helo_if_needed()
            if self.use_tls:
                host.starttls()
                host.ehlo()
            if self.username and self.password:
                host.login(self.username, self.password)
        except BaseException:
            host.close()
            raise
        self.host = host
        return host

    def send(self, sender: str, recipients: list[str], message: bytes) -> None:
        """One message in one SMTP transaction. smtplib's own errors pass through unchanged."""
        host = self._live_host()
        if host is None:
            host = self.open()
        host.sendmail(sender, recipients, message)

    def reset(self) -> None:
        """Leave the session ready for the next message after a failure in the middle of one (a MAIL FROM
        may already have been accepted). A server that does not answer RSET is dropped: the next send
        reconnects."""
        host = self._live_host()
        if host is None:
            return
        try:
            host.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self.host is None:
            return
        host, self.host = self.host, None
        try:
            if host.sock is not None:
                host.quit()
        except (OSError, smtplib.SMTPException):
            pass  # already gone; nothing to say goodbye to
        finally:
            host.close()

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
