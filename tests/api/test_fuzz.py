"""Arbitrary JSON at the writing endpoints: never a 5xx, errors always JSON, and a refusal writes nothing."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layani_flow import catalogue
from layani_flow.workflows import REGISTRY

from ..factories import CaseFactory
from ..services.helpers import COMPLAINT, CUTI, KGB, counts

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=3),  # lone surrogates, JSON-escaped
    st.sampled_from(["", " ", "\x00", "null", "true", "0", "-1", "1e999", "١٢", "²", "<script>", "'; DROP TABLE cases;--",
                     "199001012015031001", "2026-02-30", "2026-12-21", "y", "on"]),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "😀"]), st.sampled_from([201, 5001, 70_000])),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80),
                    st.floats(allow_nan=True, allow_infinity=True), text)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)

FIELD_NAMES = sorted({"service", "subject", "description", "category", "anonymous", "reported_nip", "other_party_nip",
                      "relation", "discipline_concern", "desired_outcome", "external_body", "mediator_nip"}
                     | {f.name for s in catalogue.SERVICES.values() for f in s.fields})
BASES = [KGB, CUTI, COMPLAINT, {**COMPLAINT, "anonymous": True}]
TRIGGERS = sorted({s.trigger for wf in REGISTRY.values() for s in wf.steps})


def fields_dicts():
    """Real field names with arbitrary values, or a valid intake with one field spoiled."""
    arbitrary = st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), json_values, max_size=8)
    spoiled = st.builds(lambda base, key, value: {**base, key: value}, st.sampled_from(BASES),
                        st.sampled_from(FIELD_NAMES), json_values)
    return arbitrary | spoiled | st.sampled_from(BASES)


def bodies(keys: dict, likely: dict | None = None) -> st.SearchStrategy:
    """A JSON object with these keys each present or not; or any JSON value at all; or, to reach deep into the
    service, an object whose `likely` keys hold plausible values."""
    shapes = [st.fixed_dictionaries({}, optional=keys), json_values]
    if likely:
        shapes.append(st.fixed_dictionaries(likely, optional={k: v for k, v in keys.items() if k not in likely}))
    return st.one_of(*shapes)


def check(response, before):
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    if response.status_code >= 400:
        body = response.get_json()
        assert isinstance(body, dict) and isinstance(body.get("error"), str) and isinstance(body.get("message"), str)
        assert counts() == before, "a refused request wrote something"


@pytest.fixture
def clients(api, office):
    return {who: api(getattr(office, who)) for who in ("employee", "officer", "officer2", "kasubbag", "admin")}


@pytest.fixture
def targets(office):
    return [
        CaseFactory(requester=office.employee, owner=office.officer, state="in_verification"),
        CaseFactory(requester=office.employee, owner=office.officer, state="processing"),
        CaseFactory(case_type="complaint", service=None, requester=office.employee, owner=office.officer,
                    state="triaged"),
        CaseFactory(case_type="mediation", service=None, requester=office.employee, other_party=office.colleague),
    ]


@FUZZ
@given(who=st.sampled_from(["employee", "officer", "admin"]),
       body=bodies({"type": st.sampled_from(sorted(REGISTRY)) | json_values, "fields": fields_dicts() | json_values},
                   likely={"type": st.sampled_from(sorted(REGISTRY)), "fields": fields_dicts()}))
def test_fuzz_filing(clients, who, body):
    before = counts()
    check(clients[who].post("/api/v1/cases", json=body), before)


@FUZZ
@given(who=st.sampled_from(["employee", "officer", "officer2", "kasubbag", "admin"]), target=st.integers(0, 3),
       body=bodies({"trigger": st.sampled_from(TRIGGERS) | json_values,
                    "version": st.integers(0, 6) | json_values,
                    "comment": text | json_values,
                    "fields": fields_dicts() | json_values},
                   likely={"trigger": st.sampled_from(TRIGGERS), "version": st.integers(1, 3),
                           "comment": text}))
def test_fuzz_transitions(clients, targets, who, target, body):
    before = counts()
    check(clients[who].post(f"/api/v1/cases/{targets[target].id}/transitions", json=body), before)


@FUZZ
@given(who=st.sampled_from(["employee", "officer", "officer2", "admin"]), target=st.integers(0, 3),
       body=bodies({"body": text | json_values, "internal": json_values}, likely={"body": text}))
def test_fuzz_messages(clients, targets, who, target, body):
    before = counts()
    check(clients[who].post(f"/api/v1/cases/{targets[target].id}/messages", json=body), before)
