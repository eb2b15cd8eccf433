"""An anonymous complaint keeps no trace of who filed it; only the tracking code leads back to it."""
from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import Case
from layani_flow.services import cases
from layani_flow.services.errors import Forbidden, NotFound, TransitionNotAllowed
from layani_flow.workflows.guards import reopen_window_open

from .helpers import COMPLAINT, upload

CODE_RE = re.compile(r"^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$")


@pytest.fixture
def filed(office):
    """An anonymous complaint with an attachment, filed by office.employee (who is logged in)."""
    opened = cases.open_case("complaint", {**COMPLAINT, "anonymous": True}, office.employee, anonymous=True,
                             uploads=[upload("lainnya", "bukti.pdf")])
    return opened


def walk(case_id, *steps):
    """Fire (trigger, actor, comment) in turn, reloading the version each time."""
    case = db.session.get(Case, case_id)
    for trigger, actor, comment in steps:
        case = cases.transition_case(case_id, trigger, actor, case.version, comment)
    return case


def identity_of(user) -> dict[str, str]:
    return {"nip": user.nip, "name": user.name, "email": user.email}


def rows_mentioning(user) -> list[str]:
    """Every row outside users/api_tokens that names the user by id (a users FK), NIP, name or email."""
    found = []
    needles = [v.lower() for v in identity_of(user).values()]
    for table in db.metadata.sorted_tables:
        if table.name in ("users", "api_tokens", "alembic_version"):
            continue
        user_fks = [c.name for c in table.columns if any(fk.column.table.name == "users" for fk in c.foreign_keys)]
        for row in db.session.execute(select(table)).mappings():
            for column in user_fks:
                if row[column] == user.id:
                    found.append(f"{table.name}.{column}")
            text = " ".join(str(v) for v in row.values()).lower()
            found.extend(f"{table.name}: {n}" for n in needles if n in text)
    return found


def test_an_anonymous_complaint_is_structurally_anonymous(office, filed):
    case = db.session.get(Case, filed.case.id)
    assert case.requester_id is None and case.requester is None
    assert case.is_anonymous and case.tracking_code_hash == cases.hash_code(filed.tracking_code)
    assert CODE_RE.match(filed.tracking_code)
    assert "anonymous" not in case.fields
    assert [e.actor_label for e in case.events] == [cases.ANONYMOUS_LABEL, cases.ANONYMOUS_LABEL]
    assert case.documents[0].uploaded_by_id is None
    assert rows_mentioning(office.employee) == []


def test_the_filer_does_not_see_it_as_their_own(office, filed):
    with pytest.raises(NotFound):
        cases.get_case(filed.case.id, office.employee)
    assert cases.list_own_cases(office.employee) == []


@pytest.mark.parametrize("typed", [
    lambda code: code,
    lambda code: code.lower(),
    lambda code: code.replace("-", ""),
    lambda code: code.replace("-", "").lower(),
    lambda code: " " + code.replace("-", " ") + " ",
])
def test_the_tracking_code_opens_it_however_it_is_typed(filed, typed):
    assert cases.find_tracked_case(typed(filed.tracking_code)) == filed.case.id


@pytest.mark.parametrize("code", ["", "AAAA-BBBB-CCCC-DDDD", None, "-" * 19])
def test_a_wrong_code_opens_nothing(filed, code):
    assert cases.find_tracked_case(code) is None


def test_each_filing_gets_its_own_code(office):
    codes = {cases.open_case("complaint", COMPLAINT, None, anonymous=True).tracking_code for _ in range(20)}
    assert len(codes) == 20


def test_the_code_holder_sees_only_that_case(office, filed):
    other = cases.open_case("complaint", COMPLAINT, None, anonymous=True)
    filer = cases.TrackedFiler(filed.case.id)
    assert cases.get_case(filed.case.id, filer).id == filed.case.id
    with pytest.raises(NotFound):
        cases.get_case(other.case.id, filer)
    with pytest.raises(NotFound):
        cases.add_message(other.case.id, filer, "halo")


def test_the_filer_replies_and_reopens_within_the_window_and_not_after(app, office, filed, clock):
    filer = cases.TrackedFiler(filed.case.id)
    officer = office.officer
    case = walk(filed.case.id, ("triage", officer, ""), ("ask_filer", officer, "Kapan kejadiannya?"))
    case = walk(case.id, ("filer_replied", filer, "Senin pagi, di loket."))
    assert case.state == "in_follow_up"
    cases.add_message(case.id, filer, "Terima kasih.")
    case = walk(case.id, ("answer", officer, "Sudah kami tegur."))
    assert case.answered_at == clock.now()

    clock.advance(days=app.config["COMPLAINT_REOPEN_DAYS"] - 1)
    case = walk(case.id, ("reopen", filer, "Belum ada perubahan."))
    assert (case.state, case.answered_at) == ("in_follow_up", None)

    case = walk(case.id, ("answer", officer, "Sudah ditindaklanjuti lagi."))
    clock.advance(days=app.config["COMPLAINT_REOPEN_DAYS"], seconds=1)
    with pytest.raises(TransitionNotAllowed) as info:
        walk(case.id, ("reopen", filer, "Masih belum."))
    assert info.value.message == reopen_window_open.message
    assert db.session.get(Case, case.id).state == "answered"
    assert [a.blocked_by for a in cases.case_actions(case, filer) if a.trigger == "reopen"] == [
        (reopen_window_open.message,)]

    case = walk(case.id, ("close", filer, ""))
    assert case.state == "closed"
    assert {e.actor_label for e in case.events if e.actor_id is None} == {cases.ANONYMOUS_LABEL}
    assert rows_mentioning(office.employee) == []


def test_the_filer_cannot_do_the_desks_work(office, filed):
    filer = cases.TrackedFiler(filed.case.id)
    with pytest.raises(Forbidden):
        walk(filed.case.id, ("triage", filer, ""))
    with pytest.raises(Forbidden):
        cases.add_message(filed.case.id, filer, "catatan", internal=True)


def test_logs_never_name_an_anonymous_filer(office, filed, caplog):
    caplog.set_level(logging.INFO, logger="layani_flow")
    filer = cases.TrackedFiler(filed.case.id)
    second = cases.open_case("complaint", {**COMPLAINT, "anonymous": True}, office.employee, anonymous=True)
    walk(second.case.id, ("triage", office.officer, ""), ("ask_filer", office.officer, "Mohon rincian."),
         ("filer_replied", cases.TrackedFiler(second.case.id), "Rinciannya begini."))
    cases.add_message(filed.case.id, filer, "Ada kabar?")
    cases.upload_documents(filed.case.id, filer, [upload("lainnya", "tambahan.pdf")])
    records = [r for r in caplog.records if r.name.startswith("layani_flow")]
    assert records, "the service logs its work"
    for record in records:
        text = record.getMessage()
        for value in identity_of(office.employee).values():
            assert value not in text, text
        assert office.employee.id not in (record.args if isinstance(record.args, tuple) else ()), text
    assert rows_mentioning(office.employee) == []
