"""People and credentials: creating users, checking passwords, deactivating accounts, issuing, reading and
revoking API tokens."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select, true, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..extensions import db
from ..grades import grade_problem, normalize_grade
from ..models import ApiToken, User
from ..nip import nip_problem, normalize_nip
from ..personnel import POSITION_KINDS, RETIREMENT_AGES, birth_date_from_nip
from ..roles import Role
from ..working_time import WIB
from . import office_settings, sessions
from .db import rows_changed, unit_of_work
from .errors import Forbidden, InvalidInput, NotFound
from .passwords import password_problems

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "lyn_"
MAX_TOKEN_DAYS = 3650
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


def active_user_by_nip(nip: str | None, field: str) -> User:
    """The active person with this NIP; InvalidInput on `field` when there is none."""
    user = find_by_nip(nip)
    if user is None or not user.is_active:
        raise InvalidInput("Pegawai tidak ditemukan.", {field: ["Tidak ada pegawai aktif dengan NIP ini."]})
    return user


def create_user(*, nip: str, name: str, email: str, role: str, password: str,
                superior_nip: str | None = None, unit: str = "", position: str = "",
                grade: str | None = None) -> User:
    errors: dict[str, list[str]] = {}
    if problem := grade_problem(grade):
        errors["grade"] = [problem]
    nip = normalize_nip(nip)
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
                    position=position, superior_id=superior.id if superior else None, grade=normalize_grade(grade),
                    password_hash=generate_password_hash(password), created_at=now, password_changed_at=now)
        db.session.add(user)
    return user


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def find_by_nip(nip: str | None) -> User | None:
    """The user with this NIP; anything that is not 18 ASCII digits finds nobody without asking the
    database (PostgreSQL refuses a NUL character even as a query parameter). It may be typed as printed on
    an SK, with spaces, dots or dashes between its groups."""
    nip = normalize_nip(nip)
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


def create_token(nip: str, label: str = "", expires_days: int | None = None) -> str:
    """A new personal API token; only its hash is stored, so this is the one time it can be shown. With
    `expires_days` it stops working that many days from now (401, as if revoked)."""
    if expires_days is not None and not 1 <= expires_days <= MAX_TOKEN_DAYS:
        raise InvalidInput("Masa berlaku token tidak valid.",
                           {"expires_days": [f"Isi 1 sampai {MAX_TOKEN_DAYS} hari."]})
    with unit_of_work():
        user = find_by_nip(nip)
        if user is None:
            raise NotFound("Pegawai dengan NIP ini tidak ditemukan.")
        if not user.is_active:
            raise InvalidInput("Akun ini nonaktif; token tidak dibuat.")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = clock.now()
        db.session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label, created_at=now,
                                expires_at=now + dt.timedelta(days=expires_days) if expires_days else None))
    return token


def user_for_token(token: str) -> User | None:
    """The active owner of a token that is neither revoked nor expired (on the app's clock)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    found = db.session.execute(_token_owner_query(), {"token_hash": _token_hash(token), "now": clock.now()}).first()
    if found is None:
        return None
    user, stamp = found
    office_settings.remember_stamp(stamp)
    return user


@lru_cache(maxsize=1)
def _token_owner_query() -> Select[tuple[User, str | None]]:
    # Every API call runs it: built once, values bound per call, and only the owner loaded (not the token
    # row beside it), with the deadline settings' stamp.
    return (select(User, office_settings.stamp_column()).join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                   or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > bindparam("now")),
                   User.is_active_account))


def list_tokens(nip: str) -> list[ApiToken]:
    """A person's tokens, newest first (for `layani token list`)."""
    user = find_by_nip(nip)
    if user is None:
        raise NotFound("Pegawai dengan NIP ini tidak ditemukan.")
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.id.desc())))


def revoke_tokens(*, token_ids: tuple[int, ...] = (), nip: str | None = None) -> int:
    """Revoke the tokens with these ids, and every live token of the person with this NIP: how many were
    live. An unknown id or NIP changes nothing and says so; an already revoked token is left as it was."""
    with unit_of_work():
        conditions: list[ColumnElement[bool]] = []
        if token_ids:
            found = set(db.session.scalars(select(ApiToken.id).where(ApiToken.id.in_(token_ids))))
            if missing := sorted(set(token_ids) - found):
                raise NotFound(f"Token tidak ditemukan: {', '.join(f'#{i}' for i in missing)}.")
            conditions.append(ApiToken.id.in_(token_ids))
        if nip is not None:
            user = find_by_nip(nip)
            if user is None:
                raise NotFound("Pegawai dengan NIP ini tidak ditemukan.")
            conditions.append(ApiToken.user_id == user.id)
        if not conditions:
            raise InvalidInput("Sebutkan token yang dicabut: --id ID dan/atau --nip NIP.")
        revoked = rows_changed(
            update(ApiToken).where(or_(*conditions), ApiToken.revoked_at.is_(None))
            .values(revoked_at=clock.now()).execution_options(synchronize_session=False))
    logger.info("Revoked %s API token(s) (ids %s, nip %s)", revoked, list(token_ids), nip)
    return revoked


@dataclass(frozen=True)
class Deactivation:
    user: User
    was_active: bool
    sessions_ended: int
    tokens_revoked: int


def deactivate_user(nip: str) -> Deactivation:
    """The account stops working at once: no sign-in, every session ends, every API token is revoked
    (so reactivating an account never revives an old token). Running it again changes nothing."""
    with unit_of_work(keep_loaded=True):
        user = find_by_nip(nip)
        if user is None:
            raise NotFound("Pegawai dengan NIP ini tidak ditemukan.")
        was_active = user.is_active_account
        now = clock.now()
        if was_active:
            user.is_active_account, user.deactivated_at = False, now
        ended = sessions.end_all(user.id, "deactivated")
        revoked = rows_changed(
            update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now).execution_options(synchronize_session=False))
    logger.info("User %s deactivated (was active: %s); %s session(s) ended, %s token(s) revoked",
                user.id, was_active, ended, revoked)
    return Deactivation(user, was_active, ended, revoked)


def list_users(query: str = "", limit: int = 50) -> tuple[list[User], int]:
    """People whose name or NIP contains `query` (all when empty), by name: (first `limit`, how many)."""
    condition: ColumnElement[bool] = true()
    query = (query or "").replace("\x00", "").strip()[:100]
    if query:
        pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        condition = or_(func.lower(User.name).like(pattern, escape="\\"), User.nip.like(pattern, escape="\\"))
    total = db.session.execute(select(func.count(User.id)).where(condition)).scalar_one()
    rows = db.session.scalars(select(User).where(condition).order_by(User.name, User.id).limit(limit)).unique()
    return list(rows), total


def set_grade(actor: User, user_id: int, grade: str | None) -> User:
    """An admin records someone's golongan (empty clears it); the intake forms prefill the pangkat from it."""
    if not actor.has_role(Role.ADMIN.value):
        raise Forbidden("Hanya admin yang dapat mengubah golongan pegawai.")
    if problem := grade_problem(grade):
        raise InvalidInput("Golongan tidak valid.", {"grade": [problem]})
    with unit_of_work():
        user = db.session.get(User, user_id)
        if user is None:
            raise NotFound("Pegawai tidak ditemukan.")
        user.grade = normalize_grade(grade)
    logger.info("User %s grade set to %s by %s", user.id, user.grade, actor.id)
    return user


@dataclass(frozen=True)
class PersonnelInput:
    """An admin's HR data form for one person; dates already parsed (None = not known)."""
    position: str = ""
    position_kind: str | None = None
    grade: str | None = None
    grade_tmt: dt.date | None = None
    kgb_tmt: dt.date | None = None
    birth_date: dt.date | None = None
    retirement_age_override: int | None = None
    unit: str = ""
    superior_nip: str | None = None


def _personnel_problems(user: User, data: PersonnelInput, today: dt.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if len(data.position.strip()) > 120:
        errors["position"] = ["Jabatan paling panjang 120 karakter."]
    if len(data.unit.strip()) > 120:
        errors["unit"] = ["Unit kerja paling panjang 120 karakter."]
    if data.position_kind and data.position_kind not in POSITION_KINDS:
        errors["position_kind"] = ["Pilih jenis jabatan dari daftar."]
    if problem := grade_problem(data.grade):
        errors["grade"] = [problem]
    if data.retirement_age_override is not None and data.retirement_age_override not in RETIREMENT_AGES:
        errors["retirement_age_override"] = [
            f"Batas usia pensiun harus {RETIREMENT_AGES.start} sampai {RETIREMENT_AGES.stop - 1} tahun; kosongkan "
            "untuk mengikuti jenis jabatan."]
    born = data.birth_date
    if born is not None:
        from_nip = birth_date_from_nip(user.nip)
        if from_nip is not None and from_nip != born:
            errors["birth_date"] = [f"Tanggal lahir tidak sesuai dengan NIP ({from_nip.day:02d}-{from_nip.month:02d}-"
                                    f"{from_nip.year}: delapan angka pertama NIP)."]
        elif born > today:
            errors["birth_date"] = ["Tanggal lahir tidak boleh di masa depan."]
    for name, value, label in (("grade_tmt", data.grade_tmt, "TMT golongan"), ("kgb_tmt", data.kgb_tmt, "TMT KGB")):
        if value is None:
            continue
        if born is not None and value <= born:
            errors[name] = [f"{label} harus sesudah tanggal lahir."]
        elif value.year < 1950 or value > today.replace(year=today.year + 1):
            errors[name] = [f"{label} tidak wajar; periksa tahunnya."]
    return errors


def _superior_for(user: User, nip: str | None) -> User | None:
    """The new superior named by NIP (None: none); InvalidInput when the NIP is nobody, the person themself,
    or someone below them (a chain that loops)."""
    nip = normalize_nip(nip or "")
    if not nip:
        return None
    superior = active_user_by_nip(nip, "superior_nip")
    seen: set[int] = set()
    walker: User | None = superior
    while walker is not None and walker.id not in seen:
        if walker.id == user.id:
            raise InvalidInput("Atasan tidak valid.", {"superior_nip": [
                "Atasan tidak boleh pegawai itu sendiri atau bawahannya."]})
        seen.add(walker.id)
        walker = walker.superior
    return superior


def update_personnel(actor: User, user_id: int, data: PersonnelInput) -> User:
    """An admin records a person's HR data (jabatan and its kind, golongan and its TMT, TMT KGB, birth date,
    BUP override, unit, superior): what the reminders, "Data kepegawaian saya" and the planning list read.
    All or nothing: any problem answers InvalidInput with each field's message and changes nothing."""
    if not actor.has_role(Role.ADMIN.value):
        raise Forbidden("Hanya admin yang dapat mengubah data kepegawaian.")
    with unit_of_work():
        user = db.session.get(User, user_id)
        if user is None:
            raise NotFound("Pegawai tidak ditemukan.")
        errors = _personnel_problems(user, data, clock.now().astimezone(WIB).date())
        try:
            superior = _superior_for(user, data.superior_nip)
        except InvalidInput as exc:
            errors.update(exc.errors)
            superior = None
        if errors:
            raise InvalidInput("Data kepegawaian belum dapat disimpan; periksa isian yang ditandai.", errors)
        user.position, user.unit = data.position.strip(), data.unit.strip()
        user.position_kind = data.position_kind or None
        user.grade = normalize_grade(data.grade)
        user.grade_tmt, user.kgb_tmt, user.birth_date = data.grade_tmt, data.kgb_tmt, data.birth_date
        user.retirement_age_override = data.retirement_age_override
        user.superior_id = superior.id if superior else None
        # The search index holds names only (services.search.texts_for): nothing here changes one.
    logger.info("User %s personnel data updated by %s", user.id, actor.id)
    return user


PEOPLE_SEARCH_MIN = 3
PEOPLE_SEARCH_MAX = 8


def find_people(actor: User, text: str, limit: int = PEOPLE_SEARCH_MAX) -> list[User]:
    """Active people whose name contains `text`, for `actor` to name as the other party of a case: never
    `actor` themself. Too short a text finds nobody, and a NIP is only ever matched whole (elsewhere), so
    NIPs (which start with a birth date) cannot be read out a digit at a time."""
    text = (text or "").replace("\x00", "").strip()[:100]
    if len(text) < PEOPLE_SEARCH_MIN:
        return []
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(db.session.scalars(
        select(User).where(func.lower(User.name).like(pattern, escape="\\"), User.is_active_account.is_(True),
                           User.id != actor.id)
        .order_by(User.name, User.id).limit(limit)).unique())


def chosen_person(actor: User, user_id: object) -> User | None:
    """The person picked from find_people's list (by id), if they may be picked by `actor`."""
    try:
        wanted = int(str(user_id))
    except ValueError:
        return None
    user = db.session.get(User, wanted)
    if user is None or not user.is_active or user.id == actor.id:
        return None
    return user
