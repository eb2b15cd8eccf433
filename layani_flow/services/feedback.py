"""The satisfaction question: when a case of a type that `asks_feedback` reaches a final state (other than
its `no_feedback_in`), its requester is asked one question, "how satisfied are you" (1–5), with an optional
comment; on the case page and by a signed, expiring link in the closing email; answered once. The answers
are kept per officer (the case's owner when it closed) and per channel (the case type).

`observe` runs inside the caller's unit of work (services.timeline), like the clocks and the notifications.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from .. import clock
from ..extensions import db
from ..models import Case, CaseEvent, CaseFeedback, User
from ..workflows import REGISTRY
from .db import rows_changed, unit_of_work
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .tokens import InvalidLink, _AppClockSigner

SALT = "layani.feedback"
QUESTION = "Seberapa puas Anda dengan layanan ini?"
RATING_LABELS = {1: "Sangat tidak puas", 2: "Tidak puas", 3: "Cukup", 4: "Puas", 5: "Sangat puas"}
MAX_COMMENT = 2000


def asks_in(case: Case, state: str) -> bool:
    workflow = REGISTRY[case.case_type]
    return workflow.asks_feedback and workflow.is_final(state) and state not in workflow.no_feedback_in


def observe(case: Case, event: CaseEvent) -> None:
    """A case that has just closed asks its requester (flush only). An anonymous filer has no one to ask."""
    if event.kind != "transition" or case.requester_id is None or not asks_in(case, event.to_state or ""):
        return
    if case.id is not None and case.feedback is not None:
        return
    case.feedback = CaseFeedback(case=case, requester_id=case.requester_id, officer_id=case.owner_id,
                                 channel=case.case_type, asked_at=event.at, comment="")
    db.session.add(case.feedback)


# -- the link in the closing email -----------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=_AppClockSigner)


def link_for(case: Case, user: User) -> str | None:
    """The absolute link of the question, for the closing email to the requester (None for anyone else,
    or when the case asks nothing)."""
    feedback = case.feedback if asks_in(case, case.state) else None
    if feedback is None or feedback.answered_at is not None or user.id != case.requester_id:
        return None
    token = _serializer().dumps({"c": case.id, "u": user.id})
    return f"{current_app.config['BASE_URL'].rstrip('/')}/umpan-balik/{token}"


def read_link(token: str) -> tuple[int, int]:
    """(case id, requester id) a link was signed for; its age is checked on the app's clock."""
    try:
        payload = _serializer().loads(token, max_age=int(current_app.config["FEEDBACK_LINK_MAX_AGE_DAYS"]) * 86400)
        return int(payload["c"]), int(payload["u"])
    except SignatureExpired:
        raise InvalidLink("Tautan penilaian ini sudah kedaluwarsa. Terima kasih atas perhatian Anda.") from None
    except (BadSignature, KeyError, TypeError, ValueError):
        raise InvalidLink("Tautan penilaian tidak sah. Buka kembali tautan dari email aslinya.") from None


# -- asking and answering ----------------------------------------------------------------------------------

def pending_for(case: Case, viewer: object) -> CaseFeedback | None:
    """The question the viewer (the requester) still has to answer on this case."""
    feedback = case.feedback
    if feedback is None or feedback.answered_at is not None or getattr(viewer, "id", None) != feedback.requester_id:
        return None
    return feedback


def check_answer(rating: object, comment: object) -> tuple[int, str]:
    try:
        value = int(str(rating))
    except ValueError:
        value = 0
    if value not in RATING_LABELS:
        raise InvalidInput("Pilih penilaian 1 sampai 5.", {"rating": ["Pilih salah satu nilai 1–5."]})
    text = (comment if isinstance(comment, str) else "").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput("Komentar terlalu panjang.", {"comment": [f"Maksimal {MAX_COMMENT:,} karakter.".replace(",", ".")]})
    return value, text


def answer_feedback(case_id: int, user_id: int, rating: object, comment: object = "") -> CaseFeedback:
    """Record the requester's answer, once: a second answer (two tabs, the page and the email) is refused."""
    value, text = check_answer(rating, comment)
    with unit_of_work():
        feedback = db.session.scalar(select(CaseFeedback).where(CaseFeedback.case_id == case_id))
        if feedback is None:
            raise NotFound("Tidak ada pertanyaan penilaian untuk kasus ini.")
        if feedback.requester_id != user_id:
            raise Forbidden("Hanya pemohon yang dapat memberi penilaian kasus ini.")
        changed = rows_changed(update(CaseFeedback).where(
            CaseFeedback.id == feedback.id, CaseFeedback.answered_at.is_(None)).values(
            rating=value, comment=text, answered_at=clock.now()))
        if not changed:
            raise Conflict("Penilaian untuk kasus ini sudah diberikan. Terima kasih.")
    db.session.refresh(feedback)
    return feedback


def feedback_of(case_id: int) -> CaseFeedback | None:
    return db.session.scalar(select(CaseFeedback).where(CaseFeedback.case_id == case_id))


# -- the summary -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    label: str
    answered: int
    asked: int
    average: float | None


def summary() -> tuple[list[Line], list[Line]]:
    """(per channel, per officer): how many were asked and answered, and the average rating; two queries."""
    answered = func.count(CaseFeedback.rating)
    average = func.avg(CaseFeedback.rating)
    channels = [
        Line(REGISTRY[channel].title if channel in REGISTRY else channel, n, asked,
             float(avg) if avg is not None else None)
        for channel, n, asked, avg in db.session.execute(
            select(CaseFeedback.channel, answered, func.count(), average)
            .group_by(CaseFeedback.channel).order_by(CaseFeedback.channel)).tuples()
    ]
    officers = [
        Line(name or "Tanpa petugas", n, asked, float(avg) if avg is not None else None)
        for name, n, asked, avg in db.session.execute(
            select(User.name, answered, func.count(), average)
            .select_from(CaseFeedback).outerjoin(User, User.id == CaseFeedback.officer_id)
            .group_by(CaseFeedback.officer_id, User.name).order_by(User.name)).tuples()
    ]
    return channels, officers
