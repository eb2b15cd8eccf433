"""Every declared workflow is sound, documented, and wired to its forms; validate() refuses broken ones."""
from __future__ import annotations

from pathlib import Path

import pytest

from layani_flow import forms
from layani_flow.workflows import REGISTRY, Workflow
from layani_flow.workflows.base import step
from layani_flow.workflows.docs import workflow_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "workflows"
WORKFLOWS = sorted(REGISTRY)


def _reachable(wf: Workflow) -> set[str]:
    """Breadth-first over the declared steps, written independently of Workflow.reachable_states."""
    seen = set(wf.entry_states)
    changed = True
    while changed:
        changed = False
        for s in wf.steps:
            if seen & set(s.sources) and s.dest not in seen:
                seen.add(s.dest)
                changed = True
    return seen


@pytest.mark.parametrize("case_type", WORKFLOWS)
def test_every_state_is_reachable_from_an_entry_state(case_type):
    wf = REGISTRY[case_type]
    assert wf.initial in wf.entry_states
    assert _reachable(wf) == set(wf.states)


@pytest.mark.parametrize("case_type", WORKFLOWS)
def test_every_non_final_state_has_an_exit_and_final_states_have_none(case_type):
    wf = REGISTRY[case_type]
    for state in wf.states:
        exits = wf.triggers_from(state)
        if state in wf.final:
            assert exits == [], f"{state} is final but has exits {exits}"
        else:
            assert exits, f"{state} is a dead end"
    assert wf.final, "a workflow with no final state never ends"
    assert wf.final <= set(wf.states)


@pytest.mark.parametrize("case_type", WORKFLOWS)
def test_the_machine_mirrors_the_declaration(case_type):
    wf = REGISTRY[case_type]
    assert wf.case_type == case_type
    assert set(wf.machine.states) == set(wf.states)
    assert set(wf.machine.events) == {s.trigger for s in wf.steps}
    for s in wf.steps:
        for source in s.sources:
            [transition] = wf.machine.events[s.trigger].transitions[source]
            assert transition.dest == s.dest
            assert [c.func for c in transition.conditions] == list(s.guards)


# -- validate() refuses broken declarations ------------------------------------------------------------

GOOD_STATES = {"new": "Baru", "doing": "Dikerjakan", "done": "Selesai"}


def good_steps():
    return [
        step("start", "new", "doing", "Mulai", who={"officer"}),
        step("finish", "doing", "done", "Selesai", who={"owner"}),
    ]


def build(**overrides) -> Workflow:
    spec = dict(case_type="toy", title="Mainan", initial="new", states=dict(GOOD_STATES), steps=good_steps(),
                final={"done"})
    spec.update(overrides)
    return Workflow(**spec)


def test_a_small_good_declaration_builds():
    wf = build()
    assert wf.reachable_states() == set(GOOD_STATES)


BROKEN = {
    "duplicate trigger": (
        dict(steps=[*good_steps(), step("start", "doing", "done", "Lagi", who={"officer"})]),
        "trigger 'start' declared twice"),
    "unknown destination": (
        dict(steps=[*good_steps(), step("lost", "doing", "nowhere", "Hilang", who={"officer"})]),
        "unknown state 'nowhere'"),
    "unknown source": (
        dict(steps=[*good_steps(), step("back", "limbo", "new", "Kembali", who={"officer"})]),
        "unknown state 'limbo'"),
    "unknown initial": (dict(initial="ghost"), "unknown state 'ghost'"),
    "unknown final": (dict(final={"done", "gone"}), "unknown state 'gone'"),
    "unknown entry state": (dict(entry_states={"elsewhere"}), "unknown state 'elsewhere'"),
    "unknown who": (
        dict(steps=[step("start", "new", "doing", "Mulai", who={"janitor"}),
                    step("finish", "doing", "done", "Selesai", who={"owner"})]),
        "who must name roles/relations"),
    "nobody may fire": (
        dict(steps=[step("start", "new", "doing", "Mulai", who=()),
                    step("finish", "doing", "done", "Selesai", who={"owner"})]),
        "who must name roles/relations"),
    "unknown input": (
        dict(steps=[step("start", "new", "doing", "Mulai", who={"officer"}, needs={"signature"}),
                    step("finish", "doing", "done", "Selesai", who={"owner"})]),
        "unknown inputs ['signature']"),
    "unreachable state": (
        dict(states={**GOOD_STATES, "island": "Pulau"},
             steps=[*good_steps(), step("leave", "island", "done", "Pergi", who={"officer"})]),
        "state 'island' is unreachable"),
    "exit from a final state": (
        dict(steps=[*good_steps(), step("undo", "done", "doing", "Batal", who={"owner"})]),
        "undo: leaves a final state"),
    "dead end": (
        dict(states={**GOOD_STATES, "stuck": "Macet"},
             steps=[*good_steps(), step("jam", "doing", "stuck", "Macet", who={"owner"})]),
        "non-final state 'stuck' has no way out"),
}


@pytest.mark.parametrize("overrides, problem", BROKEN.values(), ids=BROKEN.keys())
def test_validate_rejects_a_broken_declaration(overrides, problem):
    with pytest.raises(ValueError) as info:
        build(**overrides)
    assert problem in str(info.value)
    assert str(info.value).startswith("workflow toy: ")


# -- the committed pictures ------------------------------------------------------------------------------

@pytest.mark.parametrize("case_type", WORKFLOWS)
def test_committed_diagram_matches_the_declaration(case_type):
    committed = (DOCS / f"{case_type}.md").read_text(encoding="utf-8")
    assert workflow_markdown(REGISTRY[case_type]) == committed, (
        "regenerate with: flask --app layani_flow layani workflows diagram --write docs/workflows")


@pytest.mark.parametrize("case_type", WORKFLOWS)
def test_diagram_names_every_state_and_transition(case_type):
    wf = REGISTRY[case_type]
    text = wf.diagram()
    assert "stateDiagram-v2" in text
    for name, label in wf.states.items():
        assert f'state "{label}" as {name}' in text
    edges = [line.strip() for line in text.splitlines() if " --> " in line]
    for s in wf.steps:
        for source in s.sources:
            # Steps between the same two states share one arrow: "a --> b: cancel [guard] | desk_cancel".
            assert any(e.startswith(f"{source} --> {s.dest}: ") and s.trigger in e.split(": ", 1)[1].replace(" |", "").split()
                       for e in edges), (source, s.dest, s.trigger)


def test_every_workflow_has_a_committed_document_and_nothing_else_is_there():
    assert {p.stem for p in DOCS.glob("*.md")} == set(REGISTRY)


# -- the form registries ----------------------------------------------------------------------------------

def test_every_workflow_has_an_intake_form():
    assert set(forms.INTAKE_FORMS) == set(REGISTRY)
    for case_type, form_class in forms.INTAKE_FORMS.items():
        assert issubclass(form_class, forms.BaseForm), case_type


@pytest.mark.parametrize("key", sorted(forms.TRIGGER_FORMS))
def test_every_trigger_form_names_an_existing_trigger(key):
    case_type, trigger = key
    assert case_type in REGISTRY
    assert trigger in REGISTRY[case_type].by_trigger
    assert issubclass(forms.TRIGGER_FORMS[key], forms.TransitionForm)


@pytest.mark.parametrize("case_type", WORKFLOWS)
def test_every_step_needing_a_form_has_one(case_type):
    for s in REGISTRY[case_type].steps:
        if "form" in s.needs:
            assert (case_type, s.trigger) in forms.TRIGGER_FORMS, s.trigger
            assert forms.trigger_form_class(case_type, s.trigger) is forms.TRIGGER_FORMS[(case_type, s.trigger)]
        else:
            assert forms.trigger_form_class(case_type, s.trigger) is forms.TransitionForm
