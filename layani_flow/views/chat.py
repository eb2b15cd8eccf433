"""ChatCanal's pages: start a chat, the desk's waiting list, the conversation (live with a small script, a form
and a refresh without it), and the live stream itself (server-sent events) shared with the API.

The stream is a generator that looks for new messages every CHAT_STREAM_POLL_MS (one indexed query for the
case's latest event id), loads the thread only when that has moved, and gives its database connection back
between looks; it ends after CHAT_STREAM_SECONDS and the browser reconnects with Last-Event-ID. So a
long-lived response holds a worker thread, never a database connection, and never for ever (the README's
deployment notes: gunicorn's gthread worker class)."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from layani_flow import catalogue, clock
from layani_flow.forms import intake_form_class, trigger_form_class
from layani_flow.models import User
from layani_flow.roles import DESK_ROLES
from layani_flow.services import cases as case_service
from layani_flow.services import conversations, documents, feedback
from layani_flow.services.calendar import load_calendar
from layani_flow.services.capabilities import capabilities
from layani_flow.services.errors import InvalidInput, NotFound
from layani_flow.views.presenters import current_clock_views
from layani_flow.workflows import REGISTRY

bp = Blueprint("chat", __name__)

CHAT_TYPE = "chat"  # the ChatCanal page files this type; its behaviour is all in workflows/chat.py


@bp.app_context_processor
def chat_helpers() -> dict:
    def chat_unread() -> int:
        user = current_user
        return conversations.unread_total(user) if getattr(user, "is_authenticated", False) else 0

    return {"chat_unread": chat_unread}


# -- the stream (also /api/v1/cases/<id>/stream) ----------------------------------------------------------

def _sse(number: int, item: dict) -> str:
    return f"id: {number}\ndata: {json.dumps(item, ensure_ascii=False)}\n\n"


def stream_messages(case_id: int, user_id: int, after: int) -> Iterator[str]:
    config = current_app.config
    seconds, poll = float(config["CHAT_STREAM_SECONDS"]), config["CHAT_STREAM_POLL_MS"] / 1000
    ends = time.monotonic() + seconds
    yield f"retry: {int(poll * 1000) + 1000}\n\n"
    seen, pinged = -1, time.monotonic()
    try:
        while True:
            latest = conversations.latest_event_id(case_id)
            if latest != seen:
                viewer = current_app.extensions["sqlalchemy"].session.get(User, user_id)
                try:
                    case = case_service.get_case(case_id, viewer)
                except NotFound:
                    return
                delivered = conversations.messages(case, viewer, after)
                for number, event in delivered:
                    yield _sse(number, conversations.message_dict(case, number, event))
                    after = number
                if delivered and viewer is not None:
                    conversations.mark_read(case_id, viewer)
                seen = latest
            conversations.release()  # no connection held while waiting
            if time.monotonic() >= ends:
                return
            if time.monotonic() - pinged > 15:
                yield ": tetap tersambung\n\n"
                pinged = time.monotonic()
            clock.pause(poll)
    finally:
        conversations.release()


def stream_response(case_id: int, user: User) -> Response:
    case = case_service.get_case(case_id, user)  # 404 before a stream starts
    raw = request.headers.get("Last-Event-ID") or request.args.get("after")
    # Without Last-Event-ID (a first connection): only what comes after this instant.
    after = conversations.parse_after(raw) if raw not in (None, "") else conversations.last_number(case, user)
    user_id = user.id
    conversations.release()
    response = Response(stream_with_context(stream_messages(case_id, user_id, after)),
                        mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def wait_for_messages(case_id: int, user: User, after: int, wait: float) -> list[dict]:
    """The viewer's messages after `after`; with `wait`, hold the answer up to that long for a first one."""
    ends = time.monotonic() + wait
    poll = current_app.config["CHAT_STREAM_POLL_MS"] / 1000
    user_id = user.id
    seen = -1
    while True:
        latest = conversations.latest_event_id(case_id)
        if latest != seen:
            viewer = current_app.extensions["sqlalchemy"].session.get(User, user_id)
            case = case_service.get_case(case_id, viewer)
            found = conversations.messages(case, viewer, after)
            if found or time.monotonic() >= ends:
                # Read before mark_read commits: the commit expires every event, and reading them after
                # would reload them one statement each.
                items = [conversations.message_dict(case, n, e) for n, e in found]
                if found:
                    conversations.mark_read(case_id, viewer)
                return items
            seen = latest
        conversations.release()
        if time.monotonic() >= ends:
            return []
        clock.pause(min(poll, ends - time.monotonic()))


def parse_wait(value: str | None) -> float:
    if value in (None, ""):
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= current_app.config["CHAT_WAIT_MAX_SECONDS"]:
        limit = current_app.config["CHAT_WAIT_MAX_SECONDS"]
        raise InvalidInput("Parameter 'wait' tidak valid.", {"wait": [f"Berupa detik, 0 sampai {limit}."]})
    return seconds


# -- pages -------------------------------------------------------------------------------------------------

def _index_page(form=None, status: int = 200):
    form = form or intake_form_class(CHAT_TYPE)(formdata=None)
    desk = current_user.has_role(*DESK_ROLES)
    cal = load_calendar()
    return render_template(
        "chat/index.html", form=form, mine=conversations.my_chats(current_user),
        waiting=conversations.waiting_chats(current_user) if desk else [], desk=desk,
        open_now=cal.is_working(clock.now()), workflow=REGISTRY[CHAT_TYPE],
    ), status


@bp.get("/chat")
@login_required
def index():
    return _index_page()


@bp.post("/chat")
@login_required
def start():
    form = intake_form_class(CHAT_TYPE)()
    if not form.validate():
        return _index_page(form, 422)
    opened = case_service.open_case(CHAT_TYPE, form.payload(), current_user)
    return redirect(url_for("chat.conversation", case_id=opened.case.id), 303)


def render_conversation(case_id: int, *, errors: dict | None = None, typed: str = "", status: int = 200):
    case = case_service.get_case(case_id, current_user)
    if not conversations.is_conversation(case):
        return redirect(url_for("cases.detail", case_id=case_id))
    caps = capabilities(case, current_user)
    actions = []
    for action in caps.actions:
        form = trigger_form_class(case.case_type, action.trigger)(formdata=None)
        form.version.data = str(case.version)
        actions.append((action, form))
    items = [conversations.message_dict(case, n, e) for n, e in conversations.messages(case, current_user)]
    workflow = REGISTRY[case.case_type]
    page = render_template(
        "chat/conversation.html", case=case, workflow=workflow, items=items, caps=caps, actions=actions,
        after=conversations.last_number(case, current_user), is_open=not workflow.is_final(case.state),
        clocks=current_clock_views(case), links=case_service.links_of(case), errors=errors or {}, typed=typed,
        feedback_pending=feedback.pending_for(case, current_user) if workflow.asks_feedback else None,
        feedback_question=feedback.QUESTION, feedback_labels=feedback.RATING_LABELS,
        other_document=catalogue.OTHER_DOCUMENT,
    )
    conversations.mark_read(case_id, current_user)  # a read receipt of what was shown, not a change to the case
    return page, status


@bp.get("/chat/<int:case_id>")
@login_required
def conversation(case_id: int):
    return render_conversation(case_id)


@bp.post("/chat/<int:case_id>/pesan")
@login_required
def send(case_id: int):
    body = request.form.get("body", "")
    file = request.files.get("file")
    try:
        checked = None
        if file is not None and file.filename:
            checked = documents.check_upload("file", catalogue.OTHER_DOCUMENT.key, file.filename, file.read())
        conversations.send_message(case_id, current_user, body, checked)
    except InvalidInput as exc:
        return render_conversation(case_id, errors=exc.errors or {"body": [exc.message]}, typed=body, status=422)
    return redirect(url_for("chat.conversation", case_id=case_id) + "#pesan-baru", 303)


@bp.get("/chat/<int:case_id>/stream")
@login_required
def stream(case_id: int):
    return stream_response(case_id, current_user)
