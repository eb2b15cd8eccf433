"""Signing in and out of the pages, changing one's password and choosing one from an emailed link
(sessions through Flask-Login over server-side rows, services.sessions), and the role check the desk
pages use."""
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
    make_response,
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
from layani_flow.forms.auth import ChangePasswordForm, LoginForm, SetPasswordForm, new_password_hint
from layani_flow.forms.base import entered
from layani_flow.models import User
from layani_flow.nip import normalize_nip
from layani_flow.services import passwords, sessions
from layani_flow.services.errors import Forbidden, InvalidInput

bp = Blueprint("auth", __name__)

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


def refuse_other_person(addressee: User) -> None:
    """An emailed link acts for the person it was sent to. Signed out, the link is the credential; signed
    in as somebody else, the link was forwarded or opened in someone else's browser, and acting would mix
    two identities: refuse (403), whether on the confirmation page or on the POST."""
    if current_user.is_authenticated and current_user.id != addressee.id:
        raise Forbidden(f"Tautan ini ditujukan kepada {addressee.name}; Anda masuk sebagai {current_user.name}. "
                        "Keluar dulu atau buka dari email Anda sendiri.")


# -- throttling password guesses ----------------------------------------------------------------------
# Counted per NIP and per client address (request.remote_addr; ProxyFix makes it the client's when
# TRUSTED_PROXIES > 0). Only refused passwords count (deduct_when), so a person who types it right the
# first time, or leaves a field empty, uses nothing up. Once a count is spent, every POST is refused
# with 429 before the password is even checked, the right password too, until the window has passed.
# The two pages that check a password share the counts: the sign-in page and the change page.

def _password_refused(response) -> bool:
    return bool(g.get("password_refused"))


def _nip_key() -> str:
    if request.endpoint == "auth.change_password":
        return current_user.nip if current_user.is_authenticated else ""
    # Normalised, so "1989 1203…" and "19891203…" spend the same allowance.
    return normalize_nip(request.form.get("nip"))[:40]


def _retry_message() -> str:
    """Said while throttled, with the minutes left of the window that is spent."""
    limit = limiter.current_limit
    seconds = limit.window.reset_time - clock.now().timestamp() if limit is not None else 60
    minutes = max(1, math.ceil(seconds / 60))
    what = "percobaan kata sandi" if request.endpoint == "auth.change_password" else "percobaan masuk"
    return f"Terlalu banyak {what}. Coba lagi dalam {minutes} menit."


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


def _private(response):
    """Pages that carry a credential in their URL or form: kept out of caches and Referer headers."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# -- signing in and out ---------------------------------------------------------------------------------

@bp.route("/masuk", methods=["GET", "POST"])
@throttled
def login():
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        signed_in = sessions.sign_in(entered(form.nip), entered(form.password), replacing=session.get(sessions.KEY_FIELD))
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


# -- passwords ----------------------------------------------------------------------------------------

def _password_page(template: str, form, errors: dict | None = None, status: int = 200, **context):
    form.new_password.description = new_password_hint(int(current_app.config["PASSWORD_MIN_LENGTH"]))
    return _private(render_template(template, form=form, errors=errors or {}, **context)), status


@bp.route("/kata-sandi", methods=["GET", "POST"])
@login_required
@throttled
def change_password():
    form = ChangePasswordForm()
    if request.method == "GET":
        return _password_page("auth/change_password.html", form)
    if not form.validate():
        return _password_page("auth/change_password.html", form, form.first_errors(), 422)
    try:
        user, key = passwords.change_password(current_user.id, current=entered(form.current_password),
                                              new=entered(form.new_password))
    except passwords.WrongPassword as exc:
        g.password_refused = True
        return _password_page("auth/change_password.html", form, exc.errors, 422)
    except InvalidInput as exc:
        return _password_page("auth/change_password.html", form, exc.errors or {"form": [exc.message]}, 422)
    _start_browser_session(user, key)
    flash("Kata sandi Anda sudah diganti. Semua sesi lain (perangkat atau peramban lain) telah diakhiri.",
          "success")
    return redirect(url_for("home.index"))


@bp.route("/kata-sandi/atur/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """The page behind an emailed set-password link: GET shows the form, only POST sets the password."""
    addressee = passwords.preview_password_link(token)
    refuse_other_person(addressee)
    form = SetPasswordForm()
    if request.method == "GET":
        return _password_page("auth/set_password.html", form, addressee=addressee, token=token)
    if not form.validate():
        return _password_page("auth/set_password.html", form, form.first_errors(), 422, addressee=addressee,
                              token=token)
    try:
        passwords.set_password_with_link(token, entered(form.new_password))
    except InvalidInput as exc:
        return _password_page("auth/set_password.html", form, exc.errors or {"form": [exc.message]}, 422,
                              addressee=addressee, token=token)
    logout_user()  # their own session, if this browser had one, ended with the others
    session.clear()
    flash("Kata sandi Anda sudah disimpan. Silakan masuk dengan kata sandi baru.", "success")
    return redirect(url_for("auth.login"))
