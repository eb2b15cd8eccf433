"""People and credentials: creating users, checking passwords, issuing and reading API tokens."""
from __future__ import annotations

import hashlib
import secrets
import unicodedata

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, or_, select, true
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..extensions import db
from ..forms.base import nip_problem
from ..models import ApiToken, Role, User
from .db import unit_of_work
from .errors import InvalidInput, NotFound
from .passwords import password_problems

TOKEN_PREFIX = "lyn_"
# Checked against when a NIP is unknown, so a wrong NIP costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password")
EMAIL_INVALID = "Alamat email tidak valid."


def normalized_email(text: str) -> str:
    """The address as stored: surrounding blanks trimmed, syntax checked (no DNS lookup), the domain in
    ASCII (IDNA), everything lowercase. InvalidInput (422, under `email`) otherwise. A CR, LF or any other
    control or invisible formatting character is refused outright: such an address would end up in a
    mail header."""
    text = (text or "").strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
        raise InvalidInput(EMAIL_INVALID, {"email": [
            "Alamat email tidak boleh memuat karakter kontrol (mis. baris baru atau tab)."]})
    if not text:
        raise InvalidInput(EMAIL_INVALID, {"email": ["Alamat email wajib diisi."]})
    try:
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise InvalidInput(EMAIL_INVALID, {"email": [EMAIL_INVALID + " Contoh: nama@dkp.babelprov.go.id"]}) from None
    address = (result.ascii_email or result.normalized).lower()
    if len(address) > 254:
        raise InvalidInput(EMAIL_INVALID, {"email": ["Alamat email terlalu panjang (maksimal 254 karakter)."]})
    return address


def create_user(*, nip: str, name: str, email: str, role: str, password: str,
                superior_nip: str | None = None, unit: str = "", position: str = "") -> User:
    errors: dict[str, list[str]] = {}
    nip = (nip or "").strip()
    if problem := nip_problem(nip):
        errors["nip"] = [problem]
    if role not in {r.value for r in Role}:
        errors["role"] = ["Peran harus salah satu dari: employee, officer, supervisor, admin."]
    if not (name or "").strip():
        errors["name"] = ["Nama wajib diisi."]
    try:
        email = normalized_email(email)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if problems := password_problems(password, nip=nip, name=name or ""):
        errors["password"] = problems
    with unit_of_work():
        if not errors.get("nip") and db.session.scalar(select(User.id).where(User.nip == nip)):
            errors["nip"] = ["NIP sudah terdaftar."]
        if not errors.get("email") and db.session.scalar(
                select(User.id).where(func.lower(User.email) == email)):
            errors["email"] = ["Email sudah dipakai pegawai lain."]
        superior = None
        if superior_nip:
            superior = find_by_nip(superior_nip)
            if superior is None:
                errors["superior"] = ["Atasan dengan NIP ini tidak ditemukan."]
        if errors:
            raise InvalidInput("Data pegawai tidak valid.", errors)
        now = clock.now()
        user = User(nip=nip, name=name.strip(), email=email, role=role, unit=unit,
                    position=position, superior_id=superior.id if superior else None,
                    password_hash=generate_password_hash(password), created_at=now, password_changed_at=now)
        db.session.add(user)
    return user


def find_by_nip(nip: str | None) -> User | None:
    """The user with this NIP; anything that is not 18 ASCII digits finds nobody without asking the
    database (PostgreSQL refuses a NUL character even as a query parameter)."""
    nip = (nip or "").strip()
    if len(nip) != 18 or not (nip.isascii() and nip.isdigit()):
        return None
    return db.session.scalar(select(User).where(User.nip == nip))


def authenticate(nip: str, password: str) -> User | None:
    user = find_by_nip(nip)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.is_active or not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(nip: str, label: str = "") -> str:
    """A new personal API token; only its hash is stored, so this is the one time it can be shown."""
    with unit_of_work():
        user = find_by_nip(nip)
        if user is None:
            raise NotFound("Pegawai dengan NIP ini tidak ditemukan.")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        db.session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label,
                                created_at=clock.now()))
    return token


def user_for_token(token: str) -> User | None:
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.is_active:
        return None
    return row.user


def list_users(query: str = "", limit: int = 50) -> tuple[list[User], int]:
    """People whose name or NIP contains `query` (all when empty), by name: (first `limit`, how many)."""
    condition = true()
    query = (query or "").replace("\x00", "").strip()[:100]
    if query:
        pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        condition = or_(func.lower(User.name).like(pattern, escape="\\"), User.nip.like(pattern, escape="\\"))
    total = db.session.scalar(select(func.count(User.id)).where(condition))
    rows = db.session.scalars(select(User).where(condition).order_by(User.name, User.id).limit(limit)).unique()
    return list(rows), total
