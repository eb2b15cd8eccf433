"""Sessions (Flask-Login over server-side session rows) and bearer tokens for the API."""
from __future__ import annotations

from flask import Flask, g, request, session
from flask_login import current_user, logout_user

from .extensions import login_manager
from .models import User
from .services import sessions


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Silakan masuk untuk melanjutkan."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.before_request(_drop_ended_session)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Only while this browser's session row is live (see services.sessions)."""
    return sessions.resume(user_id, session.get(sessions.KEY_FIELD))


def _drop_ended_session() -> None:
    """Check the session at the start of each request, before any view or service runs (the check may
    write: it touches or ends the row in its own unit of work). A cookie whose session has ended loses
    its sign-in, so the next requests do not look it up again."""
    if request.endpoint == "static" or "_user_id" not in session:
        return
    if g.get("anonymous_page"):  # served as to nobody (views.tracking_state): the login session stays untouched
        return
    if not current_user.is_authenticated:
        # Who this browser was signed in as, for views/drafts.py: a form posted now is kept for them alone.
        g.expired_user_id = user_id_in_cookie()
        logout_user()
        session.pop(sessions.KEY_FIELD, None)


def user_id_in_cookie() -> int | None:
    try:
        return int(session["_user_id"])
    except (KeyError, TypeError, ValueError):
        return None
