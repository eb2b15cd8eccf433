"""Workflow.starting_in: the lifecycle as a case that starts in one entry state lives it (the published
procedure and its diagram, /standar-pelayanan)."""
import pytest

from layani_flow.workflows import REGISTRY


def test_a_request_filed_straight_to_the_desk_never_meets_the_superior():
    workflow = REGISTRY["service_request"]
    direct = workflow.starting_in("submitted")
    assert "awaiting_superior" not in direct.states and not direct.approval_in
    assert [s.trigger for s in direct.steps] == [s.trigger for s in workflow.steps if "requester_superior" not in s.who]
    assert "awaiting_superior" not in direct.by_trigger["withdraw"].sources
    assert direct.reachable_states() == set(direct.states)  # validate() ran on the trimmed declaration
    assert workflow.starting_in("awaiting_superior") is workflow  # nothing left out: the same declaration


@pytest.mark.parametrize("case_type", list(REGISTRY))
def test_from_its_initial_state_every_declaration_but_the_per_service_one_is_itself(case_type):
    workflow = REGISTRY[case_type]
    if len(workflow.entry_states) == 1:
        assert workflow.starting_in(workflow.initial) is workflow


def test_only_entry_states_start_a_case():
    with pytest.raises(ValueError):
        REGISTRY["service_request"].starting_in("processing")
