"""Mediation is confidential and its mediator is never a party; a complaint's reported person never reads it."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from layani_flow.extensions import db
from layani_flow.models import Case
from layani_flow.services import cases
from layani_flow.services.access import can_view, visible_cases
from layani_flow.services.errors import InvalidInput, NotFound, TransitionNotAllowed
from layani_flow.workflows.guards import mediator_not_party

from ..factories import CaseFactory, UserFactory
from .helpers import COMPLAINT, mediation_data


@pytest.fixture
def mediation(office):
    """office.employee asks for mediation with office.kabid (their atasan)."""
    return cases.open_case("mediation", mediation_data(office.kabid), office.employee).case


def sees(user, case) -> bool:
    in_list = db.session.scalar(select(Case.id).where(visible_cases(user), Case.id == case.id)) is not None
    assert can_view(case, user) is in_list, "can_view and visible_cases disagree"
    return in_list


def assign(case, actor, mediator):
    return cases.transition_case(case.id, "assign_mediator", actor, case.version, "",
                                 {"mediator_nip": mediator.nip})


def test_who_sees_a_mediation_as_it_goes(office, mediation):
    people = ["employee", "kabid", "officer", "officer2", "head", "kasubbag", "admin", "outsider", "colleague"]

    def seen_by():
        db.session.expire_all()
        case = db.session.get(Case, mediation.id)
        return {p for p in people if sees(getattr(office, p), case)}

    # Before a mediator: the requester and supervisors/admins who are not parties.
    assert seen_by() == {"employee", "head", "kasubbag", "admin", "outsider"}
    case = assign(mediation, office.kasubbag, office.officer)
    assert case.owner_id == office.officer.id and case.state == "mediator_assigned"
    # The mediator (an officer) now sees it; the other officer does not; the other party not yet.
    assert seen_by() == {"employee", "officer", "head", "kasubbag", "admin", "outsider"}
    case = cases.transition_case(case.id, "bring_in_other_party", office.officer, case.version, "Undangan mediasi.")
    assert case.is_other_party_involved and case.state == "in_mediation"
    assert seen_by() == {"employee", "kabid", "officer", "head", "kasubbag", "admin", "outsider"}
    assert "other_party" in cases.tags_for(case, office.kabid)


@pytest.mark.parametrize("party", ["requester", "other_party"])
def test_a_party_can_never_be_the_mediator(office, party):
    # Both parties are desk staff here, so only the party rule can refuse them.
    requester = UserFactory(role="officer")
    case = cases.open_case("mediation", mediation_data(office.kasubbag), requester).case
    chosen = requester if party == "requester" else office.kasubbag
    with pytest.raises(TransitionNotAllowed) as info:
        assign(case, office.head, chosen)
    assert info.value.message == mediator_not_party.message
    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    assert (stored.owner_id, stored.state) == (None, "submitted")


def test_a_mediator_must_be_desk_staff(office, mediation):
    with pytest.raises(InvalidInput) as info:
        assign(mediation, office.head, office.colleague)
    assert "mediator_nip" in info.value.errors


def test_only_supervisors_and_admins_assign_a_mediator_and_not_by_claiming(office, mediation):
    with pytest.raises(NotFound):  # an officer cannot even see an unassigned mediation
        assign(mediation, office.officer, office.officer)
    with pytest.raises(cases.Forbidden):
        assign(mediation, office.employee, office.officer)
    with pytest.raises(TransitionNotAllowed):
        cases.claim_case(mediation.id, office.admin, mediation.version)


@pytest.mark.parametrize("column", ["requester_id", "other_party_id"])
def test_the_database_refuses_a_party_as_mediator_even_when_forced(office, mediation, column):
    party_id = getattr(mediation, column)
    with pytest.raises(IntegrityError, match="mediator_not_party"):
        db.session.execute(update(Case).where(Case.id == mediation.id).values(owner_id=party_id))
    db.session.rollback()
    with pytest.raises(IntegrityError, match="mediator_not_party"):
        CaseFactory(case_type="mediation", requester=office.employee, other_party=office.kabid,
                    owner_id=office.employee.id if column == "requester_id" else office.kabid.id)
    db.session.rollback()


def test_the_mediator_ends_the_mediation(office, mediation):
    case = assign(mediation, office.head, office.kasubbag)
    case = cases.transition_case(case.id, "bring_in_other_party", office.kasubbag, case.version, "Undangan.")
    with pytest.raises(cases.Forbidden):
        cases.transition_case(case.id, "record_agreement", office.employee, case.version, "Sepakat.")
    case = cases.transition_case(case.id, "record_agreement", office.kasubbag, case.version, "Sepakat.")
    assert case.state == "resolved" and case.closed_at is not None


@pytest.mark.parametrize("reported_role", ["employee", "officer", "supervisor", "admin"])
def test_a_complaints_reported_person_never_sees_it(office, reported_role):
    reported = UserFactory(role=reported_role)
    named = cases.open_case("complaint", {**COMPLAINT, "reported_nip": reported.nip}, office.employee).case
    anonymous = cases.open_case("complaint", {**COMPLAINT, "reported_nip": reported.nip}, None, anonymous=True).case
    for case in (named, anonymous):
        assert case.other_party_id == reported.id
        assert not sees(reported, case)
        with pytest.raises(NotFound):
            cases.get_case(case.id, reported)
        with pytest.raises(NotFound):
            cases.add_message(case.id, reported, "saya keberatan")
    if reported_role == "officer":
        with pytest.raises(NotFound):
            cases.claim_case(named.id, reported, named.version)
    assert sees(office.officer, named) and sees(office.admin, anonymous)
