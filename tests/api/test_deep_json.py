"""JSON nested thousands deep: a 422 in Indonesian on every endpoint that reads a JSON body, never a 500
(Python's json parser, json.dumps and any recursive walk of the value raise RecursionError long before 100 000)."""
from __future__ import annotations

import json

import pytest

from layani_flow.views.json_input import MAX_DEPTH, nesting_depth

from ..factories import CaseFactory
from ..services.helpers import COMPLAINT, counts

DEPTHS = [1_000, 10_000, 100_000]


def deep_array(depth: int) -> str:
    return "[" * depth + "]" * depth


def deep_object(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


SHAPES = {"array": deep_array, "object": deep_object}


@pytest.fixture
def endpoints(office):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="in_verification")
    return {
        "/api/v1/cases": '{"type": "complaint", "fields": {"subject": %s}}',
        f"/api/v1/cases/{case.id}/transitions": '{"trigger": "request_documents", "fields": %s}',
        f"/api/v1/cases/{case.id}/messages": '{"body": %s}',
        f"/api/v1/cases/{case.id}/assign": '{"assignee_nip": %s}',
        f"/api/v1/cases/{case.id}/documents/1/review": '{"decision": %s}',
    }


def post_raw(client, url: str, raw: str | bytes):
    data = raw.encode() if isinstance(raw, str) else raw
    return client.client.post(url, data=data, headers={**client._headers(), "Content-Type": "application/json"})


def assert_too_deep(response):
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == "invalid"
    assert "bersarang" in body["message"] and str(MAX_DEPTH) in body["message"]
    assert body["errors"] == {"body": [f"JSON boleh bersarang paling dalam {MAX_DEPTH} tingkat."]}


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_deep_json_answers_422_on_every_json_endpoint(api, office, endpoints, shape, depth):
    client = api(office.officer)
    deep = SHAPES[shape](depth)
    before = counts()
    for url, template in endpoints.items():
        assert_too_deep(post_raw(client, url, deep))  # the whole body
        assert_too_deep(post_raw(client, url, template % deep))  # inside one of its values
    assert counts() == before


def test_the_limit_is_the_depth_and_brackets_in_strings_do_not_count(api, office, endpoints):
    client = api(office.officer)
    url = next(u for u in endpoints if u.endswith("/messages"))
    just_too_deep = '{"body": ' + deep_array(MAX_DEPTH) + "}"  # the object is one level, the arrays the rest
    assert_too_deep(post_raw(client, url, just_too_deep))
    at_the_limit = '{"body": ' + deep_array(MAX_DEPTH - 1) + "}"
    r = post_raw(client, url, at_the_limit)
    assert r.status_code == 422 and r.get_json()["errors"] == {"body": ["Tuliskan pesan sebagai teks."]}
    brackets = "[{" * 2_000 + '\\"[' + "]}" * 10
    r = client.post(url, json={"body": brackets})
    assert r.status_code == 201, r.get_data(as_text=True)[:300]
    assert r.get_json()["comment"] == brackets


def test_nesting_under_the_limit_inside_fields_is_a_field_error(api, office):
    """Below the limit a nested field value never reaches storage (nor models.types._without_nul, which walks
    values recursively): json_formdata refuses anything but text, numbers and booleans, without recursing."""
    before = counts()
    nested = json.loads(deep_array(MAX_DEPTH - 3))
    r = api(office.employee).post("/api/v1/cases", json={"type": "complaint", "fields": {**COMPLAINT, "subject": nested}})
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["subject"]
    assert counts() == before


@pytest.mark.parametrize("text, depth", [
    ("", 0), ("1", 0), ('"[[["', 0), ("[]", 1), ("[[], {}]", 2), ('{"a": [{"b": "]]]]"}]}', 3),
    (r'["\"[[[", ["\\", [1]]]', 3), ("]]][[", 0), (deep_array(100_000), 100_000),
])
def test_nesting_depth_counts_brackets_outside_strings(text, depth):
    assert nesting_depth(text) == depth


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32-le", "utf-8-sig"])
def test_deep_json_in_any_encoding_json_accepts_answers_422(api, office, encoding):
    assert_too_deep(post_raw(api(office.officer), "/api/v1/cases", deep_array(10_000).encode(encoding)))
