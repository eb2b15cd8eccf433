"""Signed, expiring, single-use tokens for links and reply addresses in emails."""
from __future__ import annotations

import base64
import hashlib
import hmac
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


def reply_address(case_id: int, user_id: int, domain: str) -> str:
    """balas+<case>-<user>-<day>-<mac>@domain: short enough for the 64-character local part. An anonymous
    complaint's (negative) id is written n<digits>, since "-" separates the parts."""
    day = int(clock.now().timestamp() // 86400)
    case_part = f"n{-case_id}" if case_id < 0 else str(case_id)
    core = f"{case_part}-{user_id}-{day:x}"
    return f"balas+{core}-{_mac(core)}@{domain}"


def read_reply_address(address: str) -> tuple[int, int]:
    """(case id, user id) of a signed reply address, or InvalidLink."""
    local = address.partition("@")[0].lower()
    if not local.startswith("balas+"):
        raise InvalidLink("Alamat balasan tidak dikenal.")
    try:
        case_part, user_id, day, mac = local[len("balas+"):].split("-")
        negative = case_part.startswith("n")
        case_id = -int(case_part[1:]) if negative else int(case_part)
        core = f"{'n' if negative else ''}{abs(case_id)}-{int(user_id)}-{day}"
        issued = int(day, 16)
    except ValueError:
        raise InvalidLink("Alamat balasan tidak sah.") from None
    if not hmac.compare_digest(mac, _mac(core)):
        raise InvalidLink("Alamat balasan tidak sah.")
    age_days = clock.now().timestamp() // 86400 - issued
    if age_days * 86400 > max(_max_age(), 30 * 86400):  # replies stay welcome for at least a month
        raise InvalidLink("Alamat balasan sudah kedaluwarsa.")
    return case_id, int(user_id)
