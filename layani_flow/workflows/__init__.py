"""Every case type's workflow, keyed by case type."""
from . import complaint, mediation, service_request
from .base import Guard, Refusal, Step, TransitionImpossible, Workflow

REGISTRY: dict[str, Workflow] = {
    wf.case_type: wf for wf in (service_request.WORKFLOW, complaint.WORKFLOW, mediation.WORKFLOW)
}

# Every state name of every case type (filters check against it before they reach a query).
ALL_STATES: frozenset[str] = frozenset(state for wf in REGISTRY.values() for state in wf.states)

__all__ = ["ALL_STATES", "REGISTRY", "Guard", "Refusal", "Step", "TransitionImpossible", "Workflow"]
