"""Who may do what through the API: every route × every role or relation × every kind of case.

Read a row as: this route, called by each of these people, on a fresh case of that scenario, answers this.
`Y`/`N`: the case is / is not in that person's GET /api/v1/cases. `–`: that relation does not exist there.
"""
from __future__ import annotations

import datetime as dt
import io

import pytest

from layani_flow.services.users import create_token

from ..conftest import module_app
from ..factories import CaseDocumentFactory, CaseFactory, ConsultationSlotFactory, anonymous_complaint
from ..scenarios import build_cast
from ..services.helpers import COMPLAINT, KGB, mediation_data
from ..services.samples import PDF

Y, N, _ = "listed", "hidden", None
RELATIONS = ("requester", "stranger", "superior", "other_party", "officer", "owner", "supervisor", "admin", "head",
             "desk_filer", "no_token")
# head        the desk head (DESK_HEAD_NIP): claims or reassigns any desk case, and works none through the steps
# desk_filer  an officer who filed the case themselves (the case is set up with them as its requester): a
#             party on the desk, who acts on it only as a requester does
# superior    the requester's line supervisor: sees a request, never handles it; admins do not handle cases

CAST_NAME = {"other_party": "party", "supervisor": "outsider"}  # what build_cast (tests/scenarios.py) calls them

# Scenarios (set up in SCENARIOS below):
#   unclaimed           KGB request just filed, nobody has it yet (what the officer-filer tried to take)
#   service_request     KGB request in verification, owned by an officer
#   complaint           named complaint, answered by its owner, about a colleague (the "other party")
#   anonymous           anonymous complaint being handled; "requester" is the account of whoever filed it
#   mediation           a mediator (an officer, "owner") named; the other party not yet brought in
#   mediation_involved  the same after bring_in_other_party
#   consultation        a ConsDesk booking, not yet confirmed by its officer ("owner"); POST cases books a fresh slot
EXPECTED = {
    #                            req   strgr sup   other offcr owner superv admin head  dfiler no_token
    "unclaimed": {
        "GET case-types":        (200,  200,  200,  _,    200,  _,    200,  200,  200,  200,  401),
        "POST cases":            (201,  201,  201,  _,    201,  _,    201,  201,  201,  201,  401),
        "GET case":              (200,  404,  200,  _,    200,  _,    404,  200,  200,  200,  401),
        "GET cases":             (Y,    N,    Y,    _,    Y,    _,    N,    Y,    Y,    Y,    401),
        "owner's step":          (403,  404,  403,  _,    200,  _,    404,  403,  403,  403,  401),
        "requester's step":      (200,  404,  403,  _,    403,  _,    404,  403,  403,  200,  401),
        "message":               (201,  404,  201,  _,    201,  _,    404,  201,  201,  201,  401),
        "internal note":         (403,  404,  201,  _,    201,  _,    404,  201,  201,  403,  401),
        "assign (claim)":        (403,  404,  403,  _,    200,  _,    404,  403,  200,  403,  401),
        "upload":                (201,  404,  403,  _,    403,  _,    404,  403,  403,  201,  401),
        "review document":       (403,  404,  403,  _,    403,  _,    404,  403,  403,  403,  401),
    },
    "service_request": {
        "GET case-types":        (200,  200,  200,  _,    200,  200,  200,  200,  200,  200,  401),
        "POST cases":            (201,  201,  201,  _,    201,  201,  201,  201,  201,  201,  401),
        "GET case":              (200,  404,  200,  _,    200,  200,  404,  200,  200,  200,  401),
        "GET cases":             (Y,    N,    Y,    _,    Y,    Y,    N,    Y,    Y,    Y,    401),
        "owner's step":          (403,  404,  403,  _,    403,  200,  404,  403,  403,  403,  401),
        "requester's step":      (200,  404,  403,  _,    403,  403,  404,  403,  403,  200,  401),
        "message":               (201,  404,  201,  _,    201,  201,  404,  201,  201,  201,  401),
        "internal note":         (403,  404,  201,  _,    201,  201,  404,  201,  201,  403,  401),
        "assign (claim)":        (403,  404,  403,  _,    409,  409,  404,  403,  200,  403,  401),
        "upload":                (201,  404,  403,  _,    403,  201,  404,  403,  403,  201,  401),
        "review document":       (403,  404,  403,  _,    403,  200,  404,  403,  403,  403,  401),
    },
    "complaint": {
        "GET case-types":        (200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
        "POST cases":            (201,  201,  201,  422,  201,  201,  201,  201,  201,  201,  401),
        "GET case":              (200,  404,  404,  404,  200,  200,  404,  200,  200,  200,  401),
        "GET cases":             (Y,    N,    N,    N,    Y,    Y,    N,    Y,    Y,    Y,    401),
        "owner's step":          (200,  404,  404,  404,  403,  200,  404,  403,  403,  200,  401),
        "requester's step":      (200,  404,  404,  404,  403,  403,  404,  403,  403,  200,  401),
        "message":               (201,  404,  404,  404,  201,  201,  404,  201,  201,  201,  401),
        "internal note":         (403,  404,  404,  404,  201,  201,  404,  201,  201,  403,  401),
        "assign (claim)":        (403,  404,  404,  404,  409,  409,  404,  403,  200,  403,  401),
        "upload":                (201,  404,  404,  404,  403,  201,  404,  403,  403,  201,  401),
        "review document":       (403,  404,  404,  404,  403,  200,  404,  403,  403,  403,  401),
    },
    "anonymous": {
        "GET case-types":        (200,  200,  200,  _,    200,  200,  200,  200,  200,  _,    401),
        "POST cases":            (201,  201,  201,  _,    201,  201,  201,  201,  201,  _,    401),
        "GET case":              (404,  404,  404,  _,    200,  200,  404,  200,  200,  _,    401),
        "GET cases":             (N,    N,    N,    _,    Y,    Y,    N,    Y,    Y,    _,    401),
        "owner's step":          (404,  404,  404,  _,    403,  200,  404,  403,  403,  _,    401),
        "requester's step":      (404,  404,  404,  _,    403,  403,  404,  403,  403,  _,    401),
        "message":               (404,  404,  404,  _,    201,  201,  404,  201,  201,  _,    401),
        "internal note":         (404,  404,  404,  _,    201,  201,  404,  201,  201,  _,    401),
        "assign (claim)":        (404,  404,  404,  _,    409,  409,  404,  403,  200,  _,    401),
        "upload":                (404,  404,  404,  _,    403,  201,  404,  403,  403,  _,    401),
        "review document":       (404,  404,  404,  _,    403,  200,  404,  403,  403,  _,    401),
    },
    "mediation": {
        "GET case-types":        (200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
        "POST cases":            (201,  201,  201,  422,  201,  201,  201,  201,  201,  201,  401),
        "GET case":              (200,  404,  200,  404,  404,  200,  200,  200,  200,  200,  401),
        "GET cases":             (Y,    N,    Y,    N,    N,    Y,    Y,    Y,    Y,    Y,    401),
        "owner's step":          (403,  404,  403,  404,  404,  200,  403,  403,  403,  403,  401),
        "requester's step":      (200,  404,  403,  404,  404,  403,  403,  403,  403,  200,  401),
        "message":               (201,  404,  201,  404,  404,  201,  201,  201,  201,  201,  401),
        "internal note":         (403,  404,  201,  404,  404,  201,  201,  201,  201,  403,  401),
        "assign (claim)":        (409,  404,  409,  404,  404,  409,  409,  409,  409,  409,  401),
        "upload":                (201,  404,  403,  404,  404,  201,  403,  403,  403,  201,  401),
        "review document":       (403,  404,  403,  404,  404,  200,  403,  403,  403,  403,  401),
    },
    "chat_waiting": {  # a chat nobody has taken: the requester's superior does not read chats
        "GET case-types":        (200,  200,  200,  _,    200,  _,    200,  200,  200,  200,  401),
        "POST cases":            (201,  201,  201,  _,    201,  _,    201,  201,  201,  201,  401),
        "GET case":              (200,  404,  404,  _,    200,  _,    404,  200,  200,  200,  401),
        "GET cases":             (Y,    N,    N,    _,    Y,    _,    N,    Y,    Y,    Y,    401),
        "owner's step":          (403,  404,  404,  _,    200,  _,    404,  403,  403,  403,  401),
        "requester's step":      (200,  404,  404,  _,    403,  _,    404,  403,  403,  200,  401),
        "message":               (201,  404,  404,  _,    201,  _,    404,  201,  201,  201,  401),
        "internal note":         (403,  404,  404,  _,    201,  _,    404,  201,  201,  403,  401),
        "assign (claim)":        (403,  404,  404,  _,    200,  _,    404,  403,  200,  403,  401),
        "upload":                (201,  404,  404,  _,    403,  _,    404,  403,  403,  201,  401),
        "review document":       (403,  404,  404,  _,    403,  _,    404,  403,  403,  403,  401),
    },
    "chat_active": {  # an officer is chatting ("close" is both the owner's and the requester's step)
        "GET case-types":        (200,  200,  200,  _,    200,  200,  200,  200,  200,  200,  401),
        "POST cases":            (201,  201,  201,  _,    201,  201,  201,  201,  201,  201,  401),
        "GET case":              (200,  404,  404,  _,    200,  200,  404,  200,  200,  200,  401),
        "GET cases":             (Y,    N,    N,    _,    Y,    Y,    N,    Y,    Y,    Y,    401),
        "owner's step":          (200,  404,  404,  _,    403,  200,  404,  403,  403,  200,  401),
        "requester's step":      (200,  404,  404,  _,    403,  200,  404,  403,  403,  200,  401),
        "message":               (201,  404,  404,  _,    201,  201,  404,  201,  201,  201,  401),
        "internal note":         (403,  404,  404,  _,    201,  201,  404,  201,  201,  403,  401),
        "assign (claim)":        (403,  404,  404,  _,    409,  409,  404,  403,  200,  403,  401),
        "upload":                (201,  404,  404,  _,    403,  201,  404,  403,  403,  201,  401),
        "review document":       (403,  404,  404,  _,    403,  200,  404,  403,  403,  403,  401),
    },
    "mediation_involved": {
        "GET case-types":        (200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
        "POST cases":            (201,  201,  201,  422,  201,  201,  201,  201,  201,  201,  401),
        "GET case":              (200,  404,  200,  200,  404,  200,  200,  200,  200,  200,  401),
        "GET cases":             (Y,    N,    Y,    Y,    N,    Y,    Y,    Y,    Y,    Y,    401),
        "owner's step":          (403,  404,  403,  403,  404,  200,  403,  403,  403,  403,  401),
        "requester's step":      (409,  404,  403,  403,  404,  403,  403,  403,  403,  409,  401),
        "message":               (201,  404,  201,  201,  404,  201,  201,  201,  201,  201,  401),
        "internal note":         (403,  404,  201,  403,  404,  201,  201,  201,  201,  403,  401),
        "assign (claim)":        (409,  404,  409,  409,  404,  409,  409,  409,  409,  409,  401),
        "upload":                (201,  404,  403,  403,  404,  201,  403,  403,  403,  201,  401),
        "review document":       (403,  404,  403,  403,  404,  200,  403,  403,  403,  403,  401),
    },
    "consultation": {
        "GET case-types":        (200,  200,  200,  _,    200,  200,  200,  200,  200,  200,  401),
        "POST cases":            (201,  201,  201,  _,    201,  201,  201,  201,  201,  201,  401),
        "GET case":              (200,  404,  404,  _,    200,  200,  404,  200,  200,  200,  401),
        "GET cases":             (Y,    N,    N,    _,    Y,    Y,    N,    Y,    Y,    Y,    401),
        "owner's step":          (403,  404,  404,  _,    403,  200,  404,  403,  403,  403,  401),
        "requester's step":      (200,  404,  404,  _,    403,  403,  404,  403,  403,  200,  401),
        "message":               (201,  404,  404,  _,    201,  201,  404,  201,  201,  201,  401),
        "internal note":         (403,  404,  404,  _,    201,  201,  404,  201,  201,  403,  401),
        "assign (claim)":        (409,  404,  404,  _,    409,  409,  404,  409,  409,  409,  401),
        "upload":                (201,  404,  404,  _,    403,  201,  404,  403,  403,  201,  401),
        "review document":       (403,  404,  404,  _,    403,  200,  404,  403,  403,  403,  401),
    },
}

# scenario: (case type, case attributes, owner's trigger, requester's trigger, intake body for POST cases)
SCENARIOS = {
    "unclaimed": ("service_request", dict(state="submitted", unowned=True), "start_verification", "withdraw",
                  lambda w: {"type": "service_request", "fields": KGB}),
    "service_request": ("service_request", dict(state="in_verification"), "request_revision", "withdraw",
                        lambda w: {"type": "service_request", "fields": KGB}),
    "complaint": ("complaint", dict(state="answered", other_party="other_party", answered=True), "close", "reopen",
                  lambda w: {"type": "complaint", "fields": {**COMPLAINT, "reported_nip": w.people["other_party"].nip}}),
    "anonymous": ("complaint", dict(state="triaged", anonymous=True), "follow_up", "filer_replied",
                  lambda w: {"type": "complaint", "fields": {**COMPLAINT, "anonymous": True}}),
    "mediation": ("mediation", dict(state="mediator_assigned", other_party="other_party"), "bring_in_other_party",
                  "withdraw", lambda w: {"type": "mediation", "fields": mediation_data(w.people["other_party"])}),
    "chat_waiting": ("chat", dict(state="waiting", unowned=True), "serve", "close",
                     lambda w: {"type": "chat", "fields": {"body": "Halo, saya mau bertanya."}}),
    "chat_active": ("chat", dict(state="active"), "close", "close",
                    lambda w: {"type": "chat", "fields": {"body": "Halo, saya mau bertanya."}}),
    "mediation_involved": ("mediation", dict(state="in_mediation", other_party="other_party", involved=True),
                           "record_agreement", "withdraw",
                           lambda w: {"type": "mediation", "fields": mediation_data(w.people["other_party"])}),
    "consultation": ("consultation", dict(state="booked", slot=True), "confirm", "cancel",
                     lambda w: {"type": "consultation", "fields": {"slot_id": w.fresh_slot().id, "topic": "Masa kerja"}}),
}


class World:
    """One app and one office for the whole module; every test works on a case of its own."""

    def __init__(self, app):
        self.app, self.client = app, app.test_client()
        cast = build_cast()
        self.spare_officer = cast["assignee"]  # publishes the slots POST cases books: no relation to anyone's case
        self.people = {relation: cast[CAST_NAME.get(relation, relation)] for relation in RELATIONS
                       if relation != "no_token"}
        app.config["DESK_HEAD_NIP"] = self.people["head"].nip
        self.tokens = {key: create_token(user.nip) for key, user in self.people.items()}
        self.tokens["no_token"] = None
        self.slots = 0

    def fresh_slot(self):
        """A free ConsDesk slot of an officer outside the cast, a day further ahead each time."""
        self.slots += 1
        start = self.app.extensions["clock"].now() + dt.timedelta(days=2 + self.slots)
        return ConsultationSlotFactory(officer=self.spare_officer, start_at=start,
                                       end_at=start + dt.timedelta(minutes=30))

    def case(self, scenario, relation):
        """A fresh case of the scenario; for the desk_filer the same case, filed by them."""
        case_type, attrs, *_ = SCENARIOS[scenario]
        p = self.people
        common = dict(state=attrs["state"], owner=None if attrs.get("unowned") else p["owner"],
                      other_party=p[attrs["other_party"]] if "other_party" in attrs else None,
                      is_other_party_involved=attrs.get("involved", False),
                      answered_at=self.app.extensions["clock"].now() if attrs.get("answered") else None)
        if attrs.get("slot"):  # a booking three days ahead: well before the booker's cut-off
            common["fields"] = {"slot_start": (self.app.extensions["clock"].now() + dt.timedelta(days=3)).isoformat()}
        if attrs.get("anonymous"):
            case, _code = anonymous_complaint(**common)
        else:
            requester = p["desk_filer"] if relation == "desk_filer" else p["requester"]
            case = CaseFactory(case_type=case_type, requester=requester, **common)
        doc = CaseDocumentFactory(case=case, uploaded_by_id=case.requester_id)
        return case, doc

    def call(self, relation, method, url, **kwargs):
        token = self.tokens[relation]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.open(url, method=method, headers=headers, **kwargs)


@pytest.fixture(scope="module")
def world(database_template, tmp_path_factory):
    with module_app(database_template, tmp_path_factory.mktemp("permissions")) as app:
        yield World(app)


def request(world, scenario, route, relation):
    """Make the route's call; answer its status (or listed/hidden for GET cases)."""
    case, doc = world.case(scenario, relation)
    _, _, owner_step, requester_step, intake = SCENARIOS[scenario]
    base = f"/api/v1/cases/{case.id}"
    transition = lambda trigger: world.call(relation, "POST", f"{base}/transitions", json={  # noqa: E731
        "trigger": trigger, "version": case.version, "comment": "Catatan uji."})
    if route == "GET case-types":
        r = world.call(relation, "GET", "/api/v1/case-types")
    elif route == "POST cases":
        r = world.call(relation, "POST", "/api/v1/cases", json=intake(world))
    elif route == "GET case":
        r = world.call(relation, "GET", base)
    elif route == "GET cases":
        listed, query = set(), {"limit": 100, "type": case.case_type}
        while True:  # every page: the module's cases all share one created_at, so order is by id alone
            r = world.call(relation, "GET", "/api/v1/cases", query_string=query)
            if r.status_code != 200:
                break
            listed |= {item["id"] for item in r.get_json()["items"]}
            if r.get_json()["next"] is None:
                return Y if case.id in listed else N
            query["cursor"] = r.get_json()["next"]
    elif route == "owner's step":
        r = transition(owner_step)
    elif route == "requester's step":
        r = transition(requester_step)
    elif route == "message":
        r = world.call(relation, "POST", f"{base}/messages", json={"body": "Halo."})
    elif route == "internal note":
        r = world.call(relation, "POST", f"{base}/messages", json={"body": "Catatan.", "internal": True})
    elif route == "assign (claim)":
        r = world.call(relation, "POST", f"{base}/assign", json={"version": case.version})
    elif route == "upload":
        r = world.call(relation, "POST", f"{base}/documents", content_type="multipart/form-data",
                       data={"requirement": "lainnya", "file": (io.BytesIO(PDF), "lampiran.pdf")})
    elif route == "review document":
        # Documents are numbered within their case: the case's one document is number 1.
        r = world.call(relation, "POST", f"{base}/documents/1/review", json={"decision": "verified"})
    else:  # pragma: no cover
        raise AssertionError(route)
    assert r.mimetype == "application/json", r.get_data(as_text=True)[:200]
    if r.status_code >= 400:
        assert set(r.get_json()) >= {"error", "message"}
    return r.status_code


MATRIX = [
    pytest.param(scenario, route, relation, expected, id=f"{scenario}|{route}|{relation}")
    for scenario, rows in EXPECTED.items()
    for route, row in rows.items()
    for relation, expected in zip(RELATIONS, row, strict=True)
    if expected is not _
]


def test_the_table_covers_every_route_scenario_and_relation():
    assert set(EXPECTED) == set(SCENARIOS)
    for rows in EXPECTED.values():
        assert list(rows) == list(EXPECTED["service_request"])


@pytest.mark.parametrize("scenario, route, relation, expected", MATRIX)
def test_permission(world, scenario, route, relation, expected):
    assert request(world, scenario, route, relation) == expected
