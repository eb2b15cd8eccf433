"""Guards are pure functions of (case, ctx); fire() runs the shared machine on any object with a `state`."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from layani_flow.workflows import REGISTRY, TransitionImpossible
from layani_flow.workflows.guards import (
    documents_verified,
    has_owner,
    mediator_not_party,
    reopen_window_open,
    unclaimed_or_mine,
)

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


def doc(requirement, status="verified"):
    return SimpleNamespace(requirement=requirement, review_status=status)


class Thing:
    """A plain model: no ORM, no registration with the machine."""

    def __init__(self, state, **attrs):
        self.state = state
        self.owner_id = None
        self.answered_at = None
        self.service = None
        self.documents = []
        self.party_ids = set()
        self.is_other_party_involved = False
        self.fields = {}
        self.__dict__.update(attrs)


KGB_ALL = [doc("sk_pangkat_terakhir"), doc("sk_kgb_terakhir"), doc("skp")]

# (guard, case attributes, ctx, expected)
GUARD_CASES = {
    "documents: all required verified": (documents_verified, dict(service="kgb", documents=KGB_ALL), {}, True),
    "documents: optional ones may be missing": (
        documents_verified, dict(service="cuti", documents=[doc("formulir_cuti")]), {}, True),
    "documents: one still pending": (
        documents_verified, dict(service="kgb", documents=[*KGB_ALL[:2], doc("skp", "pending")]), {}, False),
    "documents: one rejected": (
        documents_verified, dict(service="kgb", documents=[*KGB_ALL[:2], doc("skp", "rejected")]), {}, False),
    "documents: one missing": (documents_verified, dict(service="kgb", documents=KGB_ALL[:2]), {}, False),
    "documents: none at all": (documents_verified, dict(service="kgb", documents=[]), {}, False),
    "documents: an optional one does not stand in": (
        documents_verified, dict(service="kgb", documents=[*KGB_ALL[:2], doc("lainnya")]), {}, False),
    "documents: no service, nothing required": (documents_verified, dict(service=None), {}, True),
    "owner: set": (has_owner, dict(owner_id=7), {}, True),
    "owner: unset": (has_owner, dict(owner_id=None), {}, False),
    "reopen: just answered": (reopen_window_open, dict(answered_at=NOW), {"now": NOW}, True),
    "reopen: last instant of default 14 days": (
        reopen_window_open, dict(answered_at=NOW), {"now": NOW + dt.timedelta(days=14)}, True),
    "reopen: a second after 14 days": (
        reopen_window_open, dict(answered_at=NOW), {"now": NOW + dt.timedelta(days=14, seconds=1)}, False),
    "reopen: configured window respected": (
        reopen_window_open, dict(answered_at=NOW),
        {"now": NOW + dt.timedelta(days=3), "settings": {"complaint_reopen_days": 2}}, False),
    "reopen: configured window, inside": (
        reopen_window_open, dict(answered_at=NOW),
        {"now": NOW + dt.timedelta(days=1), "settings": {"complaint_reopen_days": 2}}, True),
    "reopen: never answered": (reopen_window_open, dict(answered_at=None), {"now": NOW}, False),
    "mediator: outsider": (mediator_not_party, dict(party_ids={1, 2}), {"fields": {"mediator_id": 3}}, True),
    "mediator: the requester": (mediator_not_party, dict(party_ids={1, 2}), {"fields": {"mediator_id": 1}}, False),
    "mediator: the other party": (mediator_not_party, dict(party_ids={1, 2}), {"fields": {"mediator_id": 2}}, False),
    "mediator: nobody chosen": (mediator_not_party, dict(party_ids={1, 2}), {"fields": {}}, False),
    "mediator: no fields at all": (mediator_not_party, dict(party_ids={1, 2}), {}, False),
    "claim: unclaimed": (unclaimed_or_mine, dict(owner_id=None), {"actor_id": 5}, True),
    "claim: mine": (unclaimed_or_mine, dict(owner_id=5), {"actor_id": 5}, True),
    "claim: someone else's": (unclaimed_or_mine, dict(owner_id=6), {"actor_id": 5}, False),
    "claim: anonymous actor on a claimed case": (unclaimed_or_mine, dict(owner_id=6), {"actor_id": None}, False),
}


@pytest.mark.parametrize("guard, attrs, ctx, expected", GUARD_CASES.values(), ids=GUARD_CASES.keys())
def test_guard(guard, attrs, ctx, expected):
    case = Thing("any", **attrs)
    before = dict(vars(case))
    assert guard.holds(case, ctx) is expected
    assert guard(SimpleNamespace(model=case, kwargs=ctx)) is expected  # as transitions calls it
    assert vars(case) == before, "guards must not change the case"


def test_every_guard_explains_itself_in_indonesian():
    for wf in REGISTRY.values():
        for s in wf.steps:
            for guard in s.guards:
                assert guard.message and guard.message.endswith(".")
                assert guard.__name__ == guard.name


# -- fire() ------------------------------------------------------------------------------------------------

def test_fire_moves_a_plain_object():
    wf = REGISTRY["complaint"]
    thing = Thing("submitted")
    assert wf.fire(thing, "triage", actor_id=1, now=NOW) is True
    assert thing.state == "triaged"
    assert wf.fire(thing, "follow_up", actor_id=1, now=NOW) is True
    assert thing.state == "in_follow_up"


def test_fire_returns_false_when_a_guard_refuses_and_leaves_the_state():
    wf = REGISTRY["complaint"]
    thing = Thing("submitted", owner_id=9)
    assert wf.fire(thing, "triage", actor_id=1, now=NOW) is False
    assert thing.state == "submitted"
    refusal = wf.refusal(thing, "triage", {"actor_id": 1})
    assert refusal.reasons == (unclaimed_or_mine.message,)
    assert wf.refusal(thing, "triage", {"actor_id": 9}) is None


def test_fire_blocks_processing_until_documents_are_verified():
    wf = REGISTRY["service_request"]
    thing = Thing("in_verification", service="kgb", documents=KGB_ALL[:2])
    assert wf.fire(thing, "start_processing") is False
    thing.documents = KGB_ALL
    assert wf.fire(thing, "start_processing") is True
    assert thing.state == "processing"


@pytest.mark.parametrize("case_type, state, trigger", [
    ("complaint", "submitted", "answer"),
    ("complaint", "closed", "reopen"),
    ("service_request", "completed", "withdraw"),
    ("mediation", "resolved", "assign_mediator"),
    ("mediation", "submitted", "no_such_trigger"),
    ("service_request", "submitted", "triage"),  # another workflow's trigger
])
def test_fire_raises_for_an_impossible_trigger(case_type, state, trigger):
    thing = Thing(state)
    with pytest.raises(TransitionImpossible) as info:
        REGISTRY[case_type].fire(thing, trigger, actor_id=1, now=NOW, fields={"mediator_id": 99})
    assert (info.value.trigger, info.value.state) == (trigger, state)
    assert thing.state == state


@pytest.mark.parametrize("case_type", sorted(REGISTRY))
def test_every_declared_transition_fires_from_each_source(case_type):
    wf = REGISTRY[case_type]
    for s in wf.steps:
        for source in s.sources:
            # A booking's slot: already begun for the steps that record the meeting, far ahead for the others.
            begun = any(g.name == "meeting_started" for g in s.guards)
            slot_start = NOW + dt.timedelta(days=-1 if begun else 3)
            thing = Thing(source, service="kgb", documents=KGB_ALL, answered_at=NOW, party_ids={1, 2},
                          fields={"slot_start": slot_start.isoformat()})
            ctx = dict(actor_id=None, now=NOW, fields={"mediator_id": 3})
            assert wf.fire(thing, s.trigger, **ctx) is True, (s.trigger, source)
            assert thing.state == s.dest


def test_available_filters_by_roles_and_relations():
    wf = REGISTRY["service_request"]
    thing = Thing("in_verification")
    assert [s.trigger for s in wf.available(thing, {"owner"})] == ["request_revision", "start_processing", "reject"]
    assert [s.trigger for s in wf.available(thing, {"requester"})] == ["withdraw"]
    assert wf.available(thing, {"employee"}) == []
    assert wf.may_fire("withdraw", {"employee", "requester"})
    assert not wf.may_fire("withdraw", {"officer", "owner"})
    assert not wf.may_fire("no_such_trigger", {"admin"})


# -- one shared machine per case type ---------------------------------------------------------------------

def test_the_machine_is_built_once_and_registers_nothing():
    from layani_flow.services import cases
    from layani_flow.workflows import chat, complaint, consultation, mediation, service_request

    modules = {"complaint": complaint, "mediation": mediation, "service_request": service_request,
               "consultation": consultation, "chat": chat}
    for key, wf in REGISTRY.items():
        assert wf is modules[key].WORKFLOW is cases.REGISTRY[key]
        assert wf.machine is wf.machine  # a plain attribute, not rebuilt on access
        assert wf.machine.models == []
        assert wf.machine.name.strip(": ") == key


def test_firing_many_times_leaks_no_models():
    wf = REGISTRY["complaint"]
    machine = wf.machine
    for i in range(500):
        thing = Thing("submitted", answered_at=NOW)
        assert wf.fire(thing, "triage", actor_id=i, now=NOW)
        assert wf.fire(thing, "answer", actor_id=i, now=NOW)
        assert wf.fire(thing, "reopen", actor_id=i, now=NOW)
        assert thing.state == "in_follow_up"
    assert REGISTRY["complaint"].machine is machine
    assert machine.models == []
    for other in REGISTRY.values():
        assert other.machine.models == []
