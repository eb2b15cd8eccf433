"""What a browser knows about the anonymous complaint it follows, in a cookie of its own that only the
server can read, and the pages an anonymous filer sees, which never look at who is signed in.

The login session cookie is signed, not encrypted: whoever holds it can base64-decode it. So the tracking
state is kept apart from it, encrypted and authenticated with Fernet (AES-128-CBC + HMAC-SHA256) under a
key derived from SECRET_KEY with HKDF and a salt of its own (never the key that signs sessions). The
cookie is sent only to /lacak…, is HttpOnly and ends with the browser session; its Fernet timestamp, the
one part of a token that is not encrypted, is rounded like the filer's actions. Filing anonymously and
following a complaint neither read nor write the login session (docs/anonymity.md).
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app, g, request

from .. import clock
from ..extensions import login_manager
from ..services import anonymity

COOKIE = "layani_lacak"
PATH = "/lacak"
SALT = b"layani-flow/tracking-state/v1"


@dataclass(frozen=True)
class TrackingState:
    case_id: int | None = None  # the anonymous complaint this browser follows
    shown_once: tuple[str, str] | None = None  # (reference, tracking code) of a filing, until its page is seen
    notice: str | None = None  # a one-off message for the next tracking page (flash() would use the session)

    def __bool__(self) -> bool:
        return any((self.case_id is not None, self.shown_once, self.notice))


def _fernet() -> Fernet:
    secret = current_app.secret_key
    if secret is None:  # config.py requires SECRET_KEY; only code that unsets it by hand gets here
        raise RuntimeError("SECRET_KEY is not set: the tracking cookie cannot be sealed")
    secret = secret.encode() if isinstance(secret, str) else secret
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=b"tracking cookie").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def read() -> TrackingState:
    """The state this browser sent, or an empty one for a missing, forged, damaged or stale cookie."""
    token = request.cookies.get(COOKIE, "")
    if not token:
        return TrackingState()
    try:
        data = json.loads(_fernet().decrypt(token.encode("ascii")))
    except (InvalidToken, UnicodeError, ValueError):
        return TrackingState()
    if not isinstance(data, dict):
        return TrackingState()
    case_id, shown, notice = data.get("c"), data.get("s"), data.get("n")
    return TrackingState(
        case_id=case_id if isinstance(case_id, int) and not isinstance(case_id, bool) else None,
        shown_once=tuple(shown) if isinstance(shown, list) and len(shown) == 2
        and all(isinstance(x, str) for x in shown) else None,
        notice=notice if isinstance(notice, str) else None,
    )


def write(response, state: TrackingState):
    """Set (or, for an empty state, delete) the cookie on `response`."""
    secure, samesite = current_app.config["SESSION_COOKIE_SECURE"], current_app.config["SESSION_COOKIE_SAMESITE"]
    if not state:
        response.delete_cookie(COOKIE, path=PATH, secure=secure, httponly=True, samesite=samesite)
        return response
    data = {key: value for key, value in
            (("c", state.case_id), ("s", list(state.shown_once or ()) or None), ("n", state.notice))
            if value is not None}
    stamp = int(anonymity.coarse(clock.now()).timestamp())
    token = _fernet().encrypt_at_time(json.dumps(data).encode(), stamp).decode("ascii")
    response.set_cookie(COOKIE, token, path=PATH, secure=secure, httponly=True, samesite=samesite)
    return response


def updated(response, **changes):
    """Write the browser's state with `changes` applied."""
    return write(response, replace(read(), **changes))


# -- pages for anonymous filers ---------------------------------------------------------------------

def mark_anonymous_page() -> None:
    """This request serves an anonymous filer. For its whole length nobody is signed in: Flask-Login keeps
    the request's user in g._login_user and loads it from the session only when that is unset, so the
    signed-in person's account (and whatever a session store records on loading it) is never touched, and
    the pages are the same whoever sends the request. Notices come from the tracking state, not flash()."""
    g.anonymous_page = True
    g._login_user = login_manager.anonymous_user()  # the manager create_app bound as app.login_manager

