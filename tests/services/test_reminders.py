"""Personnel reminders through the services: sent once per person, rule and due date, not to someone who has
filed, the desk told when nothing was filed, the inbox items, the planning list and the admin's HR data form."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import OutboxMessage, SentReminder
from layani_flow.services import inbox, reminders, users
from layani_flow.services.errors import Forbidden, InvalidInput, NotFound

from ..factories import CaseFactory, UserFactory
from ..timekit import wib

D = dt.date
T = D(2027, 4, 1)  # the KGB of someone whose last one was on 1 April 2025


def sent(rule: str | None = None) -> list[SentReminder]:
    query = select(SentReminder).order_by(SentReminder.id)
    if rule:
        query = query.where(SentReminder.rule == rule)
    return list(db.session.scalars(query))


def mails(to: str, words: str = "KGB") -> list[OutboxMessage]:
    return [m for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == to).order_by(
        OutboxMessage.id)) if words in m.subject]


@pytest.fixture
def due_for_kgb(office):
    office.employee.kgb_tmt = D(2025, 4, 1)
    office.employee.grade = "III/b"
    db.session.commit()
    return office.employee


def test_a_reminder_is_sent_once_on_its_date_with_a_link(app, due_for_kgb):
    assert reminders.send_due_reminders(wib(2026, 11, 30, 23, 59)).sent.get("kgb") is None  # T−4 months is 1 Dec
    report = reminders.send_due_reminders(wib(2026, 12, 1, 6, 0))
    assert report.sent["kgb"] == 1
    [row] = sent("kgb")
    assert (row.user_id, row.due_on, row.event_on, row.audience) == (due_for_kgb.id, D(2026, 12, 1), T, "person")
    [mail] = mails(due_for_kgb.email)
    assert "1 April 2027" in mail.subject and f"{app.config['BASE_URL'].rstrip('/')}/pengingat/{row.id}" in mail.body_text
    assert "PP 15/2019" in mail.body_text  # the rule's legal source travels with it
    again = reminders.send_due_reminders(wib(2026, 12, 1, 6, 0))  # the same instant: nothing
    assert again.sent.get("kgb") is None and len(mails(due_for_kgb.email)) == 1
    reminders.send_due_reminders(wib(2026, 12, 20, 6, 0))  # later, the same due date: still nothing
    assert len(mails(due_for_kgb.email)) == 1


def test_the_next_offset_is_sent_on_its_own_date(due_for_kgb):
    reminders.send_due_reminders(wib(2026, 12, 1, 6, 0))
    reminders.send_due_reminders(wib(2027, 1, 1, 6, 0))
    assert [r.due_on for r in sent("kgb")] == [D(2026, 12, 1), D(2027, 1, 1)]
    assert len(mails(due_for_kgb.email)) == 2


def test_a_reminder_whose_date_passed_unsent_goes_out_while_the_event_is_ahead(office):
    person = UserFactory(kgb_tmt=D(2025, 4, 1))  # as if imported late: T−4 and T−3 both passed
    db.session.commit()
    reminders.send_due_reminders(wib(2027, 2, 10, 6, 0))
    assert [(r.user_id, r.due_on) for r in sent("kgb")] == [(person.id, D(2027, 1, 1))]  # the latest only
    assert len(mails(person.email)) == 1


def test_nothing_once_the_event_has_passed(office):
    person = UserFactory(kgb_tmt=D(2024, 11, 1))  # T = 1 November 2026, before the clock's today
    db.session.commit()
    reminders.send_due_reminders(wib(2026, 11, 25, 9, 0))
    assert sent("kgb") == [] and mails(person.email) == []


def test_someone_who_filed_is_not_reminded_and_a_withdrawn_request_does_not_count(due_for_kgb):
    case = CaseFactory(requester=due_for_kgb, service="kgb", created_at=wib(2026, 12, 1, 0, 0))  # the window opens
    db.session.commit()
    assert reminders.send_due_reminders(wib(2026, 12, 1, 6, 0)).skipped_filed >= 1
    assert sent("kgb") == []
    case.state = "withdrawn"
    db.session.commit()
    reminders.send_due_reminders(wib(2026, 12, 1, 6, 0))
    assert len(sent("kgb")) == 1


def test_a_request_filed_before_the_window_opened_does_not_count(due_for_kgb):
    CaseFactory(requester=due_for_kgb, service="kgb", state="completed", created_at=wib(2026, 11, 30, 23, 59))
    db.session.commit()
    reminders.send_due_reminders(wib(2026, 12, 1, 6, 0))
    assert len(sent("kgb")) == 1


def test_the_desk_is_told_a_month_before_when_nothing_was_filed(desk, due_for_kgb):
    reminders.send_due_reminders(wib(2027, 3, 1, 6, 0))
    [row] = sent("kgb_desk")
    assert row.user_id == due_for_kgb.id and row.audience == "desk"
    for person in (desk.officer, desk.officer2, desk.kasubbag):  # the officers and the desk head
        [mail] = mails(person.email, "belum")
        assert due_for_kgb.name in mail.subject and "/pengingat/" in mail.body_text
    assert mails(desk.admin.email, "belum") == []


def test_the_desk_is_not_told_when_the_request_was_filed(desk, due_for_kgb):
    CaseFactory(requester=due_for_kgb, service="kgb", created_at=wib(2027, 1, 5, 9, 0))
    db.session.commit()
    reminders.send_due_reminders(wib(2027, 3, 1, 6, 0))
    assert sent("kgb_desk") == []


def test_an_inactive_person_is_not_reminded(office):
    person = UserFactory(kgb_tmt=D(2025, 4, 1), is_active_account=False)
    db.session.commit()
    reminders.send_due_reminders(wib(2026, 12, 1, 6, 0))
    assert [r for r in sent() if r.user_id == person.id] == []


def test_everyone_is_reminded_of_leave_in_october_and_of_the_skp_in_january(office):
    reminders.send_due_reminders(wib(2026, 10, 1, 6, 0))
    assert {r.user_id for r in sent("cuti_tahunan")} == {u.id for u in (
        office.head, office.kasubbag, office.officer, office.officer2, office.kabid, office.employee,
        office.colleague, office.admin, office.outsider)}
    reminders.send_due_reminders(wib(2027, 1, 2, 6, 0))
    assert len(sent("skp")) == len(sent("cuti_tahunan"))


# -- the inbox -----------------------------------------------------------------------------------------------

def _reminder_items(person):
    return [i for i in inbox.inbox_for(person) if i.reason == "reminder"]


@pytest.mark.usefixtures("inbox_count_matches")
def test_the_inbox_shows_the_latest_reminder_until_the_request_is_filed(clock, due_for_kgb):
    clock.set(wib(2027, 1, 5, 9, 0))
    reminders.send_due_reminders(wib(2026, 12, 1, 6, 0))
    reminders.send_due_reminders(wib(2027, 1, 1, 6, 0))
    [item] = [i for i in _reminder_items(due_for_kgb) if i.reminder.rule == "kgb"]
    assert item.case is None and item.reminder.due_on == D(2027, 1, 1)
    CaseFactory(requester=due_for_kgb, service="kgb", created_at=wib(2027, 1, 5, 9, 0))
    db.session.commit()
    assert [i for i in _reminder_items(due_for_kgb) if i.reminder.rule == "kgb"] == []


def test_hiding_a_reminder_is_for_its_reader_only(clock, office, due_for_kgb):
    clock.set(wib(2026, 12, 2, 9, 0))
    reminders.send_due_reminders(wib(2026, 12, 1, 6, 0))
    [row] = sent("kgb")
    with pytest.raises(NotFound):
        reminders.dismiss(office.colleague, row.id)
    with pytest.raises(NotFound):
        reminders.dismiss(office.officer, row.id)  # a person's reminder is theirs, not the desk's
    reminders.dismiss(due_for_kgb, row.id)
    assert [i for i in _reminder_items(due_for_kgb) if i.reminder.rule == "kgb"] == []


@pytest.mark.usefixtures("inbox_count_matches")
def test_the_desk_reminder_is_in_the_desks_inbox(clock, desk, due_for_kgb):
    clock.set(wib(2027, 3, 2, 9, 0))
    reminders.send_due_reminders(wib(2027, 3, 1, 6, 0))
    for person in (desk.officer, desk.kasubbag):
        assert [i.reminder.user_id for i in _reminder_items(person) if i.reminder.rule == "kgb_desk"] == [due_for_kgb.id]
    assert [i for i in _reminder_items(desk.colleague) if i.reminder.rule == "kgb_desk"] == []


# -- the planning list ------------------------------------------------------------------------------------------

def test_the_planning_list_by_span_and_rule(clock, office):
    clock.set(wib(2026, 12, 1, 9, 0))
    kgb = UserFactory(name="A KGB", kgb_tmt=D(2025, 4, 1))             # 1 April 2027: within 6 months
    kp = UserFactory(name="B KP", grade_tmt=D(2023, 1, 15))            # 1 February 2027: within 3
    retiring = UserFactory(name="C Pensiun", birth_date=D(1969, 9, 3))  # 1 October 2027: within 12
    db.session.commit()
    three = reminders.planning(office.officer, 3)
    assert [(r.person.id, r.rule.key, r.event) for r in three] == [(kp.id, "kp", D(2027, 2, 1))]
    twelve = reminders.planning(office.officer, 12)
    assert [(r.person.id, r.rule.key) for r in twelve] == [(kp.id, "kp"), (kgb.id, "kgb"), (retiring.id, "pensiun")]
    assert [r.person.id for r in reminders.planning(office.admin, 12, "pensiun")] == [retiring.id]


def test_the_planning_list_is_for_the_desk_and_admins(office, desk):
    assert reminders.planning(desk.kasubbag, 3) == []  # the desk head
    for person in (office.employee, office.kabid):
        with pytest.raises(Forbidden):
            reminders.planning(person, 3)
    with pytest.raises(InvalidInput):
        reminders.planning(office.officer, 5)
    with pytest.raises(InvalidInput):
        reminders.planning(office.officer, 3, "nope")


# -- the admin's HR data form ------------------------------------------------------------------------------------

def test_an_admin_records_personnel_data(office):
    person = office.employee
    born = dt.date(int(person.nip[:4]), int(person.nip[4:6]), int(person.nip[6:8]))
    users.update_personnel(office.admin, person.id, users.PersonnelInput(
        position="Analis Kepegawaian Ahli Madya", position_kind="jf_ahli_madya", grade="iv a",
        grade_tmt=D(2022, 4, 1), kgb_tmt=D(2025, 4, 1), birth_date=born, unit="Sekretariat",
        superior_nip=office.head.nip))
    db.session.expire_all()
    assert (person.grade, person.position_kind, person.retirement_age, person.unit, person.superior_id) == (
        "IV/a", "jf_ahli_madya", 60, "Sekretariat", office.head.id)


def test_personnel_data_is_checked_all_or_nothing(office):
    person = office.employee
    with pytest.raises(InvalidInput) as caught:
        users.update_personnel(office.admin, person.id, users.PersonnelInput(
            position="Pelaksana baru", grade="V/z", birth_date=D(1980, 1, 1), retirement_age_override=80,
            superior_nip=office.employee.nip, position_kind="raja"))
    assert set(caught.value.errors) == {"grade", "birth_date", "retirement_age_override", "superior_nip",
                                        "position_kind"}
    assert "NIP" in caught.value.errors["birth_date"][0]
    db.session.expire_all()
    assert person.position == "Pelaksana"


def test_a_superior_below_the_person_would_make_a_loop(office):
    with pytest.raises(InvalidInput) as caught:
        users.update_personnel(office.admin, office.kabid.id, users.PersonnelInput(superior_nip=office.employee.nip))
    assert "bawahan" in caught.value.errors["superior_nip"][0]


def test_only_an_admin_records_personnel_data(office):
    with pytest.raises(Forbidden):
        users.update_personnel(office.officer, office.employee.id, users.PersonnelInput())
