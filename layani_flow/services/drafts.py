"""Typed text is never lost: what a person had typed when their session (or the form's CSRF token) ran out
is kept server-side until they sign in again in the same browser, then put back in the form.

How it stays safe:
- Bound to the browser: a random key in an HttpOnly cookie; only its SHA-256 is stored.
- Bound to the person: a named form's draft is returned only to whoever was signed in when it was kept, so
  the next person at a shared computer never sees it. An anonymous complaint's draft has no person at all.
- Short-lived and single-use: it expires (DRAFT_MINUTES, 2 hours by default) and is deleted when returned.
- Never a secret: passwords, CSRF tokens and the honeypot are dropped; files cannot be kept (the person is
  told to choose them again).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

from flask import current_app
from sqlalchemy import delete, select

from .. import clock
from ..extensions import db
from ..models import FormDraft
from .db import unit_of_work

logger = logging.getLogger(__name__)

# Never kept, whatever the form: credentials, tokens, the trap for robots (views/intake.HONEYPOT).
SECRET_FIELDS = frozenset({"csrf_token", "website"})
MAX_BYTES = 64 * 1024  # well above every form's own limits; a larger body is not a person typing
MAX_KEY_LENGTH = 100


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def keepable(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """The posted fields worth keeping: no secrets, no empty values."""
    return {name: [v for v in values if v] for name, values in fields.items()
            if name not in SECRET_FIELDS and "password" not in name and "sandi" not in name and any(values)}


def keep(browser_key: str, user_id: int | None, path: str, fields: dict[str, list[str]]) -> bool:
    """Keep this form's typed text for `path`; False when there is nothing (or too much) to keep. One draft
    per browser and page: a newer one replaces it. Expired drafts of anyone go at the same time."""
    kept = keepable(fields)
    if not kept or not browser_key or len(browser_key) > MAX_KEY_LENGTH or len(path) > 300:
        return False
    if len(json.dumps(kept)) > MAX_BYTES:
        return False
    now = clock.now()
    with unit_of_work():
        db.session.execute(delete(FormDraft).where(FormDraft.expires_at <= now))
        db.session.execute(delete(FormDraft).where(FormDraft.browser_hash == _hash(browser_key),
                                                   FormDraft.path == path))
        db.session.add(FormDraft(browser_hash=_hash(browser_key), user_id=user_id, path=path, fields=kept,
                                 created_at=now, expires_at=now + lifetime()))
    logger.info("Form draft kept for %s (%s)", path, "named" if user_id else "anonymous")
    return True


def take(browser_key: str | None, user_id: int | None, path: str) -> dict[str, list[str]] | None:
    """The draft this browser kept for `path`, if it is still fresh and belongs to `user_id` (None: an
    anonymous one); deleted as it is returned. None when there is none."""
    if not browser_key or len(browser_key) > MAX_KEY_LENGTH:
        return None
    now = clock.now()
    with unit_of_work():
        draft = db.session.scalars(
            select(FormDraft).where(FormDraft.browser_hash == _hash(browser_key), FormDraft.path == path)
            .order_by(FormDraft.id.desc()).limit(1)).first()
        if draft is None:
            return None
        if draft.user_id != user_id:
            return None  # someone else's: left alone, it expires
        fields = dict(draft.fields) if draft.expires_at > now else None
        db.session.delete(draft)
    return fields


def lifetime() -> dt.timedelta:
    return dt.timedelta(minutes=int(current_app.config["DRAFT_MINUTES"]))
