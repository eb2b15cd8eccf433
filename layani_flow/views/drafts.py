"""Typed text is never lost (services/drafts.py holds the why and the safety rules). This module decides
which posted forms can be kept and which page shows each again:

- a named intake form (/kasus/baru/<type>[?layanan=…]) → the same page;
- a step or a message on a case page → the case page.

Two moments lose text: the session ended (idle, maximum age, signed out elsewhere) and the form's CSRF token
expired. For both the form is kept, bound to this browser and to who was signed in, and the person is sent
to sign in (or straight back, when their session is still live), where the page puts the text back. Only a
same-site POST carries the session cookie (SameSite=Lax), so another site cannot plant a draft.
"""
from __future__ import annotations

import secrets

from flask import Flask, current_app, flash, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..auth import user_id_in_cookie
from ..services import drafts

COOKIE = "layani_draft"
KEPT = ("Sesi Anda sudah berakhir. Masuk lagi untuk melanjutkan: isian Anda sudah disimpan dan akan "
        "dikembalikan. Berkas yang sudah dipilih perlu dipilih lagi.")
RESTORED = ("Isian Anda dari sebelum sesi berakhir dikembalikan. Periksa, pilih lagi berkas (jika ada), "
            "lalu kirim.")
CASE_ENDPOINTS = ("cases.detail", "cases.transition", "cases.message")


def form_page() -> str | None:
    """The page that shows this request's form (for a POST: the page it came from); None when the form
    is not one that is kept."""
    endpoint, args = request.endpoint, dict(request.view_args or {})
    if endpoint == "intake.new" and not g.get("anonymous_page"):
        layanan = request.args.get("layanan")
        if layanan:
            return url_for("intake.new", case_type=args["case_type"], layanan=layanan)
        return url_for("intake.new", case_type=args["case_type"])
    if endpoint in CASE_ENDPOINTS:
        return url_for("cases.detail", case_id=args["case_id"])
    return None


def _posted_fields() -> dict[str, list[str]]:
    fields = {name: request.form.getlist(name) for name in request.form}
    # Which of the page's forms it was, so the case page refills that one.
    fields["_endpoint"] = [request.endpoint or ""]
    if request.endpoint == "cases.transition":
        fields["_trigger"] = [str((request.view_args or {}).get("trigger", ""))]
    return fields


def _keep(user_id: int | None, then: str):
    """Keep the posted form for `user_id` and send the browser to `then`; None when nothing was kept."""
    path = form_page()
    if path is None or user_id is None or request.method != "POST":
        return None
    typed = drafts.keepable({name: request.form.getlist(name) for name in request.form})
    if not set(typed) - {"version"}:  # nothing a person typed: the usual way to the sign-in page
        return None
    key = request.cookies.get(COOKIE) or secrets.token_urlsafe(32)
    if not drafts.keep(key, user_id, path, _posted_fields()):
        return None
    response = redirect(then or path, code=303)
    response.set_cookie(COOKIE, key, max_age=int(drafts.lifetime().total_seconds()), path="/", httponly=True,
                        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
                        samesite=current_app.config["SESSION_COOKIE_SAMESITE"])
    return response


def keep_on_expired_session():
    """before_request, after auth's check: a form posted by someone whose session has just ended."""
    user_id = g.get("expired_user_id")
    if user_id is None or request.method != "POST" or current_user.is_authenticated:
        return None
    path = form_page()
    response = _keep(user_id, url_for("auth.login", next=path)) if path else None
    if response is not None:
        flash(KEPT, "info")
    return response


def keep_on_csrf_failure():
    """From the CSRF error handler: a form whose token expired. Straight back to the page when the session
    is still live; through the sign-in page otherwise."""
    user_id = user_id_in_cookie()
    path = form_page()
    if path is None:
        return None
    live = current_user.is_authenticated and current_user.id == user_id
    response = _keep(user_id, path if live else url_for("auth.login", next=path))
    if response is not None and not live:  # when live, the page itself says the text came back
        flash(KEPT, "info")
    return response


def restore() -> MultiDict | None:
    """The draft this browser kept for this page and the signed-in person, as form data; None otherwise.
    Costs a query only when the browser has the cookie."""
    path, key = form_page(), request.cookies.get(COOKIE)
    if path is None or not key or not current_user.is_authenticated:
        return None
    fields = drafts.take(key, current_user.id, path)
    if fields is None:
        return None
    flash(RESTORED, "info")
    return MultiDict(fields)


def init_app(app: Flask) -> None:
    app.before_request(keep_on_expired_session)
