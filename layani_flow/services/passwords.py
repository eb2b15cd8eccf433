"""Passwords a person chooses, and the ways to choose one: the policy (one rule function for every path),
changing one's own password, and the single-use set-password link an admin sends by email.

The policy applies when a password is chosen (creating a user, the change page, the link), never at
sign-in: an account keeps working with the password it has until that person or an admin changes it.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..extensions import db
from ..models import UsedEmailToken, User
from ..nip import normalize_nip
from ..timefmt import human_wib
from . import outbox, sessions, tokens
from .db import unit_of_work
from .errors import InvalidInput, NotFound

logger = logging.getLogger(__name__)

# ASVS 2.1.2: at least 64 characters allowed, at most 128; nothing is ever cut off (2.1.3) and every
# character counts, spaces and emoji included (2.1.4). No composition rules (2.1.9).
MAX_LENGTH = 128
LINK_SALT = "layani.set-password"
LINK_ACTION = "set_password"  # used_email_tokens.action
LINK_USED = "Tautan ini sudah digunakan atau tidak berlaku lagi. Minta tautan baru kepada admin."


class WrongPassword(InvalidInput):
    """The current password given to confirm a change is wrong (counted by the sign-in throttle)."""


# -- the policy ------------------------------------------------------------------------------------

@functools.cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most used passwords of zxcvbn's frequency lists (leaks), lowercased."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


_TRAILING = re.compile(r"[\W\d_]+$")
_LETTERS = re.compile(r"[^a-z]+")


def _is_common(password: str) -> bool:
    """A leaked password, as is or with digits and symbols added at its end ("dragon2026!!")."""
    lowered = password.lower()
    common = _common_passwords()
    core = _TRAILING.sub("", lowered)
    return lowered in common or (len(core) >= 4 and core in common)


def _name_forms(name: str) -> set[str]:
    """The person's name as letters only: whole, without the degrees after the comma, and each word of
    three letters or more ("Siti Nurhaliza, S.A.P." → sitinurhalizasap, sitinurhaliza, siti, nurhaliza)."""
    forms = set()
    for text in (name, name.split(",")[0]):
        words = [_LETTERS.sub("", w) for w in text.lower().split()]
        forms.add("".join(words))
        forms.update(w for w in words if len(w) >= 3)
    forms.discard("")
    return forms


def password_problems(password: str, *, nip: str = "", name: str = "") -> list[str]:
    """Why `password` may not be chosen by the person with this NIP and name; empty when it may."""
    password = password or ""
    minimum = int(current_app.config["PASSWORD_MIN_LENGTH"])
    problems = []
    if len(password) < minimum:
        problems.append(f"Kata sandi minimal {minimum} karakter.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Kata sandi maksimal {MAX_LENGTH} karakter.")
    nip = normalize_nip(nip)
    if nip and nip in password:
        problems.append("Kata sandi tidak boleh memuat NIP Anda.")
    if name and _LETTERS.sub("", password.lower()) in _name_forms(name):
        problems.append("Kata sandi tidak boleh berupa nama Anda.")
    if _is_common(password):
        problems.append("Kata sandi ini termasuk yang paling sering dipakai dan mudah ditebak; pilih yang lain.")
    return problems


def check_new_password(password: str, *, nip: str, name: str, field: str = "password") -> None:
    """InvalidInput (422) with the policy's reasons under `field`."""
    if problems := password_problems(password, nip=nip, name=name):
        raise InvalidInput("Kata sandi baru belum memenuhi ketentuan.", {field: problems})


def _store(user: User, password: str, how: str) -> None:
    """The new hash, when, and an email telling the person (ASVS 2.2.3): if it was not them, they know."""
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = clock.now()
    outbox.enqueue(to=user.email, template="password_changed", context={
        "recipient_name": user.name, "nip": user.nip, "when_text": human_wib(user.password_changed_at), "how": how})


# -- changing one's own password ----------------------------------------------------------------------

def change_password(user_id: int, *, current: str, new: str) -> tuple[User, str]:
    """The signed-in person's new password. Every session of theirs ends, this one included, and a new
    one starts for this browser: (user, key of the new session). WrongPassword if `current` is wrong."""
    with unit_of_work():
        user = db.session.get(User, user_id)
        if user is None or not user.is_active:
            raise NotFound("Pengguna tidak ditemukan.")
        if not check_password_hash(user.password_hash, current or ""):
            raise WrongPassword("Kata sandi saat ini salah.",
                                {"current_password": ["Kata sandi saat ini salah."]})
        check_new_password(new, nip=user.nip, name=user.name, field="new_password")
        if check_password_hash(user.password_hash, new):
            raise InvalidInput("Kata sandi baru belum memenuhi ketentuan.",
                               {"new_password": ["Kata sandi baru harus berbeda dari yang sekarang."]})
        _store(user, new, "melalui halaman Ganti kata sandi")
        ended = sessions.end_all(user.id, "password")
        key = sessions.start(user)
    logger.info("User %s changed their password; %s session(s) ended", user.id, ended)
    return user, key


# -- the set-password link ----------------------------------------------------------------------------

class _AppClockSigner(TimestampSigner):
    """Signs and checks ages on the app's clock, so expiry is testable without waiting."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT, signer=_AppClockSigner)


def _fingerprint(user: User) -> str:
    """Changes whenever the password does (each hash has its own salt): a link dies once any new
    password is set, by the link, by the change page or by another link."""
    return _fingerprint_of(user.id, user.password_hash)


def _fingerprint_of(user_id: int, password_hash: str) -> str:
    return hashlib.sha256(f"{user_id}:{password_hash}".encode()).hexdigest()[:20]


def _link_hours() -> int:
    return int(current_app.config["SET_PASSWORD_LINK_HOURS"])


def _invitation_hours() -> int:
    return int(current_app.config["INVITATION_LINK_HOURS"])


@dataclass(frozen=True)
class PasswordLink:
    user: User
    jti: str


def send_password_link(*, user_id: int | None = None, nip: str | None = None,
                       requested_by: User | None = None) -> User:
    """Email the person a link to choose a new password (through the outbox). Their current password
    keeps working until the link is used."""
    from .users import find_by_nip  # services.users imports this module for the policy

    with unit_of_work(keep_loaded=True):
        user = db.session.get(User, user_id) if user_id is not None else find_by_nip(nip)
        if user is None:
            raise NotFound("Pegawai dengan NIP ini tidak ditemukan.")
        if not user.is_active:
            raise InvalidInput("Akun ini nonaktif; tautan kata sandi tidak dikirim.")
        token = _serializer().dumps({"u": user.id, "p": _fingerprint(user), "j": secrets.token_hex(8)})
        expires = clock.now().replace(microsecond=0) + dt.timedelta(hours=_link_hours())
        base = current_app.config["BASE_URL"].rstrip("/")
        outbox.enqueue(to=user.email, template="set_password", context={
            "recipient_name": user.name, "nip": user.nip, "link": f"{base}/kata-sandi/atur/{token}",
            "hours": _link_hours(), "expires_text": human_wib(expires),
            "requested_by": requested_by.name if requested_by is not None else "",
        })
    logger.info("Set-password link for user %s queued (by %s)", user.id,
                requested_by.id if requested_by is not None else "cli")
    return user


_EXPIRED = "Tautan ini sudah kedaluwarsa. Minta tautan baru kepada admin."


def queue_invitations(user_ids: list[int]) -> int:
    """An invitation email for each of these new people (an import made their accounts, with no usable
    password): a single-use link to choose one, valid INVITATION_LINK_HOURS. Queued in the caller's unit
    of work in one INSERT, so an import of thousands stays fast. Returns how many were queued."""
    if not user_ids:
        return 0
    serializer = _serializer()
    hours = _invitation_hours()
    expires_text = human_wib(clock.now().replace(microsecond=0) + dt.timedelta(hours=hours))
    base = current_app.config["BASE_URL"].rstrip("/")
    messages = []
    for start in range(0, len(user_ids), 1000):
        rows = db.session.execute(select(User.id, User.nip, User.name, User.email, User.password_hash)
                                  .where(User.id.in_(user_ids[start:start + 1000]))).all()
        for row in rows:
            token = serializer.dumps({"u": row.id, "p": _fingerprint_of(row.id, row.password_hash),
                                      "j": secrets.token_hex(8), "i": 1})
            messages.append((row.email, {"recipient_name": row.name, "nip": row.nip, "hours": hours,
                                         "link": f"{base}/kata-sandi/atur/{token}", "expires_text": expires_text}))
    outbox.enqueue_many("invitation", messages)
    logger.info("Invitations queued for %s new people", len(messages))
    return len(messages)


def _read_link(token: str) -> PasswordLink:
    try:
        payload, signed_at = _serializer().loads(
            token, max_age=max(_link_hours(), _invitation_hours()) * 3600, return_timestamp=True)
    except SignatureExpired:
        raise tokens.InvalidLink(_EXPIRED) from None
    except (BadSignature, ValueError, TypeError):
        raise tokens.InvalidLink("Tautan tidak sah. Buka kembali tautan dari email aslinya.") from None
    if not isinstance(payload, dict):
        raise tokens.InvalidLink("Tautan tidak sah.")
    # An invitation (a new account from an import) lives INVITATION_LINK_HOURS, a link an admin sends the other.
    hours = _invitation_hours() if payload.get("i") else _link_hours()
    if clock.now() - signed_at > dt.timedelta(hours=hours):
        raise tokens.InvalidLink(_EXPIRED)
    try:
        user_id, fingerprint, jti = int(payload["u"]), str(payload["p"]), str(payload["j"])
    except (KeyError, TypeError, ValueError):
        raise tokens.InvalidLink("Tautan tidak sah.") from None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        raise tokens.InvalidLink("Tautan tidak sah.")
    if fingerprint != _fingerprint(user) or db.session.scalar(
            select(UsedEmailToken.jti).where(UsedEmailToken.jti == jti)) is not None:
        raise tokens.InvalidLink(LINK_USED)
    return PasswordLink(user, jti)


def preview_password_link(token: str) -> User:
    """For the link's GET page: whose link this is, if it still works. Changes nothing."""
    return _read_link(token).user


def set_password_with_link(token: str, new: str) -> User:
    """Set the password the link's addressee chose; the link then works no more, and every session of
    theirs ends (whoever had their password may have been signed in)."""
    with unit_of_work():
        link = _read_link(token)
        user = link.user
        check_new_password(new, nip=user.nip, name=user.name, field="new_password")
        tokens.consume(link.jti, LINK_ACTION, user.id)
        _store(user, new, "melalui tautan atur kata sandi dari email")
        ended = sessions.end_all(user.id, "password")
    logger.info("User %s set a password with an emailed link; %s session(s) ended", user.id, ended)
    return user
