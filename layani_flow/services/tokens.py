"""Signed, expiring, single-use tokens for links and reply addresses in emails."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..extensions import db
from ..models import UsedEmailToken
from .errors import Conflict, DomainError

ACTION_SALT = "layani.email-action"
REPLY_SALT = b"layani.reply-address"
# One spelling per address: ASCII digits without leading zeros (n before an anonymous complaint's negative
# case id), lower-case hex and base32 (int() would also take "٤٢", "+42" or "4_2").
REPLY_LOCAL_PART = re.compile(r"balas\+(n?[1-9][0-9]{0,9})-([1-9][0-9]{0,9})-([0-9a-f]{1,10})-([a-z2-7]{16})")


class InvalidLink(DomainError):
    status, code = 400, "invalid_link"


@dataclass(frozen=True)
class ActionClaim:
    notice_id: int
    user_id: int
    action: str
    jti: str


class _AppClockSigner(TimestampSigner):
    """Signs and checks ages on the app's clock, so expiry is testable without waiting."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=ACTION_SALT, signer=_AppClockSigner)


def _max_age() -> int:
    return int(current_app.config["EMAIL_LINK_MAX_AGE_HOURS"]) * 3600


def sign_action(notice_id: int, user_id: int, action: str) -> str:
    return _serializer().dumps({"n": notice_id, "u": user_id, "a": action, "j": secrets.token_hex(8)})


def read_action(token: str) -> ActionClaim:
    """The claim in an email link; the signature's age is checked against the app's clock."""
    try:
        payload = _serializer().loads(token, max_age=_max_age())
    except SignatureExpired:
        raise InvalidLink("Tautan ini sudah kedaluwarsa. Silakan tindak lanjuti kasus melalui aplikasi LAYANI.") from None
    except (BadSignature, ValueError, TypeError):
        raise InvalidLink("Tautan tidak sah. Buka kembali tautan dari email aslinya.") from None
    try:
        return ActionClaim(int(payload["n"]), int(payload["u"]), str(payload["a"]), str(payload["j"]))
    except (KeyError, TypeError, ValueError):
        raise InvalidLink("Tautan tidak sah.") from None


def consume(jti: str, action: str, user_id: int | None) -> None:
    """Mark a token used (flush only). A second use is refused."""
    if db.session.get(UsedEmailToken, jti) is not None:
        raise Conflict("Tautan ini sudah pernah digunakan.")
    db.session.add(UsedEmailToken(jti=jti, used_at=clock.now(), action=action, user_id=user_id))
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict("Tautan ini sudah pernah digunakan.") from None


def _mac(message: str) -> str:
    key = hashlib.sha256(REPLY_SALT + current_app.config["SECRET_KEY"].encode()).digest()
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()  # 80 bits; fits an address's local part


@dataclass(frozen=True)
class ReplyAddress:
    """Who a signed reply address was given to, for which case, and when."""

    case_id: int
    user_id: int
    issued_at: int  # Unix seconds on the app's clock, like a link's timestamp


class ReplyAddressExpired(InvalidLink):
    """The address is ours (its MAC checks) but older than the links of the same email. `address` says
    whose it was, so the addressee can be told why their reply changed nothing."""

    def __init__(self, address: ReplyAddress):
        super().__init__("Alamat balasan sudah kedaluwarsa.")
        self.address = address


def reply_address(case_id: int, user_id: int, domain: str) -> str:
    """balas+<case>-<user>-<issued>-<mac>@domain, <issued> in hex Unix seconds: the address expires to
    the second with the links of the same email. An anonymous complaint's (negative) id is written n<digits>,
    since "-" separates the parts. At most 6+11+1+10+1+8+1+16 = 54 characters of local part for ids below
    10^10, within SMTP's 64."""
    case_part = f"n{-case_id}" if case_id < 0 else str(case_id)
    core = f"{case_part}-{user_id}-{int(clock.now().timestamp()):x}"
    return f"balas+{core}-{_mac(core)}@{domain}"


def read_reply_address(address: str) -> ReplyAddress:
    """The signed reply address's claim; InvalidLink when it is not ours, ReplyAddressExpired when it is
    ours but older than EMAIL_LINK_MAX_AGE_HOURS (the same age and the same test as read_action's).

    An address of the earlier form carried a day number where the seconds now are; read as seconds it
    dates from 1970, so such an address is simply expired."""
    local = address.partition("@")[0].lower()
    if not local.startswith("balas+"):
        raise InvalidLink("Alamat balasan tidak dikenal.")
    match = REPLY_LOCAL_PART.fullmatch(local)
    if match is None:
        raise InvalidLink("Alamat balasan tidak sah.")
    case_part, user_id, issued, mac = match.groups()
    if not hmac.compare_digest(mac, _mac(f"{case_part}-{user_id}-{issued}")):
        raise InvalidLink("Alamat balasan tidak sah.")
    case_id = -int(case_part[1:]) if case_part.startswith("n") else int(case_part)
    claim = ReplyAddress(case_id, int(user_id), int(issued, 16))
    age = int(clock.now().timestamp()) - claim.issued_at
    if age > _max_age() or age < 0:  # itsdangerous refuses a link from the future too
        raise ReplyAddressExpired(claim)
    return claim
