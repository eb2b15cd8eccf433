"""Signing in and out of the pages (sessions through Flask-Login), and the role check the desk pages use."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from layani_flow.forms.auth import LoginForm
from layani_flow.services.users import authenticate

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


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        user = authenticate(form.nip.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session at every login: nothing planted before it survives
            login_user(user)
            return redirect(safe_next(next_url))
        form.password.data = ""
        return render_template("auth/login.html", form=form, next_url=next_url, failed=True), 401
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form, next_url=next_url, failed=False), status


@bp.post("/keluar")
def logout():
    logout_user()
    session.clear()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))
