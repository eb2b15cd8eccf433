"""ChatCanal's races on a real PostgreSQL server with real commits: two officers take the same waiting chat,
or turn it into a case, at the same moment; a requester answers the satisfaction question from two tabs."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from layani_flow.models import Case, CaseFeedback
from layani_flow.services import cases as case_service
from layani_flow.services import feedback
from layani_flow.services.errors import DomainError

from .test_concurrency import _race, _user

pytestmark = pytest.mark.postgres


def _waiting_chat(office) -> Case:
    return case_service.open_case("chat", {"body": "Halo, saya mau tanya."}, office.employee).case


def test_two_officers_taking_one_chat_leave_exactly_one_owner(app, db, office):
    chat = _waiting_chat(office)
    chat_id, version = chat.id, chat.version
    officer_ids = [office.officer.id, office.officer2.id]
    db.session.remove()

    results = _race(app, 2, lambda i: case_service.transition_case(chat_id, "serve", _user(officer_ids[i]), version))
    wins = [r for r in results if isinstance(r, Case)]
    assert len(wins) == 1 and [r.status for r in results if isinstance(r, DomainError)] == [409], results
    assert db.session.get(Case, chat_id).owner_id == wins[0].owner_id


def test_two_officers_converting_one_chat_file_exactly_one_case(app, db, office):
    chat = _waiting_chat(office)
    chat_id, version = chat.id, chat.version
    officer_ids = [office.officer.id, office.officer2.id]
    db.session.remove()

    results = _race(app, 2, lambda i: case_service.transition_case(
        chat_id, "convert", _user(officer_ids[i]), version, fields={"type": "complaint"}))
    assert len([r for r in results if isinstance(r, Case)]) == 1, results
    assert db.session.scalar(select(func.count(Case.id)).where(Case.case_type == "complaint")) == 1
    assert db.session.get(Case, chat_id).state == "converted"


def test_the_question_is_answered_once_from_two_tabs(app, db, office):
    chat = _waiting_chat(office)
    chat = case_service.transition_case(chat.id, "serve", office.officer, chat.version)
    case_service.transition_case(chat.id, "close", office.officer, chat.version)
    chat_id, requester_id = chat.id, office.employee.id
    db.session.remove()

    results = _race(app, 2, lambda i: feedback.answer_feedback(chat_id, requester_id, 5 - i, f"tab {i}"))
    answered = [r for r in results if isinstance(r, CaseFeedback)]
    assert len(answered) == 1 and [r.status for r in results if isinstance(r, DomainError)] == [409], results
    assert db.session.scalar(select(CaseFeedback.rating).where(CaseFeedback.case_id == chat_id)) == answered[0].rating
