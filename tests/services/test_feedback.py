"""The satisfaction question is a trait: a type declared `asks_feedback` asks its requester once when it
closes (not in its `no_feedback_in` states), on the page and by a signed, expiring link in the closing email;
the answer is taken once, and the summary counts it per officer and per channel."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from wtforms import StringField

from layani_flow.extensions import db
from layani_flow.forms import INTAKE_FORMS
from layani_flow.forms.base import BaseForm
from layani_flow.models import CaseFeedback, OutboxMessage
from layani_flow.services import cases, feedback
from layani_flow.services.errors import Conflict, Forbidden, InvalidInput
from layani_flow.workflows import REGISTRY, Workflow
from layani_flow.workflows.base import step
from layani_flow.workflows.effects import take_if_unclaimed

from .helpers import written_mail

ASKING = Workflow(
    case_type="asking_question", title="Pertanyaan bernilai", ref_prefix="TNY", desk_claims=True,
    asks_feedback=True, no_feedback_in={"dropped"},
    initial="asked", states={"asked": "Ditanyakan", "answering": "Dijawab", "done": "Selesai", "dropped": "Batal"},
    final={"done", "dropped"},
    sla={"first_response": "4h"},
    steps=[
        step("take_up", "asked", "answering", "Tangani", who={"officer"}, effect=take_if_unclaimed),
        step("finish", "answering", "done", "Selesaikan", who={"owner"}),
        step("drop", ("asked", "answering"), "dropped", "Batalkan", who={"requester"}),
    ],
)


class AskingForm(BaseForm):
    subject = StringField("Pertanyaan")


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setitem(REGISTRY, ASKING.case_type, ASKING)
    monkeypatch.setitem(INTAKE_FORMS, ASKING.case_type, AskingForm)


def _closed(office, *, trigger="finish"):
    case = cases.open_case(ASKING.case_type, {"subject": "Tanya"}, office.employee).case
    case = cases.transition_case(case.id, "take_up", office.officer, case.version)
    if trigger == "finish":
        return cases.transition_case(case.id, "finish", office.officer, case.version)
    return cases.transition_case(case.id, "drop", office.employee, case.version)


def _link(office) -> str:
    bodies = [row.body_text for row in written_mail(OutboxMessage.to_addr == office.employee.email)]
    links = [m.group(0) for body in bodies for m in [re.search(r"http://localhost/umpan-balik/\S+", body)] if m]
    assert len(links) == 1, links
    return links[0]


def test_closing_asks_the_requester_once_and_the_answer_is_kept_once(app, office, clock, registered):
    case = _closed(office)
    asked = db.session.scalars(select(CaseFeedback)).one()
    assert (asked.case_id, asked.requester_id, asked.officer_id, asked.channel) == (
        case.id, office.employee.id, office.officer.id, "asking_question")
    assert asked.rating is None and asked.answered_at is None
    _link(office)  # the closing email carries the question's link

    with pytest.raises(Forbidden):
        feedback.answer_feedback(case.id, office.colleague.id, 5)
    with pytest.raises(InvalidInput):
        feedback.answer_feedback(case.id, office.employee.id, 6)
    with pytest.raises(InvalidInput):
        feedback.answer_feedback(case.id, office.employee.id, "lima")
    answered = feedback.answer_feedback(case.id, office.employee.id, "4", "  Cepat dan jelas.  ")
    assert (answered.rating, answered.comment, answered.answered_at) == (4, "Cepat dan jelas.", clock.now())
    with pytest.raises(Conflict):
        feedback.answer_feedback(case.id, office.employee.id, 1)

    channels, officers = feedback.summary()
    assert [(line.label, line.answered, line.asked, line.average) for line in channels] == [
        ("Pertanyaan bernilai", 1, 1, 4.0)]
    assert [(line.label, line.average) for line in officers] == [(office.officer.name, 4.0)]


def test_a_state_without_the_question_asks_nothing(app, office, registered):
    _closed(office, trigger="drop")
    assert db.session.scalars(select(CaseFeedback)).all() == []


def test_the_link_answers_without_signing_in_once_and_expires(app, office, clock, client, registered):
    case = _closed(office)
    path = _link(office).removeprefix("http://localhost")
    page = client.get(path)
    assert page.status_code == 200 and "Seberapa puas" in page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    bad = client.post(path, data={"csrf_token": token, "rating": "9"})
    assert bad.status_code == 422 and "Pilih" in bad.get_data(as_text=True)
    done = client.post(path, data={"csrf_token": token, "rating": "5", "comment": "Mantap"})
    assert done.status_code == 200 and "sudah kami terima" in done.get_data(as_text=True)
    again = client.post(path, data={"csrf_token": token, "rating": "1"})
    assert again.status_code == 409
    assert db.session.scalar(select(CaseFeedback.rating).where(CaseFeedback.case_id == case.id)) == 5

    assert client.get(path.replace("umpan-balik/", "umpan-balik/x")).status_code == 400
    clock.advance(days=31)
    assert client.get(path).status_code == 400


def test_the_case_page_asks_the_requester_and_the_summary_is_for_the_lead(app, desk, registered, login_as):
    office = desk
    case = _closed(office)
    web = login_as(office.employee)
    page = web.get(f"/kasus/{case.id}").get_data(as_text=True)
    assert "Seberapa puas" in page
    assert web.post_form(f"/kasus/{case.id}/penilaian", {"rating": "3"}).status_code == 302
    assert "Seberapa puas" not in web.get(f"/kasus/{case.id}").get_data(as_text=True)
    assert web.get("/umpan-balik").status_code == 403
    web.logout()
    for person, status in ((office.officer, 403), (office.kasubbag, 200), (office.admin, 200)):
        web = login_as(person)
        response = web.get("/umpan-balik")
        assert response.status_code == status
        if status == 200:
            assert "3,0" in response.get_data(as_text=True)
        web.logout()
