"""services.inbox: what waits on each role now, in what order, at a constant cost, and never a case its owner
may not see."""
from __future__ import annotations

import pytest

from layani_flow.models import OutboxMessage
from layani_flow.services import cases as case_service
from layani_flow.services import escalations, inbox
from layani_flow.services.access import can_view
from layani_flow.services.sweep import sweep_due_cases

from ..factories import UserFactory
from ..scenarios import FILED_WEDNESDAY, LEVEL_1
from ..services.helpers import COMPLAINT, CUTI, KGB, count_statements, mediation_data
from ..timekit import wib


def reasons(person) -> dict[str, str]:
    """{ref: reason} of the person's inbox."""
    return {item.case.ref: item.reason for item in inbox.inbox_for(person)}


def fire(case, trigger, actor, comment=""):
    return case_service.transition_case(case.id, trigger, actor, case.version, comment)


@pytest.fixture
def cuti(clock, desk):
    clock.set(FILED_WEDNESDAY)
    return case_service.open_case("service_request", CUTI, desk.employee).case


def test_a_cuti_waits_on_the_superior_and_only_they_are_asked(cuti, desk, db):
    assert cuti.state == "awaiting_superior"
    assert reasons(desk.kabid) == {cuti.ref: "approval"}
    assert reasons(desk.employee) == {}  # nothing waits on the employee: they wait on their superior
    # The desk does not see a case still waiting on the superior as unclaimed work.
    assert cuti.ref not in reasons(desk.officer)
    assert cuti.ref not in reasons(desk.kasubbag)
    # The head of office is above the kabid, but it is the kabid's approval to give.
    assert cuti.ref not in reasons(desk.head)
    mail = db.session.query(OutboxMessage).filter(OutboxMessage.to_addr == desk.kabid.email).all()
    assert [m.dedupe_key for m in mail] == [f"approval:{cuti.id}:1:0"]


def test_once_approved_it_leaves_the_approver_and_reaches_the_desk_unclaimed(cuti, desk):
    fire(cuti, "superior_approve", desk.kabid)
    assert reasons(desk.kabid) == {}
    assert reasons(desk.officer) == {cuti.ref: "unclaimed"}
    assert reasons(desk.kasubbag)[cuti.ref] == "unclaimed"  # the desk head
    assert cuti.ref not in reasons(desk.admin)  # admins configure the system; they do not work cases


def test_a_revision_waits_on_the_requester_then_the_resubmission_on_the_owner(clock, desk):
    case = case_service.open_case("service_request", KGB, desk.employee).case
    case = fire(case, "start_verification", desk.officer)
    case = fire(case, "request_revision", desk.officer, "SK terakhir belum dilampirkan.")
    assert reasons(desk.employee) == {case.ref: "revision"}
    assert case.ref not in reasons(desk.officer)
    clock.advance(hours=1)
    case = fire(case, "resubmit", desk.employee)
    assert reasons(desk.employee) == {}
    assert reasons(desk.officer) == {case.ref: "resubmitted"}
    clock.advance(minutes=5)
    case_service.add_message(case.id, desk.officer, "Mohon konfirmasi golongan Anda.")
    assert reasons(desk.officer) == {}  # the officer moved last
    assert reasons(desk.employee) == {case.ref: "question"}
    clock.advance(minutes=5)
    case_service.add_message(case.id, desk.employee, "Golongan saya III/c.")
    assert reasons(desk.employee) == {}
    assert reasons(desk.officer) == {case.ref: "replied"}


def test_an_escalation_reaches_the_inbox_with_take_charge_at_hand(clock, desk, kgb_filed_wednesday):
    clock.set(LEVEL_1)
    sweep_due_cases()
    [item] = [i for i in inbox.inbox_for(desk.kasubbag) if i.case.id == kgb_filed_wednesday.id]
    assert item.reason == "escalated_to_you"
    assert "unclaimed" in item.also and "escalated" in item.also  # the other reasons, kept
    escalations.take_charge(kgb_filed_wednesday.id, desk.kasubbag, kgb_filed_wednesday.version)
    assert "escalated_to_you" not in {i.reason for i in inbox.inbox_for(desk.kasubbag)}


def test_take_charge_is_refused_to_someone_no_escalation_went_to(clock, desk, kgb_filed_wednesday):
    from layani_flow.services.errors import Forbidden

    with pytest.raises(Forbidden):
        escalations.take_charge(kgb_filed_wednesday.id, desk.head, kgb_filed_wednesday.version)


def test_the_owner_sees_due_soon_then_overdue_and_their_lead_sees_the_team_overdue(clock, desk, kgb_filed_wednesday):
    case = fire(kgb_filed_wednesday, "start_verification", desk.officer)
    assert reasons(desk.officer) == {}
    clock.set(wib(2026, 12, 2, 10, 0))  # resolution: past its 75 % warning, before 2 December 16.00
    assert reasons(desk.officer) == {case.ref: "due_soon"}
    clock.set(wib(2026, 12, 3, 8, 0))
    assert reasons(desk.officer) == {case.ref: "overdue"}
    assert reasons(desk.kasubbag)[case.ref] == "team_overdue"
    assert case.ref not in reasons(desk.kabid)  # not their team


def test_most_urgent_first(clock, desk):
    clock.set(FILED_WEDNESDAY)
    mine = case_service.open_case("service_request", CUTI, desk.officer).case  # the officer's own cuti
    subordinate = UserFactory(name="Staf Petugas", superior=desk.officer)
    asked = case_service.open_case("service_request", CUTI, subordinate).case
    unclaimed = case_service.open_case("service_request", KGB, desk.employee).case
    order = [i.reason for i in inbox.inbox_for(desk.officer)]
    assert order == ["approval", "unclaimed"]  # an officer who is also a superior gets both
    refs = [i.case.ref for i in inbox.inbox_for(desk.officer)]
    assert refs == [asked.ref, unclaimed.ref] and mine.ref not in refs


def _costs(desk) -> dict[str, tuple[int, int]]:
    """(statements, items) of each role's inbox."""
    costs = {}
    for who in ("kabid", "officer", "kasubbag", "employee"):
        with count_statements() as counted:
            items = inbox.inbox_for(getattr(desk, who))
        costs[who] = (counted.count, len(items))
    return costs


def test_an_inbox_costs_the_same_queries_with_1_or_50_items(clock, desk):
    clock.set(FILED_WEDNESDAY)

    def file(n: int) -> None:
        for _ in range(n):
            case_service.open_case("service_request", CUTI, desk.employee)
            kgb = case_service.open_case("service_request", KGB, desk.colleague).case
            revision = case_service.open_case("service_request", KGB, desk.employee).case
            revision = fire(fire(revision, "start_verification", desk.officer), "request_revision", desk.officer, "Lengkapi.")
            del kgb

    file(1)
    one = _costs(desk)
    file(49)
    fifty = _costs(desk)
    assert {who: cost for who, (cost, _) in one.items()} == {who: cost for who, (cost, _) in fifty.items()}
    assert fifty["kabid"][1] == 50 and fifty["officer"][1] == 50 and fifty["employee"][1] == 50


def test_the_header_count_is_the_inbox_length_when_each_source_is_cut_short(clock, desk, monkeypatch):
    """count_for counts the same first rows of each source as the inbox lists (this module's autouse fixture
    compares the two at every inbox_for), also when a case is named by several sources that are each cut."""
    monkeypatch.setattr(inbox, "LIMIT_PER_SOURCE", 3)
    clock.set(FILED_WEDNESDAY)
    for _ in range(5):
        case_service.open_case("service_request", CUTI, desk.employee)
        case_service.open_case("service_request", KGB, desk.colleague)
        claimed = case_service.open_case("service_request", KGB, desk.employee).case
        fire(claimed, "start_verification", desk.officer)
    clock.set(FILED_WEDNESDAY.replace(day=10, month=12))  # everything overdue, escalated up the chain
    sweep_due_cases()
    lengths = {who: len(inbox.inbox_for(getattr(desk, who)))
               for who in ("head", "kasubbag", "officer", "officer2", "kabid", "employee", "colleague")}
    assert lengths["kasubbag"] > 3 and lengths["officer"] > 3  # more than one cut source adds up


def test_nothing_in_an_inbox_that_its_owner_may_not_see(clock, desk):
    """Every kind of case, every role: each item is a case the person may read (services.access.can_view),
    and confidential cases reach nobody who takes no part in them."""
    clock.set(FILED_WEDNESDAY)
    outsider_staff = UserFactory(name="Staf Bidang Lain", superior=desk.outsider)
    case_service.open_case("service_request", CUTI, desk.employee)
    case_service.open_case("service_request", CUTI, outsider_staff)
    case_service.open_case("service_request", KGB, desk.colleague)
    case_service.open_case("complaint", {**COMPLAINT, "category": "pengaduan"}, None, anonymous=True)
    case_service.open_case("complaint", COMPLAINT, desk.colleague)
    mediation = case_service.open_case("mediation", mediation_data(desk.kabid), desk.employee).case
    claimed = case_service.open_case("service_request", KGB, desk.employee).case
    fire(claimed, "start_verification", desk.officer)
    clock.set(FILED_WEDNESDAY.replace(day=10, month=12))  # everything overdue
    sweep_due_cases()
    people = [desk.head, desk.kasubbag, desk.officer, desk.officer2, desk.kabid, desk.employee, desk.colleague,
              desk.admin, desk.outsider, outsider_staff]
    seen_any = False
    for person in people:
        for item in inbox.inbox_for(person):
            seen_any = True
            assert can_view(item.case, person), (person.name, item.case.ref, item.reason)
    assert seen_any
    # The mediation's other party (the kabid, before being brought in) never finds it in the inbox.
    assert mediation.ref not in reasons(desk.kabid)
    # An approval is never asked of someone outside the requester's chain.
    assert all(i.reason != "approval" for i in inbox.inbox_for(desk.outsider)
               if i.case.requester_id != outsider_staff.id)
