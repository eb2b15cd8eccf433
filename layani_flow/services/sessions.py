"""Server-side sessions: a sign-in lives in a `user_sessions` row, not only in the signed cookie.

Flask's cookie is signed but not revocable: a copy taken before logout would open the pages until the
secret changes. So sign-in puts a random key in the Flask session and stores only its SHA-256 here; every
request accepts the cookie only while its row is live. Logout, a password change and deactivation end
rows, which ends every copy of the cookie at once. The idle and absolute limits (SESSION_IDLE_MINUTES,
SESSION_MAX_HOURS) are read on the app's clock, so tests move time with the FrozenClock.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import secrets
from typing import TypeGuard

from flask import current_app
from sqlalchemy import String, bindparam, select, update
from sqlalchemy.orm import contains_eager

from .. import clock
from ..extensions import db
from ..models import User, UserSession
from . import access, office_settings
from .db import rows_changed, unit_of_work

logger = logging.getLogger(__name__)

KEY_FIELD = "sid"  # where the Flask session keeps this browser's session key
# last_seen_at is written at most this often per session: one UPDATE a minute instead of one per page.
TOUCH_EVERY = dt.timedelta(minutes=1)
MAX_KEY_LENGTH = 100


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(user: User) -> str:
    """A new session row for `user` (flush only); the key for the Flask session, shown nowhere else."""
    key = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(UserSession(key_hash=_hash(key), user_id=user.id, created_at=now, last_seen_at=now,
                               end_reason=""))
    db.session.flush()
    return key


def end_all(user_id: int, reason: str) -> int:
    """End every live session of the person (flush only); how many there were."""
    return rows_changed(
        update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=clock.now(), end_reason=reason).execution_options(synchronize_session=False))


def sign_in(nip: str, password: str, *, replacing: str | None = None) -> tuple[User, str] | None:
    """(user, session key) when the NIP and password match an active account; None otherwise. A session
    this browser had before (`replacing`, someone switching accounts) ends: one browser, one session."""
    from .users import authenticate

    with unit_of_work(keep_loaded=True):
        user = authenticate(nip, password)
        if user is None:
            return None
        if _plausible(replacing):
            _end_key(replacing, "switched")
        key = start(user)
    logger.info("User %s signed in", user.id)
    return user, key


def end(key: str | None, reason: str) -> None:
    """End this browser's session (logout). A missing or unknown key ends nothing."""
    if not _plausible(key):
        return
    with unit_of_work():
        _end_key(key, reason)


def _end_key(key: str, reason: str) -> None:
    db.session.execute(
        update(UserSession).where(UserSession.key_hash == _hash(key), UserSession.ended_at.is_(None))
        .values(ended_at=clock.now(), end_reason=reason).execution_options(synchronize_session=False))


def _plausible(key: object) -> TypeGuard[str]:
    return isinstance(key, str) and 0 < len(key) <= MAX_KEY_LENGTH


def _lapsed(row: UserSession, now: dt.datetime) -> str:
    """Why a live row no longer opens anything ('' if it still does)."""
    config = current_app.config
    if not row.user.is_active:
        return "deactivated"
    if now - row.created_at >= dt.timedelta(hours=int(config["SESSION_MAX_HOURS"])):
        return "max_age"
    if now - row.last_seen_at >= dt.timedelta(minutes=int(config["SESSION_IDLE_MINUTES"])):
        return "idle"
    return ""


@functools.cache
def _live_row_statement():
    """resume's query, asked on every signed-in request: built once, the key's hash a bound parameter."""
    return (select(UserSession, access.leads_clause(UserSession.user_id).label("leads"),
                   office_settings.stamp_column())
            .join(UserSession.user).options(contains_eager(UserSession.user))
            .where(UserSession.key_hash == bindparam("session_key_hash", type_=String)))


def resume(user_id: str, key: str | None) -> User | None:
    """Flask-Login's user loader: the person, if this browser's session row is live, belongs to them,
    has been used within the idle limit and is younger than the absolute limit. A lapsed row is ended
    on the spot (with why); a live one is touched at most once a minute."""
    if not _plausible(key):
        return None
    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        return None
    found = db.session.execute(_live_row_statement(), {"session_key_hash": _hash(key)}).first()
    if found is None:
        return None
    row, leads, stamp = found
    if row.user_id != uid or row.ended_at is not None:
        return None
    now = clock.now()
    if reason := _lapsed(row, now):
        with unit_of_work():
            row.ended_at, row.end_reason = now, reason
        logger.info("Session of user %s ended: %s", uid, reason)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        with unit_of_work(keep_loaded=True):
            row.last_seen_at = now
    access.remember_leads(uid, bool(leads))  # the inbox and every list ask; this request need not again
    office_settings.remember_stamp(stamp)
    return row.user
