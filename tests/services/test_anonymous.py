"""An anonymous complaint keeps no trace of who filed it; only the tracking code leads back to it."""
from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import Case, OutboxMessage
from layani_flow.services import cases, listings
from layani_flow.services.capabilities import capabilities
from layani_flow.services.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from layani_flow.workflows.guards import reopen_window_open

from ..timekit import WIB, wednesday
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
    assert listings.list_own_cases(office.employee) == []


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
    assert [a.blocked_by for a in capabilities(case, filer).actions if a.trigger == "reopen"] == [
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


# -- unlinkable: ids and instants -------------------------------------------------------------------
# A desk member sees the anonymous complaint and the same person's named cases side by side. Nothing of
# the complaint may say where it stands among those: not its id, not its events' or documents' numbers,
# not its instants beyond ANONYMOUS_TIME_GRANULARITY_MINUTES (docs/anonymity.md).

REF_RE = re.compile(r"^ADU-\d{4}-[A-HJ-NP-Z][A-HJ-NP-Z2-9]{5}$")


def test_an_anonymous_complaint_takes_no_number_from_the_sequence(office, clock):
    clock.set(wednesday(9, 5))
    first = cases.open_case("complaint", COMPLAINT, office.employee).case
    clock.set(wednesday(9, 20))
    anonymous = cases.open_case("complaint", COMPLAINT, office.employee, anonymous=True).case
    clock.set(wednesday(9, 40))
    second = cases.open_case("complaint", COMPLAINT, office.employee).case
    assert anonymous.id < 0 and second.id == first.id + 1  # no gap where the complaint was filed
    assert REF_RE.match(anonymous.ref), anonymous.ref
    assert re.match(r"^ADU-2026-\d{5}$", first.ref)
    assert cases.get_case(anonymous.id, office.officer).ref == anonymous.ref


def test_named_cases_number_from_one_when_only_anonymous_ones_came_before(office):
    """SQLite would number the first named case max(id)+1, right next to an anonymous complaint's id."""
    anonymous = [cases.open_case("complaint", COMPLAINT, None, anonymous=True).case for _ in range(3)]
    named = cases.open_case("complaint", COMPLAINT, office.employee).case
    assert all(c.id < 0 for c in anonymous)
    assert named.id == 1
    assert cases.open_case("complaint", COMPLAINT, office.colleague).case.id == 2


def test_anonymous_references_spell_their_id_and_never_look_like_a_number():
    from layani_flow.models.cases import ANONYMOUS_ID_SPAN, anonymous_ref_code

    samples = [-1, -2, -31, -32, -(31 ** 5), -(ANONYMOUS_ID_SPAN - 1), -123456789]
    codes = [anonymous_ref_code(i) for i in samples]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert len(code) == 6 and code[0].isalpha() and set(code) <= set(cases.TRACKING_ALPHABET), code
    assert ANONYMOUS_ID_SPAN < 2**31  # a 32-bit integer column holds every anonymous id


@pytest.mark.parametrize("minutes, instant, expected", [
    (60, (9, 37, 12), (9, 0, 0)),
    (60, (9, 0, 0), (9, 0, 0)),
    (15, (9, 37, 12), (9, 30, 0)),
    (45, (23, 59, 0), (23, 15, 0)),  # a step that does not divide the day starts again at midnight WIB
    (1440, (6, 59, 0), (0, 0, 0)),  # a day is a WIB day (00:00 WIB is 17:00 UTC the day before)
])
def test_coarse_instants_fall_on_the_wib_grid(minutes, instant, expected):
    from layani_flow.services.anonymity import coarse

    value = wednesday(*instant)
    got = coarse(value, dt.timedelta(minutes=minutes))
    assert got.tzinfo is not None and got.astimezone(WIB) == wednesday(*expected)


def test_the_filers_actions_are_timed_coarsely_and_the_desks_precisely(app, office, clock):
    assert app.config["ANONYMOUS_TIME_GRANULARITY_MINUTES"] == 60
    clock.set(wednesday(9, 37, 12))
    opened = cases.open_case("complaint", COMPLAINT, office.employee, anonymous=True,
                             uploads=[upload("lainnya", "bukti.pdf")])
    case_id, filer = opened.case.id, cases.TrackedFiler(opened.case.id)
    case = db.session.get(Case, case_id)
    assert case.created_at == case.updated_at == wednesday(9)
    assert [e.at for e in case.events] == [wednesday(9), wednesday(9)]
    assert case.documents[0].uploaded_at == wednesday(9)
    assert {c.started_at for c in case.clocks} == {wednesday(9)}  # the SLA counts from the coarse instant
    first_due = {c.name: c.due_at for c in case.clocks}

    clock.set(wednesday(9, 41, 5))
    walk(case_id, ("triage", office.officer, ""), ("ask_filer", office.officer, "Kapan?"))
    clock.set(wednesday(9, 55, 40))  # the filer answers in the same hour: never before the desk's question
    walk(case_id, ("filer_replied", filer, "Senin."))
    clock.set(wednesday(10, 20, 9))
    cases.add_message(case_id, filer, "Tambahan.")
    clock.set(wednesday(10, 25, 51))
    cases.upload_documents(case_id, filer, [upload("lainnya", "tambahan.pdf")])
    clock.set(wednesday(10, 31, 2))
    walk(case_id, ("answer", office.officer, "Sudah."))
    clock.set(wednesday(11, 48, 30))
    case = walk(case_id, ("close", filer, ""))

    db.session.expire_all()
    case = db.session.get(Case, case_id)
    timeline = [(e.actor_label, e.kind, e.trigger, e.at) for e in case.events]
    assert timeline == [
        ("Pelapor anonim", "created", None, wednesday(9)),
        ("Pelapor anonim", "document", None, wednesday(9)),
        ("Petugas Satu", "transition", "triage", wednesday(9, 41, 5)),
        ("Petugas Satu", "transition", "ask_filer", wednesday(9, 41, 5)),
        ("Pelapor anonim", "transition", "filer_replied", wednesday(9, 41, 5)),  # rounded down, but not before
        ("Pelapor anonim", "message", None, wednesday(10)),
        ("Pelapor anonim", "document", None, wednesday(10)),
        ("Petugas Satu", "transition", "answer", wednesday(10, 31, 2)),
        ("Pelapor anonim", "transition", "close", wednesday(11)),
    ]
    assert [d.uploaded_at for d in case.documents] == [wednesday(9), wednesday(10)]
    assert case.closed_at == case.updated_at == wednesday(11)
    assert {c.name: c.due_at for c in case.clocks if c.cycle == 1} == first_due


def test_the_granularity_is_a_setting(app, office, clock):
    app.config["ANONYMOUS_TIME_GRANULARITY_MINUTES"] = 1440
    clock.set(wednesday(15, 59))
    case = cases.open_case("complaint", COMPLAINT, None, anonymous=True).case
    assert case.created_at == wednesday()


def test_an_unknown_nip_is_accepted_from_an_anonymous_filer_and_kept_for_the_desk(office):
    unknown = "199001012015031999"
    for filer in (None, office.employee):  # a stranger, or someone signed in who ticked "anonim"
        case = cases.open_case("complaint", {**COMPLAINT, "reported_nip": unknown}, filer, anonymous=True).case
        assert case.fields["reported_nip"] == unknown and case.other_party_id is None
    known = cases.open_case("complaint", {**COMPLAINT, "reported_nip": office.colleague.nip}, None,
                            anonymous=True).case
    assert known.other_party_id == office.colleague.id  # so the person it is about never reads it
    with pytest.raises(NotFound):
        cases.get_case(known.id, office.colleague)
    # A named filing may still tell the employee that a colleague's NIP is unknown.
    with pytest.raises(InvalidInput) as info:
        cases.open_case("complaint", {**COMPLAINT, "reported_nip": unknown}, office.employee)
    assert info.value.errors == {"reported_nip": ["Tidak ada pegawai aktif dengan NIP ini."]}


def test_an_email_about_the_filers_message_waits_for_the_end_of_its_window(app, office, clock):
    clock.set(wednesday(9, 10))
    opened = cases.open_case("complaint", COMPLAINT, None, anonymous=True)
    walk(opened.case.id, ("triage", office.officer, ""))
    clock.set(wednesday(10, 7, 33))
    cases.add_message(opened.case.id, cases.TrackedFiler(opened.case.id), "Ada kabar?")
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == office.officer.email)).all()
    assert mail.created_at == wednesday(10)
    assert mail.next_attempt_at == wednesday(11)


@pytest.mark.parametrize("case_id", [42, -123456789])
def test_a_reply_address_carries_an_anonymous_case_id_too(app, case_id):
    from layani_flow.services import tokens

    address = tokens.reply_address(case_id, 7, "dkp.test")
    assert address.count("-") == 3
    claim = tokens.read_reply_address(address)
    assert (claim.case_id, claim.user_id) == (case_id, 7)
    with pytest.raises(tokens.InvalidLink):
        tokens.read_reply_address(address.replace(f"+{'n' if case_id < 0 else ''}{abs(case_id)}-", f"+{abs(case_id)}-", 1)
                                  if case_id < 0 else address.replace("+42-", "+n42-"))
