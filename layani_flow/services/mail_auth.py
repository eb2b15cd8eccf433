"""Who sent an emailed reply. Nothing acts on a reply unless

- the SMTP envelope sender (MAIL FROM) and
- the one address of the one From header

are both the addressee's registered address, and, with MAIL_IN_REQUIRE_DKIM, a valid DKIM signature of
the office's domain (MAIL_IN_DKIM_DOMAIN) covers the message.

The first two stop mail forwarded or misdirected from another mailbox and casual forgery; both are written
by whoever sends the mail, so on their own they do not prove who that is. A DKIM signature does: only the
office's mail server holds the key. The public key comes from DNS, or from `dns` (dkimpy's `dnsfunc`)
when a test hands one in.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from email.message import EmailMessage

import dkim

SENDER = "sender"  # envelope sender or From is not the registered address
DKIM = "dkim"  # no valid signature of the office's domain
MAX_SIGNATURES = 3  # DKIM signatures tried per message: each costs a DNS lookup

DnsFunc = Callable[..., bytes | None]

# dkimpy logs signatures and, at DEBUG, header lines; our own line says what was decided.
_QUIET = logging.Logger("layani_flow.dkim", level=logging.CRITICAL + 1)


class DnsUnavailable(Exception):
    """The key could not be looked up now (DNS timeout): the reply should be offered again later."""


def check_sender(mail_from: str, message: EmailMessage, raw: bytes, registered: str, *,
                 dkim_domain: str | None, dns: DnsFunc | None = None) -> str | None:
    """None when the reply comes from `registered`; else why not (SENDER or DKIM)."""
    expected = registered.strip().lower()
    if not expected or mail_from.strip().lower() != expected or from_address(message) != expected:
        return SENDER
    if dkim_domain and not signed_by(raw, dkim_domain, dns):
        return DKIM
    return None


def from_address(message: EmailMessage) -> str | None:
    """The address of the From header, lower-cased; None unless there is exactly one From header holding
    exactly one well-formed address (two would let a program check one and a person read the other)."""
    try:
        headers = message.get_all("From") or []
        if len(headers) != 1 or headers[0].defects:
            return None
        addresses = headers[0].addresses
        if len(addresses) != 1 or not addresses[0].username or not addresses[0].domain:
            return None
        return addresses[0].addr_spec.lower()
    except Exception:  # the stdlib's header parser has raised odd errors on odd input; no sender then
        return None


class _OfficeKeys:
    """dkimpy's key lookup, limited to the office's domain (a signature of any other domain is no use, so
    its key is not even looked up), remembering whether DNS timed out."""

    def __init__(self, domain: bytes, lookup: DnsFunc):
        self.suffix = b"._domainkey." + domain + b"."
        self.lookup = lookup
        self.timed_out = False

    def __call__(self, name: bytes, timeout: int = 5) -> bytes | None:
        if not name.lower().endswith(self.suffix):
            return None
        try:
            return self.lookup(name, timeout=timeout)
        except dkim.DnsTimeoutError:
            self.timed_out = True
            raise


def signed_by(raw: bytes, domain: str, dns: DnsFunc | None = None) -> bool:
    """Whether a valid DKIM signature with d=`domain` covers the From header and the whole body.
    DnsUnavailable when the answer depends on a key DNS did not give in time."""
    wanted = domain.strip().lower().rstrip(".").encode()
    keys = _OfficeKeys(wanted, dns or dkim.get_txt)
    try:
        checker = dkim.DKIM(raw, logger=_QUIET, minkey=1024, timeout=5)
        count = sum(1 for name, _ in checker.headers if name.lower() == b"dkim-signature")
    except Exception:  # a message dkimpy cannot even split into headers carries no signature we can use
        return False
    for index in range(min(count, MAX_SIGNATURES)):
        try:
            valid = checker.verify(index, dnsfunc=keys)
        except Exception:  # a malformed signature or key is just not a valid signature
            continue
        fields = checker.signature_fields or {}
        if (valid and (checker.domain or b"").lower().rstrip(b".") == wanted
                and b"from" in checker.include_headers
                and b"l" not in fields):  # l= signs only the start of the body; the rest could be anything
            return True
    if keys.timed_out:
        raise DnsUnavailable
    return False
