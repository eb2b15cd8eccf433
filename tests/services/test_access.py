"""can_view (one case, in Python) and visible_cases (a SQL filter) must state the same rule."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import Case
from layani_flow.models.sla import SlaNotice
from layani_flow.services.access import TrackedFiler, can_view, leads_anyone, tags_for, visible_cases
from layani_flow.workflows import REGISTRY

from ..factories import START, CaseFactory
from .helpers import count_statements

PEOPLE = ("head", "kasubbag", "officer", "officer2", "kabid", "employee", "colleague", "admin", "outsider")


@st.composite
def case_specs(draw):
    case_type = draw(st.sampled_from(sorted(REGISTRY)))
    anonymous = case_type == "complaint" and draw(st.booleans())
    requester = None if anonymous else draw(st.sampled_from(PEOPLE))
    others = [p for p in PEOPLE if p != requester]
    if case_type == "mediation":
        other_party = draw(st.sampled_from(others))
    else:  # a complaint's reported person; on a service request the column is unused but allowed
        other_party = draw(st.none() | st.sampled_from(others))
    parties = {requester, other_party}
    owners = [p for p in PEOPLE if case_type != "mediation" or p not in parties]
    return dict(
        case_type=case_type, anonymous=anonymous, requester=requester, other_party=other_party,
        owner=draw(st.none() | st.sampled_from(owners)),
        state=draw(st.sampled_from(sorted(REGISTRY[case_type].states))),
        involved=draw(st.booleans()),
        alerted=draw(st.sets(st.sampled_from(PEOPLE), max_size=2)),
    )


def build(office, spec, n) -> Case:
    person = lambda key: getattr(office, key).id if key else None  # noqa: E731
    case = Case(
        case_type=spec["case_type"], service="kgb" if spec["case_type"] == "service_request" else None,
        title="uji", state=spec["state"], fields={}, requester_id=person(spec["requester"]),
        owner_id=person(spec["owner"]), other_party_id=person(spec["other_party"]),
        is_other_party_involved=spec["involved"], is_anonymous=spec["anonymous"],
        tracking_code_hash=f"{n:064d}" if spec["anonymous"] else None, created_at=START, updated_at=START)
    db.session.add(case)
    db.session.flush()
    for i, key in enumerate(sorted(spec["alerted"])):
        db.session.add(SlaNotice(case_id=case.id, clock="resolution", cycle=0, level=i, recipient_id=person(key),
                                 at=START))
    return case


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(case_specs(), min_size=1, max_size=6))
def test_can_view_agrees_with_visible_cases(app, office, specs):
    try:
        built = [build(office, spec, n) for n, spec in enumerate(specs)]
        db.session.flush()
        ids = [c.id for c in built]
        viewers = [getattr(office, p) for p in PEOPLE] + [TrackedFiler(ids[0]), TrackedFiler(-1), None]
        for viewer in viewers:
            listed = set(db.session.scalars(select(Case.id).where(visible_cases(viewer), Case.id.in_(ids))))
            viewable = {c.id for c in built if can_view(c, viewer)}
            assert listed == viewable, (getattr(viewer, "name", viewer), specs)
    finally:
        db.session.rollback()


# -- the rule itself, stated case by case ------------------------------------------------------------------

RULES = {
    # (case setup, person): sees?
    "requester sees own request": (dict(), "employee", True),
    "direct superior sees a subordinate's request": (dict(), "kabid", True),
    "superior's superior too": (dict(), "head", True),
    "a colleague does not": (dict(), "colleague", False),
    "an unrelated supervisor does not": (dict(), "outsider", False),
    "any officer sees desk work": (dict(), "officer2", True),
    "admin sees desk work": (dict(), "admin", True),
    "superior does not see a subordinate's complaint": (dict(case_type="complaint", service=None), "kabid", False),
    "officer sees a complaint": (dict(case_type="complaint", service=None), "officer", True),
    "the reported person, even an officer, does not": (
        dict(case_type="complaint", service=None, other_party="officer"), "officer", False),
    "officer does not see a mediation": (
        dict(case_type="mediation", service=None, other_party="colleague"), "officer", False),
    "a supervisor sees a mediation": (
        dict(case_type="mediation", service=None, other_party="colleague"), "outsider", True),
    "the other party before being brought in": (
        dict(case_type="mediation", service=None, other_party="colleague"), "colleague", False),
    "the other party once brought in": (
        dict(case_type="mediation", service=None, other_party="colleague", is_other_party_involved=True),
        "colleague", True),
    "a supervisor who is the other party, not yet involved": (
        dict(case_type="mediation", service=None, other_party="kabid"), "kabid", False),
    "the mediator, an officer": (
        dict(case_type="mediation", service=None, other_party="colleague", owner="officer"), "officer", True),
}


@pytest.mark.parametrize("setup, who, expected", RULES.values(), ids=RULES.keys())
def test_visibility_rules(office, setup, who, expected):
    setup = dict(setup)
    for relation in ("other_party", "owner"):
        if relation in setup:
            setup[relation] = getattr(office, setup[relation])
    case = CaseFactory(requester=office.employee, **setup)
    user = getattr(office, who)
    assert can_view(case, user) is expected
    assert (db.session.scalar(select(Case.id).where(visible_cases(user), Case.id == case.id)) is not None) is expected


def test_tags_name_roles_and_relations(office):
    case = CaseFactory(case_type="mediation", service=None, requester=office.employee, other_party=office.kabid,
                       owner=office.officer, is_other_party_involved=True)
    # A party is only a party on its own case: neither its role nor its place above the requester counts there.
    assert tags_for(case, office.employee) == {"requester"}
    assert tags_for(case, office.officer) == {"officer", "owner", "mediator"}
    assert tags_for(case, office.kabid) == {"other_party"}
    assert tags_for(case, office.head) == {"supervisor", "requester_superior"}
    assert tags_for(case, None) == frozenset()
    assert tags_for(case, TrackedFiler(case.id)) == {"requester"}
    assert tags_for(case, TrackedFiler(case.id + 1)) == frozenset()


def test_the_superior_chain_is_in_the_rule_only_for_someone_who_leads_anyone(app, office):
    """Most people lead nobody: their rule leaves out the chain's recursive CTEs, which PostgreSQL would plan
    on every list, and says the same (test_can_view_agrees_with_visible_cases covers both kinds of people)."""
    def sql(user) -> str:
        return str(select(Case.id).where(visible_cases(user)).compile(db.engine)).upper()

    assert "RECURSIVE" not in sql(office.employee) and "RECURSIVE" not in sql(office.officer)
    assert "RECURSIVE" in sql(office.kabid) and "RECURSIVE" in sql(office.head)
    assert not leads_anyone(office.employee.id) and leads_anyone(office.kabid.id)


def test_whether_someone_leads_anyone_is_asked_once_a_request(app, office):
    db.session.refresh(office.kabid)  # loaded before counting
    with app.test_request_context("/"), count_statements() as statements:
        for _ in range(3):
            visible_cases(office.kabid)
    assert statements.count == 1
