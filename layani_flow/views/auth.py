"""Signing in and out of the pages (sessions through Flask-Login over server-side rows, services.sessions),
and the role check the desk pages use."""
from __future__ import annotations

import math
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from layani_flow import clock
from layani_flow.extensions import limiter
from layani_flow.forms.auth import LoginForm
from layani_flow.models import User
from layani_flow.services import sessions

bp = Blueprint("auth", __name__)

LEAD_ROLES = ("supervisor", "admin")
WRONG_CREDENTIALS = "NIP atau kata sandi salah."


def role_required(*roles: str):
    """Signed in (else to the login page), and holding one of `roles` (else 403)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ch in target for ch in "\r\n\\"):
        return "/"
    return target


# -- throttling password guesses ----------------------------------------------------------------------
# Counted per NIP and per client address (request.remote_addr; ProxyFix makes it the client's when
# TRUSTED_PROXIES > 0). Only refused passwords count (deduct_when), so a person who types it right the
# first time, or leaves a field empty, uses nothing up. Once a count is spent, every POST is refused
# with 429 before the password is even checked, the right password too, until the window has passed.

def _password_refused(response) -> bool:
    return bool(g.get("password_refused"))


def _nip_key() -> str:
    return (request.form.get("nip") or "").strip()[:40]


def _retry_message() -> str:
    """Said while throttled, with the minutes left of the window that is spent."""
    limit = limiter.current_limit
    seconds = limit.window.reset_time - clock.now().timestamp() if limit is not None else 60
    minutes = max(1, math.ceil(seconds / 60))
    return f"Terlalu banyak percobaan masuk. Coba lagi dalam {minutes} menit."


_per_nip = limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_NIP"], scope="password-nip",
                                key_func=_nip_key, methods=["POST"], deduct_when=_password_refused,
                                error_message=_retry_message)
_per_address = limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
                                    scope="password-address", key_func=get_remote_address, methods=["POST"],
                                    deduct_when=_password_refused, error_message=_retry_message)


def throttled(view):
    return _per_address(_per_nip(view))


def _start_browser_session(user: User, key: str) -> None:
    session.clear()  # a fresh session at every sign-in: nothing planted before it survives
    session[sessions.KEY_FIELD] = key
    login_user(user)


# -- signing in and out ---------------------------------------------------------------------------------

@bp.route("/masuk", methods=["GET", "POST"])
@throttled
def login():
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        signed_in = sessions.sign_in(form.nip.data, form.password.data, replacing=session.get(sessions.KEY_FIELD))
        if signed_in is not None:
            _start_browser_session(*signed_in)
            return redirect(safe_next(next_url))
        g.password_refused = True
        form.password.data = ""
        return render_template("auth/login.html", form=form, next_url=next_url, failed=True), 401
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form, next_url=next_url, failed=False), status


@bp.post("/keluar")
def logout():
    sessions.end(session.get(sessions.KEY_FIELD), "logout")  # every copy of this cookie stops working
    logout_user()
    session.clear()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))
