"""MAIL_IN_REQUIRE_DKIM: a reply acts only with a valid DKIM signature of the office's domain. Keys are made
here; the listener reads them from a dict instead of DNS (dkimpy's `dnsfunc`)."""
from __future__ import annotations

import base64

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from layani_flow.models import Case

from .helpers import OFFICE_DOMAIN, converse, notes, refusal_notices, reply, send

SELECTOR = b"layani2026"


class Signer:
    """An RSA key of one domain, published in `zone`, signing as that domain's mail server would."""

    def __init__(self, domain: str, zone: dict[bytes, bytes]):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.domain = domain.encode()
        self.private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                         serialization.NoEncryption())
        public = key.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
        zone[SELECTOR + b"._domainkey." + self.domain + b"."] = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def sign(self, raw: bytes, **options) -> bytes:
        return dkim.sign(raw, SELECTOR, self.domain, self.private,
                         include_headers=[b"from", b"to", b"subject", b"message-id"], **options) + raw


@pytest.fixture(scope="module")
def zone() -> dict[bytes, bytes]:
    return {}


@pytest.fixture(scope="module")
def office_key(zone):
    return Signer(OFFICE_DOMAIN, zone)


@pytest.fixture(scope="module")
def other_key(zone):
    return Signer("contoh.id", zone)


@pytest.fixture
def dkim_dns(zone):
    asked = []

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        asked.append(name)
        return zone.get(name)

    lookup.asked = asked
    return lookup


@pytest.fixture
def app_config(mail_config):
    return {**mail_config, "MAIL_IN_REQUIRE_DKIM": True}


@pytest.fixture
def addressee(escalated, office):
    return office.kasubbag.email, escalated[1]["Reply-To"]


def test_a_reply_signed_by_the_office_is_accepted(escalated, addressee, mail_in, db, office_key):
    me, to = addressee
    send(mail_in, me, to, office_key.sign(reply(me, to, "Sudah saya periksa.", "<d1@x.id>")))
    assert [n.comment for n in notes(db, escalated[0])] == ["Sudah saya periksa."]
    assert refusal_notices(db) == []


def test_an_unsigned_reply_is_refused_and_the_addressee_told(escalated, addressee, mail_in, db):
    me, to = addressee
    send(mail_in, me, to, reply(me, to, "SETUJU", "<d2@x.id>"))
    assert notes(db, escalated[0]) == [] and db.session.get(Case, escalated[0]).owner_id is None
    [notice] = refusal_notices(db)
    assert notice.to_addr == me and "DKIM" in notice.body_text


def test_a_reply_signed_by_another_domain_is_refused_without_looking_up_its_key(
        escalated, addressee, mail_in, db, other_key, dkim_dns):
    me, to = addressee
    send(mail_in, me, to, other_key.sign(reply(me, to, "SETUJU", "<d3@x.id>")))
    assert db.session.get(Case, escalated[0]).owner_id is None
    assert dkim_dns.asked == []  # a signature of another domain is no use; its key is never fetched
    assert len(refusal_notices(db)) == 1


def test_a_reply_changed_after_signing_is_refused(escalated, addressee, mail_in, db, office_key):
    me, to = addressee
    signed = office_key.sign(reply(me, to, "Catatan asli.", "<d4@x.id>"))
    send(mail_in, me, to, signed.replace(b"Catatan asli.", b"SETUJU asli. "))
    assert notes(db, escalated[0]) == [] and db.session.get(Case, escalated[0]).owner_id is None


def test_a_signature_of_only_the_start_of_the_body_is_not_enough(escalated, addressee, mail_in, db, office_key):
    """With l= anyone may append to a signed message; such a signature does not vouch for the reply."""
    me, to = addressee
    signed = office_key.sign(reply(me, to, "Catatan asli.", "<d5@x.id>"), length=True)
    assert b" l=" in signed or b";l=" in signed.replace(b" ", b"")
    send(mail_in, me, to, signed + b"Tambahan penyusup.\r\n")
    assert notes(db, escalated[0]) == []


def test_dns_that_times_out_gets_451_so_the_reply_comes_again(escalated, addressee, app, db, office_key):
    from layani_flow.services import mail_listener

    from ..conftest import _free_port

    def unreachable(name, timeout=5):
        raise dkim.DnsTimeoutError("timeout")

    me, to = addressee
    port = _free_port()
    controller = mail_listener.start(app, "127.0.0.1", port, dkim_dns=unreachable)
    try:
        raw = office_key.sign(reply(me, to, "Sudah saya periksa.", "<d6@x.id>"))
        assert converse(port, me, [to], raw) == (451, b"4.3.0 Coba lagi nanti")
    finally:
        controller.stop()
    assert notes(db, escalated[0]) == [] and refusal_notices(db) == []


def test_the_dkim_domain_can_be_set_apart_from_the_sender_domain(escalated, addressee, mail_in, db, app, zone):
    app.config["MAIL_IN_DKIM_DOMAIN"] = "mail.babelprov.go.id"
    provincial = Signer("mail.babelprov.go.id", zone)
    me, to = addressee
    send(mail_in, me, to, provincial.sign(reply(me, to, "Lewat server provinsi.", "<d7@x.id>")))
    assert [n.comment for n in notes(db, escalated[0])] == ["Lewat server provinsi."]
